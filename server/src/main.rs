use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use gatehouse_server::deployment::{config_file, logging};

/// Gatehouse server: Kibana-compatible security and leads API plus the SPA.
///
/// Every flag can also come from its environment variable (shown as `env:`) or from a TOML file
/// named by `--config`, whose keys are the flags' names: flags win over the environment, which
/// wins over the file, which wins over the defaults.
#[derive(Debug, Parser)]
#[command(name = "gatehouse-server", version)]
struct Args {
    #[command(subcommand)]
    command: Option<gatehouse_server::cli::Command>,
    /// TOML file of settings, keys named like the flags (`addr = "0.0.0.0:5601"`).
    #[arg(long, env = "GATEHOUSE_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, env = "GATEHOUSE_ADDR", default_value = "127.0.0.1:5601")]
    addr: SocketAddr,
    /// SQLite database file (created on first start).
    #[arg(
        long = "db",
        env = "GATEHOUSE_DB",
        default_value = "./data/gatehouse.db"
    )]
    db: PathBuf,
    /// Directory of the built SPA to serve (index.html fallback for client routes).
    #[arg(long, env = "GATEHOUSE_DIST")]
    dist: Option<PathBuf>,
    /// Seed the demo users (password `changeme`) and data into a database without users.
    /// Refused on a non-loopback address unless --demo-on-public-address is given too.
    #[arg(long, env = "GATEHOUSE_DEMO")]
    demo: bool,
    /// Allow --demo on an address other machines can reach.
    #[arg(long, env = "GATEHOUSE_DEMO_ON_PUBLIC_ADDRESS", requires = "demo")]
    demo_on_public_address: bool,
    /// No longer needed (nothing is seeded without --demo); accepted and ignored.
    #[arg(long, hide = true)]
    no_seed: bool,
    /// Audit log file (JSON lines) for owner and access-mode changes; default: `audit.log` next to
    /// the database.
    #[arg(long, env = "GATEHOUSE_AUDIT_LOG")]
    audit_log: Option<PathBuf>,
    /// Minutes of inactivity after which a session expires.
    #[arg(long, env = "GATEHOUSE_IDLE_MINUTES", default_value_t = 480)]
    idle_minutes: u64,
    /// Hours after sign-in at which a session expires, however busy it is.
    #[arg(long, env = "GATEHOUSE_LIFESPAN_HOURS", default_value_t = 720)]
    lifespan_hours: u64,
    /// Seconds a client may take to send a request head (or finish a TLS handshake); also how
    /// long an idle keep-alive connection stays open.
    #[arg(long, env = "GATEHOUSE_HEADER_TIMEOUT_SECS", default_value_t = 20)]
    header_timeout_secs: u64,
    /// Seconds a client may take to send a request body after its head.
    #[arg(long, env = "GATEHOUSE_BODY_TIMEOUT_SECS", default_value_t = 30)]
    body_timeout_secs: u64,
    /// Connections open at once, all clients together.
    #[arg(long, env = "GATEHOUSE_MAX_CONNECTIONS", default_value_t = 2048)]
    max_connections: usize,
    /// Connections open at once from one client address (IPv6: one /64).
    #[arg(
        long,
        env = "GATEHOUSE_MAX_CONNECTIONS_PER_CLIENT",
        default_value_t = 128
    )]
    max_connections_per_client: usize,
    /// Serve HTTPS with this certificate chain (PEM, the server's certificate first).
    #[arg(
        long,
        env = "GATEHOUSE_TLS_CERT",
        value_name = "PEM",
        requires = "tls_key"
    )]
    tls_cert: Option<PathBuf>,
    /// The private key of `--tls-cert` (PEM).
    #[arg(
        long,
        env = "GATEHOUSE_TLS_KEY",
        value_name = "PEM",
        requires = "tls_cert"
    )]
    tls_key: Option<PathBuf>,
    /// The address browsers use when a proxy in front terminates TLS, e.g.
    /// `https://gatehouse.example.com`: an https one makes the session cookie `Secure` and adds
    /// `Strict-Transport-Security`.
    #[arg(long, env = "GATEHOUSE_PUBLIC_URL", value_name = "URL")]
    public_url: Option<String>,
    /// Log lines as readable text or as JSON objects, one a line.
    #[arg(long, env = "GATEHOUSE_LOG_FORMAT", value_enum, default_value_t = logging::LogFormat::Text)]
    log_format: logging::LogFormat,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Args = config_file::parse("config")?;
    if let Some(command) = args.command {
        match gatehouse_server::cli::run(command) {
            0 => return Ok(()),
            code => std::process::exit(i32::from(code)),
        }
    }
    if args.no_seed {
        eprintln!("--no-seed is no longer needed: the server seeds demo data only with --demo");
    }
    if args.demo {
        if let Some(why) =
            gatehouse_server::cli::demo_refusal(args.addr, args.demo_on_public_address)
        {
            eprintln!("{why}");
            std::process::exit(i32::from(gatehouse_server::cli::EXIT_BAD_INPUT));
        }
    }
    logging::init(args.log_format);
    // Before the server accepts anything: a signal that comes once it is up must find the handler.
    let stop = StopSignals::install()?;
    let tls = match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => Some(gatehouse_server::tls::TlsFiles { cert, key }),
        _ => None,
    };
    let server = gatehouse_server::start(gatehouse_server::Config {
        addr: args.addr,
        db_path: args.db,
        dist_dir: args.dist,
        seed: args.demo,
        idle_timeout: Duration::from_secs(args.idle_minutes.saturating_mul(60)),
        session_lifespan: Duration::from_secs(args.lifespan_hours.saturating_mul(3600)),
        audit_log: args.audit_log,
        // Test-only fault injection (browser resilience tests); off unless asked for explicitly.
        faults: std::env::var("GATEHOUSE_ENABLE_FAULTS").is_ok_and(|v| v == "1"),
        connections: gatehouse_server::connections::ConnectionLimits {
            header_read: Duration::from_secs(args.header_timeout_secs),
            body_read: Duration::from_secs(args.body_timeout_secs),
            max_connections: args.max_connections,
            max_connections_per_client: args.max_connections_per_client,
        },
        tls,
        public_url: args.public_url,
        ..gatehouse_server::Config::default()
    })
    .await?;
    if let Some(hint) = gatehouse_server::cli::first_admin_hint_if_needed(&server.db_path)? {
        println!("{hint}");
    }
    println!("Gatehouse listening on {}", server.url());
    stop.requested().await?;
    tracing::info!("shutting down");
    server.shutdown().await;
    Ok(())
}

/// Ctrl-C (SIGINT), or SIGTERM: what systemd, Docker and Kubernetes send to stop a service. Either
/// way requests in flight finish before the process exits. Installed before the server starts, so
/// a signal sent as soon as it says it is listening is not met by the default action (exit at once).
struct StopSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn install() -> std::io::Result<StopSignals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(StopSignals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(StopSignals {})
        }
    }

    async fn requested(mut self) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => {}
                _ = self.terminate.recv() => {}
            }
            Ok(())
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await
        }
    }
}
