//! The built SPA: files from `dist_dir`, `index.html` for client routes, JSON 404 for API paths.

use std::convert::Infallible;
use std::path::Path;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::leads::first_paint;
use crate::platform::error::AppError;
use crate::AppState;

pub type StaticFiles = ServeDir<ServeFile>;

pub fn static_files(dist: &Path) -> StaticFiles {
    ServeDir::new(dist)
        .append_index_html_on_directories(true)
        .precompressed_gzip()
        .precompressed_br()
        .fallback(ServeFile::new(dist.join("index.html")))
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
    let response: Result<_, Infallible> = files.oneshot(req).await;
    let Ok(response) = response;
    let mut response = response.map(Body::new);
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        if let Some(first_paint) = first_paint.filter(|_| response.status() == StatusCode::OK) {
            return with_first_paint(response, &first_paint).await;
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

/// `index.html` with the page drawn in it; one user's page, so never kept by a cache. If
/// `index.html` cannot be read as text, the plain one is sent as it was.
async fn with_first_paint(response: Response, first_paint: &str) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = body.collect().await.map(|b| b.to_bytes()) else {
        return AppError::boom(
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not read index.html",
        )
        .into_response();
    };
    let page = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|index| first_paint::into_index(index, first_paint));
    let Some(page) = page else {
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
    Response::from_parts(parts, Body::from(page))
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
    use super::has_content_hash;

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
