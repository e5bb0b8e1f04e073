//! The server under soak, in a process of its own so that its memory can be read alone: the
//! same release binary run as `xtask soak-server <dir>`.

#![cfg(feature = "bench")]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};

use crate::bench::{runtime, server_config};

const LISTENING: &str = "soak-server: listening on ";

/// `soak-server <dir>`: the real server (`gatehouse_server::start`, seeded, fresh database in
/// `<dir>`) on `127.0.0.1:0`; prints its URL and serves until its stdin closes.
pub fn soak_server(args: &[String]) -> Result<()> {
    let dir = PathBuf::from(args.first().context("usage: soak-server <dir>")?);
    runtime()?.block_on(async move {
        let server = gatehouse_server::start(server_config(&dir, None))
            .await
            .context("server start")?;
        println!("{LISTENING}{}", server.url());
        let _ = std::io::stdout().flush();
        // The parent closes our stdin to stop us (or dies, which closes it too).
        let _ = tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
        })
        .await;
        server.shutdown().await;
        Ok(())
    })
}

/// The server child; killed on drop if it has not been stopped.
pub struct ServerChild {
    child: Child,
    pub url: String,
}

impl ServerChild {
    pub fn start(dir: &Path) -> Result<ServerChild> {
        let exe = std::env::current_exe().context("current_exe")?;
        let mut child = Command::new(exe)
            .arg("soak-server")
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("start the server child")?;
        let stdout = child.stdout.take().context("server child has no stdout")?;
        let mut server = ServerChild {
            child,
            url: String::new(),
        };
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(n) if n > 0 => {}
                _ => bail!("the server child exited before listening"),
            }
            if let Some(url) = line.trim().strip_prefix(LISTENING) {
                server.url = url.to_string();
                break;
            }
        }
        // Keep draining its stdout so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in reader.lines() {});
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Closes its stdin (graceful shutdown) and waits up to 15 s, then kills it.
    pub fn stop(&mut self) -> Result<()> {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return if status.success() {
                    Ok(())
                } else {
                    Err(anyhow!("the server exited with {status}"))
                };
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        bail!("the server did not stop within 15 s of its stdin closing")
    }
}

impl Drop for ServerChild {
    fn drop(&mut self) {
        if !matches!(self.child.try_wait(), Ok(Some(_))) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `VmRSS` of `pid` in KiB.
pub fn rss_kib(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
