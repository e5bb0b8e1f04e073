pub mod announcer;
pub mod app_forbidden;
pub mod confirm_dialog;
pub mod coverage;
pub mod data_table;
pub mod field_error;
pub mod focus;
pub mod guarded_button;
pub mod lead_card;
pub mod level_badge;
pub mod list_page;
pub mod load_error;
pub mod management;
pub mod modal;
pub mod share_dialog;
pub mod spaces;
pub mod text_field;
pub mod toasts;
pub mod tooltip;
pub mod view_as;
pub mod why;

pub use announcer::PageAnnouncer;
pub use app_forbidden::{AppForbidden, AppGate, AppPage};
pub use confirm_dialog::{confirm_action, ConfirmDialog};
pub use coverage::CoverageCells;
pub use data_table::{table_rows, DataTable, TableSkeleton};
pub use field_error::{errors_once_submitted, FieldError, FormError};
pub use guarded_button::GuardedButton;
pub use level_badge::level_badge;
pub use list_page::{PageHeader, SearchInput};
pub use load_error::{reloadable, LoadError, NotThere};
pub use management::{ManagementPage, ManagementShell, NoPermission};
pub use modal::{open_while_some, Modal};
pub use share_dialog::ShareDialog;
pub use text_field::{TextAreaField, TextField};
pub use toasts::ToastRegion;
pub use tooltip::TextTooltip;
pub use view_as::{run_as_roles, ViewAsBanner, ViewAsButton};
pub use why::WhyDialog;

use std::cell::Cell;

thread_local! {
    static NEXT_ID: Cell<u64> = const { Cell::new(0) };
}

/// A document-unique id for `aria-describedby` / `aria-labelledby` pairs.
pub fn unique_id(prefix: &str) -> String {
    let id = NEXT_ID.with(|next| {
        let id = next.get() + 1;
        next.set(id);
        id
    });
    format!("{prefix}-{id}")
}

/// Puts `text` on the clipboard; `false` when the browser refuses (or there is no window), so the
/// caller can tell the user to copy by hand.
pub async fn copy_text(text: String) -> bool {
    let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
        return false;
    };
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text))
        .await
        .is_ok()
}
