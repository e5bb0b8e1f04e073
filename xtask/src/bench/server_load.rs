//! Section 2 of BENCHMARKS.md: server throughput. Each route under load from the bench's own
//! keep-alive connections ([`crate::http::load`]) with the SPA's headers, timed send → last byte.

#![cfg(feature = "bench")]

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use reqwest::Method;

use super::measure::{ms, verdict, Report, LEADS};
use super::SERVER_PROFILE;
use crate::http::{load as http_load, spa_headers, Client};

const PRIVILEGES_TARGET_RPS: f64 = 10_000.0;
const FIND_TARGET_P99_MS: f64 = 5.0;
const CONNECTIONS: usize = 64;
const LOAD_SECS: u64 = 10;
const UNLOADED_SECS: u64 = 5;
const ACCESS_MODE_PATH: &str = "/internal/access_control/change_access_mode";
const ACCESS_MODE_DASHBOARD: &str = "executive-risk-summary";
const PRIVILEGES_PATH: &str = "/internal/entity_analytics/leads/privileges";
const FIND_PATH: &str = "/internal/entity_analytics/leads?page=1&perPage=100";
/// The same request without `Accept-Encoding`, as the table and summary name it.
const FIND_UNCOMPRESSED_LABEL: &str =
    "/internal/entity_analytics/leads?page=1&perPage=100 without Accept-Encoding";
/// How the rows of [`uncached_find_paths`] are named in the report.
const UNCACHED_FIND_PATHS: &str =
    "/internal/entity_analytics/leads?page=1..10&perPage=100&sortField=…&sortOrder=…&status=…";
/// The role behind the DLS rows: read on the leads of every space, hosts only (about half of the
/// synthetic leads), every field but `priority`, the shape the leads_dls tests use.
const DLS_ROLE: &str = "bench_hosts_without_priority";
const DLS_USER: &str = "bench_host_hunter";
/// How many times the unrestricted find's p99 a find under a DLS role may take.
const DLS_TARGET_FACTOR: f64 = 2.0;
/// What Chromium sends as `Accept-Encoding` with every request of the SPA.
const BROWSER_ENCODINGS: &str = "gzip, deflate, br, zstd";

/// 160 find queries of 100 leads each (pages 1–10, both sort fields and orders, each status
/// and none): five times what the server's find cache holds, taken in turn.
fn uncached_find_paths() -> Vec<String> {
    const _: () = assert!(160 >= 5 * gatehouse_server::find_cache::CAPACITY);
    let mut paths = Vec::new();
    for page in 1..=10 {
        for field in ["priority", "timestamp"] {
            for order in ["desc", "asc"] {
                for status in ["", "&status=active", "&status=dismissed", "&status=expired"] {
                    paths.push(format!(
                        "/internal/entity_analytics/leads?page={page}&perPage=100&sortField={field}&sortOrder={order}{status}"
                    ));
                }
            }
        }
    }
    paths
}

struct Load {
    ok: u64,
    errors: u64,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
    max: Duration,
    body_bytes: usize,
}

impl Load {
    fn rps(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// One route under load: GET, or POST with bodies taken in turn (so a write really changes
/// something on every request).
struct Route {
    method: Method,
    /// Paths with their query, taken in turn.
    paths: Vec<String>,
    /// The session cookie of the user the route runs as.
    cookie: String,
    bodies: Vec<serde_json::Value>,
    /// Count a 200 whose body has an `"error"` member as an error (per-object results).
    error_in_body: bool,
    /// Sent as `Accept-Encoding`: [`BROWSER_ENCODINGS`], as the SPA's requests carry, or
    /// none (the answer is sent uncompressed).
    accept_encoding: Option<&'static str>,
}

impl Route {
    /// A GET of `paths` in turn as `user`, accepting what Chromium accepts.
    fn get(user: &Client, paths: Vec<String>) -> Route {
        Route {
            method: Method::GET,
            paths,
            cookie: user.cookie().to_string(),
            bodies: Vec::new(),
            error_in_body: false,
            accept_encoding: Some(BROWSER_ENCODINGS),
        }
    }

    /// Every request the load sends, as bytes for [`http_load`]: the paths or the bodies taken
    /// in turn, with the SPA's headers.
    fn raw_requests(&self, host: &str) -> Result<Vec<Vec<u8>>> {
        let bodies = self
            .bodies
            .iter()
            .map(|b| serde_json::to_vec(b).map(Some))
            .collect::<Result<Vec<_>, _>>()?;
        let bodies = if bodies.is_empty() {
            vec![None]
        } else {
            bodies
        };
        let method = self.method.as_str();
        Ok((0..self.paths.len().max(bodies.len()))
            .map(|n| {
                let target = &self.paths[n % self.paths.len()];
                let bare = target.split('?').next().unwrap_or(target);
                let mut headers = spa_headers(method, bare, &self.cookie);
                if let Some(encodings) = self.accept_encoding {
                    headers.push(("accept-encoding", encodings));
                }
                let body = bodies[n % bodies.len()].as_deref();
                http_load::request(method, target, host, &headers, body)
            })
            .collect())
    }

    fn body_ok(&self, body: &[u8]) -> bool {
        !self.error_in_body || !body.windows(7).any(|w| w == b"\"error\"")
    }
}

/// `conns` tasks, each with its own keep-alive connection ([`http_load`]) to `addr`, sending
/// the route's requests back to back for `secs` seconds.
async fn load(route: Route, addr: SocketAddr, conns: usize, secs: u64) -> Result<Load> {
    let what = format!("{} {}", route.method, route.paths[0]);
    let requests = Arc::new(route.raw_requests(&addr.to_string())?);
    // One request first: the route must answer 200 (without errors) before it is timed.
    let mut probe = http_load::Connection::open(addr).await?;
    let (status, body) = probe.send(&requests[0]).await.context(what.clone())?;
    if !(200..300).contains(&status) || !route.body_ok(body) {
        bail!(
            "{what} answered {status}: {}",
            String::from_utf8_lossy(body)
        );
    }
    let probe_bytes = body.len();

    let route = Arc::new(route);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for task in 0..conns as u64 {
        let (route, requests) = (route.clone(), requests.clone());
        let mut conn = http_load::Connection::open(addr).await?;
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::with_capacity(50_000);
            let mut errors = 0u64;
            let mut body_len = 0;
            // Connections spread evenly over the requests taken in turn, so no two ask the
            // same query close together.
            let spread = requests.len().max(conns) as u64;
            let mut n = task * spread / conns as u64 + 1;
            while Instant::now() < deadline {
                let t = Instant::now();
                match conn
                    .send(&requests[(n % requests.len() as u64) as usize])
                    .await
                {
                    Ok((status, body)) if (200..300).contains(&status) && route.body_ok(body) => {
                        times.push(t.elapsed());
                        body_len = body.len();
                    }
                    Ok(_) => errors += 1,
                    // The connection is in an unknown state: this task's load ends here.
                    Err(e) => return Err(e),
                }
                n += 1;
            }
            Ok((times, errors, body_len))
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    // As sent while timed (compressed, if it was): the probe above may have had it plain.
    let mut body_bytes = probe_bytes;
    for t in tasks {
        let (times, e, len) = t.await.context("load task")??;
        all.extend(times);
        errors += e;
        if len > 0 {
            body_bytes = len;
        }
    }
    let elapsed = started.elapsed();
    all.sort_unstable();
    Ok(Load {
        ok: all.len() as u64,
        errors,
        elapsed,
        p50: percentile(&all, 0.50),
        p99: percentile(&all, 0.99),
        max: all.last().copied().unwrap_or_default(),
        body_bytes,
    })
}

/// `elastic` creates [`DLS_ROLE`] and [`DLS_USER`] holding it, who then signs in.
async fn dls_user(elastic: &Client) -> Result<Client> {
    let role = serde_json::json!({
        "elasticsearch": { "indices": [{
            "names": [gatehouse_api::leads::LEADS_INDEX_PATTERN],
            "privileges": ["read"],
            "query": r#"{"term":{"entity.type":"host"}}"#,
            "field_security": { "grant": ["*"], "except": ["priority"] },
        }] },
        "kibana": [{ "base": ["all"], "spaces": ["*"] }],
    });
    elastic
        .send_json(
            Method::PUT,
            &format!("/api/security/role/{DLS_ROLE}"),
            &role,
            "the DLS role is saved",
        )
        .await?;
    let user = serde_json::json!({
        "username": DLS_USER,
        "password": crate::http::PASSWORD,
        "roles": [DLS_ROLE],
    });
    elastic
        .send_json(
            Method::POST,
            &format!("/internal/security/users/{DLS_USER}"),
            &user,
            "the DLS user is created",
        )
        .await?;
    Client::login(elastic.base(), DLS_USER).await
}

/// Section 2, as `user` (`leads_full_user`) and, for the access-mode changes, `elastic`.
pub async fn throughput(user: &Client, elastic: &Client, report: &mut Report) -> Result<()> {
    let addr: SocketAddr = reqwest::Url::parse(user.base())?
        .socket_addrs(|| None)?
        .first()
        .copied()
        .context("the server has no address")?;
    // The total the find route reports, so the figure says how many leads were behind it.
    let first: serde_json::Value = user.get_json(FIND_PATH).await?;
    let total = first["total"].as_u64().unwrap_or(0);
    let page_len = first["leads"].as_array().map_or(0, Vec::len);
    if total < LEADS as u64 || page_len != 100 {
        bail!(
            "find reports total {total} and {page_len} leads on page 1; expected ≥ {LEADS} and 100"
        );
    }

    let mut table = format!(
        "## 2. Server throughput\n\n\
         `gatehouse_server::start` in the bench process (release build with {}), seeded, \
         {total} leads in the default space ({LEADS} from `insert_synthetic_leads`), logged \
         in as `leads_full_user`. Load generator in the same process on loopback: \
         {CONNECTIONS} keep-alive connections, each writing its request and reading the \
         answer by its Content-Length before the next (`xtask/src/http/load.rs`, like wrk: \
         the bytes are read, not parsed or decompressed), back to back for {LOAD_SECS} s per \
         route; latency is send → last byte of the answer read, so it includes the client's \
         own work and the queueing of 64 concurrent requests. Client and server share the \
         machine's cores. Every request carries the headers the SPA's do, with Chromium's \
         `Accept-Encoding: {BROWSER_ENCODINGS}`, except the `find uncompressed` row (no \
         Accept-Encoding). The find rows ask one query again and again, as many \
         analysts opening the leads page do: after the first request the server sends the \
         answer it keeps until the next write (`find_cache`), gzip-compressed once for the \
         clients that accept it (the body column is what was sent). The uncached rows take 160 \
         queries in turn (pages 1–10, both sort fields and orders, each status and none; \
         100 leads each), five times what that cache holds, so each is read from SQLite and \
         built anew; the last of them has 1 connection ({UNLOADED_SECS} s): the latency of \
         one request on its own. The DLS rows ask the same as `find` and `find uncached` as \
         `{DLS_USER}`, whose one role reads the leads with the query \
         `{{\"term\":{{\"entity.type\":\"host\"}}}}` and every field but `priority`: \
         the server keeps the set of leads that query lets through until the next write, \
         pages through it in the asked order and leaves the field out of every lead. \
         `change_access_mode` \
         runs as `elastic` on the seeded dashboard `{ACCESS_MODE_DASHBOARD}`, alternating \
         `write_restricted` / `default` (every request a write); a 200 with a per-object \
         error counts as an error. The React reference has no rows here: it calls the same \
         server with the same requests.\n\n\
         | route | conns | requests | errors | req/s | p50 | p99 | max | body |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        SERVER_PROFILE.join(", ")
    );
    let mut lines = Vec::new();
    let dls = dls_user(elastic).await?;
    // The p99 of each row so far, for the DLS rows' targets.
    let mut p99s: Vec<(&str, f64)> = Vec::new();
    let find = || Route::get(user, vec![FIND_PATH.to_string()]);
    // More distinct queries than the server keeps answers for, each asked again only after
    // dozens of others: every request is read from the database and built anew.
    let uncached = || Route::get(user, uncached_find_paths());
    let mode = |m: &str| {
        serde_json::json!({
            "objects": [{ "type": "dashboard", "id": ACCESS_MODE_DASHBOARD }],
            "accessMode": m,
        })
    };
    for (name, path, route, conns, secs) in [
        (
            "privileges",
            PRIVILEGES_PATH,
            Route::get(user, vec![PRIVILEGES_PATH.to_string()]),
            CONNECTIONS,
            LOAD_SECS,
        ),
        ("find", FIND_PATH, find(), CONNECTIONS, LOAD_SECS),
        (
            "find uncompressed",
            FIND_UNCOMPRESSED_LABEL,
            Route {
                accept_encoding: None,
                ..find()
            },
            CONNECTIONS,
            LOAD_SECS,
        ),
        (
            "find uncached",
            UNCACHED_FIND_PATHS,
            uncached(),
            CONNECTIONS,
            LOAD_SECS,
        ),
        (
            "find uncached unloaded",
            UNCACHED_FIND_PATHS,
            uncached(),
            1,
            UNLOADED_SECS,
        ),
        (
            "find DLS",
            FIND_PATH,
            Route::get(&dls, vec![FIND_PATH.to_string()]),
            CONNECTIONS,
            LOAD_SECS,
        ),
        (
            "find DLS uncached",
            UNCACHED_FIND_PATHS,
            Route::get(&dls, uncached_find_paths()),
            CONNECTIONS,
            LOAD_SECS,
        ),
        (
            "change_access_mode",
            ACCESS_MODE_PATH,
            Route {
                method: Method::POST,
                cookie: elastic.cookie().to_string(),
                bodies: vec![mode("write_restricted"), mode("default")],
                error_in_body: true,
                ..Route::get(elastic, vec![ACCESS_MODE_PATH.to_string()])
            },
            CONNECTIONS,
            LOAD_SECS,
        ),
    ] {
        let verb = route.method.clone();
        let unrestricted_p99 = |row: &str| p99s.iter().find(|(n, _)| *n == row).map(|(_, p)| *p);
        println!("bench: loading {verb} {path} ({conns} connections, {secs} s)");
        let l = load(route, addr, conns, secs).await?;
        let _ = writeln!(
            table,
            "| `{verb} {path}` | {conns} | {} | {} | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms | {} B |",
            l.ok,
            l.errors,
            l.rps(),
            ms(l.p50),
            ms(l.p99),
            ms(l.max),
            l.body_bytes
        );
        let target = match name {
            "privileges" => format!(
                "target ≥ {PRIVILEGES_TARGET_RPS:.0} req/s: {}",
                verdict(l.rps() >= PRIVILEGES_TARGET_RPS && l.errors == 0)
            ),
            "find" => format!(
                "target p99 ≤ {FIND_TARGET_P99_MS} ms: {}",
                verdict(ms(l.p99) <= FIND_TARGET_P99_MS && l.errors == 0)
            ),
            "find uncompressed" => {
                "no target (the find row for a client that does not accept gzip)".to_string()
            }
            "find uncached" => {
                "no target (find when no answer is kept: the database read each time)".to_string()
            }
            "find uncached unloaded" => {
                "no target (one uncached find on its own, without queueing)".to_string()
            }
            "find DLS" | "find DLS uncached" => {
                let unrestricted = name.replace(" DLS", "");
                match unrestricted_p99(&unrestricted) {
                    Some(p99) => format!(
                        "target p99 ≤ {DLS_TARGET_FACTOR}× the {unrestricted} row's ({:.2} ms): {}",
                        p99 * DLS_TARGET_FACTOR,
                        verdict(ms(l.p99) <= p99 * DLS_TARGET_FACTOR && l.errors == 0)
                    ),
                    None => format!("no {unrestricted} row to compare with"),
                }
            }
            _ => "no target".to_string(),
        };
        p99s.push((name, ms(l.p99)));
        lines.push(format!(
            "server {name} ({verb} {path}, {total} leads, {conns} conns, {secs} s): {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors; {target}",
            l.rps(),
            ms(l.p50),
            ms(l.p99),
            l.errors
        ));
    }
    let _ = writeln!(
        table,
        "\nTargets: ≥ {PRIVILEGES_TARGET_RPS:.0} req/s for privileges on 2 cores; p99 ≤ \
         {FIND_TARGET_P99_MS} ms for find; a find under a DLS role within {DLS_TARGET_FACTOR}× \
         the p99 of the same find without one.\n"
    );
    for l in lines {
        let _ = writeln!(table, "- {l}");
        report.line(l);
    }
    report.sections.push(table);
    Ok(())
}
