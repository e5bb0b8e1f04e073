//! Gatehouse's server: Kibana-compatible security, capabilities and leads routes over SQLite,
//! plus the built SPA. Start it with [`start`]; it serves until [`RunningServer::shutdown`] or drop.
//!
//! One folder per feature, each with its routes (`routes.rs`), storage and logic:
//! `admin/` (users, roles, the console, features, effective access), `dashboards/` (saved objects
//! with access control, user profiles), `leads/`, `profiles/` (what users keep on their own
//! profile), `search/` (sources, identities, documents),
//! `security/` (sign-in, the current user, capabilities) and `spaces/`. They stand on
//! `platform/` (database, sessions, audit, the Kibana request rules, the one response error, …)
//! and `authz/` (subjects and patterns, Elasticsearch privileges, Kibana features and actions,
//! guards). Demo data lives in `seed/`.
//!
//! Modules are `pub(crate)`. The library's public surface for tests, e2e and xtask is [`start`],
//! [`Config`], [`RunningServer`] and the small facades below (`db`, `session`, `ratelimit`,
//! `connections`, `precompress`, `find_cache`, `faults`) plus what `authz`, `leads`, `search` and
//! `seed` export.

// Features, each one folder with its routes, storage and logic.
pub(crate) mod admin;
pub(crate) mod dashboards;
pub(crate) mod panels;
pub(crate) mod saved_objects;
pub(crate) mod security;
pub(crate) mod spaces;
// `leads`, `profiles`, `search` and `seed` are features too; they are `pub` only for the few
// items they export below (`profiles`: its size limits, for the tests).
pub mod leads;
pub mod profiles;
pub mod search;
pub mod seed;

// The binary's administration commands (`users`, `backup`) and start-up rules.
pub mod cli;

// What the features stand on.
pub mod authz;
pub(crate) mod platform;

// Running it for a team: status, the configuration file, logs, how browsers reach it.
pub mod deployment;

// ---------------------------------------------------------------------------------------------
// The library's public surface for tests, e2e and xtask
// ---------------------------------------------------------------------------------------------
//
// Everything else is `pub(crate)`. These facades keep the paths the tests, e2e and xtask import.

/// The SQLite database with its single writer.
pub mod db {
    pub use crate::platform::db::{Db, WATCH_INTERVAL_MS};
}

/// Sessions: how a session token is stored.
pub mod session {
    pub use crate::platform::session::token_hash;
}

/// How many refusals are audited one by one (docs/audit-log.md, "Refusals in bulk").
pub mod audit_refusals {
    pub use crate::platform::audit_refusals::RefusalLimits;
}

/// The failed-login limiter's settings and clock.
pub mod ratelimit {
    pub use crate::platform::ratelimit::{Clock, LoginLimits};
}

/// How long clients may take and how many connections they may hold.
pub mod connections {
    pub use crate::platform::connections::ConnectionLimits;
}

/// The compressions served for the SPA's files.
pub mod precompress {
    pub use crate::platform::precompress::{brotli_bytes, gzip_bytes};
}

/// The leads find cache's size.
pub mod find_cache {
    pub use crate::leads::find_cache::CAPACITY;
}

/// HTTPS: the certificate and key files.
pub mod tls {
    pub use crate::platform::tls::TlsFiles;
}

/// Test-only fault injection: its control route and rule types.
pub mod faults {
    pub use crate::platform::faults::{
        FaultKind, FaultRule, FaultRules, FaultsReport, FAULTS_PATH,
    };
}

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::{middleware, Router};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower::Layer;
use tower_http::trace::TraceLayer;

use crate::platform::db::Db;
use crate::platform::{audit, browser_headers, kibana, spa};

/// How the server starts. `Config::default()` is the binary's defaults, except `seed`.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub db_path: PathBuf,
    /// The built SPA (`dist/`); `None` serves only the API.
    pub dist_dir: Option<PathBuf>,
    /// Seed the demo users and data on first start (when the users table is empty).
    pub seed: bool,
    /// Sessions unused for this long expire.
    pub idle_timeout: Duration,
    /// Sessions this old expire however busy they are.
    pub session_lifespan: Duration,
    /// Audit log file (JSON lines); `None` = `audit.log` next to the database.
    pub audit_log: Option<PathBuf>,
    /// Failed-login thresholds and window (429 with `Retry-After` beyond them).
    pub login_limits: ratelimit::LoginLimits,
    /// The login limiter's clock; tests keep a clone and advance it instead of sleeping.
    pub clock: ratelimit::Clock,
    /// How many refusals per user, action and space are audited one by one before the rest
    /// are counted (docs/audit-log.md, "Refusals in bulk").
    pub refusal_limits: audit_refusals::RefusalLimits,
    /// Test-only fault injection ([`faults`]): the control route and its middleware. Never set by
    /// default; the binary sets it only with `GATEHOUSE_ENABLE_FAULTS=1`; refused off loopback.
    pub faults: bool,
    /// Header, body and idle timeouts and the connection caps (`platform/connections.rs`).
    pub connections: connections::ConnectionLimits,
    /// Serve HTTPS with these PEM files (`platform/tls.rs`); `None` serves plain HTTP.
    pub tls: Option<tls::TlsFiles>,
    /// The address browsers use when a proxy in front terminates TLS (`--public-url`); an
    /// `https://` one makes the session cookie `Secure` and adds `Strict-Transport-Security`,
    /// as serving HTTPS ourselves does.
    pub public_url: Option<String>,
}

impl Config {
    /// Where audit events are appended.
    pub fn audit_log_path(&self) -> PathBuf {
        self.audit_log.clone().unwrap_or_else(|| {
            self.db_path
                .parent()
                .map(|dir| dir.join("audit.log"))
                .unwrap_or_else(|| PathBuf::from("audit.log"))
        })
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 5601)),
            db_path: PathBuf::from("./data/gatehouse.db"),
            dist_dir: None,
            // The library's default seeds, because the tests, e2e, bench and soak start it
            // in-process on a fresh loopback database and sign in as the demo users. The binary
            // seeds only with `--demo` (server/src/main.rs; README, "Running Gatehouse for your
            // team").
            seed: true,
            idle_timeout: Duration::from_secs(8 * 60 * 60),
            session_lifespan: Duration::from_secs(30 * 24 * 60 * 60),
            audit_log: None,
            login_limits: ratelimit::LoginLimits::default(),
            clock: ratelimit::Clock::default(),
            refusal_limits: audit_refusals::RefusalLimits::default(),
            faults: false,
            connections: connections::ConnectionLimits::default(),
            tls: None,
            public_url: None,
        }
    }
}

/// Shared by every request.
#[derive(Clone)]
pub(crate) struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub audit: Arc<audit::AuditLog>,
    pub static_files: Option<spa::StaticFiles>,
    pub login_limiter: Arc<platform::ratelimit::LoginLimiter>,
    pub spaces: Arc<spaces::store::Registry>,
    pub principals: Arc<platform::session::PrincipalCache>,
    pub find_cache: Arc<leads::find_cache::FindCache>,
    /// The routes a leads page's first paint asks (`leads/first_paint.rs`), built once: building them
    /// took longer than the answers.
    pub first_paint_routes: Arc<std::sync::OnceLock<Router>>,
    /// The database check behind `/api/status` (`deployment/status.rs`).
    pub status: Arc<deployment::status::Probe>,
    /// When each "view as" last recorded `run_as_granted` (`security/run_as.rs`).
    pub run_as_views: Arc<security::run_as::RunAsViews>,
}

#[derive(Debug)]
pub(crate) struct Settings {
    pub idle_timeout: Duration,
    pub session_lifespan: Duration,
    /// Browsers reach the server over HTTPS (ours or a proxy's): the session cookie is `Secure`.
    pub https: bool,
}

impl AppState {
    pub(crate) fn session_limits(&self) -> platform::session::SessionLimits {
        let secs = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        platform::session::SessionLimits {
            idle_secs: secs(self.settings.idle_timeout),
            lifespan_secs: secs(self.settings.session_lifespan),
        }
    }
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// Every route. Paths are the bare ones: the `/s/{space}` prefix is stripped before routing.
pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .merge(security::routes::router())
        .merge(security::audit_log::router())
        .merge(leads::routes::router())
        .merge(dashboards::routes::router())
        .merge(dashboards::profiles::router())
        .merge(profiles::router())
        .merge(saved_objects::routes::router())
        .merge(panels::routes::router())
        .merge(admin::routes::router())
        .merge(admin::console::router())
        .merge(search::routes::router())
        .merge(spaces::routes::router())
        .merge(spaces::access::router())
        .merge(deployment::status::router())
        .fallback(spa::fallback)
        .method_not_allowed_fallback(spa::method_not_allowed)
        // Route layers run only for paths that exist (an unknown path is a 404 for anyone, as in
        // Kibana); the last one added runs first: no session, no answer about spaces or anything
        // else.
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            spaces::routes::space_rules,
        ))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            platform::session::require_session,
        ))
        .with_state(state)
}

/// A server accepting connections. Dropping it stops the server too.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub db_path: PathBuf,
    /// Serving HTTPS with its own certificate.
    pub tls: bool,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    refusal_counts: RefusalCounts,
}

/// The task that writes the counts of refusal windows as they close, and what it needs to write
/// the last ones when the server stops.
struct RefusalCounts {
    task: JoinHandle<()>,
    db: Db,
    audit: Arc<audit::AuditLog>,
}

impl RefusalCounts {
    fn spawn(db: Db, audit: Arc<audit::AuditLog>) -> Self {
        let task = tokio::spawn({
            let (db, audit) = (db.clone(), audit.clone());
            async move {
                let mut every = tokio::time::interval(audit.refusals().check_interval());
                loop {
                    every.tick().await;
                    let closed = audit.refusals().closed_by(platform::db::now_millis());
                    Self::write(&db, &audit, closed).await;
                }
            }
        });
        Self { task, db, audit }
    }

    /// Written only when there is a count: every write starts a new generation of the caches.
    async fn write(db: &Db, audit: &Arc<audit::AuditLog>, counts: Vec<audit::AuditEvent>) {
        if counts.is_empty() {
            return;
        }
        let log = audit.clone();
        let written = db
            .write(move |conn| audit::write_as_they_are(conn, &log, counts))
            .await;
        if let Err(error) = written {
            tracing::error!(
                error = format!("{error:#}"),
                "could not write refusal counts"
            );
        }
    }

    /// Stops the periodic task and writes every count still open.
    async fn write_the_rest(&self) {
        self.task.abort();
        Self::write(&self.db, &self.audit, self.audit.refusals().close_all()).await;
    }
}

impl RunningServer {
    /// `http://127.0.0.1:<port>`, or `https://…` when serving HTTPS.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Stops accepting, lets in-flight requests finish, and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            match tokio::time::timeout(Duration::from_secs(10), task).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => tracing::warn!(error = %e, "server stopped with an error"),
                Ok(Err(e)) => tracing::warn!(error = %e, "server task failed"),
                Err(_) => tracing::warn!("server did not stop within 10 s"),
            }
        }
        self.refusal_counts.write_the_rest().await;
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.refusal_counts.task.abort();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Opens the database (migrating and seeding it), binds `config.addr` and serves.
pub async fn start(config: Config) -> anyhow::Result<RunningServer> {
    if config.faults && !config.addr.ip().is_loopback() {
        anyhow::bail!(
            "fault injection is test-only and needs a loopback address, not {}",
            config.addr
        );
    }
    // Before the database is opened: a bad certificate or URL changes nothing on disk.
    let tls = config
        .tls
        .as_ref()
        .map(platform::tls::acceptor)
        .transpose()?;
    let https = deployment::served_over_https(tls.is_some(), config.public_url.as_deref())?;
    let (db, spaces) = {
        let path = config.db_path.clone();
        let seed = config.seed;
        tokio::task::spawn_blocking(move || -> anyhow::Result<(Db, spaces::store::Registry)> {
            let db = Db::open(&path)?;
            if seed {
                seed::seed_users(&db)?;
                seed::entities::seed_entities(&db)?;
                seed::dashboards::seed_dashboards(&db)?;
            }
            let spaces = db.write_blocking(|conn| spaces::store::Registry::load(conn))?;
            Ok((db, spaces))
        })
        .await??
    };
    if let Some(dist) = &config.dist_dir {
        platform::precompress::spawn(dist.clone());
    }
    let state = AppState {
        db,
        settings: Arc::new(Settings {
            idle_timeout: config.idle_timeout,
            session_lifespan: config.session_lifespan,
            https,
        }),
        audit: Arc::new(audit::AuditLog::with_refusal_limits(
            config.audit_log_path(),
            config.refusal_limits.clone(),
        )),
        static_files: config.dist_dir.as_deref().map(spa::static_files),
        login_limiter: Arc::new(platform::ratelimit::LoginLimiter::new(
            config.login_limits.clone(),
            config.clock.clone(),
        )),
        spaces: Arc::new(spaces),
        principals: Arc::default(),
        find_cache: Arc::default(),
        first_paint_routes: Arc::default(),
        status: Arc::default(),
        run_as_views: Arc::default(),
    };
    let refusal_counts = RefusalCounts::spawn(state.db.clone(), state.audit.clone());
    // The request rules wrap the router (not `Router::layer`) so the `/s/{space}` prefix is
    // stripped before routing.
    let mut routes = router(state);
    if config.faults {
        routes = platform::faults::wire(routes);
    }
    let transport = browser_headers::Transport { https };
    let app = middleware::from_fn_with_state(transport, browser_headers::every_response).layer(
        middleware::from_fn(kibana::request_rules).layer(routes.layer(TraceLayer::new_for_http())),
    );

    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(platform::connections::serve(
        listener,
        app,
        config.connections.clone(),
        tls.clone(),
        rx,
    ));
    tracing::info!(%addr, https, tls = tls.is_some(), db = %config.db_path.display(), "gatehouse listening");
    Ok(RunningServer {
        addr,
        db_path: config.db_path,
        tls: tls.is_some(),
        shutdown: Some(tx),
        task: Some(task),
        refusal_counts,
    })
}
