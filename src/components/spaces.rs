//! Spaces in the shell: the avatar, the header switcher (Kibana's `Spaces navigation`) and the
//! gate that shows a clear page when the URL names a space the user cannot enter.

use gatehouse_api::spaces::Space;
use leptos::prelude::*;

use super::focus::{move_among, shown_within};
use crate::api::expect_api;
use crate::format::{upper_cased, SearchFolded};
use crate::state::expect_session;
use crate::state::space::{current_space, in_default_space, path_in_space};

use crate::routes::{SPACES_PATH, SPACE_SELECTOR_PATH};
/// Kibana shows the search box from this many spaces on.
const SEARCH_FROM: usize = 8;

/// Switching space loads the page anew in that space, as Kibana does: every request, link and
/// cached answer then belongs to it.
pub fn enter_space(id: &str, path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(&path_in_space(id, path));
    }
}

#[component]
pub fn SpaceAvatar(space: Space, #[prop(optional)] size: &'static str) -> impl IntoView {
    let class = format!("space-avatar {size}");
    view! {
        <span class=class style=space.avatar_style() aria-hidden="true" data-testid="space-avatar">
            {space.avatar_initials(upper_cased)}
        </span>
    }
}

/// The entries of the open popover the arrow keys move among.
const SWITCHER_ENTRIES: &str = ".space-option, .space-manage";

/// The header's space button and its popover. With the keyboard: Enter or Space on the button
/// opens it with focus on the search box (from [`SEARCH_FROM`] spaces) or on the current space,
/// the arrow keys, Home and End move among the spaces, Enter enters one, and Escape closes it and
/// gives focus back to the button; Tab out of it closes it too.
#[component]
pub fn SpaceSwitcher() -> impl IntoView {
    let api = expect_api();
    let session = expect_session();
    // Read again when the roles change: a space granted meanwhile is offered without a reload.
    let spaces = LocalResource::new(move || {
        session.privileges_changed.track();
        async move { api.list_spaces().await.ok() }
    });
    let open = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    let may_manage = move || session.capabilities().get("spaces", "manage");
    let switcher = NodeRef::<leptos::html::Div>::new();
    let button = NodeRef::<leptos::html::Button>::new();
    // Focus goes into the popover once it is drawn.
    Effect::new(move |_| {
        if !open.get() {
            return;
        }
        request_animation_frame(move || {
            let Some(root) = switcher.get_untracked() else {
                return;
            };
            let first = shown_within(&root, "[data-testid=spaces-search]")
                .into_iter()
                .chain(shown_within(&root, ".space-option[aria-current=true]"))
                .chain(shown_within(&root, SWITCHER_ENTRIES))
                .next();
            if let Some(first) = first {
                let _ = first.focus();
            }
        });
    });
    let close_to_button = move || {
        open.set(false);
        if let Some(button) = button.get_untracked() {
            let _ = button.focus();
        }
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if !open.get_untracked() {
            return;
        }
        if ev.key() == "Escape" {
            ev.prevent_default();
            close_to_button();
            return;
        }
        if let Some(root) = switcher.get_untracked() {
            move_among(&ev, &shown_within(&root, SWITCHER_ENTRIES));
        }
    };
    // Focus leaving the switcher (Tab past its last entry, a click elsewhere) closes it.
    let on_focusout = move |ev: web_sys::FocusEvent| {
        let Some(root) = switcher.get_untracked() else {
            return;
        };
        let to = ev
            .related_target()
            .and_then(|target| wasm_bindgen::JsCast::dyn_into::<web_sys::Node>(target).ok());
        if to.is_some_and(|to| !root.contains(Some(&to))) {
            open.set(false);
        }
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = spaces.await.unwrap_or_default();
                let here = current_space();
                let current = list.iter().find(|s| s.id == here).cloned()?;
                let searchable = list.len() >= SEARCH_FROM;
                let all = StoredValue::new(list);
                let shown = move || {
                    let needle = query.get().search_folded();
                    all.with_value(|list| {
                        list.iter()
                            .filter(|s| needle.is_empty() || s.name.search_folded().contains(&needle) || s.id.contains(&needle))
                            .cloned()
                            .collect::<Vec<_>>()
                    })
                };
                Some(view! {
                    <div class="space-switcher" node_ref=switcher on:keydown=on_keydown on:focusout=on_focusout>
                        <button
                            node_ref=button
                            type="button"
                            class="space-button"
                            aria-label=current.switcher_label(upper_cased)
                            aria-expanded=move || open.get().to_string()
                            aria-haspopup="dialog"
                            data-testid="spaces-nav"
                            title=format!("Current space: {}", current.name)
                            on:click=move |_| open.update(|o| *o = !*o)
                        >
                            <SpaceAvatar space=current.clone() />
                        </button>
                        <Show when=move || open.get()>
                            <div class="space-popover panel" role="dialog" aria-label="Spaces" data-testid="spaces-popover">
                                <p class="space-popover-title">"Spaces"</p>
                                <Show when=move || searchable>
                                    <input type="search" class="input" placeholder="Find a space" aria-label="Find a space"
                                        data-testid="spaces-search"
                                        prop:value=move || query.get()
                                        on:input:target=move |ev| query.set(ev.target().value()) />
                                </Show>
                                <ul class="space-list">
                                    {move || {
                                        let list = shown();
                                        if list.is_empty() {
                                            return view! { <li class="muted small">"No spaces match your search."</li> }.into_any();
                                        }
                                        list.into_iter().map(|space| {
                                            let id = space.id.clone();
                                            let is_current = space.id == current_space();
                                            view! {
                                                <li>
                                                    <button type="button" class="space-option" data-testid="space-option" data-space=space.id.clone()
                                                        aria-current=is_current.then_some("true")
                                                        on:click=move |_| enter_space(&id, "/")>
                                                        <SpaceAvatar space=space.clone() size="space-avatar-small" />
                                                        <span>{space.name.clone()}</span>
                                                        {is_current.then(|| view! { <span class="muted small">"current"</span> })}
                                                    </button>
                                                </li>
                                            }
                                        }).collect_view().into_any()
                                    }}
                                </ul>
                                <Show when=may_manage>
                                    <a class="btn btn-small space-manage" data-testid="spaces-manage" href=crate::state::space_path(SPACES_PATH)>"Manage spaces"</a>
                                </Show>
                            </div>
                        </Show>
                    </div>
                })
            })}
        </Transition>
    }
}

/// Renders `children` only in a space the user may enter; otherwise says why, clearly.
#[component]
pub fn SpaceGate(children: ChildrenFn) -> impl IntoView {
    let api = expect_api();
    let children = StoredValue::new(children);
    if in_default_space() {
        return children.with_value(|c| c()).into_any();
    }
    let id = current_space();
    let check = LocalResource::new(move || {
        let id = current_space();
        async move { api.get_space(&id).await }
    });
    view! {
        <Transition fallback=|| view! { <div class="page-loading" aria-busy="true"><div class="spinner"></div></div> }>
            {move || {
                let id = id.clone();
                Suspend::new(async move {
                    match check.await {
                        Ok(_) => children.with_value(|c| c()).into_any(),
                        Err(error) => {
                            let (title, text) = if error.status == 403 || error.status == 404 {
                                (
                                    format!("You can't enter the space “{id}”"),
                                    "It does not exist, or your roles do not grant access to it. Ask an administrator to add it to one of your roles.".to_string(),
                                )
                            } else {
                                ("Could not open this space".to_string(), error.toast_text())
                            };
                            view! {
                                <main class="app-main" id="main" tabindex="-1">
                                    <section class="panel empty-state" data-testid="space-denied" role="alert">
                                        <div class="empty-icon" aria-hidden="true">"⊘"</div>
                                        <h1>{title}</h1>
                                        <p class="muted">{text}</p>
                                        <a class="btn btn-primary" href=SPACE_SELECTOR_PATH rel="external" data-testid="space-denied-select">"Go to your spaces"</a>
                                    </section>
                                </main>
                            }
                            .into_any()
                        }
                    }
                })
            }}
        </Transition>
    }
    .into_any()
}
