//! The apps of the header's nav, in order: the SPA's nav and the server's first paint of a page
//! (`server/src/leads/first_paint.rs`) draw the same links from this one list.

use crate::security::Capabilities;

pub const ENTITY_ANALYTICS_PATH: &str = "/app/security/entity_analytics";
pub const DASHBOARDS_PATH: &str = "/app/dashboards";
pub const DEV_TOOLS_PATH: &str = "/app/dev_tools";
pub const MANAGEMENT_PATH: &str = "/app/management";
pub const SEARCH_APP_PATH: &str = "/app/search";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppLink {
    pub href: &'static str,
    pub label: &'static str,
    /// The capability (`navLinks.<id>`) that shows the link.
    pub nav_link: &'static str,
}

pub const APP_LINKS: [AppLink; 5] = [
    AppLink {
        href: ENTITY_ANALYTICS_PATH,
        label: "Entity analytics",
        nav_link: "securitySolutionUI",
    },
    AppLink {
        href: DASHBOARDS_PATH,
        label: "Dashboards",
        nav_link: "dashboards",
    },
    AppLink {
        href: DEV_TOOLS_PATH,
        label: "Dev Tools",
        nav_link: "dev_tools",
    },
    AppLink {
        href: MANAGEMENT_PATH,
        label: "Management",
        nav_link: "management",
    },
    // Last, so the first app a user may open (their home) is unchanged for existing users.
    AppLink {
        href: SEARCH_APP_PATH,
        label: "Search",
        nav_link: crate::search::APP_ID,
    },
];

/// The links `capabilities` shows, in nav order.
pub fn visible_apps(capabilities: &Capabilities) -> impl Iterator<Item = &'static AppLink> + '_ {
    APP_LINKS
        .iter()
        .filter(|app| capabilities.nav_link(app.nav_link))
}

/// "5 minutes ago" for a time `seconds` in the past (a time in the future reads "just now").
pub fn relative_time_text(seconds: u64) -> String {
    let (value, unit) = match seconds {
        0..=44 => return "just now".into(),
        45..=3_599 => (seconds.div_ceil(60), "minute"),
        3_600..=86_399 => (seconds / 3_600, "hour"),
        _ => (seconds / 86_400, "day"),
    };
    let plural = if value == 1 { "" } else { "s" };
    format!("{value} {unit}{plural} ago")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_time_reads_like_kibana_at_each_unit_boundary() {
        for (seconds, text) in [
            (0, "just now"),
            (44, "just now"),
            (45, "1 minute ago"),
            (61, "2 minutes ago"),
            (3_599, "60 minutes ago"),
            (3_600, "1 hour ago"),
            (86_399, "23 hours ago"),
            (86_400, "1 day ago"),
            (3 * 86_400, "3 days ago"),
        ] {
            assert_eq!(relative_time_text(seconds), text, "{seconds} s");
        }
    }

    #[test]
    fn only_the_apps_the_capabilities_grant_are_listed_in_nav_order() {
        let capabilities: Capabilities = serde_json::from_value(serde_json::json!({
            "navLinks": { "workplaceSearch": true, "securitySolutionUI": true, "dashboards": false }
        }))
        .unwrap();
        let labels: Vec<_> = visible_apps(&capabilities).map(|a| a.label).collect();
        assert_eq!(labels, ["Entity analytics", "Search"]);
    }
}
