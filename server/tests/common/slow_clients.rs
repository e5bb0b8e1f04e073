//! Slow and greedy clients (RELIABILITY.md, "Slow and greedy clients"), each on a server of its
//! own with short timeouts: a request head or body that never arrives, and one address holding
//! more sockets than its cap while another client signs in. Each prints its `# connections: …`
//! figure and comes back as an [`Attempt`]: `tests/connections.rs` asserts them, the attack
//! suite counts them.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use gatehouse_api::security::LoginRequest;
use gatehouse_server::connections::ConnectionLimits;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use super::{sid_pair, Attempt, TestServer, PASSWORD};

/// Short timeouts so the attempts wait seconds, not the defaults' tens of seconds.
pub fn short(per_client: usize) -> ConnectionLimits {
    ConnectionLimits {
        header_read: Duration::from_secs(1),
        body_read: Duration::from_secs(1),
        max_connections: 4096,
        max_connections_per_client: per_client,
    }
}

pub async fn start(limits: ConnectionLimits) -> TestServer {
    TestServer::start_with(|config| config.connections = limits).await
}

pub fn addr(t: &TestServer) -> SocketAddr {
    t.server.as_ref().expect("running").addr
}

/// Reads until the server closes the socket (or `limit` passes: then `None`); returns what was
/// read and when the close came.
pub async fn read_until_closed(
    stream: &mut TcpStream,
    limit: Duration,
) -> Option<(String, Duration)> {
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

pub fn status_line(answer: &str) -> &str {
    answer.lines().next().unwrap_or("(nothing)")
}

/// A reqwest client whose sockets come from `local` (another loopback address).
pub fn client_from(local: IpAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(local)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// Every slow-client attempt, in turn.
pub async fn attempts() -> Vec<Attempt> {
    vec![
        unending_head().await,
        unarriving_body().await,
        socket_flood().await,
    ]
}

/// `GET / HTTP/1.1\r\n` and nothing more: blocked when the server closes the socket within 20 s
/// (header timeout 1 s) without serving a page.
pub async fn unending_head() -> Attempt {
    let t = start(short(64)).await;
    let mut stream = TcpStream::connect(addr(&t)).await.expect("connect");
    stream
        .write_all(b"GET / HTTP/1.1\r\n")
        .await
        .expect("write");
    let closed = read_until_closed(&mut stream, Duration::from_secs(20)).await;
    let detail = match &closed {
        Some((answer, after)) => {
            let line = format!(
                "a head that never ended was closed after {:.1} s (header timeout 1 s), answer: {}",
                after.as_secs_f64(),
                status_line(answer)
            );
            println!("# connections: {line}");
            line
        }
        None => "a head that never ended was still open after 20 s".to_string(),
    };
    Attempt {
        what: "slow client: a request head that never ends".into(),
        blocked: closed.is_some_and(|(answer, _)| !answer.starts_with("HTTP/1.1 200")),
        detail,
    }
}

/// A POST declaring 1,000 bytes and sending one: blocked when it is answered with a clear 400 and
/// closed within 20 s (body timeout 1 s).
pub async fn unarriving_body() -> Attempt {
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
    let closed = read_until_closed(&mut stream, Duration::from_secs(20)).await;
    let detail = match &closed {
        Some((answer, after)) => {
            let line = format!(
                "a POST declaring 1000 bytes and sending 1 was answered `{}` and closed after {:.1} s (body timeout 1 s)",
                status_line(answer),
                after.as_secs_f64()
            );
            println!("# connections: {line}");
            format!("{line}: {answer}")
        }
        None => "a POST whose body never came was still open after 20 s".to_string(),
    };
    Attempt {
        what: "slow client: a request body that never arrives".into(),
        blocked: closed.is_some_and(|(answer, _)| {
            answer.starts_with("HTTP/1.1 400")
                && answer.contains("The request body could not be read.")
        }),
        detail,
    }
}

/// 127.0.0.1 opens 300 silent sockets against a cap of 100 per address while 127.0.0.2 signs in
/// and asks who it is. Blocked when 127.0.0.1 holds exactly its cap (the rest refused at once,
/// with a 503 when anything is said), 127.0.0.2 gets `/me` 200, and one more socket from
/// 127.0.0.1 is refused with `Retry-After`.
pub async fn socket_flood() -> Attempt {
    const CAP: usize = 100;
    const HELD: usize = 300;
    let t = start(ConnectionLimits {
        // Held sockets send nothing; they must stay open for the whole attempt.
        header_read: Duration::from_secs(60),
        ..short(CAP)
    })
    .await;
    let server = addr(&t);

    let mut held = Vec::with_capacity(HELD);
    for _ in 0..HELD {
        let socket = TcpSocket::new_v4().expect("socket");
        socket
            .bind("127.0.0.1:0".parse().expect("addr"))
            .expect("bind");
        held.push(socket.connect(server).await.expect("connect"));
    }
    let (mut refused, mut told_503, mut still_open, mut said_other) = (0, 0, 0, Vec::new());
    for stream in &mut held {
        match read_until_closed(stream, Duration::from_millis(200)).await {
            Some((answer, _)) => {
                refused += 1;
                if answer.starts_with("HTTP/1.1 503") {
                    told_503 += 1;
                } else if !answer.is_empty() {
                    said_other.push(status_line(&answer).to_string());
                }
            }
            None => still_open += 1,
        }
    }

    // A second client, from 127.0.0.2, signs in and asks who it is.
    let other = client_from("127.0.0.2".parse().expect("ip"));
    let started = Instant::now();
    let login = other
        .post(format!("http://{server}/internal/security/login"))
        .header("kbn-xsrf", "true")
        .header("x-elastic-internal-origin", "Kibana")
        .json(&LoginRequest::basic("elastic", PASSWORD, "/login"))
        .send()
        .await;
    let cookie = login
        .as_ref()
        .ok()
        .filter(|r| r.status() == StatusCode::OK)
        .and_then(sid_pair);
    let me = match &cookie {
        Some(cookie) => other
            .get(format!("http://{server}/internal/security/me"))
            .header("x-elastic-internal-origin", "Kibana")
            .header("cookie", cookie)
            .send()
            .await
            .ok(),
        None => None,
    };
    let took = started.elapsed();
    let me_status = me.as_ref().map(|r| r.status());
    let me_user = match me {
        Some(r) => r
            .json::<serde_json::Value>()
            .await
            .ok()
            .and_then(|v| v["username"].as_str().map(str::to_string)),
        None => None,
    };

    // 127.0.0.1 itself is still refused while it holds its cap.
    let mut more = TcpStream::connect(server).await.expect("connect");
    let extra = read_until_closed(&mut more, Duration::from_secs(5))
        .await
        .map(|(answer, _)| answer)
        .unwrap_or_default();

    let line = format!(
        "127.0.0.1 opened {HELD} silent sockets (cap {CAP} per address): {still_open} held, {refused} closed at once ({told_503} of them told 503 first); \
         127.0.0.2 signed in and got /internal/security/me {} in {} ms",
        me_status.map_or("no answer".to_string(), |s| s.as_u16().to_string()),
        took.as_millis()
    );
    println!("# connections: {line}");
    Attempt {
        what: "greedy client: 300 sockets from one address".into(),
        blocked: still_open == CAP
            && refused == HELD - CAP
            && said_other.is_empty()
            && me_status == Some(StatusCode::OK)
            && me_user.as_deref() == Some("elastic")
            && extra.starts_with("HTTP/1.1 503")
            && extra.contains("retry-after"),
        detail: format!("{line}; other answers {said_other:?}; one more socket: {extra}"),
    }
}
