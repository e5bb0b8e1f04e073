//! `Select your space`: where a user with several spaces lands after login (docs/spaces.md).

use gatehouse_api::spaces::texts;
use leptos::prelude::*;

use crate::api::expect_api;
use crate::components::spaces::{enter_space, SpaceAvatar};
use crate::components::{reloadable, LoadError};

#[component]
pub fn SpaceSelectorPage() -> impl IntoView {
    let api = expect_api();
    let (spaces, reload) = reloadable(move || async move { api.list_spaces().await });
    view! {
        <section class="space-selector" data-testid="space-selector">
            <header class="page-header space-selector-header">
                <h1>{texts::SELECT_TITLE}</h1>
                <p class="muted">{texts::SELECT_SUBTITLE}</p>
            </header>
            <Transition fallback=|| view! { <div class="table-skeleton skeleton"><span></span><span></span></div> }>
                {move || Suspend::new(async move {
                    match spaces.await {
                        Ok(list) => view! {
                            <ul class="space-cards">
                                {list.into_iter().map(|space| {
                                    let id = space.id.clone();
                                    view! {
                                        <li>
                                            <button type="button" class="space-card panel" data-testid="space-card" data-space=space.id.clone() on:click=move |_| enter_space(&id, "/")>
                                                <SpaceAvatar space=space.clone() size="space-avatar-large" />
                                                <span class="space-card-name">{space.name.clone()}</span>
                                                <span class="muted small">{space.description.clone().unwrap_or_default()}</span>
                                            </button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) if error.status == 403 => view! {
                            <section class="panel empty-state" data-testid="space-selector-none" role="status">
                                <h2>"No spaces"</h2>
                                <p class="muted">"Your roles do not let you enter any space. Ask an administrator to grant you Kibana privileges in a space."</p>
                            </section>
                        }.into_any(),
                        Err(error) => view! { <LoadError error on_retry=reload /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
