//! Running Gatehouse for a team, with the real binary as a process (README, "Running Gatehouse for
//! your team"): the status a load balancer polls, settings from the environment and a TOML file,
//! HTTPS with a certificate of its own or behind a proxy, and JSON logs.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::PASSWORD;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// How long a start may take on a busy 2-core machine (it seeds the demo users, hashing their
/// passwords).
const START_WITHIN: Duration = Duration::from_secs(120);

/// The binary with the test's arguments and environment only: `GATEHOUSE_*` variables of the
/// shell running the tests would otherwise change what is being tested.
fn command(args: &[String], env: &[(&str, String)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gatehouse-server"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("GATEHOUSE_") {
            command.env_remove(name);
        }
    }
    command
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// A running server process, killed on drop.
struct Server {
    child: Child,
    /// What it printed after "Gatehouse listening on ".
    url: String,
    /// Its standard output so far (the log lines).
    stdout: Arc<Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        common::binary::kill(&mut self.child);
    }
}

/// Starts the binary and waits for its "Gatehouse listening on" line. A new database gets the
/// demo users (the users the sign-in tests use: `--demo`).
fn start(args: &[String], env: &[(&str, String)]) -> Server {
    let mut child = command(args, env)
        .arg("--demo")
        .spawn()
        .expect("the binary starts");
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let lines = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = mpsc::channel();
    {
        let lines = lines.clone();
        std::thread::spawn(move || {
            let Some(stdout) = stdout else { return };
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.trim().strip_prefix("Gatehouse listening on ") {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(url.to_string());
                    }
                }
                lines.lock().unwrap().push(line);
            }
        });
    }
    let errors = Arc::new(Mutex::new(String::new()));
    {
        let errors = errors.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut stderr) = stderr {
                let _ = stderr.read_to_string(&mut text);
            }
            errors.lock().unwrap().push_str(&text);
        });
    }
    match rx.recv_timeout(START_WITHIN) {
        Ok(url) => Server {
            child,
            url,
            stdout: lines,
        },
        Err(_) => {
            common::binary::kill(&mut child);
            std::thread::sleep(Duration::from_millis(200));
            panic!(
                "the server did not start listening; stderr:\n{}",
                errors.lock().unwrap()
            );
        }
    }
}

/// Runs the binary expecting it to refuse to start: its standard error.
fn refused(args: &[String], env: &[(&str, String)]) -> String {
    let child = command(args, env).spawn().expect("the binary starts");
    let (done, wait) = mpsc::channel();
    let pid = child.id();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    let Ok(output) = wait.recv_timeout(START_WITHIN) else {
        // SAFETY: kill(2) on the child this test started, not reaped yet (its waiter is blocked).
        unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
        panic!("the server should have refused to start, but it kept running");
    };
    let output = output.expect("the binary's output");
    assert!(
        !output.status.success(),
        "the server should have refused to start"
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn args(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn path(p: &Path) -> String {
    p.to_str().expect("temporary paths are UTF-8").to_string()
}

/// A loopback port nobody listens on right now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

async fn sign_in(http: &reqwest::Client, base: &str) -> reqwest::Response {
    http.post(format!("{base}/internal/security/login"))
        .header("kbn-xsrf", "true")
        .header("x-elastic-internal-origin", "Kibana")
        .json(
            &json!({"providerType": "basic", "providerName": "basic", "currentURL": "/",
                      "params": {"username": "alice", "password": PASSWORD}}),
        )
        .send()
        .await
        .expect("login answers")
}

/// The server on a loopback port with its database `g.db` in `dir`, and `more` flags.
fn start_in(dir: &Path, more: &[&str], env: &[(&str, String)]) -> Server {
    let db = path(&dir.join("g.db"));
    let mut flags = vec!["--addr", "127.0.0.1:0", "--db", &db];
    flags.extend_from_slice(more);
    start(&args(&flags), env)
}

#[tokio::test]
async fn sigterm_stops_it_gracefully_as_ctrl_c_does() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start_in(dir.path(), &[], &[]);
    let status = reqwest::get(format!("{}/api/status", server.url))
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::OK);
    // SAFETY: kill(2) on the child this test started and has not reaped.
    unsafe { libc::kill(server.child.id() as libc::pid_t, libc::SIGTERM) };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running 10 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // Killed by the signal, it would have no exit code; shut down, it exits 0.
    assert_eq!(exit.code(), Some(0), "{exit:?}");
    let logged = server.stdout.lock().unwrap().join("\n");
    assert!(logged.contains("shutting down"), "{logged}");
}

fn set_cookie(response: &reqwest::Response) -> String {
    response.headers()["set-cookie"]
        .to_str()
        .expect("cookie is text")
        .to_string()
}

/// `/api/status` as a caller sending `cookie` sees it.
async fn status_with_cookie(http: &reqwest::Client, base: &str, cookie: &str) -> Value {
    let answer = http
        .get(format!("{base}/api/status"))
        .header("cookie", cookie)
        .send()
        .await;
    answer.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn status_answers_without_a_session_and_shows_the_version_only_when_signed_in() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_in(dir.path(), &[], &[]);
    let http = reqwest::Client::new();
    let anonymous = http
        .get(format!("{}/api/status", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::OK);
    assert!(
        !anonymous
            .headers()
            .contains_key("strict-transport-security"),
        "no HSTS over plain HTTP"
    );
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(body["status"]["overall"]["level"], "available");
    assert!(body["status"]["overall"]["summary"].is_string());
    assert!(body.get("version").is_none(), "{body}");
    assert!(body["status"].get("core").is_none(), "{body}");

    let login = sign_in(&http, &server.url).await;
    assert_eq!(login.status(), StatusCode::OK);
    let cookie = set_cookie(&login);
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP keeps the cookie usable: {cookie}"
    );
    let signed_in = status_with_cookie(&http, &server.url, cookie.split(';').next().unwrap()).await;
    assert_eq!(signed_in["version"]["number"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        signed_in["status"]["core"]["database"]["level"],
        "available"
    );

    // A burst of anonymous polls: every one answered from the shared check (docs/status.md).
    // Under the per-client connection cap (128), which is another test's subject.
    const BURST: usize = 100;
    let polls = (0..BURST).map(|_| {
        let http = http.clone();
        let url = format!("{}/api/status", server.url);
        tokio::spawn(async move { http.get(url).send().await.map(|r| r.status()) })
    });
    let mut available = 0;
    for poll in polls.collect::<Vec<_>>() {
        if matches!(poll.await, Ok(Ok(StatusCode::OK))) {
            available += 1;
        }
    }
    assert_eq!(available, BURST);
    println!("# /api/status burst: {BURST} concurrent anonymous polls, {available} answered 200");

    let not_a_session = status_with_cookie(&http, &server.url, "sid=0123").await;
    assert!(not_a_session.get("version").is_none(), "{not_a_session}");
}

#[tokio::test]
async fn settings_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let db = dir.path().join("from-env.db");
    let server = start(
        &[],
        &[
            ("GATEHOUSE_ADDR", format!("127.0.0.1:{port}")),
            ("GATEHOUSE_DB", path(&db)),
        ],
    );
    assert_eq!(server.url, format!("http://127.0.0.1:{port}"));
    assert!(db.exists(), "the database named by GATEHOUSE_DB");
    let status = reqwest::get(format!("{}/api/status", server.url))
        .await
        .unwrap();
    assert_eq!(status.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_file_sets_what_neither_a_flag_nor_the_environment_set() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gatehouse.toml");
    let in_file = dir.path().join("from-file.db");
    std::fs::write(
        &config,
        format!("addr = \"127.0.0.1:0\"\ndb = {:?}\n", path(&in_file)),
    )
    .unwrap();
    let config = path(&config);

    let from_file = start(&args(&["--config", &config]), &[]);
    assert!(from_file.url.starts_with("http://127.0.0.1:"));
    assert!(in_file.exists(), "the file's database");
    drop(from_file);

    let from_env = dir.path().join("from-env.db");
    let by_flag = dir.path().join("by-flag.db");
    let overridden = start(
        &args(&["--config", &config, "--db", &path(&by_flag)]),
        &[("GATEHOUSE_DB", path(&from_env))],
    );
    assert!(
        by_flag.exists(),
        "the flag wins over the environment and the file"
    );
    assert!(!from_env.exists());
    drop(overridden);

    let _env_over_file = start(
        &[],
        &[
            ("GATEHOUSE_CONFIG", config.clone()),
            ("GATEHOUSE_DB", path(&from_env)),
        ],
    );
    assert!(from_env.exists(), "the environment wins over the file");
}

#[test]
fn an_unknown_key_in_the_file_refuses_to_start_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gatehouse.toml");
    std::fs::write(&config, "adress = \"0.0.0.0:5601\"\n").unwrap();
    let db = dir.path().join("g.db");
    let stderr = refused(
        &args(&["--config", &path(&config), "--db", &path(&db)]),
        &[],
    );
    assert!(stderr.contains("unknown setting `adress`"), "{stderr}");
    assert!(!db.exists(), "nothing was started");
}

/// A self-signed certificate for 127.0.0.1 and localhost, written as PEM files; its PEM too.
fn certificate(dir: &Path) -> (String, String, String) {
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .expect("a self-signed certificate");
    let cert_file = dir.join("cert.pem");
    let key_file = dir.join("key.pem");
    std::fs::write(&cert_file, cert.pem()).unwrap();
    std::fs::write(&key_file, signing_key.serialize_pem()).unwrap();
    (path(&cert_file), path(&key_file), cert.pem())
}

/// The server on HTTPS with a certificate made for it in `dir`, and that certificate (PEM).
fn start_https(dir: &Path, more: &[&str]) -> (Server, String) {
    let (cert, key, pem) = certificate(dir);
    let mut flags = vec!["--tls-cert", &cert, "--tls-key", &key];
    flags.extend_from_slice(more);
    (start_in(dir, &flags, &[]), pem)
}

#[tokio::test]
async fn https_with_a_generated_certificate_signs_in_with_a_secure_cookie_and_hsts() {
    let dir = tempfile::tempdir().unwrap();
    let (server, pem) = start_https(dir.path(), &[]);
    assert!(
        server.url.starts_with("https://127.0.0.1:"),
        "{}",
        server.url
    );
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .https_only(true)
        .build()
        .unwrap();
    let login = sign_in(&http, &server.url).await;
    assert_eq!(login.status(), StatusCode::OK);
    assert_eq!(
        login.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    let cookie = set_cookie(&login);
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");

    // A plain-HTTP request to the HTTPS port gets no answer it could use.
    let plain = reqwest::get(server.url.replacen("https://", "http://", 1) + "/api/status").await;
    assert!(
        plain.map_or(true, |r| !r.status().is_success()),
        "plain HTTP is not served on the HTTPS port"
    );
}

#[test]
fn a_tls_handshake_that_never_comes_is_cut_off_like_a_slow_request_head() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = start_https(dir.path(), &["--header-timeout-secs", "1"]);
    let addr = server.url.trim_start_matches("https://");
    let mut silent = TcpStream::connect(addr).unwrap();
    // Far longer than the header timeout: the server closes first, or this read times out.
    silent
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut buffer = [0u8; 64];
    let started = std::time::Instant::now();
    let closed = match silent.read(&mut buffer) {
        Ok(0) => true,
        Ok(_) => false,
        Err(error) => error.kind() == std::io::ErrorKind::ConnectionReset,
    };
    assert!(
        closed,
        "the server let a client hold a socket without a handshake"
    );
    println!(
        "# slow TLS handshake: a silent client's socket closed after {:.1} s (header timeout 1 s)",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn a_missing_or_wrong_certificate_file_refuses_to_start_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, _) = certificate(dir.path());
    let db = path(&dir.path().join("g.db"));
    let missing = path(&dir.path().join("no-such-cert.pem"));
    // (certificate file, key file, the file the refusal names, what it says of it)
    for (cert_file, key_file, named, says) in [
        (&missing, &key, &missing, ""),
        (&key, &key, &key, "no certificate"),
        (&cert, &cert, &cert, "no usable private key"),
    ] {
        let stderr = refused(
            &args(&["--db", &db, "--tls-cert", cert_file, "--tls-key", key_file]),
            &[],
        );
        assert!(
            stderr.contains(named.as_str()) && stderr.contains(says),
            "{stderr}"
        );
    }
    assert!(!Path::new(&db).exists(), "nothing was opened");
}

#[tokio::test]
async fn behind_a_tls_proxy_the_public_url_makes_the_cookie_secure() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_in(
        dir.path(),
        &[],
        &[(
            "GATEHOUSE_PUBLIC_URL",
            "https://gatehouse.example.com".to_string(),
        )],
    );
    let login = sign_in(&reqwest::Client::new(), &server.url).await;
    assert_eq!(login.status(), StatusCode::OK);
    assert!(set_cookie(&login).contains("; Secure"));
    assert_eq!(
        login.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

#[tokio::test]
async fn json_logs_are_one_object_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_in(
        dir.path(),
        &["--log-format", "json"],
        &[("RUST_LOG", "info".to_string())],
    );
    let lines = server.stdout.lock().unwrap().clone();
    let events: Vec<Value> = lines
        .iter()
        .filter(|line| !line.starts_with("Gatehouse listening on "))
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    assert!(
        events
            .iter()
            .any(|e| e["fields"]["message"] == "gatehouse listening" && e["level"] == "INFO"),
        "{lines:?}"
    );
}
