//! Toast context: pages push, the always-mounted region renders.

use gatehouse_api::toasts::{ToastKind, ToastList};
use gatehouse_api::ApiError;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Toasts {
    pub list: RwSignal<ToastList>,
}

pub fn expect_toasts() -> Toasts {
    expect_context::<Toasts>()
}

impl Toasts {
    pub fn new() -> Self {
        Self {
            list: RwSignal::new(ToastList::default()),
        }
    }

    pub fn push(&self, kind: ToastKind, title: &str, text: &str) -> u64 {
        let mut id = 0;
        self.list.update(|list| id = list.push(kind, title, text));
        id
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

    /// Kibana's toast text for a failed call: `"<message> (<status>)"`.
    pub fn api_error(&self, title: &str, error: &ApiError) {
        self.error(title, &error.toast_text());
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
