//! Spaces (docs/spaces.md): stored in SQLite, kept in memory for the per-request checks (every API
//! request in `/s/{id}` looks its space up), and deleted with everything stored in them.

use std::collections::BTreeMap;
use std::sync::RwLock;

use gatehouse_api::leads::leads_index;
use gatehouse_api::security::KIBANA_APPLICATION;
use gatehouse_api::spaces::{Space, DEFAULT_SPACE_ID};
use rusqlite::{params, Connection, Transaction};

use crate::authz::{self, Subject, SPACE_MANAGE_ACTION};

/// The spaces, as the last committed write left them.
#[derive(Debug, Default)]
pub struct Registry {
    spaces: RwLock<BTreeMap<String, Space>>,
}

impl Registry {
    pub fn load(conn: &Connection) -> anyhow::Result<Self> {
        let registry = Registry::default();
        registry.replace_all(list(conn)?);
        Ok(registry)
    }

    fn replace_all(&self, spaces: Vec<Space>) {
        let mut map = self.spaces.write().unwrap_or_else(|e| e.into_inner());
        *map = spaces.into_iter().map(|s| (s.id.clone(), s)).collect();
    }

    pub fn get(&self, id: &str) -> Option<Space> {
        self.spaces
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }

    pub fn all(&self) -> Vec<Space> {
        let mut all: Vec<Space> = self
            .spaces
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect();
        all.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then(a.id.cmp(&b.id))
        });
        all
    }

    pub fn put(&self, space: Space) {
        self.spaces
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(space.id.clone(), space);
    }

    pub fn remove(&self, id: &str) {
        self.spaces
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }
}

/// May create, update and delete spaces: the global `all` base privilege (`space:manage` on `*`).
pub fn may_manage_spaces(subject: &Subject) -> bool {
    authz::application_grants(subject, KIBANA_APPLICATION, "*").allows(SPACE_MANAGE_ACTION)
}

/// The spaces a subject may enter, sorted by name.
pub fn enterable(subject: &Subject, registry: &Registry) -> Vec<Space> {
    registry
        .all()
        .into_iter()
        .filter(|s| authz::is_space_member(subject, &s.id))
        .collect()
}

/// The stored form drops `_reserved`: only `default` is reserved, whatever a body says.
fn stored(space: &Space) -> Space {
    Space {
        reserved: None,
        ..space.clone()
    }
}

fn with_reserved(mut space: Space) -> Space {
    space.reserved = (space.id == DEFAULT_SPACE_ID).then_some(true);
    space
}

pub fn list(conn: &Connection) -> anyhow::Result<Vec<Space>> {
    let mut stmt = conn.prepare("SELECT body FROM spaces ORDER BY id")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for body in rows {
        out.push(with_reserved(serde_json::from_str(&body?)?));
    }
    Ok(out)
}

pub fn insert(tx: &Transaction<'_>, space: &Space) -> anyhow::Result<bool> {
    let changed = tx.execute(
        "INSERT INTO spaces (id, body, created_at) VALUES (?1, ?2, ?3) ON CONFLICT(id) DO NOTHING",
        params![
            space.id,
            serde_json::to_string(&stored(space))?,
            crate::platform::db::now_secs()
        ],
    )?;
    Ok(changed == 1)
}

pub fn update(tx: &Transaction<'_>, space: &Space) -> anyhow::Result<bool> {
    let changed = tx.execute(
        "UPDATE spaces SET body = ?2 WHERE id = ?1",
        params![space.id, serde_json::to_string(&stored(space))?],
    )?;
    Ok(changed == 1)
}

/// What deleting a space removed, for the audit event and the confirmation.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Deleted {
    pub leads: usize,
    pub dashboards: usize,
}

/// Deletes a space and everything stored in it (leads, lead status, dashboards), in the caller's
/// transaction so it is all or nothing.
pub fn delete(tx: &Transaction<'_>, id: &str) -> anyhow::Result<Option<Deleted>> {
    let index = leads_index(id);
    let leads = tx.execute("DELETE FROM leads WHERE index_name = ?1", [&index])?;
    tx.execute("DELETE FROM lead_indices WHERE index_name = ?1", [&index])?;
    tx.execute("DELETE FROM lead_status WHERE space = ?1", [id])?;
    let dashboards = tx.execute("DELETE FROM dashboards WHERE space = ?1", [id])?;
    let removed = tx.execute("DELETE FROM spaces WHERE id = ?1", [id])?;
    Ok((removed == 1).then_some(Deleted { leads, dashboards }))
}

/// The feature a bare API path belongs to, for `disabledFeatures` (its routes answer 404 in a
/// space where it is disabled, even for a superuser).
pub fn feature_of_path(path: &str) -> Option<&'static str> {
    if path.starts_with("/internal/entity_analytics/") {
        Some("securitySolution")
    } else if crate::platform::kibana::is_dashboards_path(path)
        || path.starts_with("/internal/access_control/")
        || path.starts_with("/internal/gatehouse/panels/")
    {
        Some("dashboard")
    } else if path.starts_with("/api/console/") {
        Some("dev_tools")
    } else if path.starts_with("/api/ws/") {
        Some(gatehouse_api::search::FEATURE_ID)
    } else if path.starts_with("/api/security/role") || path.starts_with("/internal/security/users")
    {
        Some("management")
    } else {
        None
    }
}

/// Turns a disabled feature's capabilities off: its nav links, catalogue entries and section.
pub fn apply_disabled_features(
    capabilities: &mut BTreeMap<String, serde_json::Value>,
    space: &Space,
) {
    for feature in authz::FEATURES
        .iter()
        .filter(|f| space.is_feature_disabled(f.id))
    {
        if let Some(nav) = capabilities
            .get_mut("navLinks")
            .and_then(|v| v.as_object_mut())
        {
            for app in feature.app {
                nav.insert(app.to_string(), serde_json::Value::Bool(false));
            }
        }
        if let Some(catalogue) = capabilities
            .get_mut("catalogue")
            .and_then(|v| v.as_object_mut())
        {
            for entry in feature.catalogue {
                catalogue.insert(entry.to_string(), serde_json::Value::Bool(false));
            }
        }
        if let Some(section) = capabilities
            .get_mut(feature.id)
            .and_then(|v| v.as_object_mut())
        {
            for value in section.values_mut() {
                *value = serde_json::Value::Bool(false);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_their_features() {
        assert_eq!(
            feature_of_path("/internal/entity_analytics/leads"),
            Some("securitySolution")
        );
        assert_eq!(
            feature_of_path("/api/dashboards/dashboard"),
            Some("dashboard")
        );
        assert_eq!(feature_of_path("/api/console/proxy"), Some("dev_tools"));
        assert_eq!(feature_of_path("/api/spaces/space"), None);
        assert_eq!(feature_of_path("/internal/security/me"), None);
    }

    #[test]
    fn disabled_features_switch_capabilities_off_even_for_superusers() {
        let root = Subject {
            username: "elastic".into(),
            role_names: vec!["superuser".into()],
            roles: authz::reserved_role(authz::SUPERUSER).into_iter().collect(),
        };
        let mut caps = authz::capabilities(&root, "soc");
        let space = Space {
            id: "soc".into(),
            name: "SOC".into(),
            disabled_features: vec!["dev_tools".into()],
            ..Space::default_space()
        };
        apply_disabled_features(&mut caps, &space);
        assert_eq!(caps["navLinks"]["dev_tools"], false);
        assert_eq!(caps["dev_tools"]["show"], false);
        assert_eq!(caps["navLinks"]["dashboards"], true);
    }
}
