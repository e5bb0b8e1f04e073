//! Demo data seeded on first start: the users and roles of ARCHITECTURE.md.

pub(crate) mod dashboards;
pub(crate) mod entities;
pub(crate) mod runbooks;

use gatehouse_api::admin::{IndexPrivileges, RoleDescriptor};
use gatehouse_api::leads::LEADS_INDEX_PATTERN;
use gatehouse_api::security::KIBANA_APPLICATION;
use rusqlite::Transaction;
use serde_json::json;

use crate::admin::roles;
use crate::admin::user_store::{self as users, NewUser};
use crate::authz::{self, app_grant};
use crate::platform::db::Db;

pub const DEMO_PASSWORD: &str = "changeme";

pub struct DemoUser {
    pub username: &'static str,
    pub full_name: Option<&'static str>,
    pub roles: &'static [&'static str],
}

pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        username: "elastic",
        full_name: None,
        roles: &["superuser"],
    },
    DemoUser {
        username: "leads_full_user",
        full_name: None,
        roles: &["kibana_admin", "leads_full_access"],
    },
    DemoUser {
        username: "leads_read_user",
        full_name: None,
        roles: &["kibana_admin", "leads_read_only"],
    },
    DemoUser {
        username: "leads_no_access_user",
        full_name: None,
        roles: &["kibana_admin"],
    },
    DemoUser {
        username: "alice",
        full_name: Some("Alice Analyst"),
        roles: &["dashboard_editor"],
    },
    DemoUser {
        username: "bob",
        full_name: Some("Bob Responder"),
        roles: &["dashboard_editor"],
    },
    DemoUser {
        username: "victor",
        full_name: Some("Victor Viewer"),
        roles: &["dashboard_viewer"],
    },
    DemoUser {
        username: "emea_analyst",
        full_name: Some("Emma EMEA Analyst"),
        roles: &["soc_emea_analyst"],
    },
];

/// The second demo space: the EMEA team's leads and dashboards.
pub const EMEA_SPACE: &str = "soc-emea";

pub fn emea_space() -> gatehouse_api::spaces::Space {
    gatehouse_api::spaces::Space {
        description: Some("Leads and dashboards of the EMEA security team.".into()),
        color: Some("#6092c0".into()),
        initials: Some("EM".into()),
        ..gatehouse_api::spaces::Space::named(EMEA_SPACE, "SOC EMEA")
    }
}

fn index_role(names: &[&str], privileges: &[&str]) -> RoleDescriptor {
    RoleDescriptor {
        indices: vec![IndexPrivileges {
            names: names.iter().map(|s| s.to_string()).collect(),
            privileges: privileges.iter().map(|s| s.to_string()).collect(),
            ..IndexPrivileges::default()
        }],
        metadata: json!({}),
        ..RoleDescriptor::default()
    }
}

fn kibana_role(privileges: &[&str], resources: &[&str]) -> RoleDescriptor {
    RoleDescriptor {
        applications: vec![app_grant(KIBANA_APPLICATION, privileges, resources)],
        metadata: json!({}),
        ..RoleDescriptor::default()
    }
}

pub fn demo_roles() -> Vec<(&'static str, RoleDescriptor)> {
    vec![
        (
            "leads_full_access",
            index_role(&[LEADS_INDEX_PATTERN], &["read", "write", "create_index"]),
        ),
        (
            "leads_read_only",
            index_role(&[LEADS_INDEX_PATTERN], &["read"]),
        ),
        (
            "dashboard_editor",
            kibana_role(&["feature_dashboard.all"], &["space:default"]),
        ),
        (
            "dashboard_viewer",
            kibana_role(&["feature_dashboard.read"], &["space:default"]),
        ),
        (
            "soc_emea_analyst",
            RoleDescriptor {
                indices: index_role(&[LEADS_INDEX_PATTERN], &["read", "write", "create_index"])
                    .indices,
                applications: vec![
                    app_grant(
                        KIBANA_APPLICATION,
                        &["feature_securitySolution.all", "feature_dashboard.all"],
                        &[&format!("space:{EMEA_SPACE}")],
                    ),
                    app_grant(
                        KIBANA_APPLICATION,
                        &["feature_securitySolution.read"],
                        &["space:default"],
                    ),
                ],
                ..RoleDescriptor::default()
            },
        ),
    ]
}

/// Runs `seed` in one transaction when `table` is still empty (a first start, or a database
/// that never had this data); returns whether it seeded. The check and the writes share the
/// transaction, so two starts never seed twice.
pub(crate) fn seed_empty_table(
    db: &Db,
    table: &'static str,
    seed: impl FnOnce(&Transaction<'_>) -> anyhow::Result<()>,
) -> anyhow::Result<bool> {
    db.write_blocking(|conn| {
        let tx = conn.transaction()?;
        let existing: bool =
            tx.query_row(&format!("SELECT EXISTS(SELECT 1 FROM {table})"), [], |r| {
                r.get(0)
            })?;
        if existing {
            return Ok(false);
        }
        seed(&tx)?;
        tx.commit()?;
        Ok(true)
    })
}

/// Seeds users and roles when the users table is empty. Returns whether it seeded.
pub fn seed_users(db: &Db) -> anyhow::Result<bool> {
    runbooks::seed_runbooks(db)?;
    if db.write_blocking(|conn| Ok(users::count_users(conn)?))? > 0 {
        return Ok(false);
    }
    // Hash outside the write lock: argon2 is deliberately slow. Each user gets its own salt.
    let hashes = std::thread::scope(|scope| {
        let handles: Vec<_> = DEMO_USERS
            .iter()
            .map(|_| scope.spawn(|| crate::platform::password::hash_password(DEMO_PASSWORD)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|_| anyhow::anyhow!("hashing thread panicked"))?
            })
            .collect::<anyhow::Result<Vec<String>>>()
    })?;
    let seeded = seed_empty_table(db, "users", |tx| {
        for (name, role) in demo_roles() {
            if authz::reserved_role(name).is_none() {
                roles::store_role(tx, name, &role)?;
            }
        }
        crate::spaces::store::insert(tx, &emea_space())?;
        for (user, hash) in DEMO_USERS.iter().zip(hashes) {
            users::insert_user(
                tx,
                &NewUser {
                    username: user.username,
                    password_hash: hash,
                    full_name: user.full_name,
                    email: None,
                    roles: user.roles,
                },
            )?;
        }
        Ok(())
    })?;
    if seeded {
        // The EMEA space starts with leads of its own; default starts empty ("No leads yet").
        db.write_blocking(|conn| crate::leads::insert_synthetic_leads(conn, EMEA_SPACE, 40, 7))?;
        let names: Vec<&str> = DEMO_USERS.iter().map(|u| u.username).collect();
        tracing::info!(
            "seeded demo users [{}], all with password \"{DEMO_PASSWORD}\": change them before exposing this server",
            names.join(", ")
        );
    }
    Ok(seeded)
}
