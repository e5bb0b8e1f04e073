//! Entity analytics: the threat-hunting leads section, driven by the caller's privileges.
//!
//! Privileges are read on load and again on every recheck of the session, so access an
//! administrator grants or takes away shows without a reload. Without `read` the section is not
//! rendered and no leads or status request is sent; with `read` only, writing is closed with a
//! reason; any later 403 narrows what the section allows instead of pretending the list is empty.

mod callout;
mod changes;
mod changes_list;
mod connector;

pub use changes::{forget_all_cursors, UnseenLeadChanges};
pub(crate) use changes_list::WhatChangedList;

use std::sync::Arc;

use gatehouse_api::access::Requirement;
use gatehouse_api::announce::{announcement, StatusChange};
use gatehouse_api::leads::{
    entity_icon_class, missing_privilege_text, priority_badge_class, priority_badge_text,
    priority_text, staleness_class, texts, title_text, FindLeadsQuery, GenerateRequest,
    GenerationProgress, Lead, LeadsAccess, LeadsPage, LeadsPrivileges, LeadsStatus, PagePosition,
    Privilege, SortField, SortOrder, PAGE_SIZES, STATUS_POLL_ATTEMPTS, STATUS_POLL_MS,
};
use gatehouse_api::leads_page::connector_gate::EMPTY_BODY_CHOOSE_CONNECTOR;
use gatehouse_api::leads_page::{missing_privileges, MissingPrivilege, PageAccessFacts, PagePart};
use gatehouse_api::ApiError;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::tachys::view::keyed::keyed;
use leptos::task::spawn_local;

use crate::api::{expect_api, ApiClient};
use crate::components::lead_card::{lead_card, lead_list};
use crate::components::{open_while_some, GuardedButton, Modal, WhyDialog};
use crate::components::{AppGate, AppPage};
use crate::format::{local_time, relative_time};
use crate::lazy_dialogs::{DialogBody, LazyDialogBody};
use crate::state::{expect_toasts, scoped_mirror, Session, Toasts};

#[component]
pub fn EntityAnalyticsPage() -> impl IntoView {
    view! {
        <AppPage title="Entity analytics" subtitle="Risky hosts, users and services, ranked into leads worth hunting.">
            <AppGate nav_link="securitySolutionUI" app="Entity analytics" reason="Your roles do not grant the Security feature privilege (securitySolution) in this space." feature="securitySolution">
                <LeadsSection />
            </AppGate>
        </AppPage>
    }
}

/// Everything the section's parts share; `Copy`, so every closure can hold it.
#[derive(Clone, Copy)]
struct LeadsState {
    api: ApiClient,
    toasts: Toasts,
    access: RwSignal<LeadsAccess>,
    query: RwSignal<FindLeadsQuery>,
    reload: RwSignal<u32>,
    generating: RwSignal<bool>,
    /// Total of the last successful find; the toolbar reads it instead of the resource, so only
    /// `LeadsBody` reads the resource.
    total: RwSignal<Option<u64>>,
    /// Which missing privilege the "Why?" panel explains, when it is open.
    why: RwSignal<Option<Requirement>>,
    /// The part of the page whose callout line opened "Why?".
    why_part: RwSignal<Option<PagePart>>,
    /// `/privileges` said `write` is missing, or a write was refused.
    write_missing: RwSignal<bool>,
    /// The refusal the connector list got, for the privileges callout.
    connectors_denial: RwSignal<Option<String>>,
    /// The message of the refusal that hid the section, so the note names what the server
    /// refused (the index privilege or the Kibana feature privilege), not a guess.
    hidden_by: RwSignal<Option<String>>,
    selected: RwSignal<Option<Lead>>,
    /// The connectors and the space's choice.
    connector: connector::ConnectorChoice,
    /// What changed since the user's last visit.
    changes: changes::Changes,
}

impl LeadsState {
    /// A 403 proves the privilege is gone, whatever `/privileges` said.
    fn denied(&self, privilege: Privilege) {
        if privilege == Privilege::Write {
            let _ = self.write_missing.try_set(true);
        }
        let _ = self
            .access
            .try_update(|access| *access = access.after_denial(privilege));
    }

    /// A 403 on a read: the section goes, and its note names what this refusal says is missing.
    fn refused_read(&self, error: &ApiError) {
        let _ = self.hidden_by.try_set(Some(error.message.clone()));
        self.denied(Privilege::Read);
    }

    /// Every privilege the page lacks, for the one callout.
    fn missing_privileges(&self) -> Memo<Vec<MissingPrivilege>> {
        let state = *self;
        let space = crate::state::space::current_space();
        // Without a session in context (component tests), the Search app is taken as open.
        let session = use_context::<Session>();
        Memo::new(move |_| {
            let search_app = session.is_none_or(|session| {
                session
                    .capabilities()
                    .nav_link(gatehouse_api::search::APP_ID)
            });
            state.hidden_by.with(|read_denial| {
                state.connectors_denial.with(|connectors_denial| {
                    missing_privileges(&PageAccessFacts {
                        access: state.access.get(),
                        read_denial: read_denial.as_deref(),
                        write_missing: state.write_missing.get(),
                        connectors_denial: connectors_denial.as_deref(),
                        search_app,
                        space: &space,
                    })
                })
            })
        })
    }

    fn refresh(&self) {
        let _ = self.reload.try_update(|n| *n += 1);
    }
}

#[component]
pub fn LeadsSection() -> impl IntoView {
    intern_card_strings();
    let state = LeadsState {
        api: expect_api(),
        toasts: expect_toasts(),
        access: RwSignal::new(LeadsAccess::Loading),
        query: RwSignal::new(query_from_url()),
        reload: RwSignal::new(0),
        generating: RwSignal::new(false),
        total: RwSignal::new(None),
        why: RwSignal::new(None),
        why_part: RwSignal::new(None),
        write_missing: RwSignal::new(false),
        connectors_denial: RwSignal::new(None),
        hidden_by: RwSignal::new(None),
        selected: RwSignal::new(None),
        connector: connector::ConnectorChoice::new(),
        changes: changes::Changes::new(),
    };
    let privileges_error = RwSignal::new(None::<ApiError>);
    // The answer the section shows, so a recheck that reads the same answer changes nothing.
    let applied = StoredValue::new(None::<LeadsPrivileges>);
    let apply_privileges = move |privileges: LeadsPrivileges| {
        let _ = state.hidden_by.try_set(None);
        let _ = state
            .write_missing
            .try_set(!privileges.has_write_permissions);
        let _ = state
            .access
            .try_set(LeadsAccess::from_privileges(&privileges));
        let _ = applied.try_set_value(Some(privileges));
    };
    let check_privileges = move || {
        spawn_local(async move {
            match state.api.leads_privileges().await {
                Ok(privileges) => apply_privileges(privileges),
                Err(error) => {
                    state.toasts.api_error(texts::FETCH_FAILED, &error);
                    if error.is_permission_denied() {
                        let _ = state.hidden_by.try_set(Some(error.message.clone()));
                        let _ = state.access.try_set(LeadsAccess::Hidden);
                    } else {
                        let _ = privileges_error.try_set(Some(error));
                    }
                }
            }
        });
    };
    let retry_privileges = move || {
        privileges_error.set(None);
        state.access.set(LeadsAccess::Loading);
        check_privileges();
    };
    // On every recheck of the session (`app::watch_privileges`): the answer depends on the
    // roles' index privileges too, which an administrator can change without the roles' names or
    // the capabilities changing. A new answer widens or narrows the section at once; the same
    // answer changes nothing; a failed read waits for the next recheck (the read on load already
    // said what failed, and a toast every few seconds would only repeat it).
    if let Some(session) = use_context::<Session>() {
        Effect::new(move |seen: Option<u32>| {
            let rechecks = session.rechecked.get();
            if seen.is_some_and(|seen| seen != rechecks)
                && privileges_error.with_untracked(Option::is_none)
            {
                spawn_local(async move {
                    let Ok(privileges) = state.api.leads_privileges().await else {
                        return;
                    };
                    let Some(access) = state.access.try_get_untracked() else {
                        return;
                    };
                    let changed = applied
                        .try_with_value(|last| access.reread_applies(last.as_ref(), &privileges));
                    if changed == Some(true) {
                        apply_privileges(privileges);
                    }
                });
            }
            rechecks
        });
    }

    let may_fetch = Memo::new(move |_| state.access.get().may_fetch());
    let leads = LocalResource::new(move || {
        let allowed = may_fetch.get();
        let query = state.query.get();
        state.reload.track();
        async move {
            if !allowed {
                return None;
            }
            Some(fetch_leads(state, query).await)
        }
    });
    let status = status_resource(state, may_fetch);
    // The connectors and what changed: once the leads may be read, and again if read comes back.
    // The connectors also when the roles change while the leads stay readable: listing them
    // needs the Actions feature, which a role can grant apart from the leads.
    let roles_changed = use_context::<Session>().map(|session| session.privileges_changed);
    Effect::new(move |before: Option<(bool, u32)>| {
        let allowed = may_fetch.get();
        let roles = roles_changed.map_or(0, |changes| changes.get());
        let was_allowed = before.is_some_and(|(allowed, _)| allowed);
        if allowed && !was_allowed {
            connector::load_connectors(state);
            changes::follow(state);
        } else if allowed && before.is_some_and(|(_, seen)| seen != roles) {
            connector::load_connectors(state);
        }
        (allowed, roles)
    });
    // Spawned after the resources' own tasks: an answer that is already there
    // (`ApiClient::read_early`) arrives at once, and a resource, created but not yet running,
    // missed it (tests/leads_section.rs, privileges read early).
    check_privileges();
    // The server's first paint of this section (`src/first_paint.rs`) goes once the section has
    // all it shows (the first page of leads and the last run), so nothing moves at the hand-over;
    // or at once when there are no leads to show after all. Without it the effect reads nothing,
    // so page switches do not run it (run on each, it left 9 bytes of wasm heap behind).
    Effect::new(move |_| {
        if !crate::first_paint::is_shown() {
            return;
        }
        // A resource keeps its last value while it reads anew: "not readable yet" is not an
        // answer, or the hand-over would come before the last run and move the page.
        // The connector picker and Generate too: both change with the space's choice.
        let drawn = leads.get().flatten().is_some()
            && status.get().flatten().is_some()
            && state.connector.is_known();
        let none =
            state.access.get() == LeadsAccess::Hidden || privileges_error.with(Option::is_some);
        if drawn || none {
            crate::first_paint::release();
        }
    });

    let missing = state.missing_privileges();
    view! {
        <callout::PrivilegesCallout lines=missing why=state.why why_part=state.why_part />
        <Show when=move || state.access.get().is_rendered()>
            <section class="panel leads-section" data-testid="leads-section" aria-labelledby="leads-title" aria-busy=move || (state.access.get() == LeadsAccess::Loading).then_some("true")>
                <header class="section-header">
                    <div>
                        <h2 id="leads-title">{texts::SECTION_TITLE}</h2>
                        <LastRun status />
                    </div>
                    <Toolbar state />
                </header>
                <Show when=move || privileges_error.with(Option::is_some)>
                    <div class="callout callout-danger" role="alert">
                        <p class="callout-title">"Could not check your privileges"</p>
                        <p>{move || privileges_error.get().map(|e| e.toast_text()).unwrap_or_default()}</p>
                        <button type="button" class="btn" data-testid="leads-privileges-retry" on:click=move |_| retry_privileges()>"Try again"</button>
                    </div>
                </Show>
                <changes::WhatChangedSummary state />
                <Filters state />
                <LeadsBody state leads />
                <LeadDetail state />
            </section>
        </Show>
        <WhyDialog requirement=state.why title=Signal::derive(move || callout::why_title(state.why_part.get())) testid="leads-why-panel" />
    }
}

/// A page of leads as the section holds it. Reading a resource clones its value, and a page of
/// 100 leads is read on every switch: shared, the leads themselves are never copied.
#[derive(Clone, Default)]
struct ShownPage {
    leads: Arc<[Arc<Lead>]>,
    total: u64,
    page: u32,
    per_page: u32,
}

/// The same answer, not equal leads: a page read again is shown again (its cards keyed).
impl PartialEq for ShownPage {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.leads, &other.leads)
            && (self.total, self.page, self.per_page) == (other.total, other.page, other.per_page)
    }
}

impl ShownPage {
    fn new(page: LeadsPage, query: &FindLeadsQuery) -> Self {
        Self {
            leads: page.leads.0.into_iter().map(Arc::new).collect(),
            total: page.total,
            page: page.page.max(1),
            per_page: query.per_page,
        }
    }

    fn position(&self) -> PagePosition {
        PagePosition::new(self.page, self.per_page, self.leads.len(), self.total)
    }
}

async fn fetch_leads(state: LeadsState, query: FindLeadsQuery) -> Result<ShownPage, ApiError> {
    let result = state
        .api
        .find_leads(&query)
        .await
        .map(|page| ShownPage::new(page, &query));
    bench_mark("gatehouse:leads-parsed");
    match &result {
        Ok(page) => {
            let _ = state.total.try_set(Some(page.total));
        }
        Err(error) if error.is_index_not_found() => {
            let _ = state.total.try_set(Some(0));
        }
        Err(_) => {}
    }
    if let Err(error) = &result {
        if error.is_index_not_found() {
            return result;
        }
        state.toasts.api_error(texts::FETCH_FAILED, error);
        if error.is_permission_denied() {
            state.refused_read(error);
        }
    }
    result
}

/// `performance.mark(name)`, read by `cargo xtask bench` (BENCHMARKS.md) to split an update into the
/// answer's parsing and its rendering. The previous mark of that name goes first, so a long
/// session keeps one entry per name.
fn bench_mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        performance.clear_marks_with_mark_name(name);
        let _ = performance.mark(name);
    }
}

type LeadsResource = LocalResource<Option<Result<ShownPage, ApiError>>>;

#[component]
fn Toolbar(state: LeadsState) -> impl IntoView {
    let has_leads = move || state.total.get().is_some_and(|total| total > 0);
    let label = Signal::derive(move || {
        if state.generating.get() {
            "Generating…".to_string()
        } else if has_leads() {
            texts::REGENERATE.to_string()
        } else {
            texts::GENERATE.to_string()
        }
    });
    let blocked = connector::generate_blocked(state);
    view! {
        <div class="toolbar">
            <connector::ConnectorPicker state />
            <GuardedButton
                label
                blocked
                busy=state.generating
                on_press=Callback::new(move |_| start_generation(state))
                class="btn-primary"
                testid="leads-generate"
            />
        </div>
    }
}

/// Fire-and-forget generation: the answer only carries an id; success or failure comes later
/// through `/status`, polled every 2 s like Kibana does.
fn start_generation(state: LeadsState) {
    if state.generating.get_untracked() {
        return;
    }
    // Closed until there is one (`connector::generate_blocked`).
    let Some(connector_id) = state.connector.for_generate() else {
        return;
    };
    state.generating.set(true);
    // The button's new label is not read out; the outcome comes as a toast.
    state
        .toasts
        .announce(announcement(StatusChange::GenerationStarted));
    spawn_local(async move {
        let request = GenerateRequest {
            connector_id,
            max_leads: None,
        };
        match state.api.generate_leads(&request).await {
            Ok(started) => {
                state.toasts.success(texts::GENERATE_STARTED, "");
                poll_generation(state, &started.execution_uuid).await;
            }
            Err(error) => {
                state.toasts.api_error(texts::GENERATE_FAILED, &error);
                if error.is_permission_denied() {
                    state.denied(Privilege::Write);
                }
            }
        }
        let _ = state.generating.try_set(false);
    });
}

async fn poll_generation(state: LeadsState, execution_uuid: &str) {
    for _ in 0..STATUS_POLL_ATTEMPTS {
        TimeoutFuture::new(STATUS_POLL_MS).await;
        match state.api.leads_status().await {
            Ok(status) => match status.progress_of(execution_uuid) {
                GenerationProgress::Running => continue,
                GenerationProgress::Succeeded => {
                    let found = status.total_leads;
                    let noun = if found == 1 { "lead" } else { "leads" };
                    state.toasts.success(
                        texts::GENERATE_DONE,
                        &format!("{found} hunting {noun} ready."),
                    );
                    state.refresh();
                    changes::follow(state);
                    return;
                }
                GenerationProgress::Failed(message) => {
                    state.toasts.error(texts::GENERATE_FAILED, &message);
                    if message.starts_with("security_exception") {
                        state.denied(Privilege::Write);
                    }
                    return;
                }
            },
            Err(error) => {
                state.toasts.api_error(texts::STATUS_FAILED, &error);
                if error.is_permission_denied() {
                    state.refused_read(&error);
                }
                return;
            }
        }
    }
    state.toasts.warning(texts::GENERATE_SLOW, "");
}

/// `None` until the status may be read; then the last generation run's status, or `None` if it
/// could not be read (the failure is toasted).
type StatusResource = LocalResource<Option<Option<LeadsStatus>>>;

fn status_resource(state: LeadsState, may_fetch: Memo<bool>) -> StatusResource {
    LocalResource::new(move || {
        let allowed = may_fetch.get();
        state.reload.track();
        async move {
            if !allowed {
                return None;
            }
            match state.api.leads_status().await {
                Ok(status) => Some(Some(status)),
                Err(error) => {
                    state.toasts.api_error(texts::STATUS_FAILED, &error);
                    if error.is_permission_denied() {
                        state.refused_read(&error);
                    }
                    Some(None)
                }
            }
        }
    })
}

#[component]
fn LastRun(status: StatusResource) -> impl IntoView {
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let status = status.await.flatten()?;
                let last_run = status.last_run.map(|last_run| view! {
                    <p class="muted small" data-testid="leads-last-run">
                        "Last generated "<time datetime=last_run.clone() title=local_time(&last_run)>{relative_time(&last_run)}</time>
                    </p>
                });
                // Kept with the status, so everyone sees why the leads did not move.
                let last_error = status.last_error.filter(|e| !e.is_empty()).map(|error| view! {
                    <p class="small last-error" data-testid="leads-last-error">"Last run failed: "{error}</p>
                });
                Some(view! { {last_run}{last_error} })
            })}
        </Transition>
    }
}

/// The statuses the list filters by (`?status=` in the URL, and the Status select).
const STATUSES: [(&str, &str); 3] = [
    ("active", "Active"),
    ("dismissed", "Dismissed"),
    ("expired", "Expired"),
];

/// The list's first query, from the page's URL where it says (`?status=dismissed&sortField=
/// timestamp&sortOrder=desc`, the leads find's own parameters): a dashboard's leads panel links
/// here with the status and order it counts in (docs/panels.md). Unknown values are ignored.
fn query_from_url() -> FindLeadsQuery {
    let mut query = FindLeadsQuery::default();
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    for pair in search.trim_start_matches('?').split('&') {
        match pair.split_once('=') {
            Some(("status", value)) => {
                if let Some((status, _)) = STATUSES.iter().find(|(s, _)| *s == value) {
                    query.status = Some(status.to_string());
                }
            }
            Some(("sortField", "priority")) => query.sort_field = SortField::Priority,
            Some(("sortField", "timestamp")) => query.sort_field = SortField::Timestamp,
            Some(("sortOrder", "asc")) => query.sort_order = SortOrder::Asc,
            Some(("sortOrder", "desc")) => query.sort_order = SortOrder::Desc,
            _ => {}
        }
    }
    query
}

#[component]
fn Filters(state: LeadsState) -> impl IntoView {
    let chosen = state.query.get_untracked().status;
    let sort = state.query.with_untracked(|q| (q.sort_field, q.sort_order));
    let set_query = move |change: fn(&mut FindLeadsQuery, &str), value: String| {
        state.query.update(|query| {
            change(query, &value);
            query.page = 1;
        });
    };
    view! {
        <div class="filters" role="group" aria-label="Lead filters">
            <label class="inline-field">
                <span>"Status"</span>
                <select data-testid="leads-status-filter" on:change:target=move |ev| set_query(|q, v| q.status = Some(v.to_string()), ev.target().value())>
                    {STATUSES.iter().map(|(value, label)| view! {
                        <option value=*value selected=chosen.as_deref() == Some(*value)>{*label}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="inline-field">
                <span>"Sort by"</span>
                <select data-testid="leads-sort" on:change:target=move |ev| set_query(
                    |q, v| {
                        (q.sort_field, q.sort_order) = match v {
                            "newest" => (SortField::Timestamp, SortOrder::Desc),
                            "oldest" => (SortField::Timestamp, SortOrder::Asc),
                            "priority-asc" => (SortField::Priority, SortOrder::Asc),
                            _ => (SortField::Priority, SortOrder::Desc),
                        }
                    },
                    ev.target().value(),
                )>
                    {[
                        ("priority-desc", "Highest priority", SortField::Priority, SortOrder::Desc),
                        ("priority-asc", "Lowest priority", SortField::Priority, SortOrder::Asc),
                        ("newest", "Newest", SortField::Timestamp, SortOrder::Desc),
                        ("oldest", "Oldest", SortField::Timestamp, SortOrder::Asc),
                    ].into_iter().map(|(value, label, field, order)| view! {
                        <option value=value selected=sort == (field, order)>{label}</option>
                    }).collect_view()}
                </select>
            </label>
        </div>
    }
}

/// The page of leads, or what stands in for it. Read as a plain reactive value rather than in
/// `<Transition>` + `Suspend`: the resource keeps its last page while the next one loads, which
/// is the same "previous page until the next arrives", and Leptos 0.8's `Suspend` left about
/// 80 bytes of wasm heap behind on every page switch (`tests/leads_section.rs`, page switches
/// leave nothing behind; `cargo xtask bench`, memory).
#[component]
fn LeadsBody(state: LeadsState, leads: LeadsResource) -> impl IntoView {
    let skeleton = || {
        view! {
            <ul class="lead-grid" aria-hidden="true">
                {(0..6).map(|_| view! { <li class="lead-card skeleton"><span></span><span></span><span></span></li> }).collect_view()}
            </ul>
        }
    };
    let body = Memo::new(move |_| match leads.get().flatten() {
        None => Body::Loading,
        Some(Ok(page)) if page.total == 0 || page.leads.is_empty() && page.page == 1 => Body::Empty,
        Some(Err(error)) if error.is_index_not_found() => Body::Empty,
        Some(Ok(_)) => Body::Leads,
        Some(Err(error)) => Body::Failed(error.toast_text()),
    });
    // The page on screen, kept while another state stands in for it. The grid stays as it is
    // from page to page and its keyed list updates the cards by lead.
    let page = Memo::new(
        move |shown: Option<&ShownPage>| match leads.get().flatten() {
            Some(Ok(page)) => page,
            _ => shown.cloned().unwrap_or_default(),
        },
    );
    move || {
        match body.get() {
        Body::Loading => skeleton().into_any(),
        Body::Empty => view! { <EmptyState state /> }.into_any(),
        Body::Leads => view! { <LeadGrid state page /> }.into_any(),
        Body::Failed(text) => view! {
            <div class="callout callout-danger" role="alert" data-testid="leads-error">
                <p class="callout-title">{texts::FETCH_FAILED}</p>
                <p>{text}</p>
                <button type="button" class="btn" data-testid="leads-retry" on:click=move |_| state.refresh()>"Try again"</button>
            </div>
        }
        .into_any(),
    }
    }
}

/// What the leads section's body shows.
#[derive(Clone, PartialEq)]
enum Body {
    Loading,
    Empty,
    Failed(String),
    Leads,
}

#[component]
fn EmptyState(state: LeadsState) -> impl IntoView {
    let filtered = move || state.query.with(|q| q.status.as_deref() != Some("active"));
    view! {
        <div class="empty-state" data-testid="leads-empty">
            <svg class="empty-icon-svg" viewBox="0 0 48 48" aria-hidden="true">
                <circle cx="21" cy="21" r="12" fill="none" stroke="currentColor" stroke-width="3" />
                <path d="M30 30l10 10M21 15v12M15 21h12" stroke="currentColor" stroke-width="3" stroke-linecap="round" />
            </svg>
            <h3>{move || if filtered() { "No leads with this status" } else { texts::EMPTY_TITLE }}</h3>
            <p class="muted">{move || if filtered() {
                "Choose another status to see other leads."
            } else if state.access.get() == LeadsAccess::ReadOnly {
                texts::EMPTY_BODY_READ_ONLY
            } else if state.connector.none_chosen() {
                EMPTY_BODY_CHOOSE_CONNECTOR
            } else {
                texts::EMPTY_BODY
            }}</p>
        </div>
    }
}

#[component]
fn LeadGrid(state: LeadsState, page: Memo<ShownPage>) -> impl IntoView {
    // The list's one effect closes every card's Dismiss with this (`lead_list`); see
    // `scoped_mirror` for why not `state.access` itself.
    let dismiss_block = {
        let access = scoped_mirror(state.access);
        let viewing_as = crate::state::view_as::viewing_as();
        Signal::derive(move || {
            let own = (access.get() == LeadsAccess::ReadOnly)
                .then(|| missing_privilege_text(Privilege::Write, "dismiss leads"));
            viewing_as.with(|view| gatehouse_api::view_as::closed_reason(own, view.as_ref()))
        })
    };
    // One listener for every card's title and Dismiss instead of some per card: a page switch
    // then creates and removes no click closures (list rendering: BENCHMARKS.md section 5).
    let card_clicked = move |ev: web_sys::MouseEvent| {
        page.with_untracked(|page| match clicked_lead(&ev, &page.leads) {
            Some((lead, CardButton::Open)) => state.selected.set(Some(Lead::clone(lead))),
            // Closed with a reason, as a `GuardedButton` is: the click does nothing.
            Some((_, CardButton::Dismiss)) if dismiss_block.with_untracked(Option::is_some) => {
                ev.prevent_default();
            }
            Some((lead, CardButton::Dismiss)) => dismiss(state, lead.id.clone(), card_of(&ev)),
            None => {}
        });
    };
    // From the page on screen, not the query: until the next page arrives, this one stays.
    let position = Memo::new(move |_| page.with(ShownPage::position));
    let go_to = move |to: u32| state.query.update(|q| q.page = to);
    view! {
        // Keyed by lead: a page read again (after a dismissal) keeps the cards that stay. Not
        // `<For>`, which gives every card a reactive owner that its parent keeps a reference to
        // for as long as the list lives; a card here holds no reactive state (`lead_card`).
        <ul class="lead-grid" data-testid="lead-list" on:click=card_clicked use:lead_list=dismiss_block>
            {move || keyed(
                page.with(|p| p.leads.to_vec()),
                |lead| (lead.id.clone(), lead.status.clone()),
                move |_, lead| (drop, lead_card_item(lead, dismiss_block)),
            )}
        </ul>
        <nav class="pagination" aria-label="Lead pages">
            <span class="muted" data-testid="leads-range">{move || position.get().range_text()}</span>
            <label class="inline-field">
                <span>"Per page"</span>
                <select data-testid="leads-per-page" on:change:target=move |ev| {
                    if let Ok(size) = ev.target().value().parse() {
                        state.query.update(|q| { q.per_page = size; q.page = 1; });
                    }
                }>
                    {PAGE_SIZES.iter().map(|&size| view! {
                        <option value=size.to_string() selected={move || page.with(|p| p.per_page == size)}>{size.to_string()}</option>
                    }).collect_view()}
                </select>
            </label>
            <button type="button" class="btn" data-testid="leads-prev" disabled={move || position.get().is_first()} on:click=move |_| go_to(position.get_untracked().page.saturating_sub(1).max(1))>"‹ Previous"</button>
            <span data-testid="leads-page">{move || position.get().page_text()}</span>
            <button type="button" class="btn" data-testid="leads-next" disabled={move || position.get().is_last()} on:click=move |_| go_to(position.get_untracked().page + 1)>"Next ›"</button>
        </nav>
    }
}

/// A card's buttons, whose clicks the list takes (or keyboard activation, which clicks too).
enum CardButton {
    Open,
    Dismiss,
}

/// The lead whose title or Dismiss was clicked, and which of the two.
fn clicked_lead<'a>(
    ev: &web_sys::MouseEvent,
    leads: &'a [Arc<Lead>],
) -> Option<(&'a Lead, CardButton)> {
    use wasm_bindgen::JsCast;
    let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    let button = target
        .closest(".lead-title .link-button, [data-testid=lead-dismiss]")
        .ok()??;
    let which = if button.class_list().contains("link-button") {
        CardButton::Open
    } else {
        CardButton::Dismiss
    };
    let id = button
        .closest("[data-lead-id]")
        .ok()??
        .get_attribute("data-lead-id")?;
    let lead = leads.iter().find(|lead| lead.id == id)?;
    Some((lead, which))
}

/// The strings every lead card sends to the DOM, interned once: a page of 100 cards otherwise
/// decodes each of them from wasm memory again (list rendering: BENCHMARKS.md section 5). The text of a lead
/// (title, byline, tags, …) differs from card to card and is not interned.
fn intern_card_strings() {
    use wasm_bindgen::intern;
    // The card's `<li>` (`view!`'s); its inside is filled in by `lead_card`.
    for text in ["class", "data-testid", "data-lead-id", "lead-card", ""] {
        intern(text);
    }
    for priority in 0..=10 {
        intern(priority_badge_class(priority));
        intern(&priority_badge_text(priority));
    }
    for staleness in ["fresh", "stale", "expired"] {
        intern(staleness);
        intern(&staleness_class(staleness));
    }
    for entity_type in ["host", "user", "service", "other"] {
        intern(entity_type);
        intern(entity_icon_class(entity_type));
    }
}

/// The entity type's icon: a CSS mask over an inline SVG (style/main.css), one element instead of
/// an `<svg>` and a `<path>`.
fn entity_icon(entity_type: &str) -> impl IntoView {
    view! { <span class=entity_icon_class(entity_type) aria-hidden="true"></span> }
}

/// A plain function, not a `#[component]`: the release build erases components into `AnyView`s
/// (`xtask/src/spa_release.rs`), and boxing the 100 cards of a page slowed every page switch.
fn lead_card_item(lead: Arc<Lead>, dismiss_block: Signal<Option<String>>) -> impl IntoView {
    view! {
        <li class="lead-card" data-testid="lead-card" data-lead-id=lead.id.clone() use:lead_card=(lead, dismiss_block)></li>
    }
}

/// The card (`<li>`) a click on a card's button came from.
fn card_of(ev: &web_sys::MouseEvent) -> Option<web_sys::Element> {
    use wasm_bindgen::JsCast;
    ev.target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("[data-lead-id]")
        .ok()?
}

/// The title button of the card after `card` (before it, for the last card), where focus goes
/// when a dismissed lead's card leaves the list.
fn neighbour_title(card: &web_sys::Element) -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    let neighbour = card
        .next_element_sibling()
        .or_else(|| card.previous_element_sibling())?;
    neighbour
        .query_selector("[data-testid=lead-open]")
        .ok()??
        .dyn_into()
        .ok()
}

fn dismiss(state: LeadsState, id: String, card: Option<web_sys::Element>) {
    spawn_local(async move {
        match state.api.dismiss_lead(&id).await {
            Ok(_) => {
                state.toasts.success("Lead dismissed", "");
                // Its detail, if open, goes with it; another lead's detail opened meanwhile stays.
                if state
                    .selected
                    .with_untracked(|open| open.as_ref().is_some_and(|lead| lead.id == id))
                {
                    state.selected.set(None);
                }
                state.refresh();
                if let Some(card) = card {
                    // Chosen now: once the card is gone it has no neighbours to ask.
                    let next = neighbour_title(&card);
                    crate::components::focus::refocus_after_removal(card, move || {
                        next.clone().filter(|title| title.is_connected())
                    })
                    .await;
                }
            }
            Err(error) => {
                bench_mark("gatehouse:dismiss-failed");
                state.toasts.api_error("Failed to dismiss lead", &error);
                if error.is_permission_denied() {
                    state.denied(Privilege::Write);
                }
            }
        }
    });
}

#[component]
fn LeadDetail(state: LeadsState) -> impl IntoView {
    let open = open_while_some(state.selected);
    let title = Signal::derive(move || {
        state.selected.with(|lead| {
            lead.as_ref()
                .map(|l| title_text(&l.title).to_string())
                .unwrap_or_default()
        })
    });
    view! {
        <Modal open title testid="lead-detail" class="modal-wide">
            {move || state.selected.get().map(|lead| view! { <LeadDetailBody lead /> })}
        </Modal>
    }
}

/// In the main module, so a detail opens with its text at once (the first paint's detail,
/// `server/src/leads/first_paint.rs`, is drawn the same); its related runbooks are fetched the
/// first time a lead is opened.
#[component]
fn LeadDetailBody(lead: Lead) -> impl IntoView {
    let related_tags = lead.tags.clone();
    let related_kind = lead.entity.as_ref().map(|e| e.entity_type.clone());
    view! {
        <div class="lead-detail">
            <p class="lead-detail-meta">
                <span class=priority_badge_class(lead.priority)>{priority_text(lead.priority)}</span>
                {lead.entity.map(|e| view! { <span class="entity-chip">{entity_icon(&e.entity_type)}<span class="sr-only">{e.entity_type.clone()}" "</span>{e.name}</span> })}
                <span class="muted">{lead.byline}</span>
            </p>
            <h3>"Description"</h3>
            <p class="prose">{lead.description}</p>
            <h3>"Observations"</h3>
            <ul class="observations">
                {lead.observations.into_iter().map(|o| { let meta = o.meta_text(); view! {
                    <li class="observation">
                        <span class=format!("severity severity-{}", o.severity)>{o.severity.clone()}</span>
                        <div>
                            <p>{o.description}</p>
                            <p class="muted small">{meta}</p>
                        </div>
                    </li>
                }}).collect_view()}
            </ul>
            <h3>"Recommended next steps"</h3>
            <ol class="recommendations">
                {lead.chat_recommendations.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
            </ol>
            <LazyDialogBody body=DialogBody::RelatedRunbooks(related_tags, related_kind) />
        </div>
    }
}
