//! Sign-in with username and password; returns the user to where they were going.

use gatehouse_api::last_space::{landing, Landing};
use gatehouse_api::security::LoginRequest;
use gatehouse_api::spaces::DEFAULT_SPACE_ID;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::expect_api;
use crate::app::home_path;
use crate::components::FormError;
use crate::routes::replacing;
use crate::state::{expect_session, SessionStatus};

/// Only same-origin paths: `next` must never send the user to another site.
pub fn safe_next(next: Option<String>) -> Option<String> {
    next.filter(|path| {
        path.starts_with('/')
            && !path.starts_with("//")
            && !path.starts_with("/\\")
            && !path.starts_with("/login")
    })
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let api = expect_api();
    let session = expect_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submitting = RwSignal::new(false);

    // Already signed in (or just signed in): go where the user was headed.
    Effect::new(move |_| {
        if let SessionStatus::SignedIn { capabilities, .. } = session.status.get() {
            let next = safe_next(query.with_untracked(|q| q.get("next")));
            let home = home_path(&capabilities)
                .map(str::to_string)
                .unwrap_or_else(|| "/".into());
            let navigate = navigate.clone();
            let go = move |target: &str| navigate(target, replacing());
            match next {
                Some(target) => go(&target),
                // With no destination: back to the last space the user worked in while they may
                // still enter it; else a user with several spaces first picks one
                // (docs/spaces.md "The last space").
                None if crate::state::space::in_default_space() => spawn_local(async move {
                    let (spaces, last) =
                        futures::join!(api.list_spaces(), crate::state::space::last_space(api));
                    let spaces = spaces.unwrap_or_default();
                    match landing(last.as_deref(), &spaces) {
                        Landing::Space(id) if id != DEFAULT_SPACE_ID => {
                            crate::components::spaces::enter_space(&id, "/")
                        }
                        Landing::Selector => go(crate::routes::SPACE_SELECTOR_PATH),
                        Landing::Space(_) | Landing::Home => go(&home),
                    }
                }),
                None => go(&home),
            }
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if submitting.get_untracked() {
            return;
        }
        let user = username.get_untracked().trim().to_string();
        let pass = password.get_untracked();
        if user.is_empty() || pass.is_empty() {
            error.set(Some("Enter your username and password.".into()));
            return;
        }
        submitting.set(true);
        error.set(None);
        let current_url = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        spawn_local(async move {
            match api
                .login(&LoginRequest::basic(&user, &pass, &current_url))
                .await
            {
                Ok(_) => {
                    password.set(String::new());
                    session.refresh(api).await;
                }
                Err(err) if err.status == 401 => error.set(Some(err.message)),
                Err(err) => error.set(Some(format!("Sign-in failed: {}", err.toast_text()))),
            }
            submitting.set(false);
        });
    };

    view! {
        <main class="login-page">
            <div class="login-card panel">
                <div class="login-brand">
                    <svg class="brand-mark brand-mark-lg" viewBox="0 0 32 32" aria-hidden="true">
                        <rect width="32" height="32" rx="7" fill="#24344d" />
                        <path d="M9 25V13l7-5 7 5v12h-5v-6h-4v6z" fill="#36c5b5" />
                    </svg>
                    <h1>"Welcome to Gatehouse"</h1>
                    <p class="muted">"Sign in to your security console"</p>
                </div>
                <form class="login-form" on:submit=on_submit novalidate>
                    <FormError error=error testid="login-error" />
                    <label class="field">
                        <span class="field-label">"Username"</span>
                        <input
                            id="login-username"
                            name="username"
                            type="text"
                            autocomplete="username"
                            autofocus
                            required
                            prop:value=move || username.get()
                            on:input:target=move |ev| username.set(ev.target().value())
                        />
                    </label>
                    <label class="field">
                        <span class="field-label">"Password"</span>
                        <input
                            id="login-password"
                            name="password"
                            type="password"
                            autocomplete="current-password"
                            required
                            prop:value=move || password.get()
                            on:input:target=move |ev| password.set(ev.target().value())
                        />
                    </label>
                    <button id="login-submit" type="submit" class="btn btn-primary btn-block" disabled=move || submitting.get()>
                        {move || if submitting.get() { "Signing in…" } else { "Log in" }}
                    </button>
                </form>
            </div>
        </main>
    }
}
