//! Runbooks related to a lead, shown in the lead's detail.

use super::*;

/// How many related documents a lead shows.
pub const RELATED_LIMIT: u32 = 5;

/// Documents sharing the most tags with a lead (its tags and entity type), only those the viewer
/// may see: the server filters them like any search. Renders nothing without the Search app, on
/// a server without it (404), or when nothing matches.
#[component]
pub fn RelatedRunbooks(
    /// The lead's tags.
    tags: Vec<String>,
    /// The lead's entity type (`host`, `user`, `service`), if any.
    entity_type: Option<String>,
) -> impl IntoView {
    let api = expect_api();
    let session = expect_session();
    let mut wanted = tags;
    if let Some(kind) = entity_type.filter(|k| !k.is_empty()) {
        if !wanted.contains(&kind) {
            wanted.push(kind);
        }
    }
    let related = LocalResource::new(move || {
        let allowed = session.capabilities().nav_link(APP_ID);
        session.privileges_changed.track();
        let request = SearchRequest {
            query: String::new(),
            page: PageRequest {
                current: 1,
                size: RELATED_LIMIT,
            },
            filters: SearchFilters {
                source: Vec::new(),
                tags: wanted.clone(),
            },
            as_user: None,
        };
        async move {
            if !allowed || request.filters.tags.is_empty() {
                return Vec::new();
            }
            api.search_documents(&request)
                .await
                .map(|r| r.results)
                .unwrap_or_default()
        }
    });
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let results = related.await;
                (!results.is_empty()).then(|| view! {
                    <section class="related-runbooks" data-testid="related-runbooks" aria-label="Related runbooks">
                        <h3>"Related runbooks"</h3>
                        <ul class="plain-list">
                            {results.into_iter().map(|r| {
                                let href = in_current_space(&document_href(&r.meta.source, &r.id));
                                let title = if r.title.trim().is_empty() { r.id.clone() } else { r.title.clone() };
                                view! {
                                    <li data-testid="related-runbook" data-document-id=r.id.clone()>
                                        <a href=href>{title}</a>
                                        <ul class="tags" aria-label="Tags">
                                            {r.tags.into_iter().map(|t| view! { <li class="tag">{t}</li> }).collect_view()}
                                        </ul>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Transition>
    }
}
