//! The toast region: always mounted, collapses repeats, dismisses, pauses on hover.

#![cfg(target_arch = "wasm32")]

mod support;

use gatehouse::components::ToastRegion;
use gatehouse::state::Toasts;
use leptos::prelude::*;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

/// The toast region alone, showing `toasts`; it stays mounted while the handle lives.
fn mount_region(toasts: Toasts) -> (Element, leptos::mount::UnmountHandle<impl Mountable>) {
    let root = container();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        provide_context(toasts);
        view! { <ToastRegion /> }
    });
    (root.unchecked_into(), handle)
}

#[wasm_bindgen_test]
async fn repeats_collapse_with_a_count_and_dismiss_removes() {
    let toasts = Toasts::new();
    let (root, _handle) = mount_region(toasts);
    let region = query(&root, "#toasts").expect("the region is mounted before any toast");
    assert_attribute(&region, "aria-live", "polite");

    toasts.error("Failed to fetch hunting leads", "boom (403)");
    toasts.error("Failed to fetch hunting leads", "boom (403)");
    wait_for("one toast with ×2", || {
        query_all(&root, "[data-testid=toast]").len() == 1
            && region.text_content().unwrap_or_default().contains("×2")
    })
    .await;

    click(&query(&root, ".toast-dismiss").expect("dismiss button"));
    wait_for("toast gone", || {
        query_all(&root, "[data-testid=toast]").is_empty()
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_hovered_toast_does_not_expire() {
    let toasts = Toasts::new();
    let (root, _handle) = mount_region(toasts);
    toasts.success("Saved", "");
    wait_for("toast", || query(&root, ".toast-success").is_some()).await;
    let toast = query(&root, ".toast-success").expect("toast");
    toast
        .dispatch_event(&web_sys::MouseEvent::new("mouseenter").expect("event"))
        .expect("dispatched");
    // Success toasts live 5 s; hovered, it must still be there after 6 s.
    gloo_timers::future::TimeoutFuture::new(6_000).await;
    assert!(
        query(&root, ".toast-success").is_some(),
        "hover pauses the timer"
    );
    toast
        .dispatch_event(&web_sys::MouseEvent::new("mouseleave").expect("event"))
        .expect("dispatched");
    for _ in 0..80 {
        if query(&root, ".toast-success").is_none() {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(100).await;
    }
    panic!("the toast should expire once the pointer leaves");
}

/// A denial toast offers "Why?"; the dialog shows what the server says about the user's roles.
#[wasm_bindgen_test]
async fn a_denial_toast_explains_itself() {
    let canned = Canned::new(|request| {
        if request.path == "/internal/gatehouse/security/_explain" {
            json(
                200,
                r#"{"requirement":{"kind":"cluster","privileges":["manage_security","all"]},
                    "description":"The cluster privilege manage_security.",
                    "granted":false,
                    "yourRoles":[{"role":"viewer","grants":false,"missing":false}],
                    "grantingRoles":["superuser"],
                    "fix":{"roleName":"manage_security_role","consoleRequest":"POST /_security/role/manage_security_role\n{\n  \"cluster\": [\"manage_security\"]\n}"}}"#,
            )
        } else {
            kibana_error(404, "Not Found", "Not Found")
        }
    });
    let root = container();
    let toasts = Toasts::new();
    let client = canned.client();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        provide_context(client);
        provide_context(toasts);
        view! { <ToastRegion /> }
    });
    let root: Element = root.unchecked_into();

    let denial = gatehouse_api::ApiError::from_response(
        403,
        Some("application/json"),
        r#"{"statusCode":403,"error":"Forbidden","message":"action [cluster:admin/xpack/security/role/put] is unauthorized for user [bob] with effective roles [viewer], this action is granted by the cluster privileges [manage_security,all]"}"#,
    );
    toasts.api_error("Could not save role", &denial);
    let plain = gatehouse_api::ApiError::from_response(500, None, "boom");
    toasts.api_error("Could not load", &plain);
    wait_for("two toasts", || {
        query_all(&root, "[data-testid=toast]").len() == 2
    })
    .await;
    assert_eq!(
        query_all(&root, "[data-testid=toast-why]").len(),
        1,
        "only the denial offers Why?"
    );

    click(&query(&root, "[data-testid=toast-why]").expect("Why? button"));
    wait_for("the explanation", || {
        text_of(&root, "why-roles").is_some_and(|t| t.contains("viewer") && t.contains("✕ no"))
    })
    .await;
    let granting = text_of(&root, "why-granting").unwrap_or_default();
    assert!(granting.contains("superuser"), "{granting}");
    let snippet = text_of(&root, "why-snippet").unwrap_or_default();
    assert!(
        snippet.starts_with("POST /_security/role/manage_security_role"),
        "{snippet}"
    );
    assert_eq!(
        canned.paths(),
        vec!["POST /internal/gatehouse/security/_explain".to_string()]
    );
}
