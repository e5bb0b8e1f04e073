//! Administration in the browser: the Dev Tools console parser and page, the users list and form,
//! and the role editor (their checks are tested natively in `gatehouse_api::rules`).

#![cfg(target_arch = "wasm32")]

mod support;

use gatehouse::pages::dev_tools::{
    block_at, byte_offset, check_json, parse_buffer, parse_request_line, pretty_body, push_history,
    request_at, ConsoleRequest, HistoryEntry, HISTORY_LIMIT, TEST_PLAN,
};
use leptos::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn request(method: &str, path: &str, body: Option<&str>) -> ConsoleRequest {
    ConsoleRequest {
        method: method.into(),
        path: path.into(),
        body: body.map(str::to_string),
    }
}

#[wasm_bindgen_test]
fn a_request_line_has_a_known_method_and_a_path() {
    assert_eq!(
        parse_request_line("get _security/_authenticate"),
        Ok(("GET".into(), "/_security/_authenticate".into()))
    );
    assert_eq!(
        parse_request_line("POST   /_security/role/x  "),
        Ok(("POST".into(), "/_security/role/x".into()))
    );
    assert_eq!(
        parse_request_line("GET kbn:/api/features"),
        Ok(("GET".into(), "kbn:/api/features".into()))
    );
    assert_eq!(
        parse_request_line("FETCH /_security/role"),
        Err("Unknown method 'FETCH'. Use one of HEAD, GET, POST, PUT, DELETE, PATCH.".into())
    );
    assert_eq!(
        parse_request_line("DELETE"),
        Err("Add a path after DELETE, for example: DELETE /_security/_authenticate".into())
    );
}

#[wasm_bindgen_test]
fn the_buffer_splits_on_blank_lines_and_method_lines() {
    let buffer = "GET /_security/_authenticate\nPOST /_security/role/a\n{\"cluster\":[]}\n\n# a comment\nDELETE /_security/user/b\n";
    let blocks = parse_buffer(buffer);
    let requests: Vec<_> = blocks.iter().map(|b| b.request.clone().unwrap()).collect();
    assert_eq!(
        requests,
        vec![
            request("GET", "/_security/_authenticate", None),
            request("POST", "/_security/role/a", Some("{\"cluster\":[]}")),
            request("DELETE", "/_security/user/b", None),
        ]
    );
    assert_eq!(
        blocks.iter().map(|b| b.line).collect::<Vec<_>>(),
        vec![0, 1, 5]
    );
}

#[wasm_bindgen_test]
fn a_body_may_span_lines_and_contain_blank_lines_and_braces_in_strings() {
    let buffer = "PUT /_security/role/r\n{\n  \"description\": \"a } b\",\n\n  \"cluster\": [\"monitor\"]\n}\nGET /_security/role/r";
    let blocks = parse_buffer(buffer);
    assert_eq!(blocks.len(), 2);
    let first = blocks[0].request.clone().unwrap();
    assert_eq!(first.method, "PUT");
    let body: serde_json::Value = serde_json::from_str(first.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["cluster"][0], "monitor");
    assert_eq!(blocks[1].request.clone().unwrap().path, "/_security/role/r");
}

#[wasm_bindgen_test]
fn the_request_under_the_cursor_is_the_one_sent() {
    let buffer = "GET /a\n\nPOST /b\n{\"x\":1}\n\n\nDELETE /c";
    let at = |needle: &str| buffer.find(needle).unwrap();
    assert_eq!(request_at(buffer, 0).unwrap().path, "/a");
    assert_eq!(request_at(buffer, at("/b")).unwrap().path, "/b");
    assert_eq!(request_at(buffer, at("\"x\"")).unwrap().path, "/b");
    // On the blank lines below a request: the one above.
    assert_eq!(request_at(buffer, at("DELETE") - 1).unwrap().path, "/b");
    assert_eq!(request_at(buffer, buffer.len()).unwrap().path, "/c");
    assert!(request_at("", 0).is_err());
    assert!(request_at("\n\n# only a comment\n", 3).is_err());
    assert_eq!(block_at(buffer, at("DELETE")).map(|b| b.line), Some(6));
}

#[wasm_bindgen_test]
fn a_bad_body_says_where_it_breaks_and_a_stray_body_needs_a_method() {
    let buffer = "GET /ok\n\nPOST /_security/role/r\n{\n  \"cluster\": [\"monitor\",]\n}";
    let error = request_at(buffer, buffer.len()).unwrap_err();
    assert!(
        error.starts_with("The request body is not valid JSON:"),
        "{error}"
    );
    assert!(error.contains("line 5"), "{error}");
    let stray = request_at("{\"a\":1}", 0).unwrap_err();
    assert!(
        stray.starts_with("A request starts with a method and a path"),
        "{stray}"
    );
    assert!(check_json("{\"a\":1}\n{\"b\":2}", 1).is_ok());
}

#[wasm_bindgen_test]
fn the_test_plan_parses_into_its_commands_with_passwords() {
    let requests: Vec<ConsoleRequest> = parse_buffer(TEST_PLAN)
        .into_iter()
        .map(|b| b.request.expect("every plan command parses"))
        .collect();
    let users: Vec<&ConsoleRequest> = requests
        .iter()
        .filter(|r| r.path.starts_with("/_security/user/leads_"))
        .collect();
    assert_eq!(users.len(), 3);
    for user in users {
        let body: serde_json::Value = serde_json::from_str(user.body.as_deref().unwrap()).unwrap();
        assert_eq!(body["password"], "changeme-1");
        assert_eq!(body["roles"][0], "kibana_admin");
    }
    assert!(requests
        .iter()
        .any(|r| r.method == "POST" && r.path == "/_security/role/leads_read_only"));
}

#[wasm_bindgen_test]
fn answers_are_pretty_printed_and_offsets_count_utf16() {
    assert_eq!(pretty_body("{\"a\":[1]}"), "{\n  \"a\": [\n    1\n  ]\n}");
    assert_eq!(pretty_body("<html>502</html>"), "<html>502</html>");
    let text = "é😀GET";
    assert_eq!(byte_offset(text, 0), 0);
    assert_eq!(byte_offset(text, 1), 2);
    assert_eq!(byte_offset(text, 3), 6);
    assert_eq!(byte_offset(text, 99), text.len());
}

#[wasm_bindgen_test]
fn history_keeps_the_last_twenty_newest_first_without_repeats() {
    let mut history = Vec::new();
    for i in 0..25 {
        push_history(
            &mut history,
            HistoryEntry {
                request: request("GET", &format!("/r{i}"), None),
                status: Some(200),
                at: f64::from(i),
            },
        );
    }
    assert_eq!(history.len(), HISTORY_LIMIT);
    assert_eq!(history[0].request.path, "/r24");
    push_history(
        &mut history,
        HistoryEntry {
            request: request("GET", "/r10", None),
            status: Some(404),
            at: 99.0,
        },
    );
    assert_eq!(history[0].request.path, "/r10");
    assert_eq!(
        history.iter().filter(|e| e.request.path == "/r10").count(),
        1
    );
}

/// Every console key, the old unscoped ones and every user's.
fn clear_console_storage() {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        gatehouse::state::web_storage::remove_keys(&storage, |k| {
            k.starts_with("gatehouse.console.")
        });
    }
}

#[wasm_bindgen_test]
async fn the_console_sends_the_request_under_the_cursor_and_shows_the_proxy_status() {
    use gatehouse::pages::dev_tools::Console;
    use gatehouse::state::Toasts;
    use leptos::prelude::*;
    use support::*;
    use wasm_bindgen::JsCast;

    clear_console_storage();
    let canned = Canned::new(|request| {
        if request.path.contains("method=POST") {
            console(
                403,
                r#"{"error":{"type":"security_exception","reason":"action [cluster:admin/xpack/security/role/put] is unauthorized"},"status":403}"#,
            )
        } else {
            console(200, r#"{"username":"elastic","roles":["superuser"]}"#)
        }
    });
    let root = container();
    let client = canned.client();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        provide_context(client);
        provide_context(Toasts::new());
        view! { <Console /> }
    });
    let root: web_sys::Element = root.unchecked_into();
    wait_for_testid(&root, "console-editor").await;
    // The cursor starts at the top: the first request of the test plan.
    click(&testid(&root, "console-send").unwrap());
    wait_for_testid(&root, "console-output").await;
    let request = canned.requests.borrow()[0].clone();
    assert_eq!(
        request.path,
        "/api/console/proxy?path=%2F_security%2F_authenticate&method=GET"
    );
    assert_eq!(request.header("kbn-xsrf"), Some("true"));
    assert_eq!(request.body, None);
    let status = testid(&root, "console-status")
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(status, "200 OK");
    let output = testid(&root, "console-output")
        .unwrap()
        .text_content()
        .unwrap();
    assert!(output.contains("\"username\": \"elastic\""), "{output}");

    // Move the cursor into the role request and send with Ctrl+Enter.
    let editor: web_sys::HtmlTextAreaElement =
        testid(&root, "console-editor").unwrap().unchecked_into();
    let value = editor.value();
    let at = value
        .find("POST /_security/role/leads_full_access")
        .unwrap() as u32
        + 3;
    editor.set_selection_range(at, at).unwrap();
    let ctrl_enter = js_sys::Function::new_with_args(
        "el",
        "el.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', ctrlKey: true, bubbles: true}))",
    );
    ctrl_enter
        .call1(&wasm_bindgen::JsValue::NULL, &editor)
        .unwrap();
    wait_for("the second request", || canned.requests.borrow().len() == 2).await;
    let request = canned.requests.borrow()[1].clone();
    assert!(request
        .path
        .ends_with("path=%2F_security%2Frole%2Fleads_full_access&method=POST"));
    assert!(request.body.as_deref().unwrap().contains("create_index"));
    wait_for("the 403 status", || {
        text_of(&root, "console-status") == Some("403 Forbidden".into())
    })
    .await;
    let history = query_all(&root, "[data-testid=\"console-history-item\"]");
    assert_eq!(history.len(), 2);
    assert!(history[0]
        .text_content()
        .unwrap()
        .contains("leads_full_access"));
    clear_console_storage();
}

/// A signed-in session for `username`, with the Dev Tools app open.
fn signed_in(username: &str) -> gatehouse::state::Session {
    support::signed_in_as(
        username,
        None,
        &["superuser"],
        serde_json::json!({ "navLinks": { "dev_tools": true } }),
    )
}

/// A shared browser: what one user sent is kept under their name and this server, another user
/// at the same browser sees none of it, and signing out removes it (and what an older Gatehouse
/// kept under a key that named nobody).
#[wasm_bindgen_test]
async fn the_console_history_belongs_to_one_user_on_one_server() {
    use gatehouse::pages::dev_tools::Console;
    use gatehouse::state::console_storage::{self, ConsoleItem};
    use support::*;

    let storage = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .expect("localStorage");
    clear_console_storage();
    // Left by a Gatehouse from before the history was per user.
    storage
        .set_item(
            "gatehouse.console.history",
            r#"[{"method":"GET","path":"/_security/user/someone-else","status":200,"at":1}]"#,
        )
        .unwrap();
    let canned = Canned::new(|_| console(200, r#"{"username":"alice"}"#));

    let root = mount_in_app(&canned, signed_in("alice"), || view! { <Console /> });
    assert!(
        query_all(&root, "[data-testid=\"console-history-item\"]").is_empty(),
        "the old unscoped history is not shown to anyone"
    );
    click(&testid(&root, "console-send").unwrap());
    wait_for("alice's request in her history", || {
        query_all(&root, "[data-testid=\"console-history-item\"]").len() == 1
    })
    .await;
    let server = console_storage::this_server();
    let alice_key = console_storage::key(ConsoleItem::History, "alice", &server);
    let kept = storage
        .get_item(&alice_key)
        .unwrap()
        .expect("kept under alice's key");
    assert!(kept.contains("/_security/_authenticate"), "{kept}");
    assert!(
        alice_key.contains("alice")
            && alice_key.contains(&server.replace(':', "%3A").replace('/', "%2F"))
    );
    // Another server in the same browser has a key of its own.
    assert_ne!(
        alice_key,
        console_storage::key(ConsoleItem::History, "alice", "https://other.example/")
    );
    // A name holding the separator stays in its own part of the key.
    assert_ne!(
        console_storage::key(ConsoleItem::History, "a@b", "c"),
        console_storage::key(ConsoleItem::History, "a", "b@c")
    );

    // bob at the same browser: none of alice's requests.
    let root = mount_in_app(&canned, signed_in("bob"), || view! { <Console /> });
    wait_for_testid(&root, "console-editor").await;
    assert!(
        query_all(&root, "[data-testid=\"console-history-item\"]").is_empty(),
        "bob does not see alice's history"
    );

    // alice signs out: her history and the old unscoped one are gone.
    console_storage::forget_user("alice");
    assert_eq!(storage.get_item(&alice_key).unwrap(), None);
    assert_eq!(storage.get_item("gatehouse.console.history").unwrap(), None);
    let root = mount_in_app(&canned, signed_in("alice"), || view! { <Console /> });
    wait_for_testid(&root, "console-editor").await;
    assert!(query_all(&root, "[data-testid=\"console-history-item\"]").is_empty());
    clear_console_storage();
}

mod users {
    use super::support::*;
    use gatehouse::api::Method;
    use gatehouse::components::ToastRegion;
    use gatehouse::pages::management::users::UsersList;
    use gatehouse::state::Session;
    use leptos::prelude::*;
    use wasm_bindgen_test::*;
    use web_sys::Element;

    const USERS: &str = r#"[{"username":"alice","roles":["dashboard_editor"],"full_name":"Alice Analyst","email":null,"metadata":{},"enabled":true},{"username":"dave","roles":[],"full_name":null,"email":"d@x.io","metadata":{},"enabled":false}]"#;
    const ROLES: &str = r#"[{"name":"superuser","metadata":{"_reserved":true},"elasticsearch":{"cluster":["all"],"indices":[],"run_as":["*"]},"kibana":[]},{"name":"viewer","metadata":{"_reserved":true},"elasticsearch":{},"kibana":[]},{"name":"leads_read_only","metadata":{},"elasticsearch":{},"kibana":[]}]"#;

    fn mount(canned: &Canned) -> Element {
        mount_in_app(
            canned,
            Session::new(),
            || view! { <ToastRegion /> <UsersList /> },
        )
    }

    fn type_into(root: &Element, id: &str, value: &str) {
        type_text(testid(root, id).expect(id), value);
    }

    #[wasm_bindgen_test]
    async fn the_table_lists_users_and_marks_deactivated_ones() {
        let canned = Canned::new(|request| match request.path.as_str() {
            "/internal/security/users" => json(200, USERS),
            _ => json(200, ROLES),
        });
        let root = mount(&canned);
        wait_for("two rows", || {
            query_all(&root, "[data-testid=\"user-row\"]").len() == 2
        })
        .await;
        let headers: Vec<String> = query_all(&root, "th")
            .iter()
            .filter_map(|th| th.text_content())
            .collect();
        assert_eq!(
            &headers[..5],
            ["User Name", "Full Name", "Email Address", "Roles", "Status"]
        );
        let dave = query(&root, "[data-username=\"dave\"]").unwrap();
        assert!(testid(&dave, "user-deactivated").is_some());
        assert_eq!(
            testid(&dave, "user-toggle")
                .unwrap()
                .text_content()
                .unwrap(),
            "Activate"
        );
        let request = canned.requests.borrow()[0].clone();
        assert_eq!(request.header("x-elastic-internal-origin"), Some("Kibana"));
    }

    #[wasm_bindgen_test]
    async fn without_the_privilege_the_page_says_whom_to_ask() {
        let canned = Canned::new(|_| kibana_error(403, "Forbidden", "security_exception"));
        let root = mount(&canned);
        wait_for_testid(&root, "management-no-permission").await;
        let text = text_of(&root, "management-no-permission").unwrap();
        assert!(
            text.contains("You need permission to manage users"),
            "{text}"
        );
        assert!(
            text.contains("Contact your system administrator."),
            "{text}"
        );
        assert!(testid(&root, "user-create").is_none());
    }

    #[wasm_bindgen_test]
    async fn the_create_form_shows_kibana_texts_and_sends_the_user() {
        let canned = Canned::new(|request| match (request.method, request.path.as_str()) {
            (Method::Get, "/internal/security/users") => json(200, USERS),
            (Method::Get, _) => json(200, ROLES),
            _ => json(200, "{}"),
        });
        let root = mount(&canned);
        wait_for_testid(&root, "users-table").await;
        click(&testid(&root, "user-create").unwrap());
        let dialog = document_element();
        wait_for_testid(&dialog, "user-form").await;
        click(&testid(&dialog, "user-form-submit").unwrap());
        wait_for_testid(&dialog, "user-username-error").await;
        assert_text(&dialog, "user-username-error", "Enter a username.");
        assert_text(&dialog, "user-password-error", "Enter a password.");

        type_into(&dialog, "user-username", "alice");
        type_into(&dialog, "user-password", "abc");
        wait_for_text(
            &dialog,
            "user-password-error",
            "Password must be at least 6 characters.",
        )
        .await;
        assert_text(
            &dialog,
            "user-username-error",
            "User 'alice' already exists.",
        );
        type_into(&dialog, "user-username", "carol");
        type_into(&dialog, "user-password", "abcdef");
        type_into(&dialog, "user-confirm-password", "abcdeX");
        wait_for_text(
            &dialog,
            "user-confirm-password-error",
            "Passwords do not match.",
        )
        .await;
        type_into(&dialog, "user-confirm-password", "abcdef");
        wait_for("the roles", || {
            query(
                &dialog,
                "[data-testid=\"user-role\"][value=\"leads_read_only\"]",
            )
            .is_some()
        })
        .await;
        click(
            &query(
                &dialog,
                "[data-testid=\"user-role\"][value=\"leads_read_only\"]",
            )
            .unwrap(),
        );
        assert_eq!(canned.count(Method::Post, "/internal/security/users/"), 0);
        click(&testid(&dialog, "user-form-submit").unwrap());
        wait_for("the save", || {
            canned.count(Method::Post, "/internal/security/users/carol") == 1
        })
        .await;
        let body = json_body(&canned.sent(|r| r.method == Method::Post));
        assert_eq!(
            body,
            serde_json::json!({"username":"carol","password":"abcdef","roles":["leads_read_only"],"enabled":true})
        );
        wait_for("the toast", || {
            query_all(&dialog, "[data-testid=\"toast\"]")
                .iter()
                .any(|t| {
                    t.text_content()
                        .unwrap_or_default()
                        .contains("Created user")
                })
        })
        .await;
    }
}

mod roles {
    use super::support::*;
    use gatehouse::api::Method;
    use gatehouse::components::ToastRegion;
    use gatehouse::pages::management::roles::RoleEditor;
    use gatehouse::state::Session;
    use leptos::prelude::*;
    use leptos_router::components::Router;
    use wasm_bindgen_test::*;
    use web_sys::Element;

    fn mount(canned: &Canned) -> Element {
        mount_in_app(canned, Session::new(), || {
            view! { <Router><ToastRegion /><RoleEditor initial=None /></Router> }
        })
    }

    fn type_into(root: &Element, selector: &str, value: &str) {
        type_text(query(root, selector).expect(selector), value);
    }

    #[wasm_bindgen_test]
    async fn the_editor_shows_validation_texts_and_maps_409_to_the_name() {
        let canned = Canned::new(|request| match request.method {
            Method::Get => json(
                200,
                r#"[{"id":"dashboard","name":"Dashboard","category":{"id":"kibana","label":"Analytics"},"privileges":{}}]"#,
            ),
            _ => kibana_error(
                409,
                "Conflict",
                "Role already exists and cannot be created: soc",
            ),
        });
        let root = mount(&canned);
        wait_for_testid(&root, "role-save").await;
        click(&testid(&root, "role-save").unwrap());
        wait_for_testid(&root, "role-name-error").await;
        assert_eq!(
            testid(&root, "role-name-error")
                .unwrap()
                .text_content()
                .as_deref(),
            Some("Please provide a role name.")
        );
        type_into(&root, "[data-testid=\"role-name\"]", " soc");
        wait_for_text(
            &root,
            "role-name-error",
            "Name must not contain leading or trailing spaces.",
        )
        .await;
        type_into(&root, "[data-testid=\"role-name\"]", "soc");
        type_into(&root, "[data-testid=\"role-index-names\"]", "logs-*");
        wait_for_text(
            &root,
            "role-index-privileges-error",
            "Enter or select at least one action",
        )
        .await;
        click(
            &query(
                &root,
                "[data-testid=\"role-index-privileges\"] input[value=\"read\"]",
            )
            .unwrap(),
        );
        click(&testid(&root, "role-add-space").unwrap());
        wait_for_testid(&root, "role-space-row").await;
        assert_eq!(canned.count(Method::Put, "/api/security/role/"), 0);
        click(&testid(&root, "role-save").unwrap());
        wait_for("the PUT", || {
            canned.count(Method::Put, "/api/security/role/soc?createOnly=true") == 1
        })
        .await;
        let put = canned.sent(|r| r.method == Method::Put);
        assert_eq!(put.header("elastic-api-version"), Some("2023-10-31"));
        let body = json_body(&put);
        assert_eq!(
            body["kibana"],
            serde_json::json!([{"base": ["all"], "feature": {}, "spaces": ["*"]}])
        );
        assert_eq!(
            body["elasticsearch"]["indices"][0]["names"],
            serde_json::json!(["logs-*"])
        );
        wait_for_text(
            &root,
            "role-name-error",
            "A role with this name already exists.",
        )
        .await;
    }
}
