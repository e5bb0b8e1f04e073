//! The demo dashboards, with and without access control.

use gatehouse_api::dashboards::{AccessControl, DashboardAccessMode, Panel};

use crate::dashboards::store::*;
use crate::platform::db::{self, Db};

// ---------------------------------------------------------------------------------------------
// Demo dashboards
// ---------------------------------------------------------------------------------------------

struct DemoDashboard {
    space: &'static str,
    id: &'static str,
    title: &'static str,
    description: &'static str,
    /// `None`: created before access control, no owner.
    owner: Option<&'static str>,
    mode: DashboardAccessMode,
    panels: &'static [DemoPanel],
}

/// A seeded panel: a query over data the server holds (docs/panels.md), a text panel, or a
/// panel Kibana draws (no query).
struct DemoPanel {
    title: &'static str,
    panel_type: &'static str,
    description: &'static str,
    /// A `PanelQuery` as JSON.
    query: Option<&'static str>,
}

const fn panel(
    title: &'static str,
    panel_type: &'static str,
    description: &'static str,
    query: Option<&'static str>,
) -> DemoPanel {
    DemoPanel {
        title,
        panel_type,
        description,
        query,
    }
}

const ACTIVE_LEADS: &str = r#"{"source":"leads","metric":"count","filter":{"status":"active"}}"#;
const LEADS_PER_DAY: &str = r#"{"source":"leads","metric":"count","interval":"day","size":14}"#;
const DASHBOARDS: &str = r#"{"source":"dashboards","metric":"count"}"#;

const DEMO_DASHBOARDS: &[DemoDashboard] = &[
    DemoDashboard {
        space: crate::platform::kibana::DEFAULT_SPACE,
        id: "soc-overview",
        title: "SOC overview",
        description: "Threat-hunting leads of this space, as your role lets you read them.",
        owner: Some("alice"),
        mode: DashboardAccessMode::WriteRestricted,
        panels: &[
            panel("Active leads", "metric", "Leads not dismissed or expired.", Some(ACTIVE_LEADS)),
            panel(
                "Leads by priority",
                "bar",
                "Active leads per priority (10 is the highest).",
                Some(r#"{"source":"leads","metric":"count","filter":{"status":"active"},"groupBy":"priority"}"#),
            ),
            panel(
                "Top entities",
                "table",
                "The hosts, users and services with the most active leads.",
                Some(r#"{"source":"leads","metric":"count","filter":{"status":"active"},"groupBy":"entity","size":10}"#),
            ),
            panel("Leads per day", "line", "Leads generated per day, the latest 14 days with leads.", Some(LEADS_PER_DAY)),
            panel("Dashboards in this space", "metric", "Every dashboard of the space.", Some(DASHBOARDS)),
        ],
    },
    DemoDashboard {
        space: crate::platform::kibana::DEFAULT_SPACE,
        id: "phishing-triage",
        title: "Phishing triage",
        description: "Where phishing triage stands, from what Gatehouse holds.",
        owner: Some("bob"),
        mode: DashboardAccessMode::Default,
        panels: &[
            panel(
                "Reported emails",
                "markdown",
                "Gatehouse holds no mailbox data: reported emails would be counted here once a mail source feeds it.",
                None,
            ),
            panel(
                "Search documents per source",
                "bar",
                "Runbooks and other documents you may see, per search source.",
                Some(r#"{"source":"search","metric":"count","groupBy":"source"}"#),
            ),
            panel(
                "Dashboards by access mode",
                "bar",
                "Which dashboards of the space only their owner may change.",
                Some(r#"{"source":"dashboards","metric":"count","groupBy":"accessMode"}"#),
            ),
        ],
    },
    DemoDashboard {
        space: crate::platform::kibana::DEFAULT_SPACE,
        id: "executive-risk-summary",
        title: "Executive risk summary",
        description: "Risk posture for the leadership report, from the leads.",
        owner: Some("elastic"),
        mode: DashboardAccessMode::WriteRestricted,
        panels: &[
            panel(
                "High-priority leads",
                "metric",
                "Active leads of priority 8 or more.",
                Some(r#"{"source":"leads","metric":"count","filter":{"status":"active","priority":{"gte":8}}}"#),
            ),
            panel(
                "Leads by entity type",
                "bar",
                "Active leads about hosts, users and services.",
                Some(r#"{"source":"leads","metric":"count","filter":{"status":"active"},"groupBy":"entityType"}"#),
            ),
            panel(
                "Leads by status",
                "table",
                "Every lead, active, dismissed or expired.",
                Some(r#"{"source":"leads","metric":"count","groupBy":"status"}"#),
            ),
            panel("Spaces", "metric", "The spaces you may enter.", Some(r#"{"source":"spaces","metric":"count"}"#)),
        ],
    },
    DemoDashboard {
        space: crate::platform::kibana::DEFAULT_SPACE,
        id: "endpoint-health",
        title: "Endpoint health",
        description: "Hosts under investigation, and who keeps the dashboards.",
        owner: Some("alice"),
        mode: DashboardAccessMode::Default,
        panels: &[
            panel(
                "Agent health",
                "markdown",
                "Gatehouse holds no endpoint agent data: check-ins, versions and isolation are shown by Kibana's Fleet, not here.",
                None,
            ),
            panel(
                "Hosts with active leads",
                "metric",
                "Active leads about hosts.",
                Some(r#"{"source":"leads","metric":"count","filter":{"status":"active","entityType":"host"}}"#),
            ),
            panel(
                "Dashboards by owner",
                "table",
                "Who owns the dashboards of this space.",
                Some(r#"{"source":"dashboards","metric":"count","groupBy":"owner"}"#),
            ),
        ],
    },
    DemoDashboard {
        space: crate::platform::kibana::DEFAULT_SPACE,
        id: "network-traffic-legacy",
        title: "Network traffic (legacy import)",
        description: "Imported before access control, so it has no owner yet: whoever may edit dashboards can claim it by changing its permissions.",
        owner: None,
        mode: DashboardAccessMode::Default,
        panels: &[
            panel("Bytes out by host", "lens", "Egress volume per host, a Kibana Lens chart.", None),
            panel("Spaces", "metric", "The spaces you may enter.", Some(r#"{"source":"spaces","metric":"count"}"#)),
        ],
    },
    DemoDashboard {
        space: crate::seed::EMEA_SPACE,
        id: "emea-incidents",
        title: "EMEA incidents",
        description: "Leads and open incidents of the EMEA security team.",
        owner: Some("emea_analyst"),
        mode: DashboardAccessMode::WriteRestricted,
        panels: &[
            panel("Open incidents by country", "map", "Incidents not yet closed, by country (a Kibana map).", None),
            panel("Active EMEA leads", "metric", "Leads of the EMEA space not dismissed or expired.", Some(ACTIVE_LEADS)),
            panel("EMEA leads per day", "line", "Leads generated per day, the latest 14 days with leads.", Some(LEADS_PER_DAY)),
        ],
    },
    DemoDashboard {
        space: crate::seed::EMEA_SPACE,
        id: "emea-phishing",
        title: "EMEA phishing reports",
        description: "User-reported phishing across EMEA mailboxes.",
        owner: None,
        mode: DashboardAccessMode::Default,
        panels: &[
            panel(
                "Reports per day",
                "markdown",
                "Gatehouse holds no mailbox data: reports per day would be drawn here once a mail source feeds it.",
                None,
            ),
            panel(
                "User leads",
                "metric",
                "Active leads about users, whose mailboxes phishing reaches.",
                Some(r#"{"source":"leads","metric":"count","filter":{"status":"active","entityType":"user"}}"#),
            ),
        ],
    },
];

/// The panels of a demo dashboard, their queries parsed.
fn demo_panels(demo: &DemoDashboard) -> anyhow::Result<Vec<Panel>> {
    demo.panels
        .iter()
        .enumerate()
        .map(|(i, p)| {
            Ok(Panel {
                id: format!("panel-{}", i + 1),
                title: p.title.to_string(),
                panel_type: p.panel_type.to_string(),
                description: Some(p.description.to_string()),
                query: p.query.map(serde_json::from_str).transpose()?,
            })
        })
        .collect()
}

/// Seeds the demo dashboards into the default space when no dashboard exists yet. Owners that
/// are not users (a database seeded without them) leave the dashboard ownerless.
pub fn seed_dashboards(db: &Db) -> anyhow::Result<bool> {
    let seeded = super::seed_empty_table(db, "dashboards", |tx| {
        let now = db::now_millis();
        for demo in DEMO_DASHBOARDS {
            let owner = match demo.owner {
                Some(username) => {
                    crate::admin::user_store::get_user(tx, username)?.map(|u| u.profile_uid)
                }
                None => None,
            };
            let access = owner.clone().map(|owner| AccessControl {
                owner,
                access_mode: demo.mode,
            });
            insert(
                tx,
                &StoredDashboard {
                    space: demo.space.into(),
                    id: demo.id.into(),
                    content: Content {
                        title: demo.title.into(),
                        description: demo.description.into(),
                        panels: demo_panels(demo)?,
                    },
                    access,
                    created_by: owner.clone(),
                    updated_by: owner,
                    created_at: now,
                    updated_at: now,
                    version: 1,
                },
            )?;
        }
        Ok(())
    })?;
    if seeded {
        tracing::info!(count = DEMO_DASHBOARDS.len(), "seeded demo dashboards");
    }
    Ok(seeded)
}

#[cfg(test)]
mod tests {
    use gatehouse_api::dashboards::DashboardData;

    use super::*;

    /// Every seeded panel passes the rules a saved one must (docs/panels.md), and every drawn
    /// one reads real data; only Kibana's kinds and text panels carry no query.
    #[test]
    fn every_seeded_panel_is_a_real_query_or_text() {
        for demo in DEMO_DASHBOARDS {
            let panels = demo_panels(demo).expect("seeded queries parse");
            for panel in &panels {
                let drawn_with_data =
                    ["metric", "bar", "line", "table"].contains(&panel.panel_type.as_str());
                assert_eq!(
                    panel.query.is_some(),
                    drawn_with_data,
                    "{}: {}",
                    demo.id,
                    panel.title
                );
            }
            validate_content(DashboardData {
                title: demo.title.into(),
                panels,
                ..DashboardData::default()
            })
            .unwrap_or_else(|m| panic!("{}: {m}", demo.id));
        }
        let undrawn: Vec<&str> = DEMO_DASHBOARDS
            .iter()
            .filter(|d| {
                d.panels
                    .iter()
                    .any(|p| !gatehouse_api::panels::DRAWN_PANEL_TYPES.contains(&p.panel_type))
            })
            .map(|d| d.id)
            .collect();
        assert_eq!(undrawn, ["network-traffic-legacy", "emea-incidents"]);
    }
}
