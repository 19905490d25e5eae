//! The live gateway probe (reference §3.1, adapted): `GET /health` with
//! `Authorization: Bearer <token>` on `127.0.0.1:<port>`, std only.
//!
//! Port: `$HARDCLAW_GATEWAY_PORT` (OpenClaw flavor: `$OPENCLAW_GATEWAY_PORT`) → `gateway.port` →
//! 18789. Token: `gateway.auth.token` (string) → the flavor's token variables →
//! `<state>/gateway.token` (first line). Timeout: 5 s in total, `$HARDCLAW_DEEP_TIMEOUT_MS`
//! overrides it.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::GatewayProbe;
use crate::context::AuditContext;

/// Default gateway port.
pub const DEFAULT_PORT: u16 = 18789;
/// Default total probe timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// Variable overriding the probe timeout (milliseconds).
pub const TIMEOUT_VAR: &str = "HARDCLAW_DEEP_TIMEOUT_MS";

/// What to probe and how.
#[derive(Clone)]
pub struct ProbeTarget {
    /// Port on 127.0.0.1.
    pub port: u16,
    /// Bearer token, if one is configured.
    pub token: Option<String>,
    /// Where the token came from (for messages; never the token itself).
    pub token_source: Option<String>,
    /// Total time budget (connect + write + read).
    pub timeout: Duration,
}

impl std::fmt::Debug for ProbeTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProbeTarget")
            .field("port", &self.port)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("token_source", &self.token_source)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl ProbeTarget {
    /// `http://127.0.0.1:PORT/health` (never contains the token).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/health", self.port)
    }
}

fn port_from_value(v: &Value) -> Option<u16> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|p| u16::try_from(p).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|&p| p != 0)
}

/// Resolves port, token and timeout from the context.
pub fn probe_target(ctx: &AuditContext<'_>) -> ProbeTarget {
    let resolved = &ctx.loaded.resolved;
    let gateway = resolved.get("gateway");
    let port = ctx
        .env_var(ctx.locations.gateway_port_var())
        .and_then(|p| p.trim().parse::<u16>().ok())
        .filter(|&p| p != 0)
        .or_else(|| {
            gateway
                .and_then(|g| g.get("port"))
                .and_then(port_from_value)
        })
        .unwrap_or(DEFAULT_PORT);

    let mut token = None;
    let mut token_source = None;
    if let Some(t) = gateway
        .and_then(|g| g.get("auth"))
        .and_then(|a| a.get("token"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        token = Some(t.to_string());
        token_source = Some("gateway.auth.token".to_string());
    }
    if token.is_none() {
        for var in ctx.locations.gateway_token_vars() {
            if let Some(t) = ctx.env_var(var) {
                token = Some(t.trim().to_string());
                token_source = Some(format!("${var}"));
                break;
            }
        }
    }
    if token.is_none() {
        let path = ctx.locations.state_dir.join("gateway.token");
        if let Ok(text) = std::fs::read_to_string(&path)
            && let Some(first) = text.lines().next().map(str::trim).filter(|l| !l.is_empty())
        {
            token = Some(first.to_string());
            token_source = Some(ctx.locations.display(&path));
        }
    }

    let timeout = ctx
        .env_var(TIMEOUT_VAR)
        .and_then(|t| t.trim().parse::<u64>().ok())
        .filter(|&ms| ms > 0)
        .map_or(DEFAULT_TIMEOUT, Duration::from_millis);

    ProbeTarget {
        port,
        token,
        token_source,
        timeout,
    }
}

struct Deadline {
    start: Instant,
    total: Duration,
}

impl Deadline {
    fn remaining(&self) -> io::Result<Duration> {
        self.total
            .checked_sub(self.start.elapsed())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| io::Error::from(io::ErrorKind::TimedOut))
    }
}

fn exchange(target: &ProbeTarget, request: &[u8]) -> io::Result<String> {
    let deadline = Deadline {
        start: Instant::now(),
        total: target.timeout,
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, target.port));
    let mut stream = TcpStream::connect_timeout(&addr, deadline.remaining()?)?;
    stream.set_write_timeout(Some(deadline.remaining()?))?;
    stream.write_all(request)?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.contains(&b'\n') && buf.len() < 8192 {
        stream.set_read_timeout(Some(deadline.remaining()?))?;
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    if buf.is_empty() {
        return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
    }
    let line = buf.split(|&b| b == b'\n').next().unwrap_or_default();
    Ok(String::from_utf8_lossy(line).trim_end().to_string())
}

fn parse_status(line: &str) -> Option<u16> {
    let mut parts = line.split_whitespace();
    let version = parts.next()?;
    if !version.starts_with("HTTP/") {
        return None;
    }
    parts.next()?.parse().ok()
}

/// Probes `target` and describes the outcome.
pub fn probe_http(target: &ProbeTarget) -> GatewayProbe {
    let url = target.url();
    let hostport = format!("127.0.0.1:{}", target.port);
    let fail = |error: String| GatewayProbe {
        attempted: true,
        url: url.clone(),
        ok: false,
        error: Some(error),
        close: None,
    };
    let mut request = format!(
        "GET /health HTTP/1.1\r\nHost: {hostport}\r\nUser-Agent: hardclaw-audit\r\nAccept: */*\r\nConnection: close\r\n"
    );
    if let Some(token) = &target.token {
        if token.chars().any(char::is_control) {
            return fail("the gateway token contains control characters; it was not sent".into());
        }
        request.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    request.push_str("\r\n");

    let ms = target.timeout.as_millis();
    let line = match exchange(target, request.as_bytes()) {
        Ok(line) => line,
        Err(e) => {
            let msg = match e.kind() {
                io::ErrorKind::ConnectionRefused => {
                    format!("no gateway is listening on {hostport}")
                }
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
                    format!("timed out after {ms} ms waiting for the gateway on {hostport}")
                }
                io::ErrorKind::UnexpectedEof
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe => {
                    format!(
                        "the service on {hostport} closed the connection without an HTTP response"
                    )
                }
                _ => format!("could not reach the gateway on {hostport}: {e}"),
            };
            return fail(msg);
        }
    };
    match parse_status(&line) {
        Some(200) => GatewayProbe {
            attempted: true,
            url,
            ok: true,
            error: None,
            close: None,
        },
        Some(code @ (401 | 403)) => match &target.token_source {
            Some(src) => fail(format!(
                "the gateway rejected the token from {src} (HTTP {code})"
            )),
            None => fail(format!(
                "the gateway requires a token but none is configured (HTTP {code}); set gateway.auth.token, the token variable, or <state>/gateway.token"
            )),
        },
        Some(code) => fail(format!("unexpected HTTP status {code} from {url}")),
        None => fail(format!(
            "the service on {hostport} did not answer with HTTP (is it the gateway?)"
        )),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::thread;

    /// A tiny server: 200 for `Authorization: Bearer good`, 401 otherwise. Serves `n` requests.
    pub(crate) fn spawn_server(n: usize) -> (u16, thread::JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let handle = thread::spawn(move || {
            for _ in 0..n {
                let Ok((mut s, _)) = listener.accept() else {
                    return;
                };
                let mut req = Vec::new();
                let mut buf = [0u8; 512];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(k) => req.extend_from_slice(&buf[..k]),
                    }
                }
                let text = String::from_utf8_lossy(&req).to_ascii_lowercase();
                let ok = text.starts_with("get /health http/1.1\r\n")
                    && text
                        .lines()
                        .any(|l| l.trim() == "authorization: bearer good");
                let resp: &[u8] = if ok {
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                } else {
                    b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"
                };
                let _ = s.write_all(resp);
            }
        });
        (port, handle)
    }

    fn target(port: u16, token: Option<&str>) -> ProbeTarget {
        ProbeTarget {
            port,
            token: token.map(str::to_string),
            token_source: token.map(|_| "gateway.auth.token".to_string()),
            timeout: Duration::from_secs(5),
        }
    }

    #[test]
    fn ok_with_right_token_401_otherwise() {
        let (port, h) = spawn_server(3);
        let p = probe_http(&target(port, Some("good")));
        assert!(p.attempted && p.ok, "{p:?}");
        assert_eq!(p.url, format!("http://127.0.0.1:{port}/health"));
        assert_eq!(p.error, None);

        let p = probe_http(&target(port, Some("bad")));
        assert!(p.attempted && !p.ok);
        let err = p.error.expect("error");
        assert!(
            err.contains("rejected the token") && err.contains("401"),
            "{err}"
        );
        assert!(!err.contains("bad") && !p.url.contains("bad"));

        let p = probe_http(&target(port, None));
        assert!(p.error.expect("error").contains("none is configured"));
        h.join().expect("join");
    }

    #[test]
    fn closed_port_is_refused() {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        let p = probe_http(&target(port, Some("good")));
        assert!(p.attempted && !p.ok);
        assert_eq!(
            p.error.expect("error"),
            format!("no gateway is listening on 127.0.0.1:{port}")
        );
    }

    #[test]
    fn silent_server_times_out() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let mut t = target(port, Some("good"));
        t.timeout = Duration::from_millis(200);
        let start = Instant::now();
        let p = probe_http(&t);
        assert!(start.elapsed() < Duration::from_secs(3));
        assert!(!p.ok);
        assert!(p.error.expect("error").contains("timed out after 200 ms"));
        drop(listener);
    }

    #[test]
    fn non_http_and_odd_statuses() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let h = thread::spawn(move || {
            for resp in [
                &b"SSH-2.0-OpenSSH\r\n"[..],
                b"HTTP/1.1 500 Oops\r\n\r\n",
                b"",
            ] {
                let Ok((mut s, _)) = listener.accept() else {
                    return;
                };
                let mut buf = [0u8; 512];
                let _ = s.read(&mut buf);
                let _ = s.write_all(resp);
            }
        });
        let t = target(port, Some("good"));
        assert!(
            probe_http(&t)
                .error
                .expect("e")
                .contains("did not answer with HTTP")
        );
        assert!(
            probe_http(&t)
                .error
                .expect("e")
                .contains("unexpected HTTP status 500")
        );
        assert!(
            probe_http(&t)
                .error
                .expect("e")
                .contains("closed the connection")
        );
        h.join().expect("join");
    }

    #[test]
    fn control_characters_in_token_are_not_sent() {
        let p = probe_http(&target(1, Some("a\r\nX-Evil: 1")));
        assert!(!p.ok && p.error.expect("e").contains("control characters"));
    }

    #[test]
    fn debug_redacts_token() {
        assert!(!format!("{:?}", target(1, Some("sekrit"))).contains("sekrit"));
    }
}
