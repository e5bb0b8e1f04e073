//! The spaces list.

use super::*;
use crate::format::SearchFolded;

#[component]
pub fn SpacesList() -> impl IntoView {
    let api = expect_api();
    let reload = RwSignal::new(0u32);
    let search = RwSignal::new(String::new());
    let to_delete = RwSignal::new(None::<Space>);
    let spaces = LocalResource::new(move || {
        reload.track();
        async move { api.list_spaces().await }
    });
    let features = LocalResource::new(move || async move { api.list_features().await.ok() });
    let on_deleted = Callback::new(move |_: String| reload.update(|n| *n += 1));
    view! {
        <PageHeader title=texts::TITLE subtitle=texts::SUBTITLE>
            <a class="btn btn-primary" data-testid="space-create" href=space_path(SPACE_CREATE_PATH)>{texts::CREATE}</a>
        </PageHeader>
        <section class="panel">
            <div class="filters">
                <SearchInput placeholder="Search spaces by name, identifier or description" label="Search spaces" testid="spaces-search-table" value=search on_input=Callback::new(move |value: String| search.set(value)) />
            </div>
            <Transition fallback=|| view! { <TableSkeleton /> }>
                {move || Suspend::new(async move {
                    let features = features.await;
                    match spaces.await {
                        Ok(list) => view! { <SpacesTable list features search to_delete /> }.into_any(),
                        Err(error) => view! { <LoadError error on_retry=Callback::new(move |_| reload.update(|n| *n += 1)) /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <DeleteSpaceDialog target=to_delete on_deleted />
    }
}

pub(super) fn matches(space: &Space, needle: &str) -> bool {
    needle.is_empty()
        || space.name.search_folded().contains(needle)
        || space.id.contains(needle)
        || space
            .description
            .as_deref()
            .unwrap_or("")
            .search_folded()
            .contains(needle)
}

#[component]
pub(super) fn SpacesTable(
    list: Vec<Space>,
    features: Option<Vec<FeatureInfo>>,
    search: RwSignal<String>,
    to_delete: RwSignal<Option<Space>>,
) -> impl IntoView {
    let count = list.len();
    let list = StoredValue::new(list);
    let features = StoredValue::new(features);
    let here = current_space();
    let rows = move || {
        let needle = search.get().trim().search_folded();
        let shown: Vec<Space> = list.with_value(|spaces| {
            spaces
                .iter()
                .filter(|s| matches(s, &needle))
                .cloned()
                .collect()
        });
        let empty = ("5", "spaces-empty", "No spaces match your search.");
        table_rows(shown, empty, |space| {
            let edit = space_path(&space_edit_path(&space.id));
            let summary = features.with_value(|f| features_summary(&space, f.as_deref()));
            let hidden_names = features.with_value(|f| {
                let names: Vec<String> = space
                    .disabled_features
                    .iter()
                    .map(|id| {
                        f.as_deref()
                            .and_then(|list| list.iter().find(|x| &x.id == id))
                            .map(|x| x.name.clone())
                            .unwrap_or_else(|| id.clone())
                    })
                    .collect();
                (!names.is_empty()).then(|| format!("Hidden: {}", names.join(", ")))
            });
            let reserved = space.is_reserved() || space.id == DEFAULT_SPACE_ID;
            let blocked =
                Signal::derive(move || reserved.then(|| texts::DEFAULT_RESERVED.to_string()));
            let is_current = space.id == here;
            let target = space.clone();
            view! {
                <tr data-testid="space-row" data-space=space.id.clone()>
                    <td>
                        <div class="space-cell">
                            <SpaceAvatar space=space.clone() />
                            <a class="row-title" href=edit.clone() data-testid="space-name-link">{space.name.clone()}</a>
                            {reserved.then(|| view! { <span class="badge badge-reserved">"Reserved"</span> })}
                            {is_current.then(|| view! { <span class="badge" data-testid="space-current">"Current"</span> })}
                        </div>
                    </td>
                    <td class="space-description">{space.description.clone().unwrap_or_default()}</td>
                    <td><span data-testid="space-features" title=hidden_names>{summary}</span></td>
                    <td><code>{space.id.clone()}</code></td>
                    <td>
                        <div class="row-actions">
                            <a class="btn btn-small" href=edit data-testid="space-edit">"Edit"</a>
                            <GuardedButton
                                label="Delete"
                                blocked
                                on_press=Callback::new(move |_| to_delete.set(Some(target.clone())))
                                class="btn-small btn-ghost-danger"
                                testid="space-delete"
                            />
                        </div>
                    </td>
                </tr>
            }
        })
    };
    view! {
        <DataTable class="data-table spaces-table" testid="spaces-table" headers=&["Space", "Description", "Features", "Identifier", ""]>
            {rows}
        </DataTable>
        <p class="muted small table-count">{plural(count as u64, "space", "spaces")}</p>
    }
}

// ---------------------------------------------------------------------------------------------
// Delete
// ---------------------------------------------------------------------------------------------
