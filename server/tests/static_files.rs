//! The SPA's files as a browser gets them: never a file from outside `--dist` (symlinks and `..`
//! included), and the headers that keep a page ours (Content-Security-Policy with the page's
//! inline script by hash, no framing, no sniffing, same-origin referrers).

mod common;

use std::path::Path;

use common::TestServer;
use reqwest::{header, StatusCode};
use sha2::{Digest, Sha256};

const BOOTSTRAP: &str = "\n    import init from '/app/main.js';\n    await init();\n    ";
const SECRET: &str = "the server's own secret";

/// A dist folder inside `root/dist` with an inline-script `index.html`, plus a secret file and
/// folder next to it (outside), reached from inside only through symlinks.
fn dist_with_links(root: &Path) -> std::path::PathBuf {
    let dist = root.join("dist");
    std::fs::create_dir_all(dist.join("app")).unwrap();
    std::fs::write(
        dist.join("index.html"),
        format!("<!doctype html><html><head><script type=\"module\">{BOOTSTRAP}</script></head><body></body></html>"),
    )
    .unwrap();
    std::fs::write(dist.join("app/main.js"), "export default function () {}").unwrap();
    std::fs::write(root.join("secret.txt"), SECRET).unwrap();
    std::fs::create_dir_all(root.join("private")).unwrap();
    std::fs::write(root.join("private/key.js"), SECRET).unwrap();
    std::os::unix::fs::symlink(root.join("secret.txt"), dist.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(root.join("private"), dist.join("linked")).unwrap();
    std::os::unix::fs::symlink(root.join("secret.txt"), dist.join("app/main.js.br")).unwrap();
    // A link that stays inside is an ordinary file.
    std::os::unix::fs::symlink(dist.join("app/main.js"), dist.join("alias.js")).unwrap();
    dist
}

async fn start_with_links() -> (TestServer, tempfile::TempDir) {
    let outside = tempfile::tempdir().unwrap();
    let dist = dist_with_links(outside.path());
    let t = TestServer::start_with(|config| config.dist_dir = Some(dist)).await;
    (t, outside)
}

/// A plain GET of `path`, which must be answered (any status).
async fn get(t: &TestServer, path: &str) -> reqwest::Response {
    t.http.get(t.url(path)).send().await.expect("answer")
}

async fn text(t: &TestServer, path: &str, accept_encoding: &str) -> (StatusCode, String) {
    let response = t
        .http
        .get(t.url(path))
        .header(header::ACCEPT_ENCODING, accept_encoding)
        .send()
        .await
        .expect("answer");
    let status = response.status();
    (status, response.text().await.unwrap_or_default())
}

/// `GET path` written as is, the answer read until the server closes.
async fn raw_get(t: &TestServer, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = t.server.as_ref().expect("running").addr;
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn files_outside_the_dist_folder_are_never_served() {
    let (t, _outside) = start_with_links().await;
    for path in ["/leak.txt", "/linked/key.js"] {
        let (status, body) = text(&t, path, "identity").await;
        assert!(!body.contains(SECRET), "{path} sent the secret");
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    // HTTP clients resolve `..` before sending; an attacker's does not.
    for path in [
        "/../secret.txt",
        "/app/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/app/%2E%2E/%2e%2e/secret.txt",
    ] {
        let answer = raw_get(&t, path).await;
        assert!(!answer.contains(SECRET), "{path} sent the secret");
        assert!(answer.starts_with("HTTP/1.1 404"), "{path}: {answer}");
    }
    // A `.br` copy linked outside is not sent to a browser that accepts brotli either.
    let (status, body) = text(&t, "/app/main.js", "br").await;
    assert!(!body.contains(SECRET));
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The folder's own files, and a link that stays inside, are served.
    let (status, body) = text(&t, "/alias.js", "identity").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("export default"));
    let (status, _) = text(&t, "/app/leads", "identity").await;
    assert_eq!(status, StatusCode::OK, "a client route gets index.html");
}

#[tokio::test]
async fn the_page_allows_only_its_own_inline_script_and_is_never_framed() {
    let (t, outside) = start_with_links().await;
    let response = t.http.get(t.url("/app/leads")).send().await.expect("page");
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    use base64::Engine;
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(BOOTSTRAP));
    assert!(
        policy.contains(&format!("'sha256-{hash}'")),
        "the bootstrap script may run: {policy}"
    );
    for directive in [
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    let script_src = policy
        .split(';')
        .find(|d| d.trim_start().starts_with("script-src"))
        .expect("a script-src");
    assert!(!script_src.contains("unsafe-inline"), "{script_src}");
    assert!(!script_src.contains("'unsafe-eval'"), "{script_src}");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::REFERRER_POLICY], "same-origin");

    // `trunk serve` (cargo xtask dev) rewrites index.html while the server runs: the next page's
    // policy names the new script, not the one seen at start.
    let rebuilt = "import init from '/app/main-2.js'; await init();";
    let dist = outside.path().join("dist");
    std::fs::write(
        dist.join("index.html"),
        format!(
            "<html><head><script type=\"module\">{rebuilt}</script></head><body></body></html>"
        ),
    )
    .unwrap();
    let response = t.http.get(t.url("/app/leads")).send().await.expect("page");
    let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    let new_hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(rebuilt));
    assert!(policy.contains(&new_hash), "{policy}");
    assert!(
        !policy.contains(&hash),
        "the old script may no longer run: {policy}"
    );
}

#[tokio::test]
async fn api_answers_and_files_carry_the_same_headers_and_a_policy_allowing_nothing() {
    let (t, _outside) = start_with_links().await;
    let login = t.login_response("elastic", "wrong password").await;
    let api = get(&t, "/api/status").await;
    let file = get(&t, "/app/main.js").await;
    let missing = get(&t, "/internal/nothing/here").await;
    for (what, response) in [
        ("login refused", &login),
        ("api", &api),
        ("file", &file),
        ("404", &missing),
    ] {
        let headers = response.headers();
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{what}");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY", "{what}");
        assert_eq!(headers[header::REFERRER_POLICY], "same-origin", "{what}");
        let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(policy.starts_with("default-src 'none'"), "{what}: {policy}");
        assert!(!policy.contains("script-src"), "{what}: {policy}");
    }
}
