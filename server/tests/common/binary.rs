//! The real server binary as a child process, for the tests that must kill or measure the process
//! itself (durability, hashing) rather than run it in the test's own runtime.

use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

use reqwest::StatusCode;
use serde_json::json;

use super::PASSWORD;

/// Starts the binary on a random loopback port on `db`, with `args` after the address and
/// database and `env` set; returns it with its stdout, which the caller reads for the
/// "Gatehouse listening on" line (and must keep draining, so the child never blocks on a pipe).
pub fn spawn_binary(db: &Path, args: &[&str], env: &[(&str, &str)]) -> (Child, ChildStdout) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gatehouse-server"));
    command
        .args(["--addr", "127.0.0.1:0", "--db"])
        .arg(db)
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = command.spawn().expect("server binary starts");
    let Some(stdout) = child.stdout.take() else {
        kill(&mut child);
        panic!("no stdout");
    };
    (child, stdout)
}

/// Kills the child and reaps it; either may fail once it has already exited, which is fine here.
pub fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Logs `user` in on the child at `base` with the demo password; the session cookie
/// (`name=value`) to send back.
pub async fn login_cookie(http: &reqwest::Client, base: &str, user: &str) -> String {
    let response = http
        .post(format!("{base}/internal/security/login"))
        .header("kbn-xsrf", "true")
        .header("x-elastic-internal-origin", "Kibana")
        .json(
            &json!({"providerType": "basic", "providerName": "basic", "currentURL": "/",
                      "params": {"username": user, "password": PASSWORD}}),
        )
        .send()
        .await
        .expect("login answers");
    assert_eq!(response.status(), StatusCode::OK, "login as {user}");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .expect("cookie is text");
    cookie
        .split(';')
        .next()
        .expect("cookie has a value")
        .to_string()
}
