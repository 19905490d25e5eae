//! Proxy tests on real sockets, never the internet.
//!
//! Blocked paths need no upstream at all. Allowed paths do, and the guard refuses every
//! loopback, private and reserved address (rightly; it is not weakened for tests), so the
//! upstream server lives in a private network namespace made per test: `ip netns add`, then
//! `192.175.48.1/32` (AS112, which the classifier treats as global unicast) on that
//! namespace's own `lo`. The proxy under test is started from a thread inside the same
//! namespace (its threads inherit it), so its connections reach that address locally; the
//! namespace has no other interface, so no test packet can leave it, and the host's routes
//! are never touched. A fake resolver maps the allowlisted test name to that address.
//! Creating the namespace needs root (CAP_SYS_ADMIN) and `ip`: without them these tests
//! fail, loudly, rather than skip.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use hardclaw_policy::NetworkGuard;
use hardclaw_policy::guard::DnsResolver;
use serde_json::json;

use super::*;

/// The allowlisted test name and where the fake resolver points it.
const ALLOWED: &str = "allowed.example";
const UPSTREAM_IP: Ipv4Addr = Ipv4Addr::new(192, 175, 48, 1);

/// A resolver answering from a table, counting lookups.
#[derive(Debug, Default)]
struct TableDns {
    answers: HashMap<String, Vec<IpAddr>>,
    lookups: AtomicUsize,
}

impl TableDns {
    fn with(name: &str, ips: &[IpAddr]) -> Arc<TableDns> {
        let mut answers = HashMap::new();
        answers.insert(name.to_string(), ips.to_vec());
        Arc::new(TableDns {
            answers,
            lookups: AtomicUsize::new(0),
        })
    }
}

impl DnsResolver for TableDns {
    fn resolve(&self, host: &str) -> Result<Vec<IpAddr>, String> {
        self.lookups.fetch_add(1, Ordering::SeqCst);
        self.answers
            .get(host)
            .cloned()
            .ok_or_else(|| format!("NXDOMAIN {host}"))
    }
}

fn guard() -> Arc<NetworkGuard> {
    let config = json!({ "allowedDomains": [ALLOWED, "*.github.com", "github.com"] });
    let g = NetworkGuard::from_entry(Some(true), Some(&config));
    assert!(g.config_errors().is_empty(), "{:?}", g.config_errors());
    Arc::new(g)
}

type Log = Arc<Mutex<Vec<ProxyDecision>>>;

struct Running {
    handle: ProxyHandle,
    log: Log,
    _dir: tempfile::TempDir,
}

impl Running {
    fn decisions(&self) -> Vec<ProxyDecision> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn only_decision(&self) -> ProxyDecision {
        let d = self.decisions();
        assert_eq!(d.len(), 1, "expected exactly one decision: {d:#?}");
        d.into_iter().next().unwrap_or_else(|| unreachable!())
    }
}

fn start(dns: Arc<dyn DnsResolver + Send + Sync>) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let log: Log = Arc::default();
    let sink = Arc::clone(&log);
    let settings = ProxySettings {
        guard: guard(),
        agent_id: Some("main".into()),
        socket_path: dir.path().join("proxy.sock"),
        on_decision: Arc::new(move |d: &ProxyDecision| sink.lock().unwrap().push(d.clone())),
    };
    let handle = start_proxy_with_dns(settings, dns).unwrap();
    Running {
        handle,
        log,
        _dir: dir,
    }
}

/// Sends `request` and half-closes, reads until the proxy closes.
fn exchange(path: &Path, request: &[u8]) -> String {
    let mut s = UnixStream::connect(path).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    // The proxy may stop reading (and answer) before everything is written.
    let _ = s.write_all(request);
    let _ = s.shutdown(Shutdown::Write);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn status(response: &str) -> u16 {
    response
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn body(response: &str) -> &str {
    response.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

// ---------------------------------------------------------------------------------------
// Blocked paths (no upstream).

fn assert_blocked(run: &Running, response: &str, status_code: u16, rule: &str, target: &str) {
    assert_eq!(status(response), status_code, "{response}");
    assert!(response.contains("Connection: close"), "{response}");
    let d = run.only_decision();
    assert_eq!(
        (d.allowed, d.rule.as_str(), d.target.as_str()),
        (false, rule, target),
        "{d:#?}"
    );
}

#[test]
fn connect_to_cloud_metadata_is_blocked() {
    let run = start(TableDns::with(ALLOWED, &[]));
    let r = exchange(
        run.handle.socket_path(),
        b"CONNECT 169.254.169.254:80 HTTP/1.1\r\nHost: 169.254.169.254:80\r\n\r\n",
    );
    assert_blocked(&run, &r, 403, "cloud-metadata", "169.254.169.254:80");
    // The client sees a short fixed text, not the guard's reasoning.
    assert_eq!(
        body(&r),
        "hardclaw egress proxy: blocked by network policy (cloud-metadata)\n"
    );
}

#[test]
fn connect_to_loopback_listener_never_reaches_it() {
    let victim = TcpListener::bind("127.0.0.1:0").unwrap();
    victim.set_nonblocking(true).unwrap();
    let port = victim.local_addr().unwrap().port();
    let run = start(TableDns::with(ALLOWED, &[]));
    let target = format!("127.0.0.1:{port}");
    let r = exchange(
        run.handle.socket_path(),
        format!("CONNECT {target} HTTP/1.1\r\n\r\n").as_bytes(),
    );
    assert_blocked(&run, &r, 403, "direct-ip", &target);
    thread::sleep(Duration::from_millis(100));
    let accepted = victim.accept();
    assert!(
        matches!(&accepted, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the loopback listener was reached: {accepted:?}"
    );
}

#[test]
fn connect_to_non_allowlisted_domain_is_blocked_without_dns() {
    let dns = TableDns::with("evil.example", &[IpAddr::V4(UPSTREAM_IP)]);
    let run = start(dns.clone());
    let r = exchange(
        run.handle.socket_path(),
        b"CONNECT evil.example:443 HTTP/1.1\r\n\r\n",
    );
    assert_blocked(&run, &r, 403, "domain-not-allowlisted", "evil.example:443");
    // A name that is not allowlisted is never looked up (DNS is a channel too).
    assert_eq!(dns.lookups.load(Ordering::SeqCst), 0);
    assert!(
        run.only_decision()
            .reason
            .contains("domain not in allowlist")
    );
}

#[test]
fn connect_to_obfuscated_loopback_is_blocked() {
    let run = start(TableDns::with(ALLOWED, &[]));
    let r = exchange(
        run.handle.socket_path(),
        b"CONNECT 0x7f.1:443 HTTP/1.1\r\n\r\n",
    );
    assert_eq!(status(&r), 403, "{r}");
    let d = run.only_decision();
    assert!(!d.allowed);
    assert_eq!(d.target, "0x7f.1:443");
    assert!(
        ["direct-ip", "ssrf-obfuscated-ip", "obfuscated-ip"].contains(&d.rule.as_str()),
        "{d:#?}"
    );
}

#[test]
fn plain_http_to_ipv6_mapped_loopback_is_blocked() {
    let run = start(TableDns::with(ALLOWED, &[]));
    let r = exchange(
        run.handle.socket_path(),
        b"GET http://[::ffff:127.0.0.1]/admin HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_blocked(
        &run,
        &r,
        403,
        "direct-ip",
        "http://[::ffff:127.0.0.1]/admin",
    );
}

#[test]
fn allowlisted_name_resolving_to_private_address_is_blocked() {
    // DNS rebinding: one public and one private answer.
    let dns = TableDns::with(
        ALLOWED,
        &[
            IpAddr::V4(UPSTREAM_IP),
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5)),
        ],
    );
    let run = start(dns.clone());
    let r = exchange(
        run.handle.socket_path(),
        b"CONNECT allowed.example:443 HTTP/1.1\r\n\r\n",
    );
    assert_eq!(status(&r), 403, "{r}");
    assert_eq!(run.only_decision().rule, "ssrf-resolves-private");
    assert_eq!(dns.lookups.load(Ordering::SeqCst), 1);
}

#[test]
fn dns_failure_is_a_block() {
    let run = start(Arc::new(TableDns::default()));
    let r = exchange(
        run.handle.socket_path(),
        b"GET http://allowed.example/ HTTP/1.1\r\n\r\n",
    );
    assert_blocked(&run, &r, 403, "ssrf-dns-failed", "http://allowed.example/");
}

#[test]
fn malformed_requests_are_400_and_logged() {
    let cases: &[(&[u8], &str, &str)] = &[
        (b"GARBAGE\r\n\r\n", "malformed-request", "GARBAGE"),
        (
            b"GET http://allowed.example/ HTTP/2.0\r\n\r\n",
            "malformed-request",
            "GET http://allowed.example/ HTTP/2.0",
        ),
        (
            b"GET  http://allowed.example/ HTTP/1.1\r\n\r\n",
            "malformed-request",
            "GET  http://allowed.example/ HTTP/1.1",
        ),
        (
            b"GET http://allowed.example/ HTTP/1.1\nHost: x\n\n\r\n\r\n",
            "malformed-request",
            "GET http://allowed.example/ HTTP/1.1",
        ),
        (
            b"GET http://allowed.example/ HTTP/1.1\r\n folded: x\r\n\r\n",
            "malformed-request",
            "GET http://allowed.example/ HTTP/1.1",
        ),
        (
            b"GET http://allowed.example/ HTTP/1.1\r\nBad Name: x\r\n\r\n",
            "malformed-request",
            "GET http://allowed.example/ HTTP/1.1",
        ),
        (
            b"POST http://allowed.example/ HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            "malformed-request",
            "http://allowed.example/",
        ),
        (
            b"POST http://allowed.example/ HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
            "malformed-request",
            "http://allowed.example/",
        ),
        (
            b"POST http://allowed.example/ HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            "malformed-request",
            "http://allowed.example/",
        ),
        (
            b"CONNECT allowed.example HTTP/1.1\r\n\r\n",
            "malformed-request",
            "allowed.example",
        ),
        (
            b"CONNECT user@allowed.example:443 HTTP/1.1\r\n\r\n",
            "malformed-request",
            "user@allowed.example:443",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: allowed.example\r\n\r\n",
            "not-a-proxy-request",
            "/",
        ),
        (
            b"GET https://allowed.example/ HTTP/1.1\r\n\r\n",
            "https-needs-connect",
            "https://allowed.example/",
        ),
        (
            b"GET http://allowed.example/\x01 HTTP/1.1\r\n\r\n",
            "malformed-request",
            "GET http://allowed.example/\\x01 HTTP/1.1",
        ),
        (b"GET http://a", "malformed-request", "GET http://a"),
    ];
    for (request, rule, target) in cases {
        let dns = Arc::new(TableDns::default());
        let run = start(dns.clone());
        let r = exchange(run.handle.socket_path(), request);
        assert_eq!(status(&r), 400, "{r}");
        let d = run.only_decision();
        assert_eq!(
            (d.allowed, d.rule.as_str(), d.target.as_str()),
            (false, *rule, *target),
            "{}",
            String::from_utf8_lossy(request)
        );
        assert_eq!(dns.lookups.load(Ordering::SeqCst), 0);
    }
}

#[test]
fn oversize_head_is_431() {
    let run = start(Arc::new(TableDns::default()));
    let mut req = b"GET http://allowed.example/ HTTP/1.1\r\n".to_vec();
    for i in 0..400 {
        req.extend_from_slice(format!("X-Filler-{i}: {}\r\n", "a".repeat(40)).as_bytes());
    }
    req.extend_from_slice(b"\r\n");
    assert!(req.len() > MAX_HEAD_BYTES);
    let r = exchange(run.handle.socket_path(), &req);
    assert_blocked(
        &run,
        &r,
        431,
        "header-too-large",
        "GET http://allowed.example/ HTTP/1.1",
    );
}

#[test]
fn too_many_header_fields_is_431() {
    let run = start(Arc::new(TableDns::default()));
    let mut req = b"GET http://allowed.example/ HTTP/1.1\r\n".to_vec();
    for i in 0..=MAX_HEADERS {
        req.extend_from_slice(format!("X-{i}: y\r\n").as_bytes());
    }
    req.extend_from_slice(b"\r\n");
    let r = exchange(run.handle.socket_path(), &req);
    assert_blocked(
        &run,
        &r,
        431,
        "too-many-headers",
        "GET http://allowed.example/ HTTP/1.1",
    );
}

#[test]
fn overlong_request_line_is_414() {
    let run = start(Arc::new(TableDns::default()));
    let url = format!(
        "http://allowed.example/{}",
        "a".repeat(MAX_REQUEST_LINE_BYTES)
    );
    let r = exchange(
        run.handle.socket_path(),
        format!("GET {url} HTTP/1.1\r\n\r\n").as_bytes(),
    );
    assert_eq!(status(&r), 414, "{r}");
    let d = run.only_decision();
    assert_eq!(
        (d.allowed, d.rule.as_str()),
        (false, "request-line-too-long")
    );
    assert!(d.target.len() <= MAX_LOGGED_TARGET + '…'.len_utf8());
}

#[test]
fn a_connection_that_sends_nothing_is_not_a_request() {
    let run = start(Arc::new(TableDns::default()));
    let s = UnixStream::connect(run.handle.socket_path()).unwrap();
    s.shutdown(Shutdown::Write).unwrap();
    let mut out = Vec::new();
    let _ = (&s).read_to_end(&mut out);
    assert!(out.is_empty());
    assert!(run.decisions().is_empty());
}

#[test]
fn connections_beyond_the_cap_get_503_and_dropping_the_handle_cuts_the_rest() {
    let run = start(Arc::new(TableDns::default()));
    // Each of these holds a slot: the proxy waits (up to HEAD_TIMEOUT) for its head.
    let held: Vec<UnixStream> = (0..MAX_CONNECTIONS)
        .map(|_| UnixStream::connect(run.handle.socket_path()).unwrap())
        .collect();
    let mut saw_busy = false;
    for _ in 0..50 {
        let r = exchange(
            run.handle.socket_path(),
            b"GET http://allowed.example/ HTTP/1.1\r\n\r\n",
        );
        if status(&r) == 503 {
            saw_busy = true;
            break;
        }
        // The held connections may not all be accepted yet.
        thread::sleep(Duration::from_millis(20));
    }
    assert!(saw_busy);
    assert!(
        run.decisions()
            .iter()
            .any(|d| d.rule == "proxy-busy" && !d.allowed)
    );
    let Running { handle, .. } = run;
    drop(handle);
    for mut s in held {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut out = Vec::new();
        // Cut by the drop: EOF (or reset) well before HEAD_TIMEOUT.
        let _ = s.read_to_end(&mut out);
        assert!(out.is_empty());
    }
}

// ---------------------------------------------------------------------------------------
// The socket.

#[test]
fn socket_is_0600_and_removed_on_drop() {
    let run = start(Arc::new(TableDns::default()));
    let path = run.handle.socket_path().to_path_buf();
    let mode = std::fs::symlink_metadata(&path)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    drop(run.handle);
    assert!(!path.exists());
    assert!(UnixStream::connect(&path).is_err());
}

fn settings_at(path: PathBuf) -> ProxySettings {
    ProxySettings {
        guard: guard(),
        agent_id: None,
        socket_path: path,
        on_decision: Arc::new(|_: &ProxyDecision| {}),
    }
}

#[test]
fn refuses_a_symlink_at_the_socket_path() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("elsewhere");
    std::fs::write(&target, b"keep").unwrap();
    let link = dir.path().join("proxy.sock");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let err = start_proxy(settings_at(link.clone())).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists, "{err}");
    assert_eq!(std::fs::read(&target).unwrap(), b"keep");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn refuses_a_symlinked_or_open_parent_directory() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    assert!(start_proxy(settings_at(link.join("p.sock"))).is_err());
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o777)).unwrap();
    let err = start_proxy(settings_at(real.join("p.sock"))).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied);
    assert!(start_proxy(settings_at(dir.path().join("missing/p.sock"))).is_err());
}

#[test]
fn replaces_a_stale_socket() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("proxy.sock");
    drop(UnixListener::bind(&path).unwrap());
    let handle = start_proxy(settings_at(path.clone())).unwrap();
    assert_eq!(handle.socket_path(), path);
}

#[test]
fn system_dns_answers_literals_without_the_network() {
    let dns = SystemDns::new(Duration::from_secs(2));
    assert_eq!(
        dns.resolve("192.0.2.7"),
        Ok(vec![IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7))])
    );
}

// ---------------------------------------------------------------------------------------
// The forwarder.

#[test]
fn forwarder_round_trips_bytes_through_the_unix_socket() {
    let dir = tempfile::tempdir().unwrap();
    let upstream = dir.path().join("echo.sock");
    let echo = UnixListener::bind(&upstream).unwrap();
    thread::spawn(move || {
        for s in echo.incoming() {
            let Ok(mut s) = s else { return };
            thread::spawn(move || {
                let mut r = s.try_clone().unwrap();
                let _ = std::io::copy(&mut r, &mut s);
                let _ = s.shutdown(Shutdown::Write);
            });
        }
    });
    let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = tcp.local_addr().unwrap();
    let up = upstream.clone();
    thread::spawn(move || run_forwarder(tcp, &up));
    for round in 0..3 {
        let mut c = TcpStream::connect(addr).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let payload: Vec<u8> = (0..200_000u32).map(|i| (i * 7 + round) as u8).collect();
        let writer = {
            let mut w = c.try_clone().unwrap();
            let p = payload.clone();
            thread::spawn(move || {
                w.write_all(&p).unwrap();
                // Half-close travels through: the echo server sees EOF and closes.
                w.shutdown(Shutdown::Write).unwrap();
            })
        };
        let mut back = Vec::new();
        c.read_to_end(&mut back).unwrap();
        writer.join().unwrap();
        assert_eq!(back.len(), payload.len());
        assert!(back == payload);
    }
}

// ---------------------------------------------------------------------------------------
// Allowed paths: an upstream in a private network namespace (see the module docs).

static NETNS_SEQ: AtomicUsize = AtomicUsize::new(0);

/// A network namespace whose `lo` carries [`UPSTREAM_IP`]; deleted on drop.
pub(crate) struct TestNetns {
    name: String,
}

fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().unwrap_or_else(|e| {
        panic!("cannot run `ip` ({e}): these tests need iproute2 and root (no skipping)")
    });
    assert!(
        out.status.success(),
        "`ip {}` failed: {} (these tests need root / CAP_SYS_ADMIN; they do not skip)",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl TestNetns {
    fn new() -> TestNetns {
        let name = format!(
            "hcproxy-{}-{}",
            std::process::id(),
            NETNS_SEQ.fetch_add(1, Ordering::SeqCst)
        );
        ip(&["netns", "add", &name]);
        let ns = TestNetns { name };
        ip(&["-n", &ns.name, "link", "set", "lo", "up"]);
        ip(&[
            "-n",
            &ns.name,
            "addr",
            "add",
            &format!("{UPSTREAM_IP}/32"),
            "dev",
            "lo",
        ]);
        ns
    }

    /// Runs `f` on a thread inside the namespace (threads it spawns stay there).
    fn run<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        let path = format!("/run/netns/{}", self.name);
        thread::scope(|s| {
            s.spawn(|| {
                let ns = File::open(&path).unwrap();
                rustix::thread::move_into_link_name_space(
                    ns.as_fd(),
                    Some(rustix::thread::LinkNameSpaceType::Network),
                )
                .unwrap();
                f()
            })
            .join()
            .unwrap()
        })
    }
}

impl Drop for TestNetns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .output();
    }
}

/// What the upstream server saw.
type Seen = Arc<Mutex<Vec<Vec<u8>>>>;

/// An HTTP server on `UPSTREAM_IP:port` inside `ns`: records each request (head and body up
/// to the connection's half-close or `Content-Length`), answers `response`.
fn http_upstream(ns: &TestNetns, port: u16, response: Vec<u8>) -> Seen {
    let listener =
        ns.run(|| TcpListener::bind(SocketAddr::new(IpAddr::V4(UPSTREAM_IP), port)).unwrap());
    let seen: Seen = Arc::default();
    let record = Arc::clone(&seen);
    thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(mut s) = s else { return };
            let record = Arc::clone(&record);
            let response = response.clone();
            thread::spawn(move || {
                s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut got = Vec::new();
                let mut buf = [0u8; 4096];
                // Read the head, then as much body as Content-Length / chunked end says.
                loop {
                    let n = s.read(&mut buf).unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&got).to_string();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let lower = head.to_ascii_lowercase();
                        let want = lower
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length: "))
                            .and_then(|v| v.trim().parse::<usize>().ok());
                        let chunked = lower.contains("transfer-encoding: chunked");
                        if (want.is_none() && !chunked)
                            || want.is_some_and(|w| body.len() >= w)
                            || (chunked && body.ends_with("0\r\n\r\n"))
                        {
                            break;
                        }
                    }
                }
                record.lock().unwrap().push(got);
                let _ = s.write_all(&response);
            });
        }
    });
    seen
}

/// An echo server on `UPSTREAM_IP:port` inside `ns`, counting connections.
fn echo_upstream(ns: &TestNetns, port: u16) -> Arc<AtomicUsize> {
    let listener =
        ns.run(|| TcpListener::bind(SocketAddr::new(IpAddr::V4(UPSTREAM_IP), port)).unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&count);
    thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(mut s) = s else { return };
            c.fetch_add(1, Ordering::SeqCst);
            thread::spawn(move || {
                let mut r = s.try_clone().unwrap();
                let _ = std::io::copy(&mut r, &mut s);
                let _ = s.shutdown(Shutdown::Write);
            });
        }
    });
    count
}

fn start_in(ns: &TestNetns, dns: Arc<dyn DnsResolver + Send + Sync>) -> Running {
    ns.run(|| start(dns))
}

const OK_RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nX-Up: 1\r\n\r\nhello";

#[test]
fn allowed_http_request_is_forwarded_to_the_pinned_address() {
    let ns = TestNetns::new();
    let seen = http_upstream(&ns, 80, OK_RESPONSE.to_vec());
    let dns = TableDns::with(ALLOWED, &[IpAddr::V4(UPSTREAM_IP)]);
    let run = start_in(&ns, dns.clone());
    let r = exchange(
        run.handle.socket_path(),
        b"GET http://Allowed.Example/a/b?q=1#frag HTTP/1.1\r\nHost: evil.example\r\nProxy-Authorization: Basic c2VjcmV0\r\nProxy-Connection: keep-alive\r\nConnection: keep-alive, X-Hop\r\nX-Hop: secret\r\nUser-Agent: test/1\r\n\r\n",
    );
    assert_eq!(
        r,
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Up: 1\r\nConnection: close\r\n\r\nhello"
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        String::from_utf8_lossy(&seen[0]),
        "GET /a/b?q=1 HTTP/1.1\r\nHost: allowed.example\r\nUser-Agent: test/1\r\nConnection: close\r\n\r\n"
    );
    assert_eq!(dns.lookups.load(Ordering::SeqCst), 1, "DNS is asked once");
    assert_eq!(
        run.only_decision(),
        ProxyDecision {
            target: "http://Allowed.Example/a/b?q=1#frag".into(),
            allowed: true,
            rule: "allow".into(),
            reason: format!("connected to {UPSTREAM_IP}:80"),
        }
    );
}

#[test]
fn request_bodies_are_relayed_exactly_once() {
    let ns = TestNetns::new();
    let seen = http_upstream(&ns, 80, OK_RESPONSE.to_vec());
    let run = start_in(&ns, TableDns::with(ALLOWED, &[IpAddr::V4(UPSTREAM_IP)]));
    // Content-Length: the smuggled second request after the body is not forwarded.
    let r = exchange(
        run.handle.socket_path(),
        b"POST http://allowed.example/up HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\nabcdGET http://evil.example/ HTTP/1.1\r\n\r\n",
    );
    assert!(
        r.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"),
        "{r}"
    );
    // Chunked: re-framed, trailers dropped.
    let r2 = exchange(
        run.handle.socket_path(),
        b"POST http://allowed.example/up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n",
    );
    assert_eq!(status(&r2), 200, "{r2}");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        String::from_utf8_lossy(&seen[0]),
        "POST /up HTTP/1.1\r\nHost: allowed.example\r\nContent-Length: 4\r\nConnection: close\r\n\r\nabcd"
    );
    assert_eq!(
        String::from_utf8_lossy(&seen[1]),
        "POST /up HTTP/1.1\r\nHost: allowed.example\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
    );
    assert_eq!(run.decisions().len(), 2);
}

#[test]
fn allowed_connect_tunnels_bytes_both_ways() {
    let ns = TestNetns::new();
    let conns = echo_upstream(&ns, 443);
    let run = start_in(&ns, TableDns::with(ALLOWED, &[IpAddr::V4(UPSTREAM_IP)]));
    let mut s = UnixStream::connect(run.handle.socket_path()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    // Bytes sent right after the head (an eager ClientHello) must not be lost.
    s.write_all(b"CONNECT allowed.example:443 HTTP/1.1\r\nHost: allowed.example:443\r\n\r\nearly")
        .unwrap();
    let established = b"HTTP/1.1 200 Connection Established\r\n\r\n";
    let mut head = vec![0u8; established.len()];
    s.read_exact(&mut head).unwrap();
    assert_eq!(head, established);
    s.write_all(b"-and-late").unwrap();
    s.shutdown(Shutdown::Write).unwrap();
    let mut back = Vec::new();
    s.read_to_end(&mut back).unwrap();
    assert_eq!(back, b"early-and-late");
    assert_eq!(conns.load(Ordering::SeqCst), 1);
    let d = run.only_decision();
    assert_eq!(
        (d.allowed, d.rule.as_str(), d.reason.as_str()),
        (
            true,
            "allow",
            format!("connected to {UPSTREAM_IP}:443").as_str()
        )
    );
}

#[test]
fn connect_to_an_allowlisted_name_on_another_port_is_refused() {
    let ns = TestNetns::new();
    let conns = echo_upstream(&ns, 80);
    let run = start_in(&ns, TableDns::with(ALLOWED, &[IpAddr::V4(UPSTREAM_IP)]));
    let r = exchange(
        run.handle.socket_path(),
        b"CONNECT allowed.example:80 HTTP/1.1\r\n\r\n",
    );
    assert_blocked(&run, &r, 403, "port-not-allowed", "allowed.example:80");
    let r = exchange(
        run.handle.socket_path(),
        b"GET http://allowed.example:443/ HTTP/1.1\r\n\r\n",
    );
    assert_eq!(status(&r), 403);
    thread::sleep(Duration::from_millis(100));
    assert_eq!(conns.load(Ordering::SeqCst), 0);
}

#[test]
fn unreachable_upstream_is_502_and_logged() {
    let ns = TestNetns::new();
    // Nothing listens on UPSTREAM_IP:443 in the namespace: connection refused.
    let run = start_in(&ns, TableDns::with(ALLOWED, &[IpAddr::V4(UPSTREAM_IP)]));
    let r = exchange(
        run.handle.socket_path(),
        b"CONNECT allowed.example:443 HTTP/1.1\r\n\r\n",
    );
    assert_eq!(status(&r), 502, "{r}");
    let d = run.only_decision();
    assert!(
        d.allowed && d.reason.starts_with("upstream unreachable"),
        "{d:#?}"
    );
}

#[test]
fn forwarder_and_proxy_end_to_end() {
    let ns = TestNetns::new();
    let big: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    let mut response =
        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", big.len()).into_bytes();
    response.extend_from_slice(&big);
    let _seen = http_upstream(&ns, 80, response);
    let run = start_in(&ns, TableDns::with(ALLOWED, &[IpAddr::V4(UPSTREAM_IP)]));
    // The forwarder listens on the host's loopback here (in a sandbox: the sandbox's).
    let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = tcp.local_addr().unwrap();
    let sock = run.handle.socket_path().to_path_buf();
    thread::spawn(move || run_forwarder(tcp, &sock));
    let mut c = TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    c.write_all(b"GET http://allowed.example/big HTTP/1.1\r\n\r\n")
        .unwrap();
    let mut out = Vec::new();
    c.read_to_end(&mut out).unwrap();
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert!(out[..split].starts_with(b"HTTP/1.1 200 OK\r\n"));
    assert!(out[split..] == big[..]);
    assert!(run.only_decision().allowed);
}

#[test]
fn interim_responses_pass_and_the_final_head_is_rewritten() {
    let ns = TestNetns::new();
    let _seen = http_upstream(
        &ns,
        80,
        b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\nUpgrade: h2c\r\n\r\nok"
            .to_vec(),
    );
    let run = start_in(&ns, TableDns::with(ALLOWED, &[IpAddr::V4(UPSTREAM_IP)]));
    let r = exchange(
        run.handle.socket_path(),
        b"GET http://allowed.example/ HTTP/1.1\r\n\r\n",
    );
    assert_eq!(
        r,
        "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
    );
}
