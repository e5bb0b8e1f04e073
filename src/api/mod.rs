//! The one HTTP client of the SPA. Every call goes through [`ApiClient`], which adds Kibana's
//! headers, applies the time limit, and turns every answer into `Result<T, ApiError>`.

mod access;
mod audit;
mod leads;
mod panels;
mod role_check;
mod saved_objects;
mod search;
mod space_access;
mod spaces;
mod transport;

use std::borrow::Cow;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use gatehouse_api::dashboards::{
    AccessControlResult, BulkGetProfiles, ChangeAccessModeRequest, ChangeOwnerRequest,
    CreateDashboard, Dashboard, DashboardAccessMode, DashboardList, GlobalAccess, SavedObjectRef,
    SuggestProfiles, UpdateDashboard, BULK_GET_PROFILES_PATH, CHANGE_ACCESS_MODE_PATH,
    CHANGE_OWNER_PATH, DASHBOARDS_PATH, GLOBAL_ACCESS_PATH, SUGGEST_PROFILES_PATH,
};
use gatehouse_api::headers::{
    API_VERSION, INTERNAL_API_VERSION, INTERNAL_ORIGIN, INTERNAL_ORIGIN_VALUE, KBN_XSRF,
    PUBLIC_API_VERSION,
};
use gatehouse_api::last_space::PROFILE_DATA_PATH;
use gatehouse_api::leads::{
    FindLeadsQuery, GenerateRequest, GenerateResponse, LeadsAccess, LeadsPage, LeadsPrivileges,
    LeadsStatus, SuccessResponse, LEADS_BASE,
};
use gatehouse_api::run_as::RUN_AS_HEADER;
use gatehouse_api::security::{
    AuthenticatedUser, Capabilities, CapabilitiesRequest, LoginRequest, LoginResponse, UserProfile,
    CAPABILITIES_PATH, LOGIN_PATH, LOGOUT_PATH, ME_PATH, USER_PROFILE_PATH,
};
use gatehouse_api::view_as::MeAnswer;
pub use gatehouse_api::ApiError;
use leptos::prelude::*;
pub use saved_objects::ImportFile;
use serde::de::DeserializeOwned;
use serde::Serialize;
pub use transport::{browser_transport, FormField, HttpRequest, HttpResponse, Transport};

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
    early_reads: StoredValue<Vec<EarlyRead>, LocalStorage>,
    /// Counts sign-ins, sign-outs and lost sessions: a read planned from an answer of before one
    /// of them is not sent.
    session_changes: StoredValue<u32, LocalStorage>,
}

/// How long an early read's answer may stand in for a request: no older than the privilege
/// recheck lets any answer be (`app::PRIVILEGE_RECHECK`).
const EARLY_READ_MAX_AGE_MS: f64 = gatehouse_api::security::PRIVILEGE_RECHECK_MS as f64;

/// A read sent before anything asked for it (see [`ApiClient::read_early`]); the first request
/// with the same method, path, version and body takes its answer instead of asking again.
struct EarlyRead {
    method: Method,
    path: String,
    version: Option<&'static str>,
    body: Option<String>,
    sent_at_ms: f64,
    answer: EarlyAnswer,
}

type EarlyAnswer = Shared<LocalBoxFuture<'static, Result<HttpResponse, ApiError>>>;

pub fn expect_api() -> ApiClient {
    expect_context::<ApiClient>()
}

impl ApiClient {
    pub fn new(transport: Transport) -> Self {
        Self {
            transport: StoredValue::new_local(transport),
            on_unauthenticated: StoredValue::new_local(None),
            early_reads: StoredValue::new_local(Vec::new()),
            session_changes: StoredValue::new_local(0),
        }
    }

    /// Sends a read now whose answer a page about to render will ask for: on a page load the app
    /// knows the first page's reads, and sends them before it renders anything, side by side,
    /// instead of one after another (time to leads: BENCHMARKS.md section 3). Only reads, each answering one
    /// request, for a few seconds, and never across a sign-in, sign-out or lost session.
    fn read_early(
        &self,
        method: Method,
        path: &str,
        version: Option<&'static str>,
        body: Option<String>,
    ) {
        // The request is on its way and the answer kept: nothing here waits for it.
        drop(self.read_early_answer(method, path, version, body));
    }

    /// [`ApiClient::read_early`], with its answer for a caller that decides on it.
    fn read_early_answer(
        &self,
        method: Method,
        path: &str,
        version: Option<&'static str>,
        body: Option<String>,
    ) -> EarlyAnswer {
        let answer = match Self::carried(method, path, version, body.as_deref()) {
            Some(response) => futures::future::ready(Ok(response)).boxed_local().shared(),
            None => {
                let request = Self::request(method, path, version, body.clone());
                (self.transport.get_value())(request).shared()
            }
        };
        // Polled once here, so the request leaves now rather than after the first render.
        let _ = answer.clone().now_or_never();
        wasm_bindgen_futures::spawn_local(answer.clone().map(|_| ()));
        self.early_reads.update_value(|reads| {
            reads.push(EarlyRead {
                method,
                path: path.to_string(),
                version,
                body,
                sent_at_ms: js_sys::Date::now(),
                answer: answer.clone(),
            })
        });
        answer
    }

    fn take_early_read(
        &self,
        method: Method,
        path: &str,
        version: Option<&'static str>,
        body: Option<&str>,
    ) -> Option<EarlyAnswer> {
        self.early_reads
            .try_update_value(|reads| {
                // Most requests come after the page load's reads are gone: no clock to read.
                if reads.is_empty() {
                    return None;
                }
                let now = js_sys::Date::now();
                reads.retain(|read| now - read.sent_at_ms <= EARLY_READ_MAX_AGE_MS);
                let at = reads.iter().position(|read| {
                    read.method == method
                        && read.path == path
                        && read.version == version
                        && read.body.as_deref() == body
                })?;
                Some(reads.swap_remove(at).answer)
            })
            .flatten()
    }

    /// See [`ApiClient::read_early`]: who is signed in and what they may open, for the page load.
    pub fn read_session_early(&self) {
        self.read_early(Method::Get, ME_PATH, None, None);
        if let Ok(body) = Self::capabilities_body() {
            self.read_early(Method::Post, CAPABILITIES_PATH, None, Some(body));
        }
    }

    /// Drops the reads sent ahead and stops planned ones: they were asked as someone else.
    pub fn forget_early_reads(&self) {
        crate::first_paint::forget_carried_answers();
        self.early_reads.update_value(Vec::clear);
        self.session_changes
            .update_value(|changes| *changes = changes.wrapping_add(1));
    }

    /// The server's first paint's answer to a read, as if the server had just sent it
    /// (`crate::first_paint::take_carried_answer`). Only reads are carried, so no write matches.
    fn carried(
        method: Method,
        path: &str,
        version: Option<&str>,
        body: Option<&str>,
    ) -> Option<HttpResponse> {
        let body = crate::first_paint::take_carried_answer(method.as_str(), path, version, body)?;
        Some(HttpResponse {
            status: 200,
            content_type: Some("application/json".into()),
            body,
            console_status: None,
        })
    }

    pub fn set_on_unauthenticated(&self, callback: Callback<()>) {
        self.on_unauthenticated.set_value(Some(callback));
    }

    fn request(
        method: Method,
        path: &str,
        version: Option<&'static str>,
        body: Option<String>,
    ) -> HttpRequest {
        let mut headers: Vec<(&'static str, Cow<'static, str>)> = Vec::with_capacity(5);
        if method != Method::Get {
            headers.push((KBN_XSRF, Cow::Borrowed("true")));
        }
        if path.starts_with("/internal/") {
            headers.push((INTERNAL_ORIGIN, Cow::Borrowed(INTERNAL_ORIGIN_VALUE)));
        }
        if let Some(version) = version {
            headers.push((API_VERSION, Cow::Borrowed(version)));
        }
        if body.is_some() {
            headers.push(("content-type", Cow::Borrowed("application/json")));
        }
        // While the tab views as another user, every request runs as them (read-only there).
        // Signing in and out are the caller's own, never the viewed user's.
        let own = path == LOGIN_PATH || path == LOGOUT_PATH;
        if let Some(username) = crate::state::view_as::run_as_username().filter(|_| !own) {
            headers.push((RUN_AS_HEADER, Cow::Owned(username)));
        }
        // Every call made from a space carries its prefix (none in `default`).
        HttpRequest {
            method,
            path: format!("{}{path}", crate::state::space::current_prefix()),
            headers,
            body,
            form: None,
        }
    }

    /// Sends a multipart form (`fields`) with a JSON answer: [`Self::call`]'s error handling (a
    /// proxy's HTML, a 5xx, a dropped connection each become a clear [`ApiError`]), never sent
    /// early and never taken from an early read.
    async fn call_form<T: DeserializeOwned>(
        &self,
        path: &str,
        version: Option<&'static str>,
        fields: Vec<FormField>,
    ) -> Result<T, ApiError> {
        let mut request = Self::request(Method::Post, path, version, None);
        request.form = Some(fields);
        let response = (self.transport.get_value())(request).await?;
        let response = self.checked(path, response)?;
        Self::parse(response)
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        version: Option<&'static str>,
        body: Option<String>,
    ) -> Result<HttpResponse, ApiError> {
        // Only reads are ever sent early, so no write can match one.
        let early = self.take_early_read(method, path, version, body.as_deref());
        let response = match early {
            Some(answer) => answer.await?,
            None => match Self::carried(method, path, version, body.as_deref()) {
                Some(response) => response,
                None => {
                    let request = Self::request(method, path, version, body);
                    (self.transport.get_value())(request).await?
                }
            },
        };
        self.checked(path, response)
    }

    /// `response` when its status is a success; otherwise its error, after telling the app when
    /// the session is gone.
    fn checked(&self, path: &str, response: HttpResponse) -> Result<HttpResponse, ApiError> {
        if (200..300).contains(&response.status) {
            return Ok(response);
        }
        let error = ApiError::from_response(
            response.status,
            response.content_type.as_deref(),
            &response.body,
        );
        if error.is_unauthenticated() {
            self.forget_early_reads();
            if path != LOGIN_PATH {
                if let Some(callback) = self.on_unauthenticated.get_value() {
                    callback.run(());
                }
            }
        }
        Err(error)
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        version: Option<&'static str>,
        body: Option<String>,
    ) -> Result<T, ApiError> {
        let response = self.send(method, path, version, body).await?;
        Self::parse(response)
    }

    /// A success's JSON body; a body that is empty, cut short or not the expected JSON says so.
    fn parse<T: DeserializeOwned>(response: HttpResponse) -> Result<T, ApiError> {
        serde_json::from_str(&response.body).map_err(|err| {
            if response.body.trim().is_empty() {
                ApiError::invalid_body(response.status, "the body was empty")
            } else if err.is_eof() {
                // A proxy or a dropped connection cut the answer short.
                ApiError::invalid_body(response.status, "the response was cut off before its end")
            } else {
                ApiError::invalid_body(response.status, err)
            }
        })
    }

    /// [`Self::call`] with `body` sent as JSON.
    async fn call_json<T: DeserializeOwned, B: Serialize>(
        &self,
        method: Method,
        path: &str,
        version: Option<&'static str>,
        body: &B,
    ) -> Result<T, ApiError> {
        let body = Self::json(body)?;
        self.call(method, path, version, Some(body)).await
    }

    /// [`Self::send`] for writes whose answer carries nothing the caller reads.
    async fn send_only(
        &self,
        method: Method,
        path: &str,
        version: Option<&'static str>,
        body: Option<String>,
    ) -> Result<(), ApiError> {
        self.send(method, path, version, body).await.map(|_| ())
    }

    /// The text of a success that must be an ndjson file (an export, a download): an HTML page
    /// (a proxy's, a login portal's) or an empty body is the error `not_ndjson`, so nothing saves
    /// a file with the wrong contents.
    fn ndjson_text(response: HttpResponse, not_ndjson: &str) -> Result<String, ApiError> {
        let is_html = response
            .content_type
            .as_deref()
            .is_some_and(|kind| kind.starts_with("text/html"));
        let looks_like_html = response.body.trim_start().starts_with('<');
        if is_html || looks_like_html || response.body.trim().is_empty() {
            return Err(ApiError::invalid_body(response.status, not_ndjson));
        }
        Ok(response.body)
    }

    fn json<B: Serialize>(body: &B) -> Result<String, ApiError> {
        serde_json::to_string(body).map_err(|err| ApiError::invalid_body(0, err))
    }

    pub async fn login(&self, request: &LoginRequest) -> Result<LoginResponse, ApiError> {
        self.forget_early_reads();
        self.call_json(Method::Post, LOGIN_PATH, None, request)
            .await
    }

    pub async fn logout(&self) -> Result<(), ApiError> {
        self.forget_early_reads();
        self.send_only(Method::Post, LOGOUT_PATH, None, None).await
    }

    pub async fn me(&self) -> Result<AuthenticatedUser, ApiError> {
        self.me_with_run_by().await.map(|answer| answer.user)
    }

    /// `me` with the signed-in user behind a run-as request (`run_by`), for "View as".
    pub async fn me_with_run_by(&self) -> Result<MeAnswer, ApiError> {
        self.call(Method::Get, ME_PATH, None, None).await
    }

    fn capabilities_body() -> Result<String, ApiError> {
        Self::json(&CapabilitiesRequest {
            applications: vec![],
        })
    }

    pub async fn capabilities(&self) -> Result<Capabilities, ApiError> {
        let body = Self::capabilities_body()?;
        self.call(Method::Post, CAPABILITIES_PATH, None, Some(body))
            .await
    }

    /// The caller's own profile with the data kept under `key` (`?dataPath=`).
    pub async fn profile_data(&self, key: &str) -> Result<UserProfile, ApiError> {
        let path = format!(
            "{USER_PROFILE_PATH}?dataPath={}",
            js_sys::encode_uri_component(key)
        );
        self.call(Method::Get, &path, None, None).await
    }

    /// Merges `data` into the caller's own profile data.
    pub async fn update_profile_data(&self, data: &serde_json::Value) -> Result<(), ApiError> {
        let body = Self::json(data)?;
        self.send_only(Method::Post, PROFILE_DATA_PATH, None, Some(body))
            .await
    }

    pub async fn leads_privileges(&self) -> Result<LeadsPrivileges, ApiError> {
        self.call(
            Method::Get,
            &format!("{LEADS_BASE}/privileges"),
            LEADS,
            None,
        )
        .await
    }

    /// See [`ApiClient::read_early`]: for a page load straight into the leads section, the
    /// privileges now and, once they grant `read`, the section's first page of leads and the
    /// generation status, while the page is still rendering. Never before that answer: without
    /// `read` no leads request may leave.
    pub fn read_leads_early(&self) {
        let privileges = self.read_early_answer(
            Method::Get,
            &format!("{LEADS_BASE}/privileges"),
            LEADS,
            None,
        );
        let api = *self;
        let session = self.session_changes.get_value();
        wasm_bindgen_futures::spawn_local(async move {
            let Ok(answer) = privileges.await else {
                return;
            };
            let granted = (200..300).contains(&answer.status)
                && serde_json::from_str::<LeadsPrivileges>(&answer.body)
                    .is_ok_and(|p| LeadsAccess::from_privileges(&p).may_fetch());
            // Another user's privileges, if someone signed in or out meanwhile.
            let same_session = api.session_changes.try_get_value() == Some(session);
            if !granted || !same_session {
                return;
            }
            let first_page = FindLeadsQuery::default().to_query_string();
            api.read_early(
                Method::Get,
                &format!("{LEADS_BASE}?{first_page}"),
                LEADS,
                None,
            );
            api.read_early(Method::Get, &format!("{LEADS_BASE}/status"), LEADS, None);
        });
    }

    pub async fn find_leads(&self, query: &FindLeadsQuery) -> Result<LeadsPage, ApiError> {
        let path = format!("{LEADS_BASE}?{}", query.to_query_string());
        self.call(Method::Get, &path, LEADS, None).await
    }

    pub async fn leads_status(&self) -> Result<LeadsStatus, ApiError> {
        self.call(Method::Get, &format!("{LEADS_BASE}/status"), LEADS, None)
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
            LEADS,
            Some(body),
        )
        .await
    }

    pub async fn dismiss_lead(&self, id: &str) -> Result<SuccessResponse, ApiError> {
        let path = format!("{LEADS_BASE}/{}/_dismiss", encode_path_segment(id));
        self.call(Method::Post, &path, LEADS, None).await
    }
}

const LEADS: Option<&str> = Some(INTERNAL_API_VERSION);
const PUBLIC: Option<&str> = Some(PUBLIC_API_VERSION);

impl ApiClient {
    pub async fn list_dashboards(
        &self,
        search: &str,
        page: u32,
        per_page: u32,
    ) -> Result<DashboardList, ApiError> {
        let path = format!(
            "{DASHBOARDS_PATH}?search={}&page={page}&perPage={per_page}",
            js_sys::encode_uri_component(search)
        );
        self.call(Method::Get, &path, PUBLIC, None).await
    }

    pub async fn get_dashboard(&self, id: &str) -> Result<Dashboard, ApiError> {
        let path = format!("{DASHBOARDS_PATH}/{}", encode_path_segment(id));
        self.call(Method::Get, &path, PUBLIC, None).await
    }

    pub async fn create_dashboard(&self, body: &CreateDashboard) -> Result<Dashboard, ApiError> {
        self.call_json(Method::Post, DASHBOARDS_PATH, PUBLIC, body)
            .await
    }

    pub async fn update_dashboard(
        &self,
        id: &str,
        body: &UpdateDashboard,
    ) -> Result<Dashboard, ApiError> {
        let path = format!("{DASHBOARDS_PATH}/{}", encode_path_segment(id));
        self.call_json(Method::Put, &path, PUBLIC, body).await
    }

    pub async fn delete_dashboard(&self, id: &str) -> Result<(), ApiError> {
        let path = format!("{DASHBOARDS_PATH}/{}", encode_path_segment(id));
        self.send_only(Method::Delete, &path, PUBLIC, None).await
    }

    /// All-or-nothing: any per-object error fails the whole change.
    pub async fn change_access_mode(
        &self,
        id: &str,
        mode: DashboardAccessMode,
    ) -> Result<(), ApiError> {
        let body = ChangeAccessModeRequest {
            objects: vec![SavedObjectRef::dashboard(id)],
            access_mode: mode,
        };
        let result: AccessControlResult = self
            .call_json(Method::Post, CHANGE_ACCESS_MODE_PATH, None, &body)
            .await?;
        first_object_error(&result)
    }

    pub async fn change_owner(&self, id: &str, new_owner: &str) -> Result<(), ApiError> {
        let body = ChangeOwnerRequest {
            objects: vec![SavedObjectRef::dashboard(id)],
            new_owner_profile_uid: new_owner.to_string(),
        };
        let result: AccessControlResult = self
            .call_json(Method::Post, CHANGE_OWNER_PATH, None, &body)
            .await?;
        first_object_error(&result)
    }

    pub async fn dashboards_global_access(&self) -> Result<GlobalAccess, ApiError> {
        self.call(Method::Get, GLOBAL_ACCESS_PATH, None, None).await
    }

    pub async fn bulk_get_profiles(&self, uids: Vec<String>) -> Result<Vec<UserProfile>, ApiError> {
        let body = BulkGetProfiles {
            uids,
            data_path: Some("avatar".into()),
        };
        self.call_json(Method::Post, BULK_GET_PROFILES_PATH, None, &body)
            .await
    }

    pub async fn suggest_profiles(&self, name: &str) -> Result<Vec<UserProfile>, ApiError> {
        let body = SuggestProfiles {
            name: name.to_string(),
            size: Some(8),
        };
        self.call_json(Method::Post, SUGGEST_PROFILES_PATH, None, &body)
            .await
    }
}

fn first_object_error(result: &AccessControlResult) -> Result<(), ApiError> {
    match result.errors().next() {
        None => Ok(()),
        Some(error) => Err(ApiError {
            kind: gatehouse_api::ErrorKind::Http,
            status: error.status_code,
            message: error.message.clone(),
            es_type: None,
        }),
    }
}

/// Percent-encodes a path segment, so an id can never change the route (shared with the server's types).
pub use gatehouse_api::admin::encode_path_segment;

/// What one request sent through the Dev Tools console proxy answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleAnswer {
    /// The real status (`x-console-proxy-status-code`), or the HTTP status when the proxy did
    /// not say.
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

/// Administration (docs/administration.md): users, roles, features and the Dev Tools console proxy.
impl ApiClient {
    pub async fn list_users(&self) -> Result<Vec<gatehouse_api::admin::User>, ApiError> {
        self.call(Method::Get, gatehouse_api::admin::USERS_PATH, None, None)
            .await
    }

    /// Creates or updates a user (`POST /internal/security/users/{u}`).
    pub async fn put_user(
        &self,
        request: &gatehouse_api::admin::PutUserRequest,
    ) -> Result<(), ApiError> {
        let path = gatehouse_api::admin::user_path(&request.username);
        self.send_only(Method::Post, &path, None, Some(Self::json(request)?))
            .await
    }

    pub async fn delete_user(&self, username: &str) -> Result<(), ApiError> {
        let path = gatehouse_api::admin::user_path(username);
        self.send_only(Method::Delete, &path, None, None).await
    }

    pub async fn set_user_enabled(&self, username: &str, enabled: bool) -> Result<(), ApiError> {
        let action = if enabled { "_enable" } else { "_disable" };
        let path = format!("{}/{action}", gatehouse_api::admin::user_path(username));
        self.send_only(Method::Post, &path, None, None).await
    }

    pub async fn change_user_password(
        &self,
        username: &str,
        request: &gatehouse_api::admin::ChangePasswordRequest,
    ) -> Result<(), ApiError> {
        let path = format!("{}/password", gatehouse_api::admin::user_path(username));
        self.send_only(Method::Post, &path, None, Some(Self::json(request)?))
            .await
    }

    pub async fn list_roles(&self) -> Result<Vec<gatehouse_api::admin::KibanaRole>, ApiError> {
        self.call(Method::Get, gatehouse_api::admin::ROLES_PATH, PUBLIC, None)
            .await
    }

    pub async fn get_role(&self, name: &str) -> Result<gatehouse_api::admin::KibanaRole, ApiError> {
        let path = gatehouse_api::admin::role_path(name);
        self.call(Method::Get, &path, PUBLIC, None).await
    }

    /// `PUT /api/security/role/{name}`; `create_only` refuses to overwrite an existing role (409).
    pub async fn put_role(
        &self,
        name: &str,
        body: &serde_json::Value,
        create_only: bool,
    ) -> Result<(), ApiError> {
        let mut path = gatehouse_api::admin::role_path(name);
        if create_only {
            path.push_str("?createOnly=true");
        }
        self.send_only(Method::Put, &path, PUBLIC, Some(Self::json(body)?))
            .await
    }

    pub async fn delete_role(&self, name: &str) -> Result<(), ApiError> {
        let path = gatehouse_api::admin::role_path(name);
        self.send_only(Method::Delete, &path, PUBLIC, None).await
    }

    pub async fn list_features(&self) -> Result<Vec<gatehouse_api::admin::FeatureInfo>, ApiError> {
        self.call(Method::Get, gatehouse_api::admin::FEATURES_PATH, None, None)
            .await
    }

    /// Sends one console request through `POST /api/console/proxy?path=&method=`. An error is
    /// the proxy's own refusal (no Dev Tools privilege, bad method); Elasticsearch's answers,
    /// denials included, come back as `Ok` with their real status.
    pub async fn console_proxy(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<ConsoleAnswer, ApiError> {
        let proxy_path = format!(
            "{}?path={}&method={}",
            gatehouse_api::admin::CONSOLE_PROXY_PATH,
            js_sys::encode_uri_component(path),
            js_sys::encode_uri_component(method)
        );
        let response = self.send(Method::Post, &proxy_path, None, body).await?;
        Ok(ConsoleAnswer {
            status: response.console_status.unwrap_or(response.status),
            content_type: response.content_type,
            body: response.body,
        })
    }
}
