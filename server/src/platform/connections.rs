//! The accept loop: how long a client may take to send a request, and how many connections the
//! server and one client address may hold (RELIABILITY.md, "Slow and greedy clients").
//!
//! - **Header read and idle keep-alive**: hyper's HTTP/1 `header_read_timeout` with a Tokio timer.
//!   Hyper starts that timer whenever a connection waits for a request head: right after accept
//!   and again after each response, so it bounds both a slow head and an idle keep-alive socket.
//! - **Body read**: each request body must arrive whole within [`ConnectionLimits::body_read`] of
//!   its head ([`DeadlineBody`]). tower-http's `RequestBodyTimeout` restarts its clock on every
//!   frame, so a client sending one byte every few seconds would hold the socket for as long as
//!   the body limit allows; a deadline does not.
//! - **Connection caps**: a global cap kept below the process's open-file limit (so `accept` never
//!   fails with "Too many open files", [`global_cap`]) and a per-client cap (one IPv4 address, or one IPv6 /64),
//!   so one client holding sockets cannot take the others' places. A connection over a cap gets a
//!   503 with `Retry-After` written without reading anything, and is closed.
//! - **Graceful shutdown**: hyper-util's `GracefulShutdown`: idle keep-alive sockets close at
//!   once, requests in flight finish.
//! - **HTTPS** (`platform/tls.rs`): the TLS handshake runs in the connection's own task after the
//!   caps admitted it, and must finish within [`ConnectionLimits::header_read`] like a request
//!   head, so a client that opens a socket and never completes a handshake holds it no longer than
//!   one that never sends a head. A connection over a cap is closed without the plain-text 503,
//!   which a TLS client could not read.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::response::Response;
use http_body::Frame;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::time::{Instant, Sleep};
use tokio_rustls::TlsAcceptor;
use tower::{Service, ServiceExt};

/// The server's patience with clients and how many sockets they may hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A request head must arrive whole within this, counted from accept or from the previous
    /// response: it is also the idle keep-alive timeout.
    pub header_read: Duration,
    /// A request body must arrive whole within this of its head.
    pub body_read: Duration,
    /// Connections open at once, all clients together.
    pub max_connections: usize,
    /// Connections open at once from one client (one IPv4 address or one IPv6 /64).
    pub max_connections_per_client: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            // Browsers send a head in one packet; 20 s leaves room for a slow mobile link, and
            // idle keep-alive sockets a browser no longer uses are let go after as long.
            header_read: Duration::from_secs(20),
            // Bodies are JSON under `kibana::BODY_LIMIT` (1 MiB).
            body_read: Duration::from_secs(30),
            // Below the usual 4096-or-more open-file limit, with room for the database and
            // static files.
            max_connections: 2048,
            // A browser opens 6 per origin; several people behind one NAT share an address.
            max_connections_per_client: 128,
        }
    }
}

/// Whose connection it is for the per-client cap: IPv6 clients usually get a whole /64, so its
/// addresses count as one client.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// The connections open now, in total and per client.
#[derive(Debug, Default)]
struct OpenConnections {
    total: usize,
    per_client: HashMap<IpAddr, usize>,
}

impl OpenConnections {
    /// Counts one more for `client` if both caps allow it.
    fn admit(&mut self, client: IpAddr, limits: &ConnectionLimits) -> bool {
        let held = self.per_client.get(&client).copied().unwrap_or(0);
        if self.total >= limits.max_connections || held >= limits.max_connections_per_client {
            return false;
        }
        self.total += 1;
        self.per_client.insert(client, held + 1);
        true
    }

    fn release(&mut self, client: IpAddr) {
        self.total = self.total.saturating_sub(1);
        if let Some(held) = self.per_client.get_mut(&client) {
            *held = held.saturating_sub(1);
            if *held == 0 {
                self.per_client.remove(&client);
            }
        }
    }
}

/// One admitted connection; dropping it gives its place back.
struct Admitted {
    open: Arc<Mutex<OpenConnections>>,
    client: IpAddr,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .release(self.client);
    }
}

/// Open files kept for everything but client sockets: the database and its journal, the audit
/// log, static files being sent, the listener.
const FILES_FOR_THE_REST: usize = 128;

/// The global cap actually used: `configured`, but never so high that client sockets could take
/// the file descriptors the rest of the server needs (`open_files`: the process's soft limit).
pub fn global_cap(configured: usize, open_files: Option<usize>) -> usize {
    match open_files {
        Some(limit) => configured.min(limit.saturating_sub(FILES_FOR_THE_REST).max(1)),
        None => configured,
    }
}

/// The process's soft limit on open files (`RLIMIT_NOFILE`), if it can be read.
fn open_file_limit() -> Option<usize> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct we pass, which lives for the call.
    let read = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    if read != 0 || limit.rlim_cur == libc::RLIM_INFINITY {
        return None;
    }
    usize::try_from(limit.rlim_cur).ok()
}

/// What a connection over a cap is told before it is closed.
const OVER_CAP: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nretry-after: 1\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";

/// Accepts connections on `listener` and serves each with `app` (over TLS when `tls` is given)
/// until `shutdown` fires; then closes idle connections and waits for requests in flight.
pub async fn serve<S>(
    listener: TcpListener,
    app: S,
    limits: ConnectionLimits,
    tls: Option<TlsAcceptor>,
    shutdown: oneshot::Receiver<()>,
) -> std::io::Result<()>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    let mut limits = limits;
    let configured = limits.max_connections;
    limits.max_connections = global_cap(configured, open_file_limit());
    if limits.max_connections < configured {
        tracing::warn!(
            configured,
            used = limits.max_connections,
            "the connection cap is lowered to stay under the open-file limit"
        );
    }
    let open = Arc::new(Mutex::new(OpenConnections::default()));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read);
    let http = Arc::new(http);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, remote) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, say: the caps should prevent it; wait rather
                    // than spin.
                    tracing::warn!(%error, "accept error");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let client = client_key(remote.ip());
        let admitted = open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .admit(client, &limits);
        if !admitted {
            // Best effort, never waiting: the client learns why, then the socket closes.
            if tls.is_none() {
                let _ = tcp.try_write(OVER_CAP);
            }
            tracing::debug!(%remote, "connection over the cap refused");
            continue;
        }
        let admitted = Admitted {
            open: open.clone(),
            client,
        };
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
        let service = hyper_service(app.clone(), remote, limits.body_read);
        // Taken before the handshake, so shutdown also waits for (bounded) handshakes in progress.
        let watcher = graceful.watcher();
        let http = http.clone();
        let tls = tls.clone();
        let handshake_within = limits.header_read;
        tokio::spawn(async move {
            let served = match tls {
                None => {
                    watcher
                        .watch(http.serve_connection(TokioIo::new(tcp), service))
                        .await
                }
                Some(acceptor) => {
                    match tokio::time::timeout(handshake_within, acceptor.accept(tcp)).await {
                        Ok(Ok(stream)) => {
                            watcher
                                .watch(http.serve_connection(TokioIo::new(stream), service))
                                .await
                        }
                        Ok(Err(error)) => {
                            tracing::debug!(%error, %remote, "TLS handshake failed");
                            Ok(())
                        }
                        Err(_) => {
                            tracing::debug!(%remote, "TLS handshake not finished in time");
                            Ok(())
                        }
                    }
                }
            };
            if let Err(error) = served {
                tracing::debug!(%error, %remote, "connection ended with an error");
            }
            drop(admitted);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// `app` for one connection: each request carries the client's address (`ConnectInfo`) and a
/// body with a deadline.
fn hyper_service<S>(
    app: S,
    remote: SocketAddr,
    body_read: Duration,
) -> impl hyper::service::Service<
    hyper::Request<Incoming>,
    Response = Response,
    Error = Infallible,
    Future = impl Future<Output = Result<Response, Infallible>> + Send,
> + Clone
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let mut req = req.map(|body| Body::new(DeadlineBody::new(body, body_read)));
        req.extensions_mut().insert(ConnectInfo(remote));
        app.clone().oneshot(req)
    })
}

/// A request body that fails once its deadline has passed.
pub struct DeadlineBody<B> {
    body: B,
    deadline: Pin<Box<Sleep>>,
}

impl<B> DeadlineBody<B> {
    pub fn new(body: B, within: Duration) -> Self {
        Self {
            body,
            deadline: Box::pin(tokio::time::sleep_until(Instant::now() + within)),
        }
    }
}

/// The body did not arrive within [`ConnectionLimits::body_read`].
#[derive(Debug)]
pub struct BodyTooSlow;

impl std::fmt::Display for BodyTooSlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body did not arrive in time")
    }
}

impl std::error::Error for BodyTooSlow {}

impl<B> http_body::Body for DeadlineBody<B>
where
    B: http_body::Body + Unpin,
    B::Error: Into<axum::BoxError>,
{
    type Data = B::Data;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        // Data already here is taken even at the deadline; only waiting for more is refused.
        if let Poll::Ready(frame) = Pin::new(&mut self.body).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(Box::new(BodyTooSlow))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(total: usize, per_client: usize) -> ConnectionLimits {
        ConnectionLimits {
            max_connections: total,
            max_connections_per_client: per_client,
            ..ConnectionLimits::default()
        }
    }

    #[test]
    fn one_client_is_refused_at_its_cap_while_another_still_gets_in() {
        let limits = limits(10, 2);
        let mut open = OpenConnections::default();
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        assert!(open.admit(a, &limits));
        assert!(open.admit(a, &limits));
        assert!(!open.admit(a, &limits), "a third from one client");
        assert!(open.admit(b, &limits), "another client");
        open.release(a);
        assert!(open.admit(a, &limits), "a place given back is taken again");
    }

    #[test]
    fn the_global_cap_holds_across_clients_and_releases_forget_empty_clients() {
        let limits = limits(2, 5);
        let mut open = OpenConnections::default();
        let ips: Vec<IpAddr> = ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert!(open.admit(ips[0], &limits));
        assert!(open.admit(ips[1], &limits));
        assert!(!open.admit(ips[2], &limits));
        open.release(ips[0]);
        open.release(ips[1]);
        assert_eq!(open.total, 0);
        assert!(open.per_client.is_empty());
    }

    #[test]
    fn the_global_cap_stays_under_the_open_file_limit() {
        assert_eq!(global_cap(2048, Some(1024)), 1024 - FILES_FOR_THE_REST);
        assert_eq!(global_cap(2048, Some(20_000)), 2048);
        assert_eq!(global_cap(2048, None), 2048);
        assert_eq!(
            global_cap(2048, Some(10)),
            1,
            "a tiny limit still lets one client in"
        );
    }

    #[test]
    fn ipv6_clients_are_counted_per_64_and_mapped_ipv4_as_ipv4() {
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let same_64: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other_64: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(one), client_key(same_64));
        assert_ne!(client_key(one), client_key(other_64));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(client_key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }
}
