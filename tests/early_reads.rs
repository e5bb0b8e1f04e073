//! Reads sent before the page asks for them (time to leads: BENCHMARKS.md section 3): they save a round trip on
//! a page load, and must never hand a page an answer meant for another session.

#![cfg(target_arch = "wasm32")]

mod support;

use gatehouse::api::{ApiClient, Method};
use gatehouse_api::leads_page::carried::{self, CarriedAnswer, CarriedAnswers};
use gatehouse_api::security::LoginRequest;
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const PRIVILEGES: &str = "/internal/entity_analytics/leads/privileges";

fn backend(read: bool, write: bool) -> Canned {
    Canned::new(move |request| {
        if request.path.ends_with("/privileges") {
            json(200, &privileges(read, write))
        } else {
            json(200, r#"{"location":"/"}"#)
        }
    })
}

/// The server's answers change after the early read: what a stale answer would hide.
fn grant_write_from_now_on(canned: &Canned) {
    canned.answer_with(|request| {
        if request.path.ends_with("/privileges") {
            json(200, &privileges(true, true))
        } else {
            json(200, "{}")
        }
    });
}

/// Signs `username` in with the demo password, as the login form does.
async fn sign_in(client: &ApiClient, username: &str) {
    client
        .login(&LoginRequest::basic(username, "changeme", "/login"))
        .await
        .expect("signed in");
}

#[wasm_bindgen_test]
async fn an_early_read_is_sent_at_once_and_answers_the_first_request_for_it_only() {
    let canned = backend(true, false);
    let client = reading_early(&canned);
    assert_eq!(
        canned.count(Method::Get, PRIVILEGES),
        1,
        "sent before anything asks"
    );

    let first = client.leads_privileges().await.expect("the early answer");
    assert!(first.has_read_permissions && !first.has_write_permissions);
    assert_eq!(
        canned.count(Method::Get, PRIVILEGES),
        1,
        "the first request took the early answer"
    );

    client.leads_privileges().await.expect("asked again");
    assert_eq!(
        canned.count(Method::Get, PRIVILEGES),
        2,
        "a later request asks the server again"
    );
}

#[wasm_bindgen_test]
async fn signing_in_discards_reads_sent_before_it() {
    let canned = backend(true, false);
    let client = reading_early(&canned);
    sign_in(&client, "leads_full_user").await;
    grant_write_from_now_on(&canned);

    let after = client
        .leads_privileges()
        .await
        .expect("asked after sign-in");
    assert!(
        after.has_write_permissions,
        "the answer is the signed-in user's, not the one read before sign-in"
    );
    assert_eq!(canned.count(Method::Get, PRIVILEGES), 2);
}

/// The leads are read early only once the privileges grant `read`: privileges answered for the
/// user of before a sign-in must not send a leads request for the one signed in since.
#[wasm_bindgen_test]
async fn signing_in_while_the_privileges_are_read_early_sends_no_leads_request_from_them() {
    let canned = backend(true, false);
    let client = reading_early(&canned);
    sign_in(&client, "leads_no_access_user").await;
    gloo_timers::future::TimeoutFuture::new(50).await;
    assert_eq!(
        canned.paths(),
        vec![
            format!("GET {PRIVILEGES}"),
            "POST /internal/security/login".to_string()
        ],
        "no leads request planned from the answer of before the sign-in"
    );
}

#[wasm_bindgen_test]
async fn a_lost_session_discards_reads_sent_before_it() {
    let canned = Canned::new(|_| kibana_error(401, "Unauthorized", "Unauthorized"));
    let client = reading_early(&canned);
    // Another request learns that the session is gone.
    assert!(client.me().await.is_err());
    grant_write_from_now_on(&canned);

    let after = client.leads_privileges().await.expect("asked again");
    assert!(after.has_read_permissions, "not the 401 read before");
    assert_eq!(canned.count(Method::Get, PRIVILEGES), 2);
}

#[wasm_bindgen_test]
async fn an_early_read_answered_before_it_is_asked_for_still_answers() {
    let canned = backend(true, true);
    let client = reading_early(&canned);
    gloo_timers::future::TimeoutFuture::new(50).await;
    let answer = client.leads_privileges().await.expect("the early answer");
    assert!(answer.has_write_permissions);
    assert_eq!(canned.count(Method::Get, PRIVILEGES), 1);
}

/// The server's first paint carries the answers it was drawn from
/// (`gatehouse_api::leads_page::carried`) in the page.
fn carry_in_page(answers: &CarriedAnswers) {
    let document = leptos::prelude::document();
    let element = document.create_element("script").expect("an element");
    element.set_id(carried::ELEMENT_ID);
    element
        .set_attribute("type", "application/json")
        .expect("its type");
    element.set_text_content(Some(&answers.to_script_text()));
    document
        .body()
        .expect("a body")
        .append_child(&element)
        .expect("in the page");
}

fn carried_privileges(read: bool, write: bool) -> CarriedAnswers {
    CarriedAnswers {
        space_prefix: String::new(),
        answers: vec![CarriedAnswer {
            method: "GET".into(),
            path: PRIVILEGES.into(),
            version: Some("1".into()),
            body: None,
            answer: privileges(read, write),
        }],
    }
}

#[wasm_bindgen_test]
async fn an_answer_carried_in_the_page_answers_the_first_request_without_asking_the_server() {
    let canned = backend(true, false);
    let client = ApiClient::new(canned.transport());
    carry_in_page(&carried_privileges(true, true));

    let first = client.leads_privileges().await.expect("the carried answer");
    assert!(first.has_write_permissions, "the page's answer");
    assert_eq!(canned.count(Method::Get, PRIVILEGES), 0, "nothing asked");

    let again = client.leads_privileges().await.expect("asked");
    assert!(!again.has_write_permissions, "the server's answer");
    assert_eq!(
        canned.count(Method::Get, PRIVILEGES),
        1,
        "a later request is asked"
    );
}

#[wasm_bindgen_test]
async fn signing_in_discards_the_answers_carried_in_the_page() {
    let canned = backend(true, false);
    let client = ApiClient::new(canned.transport());
    carry_in_page(&carried_privileges(true, true));
    sign_in(&client, "leads_read_user").await;

    let after = client.leads_privileges().await.expect("asked");
    assert!(
        !after.has_write_permissions,
        "the signed-in user's answer, not the one drawn for the page's"
    );
    assert_eq!(canned.count(Method::Get, PRIVILEGES), 1);
}

#[wasm_bindgen_test]
async fn answers_carried_for_another_space_are_not_taken() {
    let canned = backend(true, false);
    let client = ApiClient::new(canned.transport());
    carry_in_page(&CarriedAnswers {
        space_prefix: "/s/elsewhere".into(),
        ..carried_privileges(true, true)
    });
    let answer = client.leads_privileges().await.expect("asked");
    assert!(!answer.has_write_permissions);
    assert_eq!(canned.count(Method::Get, PRIVILEGES), 1);
}
