//! How requests reach the network. The browser transport uses `fetch` with a time limit; tests
//! swap in a transport that answers with the contract's canned responses.

use std::borrow::Cow;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use gatehouse_api::ApiError;
use gloo_net::http::{Request, RequestBuilder};
use web_sys::{AbortController, RequestCredentials};

use super::Method;

/// Requests that get no answer within this time are aborted with a message that says so.
pub const REQUEST_TIMEOUT_SECONDS: u32 = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    pub path: String,
    /// Values are mostly fixed texts; the run-as header carries a username (the "View as" user).
    pub headers: Vec<(&'static str, Cow<'static, str>)>,
    pub body: Option<String>,
    /// A multipart form sent instead of `body` (an import's file): the browser transport builds
    /// the `FormData`, so the browser writes the boundary and the content type.
    pub form: Option<Vec<FormField>>,
}

/// One part of a multipart form: text, or a file when `file_name` is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    pub name: &'static str,
    pub file_name: Option<String>,
    pub text: String,
}

impl HttpRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_ref())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
    /// The real status of a request sent through the Dev Tools console proxy
    /// (`x-console-proxy-status-code`); the proxy itself always answers 200.
    pub console_status: Option<u16>,
}

pub type ResponseFuture = Pin<Box<dyn Future<Output = Result<HttpResponse, ApiError>>>>;
pub type Transport = Rc<dyn Fn(HttpRequest) -> ResponseFuture>;

pub fn browser_transport() -> Transport {
    Rc::new(|request: HttpRequest| Box::pin(browser_fetch(request)))
}

async fn browser_fetch(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    let controller =
        AbortController::new().map_err(|_| ApiError::network("cannot start a request"))?;
    let timed_out = Rc::new(Cell::new(false));
    let _deadline = {
        let controller = controller.clone();
        let timed_out = timed_out.clone();
        gloo_timers::callback::Timeout::new(REQUEST_TIMEOUT_SECONDS * 1000, move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    let signal = controller.signal();
    let mut builder = match request.method {
        Method::Get => RequestBuilder::new(&request.path),
        Method::Post => Request::post(&request.path),
        Method::Put => Request::put(&request.path),
        Method::Delete => Request::delete(&request.path),
    }
    .credentials(RequestCredentials::SameOrigin)
    .abort_signal(Some(&signal));
    for (name, value) in &request.headers {
        builder = builder.header(name, value.as_ref());
    }
    let sent = match (request.form, request.body) {
        (Some(fields), _) => match form_data(&fields).map(|form| builder.body(form)) {
            Ok(Ok(request)) => request.send().await,
            Ok(Err(err)) => return Err(ApiError::network(err.to_string())),
            Err(detail) => return Err(ApiError::network(detail)),
        },
        (None, Some(body)) => match builder.body(body) {
            Ok(request) => request.send().await,
            Err(err) => return Err(ApiError::network(err.to_string())),
        },
        (None, None) => builder.send().await,
    };
    let response = sent.map_err(|err| {
        if timed_out.get() {
            ApiError::timeout(REQUEST_TIMEOUT_SECONDS)
        } else {
            ApiError::network(network_detail(&err))
        }
    })?;
    let status = response.status();
    let content_type = response.headers().get("content-type");
    let console_status = response
        .headers()
        .get(gatehouse_api::admin::CONSOLE_STATUS_HEADER)
        .and_then(|value| value.trim().parse().ok());
    let body = response.text().await.map_err(|err| {
        if timed_out.get() {
            ApiError::timeout(REQUEST_TIMEOUT_SECONDS)
        } else {
            ApiError::network(format!(
                "the connection dropped while reading the answer: {}",
                network_detail(&err)
            ))
        }
    })?;
    Ok(HttpResponse {
        status,
        content_type,
        body,
        console_status,
    })
}

/// The browser's `FormData` for `fields`; a file part is a `Blob` of its text under its name.
fn form_data(fields: &[FormField]) -> Result<web_sys::FormData, String> {
    let cannot = |_| "cannot build the form to upload".to_string();
    let form = web_sys::FormData::new().map_err(cannot)?;
    for field in fields {
        match &field.file_name {
            Some(file_name) => {
                let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(&field.text));
                let blob = web_sys::Blob::new_with_str_sequence(&parts).map_err(cannot)?;
                form.append_with_blob_and_filename(field.name, &blob, file_name)
                    .map_err(cannot)?;
            }
            None => form
                .append_with_str(field.name, &field.text)
                .map_err(cannot)?,
        }
    }
    Ok(form)
}

/// Browsers only say "Failed to fetch"; keep it short and human.
fn network_detail(err: &gloo_net::Error) -> String {
    let text = err.to_string();
    if text.contains("Failed to fetch") || text.contains("NetworkError") {
        String::new()
    } else {
        text
    }
}
