//! The parts every page of Gatehouse's start set needs, and nothing else: a router with a sign-in
//! route and a leads route, a sign-in form posted as JSON by an action, two reads (privileges,
//! then a page of leads) behind `Suspense` and `ErrorBoundary`, a keyed list of cards, a button
//! closed with its reason, a next-page button and a list of toasts. `cargo xtask bench` weighs its
//! release build next to the SPA's (BENCHMARKS.md section 1, the Leptos floor): it is never served.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;
use serde::{Deserialize, Serialize};

#[derive(Clone, Deserialize)]
struct Privileges {
    read: bool,
    write: bool,
}

#[derive(Clone, Deserialize)]
struct Lead {
    id: String,
    title: String,
    byline: String,
    tags: Vec<String>,
    priority: u32,
}

#[derive(Clone, Deserialize)]
struct LeadPage {
    leads: Vec<Lead>,
    total: u32,
}

#[derive(Serialize)]
struct Credentials {
    username: String,
    password: String,
}

#[derive(Clone, Debug)]
struct Failure(String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failure {}

fn failure(e: impl std::fmt::Display) -> Failure {
    Failure(e.to_string())
}

async fn read<T: for<'de> Deserialize<'de>>(url: String) -> Result<T, Failure> {
    let answer = gloo_net::http::Request::get(&url)
        .send()
        .await
        .map_err(failure)?;
    if !answer.ok() {
        return Err(Failure(answer.text().await.unwrap_or_default()));
    }
    answer.json().await.map_err(failure)
}

#[derive(Clone, Copy)]
struct Toasts(RwSignal<Vec<(usize, String)>>);

#[component]
fn SignIn() -> impl IntoView {
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let toasts = expect_context::<Toasts>();
    let sign_in = Action::new_local(|credentials: &Credentials| {
        let body = serde_json::to_string(credentials).unwrap_or_default();
        async move {
            gloo_net::http::Request::post("/internal/security/login")
                .header("kbn-xsrf", "true")
                .body(body)
                .map_err(failure)?
                .send()
                .await
                .map(drop)
                .map_err(failure)
        }
    });
    Effect::new(move |_| {
        if let Some(Err(e)) = sign_in.value().get() {
            toasts.0.update(|t| t.push((t.len(), e.to_string())));
        }
    });
    view! {
        <form on:submit=move |ev| {
            ev.prevent_default();
            sign_in.dispatch(Credentials { username: username.get(), password: password.get() });
        }>
            <label>"Username" <input bind:value=username /></label>
            <label>"Password" <input type="password" bind:value=password /></label>
            <button type="submit" disabled=move || sign_in.pending().get()>"Log in"</button>
        </form>
    }
}

#[component]
fn Leads() -> impl IntoView {
    let privileges = LocalResource::new(|| {
        read::<Privileges>("/internal/entity_analytics/leads/privileges".into())
    });
    let page = RwSignal::new(1u32);
    let leads = LocalResource::new(move || {
        read::<LeadPage>(format!(
            "/internal/entity_analytics/leads?page={}",
            page.get()
        ))
    });
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! {
                <p role="alert">
                    {move || errors.get().into_iter().map(|(_, e)| e.to_string()).collect::<Vec<_>>().join(", ")}
                </p>
            }>
                {move || Suspend::new(async move {
                    let privileges = privileges.await?;
                    let LeadPage { leads, total } = leads.await?;
                    let closed = !privileges.write;
                    Ok::<_, Failure>(privileges.read.then(move || view! {
                        <button disabled=closed title=closed.then_some("Missing privilege: write")>"Generate"</button>
                        <ul>
                            <For each=move || leads.clone() key=|lead| lead.id.clone() let:lead>
                                <li class="lead-card">
                                    <span>"P" {lead.priority}</span>
                                    <h3>{lead.title}</h3>
                                    <p>{lead.byline}</p>
                                    {lead.tags.into_iter().map(|tag| view! { <span class="tag">{tag}</span> }).collect_view()}
                                </li>
                            </For>
                        </ul>
                        <p>{format!("{total} leads")}</p>
                        <button on:click=move |_| page.update(|p| *p += 1)>"Next"</button>
                    }))
                })}
            </ErrorBoundary>
        </Suspense>
    }
}

fn main() {
    leptos::mount::mount_to_body(|| {
        let toasts = Toasts(RwSignal::new(Vec::new()));
        provide_context(toasts);
        view! {
            <Router>
                <nav><A href="/app/security/entity_analytics">"Entity analytics"</A></nav>
                <main>
                    <Routes fallback=|| "Not found">
                        <Route path=path!("/login") view=SignIn />
                        <Route path=path!("/app/security/entity_analytics") view=Leads />
                    </Routes>
                </main>
                <div aria-live="polite">
                    <For each=move || toasts.0.get() key=|toast| toast.0 let:toast>
                        <div class="toast">{toast.1}</div>
                    </For>
                </div>
            </Router>
        }
    })
}
