//! The leads page's first paint (`server/src/leads/first_paint.rs`): a page load of the leads page by
//! a user who may read leads comes with that user's first page of leads drawn in `index.html`;
//! nobody else's page carries any.

mod common;

use std::time::{Duration, Instant};

use common::*;
use gatehouse_api::leads_page::carried::{self, CarriedAnswers};
use reqwest::StatusCode;
use serde_json::json;

const LEADS_PAGE: &str = "/app/security/entity_analytics";
const INDEX: &str = "<!doctype html><html><head><title>Gatehouse</title></head><body>\n<noscript>Gatehouse needs JavaScript</noscript></body></html>";
const TOP_TITLE: &str = "Critical risk user root with entity risk 100";
/// The app's first request for the leads: the page the first paint draws.
const FIRST_PAGE_FIND: &str =
    "/internal/entity_analytics/leads?page=1&perPage=20&sortField=priority&sortOrder=desc&status=active";
const IMG: &str = r#"<img src=x onerror="window.__pwned=1">"#;

async fn server_with_spa() -> (TestServer, tempfile::TempDir) {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), INDEX).unwrap();
    let dist_path = dist.path().to_path_buf();
    let t = TestServer::start_with(|c| c.dist_dir = Some(dist_path)).await;
    (t, dist)
}

/// Generates leads in `prefix`'s space as `session` and waits until `/status` counts them (not
/// the find route: a test may then edit a lead in the database before the first find reads it).
async fn generate_leads(t: &TestServer, session: &Session, prefix: &str) {
    let base = format!("{prefix}/internal/entity_analytics/leads");
    expect(
        t.post_json(
            session,
            &format!("{base}/generate"),
            json!({ "connectorId": "gatehouse-default" }),
        )
        .await,
        StatusCode::OK,
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, body) = t.get_json(session, &format!("{base}/status")).await;
        if status == StatusCode::OK && body["totalLeads"].as_u64().unwrap_or(0) > 0 {
            return;
        }
        assert!(Instant::now() < deadline, "no leads 10 s after generate");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The page as a browser asks for it, with `cookie` (a session's `sid=…`), if any.
async fn page(
    t: &TestServer,
    path: &str,
    cookie: Option<&str>,
) -> (reqwest::header::HeaderMap, String) {
    let mut request = t.http.get(t.url(path)).header("accept", "text/html");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let headers = response.headers().clone();
    (headers, response.text().await.unwrap())
}

fn first_paint(page: &str) -> Option<&str> {
    let start = page.find(r#"<div id="first-paint""#)?;
    let end = page.find("<noscript>")?;
    Some(&page[start..end])
}

#[tokio::test]
async fn a_user_who_may_read_leads_gets_the_page_drawn_with_their_first_page_of_leads() {
    let (t, _dist) = server_with_spa().await;
    let full = t.login("leads_full_user").await;
    generate_leads(&t, &full, "").await;

    let (headers, body) = page(&t, LEADS_PAGE, Some(&full.cookie)).await;
    let drawn = first_paint(&body).expect("the page comes drawn");
    assert!(body.starts_with(
        "<!doctype html><html><head><title>Gatehouse</title></head><body><div id=\"first-paint\""
    ));
    assert_eq!(
        headers["cache-control"], "no-store",
        "one user's page is never kept"
    );
    assert_eq!(headers["vary"], "cookie");
    let markup = &drawn[..drawn.find("<script").unwrap_or(drawn.len())];
    assert!(
        !markup.contains("data-testid"),
        "nothing in it for tests (or scripts) to act on as if it were the app"
    );
    // No lost clicks: every button and select names the app control a click on it is done
    // again on (but the close button of the detail a title opens, which the page does itself),
    // and the script that keeps them runs under the page's policy, by its hash.
    for control in ["<button", "<select"] {
        let without: Vec<&str> = markup
            .match_indices(control)
            .map(|(at, _)| &markup[at..markup[at..].find('>').map_or(markup.len(), |end| at + end)])
            .filter(|tag| !tag.contains("data-replay=\"") && !tag.ends_with("data-detail-close"))
            .collect();
        assert!(
            without.is_empty(),
            "controls that would lose a click: {without:?}"
        );
    }
    let script_at = drawn
        .find("<script>")
        .expect("the replay script is in the drawn page");
    assert!(drawn[script_at..].contains("data-replay"), "{drawn}");
    let policy = headers["content-security-policy"].to_str().unwrap();
    let scripts = policy
        .split(';')
        .find(|directive| directive.trim_start().starts_with("script-src "))
        .unwrap_or_default();
    assert!(
        scripts.contains("'sha256-") && !scripts.contains("'unsafe-inline'"),
        "{policy}"
    );
    assert!(drawn.contains(TOP_TITLE), "{drawn}");
    let (_, find) = t.get_json(&full, FIRST_PAGE_FIND).await;
    let expected_cards = find["leads"].as_array().unwrap().len();
    assert_eq!(
        drawn.matches(r#"<li class="lead-card""#).count(),
        expected_cards
    );
    assert!(
        markup.contains(">Regenerate</button>") && !markup.contains("aria-disabled"),
        "{drawn}"
    );
    assert!(
        drawn.contains(r#"<span class="avatar" aria-hidden="true">LF</span>"#),
        "the user's initials"
    );
    assert!(drawn.contains(r#"href="/app/security/entity_analytics" aria-current="page""#));
    assert!(!drawn.contains("Insufficient privileges"));

    let read = t.login("leads_read_user").await;
    let (_, body) = page(&t, LEADS_PAGE, Some(&read.cookie)).await;
    let drawn = first_paint(&body).expect("read is enough");
    assert!(drawn.contains("Insufficient privileges"), "{drawn}");
    assert!(
        drawn.contains(r#"aria-disabled="true">Regenerate</button>"#)
            && drawn.contains("You need the write privilege on .entity_analytics.entity-leads-* to generate leads."),
        "Regenerate is closed, with its reason: {drawn}"
    );
    assert!(drawn.contains(r#"aria-disabled="true">Dismiss</button>"#));
}

#[tokio::test]
async fn no_session_no_read_no_leads_or_another_page_means_the_plain_index() {
    let (t, _dist) = server_with_spa().await;
    let full = t.login("leads_full_user").await;

    let (headers, body) = page(&t, LEADS_PAGE, Some(&full.cookie)).await;
    assert_eq!(
        body, INDEX,
        "no leads yet: the app's empty state is the app's to draw"
    );
    assert_eq!(headers["cache-control"], "no-cache");

    generate_leads(&t, &full, "").await;
    for (path, cookie) in [
        (LEADS_PAGE, None),
        (LEADS_PAGE, Some("sid=0000")),
        ("/app/dashboards", Some(full.cookie.as_str())),
        ("/login", Some(full.cookie.as_str())),
    ] {
        let (headers, body) = page(&t, path, cookie).await;
        assert_eq!(body, INDEX, "{path} with {cookie:?}");
        assert_eq!(headers["cache-control"], "no-cache", "{path}");
    }
    let no_access = t.login("leads_no_access_user").await;
    let (_, body) = page(&t, LEADS_PAGE, Some(&no_access.cookie)).await;
    assert_eq!(
        body, INDEX,
        "without read, no leads leave the server, drawn or not"
    );
    let unknown_space = format!("/s/nowhere{LEADS_PAGE}");
    let (_, body) = page(&t, &unknown_space, Some(&full.cookie)).await;
    assert_eq!(body, INDEX, "a space that does not exist");
}

#[tokio::test]
async fn a_space_page_is_drawn_with_that_spaces_leads_and_links() {
    let (t, _dist) = server_with_spa().await;
    let analyst = t.login("emea_analyst").await;
    let (_, body) = page(
        &t,
        &format!("/s/soc-emea{LEADS_PAGE}"),
        Some(&analyst.cookie),
    )
    .await;
    let drawn = first_paint(&body).expect("the seeded space has leads");
    assert!(
        drawn.contains(r#"href="/s/soc-emea/app/security/entity_analytics" aria-current="page""#),
        "{drawn}"
    );
    assert!(drawn.contains("Current space: SOC EMEA"), "{drawn}");
    let (_, find) = t
        .get_json(&analyst, &format!("/s/soc-emea{FIRST_PAGE_FIND}"))
        .await;
    let first_title = find["leads"][0]["title"].as_str().unwrap().to_string();
    assert!(drawn.contains(&first_title), "{first_title}");
}

#[tokio::test]
async fn markup_in_a_lead_is_drawn_as_text() {
    let (t, _dist) = server_with_spa().await;
    let full = t.login("leads_full_user").await;
    generate_leads(&t, &full, "").await;
    let conn = rusqlite::Connection::open(t.db_path()).unwrap();
    let (id, body): (String, String) = conn
        .query_row(
            "SELECT id, body FROM leads ORDER BY priority DESC, ts_ms DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    let mut lead: serde_json::Value = serde_json::from_str(&body).unwrap();
    lead["title"] = json!(format!("Q3 {IMG} review"));
    lead["tags"] = json!([IMG]);
    // And in the detail a title opens.
    lead["description"] = json!(format!("Seen {IMG} twice"));
    lead["chatRecommendations"] = json!([IMG]);
    lead["observations"][0]["description"] = json!(IMG);
    conn.execute(
        "UPDATE leads SET body = ?1 WHERE id = ?2",
        rusqlite::params![lead.to_string(), id],
    )
    .unwrap();
    let (_, page_body) = page(&t, LEADS_PAGE, Some(&full.cookie)).await;
    let drawn = first_paint(&page_body).expect("drawn");
    assert!(
        drawn.contains("Q3 &lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt; review"),
        "the title is text: {drawn}"
    );
    assert!(
        drawn.contains("Seen &lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt; twice"),
        "the detail's description is text: {drawn}"
    );
    assert!(
        !drawn.contains("<img"),
        "no markup of the lead's own: {drawn}"
    );
}

/// A title opens the lead's detail at once, before the app is in: each card carries it, drawn as
/// the app's detail draws it, in a template the page's one dialog is filled from.
#[tokio::test]
async fn each_card_carries_the_detail_its_title_opens() {
    let (t, _dist) = server_with_spa().await;
    let full = t.login("leads_full_user").await;
    generate_leads(&t, &full, "").await;
    let (_, body) = page(&t, LEADS_PAGE, Some(&full.cookie)).await;
    let drawn = first_paint(&body).expect("drawn");
    assert_eq!(
        drawn
            .matches(r#"<dialog class="modal modal-wide" id="first-paint-detail""#)
            .count(),
        1,
        "{drawn}"
    );
    let (_, find) = t.get_json(&full, FIRST_PAGE_FIND).await;
    for lead in find["leads"].as_array().unwrap() {
        let id = lead["id"].as_str().unwrap();
        let card_at = drawn
            .find(&format!(r#"data-lead-id="{id}""#))
            .unwrap_or_else(|| panic!("a card for {id}"));
        let card = &drawn[card_at
            ..card_at
                + drawn[card_at..]
                    .find("</li><li class=\"lead-card\"")
                    .unwrap_or(drawn.len() - card_at)];
        let template = &card[card
            .find(r#"<template class="lead-detail-template">"#)
            .expect("the card's detail")..];
        let template = &template[..template.find("</template>").expect("closed")];
        let priority = lead["priority"].as_u64().unwrap();
        assert!(
            template.contains(&format!(">Priority {priority}</span>")),
            "{template}"
        );
        assert!(
            template.contains(lead["description"].as_str().unwrap()),
            "{template}"
        );
        for observation in lead["observations"].as_array().unwrap() {
            let meta = format!(
                "{} · score {:.0} · confidence {:.0}%",
                observation["moduleId"].as_str().unwrap().replace('_', " "),
                observation["score"].as_f64().unwrap(),
                observation["confidence"].as_f64().unwrap() * 100.0
            );
            assert!(template.contains(&meta), "{meta} in {template}");
        }
        let steps = lead["chatRecommendations"].as_array().unwrap();
        assert!(!steps.is_empty());
        for step in steps {
            assert!(
                template.contains(&format!("<li>{}</li>", step.as_str().unwrap())),
                "{template}"
            );
        }
    }
}

/// The answers the page was drawn from go with it, for the app's first requests
/// (`gatehouse_api::leads_page::carried`): each is what the route answers the app.
#[tokio::test]
async fn the_page_carries_the_answers_it_was_drawn_from_as_the_routes_give_them() {
    let (t, _dist) = server_with_spa().await;
    let full = t.login("leads_full_user").await;
    generate_leads(&t, &full, "").await;

    let (_, body) = page(&t, LEADS_PAGE, Some(&full.cookie)).await;
    let open = format!(
        r#"<script type="application/json" id="{}">"#,
        carried::ELEMENT_ID
    );
    let start = body.find(&open).expect("the answers are in the page") + open.len();
    let text = &body[start..start + body[start..].find("</script>").unwrap()];
    let mut carried: CarriedAnswers = serde_json::from_str(text).unwrap();
    assert_eq!(carried.space_prefix, "");
    for path in [
        "/internal/security/me",
        "/internal/entity_analytics/leads/privileges",
        FIRST_PAGE_FIND,
        "/internal/entity_analytics/leads/status",
    ] {
        let version = path
            .starts_with("/internal/entity_analytics")
            .then_some("1");
        let answer = carried
            .take("", "GET", path, version, None)
            .unwrap_or_else(|| panic!("{path} is carried"));
        let (status, direct) = t.get_json(&full, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
        if path == "/internal/entity_analytics/leads/status" {
            assert_eq!(answer["totalLeads"], direct["totalLeads"], "{path}");
        } else {
            assert_eq!(answer, direct, "{path}");
        }
    }
    assert!(
        carried
            .take(
                "",
                "POST",
                "/api/core/capabilities",
                None,
                Some(r#"{"applications":[]}"#)
            )
            .is_some(),
        "the capabilities, asked with the app's body"
    );
    assert!(
        carried
            .take("/s/other", "GET", "/internal/security/me", None, None)
            .is_none(),
        "only for the page's space"
    );

    // Another user's page carries their answers, never the first one's.
    let read = t.login("leads_read_user").await;
    let (_, body) = page(&t, LEADS_PAGE, Some(&read.cookie)).await;
    assert!(
        body.contains("leads_read_user") && !body.contains(r#"\"username\":\"leads_full_user"#)
    );
}
