//! The real server binary as a child process, for the tests that must kill or measure the process
//! itself (durability, hashing) rather than run it in the test's own runtime.

use std::io::{BufRead, BufReader};
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

/// A server child, killed (and reaped) when dropped, so a failing test leaves no process behind.
pub struct KilledOnDrop(pub Child);

impl Drop for KilledOnDrop {
    fn drop(&mut self) {
        kill(&mut self.0);
    }
}

/// Reads the child's stdout up to its "Gatehouse listening on" line: the URL it names and the
/// lines printed before it. Keeps draining stdout afterwards so the child never blocks on a full
/// pipe; kills the child and fails when it exits before listening.
pub fn until_listening(child: &mut Child, stdout: ChildStdout) -> (String, Vec<String>) {
    let mut reader = BufReader::new(stdout);
    let mut banner = Vec::new();
    loop {
        let mut line = String::new();
        if !matches!(reader.read_line(&mut line), Ok(n) if n > 0) {
            kill(child);
            panic!("server exited before listening; it printed {banner:#?}");
        }
        if let Some(url) = line.trim().strip_prefix("Gatehouse listening on ") {
            let url = url.to_string();
            std::thread::spawn(move || for _ in reader.lines() {});
            return (url, banner);
        }
        banner.push(line);
    }
}

/// Sends the sign-in form for `username` with `password` to the child at `base`; the answer.
pub async fn login_answer(
    http: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> reqwest::Response {
    http.post(format!("{base}/internal/security/login"))
        .header("kbn-xsrf", "true")
        .header("x-elastic-internal-origin", "Kibana")
        .json(
            &json!({"providerType": "basic", "providerName": "basic", "currentURL": "/",
                      "params": {"username": username, "password": password}}),
        )
        .send()
        .await
        .expect("login answers")
}

/// Logs `user` in on the child at `base` with the demo password; the session cookie
/// (`name=value`) to send back.
pub async fn login_cookie(http: &reqwest::Client, base: &str, user: &str) -> String {
    let response = login_answer(http, base, user, PASSWORD).await;
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
