//! The audit log API against the real server (docs/audit-log.md): sign-ins, sign-outs, changes and
//! views are listed newest first with the audit file's fields, every filter narrows the list,
//! bad parameters and callers without `read_security` are refused, and the export carries the
//! same events.

mod common;

use common::{expect, send_json, Session, TestServer};
use gatehouse_api::audit::{
    AuditEvent, AuditPage, AUDIT_EXPORT_PATH, AUDIT_PATH, EXPORT_CONTENT_TYPE, TRUNCATED_HEADER,
};
use gatehouse_api::run_as::RUN_AS_HEADER;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const WRONG_PASSWORD: &str = "not-the-password-Zq7";

async fn list(t: &TestServer, s: &Session, query: &str) -> AuditPage {
    let body = expect(
        t.get_json(s, &format!("{AUDIT_PATH}?{query}")).await,
        StatusCode::OK,
    );
    serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// A server where: mallory failed to sign in, bob signed in and out, elastic created a role and
/// viewed as victor in two spaces, and bob tried to view as victor in `soc-emea`.
async fn with_history() -> (TestServer, Session) {
    let t = TestServer::start().await;
    let failed = t.login_response("mallory", WRONG_PASSWORD).await;
    assert_eq!(failed.status(), StatusCode::UNAUTHORIZED);
    let bob = t.login("bob").await;
    expect(
        t.post_json(&bob, "/api/security/logout", json!({})).await,
        StatusCode::OK,
    );
    let elastic = t.login("elastic").await;
    let role =
        json!({"elasticsearch": {"cluster": ["read_security"], "indices": []}, "kibana": []});
    assert_eq!(
        t.put_json(&elastic, "/api/security/role/auditor", role)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    for path in ["/api/spaces/space", "/s/soc-emea/api/spaces/space"] {
        let viewing = t
            .as_user(&elastic, Method::GET, path)
            .header(RUN_AS_HEADER, "victor");
        expect(send_json(viewing).await, StatusCode::OK);
    }
    let bob = t.login("bob").await;
    let refused = t
        .as_user(&bob, Method::GET, "/s/soc-emea/api/spaces/space")
        .header(RUN_AS_HEADER, "victor");
    expect(send_json(refused).await, StatusCode::FORBIDDEN);
    (t, elastic)
}

fn newest_first(events: &[AuditEvent]) -> bool {
    events.windows(2).all(|pair| {
        let id = |e: &AuditEvent| e.event.id.as_deref().and_then(|i| i.parse::<i64>().ok());
        (pair[0].timestamp.as_str(), id(&pair[0])) >= (pair[1].timestamp.as_str(), id(&pair[1]))
    })
}

#[tokio::test]
async fn every_kind_of_event_is_listed_newest_first_as_the_file_has_it() {
    let (t, elastic) = with_history().await;
    let page = list(&t, &elastic, "perPage=500").await;
    assert_eq!(page.total as usize, page.events.len());
    assert!(newest_first(&page.events));
    let actions: Vec<&str> = page
        .events
        .iter()
        .map(|e| e.event.action.as_str())
        .collect();
    for action in [
        "user_login",
        "user_logout",
        "role_put",
        "run_as_granted",
        "run_as_denied",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }

    // The failed sign-in names the user tried, never the password.
    let failed = list(&t, &elastic, "user=mallory").await;
    assert_eq!(failed.total, 1);
    assert_eq!(failed.events[0].event.action, "user_login");
    assert_eq!(failed.events[0].event.outcome.as_str(), "failure");
    let file = std::fs::read_to_string(t.dir.path().join("audit.log")).expect("audit file");
    assert!(!file.contains(WRONG_PASSWORD));
    assert!(!serde_json::to_string(&page)
        .unwrap_or_default()
        .contains(WRONG_PASSWORD));

    // The API's events are the file's lines.
    let lines: Vec<Value> = file
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), page.events.len());
    for event in &page.events {
        let listed = serde_json::to_value(event).expect("event");
        assert!(lines.contains(&listed), "{listed} is a line of the file");
    }
}

#[tokio::test]
async fn each_filter_narrows_the_list() {
    let (t, elastic) = with_history().await;
    let all = list(&t, &elastic, "perPage=500").await;
    let matching = |keep: &dyn Fn(&AuditEvent) -> bool| {
        all.events
            .iter()
            .filter(|e| keep(e))
            .cloned()
            .collect::<Vec<_>>()
    };
    let cases: Vec<(&str, Vec<AuditEvent>)> = vec![
        ("user=bob", matching(&|e| e.user.name == "bob")),
        (
            "effectiveUser=victor",
            matching(&|e| e.effective_name() == "victor" && e.user.effective.is_some()),
        ),
        (
            "action=user_logout",
            matching(&|e| e.event.action == "user_logout"),
        ),
        (
            "outcome=failure",
            matching(&|e| e.event.outcome.as_str() == "failure"),
        ),
        (
            "objectType=role&objectId=auditor",
            matching(&|e| {
                e.kibana.saved_object.object_type == "role"
                    && e.kibana.saved_object.ids.contains(&"auditor".to_string())
            }),
        ),
        (
            "space=soc-emea",
            matching(&|e| e.kibana.space_id == "soc-emea"),
        ),
        (
            "user=elastic&action=run_as_granted",
            matching(&|e| e.user.name == "elastic" && e.event.action == "run_as_granted"),
        ),
    ];
    for (query, expected) in cases {
        let page = list(&t, &elastic, &format!("{query}&perPage=500")).await;
        assert!(!expected.is_empty(), "{query} matches something");
        assert!(
            expected.len() < all.events.len(),
            "{query} leaves something out"
        );
        assert_eq!(page.events, expected, "{query}");
        assert_eq!(page.total as usize, expected.len(), "{query}");
    }
    // One view across spaces: elastic's two requests as victor are one event.
    let granted = list(&t, &elastic, "action=run_as_granted").await;
    assert_eq!(granted.total, 1);
    assert_eq!(
        granted.events[0]
            .user
            .effective
            .as_ref()
            .map(|e| e.name.as_str()),
        Some("victor")
    );
    let denied = list(&t, &elastic, "space=soc-emea&action=run_as_denied").await;
    assert_eq!(denied.total, 1);
    assert_eq!(denied.events[0].user.name, "bob");

    // Time bounds are inclusive instants.
    let newest = &all.events[0].timestamp;
    let oldest = &all.events[all.events.len() - 1].timestamp;
    assert_eq!(
        list(&t, &elastic, &format!("from={newest}")).await.events[0],
        all.events[0]
    );
    assert_eq!(
        list(&t, &elastic, &format!("from={oldest}&perPage=500"))
            .await
            .total,
        all.total
    );
    assert_eq!(list(&t, &elastic, "to=2000-01-01T00:00:00Z").await.total, 0);
    assert_eq!(
        list(&t, &elastic, "from=9999-01-01T00:00:00Z").await.total,
        0
    );
}

#[tokio::test]
async fn pages_split_the_list_without_overlap() {
    let (t, elastic) = with_history().await;
    let four = list(&t, &elastic, "perPage=4").await;
    assert_eq!((four.page, four.per_page), (1, 4));
    let first = list(&t, &elastic, "perPage=2&page=1").await;
    let second = list(&t, &elastic, "perPage=2&page=2").await;
    assert_eq!([first.events, second.events].concat(), four.events);
    assert_eq!(first.total, four.total);
    let past = list(&t, &elastic, "perPage=500&page=2").await;
    assert!(past.events.is_empty());
    assert_eq!(past.total, four.total);
}

#[tokio::test]
async fn bad_parameters_and_callers_without_read_security_are_refused() {
    let (t, elastic) = with_history().await;
    let long = "u".repeat(1_025);
    for (query, parameter) in [
        ("perPage=0", "perPage"),
        ("perPage=501", "perPage"),
        ("page=0", "page"),
        ("page=x", "page"),
        ("outcome=maybe", "outcome"),
        ("from=yesterday", "from"),
        ("to=2026-01-01T00:00:00", "to"),
        ("colour=red", "colour"),
        ("user=a&user=b", "user"),
        (&format!("user={long}") as &str, "user"),
    ] {
        for path in [AUDIT_PATH, AUDIT_EXPORT_PATH] {
            if path == AUDIT_EXPORT_PATH && parameter.starts_with("p") {
                continue;
            }
            let (status, body) = t.get_json(&elastic, &format!("{path}?{query}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}?{query}: {body}");
            let message = body["message"].as_str().unwrap_or("");
            assert!(
                message.starts_with(&format!("[request query.{parameter}]")),
                "{query}: {message}"
            );
        }
    }

    // victor has no read_security: refused before the query is read (a bad one too).
    let victor = t.login("victor").await;
    for path in [
        AUDIT_PATH.to_string(),
        AUDIT_EXPORT_PATH.to_string(),
        format!("{AUDIT_PATH}?perPage=0"),
    ] {
        let (status, body) = t.get_json(&victor, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap_or("")
                .contains("read_security"),
            "{body}"
        );
    }
    let (status, _) = send_json(t.kibana(Method::GET, AUDIT_PATH)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The capability says the same, and read_security alone opens the log.
    let capability = |caps: &Value| caps["management"]["security"]["audit_log"].clone();
    let (_, caps) = t
        .post_json(&victor, "/api/core/capabilities", json!({}))
        .await;
    assert_eq!(capability(&caps), json!(false));
    let (_, caps) = t
        .post_json(&elastic, "/api/core/capabilities", json!({}))
        .await;
    assert_eq!(capability(&caps), json!(true));
    let user = json!({"username": "auditor_user", "password": common::PASSWORD, "roles": ["auditor", "kibana_admin"]});
    expect(
        t.post_json(&elastic, "/internal/security/users/auditor_user", user)
            .await,
        StatusCode::OK,
    );
    let auditor = t.login("auditor_user").await;
    let (_, caps) = t
        .post_json(&auditor, "/api/core/capabilities", json!({}))
        .await;
    assert_eq!(capability(&caps), json!(true));
    assert!(list(&t, &auditor, "").await.total > 0);
}

#[tokio::test]
async fn the_export_has_the_same_events_as_the_list() {
    let (t, elastic) = with_history().await;
    for filter in ["", "user=elastic", "outcome=failure&effectiveUser=victor"] {
        let listed = list(&t, &elastic, &format!("{filter}&perPage=500")).await;
        let response = t
            .as_user(
                &elastic,
                Method::GET,
                &format!("{AUDIT_EXPORT_PATH}?{filter}"),
            )
            .send()
            .await
            .expect("export answers");
        assert_eq!(response.status(), StatusCode::OK);
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        assert_eq!(header("content-type"), EXPORT_CONTENT_TYPE);
        assert_eq!(
            header("content-disposition"),
            "attachment; filename=\"gatehouse-audit.ndjson\""
        );
        assert_eq!(header(TRUNCATED_HEADER), "", "far below the cap");
        let text = response.text().await.expect("body");
        let exported: Vec<AuditEvent> = text
            .lines()
            .map(|line| serde_json::from_str(line).expect("an event per line"))
            .collect();
        assert_eq!(exported, listed.events, "{filter}");
    }
}
