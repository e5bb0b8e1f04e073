//! Password-guess limiting: per username (5 failures) and per client address (20 failures) within
//! a 15-minute window, one count for login and the current password of an own-password change
//! (Kibana's route and the console); 429 with `Retry-After`; the clock is advanced, never slept on.

mod common;

use std::time::Duration;

use common::{Session, TestServer, PASSWORD};
use gatehouse_api::security::INVALID_CREDENTIALS;
use gatehouse_server::ratelimit::{Clock, LoginLimits};
use reqwest::{Method, StatusCode};
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

/// The seconds a refused answer's `Retry-After` asks the caller to wait, if it says.
fn retry_after(response: &reqwest::Response) -> Option<u64> {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// An answer: its status, its `Retry-After` seconds when it has one, and its body.
type Answer = (StatusCode, Option<u64>, Value);

async fn attempt(t: &TestServer, user: &str, password: &str) -> Answer {
    let response = t.login_response(user, password).await;
    let status = response.status();
    let retry_after = retry_after(&response);
    assert!(
        response.headers().get("set-cookie").is_none() || status == StatusCode::OK,
        "no session cookie unless the login succeeded"
    );
    (status, retry_after, response.json().await.expect("JSON"))
}

/// Asserts that `answer` is a 429 whose `Retry-After` is within the lockout (15 minutes); the
/// seconds it says and the body, for the caller's checks of the text.
fn locked_for(answer: &Answer) -> (u64, &Value) {
    let (status, retry_after, body) = answer;
    assert_eq!(*status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let secs = retry_after.expect("Retry-After header in seconds");
    assert!((1..=900).contains(&secs), "{secs}");
    (secs, body)
}

fn assert_locked(answer: &Answer) {
    let (secs, body) = locked_for(answer);
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

// ---------------------------------------------------------------------------------------------
// One limiter for every password check: the own-password change (Kibana's route and the
// console's `_security/user/_password`) counts wrong current passwords with failed logins.
// ---------------------------------------------------------------------------------------------

const OWN_PASSWORD_PATH: &str = "/internal/security/users/leads_no_access_user/password";
/// Has the Dev Tools console (kibana_admin) but no `manage_security`.
const GUESSER: &str = "leads_no_access_user";

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let retry_after = retry_after(&response);
    let text = response.text().await.expect("body");
    (
        status,
        retry_after,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

/// Changes the guesser's own password on Kibana's route, `current` as the current password.
async fn own_change(t: &TestServer, s: &Session, current: &str) -> Answer {
    let body = serde_json::json!({"newPassword": "n3w-secret", "password": current});
    answer(
        t.as_user(s, Method::POST, OWN_PASSWORD_PATH)
            .json(&body)
            .send()
            .await
            .expect("answer"),
    )
    .await
}

/// The same through the console: `POST /_security/user/_password` with Gatehouse's
/// `current_password`; the status is the console's status header.
async fn console_change(t: &TestServer, s: &Session, current: &str) -> Answer {
    let body = serde_json::json!({"password": "n3w-secret", "current_password": current});
    let response = t
        .as_user(
            s,
            Method::POST,
            "/api/console/proxy?path=%2F_security%2Fuser%2F_password&method=POST",
        )
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("answer");
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the console always answers 200"
    );
    let status = response
        .headers()
        .get("x-console-proxy-status-code")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u16>().ok())
        .and_then(|v| StatusCode::from_u16(v).ok())
        .expect("console status header");
    let (_, retry_after, body) = answer(response).await;
    (status, retry_after, body)
}

fn assert_invalid_password(answer: &Answer) {
    let (status, _, body) = answer;
    assert_eq!(*status, StatusCode::FORBIDDEN, "{body}");
    let message = body["message"]
        .as_str()
        .or(body["error"]["reason"].as_str());
    assert_eq!(message, Some("Invalid password."), "{body}");
}

/// The console's 429: Elasticsearch's shape, Kibana's text, `Retry-After` on the answer.
fn assert_console_locked(answer: &Answer) {
    let (secs, body) = locked_for(answer);
    assert_eq!(body["status"], 429);
    assert_eq!(body["error"]["type"], "security_exception");
    assert_eq!(
        body["error"]["reason"],
        format!("Too many failed login attempts. Try again in {secs} seconds.")
    );
}

/// Wrong guesses until the first 429 (at most `cap` tries).
async fn guesses_before_429<F, Fut>(cap: usize, mut guess: F) -> usize
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = Answer>,
{
    for i in 0..cap {
        let answer = guess(i).await;
        if answer.0 == StatusCode::TOO_MANY_REQUESTS {
            return i;
        }
        assert_ne!(
            answer.0,
            StatusCode::NO_CONTENT,
            "guess {i} changed the password"
        );
    }
    cap
}

/// How many wrong current passwords `s` sends (through the console or the route) before a 429;
/// each one before it is answered as an invalid password.
async fn wrong_passwords_before_429(t: &TestServer, s: &Session, console: bool) -> usize {
    guesses_before_429(30, |i| async move {
        let wrong = format!("wrong-{i}");
        let answer = if console {
            console_change(t, s, &wrong).await
        } else {
            own_change(t, s, &wrong).await
        };
        if answer.0 != StatusCode::TOO_MANY_REQUESTS {
            assert_invalid_password(&answer);
        }
        answer
    })
    .await
}

#[tokio::test]
async fn own_password_guesses_are_limited_like_logins() {
    let (t, clock) = start().await;
    let s = t.login(GUESSER).await;
    let route = wrong_passwords_before_429(&t, &s, false).await;
    assert_eq!(route, 5, "wrong current passwords before 429");
    // The right current password during the lockout gets the same 429, and so does a login:
    // one count for every password check.
    assert_locked(&own_change(&t, &s, PASSWORD).await);
    assert_locked(&attempt(&t, GUESSER, PASSWORD).await);
    assert_console_locked(&console_change(&t, &s, PASSWORD).await);

    // After the window the right current password changes it.
    clock.advance(Duration::from_secs(15 * 60 + 1));
    let (status, _, body) = own_change(&t, &s, PASSWORD).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    // Through the console: the same limit.
    let (t, _) = start().await;
    let s = t.login(GUESSER).await;
    let console = wrong_passwords_before_429(&t, &s, true).await;
    assert_eq!(
        console, 5,
        "wrong current passwords through the console before 429"
    );
    assert_console_locked(&console_change(&t, &s, PASSWORD).await);
    assert_locked(&own_change(&t, &s, PASSWORD).await);

    println!(
        "# password guessing: own-password route {route} wrong current passwords before 429 (the right one then 429 too; was unlimited: 25 wrong then the right one → 204); console _security/user/_password {console} before 429; login 5"
    );
}

#[tokio::test]
async fn wrong_guesses_on_every_password_check_count_together() {
    let (t, _) = start().await;
    let s = t.login(GUESSER).await;
    // Two failed logins, two wrong current passwords on the route, one through the console.
    for _ in 0..2 {
        assert_eq!(
            attempt(&t, GUESSER, "wrong").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    for _ in 0..2 {
        assert_invalid_password(&own_change(&t, &s, "wrong").await);
    }
    assert_invalid_password(&console_change(&t, &s, "wrong").await);
    // The sixth check is refused everywhere, with the right password too.
    assert_locked(&attempt(&t, GUESSER, PASSWORD).await);
    assert_locked(&own_change(&t, &s, PASSWORD).await);
    assert_console_locked(&console_change(&t, &s, PASSWORD).await);
    // A missing current password is a wrong guess too (refused without an argon2 run).
    let (t, _) = start().await;
    let s = t.login(GUESSER).await;
    for _ in 0..5 {
        let response = t
            .as_user(&s, Method::POST, OWN_PASSWORD_PATH)
            .json(&serde_json::json!({"newPassword": "n3w-secret"}))
            .send()
            .await
            .expect("answer");
        assert_invalid_password(&answer(response).await);
    }
    assert_locked(&own_change(&t, &s, PASSWORD).await);
    println!("# password guessing: 2 failed logins + 2 wrong current passwords on the route + 1 through the console → the 6th check (login, route or console, right password or not) is 429");
}
