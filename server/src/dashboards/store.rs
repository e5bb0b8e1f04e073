//! Dashboards as saved objects in SQLite: one row per (space, id) with its `accessControl`
//! (owner profile uid + access mode, both NULL for objects created without one) and an integer
//! `version` that bumps on every change (sent as `meta.version`).

use gatehouse_api::dashboards::{
    AccessControl, Dashboard, DashboardAccessMode, DashboardData, DashboardMeta, DataAccessControl,
    Panel,
};
use gatehouse_api::rules::{self, TitleProblem};
use gatehouse_api::saved_objects::Reference;
use rusqlite::{params, Connection, OptionalExtension};

use crate::platform::db::{self};

/// The shared rule's limit ([`gatehouse_api::rules::dashboard_title`]).
pub const MAX_TITLE_CHARS: usize = gatehouse_api::rules::MAX_TITLE_LENGTH;
pub const MAX_DESCRIPTION_CHARS: usize = 4096;
pub const MAX_PANELS: usize = 100;
pub const MAX_PANEL_TYPE_CHARS: usize = 32;
pub const MAX_PANEL_ID_CHARS: usize = 64;
pub const MAX_ID_CHARS: usize = 128;
pub const MAX_SEARCH_CHARS: usize = 256;

#[derive(Debug, Clone, PartialEq)]
pub struct StoredDashboard {
    pub space: String,
    pub id: String,
    pub content: Content,
    pub access: Option<AccessControl>,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

/// What an editor changes: everything but ownership and mode.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Content {
    pub title: String,
    pub description: String,
    pub panels: Vec<Panel>,
}

impl StoredDashboard {
    /// A dashboard `creator` makes now: version 1, created and last updated by them.
    pub fn created_now(
        space: &str,
        id: &str,
        content: Content,
        access: Option<AccessControl>,
        creator: Option<&str>,
    ) -> Self {
        let now = db::now_millis();
        StoredDashboard {
            space: space.to_string(),
            id: id.to_string(),
            content,
            access,
            created_by: creator.map(str::to_string),
            updated_by: creator.map(str::to_string),
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    pub fn owner(&self) -> Option<&str> {
        self.access.as_ref().map(|a| a.owner.as_str())
    }

    pub fn mode(&self) -> DashboardAccessMode {
        self.access
            .as_ref()
            .map(|a| a.access_mode)
            .unwrap_or_default()
    }

    /// The wire shape: the owner both at `meta.owner` and `data.access_control.owner`.
    pub fn to_api(&self) -> Dashboard {
        Dashboard {
            id: self.id.clone(),
            data: DashboardData {
                title: self.content.title.clone(),
                description: self.content.description.clone(),
                panels: self.content.panels.clone(),
                access_control: self.access.as_ref().map(|a| DataAccessControl {
                    access_mode: Some(a.access_mode),
                    owner: Some(a.owner.clone()),
                }),
            },
            meta: DashboardMeta {
                owner: self.owner().map(str::to_string),
                created_by: self.created_by.clone(),
                updated_by: self.updated_by.clone(),
                created_at: Some(db::iso_millis(self.created_at)),
                updated_at: Some(db::iso_millis(self.updated_at)),
                version: Some(self.version.to_string()),
            },
        }
    }
}

fn char_count(s: &str) -> usize {
    s.chars().count()
}

/// Checks and normalises what a client sent. Errors name the field (`data.title: …`). Any
/// `access_control` in `data` is not part of the content: callers decide what to do with it.
pub fn validate_content(data: DashboardData) -> Result<Content, String> {
    let title = data.title.trim().to_string();
    match rules::dashboard_title(&title) {
        Ok(()) => {}
        Err(TitleProblem::Empty) => return Err("data.title: a dashboard needs a title".into()),
        Err(TitleProblem::TooLong { max }) => {
            return Err(format!("data.title: must be at most {max} characters"))
        }
    }
    if char_count(&data.description) > MAX_DESCRIPTION_CHARS {
        return Err(format!(
            "data.description: must be at most {MAX_DESCRIPTION_CHARS} characters"
        ));
    }
    if data.panels.len() > MAX_PANELS {
        return Err(format!(
            "data.panels: at most {MAX_PANELS} panels are allowed"
        ));
    }
    let mut panels = Vec::with_capacity(data.panels.len());
    let mut ids = std::collections::HashSet::new();
    for (i, panel) in data.panels.into_iter().enumerate() {
        let id = match panel.id.trim() {
            "" => uuid::Uuid::new_v4().to_string(),
            id => id.to_string(),
        };
        if char_count(&id) > MAX_PANEL_ID_CHARS || id.chars().any(char::is_control) {
            return Err(format!(
                "data.panels.{i}.id: at most {MAX_PANEL_ID_CHARS} printable characters"
            ));
        }
        if !ids.insert(id.clone()) {
            return Err(format!("data.panels.{i}.id: duplicate panel id [{id}]"));
        }
        let title = panel.title.trim().to_string();
        if rules::title_length(&title).is_err() {
            return Err(format!(
                "data.panels.{i}.title: must be at most {MAX_TITLE_CHARS} characters"
            ));
        }
        let panel_type = panel.panel_type.trim().to_string();
        if panel_type.is_empty()
            || panel_type.len() > MAX_PANEL_TYPE_CHARS
            || !panel_type
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(format!(
                "data.panels.{i}.type: expected a panel type such as metric, table or line (a-z, 0-9, _)"
            ));
        }
        // The shared panel rules (docs/panels.md): the editor offers only what passes them.
        gatehouse_api::panels::validate_panel(&panel_type, panel.query.as_ref())
            .map_err(|m| format!("data.panels.{i}.{m}"))?;
        let description = panel.description.filter(|d| !d.trim().is_empty());
        if description
            .as_deref()
            .is_some_and(|d| char_count(d) > MAX_DESCRIPTION_CHARS)
        {
            return Err(format!(
                "data.panels.{i}.description: must be at most {MAX_DESCRIPTION_CHARS} characters"
            ));
        }
        panels.push(Panel {
            id,
            title,
            panel_type,
            description,
            query: panel.query,
        });
    }
    Ok(Content {
        title,
        description: data.description,
        panels,
    })
}

/// Ids a client may choose: `A-Z a-z 0-9 . _ : -`, not starting with `_` (kept for routes such as
/// `_bulk_update`).
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_CHARS
        && !id.starts_with('_')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// `%needle%` for `LIKE … ESCAPE '\'`, with the wildcards of the needle taken literally.
pub fn like_pattern(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() + 2);
    out.push('%');
    for c in needle.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

const COLUMNS: &str = "space, id, title, description, panels, owner, access_mode, created_by, \
                       updated_by, created_at, updated_at, version";

fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredDashboard> {
    let panels: String = row.get(4)?;
    let owner: Option<String> = row.get(5)?;
    let mode: Option<String> = row.get(6)?;
    Ok(StoredDashboard {
        space: row.get(0)?,
        id: row.get(1)?,
        content: Content {
            title: row.get(2)?,
            description: row.get(3)?,
            panels: serde_json::from_str(&panels).unwrap_or_default(),
        },
        access: owner.map(|owner| AccessControl {
            owner,
            access_mode: mode
                .as_deref()
                .and_then(DashboardAccessMode::parse)
                .unwrap_or_default(),
        }),
        created_by: row.get(7)?,
        updated_by: row.get(8)?,
        created_at: row.get(9)?,
        updated_at: row.get(10)?,
        version: row.get(11)?,
    })
}

pub fn get(conn: &Connection, space: &str, id: &str) -> rusqlite::Result<Option<StoredDashboard>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM dashboards WHERE space = ?1 AND id = ?2"
    ))?;
    stmt.query_row(params![space, id], from_row).optional()
}

/// What a page of dashboards is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderBy {
    /// Title, case-insensitively.
    #[default]
    Title,
    UpdatedAt,
    CreatedAt,
}

/// How a page of dashboards is ordered; the id breaks ties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Order {
    pub by: OrderBy,
    pub descending: bool,
}

impl Order {
    fn sql(self) -> String {
        let column = match self.by {
            OrderBy::Title => "title COLLATE NOCASE",
            OrderBy::UpdatedAt => "updated_at",
            OrderBy::CreatedAt => "created_at",
        };
        let direction = if self.descending { "DESC" } else { "ASC" };
        format!("{column} {direction}, id {direction}")
    }
}

/// One page of a space's dashboards whose title contains `search` (case-insensitively for
/// ASCII; `%`, `_` and `\` match themselves), by title; and the total number that match.
pub fn find(
    conn: &Connection,
    space: &str,
    search: &str,
    page: u32,
    per_page: u32,
) -> rusqlite::Result<(Vec<StoredDashboard>, u64)> {
    find_ordered(conn, space, search, Order::default(), page, per_page)
}

/// [`find`] in another order.
pub fn find_ordered(
    conn: &Connection,
    space: &str,
    search: &str,
    order: Order,
    page: u32,
    per_page: u32,
) -> rusqlite::Result<(Vec<StoredDashboard>, u64)> {
    let pattern = like_pattern(search.trim());
    let total: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM dashboards WHERE space = ?1 AND title LIKE ?2 ESCAPE '\\'",
        )?
        .query_row(params![space, pattern], |r| r.get(0))?;
    let offset = i64::from(page.saturating_sub(1)) * i64::from(per_page);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM dashboards WHERE space = ?1 AND title LIKE ?2 ESCAPE '\\'
         ORDER BY {} LIMIT ?3 OFFSET ?4",
        order.sql()
    ))?;
    let rows = stmt
        .query_map(params![space, pattern, per_page, offset], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

pub fn insert(conn: &Connection, d: &StoredDashboard) -> anyhow::Result<()> {
    conn.execute(
        &format!("INSERT INTO dashboards ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
        params![
            d.space,
            d.id,
            d.content.title,
            d.content.description,
            serde_json::to_string(&d.content.panels)?,
            d.owner(),
            d.access.as_ref().map(|a| a.access_mode.as_str()),
            d.created_by,
            d.updated_by,
            d.created_at,
            d.updated_at,
            d.version,
        ],
    )?;
    Ok(())
}

/// Replaces title, description and panels when the stored version is still `version`; returns
/// whether it did (bumping the version).
pub fn replace_content(
    conn: &Connection,
    space: &str,
    id: &str,
    version: i64,
    content: &Content,
    updated_by: &str,
) -> anyhow::Result<bool> {
    let changed = conn.execute(
        "UPDATE dashboards SET title = ?1, description = ?2, panels = ?3, updated_by = ?4,
         updated_at = ?5, version = version + 1
         WHERE space = ?6 AND id = ?7 AND version = ?8",
        params![
            content.title,
            content.description,
            serde_json::to_string(&content.panels)?,
            updated_by,
            db::now_millis(),
            space,
            id,
            version
        ],
    )?;
    Ok(changed == 1)
}

/// Replaces everything an import or a bulk create overwrites: content, owner and mode (`None`:
/// none), bumping the version. Returns whether the dashboard was there.
pub fn overwrite(
    conn: &Connection,
    space: &str,
    id: &str,
    content: &Content,
    access: Option<&AccessControl>,
    updated_by: &str,
) -> anyhow::Result<bool> {
    let changed = conn.execute(
        "UPDATE dashboards SET title = ?1, description = ?2, panels = ?3, owner = ?4,
         access_mode = ?5, updated_by = ?6, updated_at = ?7, version = version + 1
         WHERE space = ?8 AND id = ?9",
        params![
            content.title,
            content.description,
            serde_json::to_string(&content.panels)?,
            access.map(|a| a.owner.as_str()),
            access.map(|a| a.access_mode.as_str()),
            updated_by,
            db::now_millis(),
            space,
            id
        ],
    )?;
    Ok(changed == 1)
}

/// What a dashboard references, in order (docs/saved-objects.md, "References").
pub fn references(conn: &Connection, space: &str, id: &str) -> rusqlite::Result<Vec<Reference>> {
    conn.prepare_cached(
        "SELECT name, ref_type, ref_id FROM dashboard_references
         WHERE space = ?1 AND id = ?2 ORDER BY position",
    )?
    .query_map(params![space, id], |row| {
        Ok(Reference {
            name: row.get(0)?,
            object_type: row.get(1)?,
            id: row.get(2)?,
        })
    })?
    .collect()
}

/// Replaces what a dashboard references.
pub fn set_references(
    conn: &Connection,
    space: &str,
    id: &str,
    references: &[Reference],
) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM dashboard_references WHERE space = ?1 AND id = ?2")?
        .execute(params![space, id])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO dashboard_references (space, id, position, name, ref_type, ref_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (position, reference) in references.iter().enumerate() {
        insert.execute(params![
            space,
            id,
            i64::try_from(position).unwrap_or(i64::MAX),
            reference.name,
            reference.object_type,
            reference.id
        ])?;
    }
    Ok(())
}

/// Whether a dashboard with this id is in the space.
pub fn exists(conn: &Connection, space: &str, id: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS(SELECT 1 FROM dashboards WHERE space = ?1 AND id = ?2)")?
        .query_row(params![space, id], |r| r.get(0))
}

/// Sets owner and mode, bumping the version.
pub fn set_access(
    conn: &Connection,
    space: &str,
    id: &str,
    access: &AccessControl,
    updated_by: &str,
) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE dashboards SET owner = ?1, access_mode = ?2, updated_by = ?3, updated_at = ?4,
         version = version + 1 WHERE space = ?5 AND id = ?6",
        params![
            access.owner,
            access.access_mode.as_str(),
            updated_by,
            db::now_millis(),
            space,
            id
        ],
    )
}

pub fn delete(conn: &Connection, space: &str, id: &str) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "DELETE FROM dashboards WHERE space = ?1 AND id = ?2",
        params![space, id],
    )? == 1)
}

/// Does anyone with this profile own a dashboard in the space?
pub fn owns_any(conn: &Connection, space: &str, profile_uid: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS(SELECT 1 FROM dashboards WHERE space = ?1 AND owner = ?2)")?
        .query_row(params![space, profile_uid], |r| r.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::db::Db;

    fn panel(id: &str, title: &str, panel_type: &str) -> Panel {
        Panel {
            id: id.into(),
            title: title.into(),
            panel_type: panel_type.into(),
            description: None,
            query: None,
        }
    }

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(like_pattern("50%_off"), "%50\\%\\_off%");
        assert_eq!(like_pattern("a\\b"), "%a\\\\b%");
        assert_eq!(like_pattern(""), "%%");
        assert_eq!(like_pattern("it's"), "%it's%");
    }

    #[test]
    fn content_validation() {
        let ok = validate_content(DashboardData {
            title: "  SOC  ".into(),
            panels: vec![panel("", "A", "metric"), panel("p2", "B", "line")],
            ..DashboardData::default()
        })
        .unwrap();
        assert_eq!(ok.title, "SOC");
        assert!(!ok.panels[0].id.is_empty());
        let bad = |data: DashboardData| validate_content(data).unwrap_err();
        assert!(bad(DashboardData::default()).starts_with("data.title"));
        assert!(bad(DashboardData {
            title: "x".repeat(MAX_TITLE_CHARS + 1),
            ..DashboardData::default()
        })
        .starts_with("data.title"));
        assert!(bad(DashboardData {
            title: "T".into(),
            panels: vec![panel("a", "A", "metric"), panel("a", "B", "line")],
            ..DashboardData::default()
        })
        .contains("duplicate"));
        assert!(bad(DashboardData {
            title: "T".into(),
            panels: vec![panel("a", "A", "<script>")],
            ..DashboardData::default()
        })
        .starts_with("data.panels.0.type"));
        let with_query = |panel_type: &str, query: &str| Panel {
            query: Some(serde_json::from_str(query).expect("a query")),
            ..panel("q", "Q", panel_type)
        };
        let refused = bad(DashboardData {
            title: "T".into(),
            panels: vec![
                panel("a", "A", "markdown"),
                with_query("bar", r#"{"source":"leads","groupBy":"foo"}"#),
            ],
            ..DashboardData::default()
        });
        assert_eq!(
            refused,
            "data.panels.1.query.groupBy: leads cannot be grouped by [foo]; use one of status, priority, entityType, entity"
        );
        assert!(bad(DashboardData {
            title: "T".into(),
            panels: vec![with_query("lens", r#"{"source":"leads"}"#)],
            ..DashboardData::default()
        })
        .starts_with("data.panels.0.query: a [lens] panel"));
        assert!(validate_content(DashboardData {
            title: "T".into(),
            panels: vec![with_query("line", r#"{"source":"leads","interval":"day"}"#)],
            ..DashboardData::default()
        })
        .is_ok());
    }

    #[test]
    fn client_ids() {
        assert!(valid_id("soc-overview"));
        assert!(valid_id("a.b:c_d"));
        assert!(!valid_id("_bulk_update"));
        assert!(!valid_id("a/b"));
        assert!(!valid_id(""));
        assert!(!valid_id(&"a".repeat(MAX_ID_CHARS + 1)));
    }

    #[test]
    fn storage_round_trip_search_and_versions() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("db.sqlite")).unwrap();
        db.write_blocking(|conn| {
            for (i, title) in ["50% done", "500 errors", "a_b", "axb", "It's fine", "Zeta"]
                .iter()
                .enumerate()
            {
                insert(
                    conn,
                    &StoredDashboard {
                        space: "default".into(),
                        id: format!("d{i}"),
                        content: Content {
                            title: title.to_string(),
                            ..Content::default()
                        },
                        access: (i % 2 == 0).then(|| AccessControl {
                            owner: "u_alice_0".into(),
                            access_mode: DashboardAccessMode::WriteRestricted,
                        }),
                        created_by: None,
                        updated_by: None,
                        created_at: 0,
                        updated_at: 0,
                        version: 1,
                    },
                )?;
            }
            let titles = |search: &str| -> Vec<String> {
                find(conn, "default", search, 1, 100)
                    .unwrap()
                    .0
                    .into_iter()
                    .map(|d| d.content.title)
                    .collect()
            };
            assert_eq!(titles("%"), vec!["50% done"]);
            assert_eq!(titles("_"), vec!["a_b"]);
            assert_eq!(titles("'"), vec!["It's fine"]);
            assert_eq!(titles("ZETA"), vec!["Zeta"]);
            assert_eq!(titles("").len(), 6);
            assert!(find(conn, "other", "", 1, 100).unwrap().0.is_empty());
            let (page, total) = find(conn, "default", "", 2, 4).unwrap();
            assert_eq!((page.len(), total), (2, 6));

            let d0 = get(conn, "default", "d0")?.unwrap();
            assert_eq!(d0.owner(), Some("u_alice_0"));
            assert_eq!(get(conn, "default", "d1")?.unwrap().access, None);
            let content = Content {
                title: "New".into(),
                ..Content::default()
            };
            assert!(replace_content(
                conn, "default", "d0", 1, &content, "u_bob_0"
            )?);
            assert!(!replace_content(
                conn, "default", "d0", 1, &content, "u_bob_0"
            )?);
            let d0 = get(conn, "default", "d0")?.unwrap();
            assert_eq!((d0.version, d0.content.title.as_str()), (2, "New"));
            let api = d0.to_api();
            assert_eq!(api.owner(), Some("u_alice_0"));
            assert_eq!(api.version(), Some("2"));
            assert!(delete(conn, "default", "d0")?);
            assert!(!delete(conn, "default", "d0")?);
            Ok(())
        })
        .unwrap();
    }
}
