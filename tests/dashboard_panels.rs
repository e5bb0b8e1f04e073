//! Dashboard panels draw numbers from their data answers alone (docs/panels.md): every kind
//! rendered against canned answers, checked for any digit the answers do not hold; the states
//! before and instead of an answer show none; Kibana's panels are never drawn.

#![cfg(target_arch = "wasm32")]

mod support;

use std::rc::Rc;

use gatehouse::api::{ApiClient, HttpRequest, Transport};
use gatehouse::pages::dashboards::PanelCard;
use gatehouse::state::{Session, Toasts};
use gatehouse_api::dashboards::{DashboardData, Panel};
use leptos::prelude::*;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

const METRIC_ANSWER: &str = r#"{"total":12,"buckets":[],"other":0}"#;
const BAR_ANSWER: &str =
    r#"{"total":47,"buckets":[{"key":"9","count":31},{"key":"6","count":8}],"other":8}"#;
const LINE_ANSWER: &str = r#"{"total":23,"buckets":[{"key":"2026-11-28T00:00:00Z","count":5},{"key":"2026-11-29T00:00:00Z","count":0},{"key":"2026-11-30T00:00:00Z","count":18}],"other":0}"#;
const TABLE_ANSWER: &str = r#"{"total":64,"buckets":[{"key":"host","label":"Hosts","count":41},{"key":"user","count":23}],"other":0}"#;

fn panel(json: &str) -> Panel {
    serde_json::from_str(json).expect("panel fixture parses")
}

/// One panel of each kind Gatehouse draws, with titles that hold no digits.
fn every_kind() -> Vec<Panel> {
    vec![
        panel(
            r#"{"id":"a","title":"Active leads","type":"metric","query":{"source":"leads","filter":{"status":"active"}}}"#,
        ),
        panel(
            r#"{"id":"b","title":"Leads by priority","type":"bar","query":{"source":"leads","groupBy":"priority"}}"#,
        ),
        panel(
            r#"{"id":"c","title":"Leads over time","type":"line","query":{"source":"leads","interval":"day"}}"#,
        ),
        panel(
            r#"{"id":"d","title":"Leads by entity type","type":"table","query":{"source":"leads","groupBy":"entityType"}}"#,
        ),
        panel(
            r#"{"id":"e","title":"Triage notes","type":"markdown","description":"Escalate anything marked critical."}"#,
        ),
        panel(r#"{"id":"f","title":"Not set up","type":"bar"}"#),
    ]
}

/// The canned answer for a panel query, by what it groups over.
fn answer_for(request: &HttpRequest) -> &'static str {
    let body = json_body(request);
    if body.get("groupBy").and_then(|g| g.as_str()) == Some("priority") {
        BAR_ANSWER
    } else if body.get("groupBy").is_some() {
        TABLE_ANSWER
    } else if body.get("interval").is_some() {
        LINE_ANSWER
    } else {
        METRIC_ANSWER
    }
}

fn mount_panels(canned: &Canned, panels: Vec<Panel>) -> Element {
    mount_in_app(canned, Session::new(), move || {
        view! {
            <ul>
                {panels.into_iter().map(|panel| view! {
                    <PanelCard panel dashboard_id="soc-overview".to_string() may_edit=Signal::stored(true) />
                }).collect_view()}
            </ul>
        }
    })
}

/// What a user sees, one text node a line: hidden elements left out, visually hidden text for
/// screen readers included (each node apart, so neighbouring cells do not run together).
fn visible_text(root: &Element) -> String {
    fn walk(node: &web_sys::Node, out: &mut Vec<String>) {
        if let Some(element) = node.dyn_ref::<HtmlElement>() {
            if element.hidden() {
                return;
            }
        }
        if node.node_type() == web_sys::Node::TEXT_NODE {
            out.push(node.text_content().unwrap_or_default());
            return;
        }
        let children = node.child_nodes();
        for i in 0..children.length() {
            if let Some(child) = children.item(i) {
                walk(&child, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, &mut out);
    out.join("\n")
}

/// Every run of digits in `text` that none of `sources` holds.
fn digits_outside(text: &str, sources: &[&str]) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            run.push(c);
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    runs.into_iter()
        .filter(|run| !sources.iter().any(|s| s.contains(run.as_str())))
        .collect()
}

fn no_digits(text: &str) -> bool {
    !text.chars().any(|c| c.is_ascii_digit())
}

/// Waits until `count` panels show what their answer made of them (a chart, a number, a state).
async fn wait_until_answered(root: &Element, count: usize) {
    let answered = "[data-testid=panel-metric], [data-testid=panel-bars], [data-testid=panel-line], \
        [data-testid=panel-table], [data-testid=panel-empty], [data-testid=panel-error], [data-testid=panel-closed]";
    wait_for("every panel's answer", || {
        query_all(root, answered).len() == count
            && query_all(root, "[data-testid=\"panel-loading\"]").is_empty()
    })
    .await;
}

#[wasm_bindgen_test]
async fn every_kind_shows_only_numbers_from_its_answer() {
    let canned = Canned::new(|request| json(200, answer_for(request)));
    let root = mount_panels(&canned, every_kind());
    wait_until_answered(&root, 4).await;

    assert_text(&root, "panel-metric", "12");
    let bars = testid(&root, "panel-bars").expect("bars drawn");
    let bar_text = bars.text_content().unwrap_or_default();
    assert!(
        bar_text.contains("31") && bar_text.contains("Other"),
        "bars: {bar_text:?}"
    );
    let line = testid(&root, "panel-line").expect("line drawn");
    let line_text = visible_text(&line);
    assert!(
        line_text.contains("2026-11-28") && line_text.contains("2026-11-30"),
        "axis labels from the keys: {line_text:?}"
    );
    assert!(
        line_text.contains("18"),
        "the values as text for screen readers: {line_text:?}"
    );
    let table = testid(&root, "panel-table").expect("table drawn");
    let table_text = table.text_content().unwrap_or_default();
    assert!(
        table_text.contains("Hosts") && table_text.contains("41"),
        "labels and counts: {table_text:?}"
    );
    assert_text(&root, "panel-text", "Escalate anything marked critical.");
    let unset = testid(&root, "panel-no-data").expect("a drawn kind without a query");
    assert!(unset
        .text_content()
        .unwrap_or_default()
        .contains("No data chosen yet"));
    assert_eq!(
        canned.requests.borrow().len(),
        4,
        "one query per panel with data"
    );

    let answers = [METRIC_ANSWER, BAR_ANSWER, LINE_ANSWER, TABLE_ANSWER];
    let stray = digits_outside(&visible_text(&root), &answers);
    assert!(stray.is_empty(), "digits no answer holds: {stray:?}");
}

#[wasm_bindgen_test]
async fn show_the_query_says_it_in_words_and_json_and_links_the_leads() {
    let canned = Canned::new(|request| json(200, answer_for(request)));
    let root = mount_panels(&canned, every_kind().into_iter().take(1).collect());
    wait_until_answered(&root, 1).await;
    let toggle = testid(&root, "panel-show-query").expect("a toggle");
    assert_attribute(&toggle, "aria-expanded", "false");
    assert!(
        !visible_text(&root).contains("\"source\""),
        "the query is hidden until asked for"
    );
    click(&toggle);
    wait_for("the query shown", || {
        visible_text(&root).contains("\"source\": \"leads\"")
    })
    .await;
    assert_attribute(&toggle, "aria-expanded", "true");
    let text = visible_text(&root);
    assert!(
        text.contains("Count of leads where Status is active"),
        "in words: {text:?}"
    );
    let link = testid(&root, "panel-leads-link").expect("a leads panel links the leads list");
    let href = link.get_attribute("href").unwrap_or_default();
    assert!(
        href.contains("/app/security/entity_analytics?status=active"),
        "filtered the same way: {href}"
    );
}

#[wasm_bindgen_test]
async fn loading_empty_failed_and_refused_panels_show_no_number() {
    // Loading: an answer that never comes.
    let never: Transport = Rc::new(|_request: HttpRequest| Box::pin(futures::future::pending()));
    let root = container();
    std::mem::forget(leptos::mount::mount_to(
        root.clone().unchecked_into(),
        move || {
            provide_context(ApiClient::new(never));
            provide_context(Toasts::new());
            view! { <ul>{every_kind().into_iter().take(4).map(|panel| view! { <PanelCard panel dashboard_id="d".to_string() may_edit=Signal::stored(false) /> }).collect_view()}</ul> }
        },
    ));
    let root: Element = root.unchecked_into();
    wait_for("the skeletons", || {
        query_all(&root, "[data-testid=\"panel-loading\"]").len() == 4
    })
    .await;
    let text = visible_text(&root);
    assert!(no_digits(&text), "loading shows no number: {text:?}");

    // Empty.
    let canned = Canned::new(|_| json(200, r#"{"total":0,"buckets":[],"other":0}"#));
    let root = mount_panels(&canned, every_kind().into_iter().take(4).collect());
    wait_until_answered(&root, 4).await;
    assert_eq!(query_all(&root, "[data-testid=\"panel-empty\"]").len(), 4);
    assert!(visible_text(&root).contains("No leads match"));
    assert!(no_digits(&visible_text(&root)), "empty shows no number");

    // Failed: the server's message, no status code, no number.
    let canned = Canned::new(|_| {
        kibana_error(
            500,
            "Internal Server Error",
            "The database is not answering",
        )
    });
    let root = mount_panels(&canned, every_kind().into_iter().take(1).collect());
    wait_for_testid(&root, "panel-error").await;
    let text = visible_text(&root);
    assert!(
        text.contains("The database is not answering"),
        "the server's message: {text:?}"
    );
    assert!(no_digits(&text), "an error shows no number: {text:?}");
    click(&testid(&root, "panel-retry").expect("try again"));
    wait_for("a second ask", || canned.requests.borrow().len() == 2).await;

    // The space turns the data's app off: its routes answer 404.
    let canned = Canned::new(|_| not_found());
    let root = mount_panels(&canned, every_kind().into_iter().take(1).collect());
    wait_for_testid(&root, "panel-unavailable").await;
    assert!(
        no_digits(&visible_text(&root)),
        "an unavailable source shows no number"
    );

    // Refused: closed to this viewer, the privilege named, with "Why?".
    let canned = Canned::new(|_| json(403, READ_DENIED));
    let root = mount_panels(&canned, every_kind().into_iter().take(4).collect());
    wait_for("every panel closed", || {
        query_all(&root, "[data-testid=\"panel-closed\"]").len() == 4
    })
    .await;
    let reason = text_of(&root, "panel-closed-reason").unwrap_or_default();
    assert!(
        reason.contains("read") && reason.contains(".entity_analytics.entity-leads-default"),
        "names the privilege: {reason:?}"
    );
    assert!(testid(&root, "panel-why").is_some(), "Why? is offered");
    assert!(no_digits(&visible_text(&root)), "a refusal shows no number");
}

#[wasm_bindgen_test]
async fn a_kibana_dashboard_is_never_drawn_here() {
    // Kibana's own panel JSON: `panelIndex`, `gridData`, `embeddableConfig`, no query.
    let data: DashboardData = serde_json::from_str(
        r#"{"title":"Kibana SOC","panels":[
            {"type":"lens","panelIndex":"a","gridData":{"x":0,"y":0,"w":24,"h":15,"i":"a"},"embeddableConfig":{"attributes":{"visualizationType":"lnsXY"}},"title":"Alerts by rule","panelRefName":"panel_a"},
            {"type":"visualization","panelIndex":"b","gridData":{"x":24,"y":0,"w":24,"h":15,"i":"b"},"embeddableConfig":{},"title":"Top hosts"},
            {"type":"map","panelIndex":"c","gridData":{"x":0,"y":15,"w":48,"h":20,"i":"c"},"embeddableConfig":{"mapCenter":{"lat":48,"lon":2,"zoom":3}}}
        ]}"#,
    )
    .expect("Kibana's panels read as panels");
    let canned = Canned::new(|request| json(200, answer_for(request)));
    let root = mount_panels(&canned, data.panels);
    wait_for("three panels", || {
        query_all(&root, "[data-testid=\"panel-undrawn\"]").len() == 3
    })
    .await;
    for chart in [
        "svg",
        "table",
        "[data-testid=\"panel-bars\"]",
        "[data-testid=\"panel-metric\"]",
        "[data-testid=\"panel-loading\"]",
    ] {
        assert!(
            query(&root, chart).is_none(),
            "no {chart} for Kibana's panels"
        );
    }
    let text = visible_text(&root);
    assert_eq!(text.matches("Drawn by Kibana").count(), 3, "{text:?}");
    assert!(
        text.contains("lens") && text.contains("visualization") && text.contains("map"),
        "the types: {text:?}"
    );
    assert!(
        text.contains("Alerts by rule") && text.contains("Untitled panel"),
        "the titles: {text:?}"
    );
    assert!(
        text.contains("cannot draw"),
        "against our server there is nowhere to link: {text:?}"
    );
    assert!(no_digits(&text), "no number at all: {text:?}");
    assert!(
        canned.requests.borrow().is_empty(),
        "nothing asked for them"
    );
}
