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
    panels: &'static [(&'static str, &'static str, &'static str)],
}

const DEMO_DASHBOARDS: &[DemoDashboard] = &[
    DemoDashboard {
        space: crate::platform::kibana::DEFAULT_SPACE,
        id: "soc-overview",
        title: "SOC overview",
        description: "Alert volume and response times across the security operations center.",
        owner: Some("alice"),
        mode: DashboardAccessMode::WriteRestricted,
        panels: &[
            ("Open alerts", "metric", "Alerts not yet acknowledged."),
            ("Alerts by severity", "bar", "Last 24 hours."),
            ("Top noisy rules", "table", "Rules that fired most this week."),
            ("Mean time to acknowledge", "line", "Daily, last 30 days."),
        ],
    },
    DemoDashboard {
        space: crate::platform::kibana::DEFAULT_SPACE,
        id: "phishing-triage",
        title: "Phishing triage",
        description: "Reported emails and the triage backlog.",
        owner: Some("bob"),
        mode: DashboardAccessMode::Default,
        panels: &[
            ("Reported emails today", "metric", "User reports since midnight."),
            ("Reports by sender domain", "table", "Top 20 domains."),
            ("Triage backlog", "line", "Untriaged reports per hour."),
        ],
    },
    DemoDashboard {
        space: crate::platform::kibana::DEFAULT_SPACE,
        id: "executive-risk-summary",
        title: "Executive risk summary",
        description: "Risk posture for the leadership report.",
        owner: Some("elastic"),
        mode: DashboardAccessMode::WriteRestricted,
        panels: &[
            ("Overall risk score", "metric", "Weighted across all entities."),
            ("Risk trend (30 days)", "line", "Daily average risk score."),
            ("Riskiest business units", "table", "By summed entity risk."),
        ],
    },
    DemoDashboard {
        space: crate::platform::kibana::DEFAULT_SPACE,
        id: "endpoint-health",
        title: "Endpoint health",
        description: "Agent coverage and isolation status.",
        owner: Some("alice"),
        mode: DashboardAccessMode::Default,
        panels: &[
            ("Agents offline", "metric", "No check-in for 24 hours."),
            ("Agent versions", "bar", "Installed agent versions."),
            ("Isolated hosts", "table", "Hosts currently network-isolated."),
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
            ("Bytes out by host", "line", "Egress volume per host."),
            ("Blocked connections", "metric", "Firewall denies, last hour."),
        ],
    },
    DemoDashboard {
        space: crate::seed::EMEA_SPACE,
        id: "emea-incidents",
        title: "EMEA incidents",
        description: "Open incidents and on-call load for the EMEA security team.",
        owner: Some("emea_analyst"),
        mode: DashboardAccessMode::WriteRestricted,
        panels: &[
            ("Open incidents by country", "map", "Incidents not yet closed, by country."),
            ("On-call pages", "line", "Pages per shift, last 14 days."),
        ],
    },
    DemoDashboard {
        space: crate::seed::EMEA_SPACE,
        id: "emea-phishing",
        title: "EMEA phishing reports",
        description: "User-reported phishing across EMEA mailboxes.",
        owner: None,
        mode: DashboardAccessMode::Default,
        panels: &[("Reports per day", "bar", "Last 30 days.")],
    },
];

/// Seeds the demo dashboards into the default space when no dashboard exists yet. Owners that
/// are not users (a database seeded without them) leave the dashboard ownerless.
pub fn seed_dashboards(db: &Db) -> anyhow::Result<bool> {
    db.write_blocking(|conn| {
        let tx = conn.transaction()?;
        let existing: i64 = tx.query_row("SELECT COUNT(*) FROM dashboards", [], |r| r.get(0))?;
        if existing > 0 {
            return Ok(false);
        }
        let now = db::now_millis();
        for demo in DEMO_DASHBOARDS {
            let owner = match demo.owner {
                Some(username) => {
                    crate::admin::user_store::get_user(&tx, username)?.map(|u| u.profile_uid)
                }
                None => None,
            };
            let access = owner.clone().map(|owner| AccessControl {
                owner,
                access_mode: demo.mode,
            });
            insert(
                &tx,
                &StoredDashboard {
                    space: demo.space.into(),
                    id: demo.id.into(),
                    content: Content {
                        title: demo.title.into(),
                        description: demo.description.into(),
                        panels: demo
                            .panels
                            .iter()
                            .enumerate()
                            .map(|(i, (title, panel_type, description))| Panel {
                                id: format!("panel-{}", i + 1),
                                title: title.to_string(),
                                panel_type: panel_type.to_string(),
                                description: Some(description.to_string()),
                                query: None,
                            })
                            .collect(),
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
        tx.commit()?;
        tracing::info!(count = DEMO_DASHBOARDS.len(), "seeded demo dashboards");
        Ok(true)
    })
}
