//! What a screen reader hears of a status change: the words the SPA's one polite live region
//! (the toast region, `src/components/toasts.rs`) says besides the toasts it shows, and the
//! tab's title of each page. Pure, so the choices are tested natively; the SPA only writes
//! the text into the region.
//!
//! A new toast is heard as it is added to the region, so only what no toast says goes through
//! here: a page opened without a reload, a toast that happened again (its visible count changes,
//! which alone would be read as "×2"), and a generation run starting (the button's label changes,
//! which a screen reader does not read out; the outcome comes as a toast).

use crate::toasts::{Toast, ToastKind};

/// The product's name, last in every tab title.
pub const APP_NAME: &str = "Gatehouse";

/// Said when a generation run starts, before the server has answered.
pub const GENERATION_STARTED: &str = "Generating leads…";

/// The tab's title while `page` is shown: the page first, so a list of tabs tells them apart.
pub fn document_title(page: &str) -> String {
    if page.is_empty() {
        APP_NAME.to_string()
    } else {
        format!("{page} - {APP_NAME}")
    }
}

/// A change a screen-reader user would otherwise miss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange<'a> {
    /// The router showed the page named `page` without a reload.
    PageOpened { page: &'a str },
    /// A toast already on screen happened again.
    ToastRepeated(&'a Toast),
    /// The user started a lead generation run.
    GenerationStarted,
}

/// The words for `change`.
pub fn announcement(change: StatusChange<'_>) -> String {
    match change {
        StatusChange::PageOpened { page } => page.to_string(),
        StatusChange::ToastRepeated(toast) => {
            let kind = match toast.kind {
                ToastKind::Error => "Error again",
                ToastKind::Warning => "Warning again",
                ToastKind::Success => "Again",
            };
            if toast.text.is_empty() {
                format!("{kind}: {}", toast.title)
            } else {
                format!("{kind}: {}. {}", toast.title, toast.text)
            }
        }
        StatusChange::GenerationStarted => GENERATION_STARTED.to_string(),
    }
}

/// A page change after the first page of a load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Navigated {
    /// What the live region says: the new page's name (`None` for a page that only sends the
    /// user on, and so has no name).
    pub say: Option<String>,
}

/// Decides when a page change counts: not the first page of a load (a screen reader reads a
/// newly loaded document by itself, and focus starts at its top), nor a redirect from a page
/// without a name at the start of a load; once for each new path, and not again for the same
/// path (a changed query string, a page drawn again).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteAnnouncer {
    shown: Option<String>,
}

impl RouteAnnouncer {
    /// The page at `path` (without its query) is shown, named `page`: `Some` when this is a
    /// navigation the user should be told of (and focus should follow: see the SPA's
    /// `PageAnnouncer`).
    pub fn page_shown(&mut self, path: &str, page: &str) -> Option<Navigated> {
        let first = self.shown.is_none();
        if first && page.is_empty() {
            // A page that only sends the user on (`/` to their first app) at the start of a load
            // is still the load: the page it sends to is the first one.
            return None;
        }
        if self.shown.as_deref() == Some(path) {
            return None;
        }
        self.shown = Some(path.to_string());
        (!first).then(|| Navigated {
            say: (!page.is_empty()).then(|| announcement(StatusChange::PageOpened { page })),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toast(kind: ToastKind, title: &str, text: &str) -> Toast {
        Toast {
            id: 1,
            kind,
            title: title.into(),
            text: text.into(),
            count: 2,
            why: None,
        }
    }

    #[test]
    fn the_tab_title_names_the_page_then_the_product() {
        assert_eq!(document_title("Roles"), "Roles - Gatehouse");
        assert_eq!(document_title(""), "Gatehouse");
    }

    fn said(words: &str) -> Option<Navigated> {
        Some(Navigated {
            say: Some(words.to_string()),
        })
    }

    #[test]
    fn the_first_page_of_a_load_is_not_said_and_each_new_page_is_said_once() {
        let mut announcer = RouteAnnouncer::default();
        assert_eq!(announcer.page_shown("/app/dashboards", "Dashboards"), None);
        assert_eq!(
            announcer.page_shown("/app/management/security/roles", "Roles"),
            said("Roles")
        );
        assert_eq!(
            announcer.page_shown("/app/management/security/roles", "Roles"),
            None,
            "the same path again (a query change) is not said twice"
        );
        assert_eq!(
            announcer.page_shown("/app/dashboards", "Dashboards"),
            said("Dashboards"),
            "coming back to a page is a change"
        );
    }

    #[test]
    fn a_load_that_starts_on_a_page_sending_the_user_on_starts_at_the_page_it_sends_to() {
        let mut announcer = RouteAnnouncer::default();
        assert_eq!(announcer.page_shown("/", ""), None);
        assert_eq!(
            announcer.page_shown("/app/security/entity_analytics", "Entity analytics"),
            None,
            "opening `/` is not a navigation to the first app"
        );
        assert_eq!(
            announcer.page_shown("/app/dashboards", "Dashboards"),
            said("Dashboards")
        );
    }

    #[test]
    fn a_page_without_a_name_is_a_navigation_with_nothing_to_say() {
        let mut announcer = RouteAnnouncer::default();
        announcer.page_shown("/login", "Sign in");
        assert_eq!(
            announcer.page_shown("/", ""),
            Some(Navigated { say: None }),
            "signing in passes through `/`, which sends the user on"
        );
        assert_eq!(
            announcer.page_shown("/app/search", "Search"),
            said("Search")
        );
    }

    #[test]
    fn a_repeated_toast_is_said_whole_with_its_kind() {
        assert_eq!(
            announcement(StatusChange::ToastRepeated(&toast(
                ToastKind::Error,
                "Failed to fetch hunting leads",
                "boom (403)"
            ))),
            "Error again: Failed to fetch hunting leads. boom (403)"
        );
        assert_eq!(
            announcement(StatusChange::ToastRepeated(&toast(
                ToastKind::Success,
                "Lead dismissed",
                ""
            ))),
            "Again: Lead dismissed"
        );
        assert_eq!(
            announcement(StatusChange::ToastRepeated(&toast(
                ToastKind::Warning,
                "Your privileges changed",
                "An administrator changed your roles."
            ))),
            "Warning again: Your privileges changed. An administrator changed your roles."
        );
    }

    #[test]
    fn starting_a_generation_is_said_before_the_server_answers() {
        assert_eq!(
            announcement(StatusChange::GenerationStarted),
            "Generating leads…"
        );
    }
}
