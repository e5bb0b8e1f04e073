//! Stack Management → Audit log in the browser, fed the audit API's answers: the table (time,
//! who and whom they viewed as, action, outcome in words, space, object and their links), the
//! filters written to the URL and sent as the API's query, a row opened to its full event as JSON
//! and copied, the error state with its retry, and the refusal for a user without the capability.

#![cfg(target_arch = "wasm32")]

mod support;

use gatehouse::api::HttpRequest;
use gatehouse::components::ToastRegion;
use gatehouse::pages::management::audit::AuditLogPage;
use gatehouse::state::{Profiles, Session};
use leptos::prelude::*;
use leptos_router::components::Router;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

const ACCESS_MODE_CHANGE: &str = r#"{"@timestamp":"2026-12-06T11:59:00.000Z","event":{"id":"42","action":"saved_object_update_objects_access_mode","category":["database"],"type":["change"],"outcome":"success"},"user":{"name":"elastic","id":"u_elastic_0"},"kibana":{"space_id":"default","saved_object":{"type":"dashboard","ids":["soc-overview"]},"details":{"access_mode":"default"}},"message":""}"#;

const FAILED_LOGIN: &str = r#"{"@timestamp":"2026-12-06T11:58:00.000Z","event":{"id":"41","action":"user_login","category":["authentication"],"type":["start"],"outcome":"failure"},"user":{"name":"<img src=x onerror=alert(1)>"},"kibana":{"space_id":"default","saved_object":{"type":"","ids":[]},"details":{}},"message":"Invalid username or password"}"#;

const VIEWING_AS: &str = r#"{"@timestamp":"2026-12-06T11:57:00.000Z","event":{"id":"40","action":"run_as_granted","category":["authentication"],"type":["access"],"outcome":"success"},"user":{"name":"elastic","id":"u_elastic_0","effective":{"name":"victor"}},"kibana":{"space_id":"soc-emea","saved_object":{"type":"dashboard","ids":["emea-overview"]},"details":{}},"message":""}"#;

fn events_page() -> String {
    format!(
        r#"{{"page":1,"perPage":50,"total":3,"events":[{ACCESS_MODE_CHANGE},{FAILED_LOGIN},{VIEWING_AS}]}}"#
    )
}

fn session(audit_log: bool) -> Session {
    support::signed_in_as(
        "elastic",
        None,
        &["superuser"],
        serde_json::json!({
            "navLinks": {"management": true},
            "management": {"security": {"audit_log": audit_log}},
        }),
    )
}

fn is_list(request: &HttpRequest) -> bool {
    request
        .path
        .starts_with("/internal/gatehouse/security/audit?")
}

fn server() -> Canned {
    Canned::new(|request| {
        if is_list(request) {
            json(200, &events_page())
        } else {
            not_found()
        }
    })
}

/// Opens the page at `query` (the URL the filters live in).
fn mount(canned: &Canned, session: Session, query: &str) -> Element {
    let window = web_sys::window().expect("a window");
    let path = window.location().pathname().expect("a path");
    window
        .history()
        .expect("history")
        .replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{path}{query}")),
        )
        .expect("the URL set");
    mount_in_app(canned, session, || {
        provide_context(Profiles::new());
        view! { <Router><ToastRegion /><AuditLogPage /></Router> }
    })
}

fn text(element: &Element) -> String {
    element.text_content().unwrap_or_default()
}

fn events(root: &Element) -> Vec<Element> {
    query_all(root, "[data-testid=\"audit-event\"]")
}

fn inside(row: &Element, id: &str) -> Element {
    testid(row, id).unwrap_or_else(|| panic!("{id} is in the row"))
}

fn list_requests(canned: &Canned) -> Vec<String> {
    canned
        .requests
        .borrow()
        .iter()
        .filter(|r| is_list(r))
        .map(|r| r.path.clone())
        .collect()
}

#[wasm_bindgen_test]
async fn the_table_shows_who_did_what_with_links_and_outcomes_in_words() {
    let canned = server();
    let root = mount(&canned, session(true), "");
    wait_for_testid(&root, "audit-table").await;
    let sent = list_requests(&canned);
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].starts_with("/internal/gatehouse/security/audit?from=")
            && sent[0].ends_with("&page=1&perPage=50"),
        "the last day, first page, newest first: {}",
        sent[0]
    );
    let rows = events(&root);
    assert_eq!(rows.len(), 3);
    let change = &rows[0];
    assert_eq!(text(&inside(change, "audit-action")), "Access mode changed");
    assert_eq!(text(&inside(change, "audit-outcome")), "✓ Success");
    assert_eq!(
        inside(change, "audit-user")
            .get_attribute("href")
            .as_deref(),
        Some("/app/management/security/users?edit=elastic"),
        "the user opens their editor"
    );
    assert_eq!(
        inside(change, "audit-object")
            .get_attribute("href")
            .as_deref(),
        Some("/app/dashboards/view/soc-overview"),
        "the dashboard opens"
    );
    assert_eq!(
        inside(change, "audit-time")
            .get_attribute("title")
            .as_deref(),
        Some("2026-12-06T11:59:00.000Z"),
        "the instant on hover"
    );
    let failed = &rows[1];
    assert_eq!(text(&inside(failed, "audit-outcome")), "✕ Failure");
    assert_eq!(
        text(&inside(failed, "audit-user")),
        "<img src=x onerror=alert(1)>",
        "a name is text, never markup"
    );
    assert!(query(failed, "img").is_none());
    assert_eq!(
        text(&inside(failed, "audit-message")),
        "Invalid username or password"
    );
    assert_eq!(
        text(&inside(failed, "audit-summary")),
        "Sign-in by <img src=x onerror=alert(1)>, failed"
    );
    let viewing = &rows[2];
    assert_eq!(text(&inside(viewing, "audit-effective-user")), "victor");
    assert_eq!(
        inside(viewing, "audit-object")
            .get_attribute("href")
            .as_deref(),
        Some("/s/soc-emea/app/dashboards/view/emea-overview"),
        "a dashboard of another space opens in its space"
    );
    assert_eq!(text(&button(&root, "audit-total")), "Events 1–3 of 3");
    assert_testid_present(&root, "management-audit-log", "the nav has the entry");
}

fn button(root: &Element, id: &str) -> Element {
    testid(root, id).unwrap_or_else(|| panic!("{id} is on the page"))
}

fn set_text(root: &Element, id: &str, value: &str) {
    let input: HtmlInputElement = button(root, id).unchecked_into();
    input.set_value(value);
    input
        .dispatch_event(&web_sys::Event::new("input").expect("an event"))
        .expect("dispatched");
}

fn choose(root: &Element, id: &str, value: &str) {
    let select: HtmlSelectElement = button(root, id).unchecked_into();
    select.set_value(value);
    select
        .dispatch_event(&web_sys::Event::new("change").expect("an event"))
        .expect("dispatched");
}

fn location_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn applied_filters_go_to_the_url_and_to_the_request() {
    let canned = server();
    let root = mount(&canned, session(true), "");
    wait_for_testid(&root, "audit-table").await;
    set_text(&root, "audit-filter-user", "bob");
    choose(&root, "audit-filter-outcome", "failure");
    choose(&root, "audit-filter-action", "user_login");
    choose(&root, "audit-filter-range", "1h");
    assert_eq!(
        list_requests(&canned).len(),
        1,
        "nothing is asked before Apply"
    );
    click(&button(&root, "audit-apply"));
    wait_for("the filtered read", || list_requests(&canned).len() == 2).await;
    assert_eq!(
        location_search(),
        "?user=bob&action=user_login&outcome=failure&range=1h",
        "a link or a reload keeps the filters"
    );
    let sent = list_requests(&canned).pop().expect("sent");
    assert!(
        sent.starts_with(
            "/internal/gatehouse/security/audit?user=bob&action=user_login&outcome=failure&from="
        ) && sent.ends_with("&page=1&perPage=50"),
        "{sent}"
    );
    // A page size is a new first page of the same filters.
    wait_for_testid(&root, "audit-per-page").await;
    choose(&root, "audit-per-page", "100");
    wait_for("the bigger page", || list_requests(&canned).len() == 3).await;
    assert_eq!(
        location_search(),
        "?user=bob&action=user_login&outcome=failure&range=1h&perPage=100"
    );
    // Clear returns to the plain page.
    click(&button(&root, "audit-clear"));
    wait_for("the plain read", || list_requests(&canned).len() == 4).await;
    assert_eq!(location_search(), "");
}

#[wasm_bindgen_test]
async fn the_url_fills_the_bar_and_a_custom_range_is_sent_as_instants() {
    let canned = server();
    let root = mount(
        &canned,
        session(true),
        "?user=elastic&range=custom&from=2026-12-01T08%3A00%3A00.000Z&to=2026-12-02T08%3A00%3A00.000Z",
    );
    wait_for_testid(&root, "audit-table").await;
    let user: HtmlInputElement = button(&root, "audit-filter-user").unchecked_into();
    assert_eq!(user.value(), "elastic");
    let range: HtmlSelectElement = button(&root, "audit-filter-range").unchecked_into();
    assert_eq!(range.value(), "custom");
    assert_testid_present(
        &root,
        "audit-filter-from",
        "a custom range shows its bounds",
    );
    assert_eq!(
        list_requests(&canned),
        vec!["/internal/gatehouse/security/audit?user=elastic&from=2026-12-01T08%3A00%3A00.000Z&to=2026-12-02T08%3A00%3A00.000Z&page=1&perPage=50".to_string()]
    );
}

#[wasm_bindgen_test]
async fn a_row_opens_to_its_full_event_and_copies_it() {
    // The clipboard, as the browser would take it: the test reads back what was written.
    js_sys::eval(
        "Object.defineProperty(navigator, 'clipboard', {configurable: true, value: {writeText: async (text) => { window.__copied = text; }}});",
    )
    .expect("a clipboard");
    let canned = server();
    let root = mount(&canned, session(true), "");
    wait_for_testid(&root, "audit-table").await;
    let row = &events(&root)[0];
    let expand = inside(row, "audit-expand");
    assert_attribute(&expand, "aria-expanded", "false");
    let detail = inside(row, "audit-detail");
    assert!(detail.has_attribute("hidden"), "closed at first");
    assert_eq!(
        expand.get_attribute("aria-controls"),
        Some(detail.id()),
        "the button names what it opens"
    );
    click(&expand);
    wait_for("the event open", || !detail.has_attribute("hidden")).await;
    assert_attribute(&expand, "aria-expanded", "true");
    let shown: serde_json::Value =
        serde_json::from_str(&text(&inside(row, "audit-json"))).expect("the JSON parses");
    let sent: serde_json::Value = serde_json::from_str(ACCESS_MODE_CHANGE).expect("json");
    assert_eq!(shown, sent, "the whole event, every field");
    click(&inside(row, "audit-copy"));
    wait_for_text(row, "audit-copy-status", "Copied").await;
    let copied = js_sys::Reflect::get(&js_sys::global(), &"__copied".into())
        .ok()
        .and_then(|v| v.as_string())
        .expect("something was copied");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&copied).expect("JSON copied"),
        sent
    );
    click(&expand);
    wait_for("the event closed", || detail.has_attribute("hidden")).await;
}

#[wasm_bindgen_test]
async fn a_proxys_page_is_the_error_state_and_try_again_keeps_the_filters() {
    let canned = Canned::new(|_| {
        Ok(gatehouse::api::HttpResponse {
            status: 200,
            content_type: Some("text/html".into()),
            body: "<html><body>Sign in to the proxy</body></html>".into(),
            console_status: None,
        })
    });
    let root = mount(&canned, session(true), "?user=bob&outcome=failure");
    wait_for_testid(&root, "audit-load-error").await;
    assert_testid_absent(
        &root,
        "audit-table",
        "no table from a page that is not events",
    );
    canned.answer_with(|request| {
        if is_list(request) {
            json(200, &events_page())
        } else {
            not_found()
        }
    });
    click(&button(&root, "audit-retry"));
    wait_for_testid(&root, "audit-table").await;
    let sent = list_requests(&canned);
    assert_eq!(sent.len(), 2);
    assert!(
        sent[1].starts_with("/internal/gatehouse/security/audit?user=bob&outcome=failure&from="),
        "the retry asks for the same filters: {}",
        sent[1]
    );
    let user: HtmlInputElement = button(&root, "audit-filter-user").unchecked_into();
    assert_eq!(user.value(), "bob", "the bar keeps them");
}

#[wasm_bindgen_test]
async fn a_5xx_and_a_dropped_connection_are_the_error_state_too() {
    let canned = Canned::new(|_| kibana_error(503, "Service Unavailable", "The audit log is busy"));
    let root = mount(&canned, session(true), "");
    wait_for_testid(&root, "audit-load-error").await;
    let canned = Canned::new(|_| Err(gatehouse_api::ApiError::network("connection reset")));
    let root = mount(&canned, session(true), "");
    wait_for_testid(&root, "audit-load-error").await;
}

#[wasm_bindgen_test]
async fn without_the_capability_the_page_refuses_and_asks_nothing() {
    let canned = server();
    let root = mount(&canned, session(false), "");
    wait_for_testid(&root, "management-no-permission").await;
    assert_testid_absent(&root, "management-audit-log", "no nav entry either");
    assert_testid_absent(&root, "audit-table", "no table");
    assert!(list_requests(&canned).is_empty(), "nothing is asked");
}

fn toast_titles() -> Vec<String> {
    query_all(&document_element(), "[data-testid=\"toast\"]")
        .iter()
        .map(text)
        .collect()
}

#[wasm_bindgen_test]
async fn the_download_asks_for_the_whole_filter_and_refuses_a_page_that_is_not_ndjson() {
    let export_html = std::rc::Rc::new(std::cell::Cell::new(false));
    let html = export_html.clone();
    let canned = Canned::new(move |request| {
        if request
            .path
            .starts_with("/internal/gatehouse/security/audit/_export")
        {
            let (content_type, body) = if html.get() {
                (
                    "text/html",
                    "<html><body>Sign in to the proxy</body></html>".to_string(),
                )
            } else {
                ("application/x-ndjson", format!("{FAILED_LOGIN}\n"))
            };
            Ok(gatehouse::api::HttpResponse {
                status: 200,
                content_type: Some(content_type.into()),
                body,
                console_status: None,
            })
        } else if is_list(request) {
            json(200, &events_page())
        } else {
            not_found()
        }
    });
    let root = mount(&canned, session(true), "?outcome=failure&perPage=20&page=2");
    wait_for_testid(&root, "audit-table").await;
    click(&button(&root, "audit-download"));
    wait_for("the download's toast", || {
        toast_titles()
            .iter()
            .any(|t| t.contains("1 event saved as gatehouse-audit.ndjson"))
    })
    .await;
    let export = canned.sent(|r| r.path.contains("/_export"));
    assert!(
        export
            .path
            .starts_with("/internal/gatehouse/security/audit/_export?outcome=failure&from=")
            && !export.path.contains("page="),
        "the same filters, every page of them: {}",
        export.path
    );
    export_html.set(true);
    click(&button(&root, "audit-download"));
    wait_for("the refusal", || {
        toast_titles().iter().any(|t| t.contains("Download failed"))
    })
    .await;
    assert_testid_present(&root, "audit-table", "the table stays");
}
