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
pub use view_as::{run_as_roles, ReadOnlyWhileViewing, ViewAsBanner, ViewAsButton};
pub use why::WhyDialog;

use std::cell::Cell;

use wasm_bindgen::JsCast;

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

/// Saves `text` as the ndjson file `name` (an export, a download): a Blob, its object URL and a
/// clicked `<a download>`.
pub fn save_ndjson_file(text: &str, name: &str) -> Result<(), String> {
    let cannot = |_| "The browser refused to create the file.".to_string();
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/x-ndjson");
    let blob =
        web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(cannot)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(cannot)?;
    let anchor: web_sys::HtmlAnchorElement = leptos::prelude::document()
        .create_element("a")
        .map_err(cannot)?
        .unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.set_hidden(true);
    let body = leptos::prelude::document()
        .body()
        .ok_or("The page has no body.")?;
    body.append_child(&anchor).map_err(cannot)?;
    anchor.click();
    anchor.remove();
    // The download reads the blob after this turn: release it once that has surely begun.
    gloo_timers::callback::Timeout::new(60_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}
