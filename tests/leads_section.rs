//! The leads section in the browser, fed the contract's responses.

#![cfg(target_arch = "wasm32")]

mod support;

use std::cell::Cell;
use std::rc::Rc;

use gatehouse::api::{ApiClient, HttpRequest, HttpResponse, Method, Transport};
use gatehouse_api::ApiError;
use leptos::prelude::*;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

const LEADS: &str = "/internal/entity_analytics/leads";

fn mount(canned: &Canned) -> (Element, leptos::mount::UnmountHandle<impl Mountable>) {
    mount_leads_section(canned.client())
}

fn backend(read: bool, write: bool) -> Canned {
    leads_server(read, write, |path| {
        if path.starts_with(&format!("{LEADS}?")) {
            json(
                200,
                &leads_page(
                    &[
                        lead("a", "Beaconing from web-a", 9),
                        lead("b", "Odd logins", 4),
                    ],
                    2,
                ),
            )
        } else if path.ends_with("/generate") {
            json(200, r#"{"executionUuid":"run-1"}"#)
        } else {
            not_found()
        }
    })
}

/// A server that grants full access and reports no run yet; `route` answers every other path.
fn full_access(route: impl Fn(&str) -> Result<HttpResponse, ApiError> + 'static) -> Canned {
    leads_server(true, true, route)
}

/// A page load straight into the section sends the privileges request before the section
/// exists (`ApiClient::read_early`); the section takes that answer, whenever it arrived.
#[wasm_bindgen_test]
async fn privileges_read_early_open_the_section_without_asking_again() {
    let canned = backend(true, true);
    let client = reading_early(&canned);
    gloo_timers::future::TimeoutFuture::new(20).await;
    let (root, _handle) = mount_leads_section(client);
    wait_for("the leads", || {
        query_all(&root, "[data-testid=lead-card]").len() == 2
    })
    .await;
    assert_eq!(canned.count(Method::Get, &format!("{LEADS}/privileges")), 1);
    assert_eq!(
        canned.count(Method::Get, &format!("{LEADS}?")),
        1,
        "the section took the first page read early"
    );
}

/// Once the privileges read early grant `read`, the first page of leads and the status leave
/// before the section exists, so a page load does not wait for the section's first render to
/// ask for them.
#[wasm_bindgen_test]
async fn with_read_the_first_page_of_leads_is_asked_for_before_the_section_renders() {
    let canned = backend(true, false);
    let _client = reading_early(&canned);
    wait_for("the first page asked for", || {
        canned.count(Method::Get, &format!("{LEADS}?")) == 1
    })
    .await;
    let paths = canned.paths();
    assert_eq!(
        paths.first().map(String::as_str),
        Some(format!("GET {LEADS}/privileges").as_str()),
        "the privileges first: {paths:?}"
    );
    assert!(
        paths.contains(&format!(
            "GET {LEADS}?page=1&perPage=20&sortField=priority&sortOrder=desc&status=active"
        )),
        "the section's first query: {paths:?}"
    );
    assert_eq!(canned.count(Method::Get, &format!("{LEADS}/status")), 1);
}

#[wasm_bindgen_test]
async fn without_read_reading_early_sends_no_leads_request() {
    let canned = backend(false, false);
    let _client = reading_early(&canned);
    gloo_timers::future::TimeoutFuture::new(50).await;
    assert_eq!(canned.paths(), vec![format!("GET {LEADS}/privileges")]);
}

#[wasm_bindgen_test]
async fn without_read_the_section_is_absent_and_no_leads_request_is_sent() {
    let canned = backend(false, false);
    let (root, _handle) = mount(&canned);
    wait_for("the privileges request", || {
        canned.count(Method::Get, &format!("{LEADS}/privileges")) == 1
    })
    .await;
    wait_for("the section to go", || {
        testid(&root, "leads-section").is_none()
    })
    .await;
    gloo_timers::future::TimeoutFuture::new(50).await;
    assert_eq!(canned.paths(), vec![format!("GET {LEADS}/privileges")]);
    let note = testid(&root, "leads-missing-read").expect("the user is told why");
    assert!(note
        .text_content()
        .unwrap_or_default()
        .contains(".entity_analytics.entity-leads-*"));
    click(&testid(&root, "leads-why-read").expect("a Why? link"));
    // This backend has no explain route (as a real Kibana): the fix is still shown.
    wait_for("the role that would grant read", || {
        testid(&document_element(), "why-snippet")
            .and_then(|e| e.text_content())
            .is_some_and(|t| t.starts_with("POST /_security/role/leads_read_only"))
    })
    .await;
    assert_eq!(
        canned.paths(),
        vec![
            format!("GET {LEADS}/privileges"),
            "POST /internal/gatehouse/security/_explain".to_string()
        ],
        "explaining sends no leads request"
    );
}

#[wasm_bindgen_test]
async fn privileges_request_carries_kibana_headers() {
    let canned = backend(true, true);
    let (_root, _handle) = mount(&canned);
    wait_for("the privileges request", || {
        !canned.requests.borrow().is_empty()
    })
    .await;
    let first = canned.requests.borrow()[0].clone();
    assert_eq!(first.header("x-elastic-internal-origin"), Some("Kibana"));
    assert_eq!(first.header("elastic-api-version"), Some("1"));
    assert_eq!(
        first.header("kbn-xsrf"),
        None,
        "GET must not carry kbn-xsrf"
    );
}

#[wasm_bindgen_test]
async fn read_only_shows_leads_and_blocks_generate_with_a_reason() {
    let canned = backend(true, false);
    let (root, _handle) = mount(&canned);
    wait_for("lead cards", || {
        query_all(&root, "[data-testid=lead-card]").len() == 2
    })
    .await;
    let generate = testid(&root, "leads-generate").expect("the generate button");
    assert_eq!(generate.text_content().as_deref(), Some("Regenerate"));
    assert_attribute(&generate, "aria-disabled", "true");
    assert!(
        !generate.has_attribute("disabled"),
        "stays focusable for keyboard users"
    );
    let tooltip = tooltip_for(&root, &generate);
    assert_attribute(&tooltip, "role", "tooltip");
    assert!(tooltip
        .text_content()
        .unwrap_or_default()
        .contains("You need the write privilege on .entity_analytics.entity-leads-*"));

    // Keyboard focus opens it; hover does too.
    assert!(!tooltip.class_list().contains("tooltip-open"));
    focus_opens(&generate, &tooltip).await;
    generate
        .unchecked_ref::<web_sys::HtmlElement>()
        .blur()
        .expect("blurs");
    wait_for("tooltip closes on blur", || {
        !tooltip.class_list().contains("tooltip-open")
    })
    .await;
    let anchor = generate.parent_element().expect("anchor");
    anchor
        .dispatch_event(&web_sys::MouseEvent::new("mouseenter").expect("event"))
        .expect("dispatched");
    wait_for("tooltip on hover", || {
        tooltip.class_list().contains("tooltip-open")
    })
    .await;

    // Clicking does nothing.
    click(&generate);
    gloo_timers::future::TimeoutFuture::new(50).await;
    assert_eq!(canned.count(Method::Post, &format!("{LEADS}/generate")), 0);
    assert!(testid(&root, "leads-missing-write").is_some());

    // One page of two leads: both pager buttons present, labelled, and closed.
    let next = testid(&root, "leads-next").expect("next button");
    assert_eq!(next.text_content().as_deref(), Some("Next ›"));
    assert!(next.has_attribute("disabled"));
    assert!(testid(&root, "leads-prev").is_some_and(|b| b.has_attribute("disabled")));
    assert_text(&root, "leads-page", "Page 1 of 1");
}

#[wasm_bindgen_test]
async fn full_access_enables_generate_and_starts_a_run() {
    let canned = backend(true, true);
    let (root, _handle) = mount(&canned);
    wait_for("lead cards", || {
        query_all(&root, "[data-testid=lead-card]").len() == 2
    })
    .await;
    let generate = testid(&root, "leads-generate").expect("generate button");
    wait_for("the space's connector read", || {
        generate.get_attribute("aria-disabled").is_none()
    })
    .await;
    assert_eq!(generate.text_content().as_deref(), Some("Regenerate"));
    click(&generate);
    wait_for("the generate call", || {
        canned.count(Method::Post, &format!("{LEADS}/generate")) == 1
    })
    .await;
    let request = canned.sent(|r| r.path.ends_with("/generate"));
    assert_eq!(request.header("kbn-xsrf"), Some("true"));
    wait_for("the started toast", || {
        document_element()
            .text_content()
            .unwrap_or_default()
            .contains("Lead generation started successfully")
    })
    .await;
    wait_for("busy label", || {
        generate.text_content().as_deref() == Some("Generating…")
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_403_on_find_toasts_the_server_message_and_hides_the_section() {
    let canned = Canned::new(|request| {
        if request.path.ends_with("/privileges") {
            json(200, &privileges(true, true))
        } else {
            json(403, READ_DENIED)
        }
    });
    let (root, _handle) = mount(&canned);
    wait_for("an error toast", || query(&root, ".toast-error").is_some()).await;
    let toast = query(&root, ".toast-error")
        .expect("toast")
        .text_content()
        .unwrap_or_default();
    assert!(toast.contains("Failed to fetch hunting leads"), "{toast}");
    assert!(
        toast.contains("this action is granted by the index privileges [read,all] (403)"),
        "{toast}"
    );
    wait_for("the section to go", || {
        testid(&root, "leads-section").is_none()
    })
    .await;
    assert!(query_all(&root, "[data-testid=lead-card]").is_empty());
    let note = text_of(&root, "leads-missing-read").unwrap_or_default();
    assert!(
        note.contains("do not grant the read privilege on"),
        "{note}"
    );
}

#[wasm_bindgen_test]
async fn a_403_for_the_feature_privilege_names_that_privilege_not_the_index_read() {
    let canned = Canned::new(|request| {
        if request.path.ends_with("/privileges") {
            json(200, &privileges(true, true))
        } else {
            json(
                403,
                r#"{"statusCode":403,"error":"Forbidden","message":"API [GET /internal/entity_analytics/leads] is unauthorized for user, this action is granted by the Kibana privileges [securitySolution-entity-analytics]"}"#,
            )
        }
    });
    let (root, _handle) = mount(&canned);
    wait_for_testid(&root, "leads-missing-read").await;
    let note = text_of(&root, "leads-missing-read").unwrap_or_default();
    assert!(
        note.contains("Kibana privilege securitySolution-entity-analytics"),
        "{note}"
    );
    assert!(!note.contains("read privilege"), "{note}");
}

/// No leads yet, as our server and Kibana answer before the first run, for a user with `write`
/// or not.
fn no_leads_yet(write: bool) -> Canned {
    Canned::new(move |request| {
        if let Some(answer) = leads_extras(&request.path) {
            answer
        } else if request.path.ends_with("/privileges") {
            json(200, &privileges(true, write))
        } else if request.path.ends_with("/status") {
            json(
                200,
                r#"{"isEnabled":false,"indexExists":false,"totalLeads":0,"lastRun":null,"lastError":null}"#,
            )
        } else {
            json(
                404,
                r#"{"error":{"root_cause":[{"type":"index_not_found_exception","reason":"no such index [x]"}],"type":"index_not_found_exception","reason":"no such index [x]"},"status":404}"#,
            )
        }
    })
}

#[wasm_bindgen_test]
async fn index_not_found_is_the_no_leads_yet_empty_state() {
    let (root, _handle) = mount(&no_leads_yet(true));
    wait_for_testid(&root, "leads-empty").await;
    let text = text_of(&root, "leads-empty").unwrap_or_default();
    assert!(text.contains("No hunting leads yet"));
    assert!(text.contains("Generate leads to surface"), "{text}");
    assert!(
        query(&root, ".toast-error").is_none(),
        "an empty index is not an error"
    );
}

#[wasm_bindgen_test]
async fn a_read_only_user_with_no_leads_is_not_told_to_generate_them() {
    let (root, _handle) = mount(&no_leads_yet(false));
    wait_for_testid(&root, "leads-empty").await;
    let text = text_of(&root, "leads-empty").unwrap_or_default();
    assert!(text.contains("No hunting leads yet"));
    assert!(!text.contains("Generate leads"), "{text}");
    assert!(
        text.contains("once someone allowed to generate them"),
        "{text}"
    );
}

#[wasm_bindgen_test]
async fn a_failed_generation_reported_by_status_is_toasted_and_closes_writing() {
    let canned = backend(true, true);
    let (root, _handle) = mount(&canned);
    wait_for("lead cards and the space's connector", || {
        query_all(&root, "[data-testid=lead-card]").len() == 2
            && testid(&root, "leads-generate").is_some_and(|b| !b.has_attribute("aria-disabled"))
    })
    .await;
    canned.answer_with(|request| {
        let path = request.path.as_str();
        if path.ends_with("/generate") {
            json(200, r#"{"executionUuid":"run-9"}"#)
        } else if path.ends_with("/status") {
            json(200, r#"{"isEnabled":true,"indexExists":true,"totalLeads":2,"lastRun":null,"lastExecutionUuid":"run-9","lastError":"security_exception: action [indices:data/write/bulk] is unauthorized for user [x]"}"#)
        } else {
            json(200, &leads_page(&[lead("a", "Beaconing from web-a", 9)], 1))
        }
    });
    click(&testid(&root, "leads-generate").expect("generate"));
    // Kibana polls every 2 s: the failure arrives on the first poll.
    for _ in 0..40 {
        if query(&root, ".toast-error").is_some() {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(100).await;
    }
    let toast = query(&root, ".toast-error")
        .and_then(|t| t.text_content())
        .unwrap_or_default();
    assert!(toast.contains("Failed to generate leads"), "{toast}");
    assert!(toast.contains("indices:data/write/bulk"), "{toast}");
    wait_for_closed(&root, "leads-generate", "writing closed").await;
}

/// Paging through leads must not leave anything behind in the wasm heap: what the section holds
/// after 200 more page switches is what it held before them (memory: BENCHMARKS.md section 6).
#[wasm_bindgen_test]
async fn page_switches_leave_nothing_behind_in_the_wasm_heap() {
    const PAGES: u32 = 20;
    let canned = full_access(move |path| {
        if path.starts_with(&format!("{LEADS}?")) {
            let page: u32 = path
                .split(['?', '&'])
                .find_map(|p| p.strip_prefix("page="))
                .and_then(|p| p.parse().ok())
                .unwrap_or(1);
            let leads: Vec<String> = (0..20)
                .map(|i| {
                    lead(
                        &format!("p{page}-{i}"),
                        &format!("Lead {i} of page {page}"),
                        5,
                    )
                })
                .collect();
            json(
                200,
                &leads_page(&leads, u64::from(PAGES) * 20)
                    .replace("\"page\":1", &format!("\"page\":{page}")),
            )
        } else {
            not_found()
        }
    });
    let (root, _handle) = mount(&canned);
    let label = |root: &Element| text_of(root, "leads-page");
    wait_for("first page", || {
        label(&root).as_deref() == Some(&*format!("Page 1 of {PAGES}"))
    })
    .await;
    // Forward to the last page and back, as a user paging through them would.
    let mut page = 1;
    let mut forward = true;
    let mut switch = |root: Element| {
        if page == PAGES {
            forward = false;
        } else if page == 1 {
            forward = true;
        }
        page = if forward { page + 1 } else { page - 1 };
        let button = if forward { "leads-next" } else { "leads-prev" };
        let want = format!("Page {page} of {PAGES}");
        async move {
            click(&testid(&root, button).expect("pager button"));
            wait_for(&want.clone(), || label(&root).as_deref() == Some(&*want)).await;
        }
    };
    // The canned transport's log of requests would grow by itself: emptied after every switch,
    // in room set aside before measuring.
    canned.requests.borrow_mut().reserve(64);
    // Warm-up: every page seen once, every cache at its working size.
    for _ in 0..(2 * PAGES) {
        switch(root.clone()).await;
        canned.requests.borrow_mut().clear();
    }
    let before = gatehouse::heap_live_bytes();
    for _ in 0..200 {
        switch(root.clone()).await;
        canned.requests.borrow_mut().clear();
    }
    let after = gatehouse::heap_live_bytes();
    wasm_bindgen_test::console_log!(
        "wasm heap in use: {before} → {after} bytes over 200 page switches"
    );
    assert!(
        after <= before + 2_048,
        "the wasm heap grew by {} bytes over 200 page switches ({before} → {after})",
        after as i64 - before as i64
    );
}

/// Cards that stay on screen keep their elements: a dismissal reads the page again and only the
/// dismissed card goes. A page switch replaces every card, and the focus stays on Next.
#[wasm_bindgen_test]
async fn a_dismissal_keeps_the_other_cards_and_a_page_switch_keeps_the_focus_on_next() {
    let dismissed = Rc::new(Cell::new(false));
    let canned = full_access({
        let dismissed = Rc::clone(&dismissed);
        move |path| {
            if path.ends_with("/b/_dismiss") {
                dismissed.set(true);
                json(200, r#"{"success":true}"#)
            } else if path.starts_with(&format!("{LEADS}?page=2&")) {
                let leads = [lead("d", "Lead d", 3), lead("e", "Lead e", 2)];
                json(
                    200,
                    &leads_page(&leads, 45).replace("\"page\":1", "\"page\":2"),
                )
            } else if path.starts_with(&format!("{LEADS}?")) {
                let mut leads = vec![lead("a", "Lead a", 9)];
                if !dismissed.get() {
                    leads.push(lead("b", "Lead b", 7));
                }
                leads.push(lead("c", "Lead c", 5));
                json(200, &leads_page(&leads, 45))
            } else {
                not_found()
            }
        }
    });
    let (root, _handle) = mount(&canned);
    let card = |id: &str| {
        root.query_selector(&format!("[data-lead-id={id}]"))
            .ok()
            .flatten()
    };
    wait_for("three cards", || {
        query_all(&root, "[data-testid=lead-card]").len() == 3
    })
    .await;
    let (a, c) = (card("a").expect("a"), card("c").expect("c"));
    let dismiss = card("b")
        .and_then(|b| {
            b.query_selector("[data-testid=lead-dismiss]")
                .ok()
                .flatten()
        })
        .expect("b's Dismiss");
    click(&dismiss);
    wait_for("b gone", || card("b").is_none() && card("a").is_some()).await;
    for (id, before) in [("a", &a), ("c", &c)] {
        let now = card(id).expect("still shown");
        assert!(
            now.is_same_node(Some(before)),
            "lead {id}'s card was rebuilt by the dismissal"
        );
    }

    let next: web_sys::HtmlElement = testid(&root, "leads-next").expect("Next").unchecked_into();
    next.focus().expect("focus");
    next.click();
    wait_for("page 2", || card("d").is_some()).await;
    assert_eq!(
        query_all(&root, "[data-testid=lead-card]").len(),
        2,
        "only page 2's cards"
    );
    assert!(!a.is_connected(), "page 1's cards are gone");
    let focused = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .and_then(|e| e.get_attribute("data-testid"));
    assert_eq!(
        focused.as_deref(),
        Some("leads-next"),
        "the focus stays on Next"
    );
}

/// A 403 on Dismiss closes every card's Dismiss with its reason, as `GuardedButton` closes a
/// button: `aria-disabled`, described by a tooltip that names the privilege. A closed Dismiss sends
/// nothing, and the cards of the next page are drawn closed.
#[wasm_bindgen_test]
async fn a_403_on_dismiss_closes_every_dismiss_with_its_reason_also_on_the_next_page() {
    const WRITE_DENIED: &str = r#"{"message":"security_exception: action [indices:data/write/update] is unauthorized for user [bob] on indices [.entity_analytics.entity-leads-default]","status_code":403}"#;
    let canned = full_access(move |path| {
        if path.ends_with("/_dismiss") {
            json(403, WRITE_DENIED)
        } else if path.starts_with(&format!("{LEADS}?page=2&")) {
            let leads = [lead("c", "Lead c", 3)];
            json(
                200,
                &leads_page(&leads, 21).replace("\"page\":1", "\"page\":2"),
            )
        } else if path.starts_with(&format!("{LEADS}?")) {
            json(
                200,
                &leads_page(&[lead("a", "Lead a", 9), lead("b", "Lead b", 7)], 21),
            )
        } else {
            not_found()
        }
    });
    let (root, _handle) = mount(&canned);
    let dismissals = || query_all(&root, "[data-testid=lead-dismiss]");
    wait_for("two cards", || dismissals().len() == 2).await;
    assert!(
        dismissals()
            .iter()
            .all(|d| d.get_attribute("aria-disabled").is_none()),
        "open with full access"
    );
    let closed_with_reason = |button: &Element| {
        let tooltip = button
            .get_attribute("aria-describedby")
            .and_then(|id| root.query_selector(&format!("#{id}")).ok().flatten());
        button.get_attribute("aria-disabled").as_deref() == Some("true")
            && tooltip.is_some_and(|t| {
                t.get_attribute("role").as_deref() == Some("tooltip")
                    && t.text_content().is_some_and(|text| {
                        text.contains(
                            "You need the write privilege on .entity_analytics.entity-leads-*",
                        )
                    })
            })
    };

    click(&dismissals()[0]);
    wait_for("every Dismiss closed", || {
        dismissals().iter().all(closed_with_reason)
    })
    .await;
    let toast = text_of(&root, "toast").unwrap_or_default();
    assert!(
        toast.contains("is unauthorized for user [bob]"),
        "the server's message: {toast}"
    );

    click(&dismissals()[1]);
    gloo_timers::future::TimeoutFuture::new(50).await;
    assert_eq!(
        canned.count(Method::Post, LEADS),
        1,
        "a closed Dismiss sends nothing"
    );

    click(&testid(&root, "leads-next").expect("Next"));
    wait_for("page 2", || {
        root.query_selector("[data-lead-id=c]")
            .ok()
            .flatten()
            .is_some()
    })
    .await;
    let next_page = dismissals();
    assert_eq!(next_page.len(), 1);
    assert!(closed_with_reason(&next_page[0]), "drawn closed");
}

/// A lead without an entity, tags or staleness (older Kibana) is drawn without an entity line
/// and with an empty tag list, never with "null" or "undefined" in their place; a dismissed lead
/// has no Dismiss.
#[wasm_bindgen_test]
async fn a_lead_without_entity_or_tags_is_drawn_without_them() {
    let bare =
        r#"{"id":"bare","title":"Bare lead","priority":3,"status":"dismissed","entity":null}"#;
    let canned = full_access(move |path| {
        if path.starts_with(&format!("{LEADS}?")) {
            json(200, &leads_page(&[bare.to_string()], 1))
        } else {
            not_found()
        }
    });
    let (root, _handle) = mount(&canned);
    wait_for("the card", || query(&root, "[data-lead-id=bare]").is_some()).await;
    let card = query(&root, "[data-lead-id=bare]").expect("card");
    let text = card.text_content().unwrap_or_default();
    assert!(text.contains("Bare lead") && text.contains("P3"), "{text}");
    assert!(
        !text.contains("null") && !text.contains("undefined"),
        "{text}"
    );
    assert!(query(&card, ".lead-entity").is_none(), "no entity line");
    assert!(query_all(&card, ".tag").is_empty(), "no tags");
    assert!(
        query(&card, "[data-testid=lead-dismiss]").is_none(),
        "a dismissed lead has no Dismiss"
    );
    let staleness = query(&card, ".staleness").and_then(|s| s.text_content());
    assert_eq!(
        staleness.as_deref(),
        Some("fresh"),
        "the contract's default staleness"
    );
}

/// The server's drawing of the page (`server/src/leads/first_paint.rs`), as `index.html` brings it.
fn first_paint() -> Element {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("div").ok())
        .expect("a div");
    element.set_id("first-paint");
    container()
        .append_child(&element)
        .expect("the first paint is in the page");
    element
}

/// The server's drawing of the page stays until the section has all it shows, so nothing
/// moves when the app takes its place: with the leads drawn and the last run still on its way,
/// it is still there.
#[wasm_bindgen_test]
async fn the_first_paint_goes_once_the_leads_and_the_last_run_are_drawn() {
    let drawn = first_paint();
    let canned = backend(true, true);
    let answer = canned.transport();
    let status_arrived = Rc::new(Cell::new(false));
    let arrived = status_arrived.clone();
    let transport: Transport = Rc::new(move |request: HttpRequest| {
        let held = request.path.ends_with("/status");
        let arrived = arrived.clone();
        let answer = answer(request);
        Box::pin(async move {
            if !held {
                return answer.await;
            }
            while !arrived.get() {
                gloo_timers::future::TimeoutFuture::new(5).await;
            }
            json(
                200,
                r#"{"isEnabled":true,"indexExists":true,"totalLeads":2,"lastRun":"2026-11-24T01:00:00Z","lastError":null}"#,
            )
        })
    });
    let client = ApiClient::new(transport);
    let (root, _handle) = mount_leads_section(client);
    wait_for("the leads", || {
        query_all(&root, "[data-testid=lead-card]").len() == 2
    })
    .await;
    gloo_timers::future::TimeoutFuture::new(50).await;
    assert!(
        drawn.is_connected(),
        "the drawing stays while the last run is on its way"
    );
    status_arrived.set(true);
    wait_for("the drawing to give way", || !drawn.is_connected()).await;
    assert_testid_present(
        &root,
        "leads-last-run",
        "the last run is on the page it gave way to",
    );
}

/// Without `read` there are no leads to take over: the drawing goes at once.
#[wasm_bindgen_test]
async fn without_read_the_first_paint_goes_at_once() {
    let drawn = first_paint();
    let canned = backend(false, false);
    let (root, _handle) = mount(&canned);
    wait_for_testid(&root, "leads-missing-read").await;
    assert!(!drawn.is_connected(), "nothing of the drawing is left");
}

/// An administrator widens a role's index privileges without renaming it: neither `me` nor the
/// capabilities change, the leads privileges do. Each recheck of the session reads them again;
/// a new answer widens (or narrows) the section at once, the same answer changes nothing.
#[wasm_bindgen_test]
async fn each_recheck_reads_the_leads_privileges_again_and_follows_a_new_answer() {
    use gatehouse::pages::leads::LeadsSection;
    use gatehouse::state::Session;

    let granted = Rc::new(Cell::new((false, false)));
    let answer = granted.clone();
    let canned = Canned::new(move |request| {
        let path = request.path.as_str();
        let (read, write) = answer.get();
        if let Some(extra) = leads_extras(path) {
            extra
        } else if path.ends_with("/privileges") {
            json(200, &privileges(read, write))
        } else if path.ends_with("/status") {
            json(200, STATUS_IDLE)
        } else if path.starts_with(&format!("{LEADS}?")) {
            json(200, &leads_page(&[lead("a", "Beaconing from web-a", 9)], 1))
        } else {
            not_found()
        }
    });
    let session = Session::new();
    let root = mount_in_app(&canned, session, || view! { <LeadsSection /> });
    let privilege_reads = || canned.count(Method::Get, &format!("{LEADS}/privileges"));
    let leads_reads = || canned.count(Method::Get, &format!("{LEADS}?"));
    let recheck = || session.rechecked.update(|n| *n += 1);
    let generate_closed = |root: &Element| {
        testid(root, "leads-generate")
            .and_then(|b| b.get_attribute("aria-disabled"))
            .is_some()
    };

    wait_for_testid(&root, "leads-missing-read").await;
    assert_testid_absent(&root, "leads-section", "no read yet");
    assert_eq!(leads_reads(), 0, "no leads asked for without read");

    // `read` granted: the section and its card, Generate closed for `write`.
    granted.set((true, false));
    recheck();
    wait_for_testid(&root, "lead-card").await;
    assert!(generate_closed(&root), "read only: Generate is closed");
    let generate = testid(&root, "leads-generate").expect("Generate");
    let tooltip = tooltip_for(&root, &generate)
        .text_content()
        .unwrap_or_default();
    assert!(
        tooltip.contains("write"),
        "the tooltip names write: {tooltip}"
    );
    let leads_before = leads_reads();

    // The same answer again: read, compared, nothing redrawn or read again.
    let asked = privilege_reads();
    recheck();
    wait_for("the privileges read again", || {
        privilege_reads() == asked + 1
    })
    .await;
    assert_eq!(
        leads_reads(),
        leads_before,
        "an unchanged answer reads no leads"
    );
    assert!(generate_closed(&root));

    // `write` granted: Generate opens; taken away: it closes again.
    granted.set((true, true));
    recheck();
    wait_for("Generate opens", || !generate_closed(&root)).await;
    granted.set((true, false));
    recheck();
    wait_for("Generate closes", || generate_closed(&root)).await;
    // `read` taken away: the section goes.
    granted.set((false, false));
    recheck();
    wait_for("the section goes", || {
        testid(&root, "leads-section").is_none()
    })
    .await;
}
