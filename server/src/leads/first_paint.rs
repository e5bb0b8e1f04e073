//! The leads page's first paint: on a page load of the leads page by a signed-in user who may read
//! leads, `index.html` comes with the page already drawn in it (header, section, the first page
//! of leads), so the leads are on screen while the SPA's wasm is still on its way (time
//! to leads: BENCHMARKS.md section 3). It is a picture of the app, without test ids, that the SPA
//! removes once its own page is up (`src/first_paint.rs`). No click on it is lost: its links are
//! plain links, a lead's title opens the lead's detail drawn with the page, and a click or choice
//! on any other control is kept by a small script and done again on the app's own control once
//! the app is in (`first_paint_replay.js`, ARCHITECTURE.md "The leads page has a first paint").
//!
//! The answers come from the server's own routes, asked with the page request's cookie, so the
//! first paint shows exactly what the SPA's first requests will be answered: the same session,
//! capabilities, space, privileges and leads, checked by the same authorization. Any answer that
//! is not a 200 (no session, no `read`, no leads yet, an error) means no first paint: the SPA then
//! starts on an empty page as it always did.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use gatehouse_api::apps::{relative_time_text, visible_apps, ENTITY_ANALYTICS_PATH};
use gatehouse_api::headers::{
    API_VERSION, INTERNAL_API_VERSION, INTERNAL_ORIGIN, INTERNAL_ORIGIN_VALUE, KBN_XSRF,
    PUBLIC_API_VERSION,
};
use gatehouse_api::leads::{
    entity_icon_class, missing_privilege_text, priority_badge_class, priority_badge_text,
    priority_text, staleness_class, texts, title_text, ChosenConnector, Connector, FindLeadsQuery,
    Lead, LeadsAccess, LeadsPage, LeadsPrivileges, LeadsStatus, PagePosition, Privilege,
    CONNECTORS_PATH, LEADS_BASE, LEADS_CONNECTOR_PATH, PAGE_SIZES,
};
use gatehouse_api::leads_page::carried::{self, CarriedAnswer, CarriedAnswers};
use gatehouse_api::leads_page::connector_gate::{chosen_name, generate_block};
use gatehouse_api::leads_page::{
    callout_intro, missing_privileges, MissingPrivilege, PageAccessFacts,
};
use gatehouse_api::security::{
    AuthenticatedUser, Capabilities, CapabilitiesRequest, CAPABILITIES_PATH, ME_PATH,
};
use gatehouse_api::spaces::{space_prefix, Space, DEFAULT_SPACE_ID, SPACES_PATH};
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use tower::ServiceExt;

use crate::platform::kibana;
use crate::AppState;

/// The element the SPA looks for (and removes) by this id.
pub const ELEMENT_ID: &str = "first-paint";

/// Whether a page request for `path` (the space prefix already stripped) may get a first paint.
pub fn applies_to(method: &Method, path: &str) -> bool {
    method == Method::GET && path == ENTITY_ANALYTICS_PATH
}

/// What the SPA would show first, as HTML; `None` when anything is not a plain 200.
pub fn leads_page(
    state: &AppState,
    page_request: &Request,
) -> impl std::future::Future<Output = Option<String>> + Send + 'static {
    let state = state.clone();
    let cookie = page_request.headers().get(header::COOKIE).cloned();
    let space = page_request
        .extensions()
        .get::<kibana::Space>()
        .cloned()
        .unwrap_or_else(|| kibana::Space(DEFAULT_SPACE_ID.to_string()));
    async move { for_user(&state, cookie?, space).await }
}

async fn for_user(state: &AppState, cookie: HeaderValue, space: kibana::Space) -> Option<String> {
    let ask = Asker {
        routes: own_routes(state),
        cookie,
        space: space.clone(),
        carried: std::sync::Mutex::default(),
    };

    let capabilities_body = serde_json::to_string(&CapabilitiesRequest {
        applications: vec![],
    })
    .ok()?;
    let privileges_path = format!("{LEADS_BASE}/privileges");
    let (user, capabilities, spaces, privileges) = tokio::join!(
        ask.get::<AuthenticatedUser>(ME_PATH, None),
        ask.call::<Capabilities>(
            Method::POST,
            CAPABILITIES_PATH,
            None,
            Some(capabilities_body)
        ),
        ask.get::<Vec<Space>>(SPACES_PATH, Some(PUBLIC_API_VERSION)),
        ask.get::<LeadsPrivileges>(&privileges_path, Some(INTERNAL_API_VERSION)),
    );
    let (user, capabilities, privileges) = (user?, capabilities?, privileges?);
    if !capabilities.nav_link("securitySolutionUI") {
        return None;
    }
    let access = LeadsAccess::from_privileges(&privileges);
    if !access.may_fetch() {
        return None;
    }
    let find = format!(
        "{LEADS_BASE}?{}",
        FindLeadsQuery::default().to_query_string()
    );
    let status_path = format!("{LEADS_BASE}/status");
    let (page, status, connectors, chosen) = tokio::join!(
        ask.get::<LeadsPage>(&find, Some(INTERNAL_API_VERSION)),
        ask.get::<LeadsStatus>(&status_path, Some(INTERNAL_API_VERSION)),
        ask.get::<Vec<Connector>>(CONNECTORS_PATH, None),
        ask.get::<ChosenConnector>(LEADS_CONNECTOR_PATH, Some(INTERNAL_API_VERSION)),
    );
    // Without the connectors the toolbar cannot be drawn as the SPA will: no first paint.
    let (page, status, connectors, chosen) = (page?, status?, connectors?, chosen?);
    if page.total == 0 || page.leads.0.is_empty() {
        return None;
    }
    let current_space = spaces
        .unwrap_or_default()
        .into_iter()
        .find(|s| s.id == space.id());
    let now = time::OffsetDateTime::now_utc();
    let missing = missing_privileges(&PageAccessFacts {
        access,
        read_denial: None,
        write_missing: !privileges.has_write_permissions,
        connectors_denial: None,
        search_app: capabilities.nav_link(gatehouse_api::search::APP_ID),
        space: space.id(),
    });
    let carried = CarriedAnswers {
        space_prefix: space_prefix(space.id()),
        answers: ask.carried.into_inner().unwrap_or_default(),
    };
    Some(render(&Shown {
        carried: &carried,
        missing: &missing,
        connectors: &connectors,
        chosen: chosen.connector_id.as_deref(),
        prefix: space_prefix(space.id()),
        user: &user,
        capabilities: &capabilities,
        space: current_space.as_ref(),
        access,
        page: &page,
        last_run: status.last_run.as_deref(),
        now,
    }))
}

/// `index.html` with `first_paint` as the body's first child, and without the wasm's
/// `<link rel="preload">`: with the page drawn, the wasm is not what the user waits for first,
/// and its preload held the drawn page back, by about 5 ms on loopback and 40–90 ms on a slow
/// network and CPU (the module script still fetches it once the page is parsed;
/// docs/start-set.md, "The wasm's preload on a drawn page").
pub fn into_index(index: &str, first_paint: &str) -> Option<String> {
    let index = without_wasm_preload(index);
    let body = index.find("<body")?;
    let open_end = body + index[body..].find('>')? + 1;
    let mut out = String::with_capacity(index.len() + first_paint.len());
    out.push_str(&index[..open_end]);
    out.push_str(first_paint);
    out.push_str(&index[open_end..]);
    Some(out)
}

fn without_wasm_preload(index: &str) -> String {
    let mut out = String::with_capacity(index.len());
    let mut rest = index;
    while let Some(start) = rest.find("<link ") {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start..start + len + 1];
        let is_wasm_preload =
            tag.contains(r#"rel="preload""#) && tag.contains(r#"type="application/wasm""#);
        if is_wasm_preload {
            out.push_str(rest[..start].trim_end_matches([' ', '\n']));
        } else {
            out.push_str(&rest[..start + len + 1]);
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// The server's routes, kept in its state. Their own state keeps no routes of its own: the
/// state does not hold itself, and what it holds is freed with the server.
fn own_routes(state: &AppState) -> axum::Router {
    state
        .first_paint_routes
        .get_or_init(|| {
            crate::router(AppState {
                first_paint_routes: Arc::default(),
                ..state.clone()
            })
        })
        .clone()
}

/// Asks the server's own routes, as the page's user in the page's space, and keeps each 200
/// answer for the app (`carried`).
struct Asker {
    routes: axum::Router,
    cookie: HeaderValue,
    space: kibana::Space,
    carried: std::sync::Mutex<Vec<CarriedAnswer>>,
}

impl Asker {
    async fn get<T: DeserializeOwned>(&self, path: &str, version: Option<&str>) -> Option<T> {
        self.call(Method::GET, path, version, None).await
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        version: Option<&str>,
        body: Option<String>,
    ) -> Option<T> {
        let mut request = Request::builder()
            .method(method.clone())
            .uri(path)
            .header(header::COOKIE, self.cookie.clone());
        if method != Method::GET {
            request = request
                .header(KBN_XSRF, "true")
                .header(header::CONTENT_TYPE, "application/json");
        }
        if path.starts_with("/internal/") {
            request = request.header(INTERNAL_ORIGIN, INTERNAL_ORIGIN_VALUE);
        }
        if let Some(version) = version {
            request = request.header(API_VERSION, version);
        }
        let mut request = request
            .body(body.clone().map_or_else(Body::empty, Body::from))
            .ok()?;
        request.extensions_mut().insert(self.space.clone());
        let response = self.routes.clone().oneshot(request).await.ok()?;
        if response.status() != StatusCode::OK {
            return None;
        }
        let bytes = response.into_body().collect().await.ok()?.to_bytes();
        let parsed = serde_json::from_slice(&bytes).ok()?;
        if let (Ok(answer), Ok(mut carried)) =
            (String::from_utf8(bytes.to_vec()), self.carried.lock())
        {
            carried.push(CarriedAnswer {
                method: method.as_str().to_string(),
                path: path.to_string(),
                version: version.map(str::to_string),
                body,
                answer,
            });
        }
        Some(parsed)
    }
}

struct Shown<'a> {
    /// The answers the page was drawn from, for the app's first requests.
    carried: &'a CarriedAnswers,
    /// The lines of the page's privileges callout.
    missing: &'a [MissingPrivilege],
    connectors: &'a [Connector],
    chosen: Option<&'a str>,
    prefix: String,
    user: &'a AuthenticatedUser,
    capabilities: &'a Capabilities,
    space: Option<&'a Space>,
    access: LeadsAccess,
    page: &'a LeadsPage,
    last_run: Option<&'a str>,
    now: time::OffsetDateTime,
}

/// Text for an HTML text node or a double-quoted attribute value.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn relative_time(iso: &str, now: time::OffsetDateTime) -> String {
    match time::OffsetDateTime::parse(iso, &time::format_description::well_known::Rfc3339) {
        Ok(then) => {
            let seconds = (now - then).whole_seconds().max(0);
            relative_time_text(u64::try_from(seconds).unwrap_or(0))
        }
        Err(_) => iso.to_string(),
    }
}

/// The markup the SPA's shell and leads page render (`src/app.rs`, `src/pages/leads/`),
/// with the same classes and texts, so the hand-over to the SPA does not move a pixel.
fn render(shown: &Shown<'_>) -> String {
    let mut html = String::with_capacity(16 * 1024);
    html.push_str(&format!(
        r#"<div id="{ELEMENT_ID}" class="first-paint" aria-busy="true">"#
    ));
    header(&mut html, shown);
    html.push_str(concat!(
        r#"<main class="app-main"><div class="page"><header class="page-header"><h1>Entity analytics</h1>"#,
        r#"<p class="muted">Risky hosts, users and services, ranked into leads worth hunting.</p></header>"#,
    ));
    callout(&mut html, shown.missing);
    html.push_str(r#"<section class="panel leads-section"><header class="section-header"><div>"#);
    html.push_str(&format!("<h2>{}</h2>", esc(texts::SECTION_TITLE)));
    if let Some(last_run) = shown.last_run {
        html.push_str(&format!(
            r#"<p class="muted small">Last generated <time datetime="{}">{}</time></p>"#,
            esc(last_run),
            esc(&relative_time(last_run, shown.now))
        ));
    }
    let read_only = shown.access == LeadsAccess::ReadOnly;
    let generate = if shown.page.total > 0 {
        texts::REGENERATE
    } else {
        texts::GENERATE
    };
    html.push_str(r#"</div><div class="toolbar">"#);
    connector_picker(&mut html, shown);
    guarded_button(
        &mut html,
        "btn btn-primary",
        "leads-generate",
        generate,
        generate_block(shown.access, Some(shown.chosen), Some(shown.connectors)),
    );
    html.push_str("</div></header>");
    html.push_str(concat!(
        r#"<div class="filters" role="group" aria-label="Lead filters">"#,
        r#"<label class="inline-field"><span>Status</span><select data-replay="leads-status-filter">"#,
        r#"<option value="active" selected>Active</option><option value="dismissed">Dismissed</option>"#,
        r#"<option value="expired">Expired</option></select></label>"#,
        r#"<label class="inline-field"><span>Sort by</span><select data-replay="leads-sort">"#,
        r#"<option value="priority-desc" selected>Highest priority</option>"#,
        r#"<option value="priority-asc">Lowest priority</option><option value="newest">Newest</option>"#,
        r#"<option value="oldest">Oldest</option></select></label></div>"#,
        r#"<ul class="lead-grid">"#,
    ));
    let dismiss_block =
        read_only.then(|| missing_privilege_text(Privilege::Write, "dismiss leads"));
    for lead in &shown.page.leads.0 {
        card(&mut html, lead, dismiss_block.as_deref(), shown.now);
    }
    html.push_str("</ul>");
    pagination(&mut html, shown.page);
    html.push_str("</section></div></main>");
    // The one dialog a title opens, filled from the card's template (first_paint_replay.js).
    html.push_str(concat!(
        r#"<dialog class="modal modal-wide" id="first-paint-detail" aria-labelledby="first-paint-detail-title">"#,
        r#"<header class="modal-header"><h2 id="first-paint-detail-title"></h2>"#,
        r#"<button type="button" class="btn btn-icon-only" aria-label="Close" data-detail-close>×</button>"#,
        r#"</header><div class="modal-body"></div></dialog></div>"#,
    ));
    html.push_str("<script>");
    html.push_str(REPLAY_SCRIPT);
    html.push_str("</script>");
    html.push_str(&format!(
        r#"<script type="application/json" id="{}">{}</script>"#,
        carried::ELEMENT_ID,
        shown.carried.to_script_text()
    ));
    html
}

/// Keeps what the user does on the first paint and does it again on the app's controls
/// (`data-replay` names the app control's `data-testid`).
const REPLAY_SCRIPT: &str = include_str!("first_paint_replay.js");

/// The page's privileges callout (`src/pages/leads/callout.rs`).
fn callout(html: &mut String, missing: &[MissingPrivilege]) {
    if missing.is_empty() {
        return;
    }
    html.push_str(&format!(
        concat!(
            r#"<div class="callout callout-warning privileges-callout" role="region" aria-label="Missing privileges">"#,
            r#"<p class="callout-title">{}</p><p class="small">{}</p><ul class="privilege-lines">"#
        ),
        esc(texts::INSUFFICIENT_PRIVILEGES),
        esc(callout_intro(missing))
    ));
    for line in missing {
        html.push_str(&format!(
            r#"<li><strong>{}</strong> <span>{}</span> <button type="button" class="link-button" data-replay="leads-why-{}">Why?</button></li>"#,
            esc(line.part.consequence()),
            esc(&line.missing_text()),
            esc(line.part.key())
        ));
    }
    html.push_str("</ul></div>");
}

/// The connector picker (`src/pages/leads/connector.rs`): a select for a writer, a closed button
/// naming the space's choice for a reader.
fn connector_picker(html: &mut String, shown: &Shown<'_>) {
    if shown.access == LeadsAccess::ReadOnly {
        guarded_button(
            html,
            "btn connector-closed",
            "leads-connector",
            &format!(
                "Connector: {}",
                chosen_name(shown.chosen, Some(shown.connectors))
            ),
            Some(missing_privilege_text(
                Privilege::Write,
                "choose the connector",
            )),
        );
        return;
    }
    let usable: Vec<&Connector> = shown.connectors.iter().filter(|c| c.is_usable()).collect();
    let none_chosen = !usable.iter().any(|c| Some(c.id.as_str()) == shown.chosen);
    html.push_str(&format!(
        concat!(
            r#"<label class="inline-field connector-field"><span>Connector</span><select data-replay="leads-connector">"#,
            r#"<option value="" disabled{}>Choose a connector…</option>"#
        ),
        if none_chosen { " selected" } else { "" }
    ));
    for connector in usable {
        let selected = if Some(connector.id.as_str()) == shown.chosen {
            " selected"
        } else {
            ""
        };
        html.push_str(&format!(
            r#"<option value="{}"{selected}>{}</option>"#,
            esc(&connector.id),
            esc(&connector.name)
        ));
    }
    html.push_str("</select></label>");
}

fn header(html: &mut String, shown: &Shown<'_>) {
    let prefix = &shown.prefix;
    html.push_str(&format!(
        concat!(
            r##"<header class="app-header"><a class="skip-link" href="#main">Skip to content</a>"##,
            r#"<a class="brand" href="{}/" aria-label="Gatehouse home">"#,
            r##"<svg class="brand-mark" viewBox="0 0 32 32" aria-hidden="true"><rect width="32" height="32" rx="7" fill="#24344d"></rect>"##,
            r##"<path d="M9 25V13l7-5 7 5v12h-5v-6h-4v6z" fill="#36c5b5"></path></svg>"##,
            r#"<span class="brand-name">Gatehouse</span></a>"#
        ),
        esc(prefix)
    ));
    if let Some(space) = shown.space {
        html.push_str(&format!(
            concat!(
                r#"<div class="space-switcher"><button class="space-button" type="button" aria-label="{}" "#,
                r#"title="Current space: {}" data-replay="spaces-nav"><span style="{}" class="space-avatar " aria-hidden="true">{}</span></button></div>"#
            ),
            esc(&space.switcher_label(str::to_uppercase)),
            esc(&space.name),
            esc(&space.avatar_style()),
            esc(&space.avatar_initials(str::to_uppercase))
        ));
    }
    html.push_str(r#"<nav class="app-nav" aria-label="Apps">"#);
    for app in visible_apps(shown.capabilities) {
        let current = if app.href == ENTITY_ANALYTICS_PATH {
            r#" aria-current="page""#
        } else {
            ""
        };
        html.push_str(&format!(
            r#"<a class="nav-link" href="{}{}"{current}>{}</a>"#,
            esc(prefix),
            app.href,
            esc(app.label)
        ));
    }
    let user = shown.user;
    html.push_str(&format!(
        concat!(
            r#"</nav><div class="header-user"><span class="avatar" aria-hidden="true">{}</span>"#,
            r#"<a class="user-name" href="{}/app/access" title="{}: see your effective access">{}</a>"#,
            r#"<button class="btn btn-ghost" type="button" data-replay="sign-out">Sign out</button></div></header>"#
        ),
        esc(&user.initials(str::to_uppercase)),
        esc(prefix),
        esc(&user.username),
        esc(user.display_name())
    ));
}

/// `GuardedButton` (`src/components/guarded_button.rs`), and a lead card's Dismiss as
/// `src/components/lead_card.js` closes it: a closed one says why in its tooltip.
/// `replay`: the app control's `data-testid`, where a click on this one is done again.
fn guarded_button(
    html: &mut String,
    class: &str,
    replay: &str,
    label: &str,
    blocked: Option<String>,
) {
    html.push_str(r#"<span class="tooltip-anchor">"#);
    match blocked {
        Some(reason) => html.push_str(&format!(
            r#"<span role="tooltip" class="tooltip">{}</span><button class="{class}" type="button" data-replay="{replay}" aria-disabled="true">{}</button>"#,
            esc(&reason),
            esc(label)
        )),
        None => html.push_str(&format!(
            r#"<button class="{class}" type="button" data-replay="{replay}">{}</button>"#,
            esc(label)
        )),
    }
    html.push_str("</span>");
}

/// A lead card, as `src/components/lead_card.js` draws it.
fn card(html: &mut String, lead: &Lead, dismiss_block: Option<&str>, now: time::OffsetDateTime) {
    html.push_str(&format!(
        concat!(
            r#"<li class="lead-card" data-lead-id="{}"><div class="lead-card-top">"#,
            r#"<span class="{}" title="Priority, 10 is the most urgent">{}</span>"#,
            r#"<span class="{}">{}</span></div>"#,
            r#"<h3 class="lead-title"><button class="link-button" type="button" data-replay="lead-open">{}</button></h3>"#,
            r#"<p class="lead-byline">{}</p>"#
        ),
        esc(&lead.id),
        priority_badge_class(lead.priority),
        priority_badge_text(lead.priority),
        esc(&staleness_class(&lead.staleness)),
        esc(&lead.staleness),
        esc(title_text(&lead.title)),
        esc(&lead.byline)
    ));
    if let Some(entity) = &lead.entity {
        html.push_str(&format!(
            concat!(
                r#"<p class="lead-entity"><span class="{}" aria-hidden="true"></span>"#,
                r#"<span class="sr-only">{} </span><span class="entity-name">{}</span></p>"#
            ),
            entity_icon_class(&entity.entity_type),
            esc(&entity.entity_type),
            esc(&entity.name)
        ));
    }
    html.push_str(r#"<ul class="tags" aria-label="Tags">"#);
    for tag in &lead.tags {
        html.push_str(&format!(r#"<li class="tag">{}</li>"#, esc(tag)));
    }
    html.push_str(&format!(
        r#"</ul><div class="lead-card-footer"><time class="muted small" datetime="{}">{}</time>"#,
        esc(&lead.timestamp),
        esc(&relative_time(&lead.timestamp, now))
    ));
    if lead.status == "active" {
        guarded_button(
            html,
            "btn btn-small btn-ghost",
            "lead-dismiss",
            "Dismiss",
            dismiss_block.map(str::to_string),
        );
    }
    html.push_str("</div>");
    detail(html, lead);
    html.push_str("</li>");
}

/// What a card's title opens, as the SPA's lead detail draws it (`LeadDetailBody` in
/// `src/pages/leads/mod.rs`) but for the related runbooks, which come with the app: kept in a
/// `<template>` (not shown, not in the accessibility tree) until the title is clicked.
fn detail(html: &mut String, lead: &Lead) {
    html.push_str(&format!(
        r#"<template class="lead-detail-template"><div class="lead-detail"><p class="lead-detail-meta"><span class="{}">{}</span>"#,
        priority_badge_class(lead.priority),
        esc(&priority_text(lead.priority)),
    ));
    if let Some(entity) = &lead.entity {
        html.push_str(&format!(
            concat!(
                r#"<span class="entity-chip"><span class="{}" aria-hidden="true"></span>"#,
                r#"<span class="sr-only">{} </span>{}</span>"#
            ),
            entity_icon_class(&entity.entity_type),
            esc(&entity.entity_type),
            esc(&entity.name)
        ));
    }
    html.push_str(&format!(
        concat!(
            r#"<span class="muted">{}</span></p><h3>Description</h3><p class="prose">{}</p>"#,
            r#"<h3>Observations</h3><ul class="observations">"#
        ),
        esc(&lead.byline),
        esc(&lead.description)
    ));
    for observation in &lead.observations {
        html.push_str(&format!(
            concat!(
                r#"<li class="observation"><span class="severity severity-{}">{}</span>"#,
                r#"<div><p>{}</p><p class="muted small">{}</p></div></li>"#
            ),
            esc(&observation.severity),
            esc(&observation.severity),
            esc(&observation.description),
            esc(&observation.meta_text())
        ));
    }
    html.push_str(r#"</ul><h3>Recommended next steps</h3><ol class="recommendations">"#);
    for step in &lead.chat_recommendations {
        html.push_str(&format!("<li>{}</li>", esc(step)));
    }
    html.push_str("</ol></div></template>");
}

fn pagination(html: &mut String, page: &LeadsPage) {
    let query = FindLeadsQuery::default();
    let position = PagePosition::new(page.page, query.per_page, page.leads.0.len(), page.total);
    html.push_str(&format!(
        concat!(
            r#"<nav class="pagination" aria-label="Lead pages"><span class="muted">{}</span>"#,
            r#"<label class="inline-field"><span>Per page</span><select data-replay="leads-per-page">"#
        ),
        position.range_text()
    ));
    for size in PAGE_SIZES {
        let selected = if size == query.per_page {
            " selected"
        } else {
            ""
        };
        html.push_str(&format!(
            r#"<option value="{size}"{selected}>{size}</option>"#
        ));
    }
    let disabled = |closed: bool| if closed { " disabled" } else { "" };
    html.push_str(&format!(
        concat!(
            r#"</select></label><button class="btn" type="button" data-replay="leads-prev"{}>‹ Previous</button>"#,
            r#"<span>{}</span><button class="btn" type="button" data-replay="leads-next"{}>Next ›</button></nav>"#
        ),
        disabled(position.is_first()),
        position.page_text(),
        disabled(position.is_last())
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_strings_are_escaped_in_text_and_attributes() {
        assert_eq!(
            esc(r#"<img src=x onerror="alert('x')"> & co"#),
            "&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt; &amp; co"
        );
    }

    #[test]
    fn the_first_paint_goes_right_after_the_body_tag() {
        let index = "<html><head></head><body class=\"x\">\n<noscript>n</noscript></body></html>";
        assert_eq!(
            into_index(index, "<div>p</div>").as_deref(),
            Some("<html><head></head><body class=\"x\"><div>p</div>\n<noscript>n</noscript></body></html>")
        );
        assert_eq!(into_index("<html></html>", "<div>p</div>"), None);
    }

    #[test]
    fn a_drawn_page_does_not_preload_the_wasm_but_keeps_everything_else() {
        let index = concat!(
            "<head>\n    <script type=\"module\">import init from '/g/main.js';</script>\n",
            "    <link rel=\"modulepreload\" href=\"/g/main.js\" />\n",
            "    <link rel=\"preload\" href=\"/g/main_bg.wasm\" as=\"fetch\" type=\"application/wasm\" />\n",
            "    <link rel=\"stylesheet\" href=\"/main.css\" />\n  </head>\n  <body></body>"
        );
        assert_eq!(
            into_index(index, "<div>p</div>").as_deref(),
            Some(concat!(
                "<head>\n    <script type=\"module\">import init from '/g/main.js';</script>\n",
                "    <link rel=\"modulepreload\" href=\"/g/main.js\" />\n",
                "    <link rel=\"stylesheet\" href=\"/main.css\" />\n  </head>\n  <body><div>p</div></body>"
            ))
        );
    }

    #[test]
    fn relative_times_are_counted_from_now_and_odd_ones_shown_as_they_are() {
        let now = time::OffsetDateTime::parse(
            "2026-11-24T01:00:00Z",
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        assert_eq!(
            relative_time("2026-11-24T00:55:00.000Z", now),
            "5 minutes ago"
        );
        assert_eq!(relative_time("2026-11-24T01:00:30Z", now), "just now");
        assert_eq!(relative_time("yesterday", now), "yesterday");
    }
}
