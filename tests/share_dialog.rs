//! The Share dialog for each kind of viewer, fed the contract's responses.

#![cfg(target_arch = "wasm32")]

mod support;

use gatehouse::api::Method;
use gatehouse::components::{ShareDialog, ToastRegion};
use gatehouse::state::{Profiles, Toasts};
use gatehouse_api::dashboards::{share_permissions, Dashboard};
use leptos::prelude::*;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

const ALICE_PROFILE: &str = r#"[{"uid":"u_alice_0","enabled":true,"user":{"username":"alice","full_name":"Alice Analyst","roles":["dashboard_editor"]},"data":{}}]"#;

/// Kibana's answer when the change of access mode went through.
const MODE_CHANGED: &str = r#"{"result":{"objects":[{"id":"soc-overview","type":"dashboard"}]}}"#;

fn restricted_dashboard() -> Dashboard {
    serde_json::from_str(
        r#"{"id":"soc-overview","data":{"title":"SOC overview","description":"","panels":[],"access_control":{"access_mode":"write_restricted"}},"meta":{"owner":"u_alice_0","version":"1"}}"#,
    )
    .expect("dashboard fixture parses")
}

fn mount(
    canned: &Canned,
    viewer: &str,
    is_admin: bool,
) -> (Element, leptos::mount::UnmountHandle<impl Mountable>) {
    let root = container();
    let client = canned.client();
    let dashboard = restricted_dashboard();
    let permissions = share_permissions(Some(viewer), is_admin, &dashboard);
    let handle = leptos::mount::mount_to(root.clone(), move || {
        provide_context(client);
        provide_context(Toasts::new());
        provide_context(Profiles::new());
        let open = RwSignal::new(true);
        view! {
            <ToastRegion />
            <ShareDialog
                open
                dashboard=Signal::derive(move || Some(dashboard.clone()))
                permissions=Signal::derive(move || permissions)
                on_changed=Callback::new(|_| ())
            />
        }
    });
    (root.unchecked_into(), handle)
}

fn server(mode_change: Result<gatehouse::api::HttpResponse, gatehouse_api::ApiError>) -> Canned {
    Canned::new(move |request| {
        if request.path.ends_with("/_bulk_get") {
            json(200, ALICE_PROFILE)
        } else if request.path.ends_with("/change_access_mode") {
            mode_change.clone()
        } else {
            kibana_error(404, "Not Found", "Not Found")
        }
    })
}

#[wasm_bindgen_test]
async fn the_owner_changes_the_mode_and_sees_the_result() {
    let canned = server(json(200, MODE_CHANGED));
    let (root, _handle) = mount(&canned, "u_alice_0", false);
    wait_for("the owner's name", || {
        text_of(&root, "share-owner").is_some_and(|t| t.contains("Alice Analyst"))
    })
    .await;
    let select: HtmlSelectElement = testid(&root, "share-mode-select")
        .expect("owner gets a select")
        .unchecked_into();
    assert_eq!(select.value(), "write_restricted");
    assert!(root
        .text_content()
        .unwrap_or_default()
        .contains("Everybody in the space"));

    select.set_value("default");
    select
        .dispatch_event(&web_sys::Event::new("change").expect("event"))
        .expect("dispatched");
    wait_for("the change request", || {
        canned.count(Method::Post, "/internal/access_control/change_access_mode") == 1
    })
    .await;
    let request = canned.sent(|r| r.path.ends_with("change_access_mode"));
    let body = json_body(&request);
    assert_eq!(body["accessMode"], "default");
    assert_eq!(body["objects"][0]["id"], "soc-overview");
    assert_eq!(request.header("kbn-xsrf"), Some("true"));
    wait_for_text(&root, "share-result", "Permissions updated.").await;
    assert!(query(&root, ".toast-success").is_some());
}

#[wasm_bindgen_test]
async fn everybody_else_reads_the_mode_with_the_reason() {
    let canned = server(json(500, "{}"));
    let (root, _handle) = mount(&canned, "u_bob_0", false);
    // showModal() moves focus into the dialog when it opens: wait for that before focusing.
    wait_for("the open dialog", || {
        query(&root, "dialog[open] [data-testid=share-mode-text]").is_some()
    })
    .await;
    assert_testid_absent(&root, "share-mode-select", "no select for a non-owner");
    assert_testid_absent(
        &root,
        "share-owner-search",
        "no ownership transfer for a non-owner",
    );
    let text = testid(&root, "share-mode-text").expect("mode text");
    assert_eq!(text.text_content().as_deref(), Some("can view"));
    let tooltip = tooltip_for(&root, &text);
    assert_eq!(
        tooltip.text_content().as_deref(),
        Some("Only the dashboard owner can edit permissions.")
    );
    focus_opens(&text, &tooltip).await;
}

#[wasm_bindgen_test]
async fn an_admin_manages_a_dashboard_they_do_not_own() {
    let canned = server(json(200, MODE_CHANGED));
    let (root, _handle) = mount(&canned, "u_elastic_0", true);
    wait_for_testid(&root, "share-mode-select").await;
    assert_testid_present(&root, "share-owner-search", "admins can transfer ownership");
}

#[wasm_bindgen_test]
async fn a_denied_change_reverts_and_shows_the_server_message() {
    let canned = server(kibana_error(
        403,
        "Forbidden",
        "Unable to change access mode of dashboard:soc-overview",
    ));
    let (root, _handle) = mount(&canned, "u_alice_0", false);
    wait_for_testid(&root, "share-mode-select").await;
    let select: HtmlSelectElement = testid(&root, "share-mode-select")
        .expect("select")
        .unchecked_into();
    select.set_value("default");
    select
        .dispatch_event(&web_sys::Event::new("change").expect("event"))
        .expect("dispatched");
    wait_for("inline failure", || {
        text_of(&root, "share-result").is_some_and(|t| {
            t.contains("Failed to update permissions.")
                && t.contains("Unable to change access mode of dashboard:soc-overview (403)")
        })
    })
    .await;
    wait_for("the select reverts", || {
        select.value() == "write_restricted"
    })
    .await;
    assert!(query(&root, ".toast-error").is_some());
}
