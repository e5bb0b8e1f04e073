//! Which fields a panel may filter on, group by and bucket over time, per source (docs/panels.md,
//! "Sources and fields"). Only fields the server really holds are listed: the editor offers these
//! and nothing else, and the server refuses any other.

use super::PanelSource;

/// What values a field takes, as a filter checks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldValues {
    /// One of a closed set (the editor offers a list).
    OneOf(&'static [&'static str]),
    /// Whole numbers within `min..=max` (an exact value, several, or a range).
    Number { min: i64, max: i64 },
    /// Free text such as a name or an id, at most [`super::MAX_FILTER_TEXT_CHARS`] characters.
    Text,
    /// `true` or `false`.
    Bool,
}

/// One field of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PanelField {
    /// The name a query uses (`entityType`).
    pub name: &'static str,
    /// What the editor calls it ("Entity type").
    pub label: &'static str,
    pub values: FieldValues,
    pub filterable: bool,
    pub groupable: bool,
    /// The field of the stored document that holds the value (`entity.type`), which field-level
    /// security is checked against for the leads (docs/privileges.md).
    pub document_field: &'static str,
}

/// The time a source's records carry, for panels over time (`interval`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeField {
    pub label: &'static str,
    pub document_field: &'static str,
}

/// Everything a panel may ask of one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceCatalogue {
    pub source: PanelSource,
    /// What the editor calls the source ("Leads").
    pub label: &'static str,
    /// What one counted record is called, plural ("leads"), for descriptions.
    pub counted: &'static str,
    pub fields: &'static [PanelField],
    pub time_field: Option<TimeField>,
}

impl SourceCatalogue {
    pub fn field(&self, name: &str) -> Option<&'static PanelField> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn filter_fields(&self) -> impl Iterator<Item = &'static PanelField> {
        self.fields.iter().filter(|f| f.filterable)
    }

    pub fn group_fields(&self) -> impl Iterator<Item = &'static PanelField> {
        self.fields.iter().filter(|f| f.groupable)
    }
}

/// The statuses a lead has (the leads find's `status`).
pub const LEAD_STATUSES: &[&str] = &["active", "dismissed", "expired"];
/// The kinds of entity a lead is about.
pub const ENTITY_TYPES: &[&str] = &["host", "user", "service"];
/// Lead priorities run 1 (lowest) to 10.
pub const LEAD_PRIORITY_MIN: i64 = 1;
pub const LEAD_PRIORITY_MAX: i64 = 10;
/// A dashboard's access mode; `none` is one without access control (imported before it).
pub const DASHBOARD_ACCESS_MODES: &[&str] = &["default", "write_restricted", "none"];
pub const AUDIT_OUTCOMES: &[&str] = &["success", "failure"];

const LEADS_FIELDS: &[PanelField] = &[
    PanelField {
        name: "status",
        label: "Status",
        values: FieldValues::OneOf(LEAD_STATUSES),
        filterable: true,
        groupable: true,
        document_field: "status",
    },
    PanelField {
        name: "priority",
        label: "Priority",
        values: FieldValues::Number {
            min: LEAD_PRIORITY_MIN,
            max: LEAD_PRIORITY_MAX,
        },
        filterable: true,
        groupable: true,
        document_field: "priority",
    },
    PanelField {
        name: "entityType",
        label: "Entity type",
        values: FieldValues::OneOf(ENTITY_TYPES),
        filterable: true,
        groupable: true,
        document_field: "entity.type",
    },
    PanelField {
        name: "entity",
        label: "Entity",
        values: FieldValues::Text,
        filterable: true,
        groupable: true,
        document_field: "entity.name",
    },
];

const AUDIT_FIELDS: &[PanelField] = &[
    PanelField {
        name: "action",
        label: "Action",
        values: FieldValues::Text,
        filterable: true,
        groupable: true,
        document_field: "action",
    },
    PanelField {
        name: "outcome",
        label: "Outcome",
        values: FieldValues::OneOf(AUDIT_OUTCOMES),
        filterable: true,
        groupable: true,
        document_field: "outcome",
    },
    PanelField {
        name: "user",
        label: "User",
        values: FieldValues::Text,
        filterable: true,
        groupable: true,
        document_field: "username",
    },
];

const SEARCH_FIELDS: &[PanelField] = &[PanelField {
    name: "source",
    label: "Source",
    values: FieldValues::Text,
    filterable: true,
    groupable: true,
    document_field: "source_id",
}];

const DASHBOARDS_FIELDS: &[PanelField] = &[
    PanelField {
        name: "accessMode",
        label: "Access mode",
        values: FieldValues::OneOf(DASHBOARD_ACCESS_MODES),
        filterable: true,
        groupable: true,
        document_field: "access_mode",
    },
    PanelField {
        name: "owner",
        label: "Owner",
        values: FieldValues::Text,
        filterable: true,
        groupable: true,
        document_field: "owner",
    },
];

const USERS_FIELDS: &[PanelField] = &[
    PanelField {
        name: "enabled",
        label: "Enabled",
        values: FieldValues::Bool,
        filterable: true,
        groupable: true,
        document_field: "enabled",
    },
    PanelField {
        name: "role",
        label: "Role",
        values: FieldValues::Text,
        filterable: true,
        groupable: true,
        document_field: "roles",
    },
];

/// Every source, in the order the editor lists them.
pub const CATALOGUE: &[SourceCatalogue] = &[
    SourceCatalogue {
        source: PanelSource::Leads,
        label: "Leads",
        counted: "leads",
        fields: LEADS_FIELDS,
        time_field: Some(TimeField {
            label: "Generated",
            document_field: "timestamp",
        }),
    },
    SourceCatalogue {
        source: PanelSource::Dashboards,
        label: "Dashboards",
        counted: "dashboards",
        fields: DASHBOARDS_FIELDS,
        time_field: None,
    },
    SourceCatalogue {
        source: PanelSource::Search,
        label: "Search documents",
        counted: "search documents",
        fields: SEARCH_FIELDS,
        time_field: None,
    },
    SourceCatalogue {
        source: PanelSource::Audit,
        label: "Audit events",
        counted: "audit events",
        fields: AUDIT_FIELDS,
        time_field: Some(TimeField {
            label: "Time",
            document_field: "ts_ms",
        }),
    },
    SourceCatalogue {
        source: PanelSource::Spaces,
        label: "Spaces",
        counted: "spaces",
        fields: &[],
        time_field: None,
    },
    SourceCatalogue {
        source: PanelSource::Users,
        label: "Users",
        counted: "users",
        fields: USERS_FIELDS,
        time_field: None,
    },
];

/// The catalogue of one source.
pub fn catalogue(source: PanelSource) -> &'static SourceCatalogue {
    // Every source has an entry (a test checks it); the first is never reached otherwise.
    CATALOGUE
        .iter()
        .find(|c| c.source == source)
        .unwrap_or(&CATALOGUE[0])
}

impl PanelSource {
    /// The name a query uses (`leads`).
    pub fn name(self) -> &'static str {
        match self {
            PanelSource::Leads => "leads",
            PanelSource::Audit => "audit",
            PanelSource::Search => "search",
            PanelSource::Dashboards => "dashboards",
            PanelSource::Spaces => "spaces",
            PanelSource::Users => "users",
        }
    }

    pub fn label(self) -> &'static str {
        catalogue(self).label
    }

    pub const ALL: [PanelSource; 6] = [
        PanelSource::Leads,
        PanelSource::Dashboards,
        PanelSource::Search,
        PanelSource::Audit,
        PanelSource::Spaces,
        PanelSource::Users,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_has_its_own_catalogue_and_the_wire_name_it_serializes_to() {
        for source in PanelSource::ALL {
            assert_eq!(catalogue(source).source, source);
            assert_eq!(
                serde_json::to_value(source).expect("serializes"),
                serde_json::Value::from(source.name())
            );
        }
        assert_eq!(CATALOGUE.len(), PanelSource::ALL.len());
    }

    #[test]
    fn the_leads_offer_what_the_leads_hold() {
        let leads = catalogue(PanelSource::Leads);
        let groups: Vec<&str> = leads.group_fields().map(|f| f.name).collect();
        assert_eq!(groups, ["status", "priority", "entityType", "entity"]);
        assert_eq!(
            leads.field("entityType").map(|f| f.document_field),
            Some("entity.type")
        );
        assert!(leads.time_field.is_some());
        assert!(catalogue(PanelSource::Dashboards).time_field.is_none());
        assert!(catalogue(PanelSource::Spaces).fields.is_empty());
    }
}
