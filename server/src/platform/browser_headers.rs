//! What every response tells the browser about itself (ARCHITECTURE.md, "Connections and browser
//! headers"): never sniff a content type, never show it in a frame, send our address only to
//! ourselves, and for pages a `Content-Security-Policy` that lets only our own files run.
//!
//! A page's policy names each inline script of that page by its SHA-256 hash: `index.html` has
//! one (the module that starts the wasm), and `trunk serve` rewrites it on every build, so the
//! hashes are taken from the page as it is sent. Everything else gets a policy that allows nothing
//! at all: a JSON answer or an SVG opened on its own runs no script.
//!
//! Served over HTTPS (our own certificate, or a proxy's with `--public-url https://…`), every
//! response also says `Strict-Transport-Security`: the browser then goes to HTTPS by itself for a
//! year, so a typed `http://` never reaches the network in clear. Never over plain HTTP, where
//! browsers ignore it and a later move back to HTTP would be blocked.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The policy of every response that is not a page of ours.
pub const NOTHING_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The policy for `page`: our own scripts, styles, images and API, `page`'s inline scripts by
/// hash, and WebAssembly compilation (`'wasm-unsafe-eval'`, not `'unsafe-eval'`: no JS `eval`).
/// Style *attributes* are allowed (`style-src-attr`): the SPA colours space avatars and draws
/// dashboard bars with them, and the leads first paint (`leads/first_paint.rs`) carries them; a
/// style attribute cannot run script or load anything our `img-src` does not allow. `<style>`
/// elements stay refused.
pub fn page_policy(page: &str) -> String {
    let mut scripts = String::from("'self' 'wasm-unsafe-eval'");
    for script in inline_scripts(page) {
        let digest = Sha256::digest(script.as_bytes());
        scripts.push_str(" 'sha256-");
        scripts.push_str(&base64::engine::general_purpose::STANDARD.encode(digest));
        scripts.push('\'');
    }
    format!(
        "default-src 'none'; script-src {scripts}; style-src 'self'; \
         style-src-attr 'unsafe-inline'; img-src 'self' data:; font-src 'self'; \
         connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The text of each `<script>` element without a `src` in `page`, exactly as the browser hashes
/// it (between `>` and `</script>`).
fn inline_scripts(page: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = page;
    while let Some(open) = find_ignore_case(rest, "<script") {
        let after_name = &rest[open + "<script".len()..];
        // `<scripts>` or `<script-x>` is another element.
        if !after_name.starts_with(|c: char| c == '>' || c.is_ascii_whitespace()) {
            rest = after_name;
            continue;
        }
        let Some(tag_end) = after_name.find('>') else {
            break;
        };
        let attributes = &after_name[..tag_end];
        let body = &after_name[tag_end + 1..];
        let Some(close) = find_ignore_case(body, "</script") else {
            break;
        };
        if !has_src(attributes) {
            found.push(&body[..close]);
        }
        rest = &body[close..];
    }
    found
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn has_src(attributes: &str) -> bool {
    attributes
        .split(|c: char| c.is_ascii_whitespace())
        .any(|a| {
            a.get(..4)
                .is_some_and(|name| name.eq_ignore_ascii_case("src="))
                || a.eq_ignore_ascii_case("src")
        })
}

/// One year, in seconds: the usual `max-age`, and the one browsers' preload lists ask for.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// How browsers reach the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transport {
    pub https: bool,
}

/// Adds the headers every response carries; a response without a policy of its own gets
/// [`NOTHING_POLICY`], except a 304, whose headers would replace the page's cached policy.
pub async fn every_response(
    State(transport): State<Transport>,
    req: Request,
    next: Next,
) -> Response {
    let mut response = next.run(req).await;
    let status = response.status();
    add_to(response.headers_mut(), status, transport);
    response
}

fn add_to(headers: &mut HeaderMap, status: StatusCode, transport: Transport) {
    if transport.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // `frame-ancestors` for browsers that read CSP, this for those that do not.
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if status != StatusCode::NOT_MODIFIED && !headers.contains_key(header::CONTENT_SECURITY_POLICY)
    {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(NOTHING_POLICY),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_and_loaded_ones_skipped() {
        let page = concat!(
            "<head><script type=\"module\">\nimport init from '/g/main.js';\n</script>",
            "<script src=\"/a.js\"></script><SCRIPT>b()</SCRIPT>",
            "<scripts>not one</scripts><script defer src=/c.js></script></head>"
        );
        assert_eq!(
            inline_scripts(page),
            vec!["\nimport init from '/g/main.js';\n", "b()"]
        );
        assert!(inline_scripts("<p>no scripts</p>").is_empty());
        assert!(inline_scripts("<script>never closed").is_empty());
    }

    #[test]
    fn a_page_policy_names_its_inline_script_by_the_hash_browsers_compute() {
        // `echo -n 'alert(1)' | openssl sha256 -binary | base64`
        let policy = page_policy("<script>alert(1)</script>");
        assert!(
            policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"),
            "{policy}"
        );
        for strict in [
            "frame-ancestors 'none'",
            "default-src 'none'",
            "base-uri 'none'",
        ] {
            assert!(policy.contains(strict), "{policy}");
        }
        assert!(!policy.contains("'unsafe-eval'"), "{policy}");
        assert!(!policy.contains("script-src 'unsafe-inline'"), "{policy}");
    }

    #[test]
    fn a_not_modified_answer_keeps_the_cached_policy() {
        let plain = Transport { https: false };
        let mut headers = HeaderMap::new();
        add_to(&mut headers, StatusCode::NOT_MODIFIED, plain);
        assert!(!headers.contains_key(header::CONTENT_SECURITY_POLICY));
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        let mut headers = HeaderMap::new();
        add_to(&mut headers, StatusCode::OK, plain);
        assert_eq!(headers[header::CONTENT_SECURITY_POLICY], NOTHING_POLICY);
    }

    #[test]
    fn strict_transport_security_is_sent_only_over_https() {
        let mut headers = HeaderMap::new();
        add_to(&mut headers, StatusCode::OK, Transport { https: false });
        assert!(!headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
        let mut headers = HeaderMap::new();
        add_to(
            &mut headers,
            StatusCode::NOT_FOUND,
            Transport { https: true },
        );
        assert_eq!(
            headers[header::STRICT_TRANSPORT_SECURITY],
            "max-age=31536000"
        );
    }
}
