//! Spaces in the browser: the avatar, the header switcher (popover, search from 8 spaces,
//! `Manage spaces` only with the capability) and the spaces management page (list, delete with
//! what it removes, the form's validation and the server's refusals), fed the contract's answers.
//! The test page is not under `/s/{id}`, so the current space is `default` throughout.

#![cfg(target_arch = "wasm32")]

mod support;

use gatehouse::api::Method;
use gatehouse::components::spaces::{SpaceAvatar, SpaceSwitcher};
use gatehouse::components::ToastRegion;
use gatehouse::pages::management::spaces::{SpaceEditor, SpacesManagementPage};
use gatehouse::state::Session;
use gatehouse_api::rules::space_form::texts;
use gatehouse_api::spaces::{avatar_text_color, Space};
use leptos::prelude::*;
use leptos_router::components::Router;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn emea() -> Space {
    Space {
        color: Some("#6092c0".into()),
        initials: Some("EM".into()),
        description: Some("The EMEA team".into()),
        disabled_features: vec!["dev_tools".into()],
        ..Space::named("soc-emea", "SOC EMEA")
    }
}

fn spaces_json(spaces: &[Space]) -> String {
    serde_json::to_string(spaces).expect("spaces serialize")
}

/// `default` plus `extra` named spaces: `Team 1`, `Team 2`, …, and SOC EMEA last.
fn many_spaces(extra: usize) -> Vec<Space> {
    let mut list = vec![Space::default_space()];
    for i in 1..extra {
        list.push(Space::named(&format!("team-{i}"), &format!("Team {i}")));
    }
    list.push(emea());
    list
}

const FEATURES: &str = r#"[{"id":"securitySolution","name":"Security","category":{"id":"securitySolution","label":"Security"}},{"id":"dashboard","name":"Dashboard","category":{"id":"kibana","label":"Analytics"}},{"id":"dev_tools","name":"Dev Tools","category":{"id":"management","label":"Management"}},{"id":"management","name":"Stack Management","category":{"id":"management","label":"Management"}}]"#;

/// A signed-in session whose capabilities may or may not include `spaces.manage`.
fn signed_in(manage: bool) -> Session {
    signed_in_as(
        "elastic",
        None,
        &["superuser"],
        serde_json::json!({"navLinks": {"management": true}, "spaces": {"manage": manage}}),
    )
}

fn mount_switcher(canned: &Canned, manage: bool) -> Element {
    mount_in_app(canned, signed_in(manage), || view! { <SpaceSwitcher /> })
}

fn serving(spaces: Vec<Space>) -> Canned {
    let body = spaces_json(&spaces);
    Canned::new(move |_| json(200, &body))
}

fn text(element: &Element) -> String {
    element.text_content().unwrap_or_default()
}

fn options(root: &Element) -> Vec<String> {
    query_all(root, "[data-testid=\"space-option\"]")
        .iter()
        .map(|o| text(o).trim().to_string())
        .collect()
}

fn type_into(root: &Element, selector: &str, value: &str) {
    type_text(query(root, selector).expect(selector), value);
}

/// `new KeyboardEvent("keydown", {key, bubbles: true})`.
fn key_event(key: &str) -> web_sys::Event {
    let global = js_sys::global();
    let constructor: js_sys::Function = js_sys::Reflect::get(&global, &"KeyboardEvent".into())
        .expect("KeyboardEvent")
        .unchecked_into();
    let init = js_sys::Object::new();
    js_sys::Reflect::set(&init, &"key".into(), &key.into()).expect("key");
    js_sys::Reflect::set(&init, &"bubbles".into(), &true.into()).expect("bubbles");
    js_sys::Reflect::construct(&constructor, &js_sys::Array::of2(&"keydown".into(), &init))
        .expect("a keyboard event")
        .unchecked_into()
}

async fn open_popover(root: &Element) {
    wait_for_testid(root, "spaces-nav").await;
    click(&testid(root, "spaces-nav").expect("button"));
    wait_for_testid(root, "spaces-popover").await;
}

// ---------------------------------------------------------------------------------------------
// Avatar and switcher
// ---------------------------------------------------------------------------------------------

#[wasm_bindgen_test]
fn the_avatar_shows_given_initials_and_colour_or_derives_them() {
    let root = container();
    let uncoloured = Space::named("soc", "SOC EMEA team");
    let derived = uncoloured.avatar_color();
    std::mem::forget(leptos::mount::mount_to(root.clone(), move || {
        view! {
            <SpaceAvatar space=emea() />
            <SpaceAvatar space=uncoloured.clone() size="space-avatar-large" />
            <SpaceAvatar space=Space::named("m", "marketing") />
            <SpaceAvatar space=Space::named("e", "élan ßeta") />
        }
    }));
    let root: Element = root.unchecked_into();
    let avatars = query_all(&root, "[data-testid=\"space-avatar\"]");
    assert_eq!(avatars.len(), 4);
    assert_eq!(text(&avatars[0]), "EM", "the given initials");
    assert_eq!(
        avatars[0].get_attribute("style").as_deref(),
        Some("background:#6092c0;color:#000000")
    );
    assert_eq!(
        text(&avatars[1]),
        "SE",
        "first letters of the first two words"
    );
    assert_eq!(
        avatars[1].get_attribute("style"),
        Some(format!(
            "background:{derived};color:{}",
            avatar_text_color(&derived)
        ))
    );
    assert!(avatars[1]
        .get_attribute("class")
        .unwrap_or_default()
        .contains("space-avatar-large"));
    assert_eq!(text(&avatars[2]), "M", "one word: one letter, upper case");
    assert_eq!(
        text(&avatars[3]),
        Space::named("e", "élan ßeta").avatar_initials(str::to_uppercase),
        "the browser upper-cases as the server's first paint does"
    );
    assert_eq!(text(&avatars[3]), "ÉSS");
    assert_eq!(
        avatars[0].get_attribute("aria-hidden").as_deref(),
        Some("true")
    );
}

#[wasm_bindgen_test]
async fn the_switcher_shows_the_current_space_and_lists_the_spaces() {
    let canned = serving(vec![
        Space::default_space(),
        Space::named("marketing", "Marketing"),
        emea(),
    ]);
    let root = mount_switcher(&canned, false);
    wait_for_testid(&root, "spaces-nav").await;
    let button = testid(&root, "spaces-nav").expect("button");
    // Starts with the letters the button shows (WCAG 2.5.3, label in name).
    assert_attribute(&button, "aria-label", "D (Default): Spaces navigation");
    assert_attribute(&button, "aria-expanded", "false");
    let avatar = testid(&button, "space-avatar").expect("the current space's avatar");
    assert_eq!(text(&avatar), "D");
    assert_attribute(&avatar, "style", "background:#00bfb3;color:#000000");
    assert_testid_absent(&root, "spaces-popover", "closed at first");
    assert_eq!(
        canned.paths(),
        vec!["GET /api/spaces/space"],
        "no /s/ prefix in default"
    );

    open_popover(&root).await;
    let popover = testid(&root, "spaces-popover").expect("popover");
    assert_attribute(&popover, "aria-label", "Spaces");
    assert_attribute(&button, "aria-expanded", "true");
    assert_eq!(
        options(&root),
        vec!["DDefaultcurrent", "MMarketing", "EMSOC EMEA"],
        "avatar, name, and the current one marked"
    );
    let current = query(&root, "[data-space=\"default\"]").expect("default option");
    assert_attribute(&current, "aria-current", "true");
    assert_testid_absent(&root, "spaces-search", "no search under 8 spaces");
    assert_testid_absent(
        &root,
        "spaces-manage",
        "no Manage spaces without the capability",
    );

    // Escape closes the popover (the component's own key handler).
    popover
        .dispatch_event(&key_event("Escape"))
        .expect("dispatched");
    wait_for("the popover to close", || {
        testid(&root, "spaces-popover").is_none()
    })
    .await;
}

#[wasm_bindgen_test]
async fn seven_spaces_have_no_search() {
    let list = many_spaces(6);
    assert_eq!(list.len(), 7);
    let root = mount_switcher(&serving(list), true);
    open_popover(&root).await;
    assert_eq!(options(&root).len(), 7);
    assert!(testid(&root, "spaces-search").is_none());
}

#[wasm_bindgen_test]
async fn from_eight_spaces_a_search_filters_the_list() {
    let list = many_spaces(7);
    assert_eq!(list.len(), 8);
    let root = mount_switcher(&serving(list), false);
    open_popover(&root).await;
    let search = testid(&root, "spaces-search").expect("Find a space from 8 spaces");
    assert_attribute(&search, "placeholder", "Find a space");
    assert_eq!(options(&root).len(), 8);

    type_into(&root, "[data-testid=\"spaces-search\"]", "emea");
    wait_for("one match", || options(&root).len() == 1).await;
    assert_eq!(options(&root), vec!["EMSOC EMEA"]);
    type_into(&root, "[data-testid=\"spaces-search\"]", "TEAM");
    wait_for("the teams", || options(&root).len() == 6).await;
    type_into(&root, "[data-testid=\"spaces-search\"]", "team-3");
    wait_for("matched by id", || options(&root) == vec!["T3Team 3"]).await;
    type_into(&root, "[data-testid=\"spaces-search\"]", "zzz");
    wait_for("no match", || options(&root).is_empty()).await;
    assert!(text(&testid(&root, "spaces-popover").expect("popover"))
        .contains("No spaces match your search."));
}

/// The search folds case as the browser does, beyond ASCII too; the avatar's letters are the
/// upper-case of the name's first letters.
#[wasm_bindgen_test]
async fn the_search_and_the_avatar_fold_case_beyond_ascii() {
    let mut list = many_spaces(7);
    list.push(Space::named("equipe", "équipe zürich"));
    let root = mount_switcher(&serving(list), false);
    open_popover(&root).await;
    type_into(&root, "[data-testid=\"spaces-search\"]", "ÉQUIPE ZÜ");
    wait_for("the accented name matched in any case", || {
        options(&root) == vec!["ÉZéquipe zürich"]
    })
    .await;
}

#[wasm_bindgen_test]
async fn manage_spaces_is_offered_only_with_the_capability() {
    let root = mount_switcher(&serving(many_spaces(2)), true);
    open_popover(&root).await;
    let manage = testid(&root, "spaces-manage").expect("Manage spaces");
    assert_eq!(text(&manage), "Manage spaces");
    assert_attribute(&manage, "href", "/app/management/kibana/spaces");

    let without = mount_switcher(&serving(many_spaces(2)), false);
    open_popover(&without).await;
    assert!(testid(&without, "spaces-manage").is_none());
}

// ---------------------------------------------------------------------------------------------
// The management page's form logic
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// The management page
// ---------------------------------------------------------------------------------------------

fn mount_page(canned: &Canned, manage: bool, editor: bool) -> Element {
    mount_in_app(canned, signed_in(manage), move || {
        if editor {
            view! { <Router><ToastRegion /><SpaceEditor initial=None /></Router> }.into_any()
        } else {
            view! { <Router><ToastRegion /><SpacesManagementPage /></Router> }.into_any()
        }
    })
}

#[wasm_bindgen_test]
async fn without_the_capability_the_page_says_so_and_asks_nothing() {
    let canned = serving(many_spaces(2));
    let root = mount_page(&canned, false, false);
    wait_for_testid(&root, "spaces-no-permission").await;
    assert!(text(&root).contains(texts::NO_PERMISSION));
    assert!(testid(&root, "space-create").is_none());
    assert!(testid(&root, "spaces-table").is_none());
    assert_eq!(canned.count(Method::Get, "/api/spaces/space"), 0);
}

#[wasm_bindgen_test]
async fn the_list_deletes_a_space_after_naming_what_goes_with_it() {
    let deleted = std::rc::Rc::new(std::cell::Cell::new(false));
    let gone = deleted.clone();
    let canned = Canned::new(
        move |request| match (request.method, request.path.as_str()) {
            (Method::Get, "/api/features") => json(200, FEATURES),
            (Method::Get, "/api/spaces/space") => {
                let list = if gone.get() {
                    vec![Space::default_space()]
                } else {
                    vec![Space::default_space(), emea()]
                };
                json(200, &spaces_json(&list))
            }
            (Method::Get, "/internal/gatehouse/spaces/soc-emea/contents") => {
                json(200, r#"{"leads":40,"dashboards":3}"#)
            }
            (Method::Delete, "/api/spaces/space/soc-emea") => {
                gone.set(true);
                Ok(gatehouse::api::HttpResponse {
                    status: 204,
                    content_type: None,
                    body: String::new(),
                    console_status: None,
                })
            }
            _ => kibana_error(404, "Not Found", "Not Found"),
        },
    );
    let root = mount_page(&canned, true, false);
    wait_for("two rows", || {
        query_all(&root, "[data-testid=\"space-row\"]").len() == 2
    })
    .await;
    let emea_row = query(&root, "tr[data-space=\"soc-emea\"]").expect("the EMEA row");
    assert_eq!(
        text(&testid(&emea_row, "space-avatar").expect("avatar")),
        "EM"
    );
    assert_eq!(
        text(&testid(&emea_row, "space-features").expect("features")),
        "3 / 4 features visible"
    );
    assert!(text(&emea_row).contains("The EMEA team"));
    assert!(testid(&root, "space-create").is_some());

    // Default is reserved: its Delete is closed, with the reason.
    let default_row = query(&root, "tr[data-space=\"default\"]").expect("the default row");
    let blocked = testid(&default_row, "space-delete").expect("delete");
    assert_attribute(&blocked, "aria-disabled", "true");
    assert!(text(&default_row).contains(texts::DEFAULT_RESERVED));
    click(&blocked);

    click(&testid(&emea_row, "space-delete").expect("delete"));
    wait_for_testid(&root, "space-delete-contents").await;
    let dialog = testid(&root, "space-delete-dialog").expect("dialog");
    assert!(text(&dialog).contains("Delete space 'SOC EMEA'?"));
    assert_eq!(
        text(&testid(&dialog, "space-delete-contents").expect("contents")),
        "Deleting it also deletes 40 leads and 3 dashboards."
    );
    assert_testid_absent(&dialog, "space-delete-current", "not the current space");
    assert_eq!(
        canned.count(Method::Delete, "/api/spaces/space"),
        0,
        "nothing yet"
    );
    click(&testid(&dialog, "space-delete-confirm").expect("confirm"));
    wait_for("one row left", || {
        query_all(&root, "[data-testid=\"space-row\"]").len() == 1
    })
    .await;
    assert_eq!(
        canned.count(Method::Delete, "/api/spaces/space/soc-emea"),
        1,
        "only the confirmed one, never default"
    );
    assert_eq!(canned.count(Method::Delete, "/api/spaces/space/default"), 0);
    assert!(deleted.get());
    wait_for("the success toast", || {
        text(&document_element()).contains("Deleted space 'SOC EMEA'")
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_form_previews_the_avatar_hides_features_and_shows_the_servers_409() {
    let canned = Canned::new(|request| match request.method {
        Method::Get => json(200, FEATURES),
        _ => kibana_error(
            409,
            "Conflict",
            "A space with the identifier soc-emea already exists.",
        ),
    });
    let root = mount_page(&canned, true, true);
    wait_for("the feature toggles", || {
        query_all(&root, "[data-testid=\"space-feature\"]").len() == 4
    })
    .await;

    click(&testid(&root, "space-save").expect("save"));
    wait_for_testid(&root, "space-name-error").await;
    assert_eq!(
        text(&testid(&root, "space-name-error").expect("name error")),
        texts::ENTER_NAME
    );
    assert_eq!(
        text(&testid(&root, "space-id-error").expect("id error")),
        texts::ENTER_ID
    );
    assert_eq!(
        canned.count(Method::Post, "/api/spaces/space"),
        0,
        "not sent"
    );

    type_into(&root, "[data-testid=\"space-name\"]", "SOC EMEA");
    wait_for("the derived id", || {
        query(&root, "[data-testid=\"space-id\"]")
            .map(|e| e.unchecked_into::<HtmlInputElement>().value())
            .as_deref()
            == Some("soc-emea")
    })
    .await;
    let preview = testid(&root, "space-preview").expect("preview");
    wait_for("the preview", || {
        testid(&preview, "space-avatar")
            .map(|a| text(&a))
            .as_deref()
            == Some("SE")
    })
    .await;
    type_into(&root, "[data-testid=\"space-initials\"]", "ABC");
    wait_for_text(&root, "space-initials-error", texts::INITIALS_TOO_LONG).await;
    type_into(&root, "[data-testid=\"space-initials\"]", "Ez");
    type_into(&root, "[data-testid=\"space-color\"]", "#112233");
    wait_for("the preview follows", || {
        let avatar = testid(&preview, "space-avatar");
        avatar.as_ref().map(text).as_deref() == Some("Ez")
            && avatar.and_then(|a| a.get_attribute("style")).as_deref()
                == Some("background:#112233;color:#ffffff")
    })
    .await;
    assert!(testid(&root, "space-name-error").is_none());
    assert_eq!(
        text(&testid(&root, "space-features-count").expect("count")),
        "4 / 4 features visible"
    );
    click(
        &query(
            &root,
            "[data-testid=\"space-feature\"][value=\"dev_tools\"]",
        )
        .expect("dev tools"),
    );
    wait_for_text(&root, "space-features-count", "3 / 4 features visible").await;

    click(&testid(&root, "space-save").expect("save"));
    wait_for_text(
        &root,
        "space-id-error",
        "A space with the identifier soc-emea already exists.",
    )
    .await;
    let body = json_body(&canned.sent(|r| r.method == Method::Post));
    assert_eq!(
        body,
        serde_json::json!({"id": "soc-emea", "name": "SOC EMEA", "initials": "Ez", "color": "#112233", "disabledFeatures": ["dev_tools"]})
    );
    // Typing again clears the server's word.
    type_into(&root, "[data-testid=\"space-id\"]", "soc-emea-2");
    wait_for("the id error cleared", || {
        testid(&root, "space-id-error").is_none()
    })
    .await;
}
