use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// Gatehouse server: Kibana-compatible security and leads API plus the SPA.
#[derive(Debug, Parser)]
#[command(name = "gatehouse-server", version)]
struct Args {
    #[command(subcommand)]
    command: Option<gatehouse_server::cli::Command>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:5601")]
    addr: SocketAddr,
    /// SQLite database file (created on first start).
    #[arg(long = "db", default_value = "./data/gatehouse.db")]
    db: PathBuf,
    /// Directory of the built SPA to serve (index.html fallback for client routes).
    #[arg(long)]
    dist: Option<PathBuf>,
    /// Seed the demo users (password `changeme`) and data into a database without users.
    /// Refused on a non-loopback address unless --demo-on-public-address is given too.
    #[arg(long)]
    demo: bool,
    /// Allow --demo on an address other machines can reach.
    #[arg(long, requires = "demo")]
    demo_on_public_address: bool,
    /// No longer needed (nothing is seeded without --demo); accepted and ignored.
    #[arg(long, hide = true)]
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
    /// Seconds a client may take to send a request head; also how long an idle keep-alive
    /// connection stays open.
    #[arg(long, default_value_t = 20)]
    header_timeout_secs: u64,
    /// Seconds a client may take to send a request body after its head.
    #[arg(long, default_value_t = 30)]
    body_timeout_secs: u64,
    /// Connections open at once, all clients together.
    #[arg(long, default_value_t = 2048)]
    max_connections: usize,
    /// Connections open at once from one client address (IPv6: one /64).
    #[arg(long, default_value_t = 128)]
    max_connections_per_client: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
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
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=warn")),
        )
        .init();
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
        ..gatehouse_server::Config::default()
    })
    .await?;
    if let Some(hint) = gatehouse_server::cli::first_admin_hint_if_needed(&server.db_path)? {
        println!("{hint}");
    }
    println!("Gatehouse listening on {}", server.url());
    tokio::signal::ctrl_c().await?;
    tracing::info!("shutting down");
    server.shutdown().await;
    Ok(())
}
