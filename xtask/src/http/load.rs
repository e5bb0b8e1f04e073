//! The bench's load generator (BENCHMARKS.md, section 2): one keep-alive HTTP/1.1 connection
//! that writes a request built once and reads the answer by its `Content-Length`, as wrk does.
//!
//! Client and server share the machine's two cores, so whatever the client spends per request is
//! taken from the server and shows up in the server's latency. reqwest (pooling, header maps,
//! body streams) spent about as much per request as the route it measured.

use anyhow::{bail, Context, Result};

/// The status line and headers of an answer: its status, and where its body starts and ends in
/// the bytes read so far.
#[derive(Debug, PartialEq, Eq)]
pub struct Head {
    pub status: u16,
    pub body_start: usize,
    pub body_len: usize,
}

/// Parses the head at the start of `buf`: `Ok(None)` until all of it has arrived. Only what the
/// load generator can rely on is accepted: HTTP/1.1, a `Content-Length`, the connection kept open.
pub fn parse_head(buf: &[u8]) -> Result<Option<Head>> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = std::str::from_utf8(&buf[..end]).context("answer head is not UTF-8")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse::<u16>().ok())
        .with_context(|| format!("not an HTTP/1.1 status line: {status_line:?}"))?;
    let mut body_len = None;
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .with_context(|| format!("bad header line: {line:?}"))?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            body_len = Some(
                value
                    .parse::<usize>()
                    .with_context(|| format!("bad content-length: {value:?}"))?,
            );
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            bail!("transfer-encoding {value} is not supported");
        } else if name.eq_ignore_ascii_case("connection") && value.eq_ignore_ascii_case("close") {
            bail!("the server closes the connection");
        }
    }
    Ok(Some(Head {
        status,
        body_start: end + 4,
        body_len: body_len.context("answer without content-length")?,
    }))
}

/// The bytes of one request: `target` is the path and query, `headers` go as given, and a body
/// gets its `Content-Length` (and is sent as JSON).
pub fn request(
    method: &str,
    target: &str,
    host: &str,
    headers: &[(&str, &str)],
    json_body: Option<&[u8]>,
) -> Vec<u8> {
    let mut out = format!("{method} {target} HTTP/1.1\r\nhost: {host}\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = json_body {
        out.push_str(&format!(
            "content-type: application/json\r\ncontent-length: {}\r\n",
            body.len()
        ));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(json_body.unwrap_or_default());
    bytes
}

#[cfg(feature = "bench")]
pub use connection::Connection;

#[cfg(feature = "bench")]
mod connection {
    use anyhow::{bail, Context, Result};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    use super::parse_head;

    pub struct Connection {
        stream: TcpStream,
        buf: Vec<u8>,
    }

    impl Connection {
        pub async fn open(addr: std::net::SocketAddr) -> Result<Self> {
            let stream = TcpStream::connect(addr)
                .await
                .with_context(|| format!("connect {addr}"))?;
            stream.set_nodelay(true)?;
            Ok(Self {
                stream,
                buf: Vec::with_capacity(256 * 1024),
            })
        }

        /// Sends `request` and reads the whole answer: its status and body.
        pub async fn send(&mut self, request: &[u8]) -> Result<(u16, &[u8])> {
            self.stream.write_all(request).await.context("write")?;
            self.buf.clear();
            let head = loop {
                if let Some(head) = parse_head(&self.buf)? {
                    break head;
                }
                self.read_more().await?;
            };
            let end = head.body_start + head.body_len;
            while self.buf.len() < end {
                self.read_more().await?;
            }
            if self.buf.len() > end {
                bail!("more bytes than the answer's content-length");
            }
            Ok((head.status, &self.buf[head.body_start..end]))
        }

        async fn read_more(&mut self) -> Result<()> {
            if self.buf.capacity() - self.buf.len() < 64 * 1024 {
                self.buf.reserve(64 * 1024);
            }
            match self.stream.read_buf(&mut self.buf).await {
                Ok(0) => bail!("the server closed the connection"),
                Ok(_) => Ok(()),
                Err(e) => Err(anyhow::Error::new(e).context("read")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_is_parsed_once_complete_and_gives_the_body_s_place() {
        let answer =
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
        assert_eq!(parse_head(&answer[..20]).ok(), Some(None));
        assert_eq!(
            parse_head(answer).ok(),
            Some(Some(Head {
                status: 200,
                body_start: answer.len() - 2,
                body_len: 2
            }))
        );
        let forbidden = b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(
            parse_head(forbidden).map(|h| h.map(|h| h.status)).ok(),
            Some(Some(403))
        );
    }

    #[test]
    fn answers_the_generator_cannot_time_are_errors() {
        for (answer, why) in [
            (&b"HTTP/1.1 200 OK\r\n\r\n"[..], "without content-length"),
            (
                b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n",
                "transfer-encoding",
            ),
            (
                b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 0\r\n\r\n",
                "closes",
            ),
            (
                b"HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n",
                "status line",
            ),
            (
                b"HTTP/1.1 200 OK\r\ncontent-length: many\r\n\r\n",
                "content-length",
            ),
        ] {
            let err = format!("{:#}", parse_head(answer).expect_err(why));
            assert!(err.contains(why), "{err:?} should say {why:?}");
        }
    }

    #[test]
    fn a_request_carries_its_headers_and_the_body_s_length() {
        let r = request(
            "POST",
            "/internal/x?a=1",
            "127.0.0.1:5601",
            &[("cookie", "sid=abc")],
            Some(b"{\"k\":1}"),
        );
        assert_eq!(
            String::from_utf8(r).unwrap(),
            "POST /internal/x?a=1 HTTP/1.1\r\nhost: 127.0.0.1:5601\r\ncookie: sid=abc\r\n\
             content-type: application/json\r\ncontent-length: 7\r\n\r\n{\"k\":1}"
        );
    }
}
