//! Asking before a user is deleted or deactivated.

use super::*;

/// Asks before deleting or deactivating a user; `on_done` runs once the server has done it.
#[component]
pub(super) fn ConfirmUserDialog(
    pending: RwSignal<Option<Confirm>>,
    on_done: Callback<()>,
) -> impl IntoView {
    let action = confirm_action(move |api, toasts, confirm: Confirm| async move {
        let (result, done, failed) = match &confirm {
            Confirm::Delete(u) => (
                api.delete_user(u).await,
                "Deleted user",
                format!("Failed to delete user '{u}'"),
            ),
            Confirm::Deactivate(u) => (
                api.set_user_enabled(u, false).await,
                "Deactivated user",
                format!("Failed to deactivate user '{u}'"),
            ),
        };
        let (Confirm::Delete(who) | Confirm::Deactivate(who)) = &confirm;
        toasts.report_write(result, (done, who), &failed, on_done)
    });
    let title = Signal::derive(move || match pending.get() {
        Some(Confirm::Delete(u)) => format!("Delete user '{u}'?"),
        Some(Confirm::Deactivate(u)) => format!("Deactivate user '{u}'?"),
        None => String::new(),
    });
    let body = Signal::derive(move || {
        match pending.get() {
        Some(Confirm::Delete(_)) => "This user will be permanently deleted and their access to Gatehouse removed. This cannot be undone.",
        Some(Confirm::Deactivate(_)) => "This user will no longer be able to sign in, and their open sessions end at once. You can activate them again later.",
        None => "",
    }.to_string()
    });
    let confirm_label = Signal::derive(move || match pending.get() {
        Some(Confirm::Delete(_)) => "Delete user".to_string(),
        _ => "Deactivate user".to_string(),
    });
    view! {
        <ConfirmDialog target=pending action title body confirm_label testid="user-confirm-dialog" confirm_testid="user-confirm" />
    }
}
