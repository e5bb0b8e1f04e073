//! Slow and greedy clients against the real server (RELIABILITY.md, "Slow and greedy clients"):
//! a request head or body that never arrives is cut off, an idle keep-alive socket is let go,
//! and one address holding more sockets than its cap does not lock out another client.
//! `cargo test -p gatehouse-server --test connections -- --nocapture` prints `# connections: …`.

mod common;

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use common::{sid_pair, TestServer, PASSWORD};
use gatehouse_api::security::LoginRequest;
use gatehouse_server::connections::ConnectionLimits;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Short timeouts so the tests wait seconds, not the defaults' tens of seconds.
fn short(per_client: usize) -> ConnectionLimits {
    ConnectionLimits {
        header_read: Duration::from_secs(1),
        body_read: Duration::from_secs(1),
        max_connections: 4096,
        max_connections_per_client: per_client,
    }
}

async fn start(limits: ConnectionLimits) -> TestServer {
    TestServer::start_with(|config| config.connections = limits).await
}

fn addr(t: &TestServer) -> SocketAddr {
    t.server.as_ref().expect("running").addr
}

/// Reads until the server closes the socket (or `limit` passes: then `None`); returns what was
/// read and when the close came.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<(String, Duration)> {
    let started = Instant::now();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = limit.checked_sub(started.elapsed())?;
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => {
                return Some((
                    String::from_utf8_lossy(&seen).into_owned(),
                    started.elapsed(),
                ))
            }
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

fn status_line(answer: &str) -> &str {
    answer.lines().next().unwrap_or("(nothing)")
}

#[tokio::test]
async fn a_request_head_that_never_ends_is_closed_after_the_header_timeout() {
    let t = start(short(64)).await;
    let mut stream = TcpStream::connect(addr(&t)).await.expect("connect");
    stream
        .write_all(b"GET / HTTP/1.1\r\n")
        .await
        .expect("write");
    let (answer, after) = read_until_closed(&mut stream, Duration::from_secs(20))
        .await
        .expect("the server closes a socket whose head never ends");
    println!(
        "# connections: a head that never ended was closed after {:.1} s (header timeout 1 s), answer: {}",
        after.as_secs_f64(),
        status_line(&answer)
    );
    assert!(
        !answer.starts_with("HTTP/1.1 200"),
        "no page for half a head: {answer}"
    );
}

#[tokio::test]
async fn a_body_that_never_arrives_is_cut_off_after_the_body_timeout() {
    let t = start(short(64)).await;
    let mut stream = TcpStream::connect(addr(&t)).await.expect("connect");
    let head = concat!(
        "POST /internal/security/login HTTP/1.1\r\n",
        "host: localhost\r\n",
        "kbn-xsrf: true\r\n",
        "x-elastic-internal-origin: Kibana\r\n",
        "content-type: application/json\r\n",
        "content-length: 1000\r\n\r\n{"
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let (answer, after) = read_until_closed(&mut stream, Duration::from_secs(20))
        .await
        .expect("the server gives up on a body that never arrives");
    println!(
        "# connections: a POST declaring 1000 bytes and sending 1 was answered `{}` and closed after {:.1} s (body timeout 1 s)",
        status_line(&answer),
        after.as_secs_f64()
    );
    assert!(
        answer.starts_with("HTTP/1.1 400"),
        "a clear error for the body that did not come: {answer}"
    );
    assert!(
        answer.contains("The request body could not be read."),
        "{answer}"
    );
}

#[tokio::test]
async fn an_idle_keep_alive_socket_is_let_go_and_shutdown_does_not_wait_for_it() {
    let t = start(ConnectionLimits {
        // Longer than the 10 s `RunningServer::shutdown` waits: only shutdown can close these.
        header_read: Duration::from_secs(60),
        ..short(64)
    })
    .await;
    let request = b"GET /api/status HTTP/1.1\r\nhost: localhost\r\n\r\n";
    let mut idle = Vec::new();
    for _ in 0..3 {
        let mut stream = TcpStream::connect(addr(&t)).await.expect("connect");
        stream.write_all(request).await.expect("write");
        let mut buf = [0u8; 4096];
        let n = stream.read(&mut buf).await.expect("an answer");
        assert!(n > 0, "an answer before idling");
        idle.push(stream);
    }
    let mut t = t;
    let server = t.server.take().expect("running");
    let stopping = tokio::spawn(server.shutdown());
    for stream in &mut idle {
        let closed = read_until_closed(stream, Duration::from_secs(5)).await;
        assert!(
            closed.is_some(),
            "shutdown closes idle keep-alive sockets at once, not after the 60 s idle timeout"
        );
    }
    stopping.await.expect("shutdown finishes");

    // And with a short idle timeout, a socket left idle after its answer is closed.
    let t = start(short(64)).await;
    let mut stream = TcpStream::connect(addr(&t)).await.expect("connect");
    stream.write_all(request).await.expect("write");
    let mut buf = [0u8; 4096];
    assert!(stream.read(&mut buf).await.expect("answer") > 0);
    let (_, after) = read_until_closed(&mut stream, Duration::from_secs(20))
        .await
        .expect("an idle keep-alive socket is closed");
    println!(
        "# connections: an idle keep-alive socket was closed {:.1} s after its answer (idle timeout 1 s)",
        after.as_secs_f64()
    );
}

/// A reqwest client whose sockets come from `local` (another loopback address).
fn client_from(local: IpAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(local)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

#[tokio::test]
async fn one_address_holding_sockets_over_its_cap_does_not_lock_out_another() {
    const CAP: usize = 100;
    const HELD: usize = 300;
    let t = start(ConnectionLimits {
        // Held sockets send nothing; they must stay open for the whole test.
        header_read: Duration::from_secs(60),
        ..short(CAP)
    })
    .await;
    let server = addr(&t);

    // 127.0.0.1 opens HELD sockets and sends nothing.
    let mut held = Vec::with_capacity(HELD);
    for _ in 0..HELD {
        let socket = TcpSocket::new_v4().expect("socket");
        socket
            .bind("127.0.0.1:0".parse().expect("addr"))
            .expect("bind");
        held.push(socket.connect(server).await.expect("connect"));
    }
    // Those over the cap are answered 503 and closed at once; the others stay open.
    let mut refused = 0;
    let mut told_503 = 0;
    let mut still_open = 0;
    for stream in &mut held {
        match read_until_closed(stream, Duration::from_millis(200)).await {
            Some((answer, _)) => {
                assert!(
                    answer.is_empty() || answer.starts_with("HTTP/1.1 503"),
                    "{answer}"
                );
                refused += 1;
                told_503 += usize::from(!answer.is_empty());
            }
            None => still_open += 1,
        }
    }
    assert_eq!(still_open, CAP, "127.0.0.1 keeps exactly its cap");
    assert_eq!(refused, HELD - CAP);

    // A second client, from 127.0.0.2, signs in and asks who it is.
    let other = client_from("127.0.0.2".parse().expect("ip"));
    let started = Instant::now();
    let login = other
        .post(format!("http://{server}/internal/security/login"))
        .header("kbn-xsrf", "true")
        .header("x-elastic-internal-origin", "Kibana")
        .json(&LoginRequest::basic("elastic", PASSWORD, "/login"))
        .send()
        .await
        .expect("the second client is let in");
    assert_eq!(login.status(), StatusCode::OK);
    let cookie = sid_pair(&login).expect("a session");
    let me = other
        .get(format!("http://{server}/internal/security/me"))
        .header("x-elastic-internal-origin", "Kibana")
        .header("cookie", &cookie)
        .send()
        .await
        .expect("/me answers");
    let took = started.elapsed();
    assert_eq!(me.status(), StatusCode::OK);
    let me: serde_json::Value = me.json().await.expect("json");
    assert_eq!(me["username"], "elastic");

    // 127.0.0.1 itself is still refused while it holds its cap.
    let mut more = TcpStream::connect(server).await.expect("connect");
    let (answer, _) = read_until_closed(&mut more, Duration::from_secs(5))
        .await
        .expect("refused at once");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("retry-after"), "{answer}");

    println!(
        "# connections: 127.0.0.1 opened {HELD} silent sockets (cap {CAP} per address): {still_open} held, {refused} closed at once ({told_503} of them told 503 first); \
         127.0.0.2 signed in and got /internal/security/me 200 in {} ms",
        took.as_millis()
    );
}
