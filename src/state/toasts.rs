//! Toast context: pages push, the always-mounted region renders.

use gatehouse_api::access::Requirement;
use gatehouse_api::announce::{announcement, StatusChange};
use gatehouse_api::toasts::{ToastKind, ToastList};
use gatehouse_api::ApiError;
use leptos::prelude::*;

/// Every page works in the default space until spaces land.
const CURRENT_SPACE: &str = "default";

#[derive(Clone, Copy)]
pub struct Toasts {
    pub list: RwSignal<ToastList>,
    /// The requirement the "Why?" dialog explains; any page or toast may set it.
    pub why: RwSignal<Option<Requirement>>,
    /// The last words the region says besides its toasts (`gatehouse_api::announce`), numbered
    /// so the same words said twice are two additions a screen reader reads twice.
    pub announcement: RwSignal<Option<(u64, String)>>,
}

pub fn expect_toasts() -> Toasts {
    expect_context::<Toasts>()
}

impl Toasts {
    pub fn new() -> Self {
        Self {
            list: RwSignal::new(ToastList::default()),
            why: RwSignal::new(None),
            announcement: RwSignal::new(None),
        }
    }

    pub fn push(&self, kind: ToastKind, title: &str, text: &str) -> u64 {
        let mut id = 0;
        let mut repeated = None;
        self.list.update(|list| {
            id = list.push(kind, title, text);
            repeated = list
                .toasts()
                .iter()
                .find(|toast| toast.id == id && toast.count > 1)
                .map(|toast| announcement(StatusChange::ToastRepeated(toast)));
        });
        if let Some(words) = repeated {
            self.announce(words);
        }
        id
    }

    /// Has the one polite live region (the toast region) say `words`.
    pub fn announce(&self, words: impl Into<String>) {
        let words = words.into();
        self.announcement
            .update(|last| *last = Some((last.as_ref().map_or(1, |(n, _)| n + 1), words)));
    }

    pub fn success(&self, title: &str, text: &str) {
        self.push(ToastKind::Success, title, text);
    }

    pub fn warning(&self, title: &str, text: &str) {
        self.push(ToastKind::Warning, title, text);
    }

    pub fn error(&self, title: &str, text: &str) {
        self.push(ToastKind::Error, title, text);
    }

    /// Kibana's toast text for a failed call: `"<message> (<status>)"`; a denial whose message
    /// names the missing privilege gets a "Why?".
    /// Says how a write went: `done` (title, text) as a success toast and then `then`, or
    /// `failed` with the server's reason. `true` when the write succeeded.
    pub fn report_write(
        &self,
        result: Result<(), ApiError>,
        done: (&str, &str),
        failed: &str,
        then: Callback<()>,
    ) -> bool {
        match result {
            Ok(()) => {
                self.success(done.0, done.1);
                then.run(());
                true
            }
            Err(error) => {
                self.api_error(failed, &error);
                false
            }
        }
    }

    pub fn api_error(&self, title: &str, error: &ApiError) {
        let id = self.push(ToastKind::Error, title, &error.toast_text());
        if error.status == 403 {
            if let Some(requirement) =
                Requirement::from_denial_message(&error.message, CURRENT_SPACE)
            {
                self.list.update(|list| list.explain(id, requirement));
            }
        }
    }

    /// Opens the "Why?" dialog for a requirement.
    pub fn explain(&self, requirement: Requirement) {
        self.why.set(Some(requirement));
    }

    pub fn dismiss(&self, id: u64) {
        self.list.update(|list| list.dismiss(id));
    }
}

impl Default for Toasts {
    fn default() -> Self {
        Self::new()
    }
}
