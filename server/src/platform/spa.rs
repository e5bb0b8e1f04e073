//! The built SPA: files from `dist_dir`, `index.html` for client routes, JSON 404 for API paths.
//! Nothing is served from outside `dist_dir`: a path with `..` or one that resolves (through a
//! symlink) outside it is not found. Pages carry a `Content-Security-Policy` naming their inline
//! scripts (`browser_headers.rs`).

use std::convert::Infallible;
use std::path::{Component, Path, PathBuf};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::leads::first_paint;
use crate::platform::browser_headers;
use crate::platform::error::AppError;
use crate::AppState;

/// `index.html` is a few kilobytes; a page larger than this is not ours.
const PAGE_LIMIT: usize = 4 * 1024 * 1024;

/// The files of `dist_dir`.
#[derive(Clone)]
pub struct StaticFiles {
    serve: ServeDir<ServeFile>,
    root: PathBuf,
}

pub fn static_files(dist: &Path) -> StaticFiles {
    StaticFiles {
        serve: ServeDir::new(dist)
            .append_index_html_on_directories(true)
            .precompressed_gzip()
            .precompressed_br()
            .fallback(ServeFile::new(dist.join("index.html"))),
        root: dist.to_path_buf(),
    }
}

impl StaticFiles {
    /// Whether any file the static file service could open for `path` (the file, its `.br` and
    /// `.gz` copies, a directory's `index.html`, the fallback `index.html`) resolves outside the
    /// folder, through a symlink or `..`. `dist_dir` itself may be a symlink: it is resolved first
    /// (at each request: `trunk serve` makes it anew).
    async fn leads_outside(&self, path: &str) -> bool {
        let Some(relative) = relative_path(path) else {
            return true;
        };
        let Ok(root) = tokio::fs::canonicalize(&self.root).await else {
            // No folder yet: nothing can be served, nothing can escape.
            return false;
        };
        let file = root.join(relative);
        let candidates = [
            with_suffix(&file, ".br"),
            with_suffix(&file, ".gz"),
            file.join("index.html"),
            root.join("index.html"),
            file,
        ];
        for candidate in candidates {
            if let Ok(real) = tokio::fs::canonicalize(&candidate).await {
                if !real.starts_with(&root) {
                    tracing::warn!(path, "refused a static file outside the dist folder");
                    return true;
                }
            }
        }
        false
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The request path as a path relative to the folder, percent-decoded as the static file
/// service decodes it; `None` if it climbs out (`..`) or is not a plain relative path.
fn relative_path(path: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    let mut relative = PathBuf::new();
    for segment in decoded.split('/') {
        if segment.contains('\\') || segment.contains('\0') {
            return None;
        }
        match Path::new(segment).components().next() {
            None | Some(Component::CurDir) => {}
            Some(Component::Normal(name)) if name == segment => relative.push(name),
            Some(_) => return None,
        }
    }
    Some(relative)
}

fn is_api_path(path: &str) -> bool {
    ["/api", "/internal"]
        .iter()
        .any(|p| path == *p || path.strip_prefix(p).is_some_and(|r| r.starts_with('/')))
}

/// Every request no route matched.
pub async fn fallback(State(state): State<AppState>, mut req: Request) -> Response {
    let path = req.uri().path().to_string();
    if is_api_path(&path) || !matches!(*req.method(), Method::GET | Method::HEAD) {
        return AppError::not_found().into_response();
    }
    let Some(files) = state.static_files.clone() else {
        return AppError::not_found().into_response();
    };
    if files.leads_outside(&path).await {
        return AppError::not_found().into_response();
    }
    let first_paint = if first_paint::applies_to(req.method(), &path) {
        first_paint::leads_page(&state, &req).await
    } else {
        None
    };
    if first_paint.is_some() {
        // The page is made for this request: a 304 would bring back whatever was kept before.
        for conditional in [header::IF_MODIFIED_SINCE, header::IF_NONE_MATCH] {
            req.headers_mut().remove(conditional);
        }
    }
    let is_get = req.method() == Method::GET;
    let response: Result<_, Infallible> = files.serve.oneshot(req).await;
    let Ok(response) = response;
    let mut response = response.map(Body::new);
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        if is_get && response.status() == StatusCode::OK {
            return page(response, first_paint.as_deref()).await;
        }
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    } else if response.status().is_success() {
        let headers = response.headers_mut();
        // The same path answers brotli, gzip or plain bytes (precompressed copies).
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if has_content_hash(&path) {
            // A new build is a new name: a returning visit takes these from its cache without
            // asking, and the browser can keep its compiled wasm.
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
        }
    }
    response
}

/// A page (`index.html`) with its `Content-Security-Policy`, and with the leads page drawn in it
/// when `first_paint` is given: one user's page, so never kept by a cache. If `index.html`
/// cannot be read as text, the plain one is sent as it was, and its policy allows no inline
/// script.
async fn page(response: Response, first_paint: Option<&str>) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = http_body_util::Limited::new(body, PAGE_LIMIT)
        .collect()
        .await
        .map(|b| b.to_bytes())
    else {
        return AppError::boom(
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not read index.html",
        )
        .into_response();
    };
    // A precompressed page would be hashed compressed; none is made (`precompress.rs`).
    let text = std::str::from_utf8(&bytes)
        .ok()
        .filter(|_| !parts.headers.contains_key(header::CONTENT_ENCODING));
    let drawn =
        first_paint.and_then(|drawn| text.and_then(|index| first_paint::into_index(index, drawn)));
    let policy = browser_headers::page_policy(drawn.as_deref().or(text).unwrap_or(""));
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        parts
            .headers
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    let Some(drawn) = drawn else {
        parts
            .headers
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        return Response::from_parts(parts, Body::from(bytes));
    };
    for stale in [header::CONTENT_LENGTH, header::ETAG, header::LAST_MODIFIED] {
        parts.headers.remove(stale);
    }
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    parts
        .headers
        .insert(header::VARY, HeaderValue::from_static("cookie"));
    Response::from_parts(parts, Body::from(drawn))
}

/// Trunk's file names carry a 16-hex-digit content hash: `main-f5093c124a26cd9b.css`,
/// `gatehouse-bc1045699504721b_bg.wasm`; the release build (`cargo xtask test|bench`) puts the
/// wasm modules and their JS in a directory named after theirs: `gatehouse-bc1045699504721b/`.
fn has_content_hash(path: &str) -> bool {
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    let Some(name) = segments.next_back() else {
        return false;
    };
    segments.any(ends_with_hash) || name_has_hash(name)
}

fn is_hash(digits: &str) -> bool {
    digits.len() == 16
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A directory named `<stem>-<hash>`.
fn ends_with_hash(segment: &str) -> bool {
    segment
        .rsplit_once('-')
        .is_some_and(|(stem, hash)| !stem.is_empty() && is_hash(hash))
}

/// A file named `<stem>-<hash>.<ext>` or `<stem>-<hash>_<suffix>`.
fn name_has_hash(name: &str) -> bool {
    name.match_indices('-').any(|(at, _)| {
        let rest = &name[at + 1..];
        rest.len() > 16 && is_hash(&rest[..16]) && matches!(rest.as_bytes()[16], b'.' | b'_')
    })
}

/// A matched path with a method it does not support: Kibana answers 404.
pub async fn method_not_allowed() -> Response {
    AppError::not_found().into_response()
}

#[cfg(test)]
mod tests {
    use super::{has_content_hash, relative_path};
    use std::path::PathBuf;

    #[test]
    fn request_paths_that_climb_out_are_refused() {
        assert_eq!(relative_path("/a/b.js"), Some(PathBuf::from("a/b.js")));
        assert_eq!(relative_path("/"), Some(PathBuf::new()));
        assert_eq!(relative_path("/./a//b"), Some(PathBuf::from("a/b")));
        for climbing in [
            "/../etc/passwd",
            "/a/../../x",
            "/%2e%2e/x",
            "/a/%2E%2E/%2e%2e/x",
            "/a%5c..%5cx",
            "/%ff",
        ] {
            assert_eq!(relative_path(climbing), None, "{climbing}");
        }
    }

    #[test]
    fn trunk_file_names_and_module_directories_are_recognised_as_hashed() {
        for hashed in [
            "/gatehouse-bc1045699504721b_bg.wasm",
            "/gatehouse-bc1045699504721b.js",
            "/main-f5093c124a26cd9b.css",
            "/s/soc-emea/favicon-769db2d0b7b126a5.svg",
            "/gatehouse-bc1045699504721b/main_bg.wasm",
            "/gatehouse-bc1045699504721b/__wasm_split.js",
            "/gatehouse-bc1045699504721b/chunk_12.wasm",
        ] {
            assert!(has_content_hash(hashed), "{hashed}");
        }
        for plain in [
            "/index.html",
            "/app.js",
            "/bench-floor.html",
            "/react/main-Y2AY5U4S.js",
            "/main-f5093c124a26cd9.css",
            "/main-F5093C124A26CD9B.css",
            "/x-f5093c124a26cd9b",
            "/gatehouse-bc1045699504721/main.js",
            "/gatehouse-BC1045699504721B/main.js",
            "/-bc1045699504721b/main.js",
            "/react/chunk_12.wasm",
        ] {
            assert!(!has_content_hash(plain), "{plain}");
        }
    }
}
