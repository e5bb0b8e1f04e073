//! Where the server's log lines go and in what form (`--log-format`; README, "Logs"): text for a
//! person at a terminal, JSON lines for a log collector (journald forwarding, Filebeat, Vector).
//! Either way to standard output (beside the one `Gatehouse listening on …` line, which is not a
//! log event), filtered by `RUST_LOG` (default `info,tower_http=warn`).

use tracing_subscriber::EnvFilter;

/// The form of each log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// One readable line per event.
    #[default]
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, `fields` (`message` among them).
    Json,
}

/// Installs the process's log subscriber. Call once, before anything logs.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}
