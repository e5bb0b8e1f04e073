//! Deleting a space, after naming what goes with it.

use super::*;

/// Asks before deleting `target`, naming what goes with it; `on_deleted` gets the id.
#[component]
pub fn DeleteSpaceDialog(
    target: RwSignal<Option<Space>>,
    on_deleted: Callback<String>,
) -> impl IntoView {
    let open = open_while_some(target);
    let title = Signal::derive(move || {
        target
            .get()
            .map(|s| texts::delete_title(&s.name))
            .unwrap_or_default()
    });
    view! {
        <Modal open title testid="space-delete-dialog">
            {move || target.get().map(|space| view! { <DeleteSpaceBody space open on_deleted /> })}
        </Modal>
    }
}

#[component]
pub(super) fn DeleteSpaceBody(
    space: Space,
    open: RwSignal<bool>,
    on_deleted: Callback<String>,
) -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let id = StoredValue::new(space.id.clone());
    let name = StoredValue::new(space.name.clone());
    let contents =
        LocalResource::new(move || async move { api.space_contents(&id.get_value()).await });
    let is_current = space.id == current_space();
    let confirm = move |_| {
        busy.set(true);
        failed.set(None);
        spawn_local(async move {
            let (id, name) = (id.get_value(), name.get_value());
            match api.delete_space(&id).await {
                Ok(()) => {
                    toasts.success(&texts::deleted(&name), "");
                    if is_current {
                        // The page's space is gone: choose another, as Kibana does.
                        enter_space(DEFAULT_SPACE_ID, SPACE_SELECTOR_PATH);
                        return;
                    }
                    // Closing disposes this body: nothing of it is touched afterwards.
                    open.set(false);
                    on_deleted.run(id);
                    return;
                }
                Err(error) => {
                    failed.set(Some(error.toast_text()));
                    toasts.api_error(&format!("Could not delete space '{name}'"), &error);
                }
            }
            busy.set(false);
        });
    };
    view! {
        <div class="space-delete">
            <p>
                "The space " <strong>{space.name.clone()}</strong> " (" <code>{space.id.clone()}</code> ") and "
                <strong>"all contents"</strong> " " {texts::DELETE_BODY}
            </p>
            <Transition fallback=|| view! { <p class="muted" data-testid="space-delete-counting">"Counting what is in this space…"</p> }>
                {move || Suspend::new(async move {
                    match contents.await {
                        Ok(contents) => contents_view(contents).into_any(),
                        Err(error) => view! {
                            <div class="callout callout-warning" role="status" data-testid="space-delete-contents-unknown">
                                <p class="callout-title">"Could not count what is in this space"</p>
                                <p>{error.toast_text()}</p>
                                <p>"Deleting it still deletes all its leads and dashboards."</p>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
            <p class="muted small">
                {format!("Roles that name this space keep their entries: a space created later with the identifier '{}' is open to them again.", space.id)}
            </p>
            {is_current.then(|| view! {
                <div class="callout callout-warning" role="status" data-testid="space-delete-current">
                    <p>{texts::delete_current(&space.name)} " " {texts::DELETE_CURRENT}</p>
                </div>
            })}
            <FormError error=failed testid="space-delete-error" />
            <div class="modal-actions">
                <button type="button" class="btn" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="button" class="btn btn-danger" data-testid="space-delete-confirm" disabled=move || busy.get() on:click=confirm>
                    {texts::DELETE_CONFIRM}
                </button>
            </div>
        </div>
    }
}

pub(super) fn contents_view(contents: SpaceContents) -> impl IntoView {
    if contents.is_empty() {
        view! { <p data-testid="space-delete-contents">"It holds no leads and no dashboards."</p> }
            .into_any()
    } else {
        view! {
            <p data-testid="space-delete-contents">
                "Deleting it also deletes " <strong>{contents.describe()}</strong> "."
            </p>
        }
        .into_any()
    }
}

// ---------------------------------------------------------------------------------------------
// Create and edit
// ---------------------------------------------------------------------------------------------
