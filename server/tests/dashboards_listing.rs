//! Dashboards over real HTTP: the seeded list and its version header, spaces, search and paging
//! with SQL and LIKE characters, and the user-profile lookups the sharing dialog makes.

mod common;

use common::dashboards::*;
use common::*;
use gatehouse_api::dashboards::DashboardList;
use gatehouse_api::security::UserProfile;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn seeded_dashboards_list_with_owners_modes_and_version_header() {
    let (t, victor) = TestServer::start_as("victor").await;
    let response = request(&t, Some(&victor), Method::GET, "/api/dashboards")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers().get("elastic-api-version").unwrap(),
        "2023-10-31"
    );
    let all: DashboardList = response.json().await.unwrap();
    assert_eq!(all.total, 5);
    assert_eq!((all.page, all.per_page), (1, 20));
    assert_eq!(
        titles(&all),
        vec![
            "Endpoint health",
            "Executive risk summary",
            "Network traffic (legacy import)",
            "Phishing triage",
            "SOC overview"
        ]
    );
    let by_id = |id: &str| all.dashboards.iter().find(|d| d.id == id).unwrap();
    let seeded = [
        ("soc-overview", Some("u_alice_0"), true),
        ("phishing-triage", Some("u_bob_0"), false),
        ("executive-risk-summary", Some("u_elastic_0"), true),
        ("endpoint-health", Some("u_alice_0"), false),
        ("network-traffic-legacy", None, false),
    ];
    for (id, owner, restricted) in seeded {
        let d = by_id(id);
        assert_eq!(d.owner(), owner, "{id}");
        assert_eq!(d.is_write_restricted(), restricted, "{id}");
        assert_eq!(d.version(), Some("1"));
        assert!((2..=5).contains(&d.data.panels.len()), "{id}");
    }
    // The raw shape: owner at meta.owner and data.access_control.owner.
    let (_, raw) = fetch(&t, &victor, "soc-overview").await;
    assert_eq!(raw["meta"]["owner"], "u_alice_0");
    assert_eq!(
        raw["data"]["access_control"],
        json!({"access_mode": "write_restricted", "owner": "u_alice_0"})
    );
    assert_eq!(raw["meta"]["created_by"], "u_alice_0");
    assert!(raw["data"].get("access_control").is_some());
    let (_, legacy) = fetch(&t, &victor, "network-traffic-legacy").await;
    assert!(legacy["data"].get("access_control").is_none());
    assert!(legacy["meta"].get("owner").is_none());

    // Public versioning: no header is fine, another version is not.
    expect(
        send_json(t.bare_get(&victor, "/api/dashboards")).await,
        StatusCode::OK,
    );
    let body = expect(
        send_json(
            t.bare_get(&victor, "/api/dashboards")
                .header("elastic-api-version", "1"),
        )
        .await,
        StatusCode::BAD_REQUEST,
    );
    assert_eq!(
        body,
        boom(
            400,
            "Invalid version. Received \"1\", expected one of [2023-10-31]"
        )
    );
    // No session → 401; an unknown id → Kibana's 404.
    expect(
        send_json(request(&t, None, Method::GET, "/api/dashboards")).await,
        StatusCode::UNAUTHORIZED,
    );
    let body = expect(fetch(&t, &victor, "nope").await, StatusCode::NOT_FOUND);
    assert_eq!(body, boom(404, "Saved object [dashboard/nope] not found"));
}

#[tokio::test]
async fn dashboards_are_scoped_per_space() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    let alice = t.login("alice").await;
    let made = create(&t, &elastic, "EMEA only", UNRESTRICTED).await;
    let body = expect(
        post(
            &t,
            &elastic,
            "/s/soc-emea/api/dashboards",
            titled("EMEA board"),
        )
        .await,
        StatusCode::OK,
    );
    let emea_id = body["id"].as_str().unwrap().to_string();
    let emea = list(&t, &elastic, "").await;
    assert!(!titles(&emea).contains(&"EMEA board"));
    assert!(titles(&emea).contains(&"EMEA only"));
    let (_, body) = get(&t, &elastic, "/s/soc-emea/api/dashboards").await;
    let in_emea: DashboardList = serde_json::from_value(body).unwrap();
    // The new board beside the two the EMEA space is seeded with, and none of default's.
    assert_eq!(
        titles(&in_emea),
        vec!["EMEA board", "EMEA incidents", "EMEA phishing reports"]
    );
    expect(fetch(&t, &elastic, &emea_id).await, StatusCode::NOT_FOUND);
    expect(
        get(
            &t,
            &elastic,
            &format!("/s/soc-emea/api/dashboards/{}", made.id),
        )
        .await,
        StatusCode::NOT_FOUND,
    );
    // alice's role covers the default space only.
    let body = expect(
        get(&t, &alice, "/s/soc-emea/api/dashboards").await,
        StatusCode::FORBIDDEN,
    );
    assert_eq!(body, boom(403, "Unable to find dashboard"));
}

#[tokio::test]
async fn search_takes_sql_and_like_characters_literally_and_pages() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    let made = [
        "100% uptime",
        "100 percent",
        "a_b test",
        "axb test",
        "O'Brien's board",
        "Robert'); DROP TABLE dashboards;--",
        "back\\slash",
    ];
    for title in made {
        create(&t, &elastic, title, UNRESTRICTED).await;
    }
    let search = |q: &str| {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("search", q)
            .finish();
        query
    };
    let found = list(&t, &elastic, &search("%")).await;
    assert_eq!(titles(&found), vec!["100% uptime"]);
    let found = list(&t, &elastic, &search("_")).await;
    assert_eq!(titles(&found), vec!["a_b test"]);
    let found = list(&t, &elastic, &search("'")).await;
    assert_eq!(
        titles(&found),
        vec!["O'Brien's board", "Robert'); DROP TABLE dashboards;--"]
    );
    let found = list(&t, &elastic, &search("\\")).await;
    assert_eq!(titles(&found), vec!["back\\slash"]);
    let found = list(&t, &elastic, &search("drop table")).await;
    assert_eq!(found.total, 1);
    let found = list(&t, &elastic, &search("soc")).await;
    assert_eq!(titles(&found), vec!["SOC overview"]);
    let found = list(&t, &elastic, &search("no such thing")).await;
    assert_eq!((found.total, found.dashboards.len()), (0, 0));

    // 5 seeded + 7 made = 12, in pages of 5.
    let mut seen = Vec::new();
    for page in 1..=3 {
        let got = list(&t, &elastic, &format!("page={page}&perPage=5")).await;
        assert_eq!(got.total, 12);
        assert_eq!((got.page, got.per_page), (page, 5));
        assert_eq!(got.dashboards.len(), if page < 3 { 5 } else { 2 });
        seen.extend(got.dashboards.into_iter().map(|d| d.data.title));
    }
    let mut sorted = seen.clone();
    sorted.sort_by_key(|s| s.to_lowercase());
    assert_eq!(seen, sorted, "ordered by title across pages");
    sorted.dedup();
    assert_eq!(sorted.len(), 12);
    let beyond = list(&t, &elastic, "page=9&perPage=5").await;
    assert_eq!((beyond.total, beyond.dashboards.len()), (12, 0));
    let filtered = list(
        &t,
        &elastic,
        &format!("{}&perPage=1&page=2", search("test")),
    )
    .await;
    assert_eq!(titles(&filtered), vec!["axb test"]);
    assert_eq!(filtered.total, 2);
    for bad in [
        "perPage=0",
        "perPage=101",
        "page=0",
        "page=x",
        "page=1&page=2",
    ] {
        let (status, body) = get(&t, &elastic, &format!("/api/dashboards?{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(body["statusCode"], 400);
    }
}

#[tokio::test]
async fn profiles_resolve_within_the_space_and_suggest_by_name() {
    let (t, bob) = TestServer::start_as("bob").await;
    let elastic = t.login("elastic").await;
    let body = expect(post(&t, &bob, "/internal/security/user_profile/_bulk_get", json!({"uids": [OWNER_ALICE, "u_elastic_0", "u_nobody_0", "garbage", OWNER_ALICE, OWNER_BOB], "dataPath": "avatar"}))
    .await, StatusCode::OK);
    let profiles: Vec<UserProfile> = serde_json::from_value(body).unwrap();
    let names: Vec<&str> = profiles.iter().map(|p| p.user.username.as_str()).collect();
    assert_eq!(names, vec!["alice", "elastic", "bob"]);
    assert_eq!(profiles[0].user.full_name.as_deref(), Some("Alice Analyst"));
    assert!(
        profiles[0].user.roles.is_empty(),
        "others' roles stay private"
    );
    assert_eq!(profiles[2].user.roles, vec!["dashboard_editor"]);

    let suggest = |session: &Session, path: &str, body: Value| {
        let builder = request(&t, Some(session), Method::POST, path).json(&body);
        async move { send_json(builder).await }
    };
    let path = "/internal/security/user_profile/_suggest";
    let body = expect(
        suggest(&bob, path, json!({"name": "ANA", "size": 10})).await,
        StatusCode::OK,
    );
    let found: Vec<UserProfile> = serde_json::from_value(body).unwrap();
    assert_eq!(found[0].uid, OWNER_ALICE, "word prefix of Alice Analyst");
    let (_, body) = suggest(&bob, path, json!({"name": "vic"})).await;
    let found: Vec<UserProfile> = serde_json::from_value(body).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].user.full_name.as_deref(), Some("Victor Viewer"));
    let (_, body) = suggest(&bob, path, json!({"name": "", "size": 2})).await;
    assert_eq!(body.as_array().unwrap().len(), 2);
    let (_, body) = suggest(&bob, path, json!({"name": "%"})).await;
    assert_eq!(body, json!([]));
    expect(
        suggest(&bob, path, json!({"name": "a", "size": 0})).await,
        StatusCode::BAD_REQUEST,
    );
    expect(
        suggest(&bob, path, json!({"name": "a", "size": 101})).await,
        StatusCode::BAD_REQUEST,
    );

    // In another space only its members show up, and non-members are refused.
    let (status, body) =
        suggest(&elastic, &format!("/s/soc-emea{path}"), json!({"name": ""})).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<String> = serde_json::from_value::<Vec<UserProfile>>(body)
        .unwrap()
        .into_iter()
        .map(|p| p.user.username)
        .collect();
    assert!(names.contains(&"elastic".to_string()));
    for outsider in ["alice", "bob", "victor"] {
        assert!(!names.contains(&outsider.to_string()), "{names:?}");
    }
    expect_message(suggest(
            &bob,
            "/s/soc-emea/internal/security/user_profile/_bulk_get",
            json!({"uids": [OWNER_ALICE]}),
        )
        .await, StatusCode::FORBIDDEN, "API [POST /internal/security/user_profile/_bulk_get] is unauthorized for user, this action is granted by the Kibana privileges [bulkGetUserProfiles]");
    let (status, _) =
        send_json(request(&t, None, Method::POST, path).json(&json!({"name": "a"}))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
