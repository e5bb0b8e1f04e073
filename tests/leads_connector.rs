//! The connector gate in the browser, fed the contract's answers: Generate stays closed until the
//! space has a connector, the picker sends the choice, and a read-only user gets the picker closed
//! with its reason.

#![cfg(target_arch = "wasm32")]

mod support;

use std::cell::RefCell;
use std::rc::Rc;

use gatehouse::api::Method;
use leptos::prelude::*;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

const LEADS: &str = "/internal/entity_analytics/leads";

const TWO_CONNECTORS: &str = r#"[{"id":"gatehouse-default","name":"Gatehouse scoring (built in, no LLM)","connector_type_id":"gatehouse-scoring","is_preconfigured":true,"is_deprecated":false,"is_missing_secrets":false,"referenced_by_count":0},
{"id":"openai-1","name":"OpenAI (SOC)","connector_type_id":".gen-ai","is_preconfigured":false,"is_deprecated":false,"is_missing_secrets":false,"referenced_by_count":1}]"#;

fn mount(canned: &Canned) -> (Element, leptos::mount::UnmountHandle<impl Mountable>) {
    mount_leads_section(canned.client())
}

/// A space whose choice starts as `chosen` (JSON); a PUT stores the id it sends.
fn space(read: bool, write: bool, chosen: &str) -> Canned {
    let chosen = Rc::new(RefCell::new(chosen.to_string()));
    Canned::new(move |request| {
        let path = request.path.as_str();
        if path.ends_with("/privileges") {
            json(200, &privileges(read, write))
        } else if path == "/api/actions/connectors" {
            json(200, TWO_CONNECTORS)
        } else if path.ends_with("/leads/connector") {
            if request.method == Method::Put {
                let id = json_body(request)["connectorId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                *chosen.borrow_mut() = format!(r#"{{"connectorId":"{id}"}}"#);
            }
            json(200, &chosen.borrow())
        } else if path.contains("/leads/changes") {
            json(200, NO_CHANGES)
        } else if path.ends_with("/status") {
            json(200, STATUS_IDLE)
        } else if path.ends_with("/generate") {
            json(200, r#"{"executionUuid":"run-1"}"#)
        } else if path.starts_with(&format!("{LEADS}?")) {
            json(200, &leads_page(&[lead("a", "Beaconing from web-a", 9)], 1))
        } else {
            not_found()
        }
    })
}

fn tooltip_of(root: &Element, button: &Element) -> String {
    let id = button
        .get_attribute("aria-describedby")
        .expect("described by its tooltip");
    query(root, &format!("#{id}"))
        .and_then(|t| t.text_content())
        .unwrap_or_default()
}

fn select(root: &Element) -> HtmlSelectElement {
    testid(root, "leads-connector")
        .expect("the picker")
        .unchecked_into()
}

/// Waits for the picker to list the two connectors after its empty choice, open to change.
async fn wait_for_connectors_listed(root: &Element) {
    wait_for("the connectors listed", || {
        query_all(root, "[data-testid=leads-connector] option").len() == 3
            && !select(root).disabled()
    })
    .await;
}

/// Presses Generate and checks that the one run it starts names `connector`.
async fn generate_runs_with(canned: &Canned, generate: &Element, connector: &str) {
    click(generate);
    wait_for("the generate call", || {
        canned.count(Method::Post, &format!("{LEADS}/generate")) == 1
    })
    .await;
    let run = canned.sent(|r| r.path.ends_with("/generate"));
    assert_eq!(json_body(&run)["connectorId"], connector);
}

/// Picks `id` in the picker as a user would: the value, then a `change` event.
fn choose(root: &Element, id: &str) {
    let picker = select(root);
    picker.set_value(id);
    picker
        .dispatch_event(&web_sys::Event::new("change").expect("event"))
        .expect("dispatched");
}

#[wasm_bindgen_test]
async fn generate_stays_closed_until_a_connector_is_chosen_then_sends_it() {
    let canned = space(true, true, CONNECTOR_NONE);
    let (root, _handle) = mount(&canned);
    wait_for_connectors_listed(&root).await;
    let generate = testid(&root, "leads-generate").expect("Generate");
    assert_attribute(&generate, "aria-disabled", "true");
    assert_eq!(tooltip_of(&root, &generate), "Choose a connector first");
    assert_eq!(select(&root).value(), "", "the picker asks for a choice");
    click(&generate);
    gloo_timers::future::TimeoutFuture::new(50).await;
    assert_eq!(canned.count(Method::Post, &format!("{LEADS}/generate")), 0);

    choose(&root, "openai-1");
    wait_for("the choice saved", || {
        canned.count(Method::Put, &format!("{LEADS}/connector")) == 1
    })
    .await;
    let put = canned.sent(|r| r.method == Method::Put);
    assert_eq!(put.header("kbn-xsrf"), Some("true"));
    assert_eq!(
        json_body(&put),
        serde_json::json!({"connectorId": "openai-1"})
    );
    wait_for("Generate open", || !generate.has_attribute("aria-disabled")).await;
    wait_for("the toast naming it", || {
        query_all(&root, "[data-testid=toast]").iter().any(|toast| {
            toast
                .text_content()
                .is_some_and(|t| t.contains("Connector chosen") && t.contains("OpenAI (SOC)"))
        })
    })
    .await;

    generate_runs_with(&canned, &generate, "openai-1").await;
}

#[wasm_bindgen_test]
async fn the_spaces_choice_is_shown_and_a_chosen_connector_no_longer_listed_closes_generate() {
    let canned = space(true, true, r#"{"connectorId":"openai-1"}"#);
    let (root, _handle) = mount(&canned);
    wait_for("the choice shown", || select(&root).value() == "openai-1").await;
    let generate = testid(&root, "leads-generate").expect("Generate");
    wait_for("Generate open", || !generate.has_attribute("aria-disabled")).await;

    // A space whose connector was deleted since it was chosen.
    let canned = space(true, true, r#"{"connectorId":"deleted-one"}"#);
    let (root, _handle) = mount(&canned);
    wait_for_connectors_listed(&root).await;
    let generate = testid(&root, "leads-generate").expect("Generate");
    assert_eq!(tooltip_of(&root, &generate), "Choose a connector first");
    assert_eq!(select(&root).value(), "");
}

#[wasm_bindgen_test]
async fn a_refused_choice_is_toasted_and_closes_the_picker_naming_the_spaces_choice() {
    let canned = space(true, true, CONNECTOR_CHOSEN);
    let (root, _handle) = mount(&canned);
    wait_for("the choice shown", || {
        select(&root).value() == "gatehouse-default" && !select(&root).disabled()
    })
    .await;
    canned.answer_with(|request| {
        if request.method == Method::Put {
            json(403, r#"{"message":"security_exception: action [indices:data/write/index] is unauthorized for user [x] with effective roles [r] on indices [.entity_analytics.entity-leads-default], this action is granted by the index privileges [create_doc,create,index,write,all]","status_code":403}"#)
        } else {
            json(200, STATUS_IDLE)
        }
    });
    choose(&root, "openai-1");
    wait_for("the error toast", || query(&root, ".toast-error").is_some()).await;
    let toast = query(&root, ".toast-error")
        .and_then(|t| t.text_content())
        .unwrap_or_default();
    assert!(toast.contains("Failed to choose the connector"), "{toast}");
    // Writing is closed now, the picker with it, and it names what the space still uses.
    wait_for_closed(&root, "leads-connector", "the picker closed").await;
    let picker = testid(&root, "leads-connector").expect("picker");
    assert_eq!(
        picker.text_content().as_deref(),
        Some("Connector: Gatehouse scoring (built in, no LLM)")
    );
    assert!(testid(&root, "leads-missing-write").is_some());
}

#[wasm_bindgen_test]
async fn a_read_only_user_sees_the_choice_closed_with_its_reason_and_cannot_change_it() {
    let canned = space(true, false, r#"{"connectorId":"openai-1"}"#);
    let (root, _handle) = mount(&canned);
    wait_for("the choice named", || {
        text_of(&root, "leads-connector").as_deref() == Some("Connector: OpenAI (SOC)")
    })
    .await;
    let picker = testid(&root, "leads-connector").expect("picker");
    assert_eq!(picker.tag_name(), "BUTTON", "no select to change");
    assert_attribute(&picker, "aria-disabled", "true");
    assert!(!picker.has_attribute("disabled"), "stays focusable");
    let reason = tooltip_of(&root, &picker);
    assert!(
        reason.contains("You need the write privilege on .entity_analytics.entity-leads-* to choose the connector"),
        "{reason}"
    );
    // Keyboard focus opens the reason, as Generate's.
    focus_opens(&picker, &tooltip_for(&root, &picker)).await;
    click(&picker);
    gloo_timers::future::TimeoutFuture::new(50).await;
    assert_eq!(canned.count(Method::Put, &format!("{LEADS}/connector")), 0);
    // Generate is closed for write, not for the connector.
    let generate = testid(&root, "leads-generate").expect("Generate");
    assert!(tooltip_of(&root, &generate).contains("write privilege"));
}

#[wasm_bindgen_test]
async fn a_refused_connector_list_is_a_callout_line_and_the_choice_still_generates() {
    let canned = space(true, true, CONNECTOR_CHOSEN);
    let base = space(true, true, CONNECTOR_CHOSEN);
    canned.answer_with(move |request| {
        if request.path == "/api/actions/connectors" {
            kibana_error(
                403,
                "Forbidden",
                "API [GET /api/actions/connectors] is unauthorized for user, this action is granted by the Kibana privileges [actions:read]",
            )
        } else {
            base.transport_answer(request)
        }
    });
    let (root, _handle) = mount(&canned);
    wait_for_testid(&root, "leads-missing-connectors").await;
    let line = text_of(&root, "leads-missing-connectors").unwrap_or_default();
    assert!(line.contains("Kibana privilege actions:read"), "{line}");
    assert!(
        query(&root, ".toast-error").is_none(),
        "said in the callout, not in a toast"
    );
    let generate = testid(&root, "leads-generate").expect("Generate");
    wait_for("Generate open with the space's choice", || {
        !generate.has_attribute("aria-disabled")
    })
    .await;
    assert_eq!(select(&root).value(), "gatehouse-default");
}

/// One callout for the page, one line per missing privilege, for the test plan's three users.
#[wasm_bindgen_test]
async fn the_callout_has_one_line_per_missing_privilege_for_full_read_only_and_no_access() {
    let lines = |root: &Element| {
        query_all(root, "[data-testid=leads-privileges-callout] li")
            .iter()
            .filter_map(|li| li.get_attribute("data-testid"))
            .collect::<Vec<_>>()
    };
    let full = space(true, true, CONNECTOR_CHOSEN);
    let (root, _full) = mount(&full);
    wait_for_testid(&root, "lead-card").await;
    assert!(
        testid(&root, "leads-privileges-callout").is_none(),
        "nothing missing, no callout"
    );

    let read_only = space(true, false, CONNECTOR_CHOSEN);
    let (root, _read_only) = mount(&read_only);
    wait_for_testid(&root, "leads-privileges-callout").await;
    assert_eq!(lines(&root), ["leads-missing-write"]);
    assert!(testid(&root, "leads-section").is_some(), "the leads stay");

    let no_access = space(false, false, CONNECTOR_CHOSEN);
    let (root, _no_access) = mount(&no_access);
    wait_for_testid(&root, "leads-privileges-callout").await;
    assert_eq!(lines(&root), ["leads-missing-read", "leads-missing-write"]);
    let callout = text_of(&root, "leads-privileges-callout").unwrap_or_default();
    assert!(
        callout.contains("Hunting leads are hidden.")
            && callout.contains("not because there is nothing to show"),
        "hidden for privileges, not no data: {callout}"
    );
    assert!(testid(&root, "leads-empty").is_none());
    assert_eq!(
        query_all(&root, "[data-testid=leads-privileges-callout] button").len(),
        2,
        "a Why? per line"
    );
}

/// Against a Kibana without the space's-choice route (404), the connector its status names is
/// the choice Generate sends.
#[wasm_bindgen_test]
async fn without_the_choice_route_the_status_connector_is_used() {
    let canned = space(true, true, CONNECTOR_NONE);
    let base = space(true, true, CONNECTOR_NONE);
    canned.answer_with(move |request| {
        if request.path.ends_with("/leads/connector") {
            not_found()
        } else if request.path.ends_with("/status") {
            json(
                200,
                r#"{"isEnabled":true,"indexExists":true,"totalLeads":1,"lastRun":null,"connectorId":"openai-1","lastError":null}"#,
            )
        } else {
            base.transport_answer(request)
        }
    });
    let (root, _handle) = mount(&canned);
    wait_for("the status's connector shown", || {
        select(&root).value() == "openai-1"
    })
    .await;
    let generate = testid(&root, "leads-generate").expect("Generate");
    wait_for("Generate open", || !generate.has_attribute("aria-disabled")).await;
    generate_runs_with(&canned, &generate, "openai-1").await;
}
