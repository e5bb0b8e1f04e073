//! Login, sessions, the current user, capabilities and Kibana's header rules, over real HTTP.

mod common;

use std::time::Duration;

use common::*;
use gatehouse_api::security::{
    is_valid_profile_uid, AuthenticatedUser, Capabilities, UserProfile, INVALID_CREDENTIALS,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const DEMO_USERS: &[&str] = &[
    "elastic",
    "leads_full_user",
    "leads_read_user",
    "leads_no_access_user",
    "alice",
    "bob",
    "victor",
    "emea_analyst",
];

#[tokio::test]
async fn login_sets_an_http_only_strict_session_cookie() {
    let t = TestServer::start().await;
    let response = t.login_response("elastic", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = set_cookie(&response).expect("Set-Cookie");
    let (pair, attributes) = cookie.split_once(';').expect("attributes");
    let token = pair.strip_prefix("sid=").expect("sid cookie");
    assert_eq!(token.len(), 64, "256 random bits as hex");
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    let attributes: Vec<&str> = attributes.split(';').map(str::trim).collect();
    assert!(attributes.contains(&"HttpOnly"), "{cookie}");
    assert!(attributes.contains(&"SameSite=Strict"), "{cookie}");
    assert!(attributes.contains(&"Path=/"), "{cookie}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({ "location": "/" }));
}

#[tokio::test]
async fn login_returns_to_a_same_origin_next_path_only() {
    let t = TestServer::start().await;
    for (current, expected) in [
        ("/login?next=%2Fapp%2Fdashboards", "/app/dashboards"),
        ("/login?next=%2F%2Fevil.example%2F", "/"),
        ("/login?next=https%3A%2F%2Fevil.example", "/"),
    ] {
        let body = expect(
            send_json(
                t.kibana(Method::POST, "/internal/security/login")
                    .json(&json!({
                        "providerType": "basic", "providerName": "basic", "currentURL": current,
                        "params": { "username": "alice", "password": PASSWORD }
                    })),
            )
            .await,
            StatusCode::OK,
        );
        assert_eq!(body["location"], expected, "{current}");
    }
}

#[tokio::test]
async fn bad_credentials_get_one_answer_whatever_the_cause() {
    let t = TestServer::start().await;
    let expected =
        json!({ "statusCode": 401, "error": "Unauthorized", "message": INVALID_CREDENTIALS });
    let mut bodies = Vec::new();
    for (user, password) in [
        ("elastic", "wrong"),
        ("nobody", "changeme"),
        ("", ""),
        ("elastic", ""),
    ] {
        let response = t.login_response(user, password).await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{user}/{password}"
        );
        assert!(set_cookie(&response).is_none(), "no cookie on failure");
        bodies.push(response.json::<Value>().await.unwrap());
    }
    assert!(bodies.iter().all(|b| *b == expected), "{bodies:?}");

    // A disabled user is refused with the same answer, even with the right password, and loses
    // the sessions it had.
    let before = t.login("bob").await;
    t.deactivate_user("bob").await;
    let response = t.login_response("bob", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.json::<Value>().await.unwrap(), expected);
    expect(
        t.get_json(&before, "/internal/security/me").await,
        StatusCode::UNAUTHORIZED,
    );
}

#[tokio::test]
async fn login_cycles_the_session_and_logout_invalidates_it() {
    let (t, first) = TestServer::start_as("leads_full_user").await;
    let (status, _) = t.get_json(&first, "/internal/security/me").await;
    assert_eq!(status, StatusCode::OK);

    // Logging in again from the same browser gets a new id; the old one is gone.
    let response = t
        .kibana(Method::POST, "/internal/security/login")
        .header("cookie", &first.cookie)
        .json(&gatehouse_api::security::LoginRequest::basic(
            "leads_full_user",
            PASSWORD,
            "/login",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let second = Session {
        cookie: sid_pair(&response).unwrap(),
    };
    assert_ne!(first.cookie, second.cookie);
    assert_eq!(
        t.get_json(&first, "/internal/security/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        t.get_json(&second, "/internal/security/me").await.0,
        StatusCode::OK
    );

    // POST logout: 200, cookie cleared, the old cookie no longer works.
    let response = t
        .as_user(&second, Method::POST, "/api/security/logout")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cleared = set_cookie(&response).unwrap();
    assert!(
        cleared.starts_with("sid=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    assert_eq!(
        t.get_json(&second, "/internal/security/me").await.0,
        StatusCode::UNAUTHORIZED
    );

    // GET logout redirects to the login page and ends the session too.
    let third = t.login("leads_full_user").await;
    let response = t
        .bare_get(&third, "/api/security/logout")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert!(response.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    assert_eq!(
        t.get_json(&third, "/internal/security/me").await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn protected_routes_need_a_session() {
    let t = TestServer::start().await;
    let unauthorized =
        json!({ "statusCode": 401, "error": "Unauthorized", "message": "Unauthorized" });
    for (method, path) in [
        (Method::GET, "/internal/security/me"),
        (Method::GET, "/internal/security/user_profile"),
        (Method::POST, "/api/core/capabilities"),
    ] {
        let (status, body) = send_json(t.kibana(method.clone(), path).json(&json!({}))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(body, unauthorized);
        let forged = Session {
            cookie: "sid=0000000000000000000000000000000000000000000000000000000000000000".into(),
        };
        let (status, _) =
            send_json(t.as_user(&forged, method.clone(), path).json(&json!({}))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn me_and_profile_for_every_demo_user() {
    let t = TestServer::start().await;
    let mut uids = Vec::new();
    for user in DEMO_USERS {
        let session = t.login(user).await;
        let body = expect(
            t.get_json(&session, "/internal/security/me").await,
            StatusCode::OK,
        );
        let me: AuthenticatedUser = serde_json::from_value(body.clone()).expect("me parses");
        assert_eq!(me.username, *user);
        assert!(me.enabled);
        assert_eq!(me.authentication_provider.provider_type, "basic");
        assert_eq!(
            body["authentication_provider"],
            json!({ "type": "basic", "name": "basic" })
        );
        let uid = me.profile_uid.clone().expect("profile uid");
        assert!(is_valid_profile_uid(&uid), "{uid}");
        uids.push(uid.clone());

        let body = expect(
            t.get_json(&session, "/internal/security/user_profile")
                .await,
            StatusCode::OK,
        );
        let profile: UserProfile = serde_json::from_value(body).expect("profile parses");
        assert_eq!(profile.uid, uid);
        assert_eq!(profile.user.username, *user);
        assert_eq!(profile.user.roles, me.roles);
    }
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len(), DEMO_USERS.len(), "uids are unique");

    let alice = t.login("alice").await;
    let me: AuthenticatedUser =
        serde_json::from_value(t.get_json(&alice, "/internal/security/me").await.1).unwrap();
    assert_eq!(me.full_name.as_deref(), Some("Alice Analyst"));
    assert_eq!(me.roles, vec!["dashboard_editor"]);
    assert_eq!(me.profile_uid.as_deref(), Some("u_alice_0"));
    let bob = t.login("bob").await;
    let me: AuthenticatedUser =
        serde_json::from_value(t.get_json(&bob, "/internal/security/me").await.1).unwrap();
    assert_eq!(me.display_name(), "Bob Responder");
    let full = t.login("leads_full_user").await;
    let me: AuthenticatedUser =
        serde_json::from_value(t.get_json(&full, "/internal/security/me").await.1).unwrap();
    assert_eq!(me.roles, vec!["kibana_admin", "leads_full_access"]);
}

async fn capabilities(t: &TestServer, user: &str, space_prefix: &str) -> Capabilities {
    let session = t.login(user).await;
    let body = expect(
        t.post_json(
            &session,
            &format!("{space_prefix}/api/core/capabilities"),
            json!({ "applications": [] }),
        )
        .await,
        StatusCode::OK,
    );
    serde_json::from_value(body).expect("capabilities parse")
}

#[tokio::test]
async fn capabilities_follow_each_users_privileges() {
    let t = TestServer::start().await;
    for user in [
        "elastic",
        "leads_full_user",
        "leads_read_user",
        "leads_no_access_user",
    ] {
        let caps = capabilities(&t, user, "").await;
        for app in [
            "securitySolutionUI",
            "dashboards",
            "dev_tools",
            "management",
        ] {
            assert!(caps.nav_link(app), "{user} sees {app}");
        }
        assert!(
            caps.get("securitySolution", "show") && caps.get("securitySolution", "crud"),
            "{user}"
        );
        assert!(
            caps.get("dashboard", "createNew") && caps.get("dashboard", "showWriteControls"),
            "{user}"
        );
        assert!(caps.get("catalogue", "securitySolution"), "{user}");
    }
    for user in ["alice", "bob"] {
        let caps = capabilities(&t, user, "").await;
        assert!(!caps.nav_link("securitySolutionUI"), "{user}");
        assert!(caps.nav_link("dashboards"), "{user}");
        assert!(
            !caps.nav_link("dev_tools") && !caps.nav_link("management"),
            "{user}"
        );
        assert!(!caps.get("securitySolution", "show"));
        for cap in ["show", "createNew", "showWriteControls", "saveQuery"] {
            assert!(caps.get("dashboard", cap), "{user} dashboard.{cap}");
        }
        // dashboard_editor is granted in the default space only.
        let elsewhere = capabilities(&t, user, "/s/soc-emea").await;
        assert!(!elsewhere.nav_link("dashboards"), "{user} in another space");
    }
    // An empty body is accepted too.
    let session = t.login("elastic").await;
    expect(
        send_json(t.as_user(&session, Method::POST, "/api/core/capabilities")).await,
        StatusCode::OK,
    );
}

#[tokio::test]
async fn kibana_header_rules_with_their_exact_texts() {
    let (t, session) = TestServer::start_as("elastic").await;
    let login_body = gatehouse_api::security::LoginRequest::basic("elastic", PASSWORD, "/login");

    // No kbn-xsrf on a POST.
    let body = expect(
        send_json(
            t.http
                .post(t.url("/internal/security/login"))
                .header("x-elastic-internal-origin", "Kibana")
                .json(&login_body),
        )
        .await,
        StatusCode::BAD_REQUEST,
    );
    assert_eq!(
        body,
        json!({ "statusCode": 400, "error": "Bad Request", "message": "Request must contain a kbn-xsrf header." })
    );
    let (status, _) = send_json(
        t.http
            .post(t.url("/api/security/logout"))
            .header("cookie", &session.cookie),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "logout needs kbn-xsrf too");

    // No internal origin on an /internal route, with or without a space prefix.
    expect_message(send_json(
            t.bare_get(&session, "/internal/security/me"),
        )
        .await, StatusCode::BAD_REQUEST, "uri [/internal/security/me] with method [get] exists but is not available with the current configuration");
    expect_message(send_json(
            t.http
                .post(t.url("/internal/security/login"))
                .header("kbn-xsrf", "true")
                .json(&login_body),
        )
        .await, StatusCode::BAD_REQUEST, "uri [/internal/security/login] with method [post] exists but is not available with the current configuration");
    expect(
        send_json(t.bare_get(&session, "/s/marketing/internal/security/me")).await,
        StatusCode::BAD_REQUEST,
    );

    // Versioned leads routes without a version.
    let body = expect(
        send_json(
            t.http
                .get(t.url("/internal/entity_analytics/leads/privileges"))
                .header("x-elastic-internal-origin", "Kibana")
                .header("cookie", &session.cookie),
        )
        .await,
        StatusCode::BAD_REQUEST,
    );
    assert_eq!(
        body,
        json!({ "statusCode": 400, "error": "Bad Request",
                "message": "Please specify a version via elastic-api-version header. Available versions: [1]" })
    );

    // GET routes outside /internal need neither header; `/api/*` routes need no internal origin.
    expect(
        send_json(
            t.http
                .post(t.url("/api/core/capabilities"))
                .header("kbn-xsrf", "x")
                .header("cookie", &session.cookie)
                .json(&json!({})),
        )
        .await,
        StatusCode::OK,
    );
}

#[tokio::test]
async fn space_prefixes_are_stripped() {
    let (t, session) = TestServer::start_as("leads_no_access_user").await;
    let body = expect(
        t.get_json(&session, "/s/soc-emea/internal/security/me")
            .await,
        StatusCode::OK,
    );
    assert_eq!(body["username"], "leads_no_access_user");
    let caps = capabilities(&t, "leads_no_access_user", "/s/soc-emea").await;
    assert!(
        caps.nav_link("securitySolutionUI"),
        "kibana_admin has every space"
    );
}

#[tokio::test]
async fn bad_bodies_are_400_or_413_never_500() {
    let t = TestServer::start().await;
    let boom_400 = |body: &Value| body["statusCode"] == 400 && body["error"] == "Bad Request";

    let body = expect(
        send_json(
            t.kibana(Method::POST, "/internal/security/login")
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await,
        StatusCode::BAD_REQUEST,
    );
    assert!(boom_400(&body), "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("[request body]"),
        "{body}"
    );

    let body = expect(send_json(
        t.kibana(Method::POST, "/internal/security/login")
            .header("content-type", "text/plain")
            .body(r#"{"providerType":"basic","providerName":"basic","currentURL":"/","params":{"username":"elastic","password":"changeme"}}"#),
    )
    .await, StatusCode::BAD_REQUEST);
    assert!(boom_400(&body), "{body}");

    let body = expect(
        send_json(
            t.kibana(Method::POST, "/internal/security/login")
                .json(&json!({ "params": {} })),
        )
        .await,
        StatusCode::BAD_REQUEST,
    );
    assert!(boom_400(&body), "{body}");

    let huge = "x".repeat(1024 * 1024 + 10);
    let body = expect(
        send_json(
            t.kibana(Method::POST, "/internal/security/login")
                .header("content-type", "application/json")
                .body(huge),
        )
        .await,
        StatusCode::PAYLOAD_TOO_LARGE,
    );
    assert_eq!(body["statusCode"], 413);

    // Unknown API paths and wrong methods are JSON 404s.
    let body = expect(
        send_json(t.kibana(Method::GET, "/api/nope")).await,
        StatusCode::NOT_FOUND,
    );
    assert_eq!(
        body,
        json!({ "statusCode": 404, "error": "Not Found", "message": "Not Found" })
    );
    expect(
        send_json(t.kibana(Method::GET, "/internal/security/login")).await,
        StatusCode::NOT_FOUND,
    );
}

#[tokio::test]
async fn data_survives_a_restart() {
    let mut t = TestServer::start().await;
    let session = t.login("alice").await;
    let (_, before) = t
        .get_json(&session, "/internal/security/user_profile")
        .await;
    t.restart().await;
    // The session row, the users and their profile uids are still there; nothing was re-seeded.
    let after = expect(
        t.get_json(&session, "/internal/security/user_profile")
            .await,
        StatusCode::OK,
    );
    assert_eq!(before, after);
    let db = gatehouse_server::db::Db::open(&t.db_path()).unwrap();
    let users: i64 = db
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?))
        .await
        .unwrap();
    assert_eq!(users, DEMO_USERS.len() as i64);
}

#[tokio::test]
async fn idle_sessions_expire() {
    let t = TestServer::start_with(|c| c.idle_timeout = Duration::from_secs(1)).await;
    let session = t.login("elastic").await;
    assert_eq!(
        t.get_json(&session, "/internal/security/me").await.0,
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(
        t.get_json(&session, "/internal/security/me").await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn busy_sessions_still_end_at_their_lifespan() {
    let t = TestServer::start_with(|c| c.session_lifespan = Duration::from_secs(1)).await;
    let session = t.login("elastic").await;
    let started = std::time::Instant::now();
    let mut statuses = Vec::new();
    // A client polling every 200 ms never goes idle; its session still ends.
    while started.elapsed() < Duration::from_millis(2600) {
        statuses.push(t.get_json(&session, "/internal/security/me").await.0);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(statuses.first(), Some(&StatusCode::OK));
    assert_eq!(statuses.last(), Some(&StatusCode::UNAUTHORIZED));
    // Once over, it stays over: signing in again is the way back.
    let first_refusal = statuses
        .iter()
        .position(|s| *s == StatusCode::UNAUTHORIZED)
        .unwrap();
    assert!(statuses[first_refusal..]
        .iter()
        .all(|s| *s == StatusCode::UNAUTHORIZED));
    let again = t.login("elastic").await;
    assert_eq!(
        t.get_json(&again, "/internal/security/me").await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unseeded_servers_have_no_users() {
    let t = TestServer::start_with(|c| c.seed = false).await;
    assert_eq!(
        t.login_response("elastic", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn serves_the_spa_with_an_index_fallback_and_no_traversal() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>Gatehouse</title>",
    )
    .unwrap();
    std::fs::write(dist.path().join("app.js"), "console.log(1)").unwrap();
    let secret_dir = tempfile::tempdir().unwrap();
    std::fs::write(secret_dir.path().join("secret.txt"), "TOP-SECRET").unwrap();
    let dist_path = dist.path().to_path_buf();
    let t = TestServer::start_with(|c| c.dist_dir = Some(dist_path)).await;

    for path in [
        "/",
        "/login",
        "/login?next=%2Fapp",
        "/app/security/entity_analytics",
        "/s/x/app/dashboards",
    ] {
        let response = t.http.get(t.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-cache", "{path}");
        assert!(
            response.text().await.unwrap().contains("Gatehouse"),
            "{path}"
        );
    }
    let response = t.http.get(t.url("/app.js")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));
    assert!(
        response.headers().get("cache-control").is_none(),
        "a name without a content hash may change: no long cache"
    );
    assert_eq!(response.text().await.unwrap(), "console.log(1)");

    expect(
        send_json(t.http.get(t.url("/api/missing"))).await,
        StatusCode::NOT_FOUND,
    );

    let addr = t.server.as_ref().unwrap().addr;
    let secret_name = secret_dir
        .path()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    for path in [
        format!("/../{secret_name}/secret.txt"),
        format!("/..%2f{secret_name}%2fsecret.txt"),
        format!("/%2e%2e/{secret_name}/secret.txt"),
        "/../../../../../../etc/passwd".to_string(),
    ] {
        let answer = raw_request(
            addr,
            &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        )
        .await;
        assert!(
            !answer.contains("TOP-SECRET") && !answer.contains("root:"),
            "{path}: {answer}"
        );
    }
}

#[tokio::test]
async fn sends_precompressed_copies_to_browsers_that_accept_them() {
    use std::io::Read;
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>Gatehouse</title>",
    )
    .unwrap();
    let wasm: Vec<u8> = (0..40_000u32)
        .flat_map(|i| (i % 97).to_le_bytes())
        .collect();
    std::fs::write(
        dist.path().join("gatehouse-0123456789abcdef_bg.wasm"),
        &wasm,
    )
    .unwrap();
    let dist_path = dist.path().to_path_buf();
    let t = TestServer::start_with(|c| c.dist_dir = Some(dist_path)).await;
    let url = t.url("/gatehouse-0123456789abcdef_bg.wasm");

    // The copies are made in the background after start-up; until then the file goes plain.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let brotli = loop {
        let response = t
            .http
            .get(&url)
            .header("accept-encoding", "br, gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "application/wasm");
        if response
            .headers()
            .get("content-encoding")
            .is_some_and(|v| v == "br")
        {
            break response.bytes().await.unwrap();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no brotli copy after 30 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut unpacked = Vec::new();
    brotli::Decompressor::new(brotli.as_ref(), 4096)
        .read_to_end(&mut unpacked)
        .unwrap();
    assert_eq!(unpacked, wasm);
    assert!(
        brotli.len() < wasm.len() / 4,
        "{} bytes as brotli",
        brotli.len()
    );

    let gzip = t
        .http
        .get(&url)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(gzip.bytes().await.unwrap().as_ref())
        .read_to_end(&mut unpacked)
        .unwrap();
    assert_eq!(unpacked, wasm);

    let plain = t.http.get(&url).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.headers()["vary"], "accept-encoding");
    // A hashed build file never changes under its name: cached for good.
    assert_eq!(
        plain.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(plain.bytes().await.unwrap().as_ref(), wasm.as_slice());
}

/// Every API route answers 401 to a client without a session, before it looks at the space, the
/// body or the ids in the path: such a client learns nothing, not even which spaces exist.
#[tokio::test]
async fn every_api_route_needs_a_session() {
    let t = TestServer::start().await;
    let routes: &[(Method, &str)] = &[
        (Method::GET, "/internal/security/me"),
        (Method::GET, "/internal/security/user_profile"),
        (Method::POST, "/api/core/capabilities"),
        (Method::GET, "/internal/spaces/_active_space"),
        (Method::GET, "/s/soc-emea/internal/spaces/_active_space"),
        (
            Method::GET,
            "/s/no-such-space/internal/spaces/_active_space",
        ),
        (Method::GET, "/s/no-such-space/api/dashboards"),
        (Method::GET, "/api/spaces/space"),
        (Method::GET, "/api/spaces/space/no-such-space"),
        (Method::POST, "/api/spaces/space"),
        (Method::GET, "/internal/gatehouse/spaces/soc-emea/access"),
        (
            Method::GET,
            "/internal/gatehouse/spaces/no-such-space/contents",
        ),
        (Method::GET, "/api/dashboards"),
        (Method::POST, "/api/dashboards"),
        (Method::GET, "/api/dashboards/soc-overview"),
        (Method::POST, "/internal/access_control/change_owner"),
        (Method::POST, "/internal/access_control/change_access_mode"),
        (Method::GET, "/internal/access_control/is_enabled"),
        (Method::POST, "/internal/security/user_profile/_bulk_get"),
        (Method::GET, "/internal/security/user_profile/_suggest"),
        (Method::GET, "/internal/entity_analytics/leads"),
        (Method::GET, "/internal/entity_analytics/leads/privileges"),
        (Method::POST, "/internal/entity_analytics/leads/generate"),
        (Method::GET, "/internal/entity_analytics/leads/changes"),
        (Method::GET, "/internal/entity_analytics/leads/connector"),
        (Method::PUT, "/internal/entity_analytics/leads/connector"),
        (Method::GET, "/api/actions/connectors"),
        (Method::GET, "/internal/security/users"),
        (Method::POST, "/internal/security/users/elastic"),
        (Method::POST, "/internal/security/users/elastic/password"),
        (Method::GET, "/api/security/role"),
        (Method::PUT, "/api/security/role/viewer"),
        (Method::GET, "/api/features"),
        (
            Method::POST,
            "/api/console/proxy?path=_security/_authenticate&method=GET",
        ),
        (
            Method::GET,
            "/internal/gatehouse/security/effective_access/elastic",
        ),
        (Method::POST, "/internal/gatehouse/security/_explain"),
        (Method::GET, "/api/ws/v1/sources"),
        (Method::POST, "/api/ws/v1/search"),
        (Method::POST, "/internal/gatehouse/panels/_query"),
    ];
    let unauthorized =
        json!({"statusCode": 401, "error": "Unauthorized", "message": "Unauthorized"});
    let unauthorized_search = json!({"errors": ["Unauthorized"]});
    let mut refused = 0;
    for cookie in [None, Some("sid=0123456789abcdef")] {
        for (method, path) in routes {
            let mut request = t
                .http
                .request(method.clone(), t.url(path))
                .header("kbn-xsrf", "true")
                .header("x-elastic-internal-origin", "Kibana");
            if path.contains("/entity_analytics/") {
                request = request.header("elastic-api-version", "1");
            }
            if let Some(cookie) = cookie {
                request = request.header("cookie", cookie);
            }
            if *method != Method::GET {
                request = request.json(&json!({"id": "x", "name": "x"}));
            }
            let (status, body) = send_json(request).await;
            // The search routes answer in their own shape (docs/search.md).
            let expected = if path.starts_with("/api/ws/") {
                &unauthorized_search
            } else {
                &unauthorized
            };
            assert_eq!(
                (status, &body),
                (StatusCode::UNAUTHORIZED, expected),
                "{method} {path} with cookie {cookie:?}"
            );
            refused += 1;
        }
        // A path that does not exist is a 404 for anyone, in any space: it says nothing either.
        for path in ["/internal/no-such-route", "/s/no-such-space/api/nope"] {
            let mut request = t.kibana(Method::GET, path);
            if let Some(cookie) = cookie {
                request = request.header("cookie", cookie);
            }
            assert_eq!(send_json(request).await.0, StatusCode::NOT_FOUND, "{path}");
        }
    }
    println!(
        "# sessionless: {} routes, with no cookie and a made-up one: {refused} of {refused} answered 401",
        routes.len()
    );
}
