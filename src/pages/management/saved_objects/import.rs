//! The import dialog: a file (picker or drop), what to do with ids already here, "Keep owner and
//! protection" for those who manage access control; then the result screen.

use gatehouse_api::saved_objects::MAX_IMPORT_BYTES;
use gatehouse_api::saved_objects_page::{
    check_import_file, human_size, import_query, page_actions, summarize, texts, ConflictChoice,
    ImportSummary, SavedObjectsRights,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::ImportResult;
use crate::api::{expect_api, ImportFile};
use crate::components::{unique_id, FormError, Modal};

/// What the dialog shows: the form, or the result of the import it sent.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportDone {
    pub summary: ImportSummary,
    pub file: ImportFile,
    pub keep_access_control: bool,
}

#[component]
pub fn ImportDialog(
    open: RwSignal<bool>,
    rights: Signal<SavedObjectsRights>,
    /// Runs after an import that may have changed the list.
    on_imported: Callback<()>,
) -> impl IntoView {
    let done = RwSignal::new(None::<ImportDone>);
    // A new opening starts from the form.
    Effect::new(move |_| {
        if open.get() {
            done.set(None);
        }
    });
    let title = Signal::derive(move || {
        if done.with(Option::is_some) {
            "Import result".to_string()
        } else {
            "Import saved objects".to_string()
        }
    });
    view! {
        <Modal open title testid="saved-objects-import-dialog" class="saved-objects-modal">
            {move || match done.get() {
                None => view! { <ImportForm open rights done on_imported /> }.into_any(),
                Some(result) => view! { <ImportResult result open on_imported /> }.into_any(),
            }}
        </Modal>
    }
}

#[component]
fn ImportForm(
    open: RwSignal<bool>,
    rights: Signal<SavedObjectsRights>,
    done: RwSignal<Option<ImportDone>>,
    on_imported: Callback<()>,
) -> impl IntoView {
    let api = expect_api();
    let file = RwSignal::new(None::<ImportFile>);
    let file_error = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let choice = RwSignal::new(ConflictChoice::default());
    let keep = RwSignal::new(false);
    let dragging = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let keep_closed = Signal::derive(move || page_actions(rights.get(), 0).keep_protection);
    let keep_reason_id = unique_id("keep-reason");

    let take = move |chosen: web_sys::File| {
        let name = chosen.name();
        file.set(None);
        error.set(None);
        if let Err(why) = check_import_file(&name, chosen.size(), MAX_IMPORT_BYTES) {
            file_error.set(Some(why));
            return;
        }
        file_error.set(None);
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(chosen.text()).await {
                Ok(text) => {
                    let text = text.as_string().unwrap_or_default();
                    let _ = file.try_set(Some(ImportFile { name, text }));
                }
                Err(_) => {
                    let _ = file_error.try_set(Some(format!("Could not read “{name}”.")));
                }
            }
        });
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(chosen) = file.get_untracked() else {
            file_error.set(Some(texts::CHOOSE_FILE.into()));
            return;
        };
        let keep_access_control = keep.get_untracked() && keep_closed.get_untracked().is_none();
        let query = import_query(choice.get_untracked(), keep_access_control);
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api.import_saved_objects(&chosen, &query).await {
                Ok(response) => {
                    let summary = summarize(&response);
                    if response.success_count > 0 {
                        on_imported.run(());
                    }
                    let _ = done.try_set(Some(ImportDone {
                        summary,
                        file: chosen,
                        keep_access_control,
                    }));
                }
                // Nothing was imported (refused, too large, not ndjson, all blocked): the form
                // stays as it was, with the server's reason above it.
                Err(err) => {
                    let _ = error.try_set(Some(err.toast_text()));
                }
            }
            let _ = busy.try_set(false);
        });
    };

    let choices = ConflictChoice::ALL
        .into_iter()
        .map(|option| {
            view! {
                <label class="saved-objects-choice">
                    <input
                        type="radio"
                        name="conflicts"
                        value=option.value()
                        data-testid=format!("import-choice-{}", option.value())
                        prop:checked=move || choice.get() == option
                        on:change=move |_| choice.set(option)
                    />
                    <span>
                        <strong>{option.label()}</strong>
                        <span class="muted small">{option.help()}</span>
                    </span>
                </label>
            }
        })
        .collect_view();

    view! {
        <form class="form" on:submit=submit novalidate>
            <FormError error testid="import-error" />
            <label
                class="saved-objects-drop"
                class:drop-target=move || dragging.get()
                data-testid="import-drop"
                on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=move |ev: leptos::ev::DragEvent| {
                    ev.prevent_default();
                    dragging.set(false);
                    if let Some(dropped) = ev.data_transfer().and_then(|t| t.files()).and_then(|files| files.get(0)) {
                        take(dropped);
                    }
                }
            >
                <span class="field-label">"Export file (.ndjson)"</span>
                <span class="muted small">{format!("Drop a file here or choose one; at most {}.", human_size(MAX_IMPORT_BYTES as f64))}</span>
                <input
                    type="file"
                    accept=".ndjson,.json,application/x-ndjson"
                    data-testid="import-file"
                    on:change:target=move |ev| {
                        if let Some(chosen) = ev.target().files().and_then(|files| files.get(0)) {
                            take(chosen);
                        }
                    }
                />
                {move || file.get().map(|chosen| view! {
                    <span class="small" data-testid="import-file-name">{format!("{} ({})", chosen.name, human_size(chosen.text.len() as f64))}</span>
                })}
            </label>
            {move || file_error.get().map(|why| view! { <p class="field-error" role="alert" data-testid="import-file-error">{why}</p> })}
            <fieldset class="saved-objects-choices">
                <legend class="field-label">"Objects whose id is already in this space"</legend>
                {choices}
            </fieldset>
            <label class="saved-objects-keep" class:saved-objects-keep-closed=move || keep_closed.get().is_some()>
                <input
                    type="checkbox"
                    data-testid="import-keep-protection"
                    aria-disabled=move || keep_closed.get().is_some().then_some("true")
                    aria-describedby=keep_reason_id.clone()
                    prop:checked=move || keep.get() && keep_closed.get().is_none()
                    on:click=move |ev| {
                        // Closed, it stays focusable (so its reason is read) but never ticks.
                        if keep_closed.get_untracked().is_some() {
                            ev.prevent_default();
                        }
                    }
                    on:change:target=move |ev| keep.set(ev.target().checked())
                />
                <span>
                    <strong>{texts::KEEP_PROTECTION}</strong>
                    <span class="muted small" id=keep_reason_id data-testid="import-keep-reason">
                        {move || keep_closed.get().unwrap_or(texts::KEEP_PROTECTION_HELP)}
                    </span>
                </span>
            </label>
            <div class="modal-actions">
                <button type="button" class="btn" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="submit" class="btn btn-primary" data-testid="import-submit" disabled=move || busy.get() aria-busy=move || busy.get().then_some("true")>"Import"</button>
            </div>
        </form>
    }
}
