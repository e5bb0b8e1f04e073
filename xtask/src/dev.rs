//! `cargo xtask dev`: the server and `trunk serve` side by side until Ctrl-C.

use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::process::{cargo, describe, run, step};
use crate::tools::{ensure_tools, Need};
use crate::Ctx;

const SERVER_ADDR: &str = "127.0.0.1:5601";
const TRUNK_ADDR: &str = "127.0.0.1:8080";

const DEMO_USERS: &[(&str, &str)] = &[
    ("elastic", "superuser: everything"),
    ("leads_full_user", "leads: read + write"),
    ("leads_read_user", "leads: read only"),
    ("leads_no_access_user", "leads section absent"),
    ("alice", "Alice Analyst: Dashboards only"),
    ("bob", "Bob Responder: Dashboards only"),
];

fn port_in_use(addr: &str) -> bool {
    let addr: SocketAddr = addr.parse().expect("valid socket address");
    TcpStream::connect_timeout(&addr, Duration::from_millis(300)).is_ok()
}

/// A child started in its own process group, so the whole tree (trunk's cargo builds, …) can be
/// stopped with one signal.
struct Group {
    name: &'static str,
    child: Child,
}

impl Group {
    fn spawn(name: &'static str, mut cmd: Command) -> Result<Group> {
        let what = describe(&cmd);
        println!("xtask: $ {what}");
        let child = cmd
            .process_group(0)
            .stdin(Stdio::null())
            .spawn()
            .with_context(|| format!("could not start `{what}`"))?;
        Ok(Group { name, child })
    }

    fn signal(&self, sig: libc::c_int) {
        let pgid = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) with a negative pid signals the process group we created for this child.
        unsafe {
            libc::kill(-pgid, sig);
        }
    }

    /// SIGTERM, then SIGKILL if the group's leader is still alive after `grace`.
    fn stop(&mut self, grace: Duration) {
        if let Ok(Some(_)) = self.child.try_wait() {
            // Leader gone; still clean up anything it left in its group.
            self.signal(libc::SIGKILL);
            return;
        }
        self.signal(libc::SIGTERM);
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                self.signal(libc::SIGKILL);
                return;
            }
            thread::sleep(Duration::from_millis(100));
        }
        println!(
            "xtask: {} did not stop within {grace:?}; killing it",
            self.name
        );
        self.signal(libc::SIGKILL);
        let _ = self.child.wait();
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if !matches!(self.child.try_wait(), Ok(Some(_))) {
            self.stop(Duration::from_secs(5));
        }
    }
}

fn print_banner() {
    println!();
    println!("  Gatehouse is running:  http://{TRUNK_ADDR}");
    println!("  (server on http://{SERVER_ADDR}; trunk proxies /api and /internal to it)");
    println!();
    println!("  demo users (password `changeme`):");
    for (user, what) in DEMO_USERS {
        println!("    {user:<22} {what}");
    }
    println!();
    println!("  Ctrl-C stops both.");
    println!();
}

pub fn dev(ctx: &Ctx) -> Result<()> {
    step("ensure tools", || ensure_tools(ctx, Need::Dev))?;
    for addr in [SERVER_ADDR, TRUNK_ADDR] {
        if port_in_use(addr) {
            bail!("{addr} is already in use; stop whatever listens there first");
        }
    }
    step("build gatehouse-server", || {
        let mut cmd = cargo();
        cmd.args(["build", "-p", "gatehouse-server"]);
        run(cmd)
    })?;

    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst))
            .context("cannot install the Ctrl-C handler")?;
    }

    let mut server_cmd = cargo();
    server_cmd.args([
        "run",
        "--quiet",
        "-p",
        "gatehouse-server",
        "--",
        "--addr",
        SERVER_ADDR,
        // The demo users and data (README, "Demo users"); the plain binary starts empty.
        "--demo",
        // Pages of a named space (`/s/{id}/app/…`) reach the server through Trunk's `/s` proxy;
        // it answers them with the `index.html` that `trunk serve` keeps writing to `dist/`.
        "--dist",
        "dist",
    ]);
    let server = Group::spawn("server", server_cmd)?;
    let mut trunk_cmd = Command::new("trunk");
    trunk_cmd.arg("serve");
    let trunk = Group::spawn("trunk serve", trunk_cmd)?;
    let mut children = [server, trunk];

    println!("xtask: the first `trunk serve` build takes a few minutes; http://{TRUNK_ADDR} is printed again once it answers");
    {
        let stop = stop.clone();
        thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                if port_in_use(TRUNK_ADDR) && port_in_use(SERVER_ADDR) {
                    print_banner();
                    return;
                }
                thread::sleep(Duration::from_millis(500));
            }
        });
    }

    let mut exited: Option<String> = None;
    while exited.is_none() && !stop.load(Ordering::SeqCst) {
        for g in children.iter_mut() {
            if let Ok(Some(status)) = g.child.try_wait() {
                exited = Some(format!("{} exited ({status})", g.name));
                break;
            }
        }
        thread::sleep(Duration::from_millis(200));
    }
    stop.store(true, Ordering::SeqCst);
    println!("xtask: stopping server and trunk…");
    for g in children.iter_mut() {
        g.stop(Duration::from_secs(5));
    }
    if let Some(why) = exited {
        bail!(why);
    }
    println!("xtask: stopped");
    Ok(())
}
