//! Slow and greedy clients against the real server (RELIABILITY.md, "Slow and greedy clients"):
//! a request head or body that never arrives is cut off, an idle keep-alive socket is let go,
//! and one address holding more sockets than its cap does not lock out another client.
//! `cargo test -p gatehouse-server --test connections -- --nocapture` prints `# connections: …`.

mod common;

use std::time::Duration;

use common::slow_clients::{self, addr, read_until_closed, short, start};
use common::Attempt;
use gatehouse_server::connections::ConnectionLimits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The attack suite counts these attempts too; here each must be blocked.
fn assert_blocked(attempt: Attempt) {
    assert!(attempt.blocked, "{}: {}", attempt.what, attempt.detail);
}

#[tokio::test]
async fn a_request_head_that_never_ends_is_closed_after_the_header_timeout() {
    assert_blocked(slow_clients::unending_head().await);
}

#[tokio::test]
async fn a_body_that_never_arrives_is_cut_off_after_the_body_timeout() {
    assert_blocked(slow_clients::unarriving_body().await);
}

#[tokio::test]
async fn one_address_holding_sockets_over_its_cap_does_not_lock_out_another() {
    assert_blocked(slow_clients::socket_flood().await);
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
