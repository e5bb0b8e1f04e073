//! Password attacks for the attack suite, on a server of their own (the guessing locks users and
//! the client address, which would disturb other attempts sharing a server). Each attempt is
//! judged by its effect, re-read afterwards: a refused change leaves the password and every
//! session as they were, a refused creation stores no user.
//!
//! The attack suite (`tests/attacks.rs`) counts them with the rest.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{console, send_json, Attempt, Session, TestServer, PASSWORD};

/// The attack suite's non-privileged demo users.
const USERS: [&str; 4] = ["leads_read_user", "leads_no_access_user", "bob", "victor"];

/// Every attempt: someone else's password changed and a superuser created (Kibana's route and the
/// console) by each non-privileged user, and a user guessing their own current password.
pub async fn attempts() -> Vec<Attempt> {
    let t = TestServer::start().await;
    let elastic = t.login("elastic").await;
    let elastic_elsewhere = t.login("elastic").await;
    let mut out = Vec::new();
    for user in USERS {
        let s = t.login(user).await;
        // Take over elastic's account: 403, and elastic's sessions live on (a change ends them).
        let (status, body) = send_json(
            t.as_user(
                &s,
                Method::POST,
                "/internal/security/users/elastic/password",
            )
            .json(&json!({"newPassword": format!("pwned-by-{user}")})),
        )
        .await;
        let session_alive = alive(&t, &elastic_elsewhere).await;
        out.push(Attempt {
            what: format!("{user}: change elastic's password"),
            blocked: status == StatusCode::FORBIDDEN && session_alive,
            detail: format!("{status} {body}, elastic's session alive: {session_alive}"),
        });
        // Create a superuser, with a body that would not even validate: 403 first, nothing stored.
        let name = format!("pwn-{user}");
        let (status, body) = send_json(
            t.as_user(
                &s,
                Method::POST,
                &format!("/internal/security/users/{name}"),
            )
            .json(&json!({"username": name, "password": "123", "roles": ["superuser"]})),
        )
        .await;
        let stored = user_status(&t, &elastic, &name).await;
        out.push(Attempt {
            what: format!("{user}: create superuser {name}"),
            blocked: status == StatusCode::FORBIDDEN && stored == StatusCode::NOT_FOUND,
            detail: format!("{status} {body}, stored: {stored}"),
        });
        // The same and someone else's password through the console (users who have it).
        if user.starts_with("leads_") {
            let answer = console(
                &t,
                &s,
                "PUT",
                &format!("/_security/user/{name}"),
                Some(json!({"password": "secret1", "roles": ["superuser"]})),
            )
            .await;
            let (status, body) = (answer.status, answer.body);
            let stored = user_status(&t, &elastic, &name).await;
            out.push(Attempt {
                what: format!("{user}: create superuser {name} through the console"),
                blocked: status == 403 && stored == StatusCode::NOT_FOUND,
                detail: format!("{status} {body}, stored: {stored}"),
            });
            let answer = console(
                &t,
                &s,
                "POST",
                "/_security/user/elastic/_password",
                Some(json!({"password": format!("pwned-by-{user}")})),
            )
            .await;
            let (status, body) = (answer.status, answer.body);
            let session_alive = alive(&t, &elastic_elsewhere).await;
            out.push(Attempt {
                what: format!("{user}: change elastic's password through the console"),
                blocked: status == 403 && session_alive,
                detail: format!("{status} {body}, elastic's session alive: {session_alive}"),
            });
        }
    }
    // Guess your own current password (a session left open): the 6th check is 429 even with the
    // right password, and the password is unchanged (victor's other session lives on).
    let guesser = t.login("victor").await;
    let other = t.login("victor").await;
    let path = "/internal/security/users/victor/password";
    for i in 0..5 {
        let (status, _) = send_json(
            t.as_user(&guesser, Method::POST, path)
                .json(&json!({"newPassword": "n3w-secret", "password": format!("guess-{i}")})),
        )
        .await;
        out.push(Attempt {
            what: format!("victor: guess own current password #{}", i + 1),
            blocked: status == StatusCode::FORBIDDEN,
            detail: format!("{status}"),
        });
    }
    let (status, body) = send_json(
        t.as_user(&guesser, Method::POST, path)
            .json(&json!({"newPassword": "n3w-secret", "password": PASSWORD})),
    )
    .await;
    let other_alive = t.get_json(&other, "/internal/security/me").await.0 == StatusCode::OK;
    out.push(Attempt {
        what: "victor: 6th guess (the right password) after 5 wrong".into(),
        blocked: status == StatusCode::TOO_MANY_REQUESTS && other_alive,
        detail: format!("{status} {body}, other session alive: {other_alive}"),
    });
    out
}

/// Whether `session` still works: an attack on its user's password must not end it.
async fn alive(t: &TestServer, session: &Session) -> bool {
    t.get_json(session, "/internal/security/me").await.0 == StatusCode::OK
}

/// What `elastic` gets when it reads user `name`: 404 while a refused creation stored nothing.
async fn user_status(t: &TestServer, elastic: &Session, name: &str) -> StatusCode {
    t.get_json(elastic, &format!("/internal/security/users/{name}"))
        .await
        .0
}
