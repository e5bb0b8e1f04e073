//! Login rate limiting: per username (5 failures) and per client address (20 failures) within a
//! 15-minute window; 429 Boom with `Retry-After`; the clock is advanced, never slept on.

mod common;

use std::time::Duration;

use common::{TestServer, PASSWORD};
use gatehouse_api::security::INVALID_CREDENTIALS;
use gatehouse_server::ratelimit::{Clock, LoginLimits};
use reqwest::StatusCode;
use serde_json::Value;

async fn start() -> (TestServer, Clock) {
    let clock = Clock::default();
    let c = clock.clone();
    let t = TestServer::start_with(move |config| {
        config.login_limits = LoginLimits::default();
        config.clock = c;
    })
    .await;
    (t, clock)
}

async fn attempt(t: &TestServer, user: &str, password: &str) -> (StatusCode, Option<u64>, Value) {
    let response = t.login_response(user, password).await;
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    assert!(
        response.headers().get("set-cookie").is_none() || status == StatusCode::OK,
        "no session cookie unless the login succeeded"
    );
    (status, retry_after, response.json().await.expect("JSON"))
}

fn assert_locked(answer: &(StatusCode, Option<u64>, Value)) {
    let (status, retry_after, body) = answer;
    assert_eq!(*status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let secs = retry_after.expect("Retry-After header in seconds");
    assert!((1..=900).contains(&secs), "{secs}");
    assert_eq!(body["statusCode"], 429);
    assert_eq!(body["error"], "Too Many Requests");
    assert_eq!(
        body["message"],
        format!("Too many failed login attempts. Try again in {secs} seconds.")
    );
}

#[tokio::test]
async fn sixth_failed_login_is_refused_with_retry_after_even_with_the_right_password() {
    let (t, clock) = start().await;
    for i in 1..=5 {
        let (status, _, body) = attempt(&t, "bob", "wrong").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}: {body}");
        assert_eq!(body["message"], INVALID_CREDENTIALS);
    }
    assert_locked(&attempt(&t, "bob", "wrong").await);
    // The right password during the lockout gets the same 429: no password oracle.
    assert_locked(&attempt(&t, "bob", PASSWORD).await);
    // Another user from the same address is not locked by bob's five failures.
    assert_eq!(attempt(&t, "alice", PASSWORD).await.0, StatusCode::OK);

    // Once the window has passed, bob can log in again.
    clock.advance(Duration::from_secs(15 * 60 + 1));
    assert_eq!(attempt(&t, "bob", PASSWORD).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_successful_login_resets_the_username_count() {
    let (t, _) = start().await;
    for _ in 0..4 {
        assert_eq!(
            attempt(&t, "bob", "wrong").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(attempt(&t, "bob", PASSWORD).await.0, StatusCode::OK);
    for i in 1..=5 {
        assert_eq!(
            attempt(&t, "bob", "wrong").await.0,
            StatusCode::UNAUTHORIZED,
            "attempt {i} after the reset"
        );
    }
    assert_locked(&attempt(&t, "bob", "wrong").await);
}

#[tokio::test]
async fn the_address_threshold_limits_every_username_from_that_address() {
    let (t, _) = start().await;
    // 20 failures spread over usernames that each stay under the per-user threshold.
    for i in 0..20 {
        let user = format!("guess{}", i % 5);
        let (status, _, body) = attempt(&t, &user, "wrong").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}: {body}");
    }
    // A different, never-tried user from the same address is now refused, right password or not.
    assert_locked(&attempt(&t, "victor", "wrong").await);
    assert_locked(&attempt(&t, "victor", PASSWORD).await);
}

#[tokio::test]
async fn unknown_usernames_are_limited_like_real_ones() {
    let (t, _) = start().await;
    for _ in 0..5 {
        assert_eq!(attempt(&t, "nobody", "x").await.0, StatusCode::UNAUTHORIZED);
    }
    assert_locked(&attempt(&t, "nobody", "x").await);
}
