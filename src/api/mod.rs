//! The one HTTP client of the SPA. Every call goes through [`ApiClient`], which adds Kibana's
//! headers, applies the time limit, and turns every answer into `Result<T, ApiError>`.

mod transport;

use gatehouse_api::headers::{
    API_VERSION, INTERNAL_API_VERSION, INTERNAL_ORIGIN, INTERNAL_ORIGIN_VALUE, KBN_XSRF,
};
use gatehouse_api::leads::{
    FindLeadsQuery, GenerateRequest, GenerateResponse, LeadsPage, LeadsPrivileges, LeadsStatus,
    SuccessResponse, LEADS_BASE,
};
use gatehouse_api::security::{
    AuthenticatedUser, Capabilities, CapabilitiesRequest, LoginRequest, LoginResponse,
    CAPABILITIES_PATH, LOGIN_PATH, LOGOUT_PATH, ME_PATH,
};
pub use gatehouse_api::ApiError;
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
pub use transport::{browser_transport, HttpRequest, HttpResponse, Transport};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// Copy-able handle on the transport; lives in context (see [`expect_api`]).
#[derive(Clone, Copy)]
pub struct ApiClient {
    transport: StoredValue<Transport, LocalStorage>,
    /// Called for every 401 outside the login call: the session is gone.
    on_unauthenticated: StoredValue<Option<Callback<()>>, LocalStorage>,
}

pub fn expect_api() -> ApiClient {
    expect_context::<ApiClient>()
}

impl ApiClient {
    pub fn new(transport: Transport) -> Self {
        Self {
            transport: StoredValue::new_local(transport),
            on_unauthenticated: StoredValue::new_local(None),
        }
    }

    pub fn set_on_unauthenticated(&self, callback: Callback<()>) {
        self.on_unauthenticated.set_value(Some(callback));
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        versioned: bool,
        body: Option<String>,
    ) -> Result<HttpResponse, ApiError> {
        let mut headers: Vec<(&'static str, &'static str)> = Vec::with_capacity(4);
        if method != Method::Get {
            headers.push((KBN_XSRF, "true"));
        }
        if path.starts_with("/internal/") {
            headers.push((INTERNAL_ORIGIN, INTERNAL_ORIGIN_VALUE));
        }
        if versioned {
            headers.push((API_VERSION, INTERNAL_API_VERSION));
        }
        if body.is_some() {
            headers.push(("content-type", "application/json"));
        }
        let request = HttpRequest {
            method,
            path: path.to_string(),
            headers,
            body,
        };
        let transport = self.transport.get_value();
        let response = transport(request).await?;
        if (200..300).contains(&response.status) {
            return Ok(response);
        }
        let error = ApiError::from_response(
            response.status,
            response.content_type.as_deref(),
            &response.body,
        );
        if error.is_unauthenticated() && path != LOGIN_PATH {
            if let Some(callback) = self.on_unauthenticated.get_value() {
                callback.run(());
            }
        }
        Err(error)
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        versioned: bool,
        body: Option<String>,
    ) -> Result<T, ApiError> {
        let response = self.send(method, path, versioned, body).await?;
        serde_json::from_str(&response.body).map_err(|err| {
            if response.body.trim().is_empty() {
                ApiError::invalid_body(response.status, "the body was empty")
            } else {
                ApiError::invalid_body(response.status, err)
            }
        })
    }

    fn json<B: Serialize>(body: &B) -> Result<String, ApiError> {
        serde_json::to_string(body).map_err(|err| ApiError::invalid_body(0, err))
    }

    pub async fn login(&self, request: &LoginRequest) -> Result<LoginResponse, ApiError> {
        self.call(Method::Post, LOGIN_PATH, false, Some(Self::json(request)?))
            .await
    }

    pub async fn logout(&self) -> Result<(), ApiError> {
        self.send(Method::Post, LOGOUT_PATH, false, None)
            .await
            .map(|_| ())
    }

    pub async fn me(&self) -> Result<AuthenticatedUser, ApiError> {
        self.call(Method::Get, ME_PATH, false, None).await
    }

    pub async fn capabilities(&self) -> Result<Capabilities, ApiError> {
        let body = CapabilitiesRequest {
            applications: vec![],
        };
        self.call(
            Method::Post,
            CAPABILITIES_PATH,
            false,
            Some(Self::json(&body)?),
        )
        .await
    }

    pub async fn leads_privileges(&self) -> Result<LeadsPrivileges, ApiError> {
        self.call(Method::Get, &format!("{LEADS_BASE}/privileges"), true, None)
            .await
    }

    pub async fn find_leads(&self, query: &FindLeadsQuery) -> Result<LeadsPage, ApiError> {
        let path = format!("{LEADS_BASE}?{}", query.to_query_string());
        self.call(Method::Get, &path, true, None).await
    }

    pub async fn leads_status(&self) -> Result<LeadsStatus, ApiError> {
        self.call(Method::Get, &format!("{LEADS_BASE}/status"), true, None)
            .await
    }

    pub async fn generate_leads(
        &self,
        request: &GenerateRequest,
    ) -> Result<GenerateResponse, ApiError> {
        let body = Self::json(request)?;
        self.call(
            Method::Post,
            &format!("{LEADS_BASE}/generate"),
            true,
            Some(body),
        )
        .await
    }

    pub async fn dismiss_lead(&self, id: &str) -> Result<SuccessResponse, ApiError> {
        let path = format!("{LEADS_BASE}/{}/_dismiss", encode_path_segment(id));
        self.call(Method::Post, &path, true, None).await
    }
}

/// Percent-encodes everything but unreserved characters, so an id can never change the route.
pub fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
