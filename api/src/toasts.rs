//! The toast list as plain data: identical toasts collapse into one with a count.

use crate::access::Requirement;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Warning,
    Error,
}

impl ToastKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ToastKind::Success => "success",
            ToastKind::Warning => "warning",
            ToastKind::Error => "error",
        }
    }

    /// Errors stay longer: the user has to read what went wrong.
    pub fn lifetime_ms(self) -> u32 {
        match self {
            ToastKind::Success => 5_000,
            ToastKind::Warning => 8_000,
            ToastKind::Error => 10_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub id: u64,
    pub kind: ToastKind,
    pub title: String,
    pub text: String,
    /// How many identical toasts this one stands for.
    pub count: u32,
    /// For a denial: what was missing, so the toast can offer "Why?".
    pub why: Option<Requirement>,
}

pub const MAX_VISIBLE: usize = 5;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToastList {
    toasts: Vec<Toast>,
    next_id: u64,
}

impl ToastList {
    /// Adds a toast, or bumps the count of an identical one; returns the id that now shows it.
    pub fn push(&mut self, kind: ToastKind, title: &str, text: &str) -> u64 {
        if let Some(existing) = self
            .toasts
            .iter_mut()
            .find(|t| t.kind == kind && t.title == title && t.text == text)
        {
            existing.count += 1;
            return existing.id;
        }
        self.next_id += 1;
        self.toasts.push(Toast {
            id: self.next_id,
            kind,
            title: title.to_string(),
            text: text.to_string(),
            count: 1,
            why: None,
        });
        if self.toasts.len() > MAX_VISIBLE {
            self.toasts.remove(0);
        }
        self.next_id
    }

    /// Lets a toast explain the denial it reports.
    pub fn explain(&mut self, id: u64, requirement: Requirement) {
        if let Some(toast) = self.toasts.iter_mut().find(|t| t.id == id) {
            toast.why = Some(requirement);
        }
    }

    pub fn dismiss(&mut self, id: u64) {
        self.toasts.retain(|t| t.id != id);
    }

    pub fn toasts(&self) -> &[Toast] {
        &self.toasts
    }

    pub fn count_of(&self, id: u64) -> Option<u32> {
        self.toasts.iter().find(|t| t.id == id).map(|t| t.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_toasts_collapse_with_a_count() {
        let mut list = ToastList::default();
        let a = list.push(
            ToastKind::Error,
            "Failed to fetch hunting leads",
            "boom (403)",
        );
        let b = list.push(
            ToastKind::Error,
            "Failed to fetch hunting leads",
            "boom (403)",
        );
        assert_eq!(a, b);
        assert_eq!(list.toasts().len(), 1);
        assert_eq!(list.count_of(a), Some(2));
        list.push(
            ToastKind::Error,
            "Failed to fetch hunting leads",
            "other (500)",
        );
        assert_eq!(list.toasts().len(), 2);
    }

    #[test]
    fn a_denial_toast_carries_its_requirement() {
        let mut list = ToastList::default();
        let id = list.push(ToastKind::Error, "Failed", "denied (403)");
        list.explain(id, Requirement::cluster(&["manage_security"]));
        assert_eq!(
            list.toasts()[0].why,
            Some(Requirement::cluster(&["manage_security"]))
        );
        list.explain(id + 1, Requirement::cluster(&["all"]));
        assert_eq!(list.toasts().len(), 1);
    }

    #[test]
    fn dismiss_removes_only_that_toast() {
        let mut list = ToastList::default();
        let a = list.push(ToastKind::Success, "a", "");
        let b = list.push(ToastKind::Warning, "b", "");
        list.dismiss(a);
        assert_eq!(
            list.toasts().iter().map(|t| t.id).collect::<Vec<_>>(),
            vec![b]
        );
    }

    #[test]
    fn only_the_newest_few_stay_visible() {
        let mut list = ToastList::default();
        for i in 0..8 {
            list.push(ToastKind::Success, &format!("t{i}"), "");
        }
        assert_eq!(list.toasts().len(), MAX_VISIBLE);
        assert_eq!(list.toasts()[0].title, "t3");
    }
}
