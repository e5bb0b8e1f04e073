//! The built SPA: files from `dist_dir`, `index.html` for client routes, JSON 404 for API paths.

use std::convert::Infallible;
use std::path::Path;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::error::AppError;
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
pub async fn fallback(State(state): State<AppState>, req: Request) -> Response {
    let path = req.uri().path();
    if is_api_path(path) || !matches!(*req.method(), Method::GET | Method::HEAD) {
        return AppError::not_found().into_response();
    }
    let Some(files) = state.static_files.clone() else {
        return AppError::not_found().into_response();
    };
    let response: Result<_, Infallible> = files.oneshot(req).await;
    let Ok(response) = response;
    let mut response = response.map(Body::new);
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    response
}

/// A matched path with a method it does not support: Kibana answers 404.
pub async fn method_not_allowed() -> Response {
    AppError::not_found().into_response()
}
