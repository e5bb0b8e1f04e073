//! The route guard over real HTTP: it runs before the body is read, so a caller without the
//! route's privilege is refused even when the body is malformed, in the route's error shape.

use gatehouse_api::security::LoginRequest;
use reqwest::{Client, Method, StatusCode};
use serde_json::Value;

use crate::{start, Config};

fn kibana_request(http: &Client, method: Method, url: String) -> reqwest::RequestBuilder {
    http.request(method, url)
        .header("kbn-xsrf", "true")
        .header("x-elastic-internal-origin", "Kibana")
        .header("elastic-api-version", "1")
}

async fn signed_in(base: &str, username: &str) -> Client {
    let http = Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let response = kibana_request(
        &http,
        Method::POST,
        format!("{base}/internal/security/login"),
    )
    .json(&LoginRequest::basic(username, "changeme", "/login"))
    .send()
    .await
    .expect("login answers");
    assert_eq!(response.status(), StatusCode::OK, "login as {username}");
    http
}

#[tokio::test]
async fn a_caller_without_the_privilege_is_refused_before_a_malformed_body_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = start(Config {
        addr: "127.0.0.1:0".parse().expect("address"),
        db_path: dir.path().join("gatehouse.db"),
        ..Config::default()
    })
    .await
    .expect("server starts");
    let base = server.url();
    // A search reader: the seeded search_user role only, which grants read but not manage.
    let admin = signed_in(&base, "elastic").await;
    let created = kibana_request(
        &admin,
        Method::POST,
        format!("{base}/internal/security/users/reader"),
    )
    .json(&serde_json::json!({"username": "reader", "password": "changeme", "roles": ["search_user"]}))
    .send()
    .await
    .expect("user route answers");
    assert_eq!(created.status(), StatusCode::OK, "reader created");
    let cases = [
        (
            "alice",
            "/internal/entity_analytics/leads/bulk_update",
            "/internal/entity_analytics/leads/bulk_update",
            "securitySolution-entity-analytics",
        ),
        (
            "bob",
            "/s/soc-emea/internal/security/user_profile/_bulk_get",
            "/internal/security/user_profile/_bulk_get",
            "bulkGetUserProfiles",
        ),
        (
            "reader",
            "/api/ws/v1/sources",
            "/api/ws/v1/sources",
            "workplaceSearch-manage",
        ),
    ];
    for (username, path, cited_path, privilege) in cases {
        let http = signed_in(&base, username).await;
        let response = kibana_request(&http, Method::POST, format!("{base}{path}"))
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .expect("route answers");
        let status = response.status();
        let body: Value = response.json().await.expect("json body");
        assert_eq!(status, StatusCode::FORBIDDEN, "{username} {path}: {body}");
        let message = body["message"]
            .as_str()
            .or_else(|| body["errors"][0].as_str())
            .unwrap_or_default();
        assert_eq!(
            message,
            format!("API [POST {cited_path}] is unauthorized for user, this action is granted by the Kibana privileges [{privilege}]"),
            "{username} {path}: {body}"
        );
    }
    server.shutdown().await;
}
