use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// Gatehouse server: Kibana-compatible security and leads API plus the SPA.
#[derive(Debug, Parser)]
#[command(name = "gatehouse-server", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:5601")]
    addr: SocketAddr,
    /// SQLite database file (created on first start).
    #[arg(long = "db", default_value = "./data/gatehouse.db")]
    db: PathBuf,
    /// Directory of the built SPA to serve (index.html fallback for client routes).
    #[arg(long)]
    dist: Option<PathBuf>,
    /// Do not seed demo users and data into an empty database.
    #[arg(long)]
    no_seed: bool,
    /// Audit log file (JSON lines) for owner and access-mode changes; default: `audit.log` next to
    /// the database.
    #[arg(long)]
    audit_log: Option<PathBuf>,
    /// Minutes of inactivity after which a session expires.
    #[arg(long, default_value_t = 480)]
    idle_minutes: u64,
    /// Hours after sign-in at which a session expires, however busy it is.
    #[arg(long, default_value_t = 720)]
    lifespan_hours: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=warn")),
        )
        .init();
    let args = Args::parse();
    let server = gatehouse_server::start(gatehouse_server::Config {
        addr: args.addr,
        db_path: args.db,
        dist_dir: args.dist,
        seed: !args.no_seed,
        idle_timeout: std::time::Duration::from_secs(args.idle_minutes.saturating_mul(60)),
        session_lifespan: std::time::Duration::from_secs(args.lifespan_hours.saturating_mul(3600)),
        audit_log: args.audit_log,
        // Test-only fault injection (browser resilience tests); off unless asked for explicitly.
        faults: std::env::var("GATEHOUSE_ENABLE_FAULTS").is_ok_and(|v| v == "1"),
        ..gatehouse_server::Config::default()
    })
    .await?;
    println!("Gatehouse listening on {}", server.url());
    tokio::signal::ctrl_c().await?;
    tracing::info!("shutting down");
    server.shutdown().await;
    Ok(())
}
