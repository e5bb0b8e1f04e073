//! What a user keeps on their own profile (docs/spaces.md "The last space"): written with
//! `POST /internal/security/user_profile/_data`, read with `GET /internal/security/user_profile?dataPath=…`,
//! only ever the caller's own, bounded, and kept across a restart.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const DATA: &str = "/internal/security/user_profile/_data";
const PROFILE: &str = "/internal/security/user_profile";

async fn profile_data(t: &TestServer, session: &Session, path: &str) -> Value {
    let profile = expect(t.get_json(session, path).await, StatusCode::OK);
    profile["data"].clone()
}

#[tokio::test]
async fn the_last_space_is_stored_on_the_callers_own_profile_and_read_back() {
    let mut t = TestServer::start().await;
    let emma = t.login("emea_analyst").await;
    let bob = t.login("bob").await;

    // Nothing kept yet; and without `dataPath` the profile's data stays empty, as before.
    assert_eq!(
        profile_data(&t, &emma, &format!("{PROFILE}?dataPath=gatehouse")).await,
        json!({})
    );
    let (status, body) = t
        .post_json(&emma, DATA, json!({"gatehouse": {"lastSpace": "soc-emea"}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        profile_data(&t, &emma, &format!("{PROFILE}?dataPath=gatehouse")).await,
        json!({"gatehouse": {"lastSpace": "soc-emea"}})
    );
    assert_eq!(profile_data(&t, &emma, PROFILE).await, json!({}));
    // The rest of the profile is as the route always answered it.
    let profile = expect(
        t.get_json(&emma, &format!("{PROFILE}?dataPath=gatehouse"))
            .await,
        StatusCode::OK,
    );
    assert_eq!(profile["user"]["username"], "emea_analyst");
    // From inside a space too: the profile is the user's, not the space's.
    assert_eq!(
        profile_data(
            &t,
            &emma,
            &format!("/s/soc-emea{PROFILE}?dataPath=gatehouse")
        )
        .await,
        json!({"gatehouse": {"lastSpace": "soc-emea"}})
    );

    // Another user's profile is untouched by it, and theirs does not touch hers.
    assert_eq!(
        profile_data(&t, &bob, &format!("{PROFILE}?dataPath=*")).await,
        json!({})
    );
    expect(
        t.post_json(&bob, DATA, json!({"gatehouse": {"lastSpace": "default"}}))
            .await,
        StatusCode::OK,
    );
    assert_eq!(
        profile_data(&t, &emma, &format!("{PROFILE}?dataPath=gatehouse")).await,
        json!({"gatehouse": {"lastSpace": "soc-emea"}})
    );

    // A later write merges: other keys stay, a new value replaces the old.
    expect(
        t.post_json(&emma, DATA, json!({"avatar": {"initials": "EE"}}))
            .await,
        StatusCode::OK,
    );
    expect(
        t.post_json(&emma, DATA, json!({"gatehouse": {"lastSpace": "default"}}))
            .await,
        StatusCode::OK,
    );
    assert_eq!(
        profile_data(&t, &emma, &format!("{PROFILE}?dataPath=gatehouse,avatar")).await,
        json!({"gatehouse": {"lastSpace": "default"}, "avatar": {"initials": "EE"}})
    );

    // Kept on the server: a restart and a new session find it.
    t.restart().await;
    let emma = t.login("emea_analyst").await;
    assert_eq!(
        profile_data(&t, &emma, &format!("{PROFILE}?dataPath=gatehouse")).await,
        json!({"gatehouse": {"lastSpace": "default"}})
    );
}

#[tokio::test]
async fn bad_or_oversized_data_is_refused_and_changes_nothing() {
    let t = TestServer::start().await;
    let emma = t.login("emea_analyst").await;
    expect(
        t.post_json(&emma, DATA, json!({"gatehouse": {"lastSpace": "soc-emea"}}))
            .await,
        StatusCode::OK,
    );
    let kept = json!({"gatehouse": {"lastSpace": "soc-emea"}});

    expect_message(
        t.post_json(&emma, DATA, json!(["not", "an", "object"]))
            .await,
        StatusCode::BAD_REQUEST,
        "[request body]: expected value of type [object]",
    );
    let big = "x".repeat(gatehouse_server::profiles::MAX_DATA_BODY_BYTES);
    let (status, body) = t
        .post_json(&emma, DATA, json!({"gatehouse": {"note": big}}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("cannot be greater than [4096]"),
        "{body}"
    );
    // Each body small enough, the data they add up to too big: the last one is refused.
    let chunk = "y".repeat(3_000);
    let mut refused = None;
    for n in 0..10 {
        let (status, body) = t
            .post_json(&emma, DATA, json!({ format!("k{n}"): chunk }))
            .await;
        if status != StatusCode::OK {
            refused = Some((n, status, body));
            break;
        }
    }
    let (n, status, body) = refused.expect("the data stops growing at its bound");
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("[16384]"),
        "{body}"
    );
    let data = profile_data(&t, &emma, &format!("{PROFILE}?dataPath=*")).await;
    assert!(
        data.get(format!("k{n}")).is_none(),
        "the refused write stored nothing"
    );
    assert_eq!(data["gatehouse"], kept["gatehouse"]);

    let long_path = "a".repeat(gatehouse_server::profiles::MAX_DATA_PATH_BYTES + 1);
    let (status, _) = t
        .get_json(&emma, &format!("{PROFILE}?dataPath={long_path}"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Signed out: nothing read, nothing written.
    let (status, _) = send_json(
        t.kibana(Method::POST, DATA)
            .json(&json!({"gatehouse": {"lastSpace": "default"}})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) =
        send_json(t.kibana(Method::GET, &format!("{PROFILE}?dataPath=gatehouse"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
