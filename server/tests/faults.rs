//! The test-only fault injector (RELIABILITY.md): absent unless enabled, and when enabled each fault
//! spoils exactly the answers its rule names, the way a broken server or proxy would.

mod common;

use std::time::Duration;

use common::{client, content_type, Session, TestServer};
use gatehouse_server::faults::{FaultKind, FaultRule, FaultRules, FaultsReport, FAULTS_PATH};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const LIST: &str = "/api/dashboards";

async fn with_faults() -> TestServer {
    TestServer::start_with(|config| config.faults = true).await
}

async fn set_rules(server: &TestServer, rules: Vec<FaultRule>) -> FaultsReport {
    let response = server
        .kibana(Method::PUT, FAULTS_PATH)
        .json(&FaultRules { rules })
        .send()
        .await
        .expect("control route answers");
    assert_eq!(response.status(), StatusCode::OK, "rules accepted");
    response.json().await.expect("a report")
}

async fn clear(server: &TestServer) -> FaultsReport {
    let response = server
        .kibana(Method::DELETE, FAULTS_PATH)
        .send()
        .await
        .expect("control route answers");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("a report")
}

fn get(server: &TestServer, session: &Session, path: &str) -> reqwest::RequestBuilder {
    let version = if path.contains("/api/dashboards") {
        "2023-10-31"
    } else {
        "1"
    };
    server
        .http
        .get(server.url(path))
        .header("x-elastic-internal-origin", "Kibana")
        .header("elastic-api-version", version)
        .header("cookie", &session.cookie)
}

/// A GET as `session`: status, content type and raw body.
async fn list(server: &TestServer, session: &Session, path: &str) -> (StatusCode, String, String) {
    let response = get(server, session, path).send().await.expect("an answer");
    let status = response.status();
    let content_type = content_type(&response);
    (status, content_type, response.text().await.expect("body"))
}

fn rule(path: &str, fault: FaultKind) -> FaultRule {
    FaultRule::new(path, fault)
}

#[tokio::test]
async fn disabled_by_default_the_control_route_does_not_exist() {
    assert!(!gatehouse_server::Config::default().faults);
    let server = TestServer::start().await;
    for method in [Method::GET, Method::PUT, Method::DELETE] {
        let response = server
            .kibana(method.clone(), FAULTS_PATH)
            .json(&FaultRules {
                rules: vec![rule(LIST, FaultKind::Html502)],
            })
            .send()
            .await
            .expect("answer");
        assert_eq!(
            response.status(),
            StatusCode::NOT_FOUND,
            "{method} control route"
        );
    }
    // Nothing was faulted: the list still answers normally.
    let session = server.login("elastic").await;
    let (status, _, body) = list(&server, &session, LIST).await;
    assert_eq!(status, StatusCode::OK);
    assert!(serde_json::from_str::<Value>(&body).is_ok());
}

#[tokio::test]
async fn faults_are_refused_off_loopback() {
    let dir = tempfile::tempdir().expect("tempdir");
    let started = gatehouse_server::start(gatehouse_server::Config {
        addr: "0.0.0.0:0".parse().expect("addr"),
        db_path: dir.path().join("gatehouse.db"),
        faults: true,
        ..Default::default()
    })
    .await;
    assert!(
        started.is_err(),
        "fault injection on 0.0.0.0 must not start"
    );
}

#[tokio::test]
async fn the_control_route_follows_kibanas_header_rules_and_validates_rules() {
    let server = with_faults().await;
    let no_xsrf = client()
        .put(server.url(FAULTS_PATH))
        .header("x-elastic-internal-origin", "Kibana")
        .json(&json!({"rules": []}))
        .send()
        .await
        .expect("answer");
    assert_eq!(no_xsrf.status(), StatusCode::BAD_REQUEST);
    for bad in [
        json!({"rules": [{"path": "/api", "fault": "meltdown"}]}),
        json!({"rules": [{"path": "api", "fault": "stall"}]}),
        json!({"rules": [{"path": "/api", "fault": "stall", "stall_seconds": 100000}]}),
        json!({"rules": [{"path": "/api", "fault": "html_502", "colour": "red"}]}),
    ] {
        let response = server
            .kibana(Method::PUT, FAULTS_PATH)
            .json(&bad)
            .send()
            .await
            .expect("answer");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        let body: Value = response.json().await.expect("json");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let report: FaultsReport = server
        .kibana(Method::GET, FAULTS_PATH)
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("report");
    assert!(report.rules.is_empty(), "refused rules are not kept");
}

#[tokio::test]
async fn each_fault_spoils_the_answer_and_clearing_restores_it() {
    let server = with_faults().await;
    let session = server.login("elastic").await;
    let (status, _, normal) = list(&server, &session, LIST).await;
    assert_eq!(status, StatusCode::OK);
    let normal_json: Value = serde_json::from_str(&normal).expect("the list is JSON");
    assert!(normal_json["total"].as_u64().is_some_and(|n| n >= 5));

    set_rules(&server, vec![rule(LIST, FaultKind::TruncatedJson)]).await;
    let (status, _, body) = list(&server, &session, LIST).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.is_empty() && normal.starts_with(&body) && body.len() < normal.len());
    assert!(
        serde_json::from_str::<Value>(&body).is_err(),
        "cut JSON does not parse"
    );

    set_rules(&server, vec![rule(LIST, FaultKind::WrongTypes)]).await;
    let (status, _, body) = list(&server, &session, LIST).await;
    assert_eq!(status, StatusCode::OK);
    let json: Value = serde_json::from_str(&body).expect("still JSON");
    assert_eq!(
        json["total"],
        Value::String(normal_json["total"].to_string())
    );
    assert!(json["dashboards"][0]["id"].is_number());

    set_rules(&server, vec![rule(LIST, FaultKind::Html502)]).await;
    let (status, content_type, body) = list(&server, &session, LIST).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(content_type.starts_with("text/html"));
    assert!(body.contains("<title>502 Bad Gateway</title>"));

    set_rules(&server, vec![rule(LIST, FaultKind::EmptyBody)]).await;
    let (status, _, body) = list(&server, &session, LIST).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.is_empty());

    set_rules(&server, vec![rule(LIST, FaultKind::DropConnection)]).await;
    let dropped = get(&server, &session, LIST).send().await;
    let error = dropped.expect_err("no answer on a dropped connection");
    assert!(!error.is_timeout(), "dropped, not stalled: {error}");

    // A short stall: nothing within half a second, then the real answer.
    let mut stall = rule(LIST, FaultKind::Stall);
    stall.stall_seconds = Some(2);
    set_rules(&server, vec![stall]).await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .build()
        .expect("client");
    let waited = impatient
        .get(server.url(LIST))
        .header("cookie", &session.cookie)
        .header("elastic-api-version", "2023-10-31")
        .send()
        .await;
    assert!(
        waited.is_err_and(|e| e.is_timeout()),
        "a stalled request does not answer at once"
    );
    let (status, _, body) = list(&server, &session, LIST).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<Value>(&body).ok(),
        Some(normal_json.clone())
    );

    let report = clear(&server).await;
    assert!(report.rules.is_empty());
    for kind in FaultKind::ALL {
        assert!(
            report.injected.get(kind.as_str()).is_some_and(|n| *n >= 1),
            "{} was injected: {:?}",
            kind.as_str(),
            report.injected
        );
    }
    let (status, _, body) = list(&server, &session, LIST).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(serde_json::from_str::<Value>(&body).ok(), Some(normal_json));
}

#[tokio::test]
async fn rules_match_only_what_they_name() {
    let server = with_faults().await;
    let session = server.login("elastic").await;
    let leads = "/internal/entity_analytics/leads";
    set_rules(
        &server,
        vec![
            FaultRule {
                exact: true,
                method: Some("GET".into()),
                ..rule(leads, FaultKind::Html502)
            },
            FaultRule {
                method: Some("POST".into()),
                ..rule(LIST, FaultKind::Html502)
            },
            // A prefix covering the control route never faults it.
            rule("/internal/gatehouse", FaultKind::DropConnection),
        ],
    )
    .await;
    // Exact: the list (with its query) is faulted, the privileges below it are not.
    let (status, _, _) = list(&server, &session, &format!("{leads}?page=1&perPage=20")).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    let (status, _, _) = list(&server, &session, &format!("{leads}/privileges")).await;
    assert_eq!(status, StatusCode::OK);
    // Method: the POST rule leaves GET alone.
    let (status, _, _) = list(&server, &session, LIST).await;
    assert_eq!(status, StatusCode::OK);
    // The space prefix is stripped before matching.
    let (status, _, _) = list(&server, &session, &format!("/s/default{leads}")).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    let report = clear(&server).await;
    assert_eq!(report.injected.get("html_502"), Some(&2));
    assert_eq!(report.injected.get("drop_connection"), None);
}

/// A leads page read again goes to a browser gzip-compressed; the faults that spoil the body
/// spoil the JSON, so a browser still sees what a broken server would have sent it.
#[tokio::test]
async fn body_faults_spoil_the_json_even_for_a_client_that_accepts_gzip() {
    const LEADS: &str = "/internal/entity_analytics/leads";
    let server = with_faults().await;
    let session = server.login("leads_full_user").await;
    let browser = || get(&server, &session, LEADS).header("accept-encoding", "gzip, deflate, br");
    let generate = server
        .as_user(
            &session,
            reqwest::Method::POST,
            &format!("{LEADS}/generate"),
        )
        .json(&serde_json::json!({ "connectorId": "gatehouse-default", "maxLeads": 5 }))
        .send()
        .await
        .expect("generate");
    assert_eq!(generate.status(), StatusCode::OK);
    let run: Value = generate.json().await.expect("JSON");
    let run = common::execution_uuid(&run);
    // The run's last write is its status: until then a write may drop the kept answer between
    // two reads, and the second would be read anew, uncompressed.
    let mut finished = false;
    for _ in 0..50 {
        let (status, _, body) = list(&server, &session, &format!("{LEADS}/status")).await;
        assert_eq!(status, StatusCode::OK);
        let json: Value = serde_json::from_str(&body).expect("JSON");
        if json["lastExecutionUuid"] == run.as_str() {
            finished = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(finished, "the generate run finished");
    let (status, _, body) = list(&server, &session, LEADS).await;
    assert_eq!(status, StatusCode::OK);
    let normal: Value = serde_json::from_str(&body).expect("JSON");
    assert!(
        normal["total"].as_u64().is_some_and(|n| n > 0),
        "leads were generated"
    );
    let read_again = browser().send().await.expect("an answer");
    assert_eq!(
        read_again
            .headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip"),
        "without faults a page read again is compressed"
    );

    set_rules(&server, vec![rule(LEADS, FaultKind::WrongTypes)]).await;
    let spoiled = browser().send().await.expect("an answer");
    assert_eq!(spoiled.headers().get("content-encoding"), None);
    let json: Value = serde_json::from_str(&spoiled.text().await.expect("body")).expect("JSON");
    assert_eq!(json["total"], Value::String(normal["total"].to_string()));

    set_rules(&server, vec![rule(LEADS, FaultKind::TruncatedJson)]).await;
    let cut = browser().send().await.expect("an answer");
    assert_eq!(cut.headers().get("content-encoding"), None);
    let cut = cut.text().await.expect("body");
    assert!(!cut.is_empty() && serde_json::from_str::<Value>(&cut).is_err());

    set_rules(&server, vec![rule(LEADS, FaultKind::EmptyBody)]).await;
    let empty = browser().send().await.expect("an answer");
    assert_eq!(empty.headers().get("content-encoding"), None);
    assert!(empty.bytes().await.expect("body").is_empty());
}
