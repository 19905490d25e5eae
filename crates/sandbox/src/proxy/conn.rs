//! One client connection: read and parse the request, ask the guard, connect to a pinned
//! address, then tunnel (`CONNECT`) or forward one request and stream its response back.
//! Every request ends in exactly one [`ProxyDecision`].

use std::io::{BufReader, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::time::Instant;

use hardclaw_policy::NetworkGuard;
use hardclaw_policy::guard::DnsResolver;
use hardclaw_policy::net::PinnedTarget;

use super::http::{self, Body, HeadError, Prefixed, Request};
use super::relay::{self, Duplex};
use super::{
    CONNECT_PORT, CONNECT_TIMEOUT, HEAD_TIMEOUT, HTTP_PORT, IDLE_TIMEOUT, MAX_HEAD_BYTES,
    MAX_HEADERS, MAX_LOGGED_TARGET, MAX_REQUEST_LINE_BYTES, MAX_RESPONSE_HEAD_BYTES, ProxyDecision,
};

/// Pinned addresses tried per request (each with [`CONNECT_TIMEOUT`]).
const MAX_CONNECT_ATTEMPTS: usize = 4;

/// What every connection handler shares.
pub(crate) struct Ctx {
    pub guard: Arc<NetworkGuard>,
    pub agent_id: Option<String>,
    pub on_decision: Arc<dyn Fn(&ProxyDecision) + Send + Sync>,
    pub dns: Arc<dyn DnsResolver + Send + Sync>,
}

/// A refused request: the status and short text the client gets, the rule and reason the log
/// gets.
struct Refusal {
    status: u16,
    rule: String,
    reason: String,
    public: String,
}

impl Refusal {
    fn new(status: u16, rule: &str, reason: impl Into<String>, public: impl Into<String>) -> Self {
        Refusal {
            status,
            rule: rule.to_string(),
            reason: reason.into(),
            public: public.into(),
        }
    }

    fn malformed(reason: &str) -> Refusal {
        Refusal::new(400, "malformed-request", reason, "malformed proxy request")
    }
}

impl From<HeadError> for Refusal {
    fn from(e: HeadError) -> Refusal {
        match e {
            HeadError::Timeout => Refusal::new(
                408,
                "request-timeout",
                "request head not received in time",
                "request timeout",
            ),
            HeadError::TooLarge => Refusal::new(
                431,
                "header-too-large",
                format!("request head larger than {MAX_HEAD_BYTES} bytes"),
                "request header too large",
            ),
            HeadError::LineTooLong => Refusal::new(
                414,
                "request-line-too-long",
                format!("request line longer than {MAX_REQUEST_LINE_BYTES} bytes"),
                "request line too long",
            ),
            HeadError::TooManyHeaders => Refusal::new(
                431,
                "too-many-headers",
                format!("more than {MAX_HEADERS} header fields"),
                "too many header fields",
            ),
            HeadError::Truncated => Refusal::malformed("connection closed inside the request head"),
            HeadError::Malformed(why) => Refusal::malformed(why),
            HeadError::Closed | HeadError::Io => {
                Refusal::malformed("socket error while reading the request head")
            }
        }
    }
}

fn status_text(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        403 => "Forbidden",
        408 => "Request Timeout",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// Writes a short plain-text response (best effort: the client may be gone).
pub(crate) fn respond(stream: &mut impl Write, status: u16, text: &str) {
    let body = format!("hardclaw egress proxy: {text}\n");
    let head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        status_text(status),
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
}

/// The target as logged: control and non-ASCII bytes escaped, cut to [`MAX_LOGGED_TARGET`].
pub(crate) fn loggable(raw: &[u8]) -> String {
    let mut out = String::new();
    for &b in raw {
        if out.len() >= MAX_LOGGED_TARGET {
            out.push('…');
            break;
        }
        if b.is_ascii_graphic() || b == b' ' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

impl Ctx {
    fn log(&self, target: &str, allowed: bool, rule: &str, reason: &str) {
        (self.on_decision)(&ProxyDecision {
            target: target.to_string(),
            allowed,
            rule: rule.to_string(),
            reason: reason.to_string(),
        });
    }

    fn refuse(&self, client: &mut UnixStream, target: &str, r: &Refusal) {
        self.log(target, false, &r.rule, &r.reason);
        respond(client, r.status, &r.public);
    }

    /// The guard's verdict on `url` for this agent, then the proxy's port rule.
    fn check(&self, url: &str, port_allowed: u16) -> Result<PinnedTarget, Refusal> {
        let target = self
            .guard
            .check_fetch(url, self.agent_id.as_deref(), self.dns.as_ref())
            .map_err(|d| {
                Refusal::new(
                    403,
                    &d.rule,
                    d.reason,
                    format!("blocked by network policy ({})", d.rule),
                )
            })?;
        if target.port != port_allowed {
            return Err(Refusal::new(
                403,
                "port-not-allowed",
                format!(
                    "port {} not allowed here (only {port_allowed}) for {}",
                    target.port, target.host
                ),
                format!("port {} not allowed (only {port_allowed})", target.port),
            ));
        }
        Ok(target)
    }

    /// Serves one client connection to the end.
    pub(crate) fn serve(&self, mut client: UnixStream) {
        let _ = client.set_write_timeout(Some(IDLE_TIMEOUT));
        let mut partial = Vec::new();
        let deadline = Instant::now() + HEAD_TIMEOUT;
        let raw = match http::read_head(
            &mut client,
            MAX_HEAD_BYTES,
            MAX_REQUEST_LINE_BYTES,
            deadline,
            &mut partial,
        ) {
            Ok(raw) => raw,
            Err(HeadError::Closed) => return,
            Err(e) => {
                let target = loggable(http::first_line(&partial));
                self.refuse(&mut client, &target, &Refusal::from(e));
                return;
            }
        };
        let req = match http::parse_request(&raw.head, MAX_HEADERS) {
            Ok(req) => req,
            Err(e) => {
                let target = loggable(http::first_line(&raw.head));
                self.refuse(&mut client, &target, &Refusal::from(e));
                return;
            }
        };
        let target = loggable(req.target.as_bytes());
        if req.method == "CONNECT" {
            self.tunnel(client, &req, &target, &raw.rest);
        } else {
            self.forward(client, &req, &target, &raw.rest);
        }
    }

    fn tunnel(&self, mut client: UnixStream, req: &Request, target: &str, rest: &[u8]) {
        // Authority-form only: a host and a port, nothing that could change the URL's meaning.
        let authority = req.target.as_str();
        let bad = authority
            .bytes()
            .any(|b| matches!(b, b'/' | b'?' | b'#' | b'@' | b'\\' | b'%'));
        let has_port = authority.rsplit_once(':').is_some_and(|(h, p)| {
            !h.is_empty() && !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())
        });
        if bad || !has_port {
            let r = Refusal::malformed("CONNECT target is not host:port");
            self.refuse(&mut client, target, &r);
            return;
        }
        let pinned = match self.check(&format!("https://{authority}/"), CONNECT_PORT) {
            Ok(p) => p,
            Err(r) => return self.refuse(&mut client, target, &r),
        };
        let Some(upstream) = self.connect(&pinned, &mut client, target) else {
            return;
        };
        if client
            .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            .is_err()
        {
            return;
        }
        let _ = relay::pipe(client, upstream, rest, IDLE_TIMEOUT);
    }

    fn forward(&self, mut client: UnixStream, req: &Request, target: &str, rest: &[u8]) {
        let lower = req.target.to_ascii_lowercase();
        if !lower.starts_with("http://") {
            let r = if lower.starts_with("https://") {
                Refusal::new(
                    400,
                    "https-needs-connect",
                    "absolute-form https:// request (the proxy does not originate TLS)",
                    "use CONNECT for https",
                )
            } else {
                Refusal::new(
                    400,
                    "not-a-proxy-request",
                    "request target is not an absolute http:// URL",
                    "expected an absolute http:// URL or CONNECT",
                )
            };
            return self.refuse(&mut client, target, &r);
        }
        let body = match req.body() {
            Ok(b) => b,
            Err(e) => return self.refuse(&mut client, target, &Refusal::from(e)),
        };
        let pinned = match self.check(&req.target, HTTP_PORT) {
            Ok(p) => p,
            Err(r) => return self.refuse(&mut client, target, &r),
        };
        let Some((origin_form, host)) = origin_form(&pinned) else {
            let r = Refusal::malformed("checked URL has no path");
            return self.refuse(&mut client, target, &r);
        };
        let Some(mut upstream) = self.connect(&pinned, &mut client, target) else {
            return;
        };
        let _ = upstream.set_write_timeout(Some(IDLE_TIMEOUT));
        let _ = upstream.set_read_timeout(Some(IDLE_TIMEOUT));
        let _ = client.set_read_timeout(Some(IDLE_TIMEOUT));
        let head = http::upstream_request(req, &origin_form, &host);
        if upstream.write_all(&head).is_err() {
            return respond(&mut client, 502, "upstream write failed");
        }
        if body != Body::None && req.expects_continue() {
            let _ = client.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
        }
        {
            let mut src = BufReader::new(Prefixed::new(rest, &mut client));
            if http::relay_body(body, &mut src, &mut upstream).is_err() {
                return respond(&mut client, 400, "request body could not be relayed");
            }
        }
        self.stream_response(upstream, client);
    }

    fn stream_response(&self, mut upstream: TcpStream, mut client: UnixStream) {
        // Interim (1xx) heads pass unchanged; the final head is rewritten.
        let mut pending = Vec::new();
        for _ in 0..8 {
            let mut partial = std::mem::take(&mut pending);
            let deadline = Instant::now() + IDLE_TIMEOUT;
            let raw = match http::read_head(
                &mut upstream,
                MAX_RESPONSE_HEAD_BYTES,
                MAX_RESPONSE_HEAD_BYTES,
                deadline,
                &mut partial,
            ) {
                Ok(raw) => raw,
                Err(_) => return respond(&mut client, 502, "bad upstream response"),
            };
            let status = match http::response_status(&raw.head) {
                Ok(s) => s,
                Err(_) => return respond(&mut client, 502, "bad upstream response"),
            };
            if (100..200).contains(&status) && status != 101 {
                if client.write_all(&raw.head).is_err() {
                    return;
                }
                // Bytes after an interim head start the next head.
                pending = raw.rest;
                continue;
            }
            let head = match http::client_response(&raw.head, MAX_HEADERS * 2) {
                Ok(h) => h,
                Err(_) => return respond(&mut client, 502, "bad upstream response"),
            };
            if client.write_all(&head).is_err() || client.write_all(&raw.rest).is_err() {
                return;
            }
            relay::copy_until_eof(&mut upstream, &mut client, IDLE_TIMEOUT);
            let _ = client.shutdown_stream(std::net::Shutdown::Write);
            return;
        }
        respond(&mut client, 502, "bad upstream response");
    }

    /// Connects to the pinned addresses in order (no DNS here: pinning). Logs the decision:
    /// allowed, with the address reached or why none was.
    fn connect(
        &self,
        pinned: &PinnedTarget,
        client: &mut UnixStream,
        target: &str,
    ) -> Option<TcpStream> {
        let mut last_err = String::from("no address");
        for ip in pinned.addrs.iter().take(MAX_CONNECT_ATTEMPTS) {
            let addr = SocketAddr::new(*ip, pinned.port);
            match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    self.log(target, true, "allow", &format!("connected to {addr}"));
                    return Some(s);
                }
                Err(e) => last_err = format!("{addr}: {e}"),
            }
        }
        self.log(
            target,
            true,
            "allow",
            &format!("upstream unreachable ({last_err})"),
        );
        respond(client, 502, "upstream unreachable");
        None
    }
}

/// The origin-form target and `Host` value of a checked `http://` URL.
fn origin_form(pinned: &PinnedTarget) -> Option<(String, String)> {
    let url = url::Url::parse(&pinned.url).ok()?;
    let mut path = url.path().to_string();
    if path.is_empty() {
        path.push('/');
    }
    if let Some(q) = url.query() {
        path.push('?');
        path.push_str(q);
    }
    let host = match pinned.host.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => format!("[{v6}]"),
        _ => pinned.host.clone(),
    };
    let host = if pinned.port == HTTP_PORT {
        host
    } else {
        format!("{host}:{}", pinned.port)
    };
    Some((path, host))
}
