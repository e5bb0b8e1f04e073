//! "What changed" since the last visit in the browser, fed canned pages of the changes feed: a
//! first visit follows from now, a later one lists and counts what changed (following `hasMore`),
//! a refused cursor starts again from now, and the nav badge counts what is not opened yet.

#![cfg(target_arch = "wasm32")]

mod support;

use std::cell::RefCell;
use std::rc::Rc;

use gatehouse::api::{HttpRequest, Method};
use gatehouse::components::ToastRegion;
use gatehouse::pages::leads::{forget_all_cursors, LeadsSection, UnseenLeadChanges};
use gatehouse::state::Toasts;
use leptos::prelude::*;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

const CHANGES: &str = "/internal/entity_analytics/leads/changes";

struct Mounted<M: Mountable> {
    root: Element,
    unseen: UnseenLeadChanges,
    _handle: leptos::mount::UnmountHandle<M>,
}

fn mount(canned: &Canned) -> Mounted<impl Mountable> {
    let client = canned.client();
    let root = container();
    let unseen = Rc::new(RefCell::new(None));
    let kept = unseen.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let badge = UnseenLeadChanges::new();
        *kept.borrow_mut() = Some(badge);
        provide_context(client);
        provide_context(Toasts::new());
        provide_context(badge);
        view! { <ToastRegion /> <LeadsSection /> }
    });
    let unseen = unseen.borrow_mut().take().expect("provided");
    Mounted {
        root: root.unchecked_into(),
        unseen,
        _handle: handle,
    }
}

/// A full-access space whose changes feed answers `feed(since)`, `since` being `None` for "now".
fn space(feed: impl Fn(Option<&str>) -> String + 'static) -> Canned {
    let leads = leads_server(true, true, |_| {
        json(200, &leads_page(&[lead("a", "Beaconing from web-a", 9)], 1))
    });
    Canned::new(move |request: &HttpRequest| {
        let path = request.path.as_str();
        if path.starts_with(CHANGES) {
            let since = path
                .split_once("since=")
                .map(|(_, rest)| rest.split('&').next().unwrap_or_default());
            if since == Some("too-old") {
                return json(
                    400,
                    r#"{"statusCode":400,"error":"Bad Request","message":"[request query]: since: the cursor is too old; start again without since"}"#,
                );
            }
            return json(200, &feed(since));
        }
        leads.transport_answer(request)
    })
}

fn changes_sent(canned: &Canned) -> Vec<String> {
    canned
        .paths()
        .into_iter()
        .filter(|p| p.contains("/leads/changes"))
        .collect()
}

fn feed(since: Option<&str>) -> String {
    match since {
        None => r#"{"cursor":"c-now","hasMore":false,"changes":[]}"#.to_string(),
        Some("c-now") => format!(
            r#"{{"cursor":"c-1","hasMore":true,"changes":[
                {{"kind":"created","id":"n1","lead":{}}},
                {{"kind":"updated","id":"r1","lead":{},"previousPriority":4}},
                {{"kind":"updated","id":"same","lead":{}}}]}}"#,
            lead("n1", "New beaconing", 7),
            lead("r1", "Odd logins", 9),
            lead("same", "Nothing new", 5),
        ),
        Some("c-1") => {
            r#"{"cursor":"c-2","hasMore":false,"changes":[{"kind":"removed","id":"gone"}]}"#
                .to_string()
        }
        Some(_) => r#"{"cursor":"c-2","hasMore":false,"changes":[]}"#.to_string(),
    }
}

#[wasm_bindgen_test]
async fn a_first_visit_follows_from_now_and_the_next_lists_what_changed_page_by_page() {
    forget_all_cursors();
    let first = space(feed);
    let page = mount(&first);
    wait_for("the cursor of now", || changes_sent(&first).len() == 1).await;
    assert_eq!(
        changes_sent(&first),
        [format!("GET {CHANGES}")],
        "no cursor yet: asked for now"
    );
    gloo_timers::future::TimeoutFuture::new(50).await;
    assert!(
        testid(&page.root, "leads-what-changed").is_none(),
        "nothing to say on a first visit"
    );
    drop(page);

    // The next visit starts from the kept cursor and follows `hasMore`.
    let second = space(feed);
    let page = mount(&second);
    wait_for_testid(&page.root, "leads-what-changed-summary").await;
    assert_eq!(
        changes_sent(&second),
        [
            format!("GET {CHANGES}?since=c-now&size=100"),
            format!("GET {CHANGES}?since=c-1&size=100"),
        ]
    );
    assert_text(
        &page.root,
        "leads-what-changed-summary",
        "1 new · 1 re-prioritised · 1 resolved",
    );
    assert_eq!(
        page.unseen.0.get_untracked(),
        3,
        "the nav badge counts them"
    );

    click(&testid(&page.root, "leads-what-changed-open").expect("Show"));
    let dialog = document_element();
    wait_for("the list", || {
        query_all(&dialog, "[data-testid=changed-lead]").len() == 3
    })
    .await;
    let group = |key: &str| text_of(&dialog, &format!("changes-{key}")).unwrap_or_default();
    assert!(group("new").contains("New beaconing"), "{}", group("new"));
    assert!(group("reprioritised").contains("Odd logins"));
    assert!(
        group("reprioritised").contains("P4 → P9"),
        "{}",
        group("reprioritised")
    );
    assert!(
        group("resolved").contains("removed"),
        "{}",
        group("resolved")
    );
    assert!(
        !dialog
            .text_content()
            .unwrap_or_default()
            .contains("Nothing new"),
        "a lead re-found as it was is not listed"
    );
    assert_eq!(page.unseen.0.get_untracked(), 0, "opened: the badge goes");
    drop(page);

    // The visit after that starts where this one ended: nothing listed twice.
    let third = space(feed);
    let page = mount(&third);
    wait_for("the changes read", || !changes_sent(&third).is_empty()).await;
    assert_eq!(
        changes_sent(&third),
        [format!("GET {CHANGES}?since=c-2&size=100")]
    );
    gloo_timers::future::TimeoutFuture::new(50).await;
    assert!(testid(&page.root, "leads-what-changed-summary").is_none());
}

#[wasm_bindgen_test]
async fn a_cursor_the_server_refuses_starts_again_from_now_and_says_so_quietly() {
    forget_all_cursors();
    // Leave a cursor the server will refuse, as a visit long ago would have.
    let old = space(|_| r#"{"cursor":"too-old","hasMore":false,"changes":[]}"#.to_string());
    let page = mount(&old);
    wait_for("a cursor kept", || changes_sent(&old).len() == 1).await;
    gloo_timers::future::TimeoutFuture::new(20).await;
    drop(page);

    let canned = space(feed);
    let page = mount(&canned);
    wait_for_testid(&page.root, "leads-changes-notice").await;
    assert_eq!(
        changes_sent(&canned),
        [
            format!("GET {CHANGES}?since=too-old&size=100"),
            format!("GET {CHANGES}"),
        ],
        "refused, then the cursor of now"
    );
    let notice = text_of(&page.root, "leads-changes-notice").unwrap_or_default();
    assert!(notice.contains("followed from now"), "{notice}");
    assert!(
        query(&page.root, ".toast-error").is_none(),
        "quiet: no error toast"
    );
    assert!(testid(&page.root, "leads-what-changed-summary").is_none());
    assert!(
        testid(&page.root, "lead-card").is_some(),
        "the leads are shown as ever"
    );
    drop(page);

    // The fresh cursor was kept: the next visit uses it.
    let next = space(feed);
    let _page = mount(&next);
    wait_for("the changes read", || !changes_sent(&next).is_empty()).await;
    assert_eq!(
        changes_sent(&next).first(),
        Some(&format!("GET {CHANGES}?since=c-now&size=100")),
        "the cursor of now, kept after the refusal"
    );
}

#[wasm_bindgen_test]
async fn following_stops_after_its_page_limit_and_says_there_is_more() {
    forget_all_cursors();
    let first = space(feed);
    let page = mount(&first);
    wait_for("the cursor of now", || changes_sent(&first).len() == 1).await;
    drop(page);

    // A feed that always has more: one new lead per page.
    let endless = space(|since| {
        let n: u32 = since
            .and_then(|s| s.strip_prefix('p'))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        format!(
            r#"{{"cursor":"p{}","hasMore":true,"changes":[{{"kind":"created","id":"l{n}","lead":{}}}]}}"#,
            n + 1,
            lead(&format!("l{n}"), "Endless", 3)
        )
    });
    let page = mount(&endless);
    wait_for_testid(&page.root, "leads-what-changed-summary").await;
    assert_eq!(changes_sent(&endless).len(), 10, "ten pages, no more");
    assert_text(&page.root, "leads-what-changed-summary", "10 new and more");
    assert_eq!(endless.count(Method::Get, CHANGES), 10);
}

/// Kibana 9.5's answer (`changed` leads without kinds, a `null` cursor before anything changed)
/// is followed too: a null cursor is not kept, and a dismissed lead reads as resolved.
#[wasm_bindgen_test]
async fn kibanas_changes_answer_is_followed_too() {
    forget_all_cursors();
    let empty = space(|_| r#"{"changed":[],"cursor":null,"hasMore":false}"#.to_string());
    let page = mount(&empty);
    wait_for("the changes read", || !changes_sent(&empty).is_empty()).await;
    gloo_timers::future::TimeoutFuture::new(20).await;
    drop(page);

    let kibana = space(|since| match since {
        None => r#"{"changed":[],"cursor":"k1","hasMore":false}"#.to_string(),
        Some(_) => {
            let dismissed = lead("d", "Old beaconing", 6)
                .replace(r#""status":"active""#, r#""status":"dismissed""#);
            format!(r#"{{"changed":[{dismissed}],"cursor":"k2","hasMore":false}}"#)
        }
    });
    let page = mount(&kibana);
    wait_for("the changes read", || !changes_sent(&kibana).is_empty()).await;
    gloo_timers::future::TimeoutFuture::new(20).await;
    assert_eq!(
        changes_sent(&kibana),
        [format!("GET {CHANGES}")],
        "no cursor was kept from the null one"
    );
    drop(page);

    let next = space(|since| match since {
        None => r#"{"changed":[],"cursor":"k1","hasMore":false}"#.to_string(),
        Some(_) => {
            let dismissed = lead("d", "Old beaconing", 6)
                .replace(r#""status":"active""#, r#""status":"dismissed""#);
            format!(r#"{{"changed":[{dismissed}],"cursor":"k2","hasMore":false}}"#)
        }
    });
    let page = mount(&next);
    wait_for_testid(&page.root, "leads-what-changed-summary").await;
    assert_eq!(
        changes_sent(&next),
        [format!("GET {CHANGES}?since=k1&size=100")]
    );
    assert_text(&page.root, "leads-what-changed-summary", "1 resolved");
}
