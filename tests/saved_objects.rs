//! Stack Management → Saved objects in the browser, fed the contract's answers: the table (owner
//! by name, mode, selection, Export), what a reader and a user without dashboards are shown, the
//! import form (a dropped file, the conflict choice, "Keep owner and protection" open only to
//! those who manage access control) and the result screen with its retry of conflicts.

#![cfg(target_arch = "wasm32")]

mod support;

use gatehouse::api::{HttpRequest, Method};
use gatehouse::components::ToastRegion;
use gatehouse::pages::management::saved_objects::SavedObjectsPage;
use gatehouse::state::{Profiles, Session};
use gatehouse_api::saved_objects_page::texts;
use leptos::prelude::*;
use leptos_router::components::Router;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

const FOUND: &str = r#"{"page":1,"per_page":1000,"total":2,"saved_objects":[
  {"type":"dashboard","id":"soc-overview","attributes":{"title":"SOC overview"},"references":[],"accessControl":{"owner":"u_alice_0","accessMode":"write_restricted"},"updated_at":"2026-11-20T10:00:00Z","version":"3"},
  {"type":"dashboard","id":"network-traffic-legacy","attributes":{"title":"Network traffic (legacy)"},"references":[],"updated_at":"2026-11-19T10:00:00Z","version":"1"}
]}"#;

const ALICE: &str = r#"[{"uid":"u_alice_0","enabled":true,"user":{"username":"alice","full_name":"Alice Analyst","roles":["dashboard_editor"]},"data":{}}]"#;

const EXPORT: &str = "{\"type\":\"dashboard\",\"id\":\"soc-overview\",\"attributes\":{\"title\":\"SOC overview\"},\"references\":[],\"accessControl\":{\"owner\":\"u_alice_0\",\"accessMode\":\"write_restricted\"}}\n{\"exportedCount\":1,\"missingRefCount\":0,\"missingReferences\":[],\"excludedObjects\":[],\"excludedObjectsCount\":0}\n";

/// An import where one object is new, one lost its protection, one id is taken here and one was
/// refused by the server.
const IMPORTED: &str = r#"{"success":false,"successCount":2,
  "successResults":[
    {"type":"dashboard","id":"phishing-triage","meta":{"title":"Phishing triage"}},
    {"type":"dashboard","id":"exec-risk","meta":{"title":"Executive risk"}}
  ],
  "errors":[
    {"type":"dashboard","id":"soc-overview","meta":{"title":"SOC overview"},"error":{"type":"conflict"}},
    {"type":"dashboard","id":"endpoint-health","meta":{"title":"Endpoint health"},"error":{"type":"unknown","statusCode":403,"message":"Unable to create dashboard, access control restrictions for dashboard:endpoint-health. The \"manage_access_control\" privilege is required to affect write restricted objects owned by another user."}}
  ],
  "accessControlReset":[
    {"type":"dashboard","id":"exec-risk","title":"Executive risk","previousOwner":"u_elastic_0","previousAccessMode":"write_restricted","owner":"u_bob_0","accessMode":"default","reason":"importer_owns_imports","message":"Imported objects belong to the person who imports them, and everybody in the space can edit them."}
  ]}"#;

const RETRIED: &str = r#"{"success":true,"successCount":1,"successResults":[{"type":"dashboard","id":"soc-overview","overwrite":true,"meta":{"title":"SOC overview"}}],"errors":[]}"#;

fn session(read: bool, write: bool) -> Session {
    signed_in_as(
        "bob",
        Some("Bob Responder"),
        &["dashboard_editor"],
        serde_json::json!({
            "navLinks": {"management": true, "dashboards": read},
            "dashboard": {"show": read, "showWriteControls": write},
        }),
    )
}

/// The saved-objects routes as our server answers them; `manages` is what global access says.
fn server(manages: bool) -> Canned {
    Canned::new(move |request| route(request, manages))
}

fn route(
    request: &HttpRequest,
    manages: bool,
) -> Result<gatehouse::api::HttpResponse, gatehouse_api::ApiError> {
    let path = request.path.as_str();
    if path.starts_with("/api/saved_objects/_find") {
        json(200, FOUND)
    } else if path.ends_with("/user_profile/_bulk_get") {
        json(200, ALICE)
    } else if path.ends_with("/global_access/dashboard") {
        json(200, &format!(r#"{{"isGloballyAuthorized":{manages}}}"#))
    } else if path == "/api/saved_objects/_export" {
        Ok(gatehouse::api::HttpResponse {
            status: 200,
            content_type: Some("application/x-ndjson".into()),
            body: EXPORT.into(),
            console_status: None,
        })
    } else if path.starts_with("/api/saved_objects/_import") {
        json(200, IMPORTED)
    } else if path.starts_with("/api/saved_objects/_resolve_import_errors") {
        json(200, RETRIED)
    } else {
        not_found()
    }
}

fn mount(canned: &Canned, session: Session) -> Element {
    mount_in_app(canned, session, || {
        provide_context(Profiles::new());
        view! { <Router><ToastRegion /><SavedObjectsPage /></Router> }
    })
}

fn text(element: &Element) -> String {
    element.text_content().unwrap_or_default()
}

fn button(root: &Element, id: &str) -> Element {
    testid(root, id).unwrap_or_else(|| panic!("{id} is on the page"))
}

/// The reason a closed control gives on hover and focus: the tooltip it is described by.
fn reason_of(root: &Element, control: &Element) -> String {
    let id = control
        .get_attribute("aria-describedby")
        .expect("described by its reason");
    query(root, &format!("#{id}"))
        .map(|t| text(&t))
        .unwrap_or_default()
}

fn rows(root: &Element) -> Vec<Element> {
    query_all(root, "[data-testid=\"saved-object-row\"]")
}

/// Drops a file named `name` holding `contents` on the import dialog's drop zone, as a user
/// dragging it from their desktop does.
fn drop_file(root: &Element, name: &str, contents: &str) {
    let zone = button(root, "import-drop");
    let drop = js_sys::Function::new_with_args(
        "zone, name, contents",
        "const transfer = new DataTransfer();
         transfer.items.add(new File([contents], name, {type: 'application/x-ndjson'}));
         zone.dispatchEvent(new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true}));",
    );
    drop.call3(
        &wasm_bindgen::JsValue::NULL,
        &zone,
        &name.into(),
        &contents.into(),
    )
    .expect("dropped");
}

async fn open_import(root: &Element) {
    wait_for_testid(root, "saved-objects-table").await;
    click(&button(root, "saved-objects-import"));
    wait_for_testid(root, "import-drop").await;
}

#[wasm_bindgen_test]
async fn the_table_lists_each_object_with_its_owner_by_name_and_its_mode() {
    let canned = server(false);
    let root = mount(&canned, session(true, true));
    wait_for_testid(&root, "saved-objects-table").await;
    let listed = rows(&root);
    assert_eq!(listed.len(), 2);
    assert_eq!(
        text(&testid(&listed[0], "saved-object-title").expect("title")),
        "SOC overview"
    );
    assert_eq!(
        testid(&listed[0], "saved-object-title")
            .and_then(|a| a.get_attribute("href"))
            .as_deref(),
        Some("/app/dashboards/view/soc-overview"),
        "the title opens the dashboard"
    );
    assert_eq!(
        text(&testid(&listed[0], "saved-object-type").expect("type")),
        "dashboard"
    );
    wait_for("the owner's name", || {
        text(&testid(&rows(&root)[0], "saved-object-owner").expect("owner")) == "Alice Analyst"
    })
    .await;
    assert_eq!(
        text(&testid(&listed[1], "saved-object-owner").expect("owner")),
        "—",
        "an object without an owner says so"
    );
    assert_eq!(
        text(&testid(&listed[0], "saved-object-mode").expect("mode")),
        "Can view"
    );
    assert_eq!(
        text(&testid(&listed[1], "saved-object-mode").expect("mode")),
        "Can edit"
    );
    let bulk_get = canned.sent(|r| r.path.ends_with("/user_profile/_bulk_get"));
    assert_eq!(
        json_body(&bulk_get)["uids"],
        serde_json::json!(["u_alice_0"])
    );
}

#[wasm_bindgen_test]
async fn export_opens_with_a_selection_and_sends_the_chosen_objects() {
    let canned = server(false);
    let root = mount(&canned, session(true, false));
    wait_for_testid(&root, "saved-objects-table").await;
    let export = button(&root, "saved-objects-export");
    assert_attribute(&export, "aria-disabled", "true");
    assert_eq!(reason_of(&root, &export), texts::SELECT_TO_EXPORT);
    click(&export);
    assert_eq!(
        canned.count(Method::Post, "/api/saved_objects/_export"),
        0,
        "closed: nothing is sent"
    );

    click(&testid(&rows(&root)[0], "saved-object-select").expect("checkbox"));
    wait_for("Export to open", || {
        button(&root, "saved-objects-export")
            .get_attribute("aria-disabled")
            .is_none()
    })
    .await;
    assert_text(&root, "saved-objects-export", "Export 1");
    click(&button(&root, "saved-objects-export"));
    wait_for("the export's toast", || {
        text_of(&root, "toast").is_some_and(|t| t.contains("Export ready"))
    })
    .await;
    let sent = json_body(&canned.sent(|r| r.path == "/api/saved_objects/_export"));
    assert_eq!(
        sent["objects"],
        serde_json::json!([{"type":"dashboard","id":"soc-overview"}])
    );
    assert_eq!(
        sent["includeReferencesDeep"], true,
        "with what they reference"
    );

    click(&button(&root, "saved-objects-select-all"));
    wait_for_text(&root, "saved-objects-export", "Export 2").await;
    click(&button(&root, "saved-objects-select-all"));
    wait_for_text(&root, "saved-objects-export", "Export").await;
}

#[wasm_bindgen_test]
async fn a_reader_may_export_but_import_is_closed_with_the_reason() {
    let canned = server(false);
    let root = mount(&canned, session(true, false));
    wait_for_testid(&root, "saved-objects-table").await;
    let import = button(&root, "saved-objects-import");
    assert_attribute(&import, "aria-disabled", "true");
    assert_eq!(reason_of(&root, &import), texts::READ_ONLY);
    click(&import);
    assert_testid_absent(&root, "import-drop", "a closed Import opens nothing");
}

#[wasm_bindgen_test]
async fn without_dashboards_the_page_says_why_and_reads_nothing() {
    let canned = server(false);
    let root = mount(&canned, session(false, false));
    wait_for_testid(&root, "saved-objects-no-permission").await;
    assert!(text(&root).contains(texts::NO_DASHBOARDS));
    assert_testid_absent(&root, "saved-objects-table", "no list");
    assert_eq!(canned.count(Method::Get, "/api/saved_objects/_find"), 0);
}

#[wasm_bindgen_test]
async fn keep_protection_is_closed_with_its_reason_to_a_non_manager() {
    let canned = server(false);
    let root = mount(&canned, session(true, true));
    open_import(&root).await;
    let keep = button(&root, "import-keep-protection");
    wait_for("the global access answer", || {
        canned.count(Method::Get, "/internal/access_control/global_access") > 0
    })
    .await;
    assert_attribute(&keep, "aria-disabled", "true");
    assert_eq!(reason_of(&root, &keep), texts::KEEP_PROTECTION_CLOSED);
    click(&keep);
    assert!(
        !keep.unchecked_ref::<HtmlInputElement>().checked(),
        "a closed box never ticks"
    );

    drop_file(&root, "export.ndjson", EXPORT);
    wait_for_testid(&root, "import-file-name").await;
    click(&button(&root, "import-submit"));
    wait_for_testid(&root, "import-result").await;
    let sent = canned.sent(|r| r.path.starts_with("/api/saved_objects/_import"));
    assert_eq!(
        sent.path, "/api/saved_objects/_import?createNewCopies=true",
        "new copies by default, owner and mode not kept"
    );
}

#[wasm_bindgen_test]
async fn a_manager_keeps_protection_and_the_file_goes_up_as_multipart() {
    let canned = server(true);
    let root = mount(&canned, session(true, true));
    open_import(&root).await;
    let keep = button(&root, "import-keep-protection");
    wait_for("the box to open", || {
        keep.get_attribute("aria-disabled").is_none()
    })
    .await;
    assert_eq!(reason_of(&root, &keep), texts::KEEP_PROTECTION_HELP);
    click(&keep);
    click(&button(&root, "import-choice-overwrite"));
    drop_file(&root, "export.ndjson", EXPORT);
    wait_for_testid(&root, "import-file-name").await;
    click(&button(&root, "import-submit"));
    wait_for_testid(&root, "import-result").await;
    let sent = canned.sent(|r| r.path.starts_with("/api/saved_objects/_import"));
    assert_eq!(
        sent.path,
        "/api/saved_objects/_import?overwrite=true&keepAccessControl=true"
    );
    assert_eq!(sent.body, None, "no JSON body: a form");
    assert_eq!(sent.header("kbn-xsrf"), Some("true"));
    let form = sent.form.expect("a multipart form");
    assert_eq!(form.len(), 1);
    assert_eq!(form[0].name, "file");
    assert_eq!(form[0].file_name.as_deref(), Some("export.ndjson"));
    assert_eq!(form[0].text, EXPORT, "the file as dropped");
}

#[wasm_bindgen_test]
async fn a_file_that_is_not_an_export_is_refused_before_upload() {
    let canned = server(false);
    let root = mount(&canned, session(true, true));
    open_import(&root).await;
    drop_file(&root, "photo.png", "not ndjson");
    wait_for_text(&root, "import-file-error", texts::NOT_NDJSON).await;
    click(&button(&root, "import-submit"));
    wait_for_text(&root, "import-file-error", texts::CHOOSE_FILE).await;
    assert_eq!(canned.count(Method::Post, "/api/saved_objects/_import"), 0);
}

#[wasm_bindgen_test]
async fn a_refused_import_keeps_the_form_and_says_why() {
    let canned = server(false);
    canned.answer_with(|request| {
        if request.path.starts_with("/api/saved_objects/_import") {
            Ok(gatehouse::api::HttpResponse {
                status: 502,
                content_type: Some("text/html".into()),
                body: "<html><body>Bad gateway</body></html>".into(),
                console_status: None,
            })
        } else {
            route(request, false)
        }
    });
    let root = mount(&canned, session(true, true));
    open_import(&root).await;
    drop_file(&root, "export.ndjson", EXPORT);
    wait_for_testid(&root, "import-file-name").await;
    click(&button(&root, "import-submit"));
    wait_for_testid(&root, "import-error").await;
    assert!(
        !text(&button(&root, "import-error")).trim().is_empty(),
        "the reason is said"
    );
    assert_testid_absent(&root, "import-result", "no result for a refused import");
    assert_testid_present(
        &root,
        "import-file-name",
        "the chosen file is kept for a retry",
    );
}

#[wasm_bindgen_test]
async fn the_result_screen_groups_the_answer_and_retries_the_chosen_conflicts() {
    let canned = server(false);
    let root = mount(&canned, session(true, true));
    open_import(&root).await;
    click(&button(&root, "import-choice-ask"));
    drop_file(&root, "export.ndjson", EXPORT);
    wait_for_testid(&root, "import-file-name").await;
    click(&button(&root, "import-submit"));
    wait_for_testid(&root, "import-result").await;
    assert_eq!(
        canned
            .sent(|r| r.path.starts_with("/api/saved_objects/_import"))
            .path,
        "/api/saved_objects/_import",
        "ask for each: neither overwrite nor new copies"
    );
    assert_text(
        &root,
        "import-headline",
        "2 objects imported, 1 failed, 1 to decide",
    );
    let group = |id: &str| button(&root, id);
    assert!(text(&group("import-created")).contains("Phishing triage"));
    let reset = group("import-protection-reset");
    assert!(text(&reset).contains("Executive risk"));
    assert!(text(&reset).contains("Imported objects belong to the person who imports them"));
    let failed = group("import-failed");
    assert!(text(&failed).contains("Endpoint health"));
    assert!(
        text(&failed).contains("The \"manage_access_control\" privilege is required"),
        "the server's message, as text"
    );
    assert_testid_absent(&root, "import-overwritten", "nothing overwritten yet");

    let conflict = testid(&group("import-conflicts"), "import-conflict-choice").expect("a choice");
    let select: HtmlSelectElement = conflict.unchecked_into();
    select.set_value("overwrite");
    select
        .dispatch_event(&web_sys::Event::new("change").expect("event"))
        .expect("changed");
    click(&button(&root, "import-retry"));
    wait_for_testid(&root, "import-overwritten").await;
    let retry = canned.sent(|r| {
        r.path
            .starts_with("/api/saved_objects/_resolve_import_errors")
    });
    let form = retry.form.expect("a multipart form");
    assert_eq!(form[0].name, "file");
    assert_eq!(form[0].text, EXPORT, "the same file again");
    assert_eq!(form[1].name, "retries");
    let retries: serde_json::Value = serde_json::from_str(&form[1].text).expect("JSON retries");
    assert_eq!(retries[0]["id"], "soc-overview");
    assert_eq!(retries[0]["overwrite"], true);
    assert_eq!(retries.as_array().map(Vec::len), Some(1));
    assert!(text(&group("import-overwritten")).contains("SOC overview"));
    assert_testid_absent(&root, "import-conflicts", "every conflict was answered");
    assert_testid_absent(&root, "import-retry", "nothing left to retry");
}

#[wasm_bindgen_test]
async fn the_management_nav_links_to_the_page() {
    let canned = server(false);
    let root = mount(&canned, session(true, true));
    wait_for_testid(&root, "management-saved-objects").await;
    assert_attribute(
        &button(&root, "management-saved-objects"),
        "href",
        "/app/management/kibana/objects",
    );
}
