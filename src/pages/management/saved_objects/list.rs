//! The list of the space's saved objects, its selection and Export.

use std::collections::BTreeSet;

use gatehouse_api::dashboards::{texts as dashboard_texts, DashboardAccessMode, SavedObjectRef};
use gatehouse_api::saved_objects::{SavedObject, EXPORT_FILE_NAME};
use gatehouse_api::saved_objects_page::{page_actions, texts, SavedObjectsRights};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::ImportDialog;
use crate::api::expect_api;
use crate::components::{
    reloadable, save_ndjson_file, DataTable, GuardedButton, LoadError, PageHeader, SearchInput,
    TableSkeleton,
};
use crate::format::{plural, relative_time, SearchFolded};
use crate::routes::dashboard_href;
use crate::state::{expect_profiles, expect_toasts, space_path};

#[component]
pub fn SavedObjectsList(rights: Signal<SavedObjectsRights>) -> impl IntoView {
    let api = expect_api();
    let profiles = expect_profiles();
    let toasts = expect_toasts();
    let selected = RwSignal::new(BTreeSet::<String>::new());
    let search = RwSignal::new(String::new());
    let import_open = RwSignal::new(false);
    let exporting = RwSignal::new(false);
    let (objects, reload) = reloadable(move || async move {
        let found = api.find_saved_objects().await;
        if let Ok(found) = &found {
            profiles.ensure(
                api,
                found
                    .saved_objects
                    .iter()
                    .filter_map(|o| o.owner().map(str::to_string)),
            );
        }
        found
    });
    let actions = Memo::new(move |_| page_actions(rights.get(), selected.with(BTreeSet::len)));
    let export_block = Signal::derive(move || actions.get().export.map(str::to_string));
    let import_block = Signal::derive(move || actions.get().import.map(str::to_string));
    let export = move |_| {
        let objects: Vec<SavedObjectRef> = selected
            .with_untracked(|ids| ids.iter().map(|id| SavedObjectRef::dashboard(id)).collect());
        let count = objects.len() as u64;
        exporting.set(true);
        spawn_local(async move {
            match api.export_saved_objects(objects).await {
                Ok(ndjson) => match save_ndjson_file(&ndjson, EXPORT_FILE_NAME) {
                    Ok(()) => toasts.success(
                        "Export ready",
                        &format!(
                            "{} saved as {EXPORT_FILE_NAME}.",
                            plural(count, "object", "objects")
                        ),
                    ),
                    Err(why) => toasts.error("The export could not be saved", &why),
                },
                Err(error) => toasts.api_error("Export failed", &error),
            }
            let _ = exporting.try_set(false);
        });
    };
    view! {
        <PageHeader title=texts::TITLE subtitle=texts::SUBTITLE>
            <div class="row-actions">
                <GuardedButton
                    label=Signal::derive(move || match selected.with(BTreeSet::len) {
                        0 => "Export".to_string(),
                        n => format!("Export {n}"),
                    })
                    blocked=export_block
                    reads_only=true
                    busy=exporting
                    on_press=Callback::new(export)
                    testid="saved-objects-export"
                />
                <GuardedButton
                    label="Import"
                    blocked=import_block
                    on_press=Callback::new(move |_| import_open.set(true))
                    class="btn-primary"
                    testid="saved-objects-import"
                />
            </div>
        </PageHeader>
        <section class="panel">
            <div class="filters">
                <SearchInput placeholder="Search saved objects by title" label="Search saved objects" testid="saved-objects-search" value=search on_input=Callback::new(move |value: String| search.set(value)) />
            </div>
            <Transition fallback=|| view! { <TableSkeleton /> }>
                {move || Suspend::new(async move {
                    match objects.await {
                        Ok(found) => view! { <SavedObjectsTable list=found.saved_objects selected search /> }.into_any(),
                        Err(error) => view! { <LoadError error on_retry=reload /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <ImportDialog open=import_open rights on_imported=Callback::new(move |_| reload.run(())) />
    }
}

fn matches(object: &SavedObject, needle: &str) -> bool {
    needle.is_empty() || object.attributes.title.search_folded().contains(needle)
}

#[component]
fn SavedObjectsTable(
    list: Vec<SavedObject>,
    selected: RwSignal<BTreeSet<String>>,
    search: RwSignal<String>,
) -> impl IntoView {
    let profiles = expect_profiles();
    let count = list.len() as u64;
    let list = StoredValue::new(list);
    let shown_ids = move || {
        let needle = search.get().trim().search_folded();
        list.with_value(|objects| {
            objects
                .iter()
                .filter(|o| matches(o, &needle))
                .map(|o| o.id.clone())
                .collect::<Vec<_>>()
        })
    };
    let all_shown_selected = move || {
        let shown = shown_ids();
        !shown.is_empty() && selected.with(|ids| shown.iter().all(|id| ids.contains(id)))
    };
    let toggle_all = move |_| {
        let shown = shown_ids();
        let select = !all_shown_selected();
        selected.update(|ids| {
            for id in shown {
                if select {
                    ids.insert(id);
                } else {
                    ids.remove(&id);
                }
            }
        });
    };
    let rows = move || {
        let needle = search.get().trim().search_folded();
        let shown: Vec<SavedObject> = list.with_value(|objects| {
            objects
                .iter()
                .filter(|o| matches(o, &needle))
                .cloned()
                .collect()
        });
        let empty = (
            "5",
            "saved-objects-empty",
            "No saved objects match your search.",
        );
        crate::components::table_rows(shown, empty, move |object| {
            let id = object.id.clone();
            let title = match object.attributes.title.trim() {
                "" => object.id.clone(),
                title => title.to_string(),
            };
            let owner = object.owner().map(str::to_string);
            let mode = object.access_mode();
            let is_selected = {
                let id = id.clone();
                move || selected.with(|ids| ids.contains(&id))
            };
            let toggle = {
                let id = id.clone();
                move |_| {
                    selected.update(|ids| {
                        if !ids.remove(&id) {
                            ids.insert(id.clone());
                        }
                    })
                }
            };
            view! {
                <tr data-testid="saved-object-row" data-id=id.clone()>
                    <td>
                        <label class="saved-object-title">
                            <input type="checkbox" data-testid="saved-object-select" aria-label=format!("Select {title}") prop:checked=is_selected on:change=toggle />
                            <a class="row-title" href=space_path(&dashboard_href(&id)) data-testid="saved-object-title">{title.clone()}</a>
                        </label>
                    </td>
                    <td><span class="badge" data-testid="saved-object-type">{object.object_type.clone()}</span></td>
                    <td data-testid="saved-object-owner">{move || owner.as_deref().map(|uid| profiles.name_of(uid)).unwrap_or_else(|| "—".into())}</td>
                    <td data-testid="saved-object-mode">{mode_badge(mode)}</td>
                    <td class="muted small">{object.updated_at.as_deref().map(relative_time).unwrap_or_default()}</td>
                </tr>
            }
        })
    };
    view! {
        <div class="saved-objects-select-all">
            <label>
                <input type="checkbox" data-testid="saved-objects-select-all" prop:checked=all_shown_selected on:change=toggle_all />
                " Select all shown"
            </label>
            <span class="muted small" data-testid="saved-objects-selected">{move || format!("{} selected", selected.with(BTreeSet::len))}</span>
        </div>
        <DataTable class="data-table saved-objects-table" testid="saved-objects-table" headers=&["Title", "Type", "Owner", "Everybody in the space", "Updated"]>
            {rows}
        </DataTable>
        <p class="muted small table-count">{plural(count, "saved object", "saved objects")}</p>
    }
}

/// "Can view" (write-restricted) or "Can edit", as the dashboards list says it.
pub fn mode_badge(mode: DashboardAccessMode) -> AnyView {
    if mode == DashboardAccessMode::WriteRestricted {
        view! { <span class="badge badge-restricted" title="Everybody in the space can view; only the owner and admins can edit">{dashboard_texts::CAN_VIEW}</span> }.into_any()
    } else {
        view! { <span class="badge">{dashboard_texts::CAN_EDIT}</span> }.into_any()
    }
}
