//! Kibana's request rules (docs/headers-and-errors.md) as one middleware, the space prefix, and the JSON body
//! extractors whose rejections answer in the route's error shape.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gatehouse_api::dashboards::DASHBOARDS_PATH;
use gatehouse_api::headers::{self, strip_space_prefix};
use gatehouse_api::leads::LEADS_BASE;
use gatehouse_api::saved_objects::{IMPORT_PATH, MAX_IMPORT_BYTES, RESOLVE_IMPORT_ERRORS_PATH};
use serde::de::DeserializeOwned;

use crate::platform::error::{AppError, AppResult, ErrorShape};

/// Largest request body accepted (1 MiB); larger ones get 413.
pub const BODY_LIMIT: usize = 1024 * 1024;
pub const DEFAULT_SPACE: &str = "default";

/// The space a request is scoped to: the `/s/{id}` prefix, or `default`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Space(pub String);

impl Space {
    pub fn id(&self) -> &str {
        &self.0
    }
}

/// `/api/dashboards` and below: public routes versioned `2023-10-31`.
pub fn is_dashboards_path(path: &str) -> bool {
    path == DASHBOARDS_PATH
        || path
            .strip_prefix(DASHBOARDS_PATH)
            .is_some_and(|rest| rest.starts_with('/'))
}

pub fn is_leads_path(path: &str) -> bool {
    path == LEADS_BASE
        || path
            .strip_prefix(LEADS_BASE)
            .is_some_and(|rest| rest.starts_with('/'))
}

impl ErrorShape {
    /// Leads routes (Security Solution) answer in the siem shape; everything else in Boom.
    pub fn for_path(path: &str) -> ErrorShape {
        if is_leads_path(path) {
            ErrorShape::Siem
        } else {
            ErrorShape::Boom
        }
    }
}

fn bad_request(message: impl Into<String>) -> Response {
    AppError::boom(StatusCode::BAD_REQUEST, message).into_response()
}

fn has_header(headers: &HeaderMap, name: &str) -> bool {
    headers.get(name).is_some_and(|v| !v.as_bytes().is_empty())
}

/// Strips `/s/{space}` (recording the space), then applies Kibana's header rules:
/// body size, `kbn-xsrf` on writes, `x-elastic-internal-origin` on `/internal/*`,
/// `elastic-api-version` on versioned internal routes (all leads routes).
pub async fn request_rules(mut req: Request, next: Next) -> Response {
    let (bare, space) = {
        let (bare, space) = strip_space_prefix(req.uri().path());
        (bare.to_string(), space.unwrap_or(DEFAULT_SPACE).to_string())
    };
    if bare != req.uri().path() {
        let path_and_query = match req.uri().query() {
            Some(q) => format!("{bare}?{q}"),
            None => bare.clone(),
        };
        let mut parts = req.uri().clone().into_parts();
        parts.path_and_query = path_and_query.parse().ok();
        match Uri::from_parts(parts) {
            Ok(uri) => *req.uri_mut() = uri,
            Err(_) => return bad_request("Invalid request URI"),
        }
    }
    req.extensions_mut().insert(Space(space));

    let method = req.method().clone();
    let required = headers::required_headers(method.as_str(), &bare);
    let request_headers = req.headers();

    let declared_length = request_headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let limit = body_limit(&bare);
    if declared_length.is_some_and(|len| len > limit as u64) {
        return payload_too_large_over(ErrorShape::for_path(&bare), limit).into_response();
    }
    if required.xsrf
        && !has_header(request_headers, headers::KBN_XSRF)
        && !has_header(request_headers, "kbn-version")
    {
        return bad_request("Request must contain a kbn-xsrf header.");
    }
    if required.internal_origin && !has_header(request_headers, headers::INTERNAL_ORIGIN) {
        let shown = match req.uri().query() {
            Some(q) => format!("{bare}?{q}"),
            None => bare.clone(),
        };
        return bad_request(format!(
            "uri [{shown}] with method [{}] exists but is not available with the current configuration",
            method.as_str().to_ascii_lowercase()
        ));
    }
    if is_leads_path(&bare) {
        match request_headers
            .get(headers::API_VERSION)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
        {
            None | Some("") => {
                return bad_request(format!(
                    "Please specify a version via {} header. Available versions: [{}]",
                    headers::API_VERSION,
                    headers::INTERNAL_API_VERSION
                ))
            }
            Some(headers::INTERNAL_API_VERSION) => {}
            Some(other) => {
                return bad_request(format!(
                    "Invalid version. Received \"{other}\", expected one of [{}]",
                    headers::INTERNAL_API_VERSION
                ))
            }
        }
    }
    let public_versioned = is_dashboards_path(&bare);
    if public_versioned {
        // Public routes default to their oldest version when the header is absent.
        match request_headers
            .get(headers::API_VERSION)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
        {
            None | Some("") | Some(headers::PUBLIC_API_VERSION) => {}
            Some(other) => {
                return bad_request(format!(
                    "Invalid version. Received \"{other}\", expected one of [{}]",
                    headers::PUBLIC_API_VERSION
                ))
            }
        }
    }
    // Bodies are read here, once, up to the limit: a chunked body with no Content-Length gets the
    // same 413 as a declared one, in the route's shape, whether or not the route reads its body.
    let req = if http_body::Body::size_hint(req.body()).exact() == Some(0) {
        req
    } else {
        let (parts, body) = req.into_parts();
        match axum::body::to_bytes(body, limit).await {
            Ok(bytes) => Request::from_parts(parts, Body::from(bytes)),
            Err(e) if is_length_limit(&e) => {
                return payload_too_large_over(ErrorShape::for_path(&bare), limit).into_response()
            }
            Err(_) => return bad_request("The request body could not be read."),
        }
    };
    let mut response = next.run(req).await;
    if public_versioned {
        response.headers_mut().insert(
            headers::API_VERSION,
            HeaderValue::from_static(headers::PUBLIC_API_VERSION),
        );
    }
    response
}

/// Whether reading a body failed because it was over the limit (not because the client went away).
fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

/// The pairs of a query string, each key at most once (a repeated key → 400 in `shape`).
pub fn unique_query_pairs(
    raw: Option<&str>,
    shape: ErrorShape,
) -> AppResult<Vec<(String, String)>> {
    let mut seen = std::collections::HashSet::new();
    let mut pairs = Vec::new();
    for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        if !seen.insert(key.to_string()) {
            return Err(AppError::shaped(
                shape,
                StatusCode::BAD_REQUEST,
                format!("[request query]: {key}: Expected a single value, received an array"),
            ));
        }
        pairs.push((key.into_owned(), value.into_owned()));
    }
    Ok(pairs)
}

/// An integer query parameter in `min..=max`, with the validation messages Kibana's routes use.
pub fn parse_query_number(
    shape: ErrorShape,
    name: &str,
    raw: &str,
    min: u32,
    max: u32,
) -> AppResult<u32> {
    let bad = |message: String| AppError::shaped(shape, StatusCode::BAD_REQUEST, message);
    let value: f64 = raw
        .trim()
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| {
            bad(format!(
                "[request query]: {name}: Expected number, received nan"
            ))
        })?;
    if value.fract() != 0.0 {
        return Err(bad(format!(
            "[request query]: {name}: Expected integer, received float"
        )));
    }
    if value < f64::from(min) {
        return Err(bad(format!(
            "[request query]: {name}: Number must be greater than or equal to {min}"
        )));
    }
    if value > f64::from(max) {
        return Err(bad(format!(
            "[request query]: {name}: Number must be less than or equal to {max}"
        )));
    }
    Ok(value as u32)
}

pub fn payload_too_large(shape: ErrorShape) -> AppError {
    payload_too_large_over(shape, BODY_LIMIT)
}

/// Kibana's 413 for a body over `limit` bytes.
pub fn payload_too_large_over(shape: ErrorShape, limit: usize) -> AppError {
    AppError::shaped(
        shape,
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("Payload content length greater than maximum allowed: {limit}"),
    )
}

/// The largest body a route takes: [`BODY_LIMIT`], but an import file may be as large as
/// Kibana's `savedObjects.maxImportPayloadBytes` (docs/saved-objects.md, "Sizes").
pub fn body_limit(path: &str) -> usize {
    if path == IMPORT_PATH || path == RESOLVE_IMPORT_ERRORS_PATH {
        MAX_IMPORT_BYTES
    } else {
        BODY_LIMIT
    }
}

fn is_json_content_type(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

async fn read_body(req: Request, shape: ErrorShape) -> Result<(HeaderMap, Bytes), AppError> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| payload_too_large(shape))?;
    Ok((parts.headers, bytes))
}

pub(crate) fn parse<T: DeserializeOwned>(
    headers: &HeaderMap,
    bytes: &[u8],
    shape: ErrorShape,
) -> Result<T, AppError> {
    if !is_json_content_type(headers) {
        return Err(AppError::shaped(
            shape,
            StatusCode::BAD_REQUEST,
            "[request body]: expected a JSON body with Content-Type: application/json",
        ));
    }
    // serde_json skips the contents of ignored fields without checking their UTF-8.
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(AppError::shaped(
            shape,
            StatusCode::BAD_REQUEST,
            format!("[request body]: invalid UTF-8 at byte {}", e.valid_up_to()),
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        AppError::shaped(
            shape,
            StatusCode::BAD_REQUEST,
            format!("[request body]: {e}"),
        )
    })
}

/// A JSON body: wrong content type or malformed JSON → 400, over 1 MiB → 413, in the route's shape.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request<Body>, _state: &S) -> Result<Self, Self::Rejection> {
        let shape = ErrorShape::for_path(req.uri().path());
        let (headers, bytes) = read_body(req, shape).await?;
        parse(&headers, &bytes, shape).map(JsonBody)
    }
}

/// A JSON body read but not yet parsed: the route authorizes first, then calls
/// [`UnparsedJson::parse`], so a caller who may not write gets the refusal, not a parsing error,
/// and no work is done on their input (ARCHITECTURE.md, "One concept, one place").
pub struct UnparsedJson<T> {
    headers: HeaderMap,
    bytes: Bytes,
    shape: ErrorShape,
    target: std::marker::PhantomData<fn() -> T>,
}

impl<T> UnparsedJson<T> {
    /// The body as received, for a route that explains a parsing error more closely.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }
}

impl<T: DeserializeOwned> UnparsedJson<T> {
    /// The body as [`JsonBody`] would have parsed it, with the same errors.
    pub fn parse(self) -> Result<T, AppError> {
        parse(&self.headers, &self.bytes, self.shape)
    }
}

impl<T: DeserializeOwned + Default> UnparsedJson<T> {
    /// The body as [`JsonOrDefault`] would have parsed it: an empty body means `T::default()`.
    pub fn parse_or_default(self) -> Result<T, AppError> {
        if self.bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(T::default());
        }
        self.parse()
    }
}

impl<S: Send + Sync, T> FromRequest<S> for UnparsedJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request<Body>, _state: &S) -> Result<Self, Self::Rejection> {
        let shape = ErrorShape::for_path(req.uri().path());
        let (headers, bytes) = read_body(req, shape).await?;
        Ok(UnparsedJson {
            headers,
            bytes,
            shape,
            target: std::marker::PhantomData,
        })
    }
}

/// Like [`JsonBody`], but an empty body means `T::default()`.
pub struct JsonOrDefault<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for JsonOrDefault<T> {
    type Rejection = AppError;

    async fn from_request(req: Request<Body>, _state: &S) -> Result<Self, Self::Rejection> {
        let shape = ErrorShape::for_path(req.uri().path());
        let (headers, bytes) = read_body(req, shape).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonOrDefault(T::default()));
        }
        parse(&headers, &bytes, shape).map(JsonOrDefault)
    }
}

/// The method and path with query of a request, as Kibana's denial messages quote them.
pub fn method_and_path(method: &Method, uri: &Uri) -> (String, String) {
    let path = uri
        .path_and_query()
        .map(|pq| pq.as_str().to_string())
        .unwrap_or_else(|| uri.path().to_string());
    (method.as_str().to_string(), path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leads_paths_are_recognised() {
        assert!(is_leads_path("/internal/entity_analytics/leads"));
        assert!(is_leads_path("/internal/entity_analytics/leads/status"));
        assert!(!is_leads_path("/internal/entity_analytics/leadsx"));
        assert_eq!(
            ErrorShape::for_path("/internal/security/me"),
            ErrorShape::Boom
        );
    }

    #[test]
    fn json_content_types() {
        let mut h = HeaderMap::new();
        assert!(!is_json_content_type(&h));
        h.insert(
            header::CONTENT_TYPE,
            "application/json; charset=utf-8".parse().unwrap(),
        );
        assert!(is_json_content_type(&h));
        h.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert!(!is_json_content_type(&h));
    }
}
