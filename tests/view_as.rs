//! "View as" in the browser, fed the contract's answers: the Users page offers "View as" only
//! where the caller's roles' `run_as` patterns reach, starting sends the run-as header on every
//! request and shows the banner, a write the viewed user could make is closed with the view's
//! reason (hover and keyboard), Stop returns to the caller's own view, and a refused start
//! leaves everything as it was with the server's reason.

#![cfg(target_arch = "wasm32")]

mod support;

use gatehouse::api::HttpRequest;
use gatehouse::components::{ReadOnlyWhileViewing, ToastRegion, ViewAsBanner};
use gatehouse::pages::management::users::UsersList;
use gatehouse::state::view_as::PageReload;
use gatehouse::state::Session;
use gatehouse_api::run_as::RUN_AS_HEADER;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos_router::components::Router;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use support::*;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

const STORAGE_KEY: &str = "gatehouse:view_as";

const USERS: &str = r#"[
  {"username":"elastic","full_name":"Elastic","roles":["superuser"],"enabled":true},
  {"username":"victor","full_name":"Victor Viewer","roles":["dashboard_viewer"],"enabled":true},
  {"username":"alice","full_name":"Alice Analyst","roles":["dashboard_editor"],"enabled":true},
  {"username":"gone","full_name":"Gone User","roles":["dashboard_viewer"],"enabled":false}
]"#;

const ROLES: &str = r#"[
  {"name":"superuser","metadata":{"_reserved":true},"elasticsearch":{"cluster":["all"],"indices":[],"run_as":["*"]},"kibana":[]},
  {"name":"dashboard_editor","elasticsearch":{"cluster":[],"indices":[],"run_as":[]},"kibana":[]},
  {"name":"dashboard_viewer","elasticsearch":{"cluster":[],"indices":[],"run_as":[]},"kibana":[]}
]"#;

fn me_body(username: &str, full_name: &str, roles: &str, run_by: Option<&str>) -> String {
    let run_by = run_by
        .map(|caller| format!(r#","run_by":{{"username":"{caller}","full_name":"Elastic"}}"#))
        .unwrap_or_default();
    format!(
        r#"{{"username":"{username}","full_name":"{full_name}","roles":[{roles}],"enabled":true,"authentication_provider":{{"type":"basic","name":"basic"}},"authentication_realm":{{"name":"gatehouse","type":"native"}}{run_by}}}"#
    )
}

/// `username` signed in with one role, as the users list's tests need them.
fn signed_in(username: &str, full_name: &str, role: &str) -> Session {
    support::signed_in_as(
        username,
        Some(full_name),
        &[role],
        serde_json::json!({ "navLinks": {"management": true} }),
    )
}

/// Our server for elastic (superuser: may run as anyone) and the users above; `refuse` answers
/// every run-as request with Elasticsearch's refusal, as for a caller who may not.
fn server(refuse: bool) -> Canned {
    Canned::new(move |request| route(request, refuse))
}

fn route(
    request: &HttpRequest,
    refuse: bool,
) -> Result<gatehouse::api::HttpResponse, gatehouse_api::ApiError> {
    let run_as = request.header(RUN_AS_HEADER);
    if refuse && run_as.is_some() {
        return json(
            403,
            r#"{"error":{"root_cause":[{"type":"security_exception","reason":"action [cluster:admin/xpack/security/user/authenticate] is unauthorized for user [elastic] with effective roles [superuser], because user [elastic] is unauthorized to run as [victor]"}],"type":"security_exception","reason":"action [cluster:admin/xpack/security/user/authenticate] is unauthorized for user [elastic] with effective roles [superuser], because user [elastic] is unauthorized to run as [victor]"},"status":403}"#,
        );
    }
    let path = request.path.as_str();
    match (path, run_as) {
        ("/internal/security/me", Some("victor")) => json(
            200,
            &me_body(
                "victor",
                "Victor Viewer",
                r#""dashboard_viewer""#,
                Some("elastic"),
            ),
        ),
        ("/internal/security/me", _) => {
            json(200, &me_body("elastic", "Elastic", r#""superuser""#, None))
        }
        ("/api/core/capabilities", _) => json(200, r#"{"navLinks":{"management":true}}"#),
        ("/internal/security/users", _) => json(200, USERS),
        ("/api/security/role", _) => json(200, ROLES),
        _ => not_found(),
    }
}

fn mount(canned: &Canned, session: Session) -> Element {
    mount_reloading(canned, session, Arc::new(AtomicU32::new(0)))
}

/// Mounts the Users page with a page reload that only counts: starting and stopping a view load
/// the page again, which a component test cannot do.
fn mount_reloading(canned: &Canned, session: Session, reloads: Arc<AtomicU32>) -> Element {
    mount_in_app(canned, session, move || {
        provide_context(PageReload(Callback::new(move |_| {
            reloads.fetch_add(1, Ordering::SeqCst);
        })));
        view! { <Router><ToastRegion /><ViewAsBanner /><UsersList /></Router> }
    })
}

fn row_control(root: &Element, username: &str, id: &str) -> Option<Element> {
    query(
        root,
        &format!("tr[data-username=\"{username}\"] [data-testid=\"{id}\"]"),
    )
}

fn stored_view() -> Option<String> {
    gatehouse::state::web_storage::session()
        .and_then(|storage| storage.get_item(STORAGE_KEY).ok().flatten())
}

#[wasm_bindgen_test]
async fn viewing_as_sends_the_header_shows_the_banner_closes_writes_and_stop_returns() {
    let canned = server(false);
    let session = signed_in("elastic", "Elastic", "superuser");
    let root = mount(&canned, session);
    wait_for("victor's View as", || {
        row_control(&root, "victor", "view-as").is_some()
    })
    .await;
    // Not for yourself, and not for a deactivated user the server would refuse.
    assert!(row_control(&root, "elastic", "view-as").is_none());
    assert!(row_control(&root, "gone", "view-as").is_none());
    assert!(row_control(&root, "alice", "view-as").is_some());
    let view_as = row_control(&root, "victor", "view-as").expect("View as victor");
    assert_eq!(
        view_as.text_content().unwrap_or_default(),
        "View as Victor Viewer"
    );
    assert!(
        canned
            .requests
            .borrow()
            .iter()
            .all(|r| r.header(RUN_AS_HEADER).is_none()),
        "nothing runs as anyone before View as"
    );

    let reloads = Arc::new(AtomicU32::new(0));
    let caller_page = mount_reloading(&canned, session, reloads.clone());
    wait_for("victor's View as", || {
        row_control(&caller_page, "victor", "view-as").is_some()
    })
    .await;
    TimeoutFuture::new(50).await;
    let before = canned.requests.borrow().len();
    click(&row_control(&caller_page, "victor", "view-as").expect("View as victor"));
    wait_for("the page loaded again", || {
        reloads.load(Ordering::SeqCst) == 1
    })
    .await;
    assert!(
        testid(&caller_page, "view-as-banner").is_none(),
        "the caller's page is left as it is until it is loaded again"
    );
    // The page as loaded again: a session that starts from the kept view.
    let session = signed_in("victor", "Victor Viewer", "dashboard_viewer");
    let root = mount_reloading(&canned, session, reloads.clone());
    wait_for_testid(&root, "view-as-banner").await;
    assert_text(
        &root,
        "view-as-text",
        "Viewing as Victor Viewer — read-only",
    );
    let banner = testid(&root, "view-as-banner").expect("banner");
    assert_eq!(
        banner.text_content().unwrap_or_default(),
        "Viewing as Victor Viewer — read-only·Stop"
    );
    wait_for("victor's users read", || {
        row_control(&root, "alice", "user-delete").is_some()
    })
    .await;
    let sent: Vec<HttpRequest> = canned.requests.borrow()[before..].to_vec();
    assert!(
        sent.iter().any(|r| r.path == "/internal/security/me"),
        "starting asks the server first: {sent:?}"
    );
    for request in &sent {
        assert_eq!(
            request.header(RUN_AS_HEADER),
            Some("victor"),
            "{} {} runs as victor",
            request.method.as_str(),
            request.path
        );
    }
    assert!(
        stored_view().is_some_and(|view| view.contains("\"victor\"")),
        "a reload keeps the view"
    );

    // Alice's Delete is open to the viewed user's own rules, so the view closes it with its
    // reason, on hover and on keyboard focus.
    let delete = row_control(&root, "alice", "user-delete").expect("alice's Delete");
    wait_for_closed(&root, "user-delete", "Delete closed").await;
    assert_attribute(&delete, "aria-disabled", "true");
    let tooltip = tooltip_for(&root, &delete);
    assert_eq!(
        tooltip.text_content().unwrap_or_default(),
        "Viewing as Victor Viewer is read-only"
    );
    focus_opens(&delete, &tooltip).await;
    let sent_before_press = canned.requests.borrow().len();
    click(&delete);
    TimeoutFuture::new(50).await;
    assert_eq!(
        canned.requests.borrow().len(),
        sent_before_press,
        "a closed write sends nothing"
    );
    assert!(
        query(&root, "dialog[open]").is_none(),
        "a closed write opens nothing"
    );
    // Victor's own row keeps his own reason: the view shows what he would see.
    let own = row_control(&root, "victor", "user-delete").expect("victor's Delete");
    assert_eq!(
        tooltip_for(&root, &own).text_content().unwrap_or_default(),
        "You can't deactivate or delete the user you are signed in as."
    );
    // While viewing, nobody is offered another view.
    assert!(row_control(&root, "alice", "view-as").is_none());

    click(&testid(&root, "view-as-stop").expect("Stop"));
    wait_for("the page loaded again", || {
        reloads.load(Ordering::SeqCst) == 2
    })
    .await;
    assert_eq!(stored_view(), None, "Stop forgets the view");
    // The page as loaded again: the caller's own, with nothing running as victor.
    let before = canned.requests.borrow().len();
    let session = signed_in("elastic", "Elastic", "superuser");
    let own = mount_reloading(&canned, session, reloads);
    wait_for("alice's Delete open again", || {
        row_control(&own, "alice", "user-delete")
            .is_some_and(|delete| delete.get_attribute("aria-disabled").is_none())
    })
    .await;
    assert!(testid(&own, "view-as-banner").is_none());
    let sent: Vec<HttpRequest> = canned.requests.borrow()[before..].to_vec();
    assert!(
        sent.iter().all(|r| r.header(RUN_AS_HEADER).is_none()),
        "after Stop nothing runs as victor: {sent:?}"
    );
}

#[wasm_bindgen_test]
async fn a_refused_view_changes_nothing_and_says_why() {
    let canned = server(true);
    let session = signed_in("elastic", "Elastic", "superuser");
    let root = mount(&canned, session);
    wait_for("victor's View as", || {
        row_control(&root, "victor", "view-as").is_some()
    })
    .await;
    click(&row_control(&root, "victor", "view-as").expect("View as victor"));
    wait_for("the refusal's toast", || {
        document_element()
            .text_content()
            .unwrap_or_default()
            .contains("Could not view as Victor Viewer")
    })
    .await;
    let page = document_element().text_content().unwrap_or_default();
    assert!(
        page.contains("is unauthorized to run as [victor]"),
        "the toast carries the server's reason"
    );
    assert!(testid(&root, "view-as-banner").is_none());
    assert_eq!(stored_view(), None);
    assert_eq!(session.username_untracked().as_deref(), Some("elastic"));
    let before = canned.requests.borrow().len();
    canned.client().me().await.expect("me as elastic");
    assert!(
        canned.requests.borrow()[before..]
            .iter()
            .all(|r| r.header(RUN_AS_HEADER).is_none()),
        "the refused view sends no more run-as headers"
    );
}

#[wasm_bindgen_test]
async fn bob_is_offered_no_view_as() {
    let canned = server(false);
    let session = signed_in("bob", "Bob Responder", "dashboard_editor");
    let root = mount(&canned, session);
    wait_for_testid(&root, "users-table").await;
    wait_for("the roles read", || {
        canned
            .requests
            .borrow()
            .iter()
            .any(|r| r.path == "/api/security/role")
    })
    .await;
    TimeoutFuture::new(50).await;
    assert!(
        testid(&root, "view-as").is_none(),
        "bob's roles run as nobody: no View as"
    );
}

/// A form whose controls are not guarded one by one (a role's or a user's editor, a source's
/// documents) is one closed fieldset while viewing, under a note that says why, and opens again
/// when the view stops.
#[wasm_bindgen_test]
async fn a_form_is_closed_with_the_reason_while_viewing_and_opens_when_it_stops() {
    let canned = server(false);
    let session = signed_in("elastic", "Elastic", "superuser");
    let root = mount_in_app(&canned, session, || {
        view! {
            <ReadOnlyWhileViewing>
                <input type="text" data-testid="form-field" />
                <button type="submit" data-testid="form-save">"Save"</button>
            </ReadOnlyWhileViewing>
        }
    });
    let closed = |id: &str| {
        testid(&root, id)
            .expect(id)
            .matches(":disabled")
            .expect("a selector")
    };
    assert!(!closed("form-save") && !closed("form-field"));
    assert_testid_absent(&root, "view-as-note", "not viewing as anyone");

    session.set_viewing_as(Some(gatehouse_api::view_as::ViewingAs {
        username: "victor".into(),
        full_name: Some("Victor Viewer".into()),
        caller: "elastic".into(),
    }));
    TimeoutFuture::new(0).await;
    assert!(closed("form-save") && closed("form-field"));
    assert_text(
        &root,
        "view-as-note",
        "Viewing as Victor Viewer is read-only",
    );

    session.set_viewing_as(None);
    TimeoutFuture::new(0).await;
    assert!(!closed("form-save") && !closed("form-field"));
    assert_testid_absent(&root, "view-as-note", "the view stopped");
}
