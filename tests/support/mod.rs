//! Canned contract responses for component tests: the test runner serves its own page, so the
//! components talk to a transport that answers like Kibana would and records every request.

#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;

use gatehouse::api::{ApiClient, HttpRequest, HttpResponse, Method, Transport};
use gatehouse_api::ApiError;
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

pub type Handler = Rc<dyn Fn(&HttpRequest) -> Result<HttpResponse, ApiError>>;

#[derive(Clone)]
pub struct Canned {
    pub requests: Rc<RefCell<Vec<HttpRequest>>>,
    handler: Rc<RefCell<Handler>>,
}

impl Canned {
    pub fn new(handler: impl Fn(&HttpRequest) -> Result<HttpResponse, ApiError> + 'static) -> Self {
        Self {
            requests: Rc::default(),
            handler: Rc::new(RefCell::new(Rc::new(handler))),
        }
    }

    pub fn answer_with(
        &self,
        handler: impl Fn(&HttpRequest) -> Result<HttpResponse, ApiError> + 'static,
    ) {
        *self.handler.borrow_mut() = Rc::new(handler);
    }

    /// What this server answers `request`, without recording it (for a server built on another).
    pub fn transport_answer(&self, request: &HttpRequest) -> Result<HttpResponse, ApiError> {
        (self.handler.borrow())(request)
    }

    pub fn transport(&self) -> Transport {
        let requests = self.requests.clone();
        let handler = self.handler.clone();
        Rc::new(move |request: HttpRequest| {
            let answer = (handler.borrow())(&request);
            requests.borrow_mut().push(request);
            Box::pin(async move {
                // Answer on a later turn, like the network does.
                TimeoutFuture::new(1).await;
                answer
            })
        })
    }

    pub fn client(&self) -> ApiClient {
        ApiClient::new(self.transport())
    }

    pub fn paths(&self) -> Vec<String> {
        self.requests
            .borrow()
            .iter()
            .map(|r| format!("{} {}", r.method.as_str(), r.path))
            .collect()
    }

    /// The first request sent that `which` picks; fails the test when none was.
    pub fn sent(&self, which: impl Fn(&HttpRequest) -> bool) -> HttpRequest {
        self.requests
            .borrow()
            .iter()
            .find(|r| which(r))
            .cloned()
            .expect("the request was sent")
    }

    pub fn count(&self, method: Method, path_prefix: &str) -> usize {
        self.requests
            .borrow()
            .iter()
            .filter(|r| r.method == method && r.path.starts_with(path_prefix))
            .count()
    }
}

/// A request's body, read as JSON; fails the test when it is not.
pub fn json_body(request: &HttpRequest) -> serde_json::Value {
    serde_json::from_str(request.body.as_deref().unwrap_or("")).expect("a JSON body")
}

pub fn json(status: u16, body: &str) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse {
        status,
        content_type: Some("application/json".into()),
        body: body.into(),
        console_status: None,
    })
}

/// What the Dev Tools console proxy answers: always 200, the real status in a header.
/// The contract's 404, for a path a canned server does not know.
/// Kibana's error body: `{"statusCode":…,"error":…,"message":…}` with that status.
pub fn kibana_error(status: u16, error: &str, message: &str) -> Result<HttpResponse, ApiError> {
    json(
        status,
        &format!(r#"{{"statusCode":{status},"error":"{error}","message":"{message}"}}"#),
    )
}

pub fn not_found() -> Result<HttpResponse, ApiError> {
    json(
        404,
        r#"{"statusCode":404,"error":"Not Found","message":"Not Found"}"#,
    )
}

pub fn console(status: u16, body: &str) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse {
        status: 200,
        content_type: Some("application/json".into()),
        body: body.into(),
        console_status: Some(status),
    })
}

pub fn privileges(read: bool, write: bool) -> String {
    format!(
        r#"{{"privileges":{{"elasticsearch":{{"index":{{".entity_analytics.entity-leads-*":{{"read":{read},"write":{write}}}}}}},"kibana":{{}}}},"has_all_required":{all},"has_read_permissions":{read},"has_write_permissions":{write}}}"#,
        all = read && write
    )
}

pub fn lead(id: &str, title: &str, priority: u8) -> String {
    format!(
        r#"{{"id":"{id}","title":"{title}","byline":"Risk score rose sharply","description":"d","entity":{{"type":"host","name":"web-{id}","id":"host:web-{id}"}},"tags":["Risk"],"priority":{priority},"chatRecommendations":["Isolate"],"timestamp":"2026-11-23T00:00:00Z","staleness":"fresh","status":"active","observations":[],"executionUuid":"e1","sourceType":"adhoc"}}"#
    )
}

pub fn leads_page(leads: &[String], total: u64) -> String {
    format!(
        r#"{{"leads":[{}],"total":{total},"page":1,"perPage":20}}"#,
        leads.join(",")
    )
}

pub const STATUS_IDLE: &str =
    r#"{"isEnabled":true,"indexExists":true,"totalLeads":2,"lastRun":null,"lastError":null}"#;

pub const READ_DENIED: &str = r#"{"message":"security_exception: action [indices:data/read/search] is unauthorized for user [bob] with effective roles [kibana_admin] on indices [.entity_analytics.entity-leads-default], this action is granted by the index privileges [read,all]","status_code":403}"#;

pub fn container() -> HtmlElement {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a document");
    let div = document.create_element("div").expect("a div");
    document
        .body()
        .expect("a body")
        .append_child(&div)
        .expect("appended");
    div.unchecked_into()
}

pub fn query(root: &Element, selector: &str) -> Option<Element> {
    root.query_selector(selector).ok().flatten()
}

pub fn query_all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).expect("valid selector");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into().ok())
        .collect()
}

pub fn document_element() -> Element {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .expect("root")
}

/// Polls until `condition` holds; panics with `what` after two seconds.
pub async fn wait_for(what: &str, condition: impl Fn() -> bool) {
    for _ in 0..200 {
        if condition() {
            return;
        }
        TimeoutFuture::new(10).await;
    }
    panic!("timed out waiting for {what}");
}

pub fn testid(root: &Element, id: &str) -> Option<Element> {
    query(root, &format!("[data-testid=\"{id}\"]"))
}

/// The text inside the element whose `data-testid` is `id`, if there is one.
pub fn text_of(root: &Element, id: &str) -> Option<String> {
    testid(root, id).and_then(|e| e.text_content())
}

/// Polls until an element whose `data-testid` is `id` is on the page.
pub async fn wait_for_testid(root: &Element, id: &str) {
    wait_for(id, || testid(root, id).is_some()).await;
}

/// The tooltip that describes `element` (its `aria-describedby`).
pub fn tooltip_for(root: &Element, element: &Element) -> Element {
    let id = element
        .get_attribute("aria-describedby")
        .expect("described by its tooltip");
    query(root, &format!("#{id}")).expect("the tooltip exists")
}

/// Focuses `element` as the keyboard does and waits for its `tooltip` to open.
pub async fn focus_opens(element: &Element, tooltip: &Element) {
    element
        .unchecked_ref::<HtmlElement>()
        .focus()
        .expect("focusable");
    wait_for("tooltip on focus", || {
        tooltip.class_list().contains("tooltip-open")
    })
    .await;
}

/// Polls until the element whose `data-testid` is `id` is closed the way a guarded control is:
/// `aria-disabled="true"`, still focusable so its reason can be read.
pub async fn wait_for_closed(root: &Element, id: &str, what: &str) {
    wait_for(what, || {
        testid(root, id)
            .and_then(|e| e.get_attribute("aria-disabled"))
            .as_deref()
            == Some("true")
    })
    .await;
}

/// Polls until the element whose `data-testid` is `id` reads exactly `expected`.
pub async fn wait_for_text(root: &Element, id: &str, expected: &str) {
    let what = format!("{id} to read {expected:?}");
    wait_for(&what, || text_of(root, id).as_deref() == Some(expected)).await;
}

/// Asserts that the element whose `data-testid` is `id` is on the page; `why` says why it should be.
pub fn assert_testid_present(root: &Element, id: &str, why: &str) {
    assert!(testid(root, id).is_some(), "{why}");
}

/// Asserts that no element's `data-testid` is `id`; `why` says why there should be none.
pub fn assert_testid_absent(root: &Element, id: &str, why: &str) {
    assert!(testid(root, id).is_none(), "{why}");
}

/// Asserts that the element whose `data-testid` is `id` reads exactly `expected`.
pub fn assert_text(root: &Element, id: &str, expected: &str) {
    assert_eq!(text_of(root, id).as_deref(), Some(expected));
}

/// Asserts that `element`'s attribute `name` is `expected`.
pub fn assert_attribute(element: &Element, name: &str, expected: &str) {
    assert_eq!(element.get_attribute(name).as_deref(), Some(expected));
}

pub fn click(element: &Element) {
    element.unchecked_ref::<HtmlElement>().click();
}

/// Mounts `app` in a fresh container for the rest of the test, with what the shell gives every
/// page: the canned API, toasts and `session`. Answers the container.
pub fn mount_in_app<N: leptos::prelude::IntoView + 'static>(
    canned: &Canned,
    session: gatehouse::state::Session,
    app: impl FnOnce() -> N + 'static,
) -> Element {
    use leptos::prelude::provide_context;
    let root = container();
    let client = canned.client();
    std::mem::forget(leptos::mount::mount_to(root.clone(), move || {
        provide_context(client);
        provide_context(gatehouse::state::Toasts::new());
        provide_context(session);
        app()
    }));
    root.unchecked_into()
}

/// Mounts the leads section on its own, with toasts, talking to `client`; it stays mounted while
/// the handle lives.
pub fn mount_leads_section(
    client: ApiClient,
) -> (
    Element,
    leptos::mount::UnmountHandle<impl leptos::prelude::Mountable>,
) {
    use gatehouse::components::ToastRegion;
    use gatehouse::pages::leads::LeadsSection;
    use leptos::prelude::*;
    let root = container();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        provide_context(client);
        provide_context(gatehouse::state::Toasts::new());
        view! { <ToastRegion /> <LeadsSection /> }
    });
    (root.unchecked_into(), handle)
}

/// Types `value` into the input `element` as a user would: sets it and fires `input`.
pub fn type_text(element: Element, value: &str) {
    let input: web_sys::HtmlInputElement = element.unchecked_into();
    input.set_value(value);
    input
        .dispatch_event(&web_sys::Event::new("input").expect("event"))
        .expect("dispatched");
}

/// The connector list as our server answers it: its built-in scorer.
pub const CONNECTORS: &str = r#"[{"id":"gatehouse-default","name":"Gatehouse scoring (built in, no LLM)","connector_type_id":"gatehouse-scoring","is_preconfigured":true,"is_deprecated":false,"is_missing_secrets":false,"referenced_by_count":0}]"#;

pub const CONNECTOR_CHOSEN: &str = r#"{"connectorId":"gatehouse-default"}"#;
pub const CONNECTOR_NONE: &str = r#"{"connectorId":null}"#;
pub const NO_CHANGES: &str = r#"{"cursor":"c-now","hasMore":false,"changes":[]}"#;

/// The answers of the routes the leads section reads besides the leads themselves (connectors,
/// the space's choice, the changes feed), for a space with the built-in connector chosen and
/// nothing changed; `None` for any other path.
pub fn leads_extras(path: &str) -> Option<Result<HttpResponse, ApiError>> {
    if path == "/api/actions/connectors" {
        Some(json(200, CONNECTORS))
    } else if path.ends_with("/leads/connector") {
        Some(json(200, CONNECTOR_CHOSEN))
    } else if path.contains("/leads/changes") {
        Some(json(200, NO_CHANGES))
    } else {
        None
    }
}

/// A client of `canned` that has sent a page load's early reads, as the app does before anything
/// renders (`ApiClient::read_leads_early`).
pub fn reading_early(canned: &Canned) -> ApiClient {
    let client = canned.client();
    client.read_leads_early();
    client
}

/// A leads server whose `/privileges` grant `read` and `write`, with no run yet and the section's
/// other reads answered ([`leads_extras`]); `route` answers every other path.
pub fn leads_server(
    read: bool,
    write: bool,
    route: impl Fn(&str) -> Result<HttpResponse, ApiError> + 'static,
) -> Canned {
    Canned::new(move |request| {
        let path = request.path.as_str();
        if let Some(answer) = leads_extras(path) {
            answer
        } else if path.ends_with("/privileges") {
            json(200, &privileges(read, write))
        } else if path.ends_with("/status") {
            json(200, STATUS_IDLE)
        } else {
            route(path)
        }
    })
}

/// A session signed in as `username` (profile uid `u_<username>_0`, the basic provider) with
/// these roles and capabilities (JSON in the capabilities answer's shape).
pub fn signed_in_as(
    username: &str,
    full_name: Option<&str>,
    roles: &[&str],
    capabilities: serde_json::Value,
) -> gatehouse::state::Session {
    use gatehouse_api::security::{AuthenticatedUser, AuthenticationProvider, Capabilities};
    use leptos::prelude::Set;
    let session = gatehouse::state::Session::new();
    let capabilities: Capabilities = serde_json::from_value(capabilities).expect("capabilities");
    session
        .status
        .set(gatehouse::state::SessionStatus::SignedIn {
            user: AuthenticatedUser {
                username: username.into(),
                roles: roles.iter().map(|r| r.to_string()).collect(),
                full_name: full_name.map(str::to_string),
                email: None,
                profile_uid: Some(format!("u_{username}_0")),
                authentication_provider: AuthenticationProvider {
                    provider_type: "basic".into(),
                    name: "basic".into(),
                },
                enabled: true,
            },
            capabilities,
        });
    session
}
