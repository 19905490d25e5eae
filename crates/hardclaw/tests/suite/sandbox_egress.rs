//! The egress path that must work, through the real binary: a sandboxed `curl` reaches an
//! allowlisted host through hardclaw's proxy — and nothing else, and nothing without it.
//!
//! Per test, without the internet and without touching the host's routes:
//!
//! - a private network namespace (`ip netns add`) with `192.175.48.1/32` and `192.175.48.2/32`
//!   on its own `lo`: AS112 addresses, which the SSRF classifier treats as global unicast (the
//!   guard is not weakened for tests). The namespace has no other interface, so no packet can
//!   leave it;
//! - an HTTP server on each address, bound from a thread moved into the namespace (bound
//!   before the test goes on, so it is ready), recording every connection and request head;
//! - `/etc/netns/<ns>/hosts` naming them `allowed.test` and `denied.test` (and an
//!   `nsswitch.conf` with `hosts: files`): `ip netns exec` bind-mounts these over `/etc/hosts`
//!   and `/etc/nsswitch.conf`, so the proxy's `SystemDns` (getaddrinfo) resolves the names
//!   there, from the file, and nowhere else;
//! - `ip netns exec <ns> hardclaw --config CFG sandbox run … -- curl …`: hardclaw and its proxy
//!   live in that namespace; the sandboxed curl gets its own empty one and reaches the proxy
//!   only through the forwarder. The config allowlists `allowed.test` and leaves
//!   `blockDirectIp` on.
//!
//! The namespace and the `/etc/netns/<ns>` files are removed on drop, also when a test panics.
//! Creating them needs root and iproute2: without them these tests fail, loudly; they never
//! skip.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::Ordering;
use std::thread;
use std::time::Duration;

use crate::suite::common::Home;
use crate::suite::netns::{
    ALLOWED_IP, ALLOWED_NAME, DENIED_IP, DENIED_NAME, NEEDS, SEQ, TestNetns, Upstream,
};

/// The whole setup. Fields drop in order: the servers, then the namespace, then the home.
struct Egress {
    allowed: Upstream,
    denied: Upstream,
    /// `allowed.test:8080`: a port the proxy's port rule refuses.
    other_port: Upstream,
    ns: TestNetns,
    home: Home,
    config: PathBuf,
    ws: PathBuf,
    marker: String,
}

impl Egress {
    fn new() -> Egress {
        let ns = TestNetns::new();
        let marker = format!(
            "hardclaw-egress-marker {} {}\n",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::SeqCst)
        );
        let allowed = Upstream::start(&ns, ALLOWED_IP, 80, &marker);
        let denied = Upstream::start(&ns, DENIED_IP, 80, "DENIED-SERVER-REACHED\n");
        let other_port = Upstream::start(&ns, ALLOWED_IP, 8080, "OTHER-PORT-REACHED\n");
        let home = Home::new();
        let config = home.write_config(&format!(
            r#"{{
  agents: {{ defaults: {{ sandbox: {{ mode: "all", workspaceAccess: "rw" }} }} }},
  plugins: {{ entries: {{ "network-guard": {{ config: {{
    allowedDomains: ["{ALLOWED_NAME}"], blockDirectIp: true, resolveDns: true,
  }} }} }} }},
}}"#
        ));
        let ws = home.dir.path().join("ws");
        std::fs::create_dir(&ws).unwrap();
        Egress {
            allowed,
            denied,
            other_port,
            ns,
            home,
            config,
            ws,
            marker,
        }
    }

    /// `ip netns exec <ns> hardclaw --config CFG sandbox run --workspace WS -- curl -sS -m 10 ARGS`.
    fn curl(&self, args: &[&str]) -> Output {
        let bin = assert_cmd::cargo::cargo_bin("hardclaw");
        Command::new("ip")
            .args(["netns", "exec", &self.ns.name])
            .arg(&bin)
            .arg("--config")
            .arg(&self.config)
            .args(["sandbox", "run", "--workspace"])
            .arg(&self.ws)
            .args(["--timeout", "30", "--", "curl", "-sS", "-m", "10"])
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.home.dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap_or_else(|e| panic!("cannot run `ip netns exec` ({e}): {NEEDS}"))
    }

    /// Asserts no server was even connected to (after a moment for a late connection).
    fn assert_nothing_reached(&self, t: &str) {
        thread::sleep(Duration::from_millis(200));
        for (name, up) in [
            ("allowed.test:80", &self.allowed),
            ("denied.test:80", &self.denied),
            ("allowed.test:8080", &self.other_port),
        ] {
            assert_eq!(
                (up.connections(), up.requests()),
                (0, Vec::new()),
                "{name} was reached:\n{t}"
            );
        }
    }
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\n--stdout\n{}\n--stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs a curl that the proxy must refuse with `403`: curl fails (`--fail`: exit 22), the
/// host-side hardclaw logs the decision with `rule`, and no server sees a connection.
fn assert_proxy_refuses(eg: &Egress, url: &str, logged: &str) {
    let o = eg.curl(&[
        "--fail",
        "-o",
        "/dev/null",
        "-w",
        "http_code=%{http_code}",
        url,
    ]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(22), "{t}");
    assert_eq!(String::from_utf8_lossy(&o.stdout), "http_code=403", "{t}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(&format!("hardclaw: proxy blocked {logged}")),
        "{t}"
    );
    eg.assert_nothing_reached(&t);
}

#[test]
fn egress_curl_to_an_allowlisted_host_goes_through_the_proxy() {
    let eg = Egress::new();
    let o = eg.curl(&[&format!("http://{ALLOWED_NAME}/marker.txt")]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert_eq!(String::from_utf8_lossy(&o.stdout), eg.marker, "{t}");
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("hardclaw: proxy allowed http://allowed.test/marker.txt"),
        "every proxy decision is logged, allowed ones too: {t}"
    );
    assert!(
        !String::from_utf8_lossy(&o.stderr).contains("proxy blocked"),
        "{t}"
    );
    thread::sleep(Duration::from_millis(100));
    assert_eq!(eg.allowed.connections(), 1, "{t}");
    let seen = eg.allowed.requests();
    assert_eq!(seen.len(), 1, "exactly one request: {seen:#?}");
    let req = &seen[0];
    // The proxy rebuilt it: origin form, the checked Host, its own `Connection: close`, and
    // curl's proxy-only header (`Proxy-Connection`) dropped.
    assert!(req.starts_with("GET /marker.txt HTTP/1.1\r\n"), "{req}");
    assert!(req.contains("\r\nHost: allowed.test\r\n"), "{req}");
    assert!(req.contains("\r\nConnection: close\r\n"), "{req}");
    assert!(
        !req.to_ascii_lowercase().contains("proxy-connection"),
        "{req}"
    );
    assert_eq!(eg.denied.connections(), 0, "{t}");
    assert_eq!(eg.other_port.connections(), 0, "{t}");
}

#[test]
fn egress_to_a_name_not_in_the_allowlist_is_403() {
    let eg = Egress::new();
    assert_proxy_refuses(
        &eg,
        &format!("http://{DENIED_NAME}/marker.txt"),
        "http://denied.test/marker.txt (domain-not-allowlisted)",
    );
}

#[test]
fn egress_by_ip_literal_is_403_even_to_the_allowlisted_server() {
    let eg = Egress::new();
    // blockDirectIp stays on: neither the other address nor the allowlisted server's own.
    assert_proxy_refuses(
        &eg,
        &format!("http://{DENIED_IP}/marker.txt"),
        "http://192.175.48.2/marker.txt (direct-ip)",
    );
    assert_proxy_refuses(
        &eg,
        &format!("http://{ALLOWED_IP}/marker.txt"),
        "http://192.175.48.1/marker.txt (direct-ip)",
    );
}

#[test]
fn egress_to_another_port_of_the_allowlisted_host_is_403() {
    let eg = Egress::new();
    assert_proxy_refuses(
        &eg,
        &format!("http://{ALLOWED_NAME}:8080/marker.txt"),
        "http://allowed.test:8080/marker.txt (port-not-allowed)",
    );
}

#[test]
fn egress_bypassing_the_proxy_has_no_route() {
    let eg = Egress::new();
    // By address: curl's connect fails (7: Landlock allows TCP only to the forwarder's port,
    // and the sandbox's namespace has no route). By name: the same (7), or 6 where the name
    // does not resolve inside the sandbox. Never 0.
    for (url, codes) in [
        (format!("http://{ALLOWED_IP}/marker.txt"), &[7][..]),
        (format!("http://{ALLOWED_NAME}/marker.txt"), &[6, 7][..]),
    ] {
        let o = eg.curl(&["--noproxy", "*", &url]);
        let t = text(&o);
        assert!(
            o.status.code().is_some_and(|c| codes.contains(&c)),
            "{url}: {t}"
        );
        assert!(o.stdout.is_empty(), "{url}: {t}");
        // Nothing went to the proxy either.
        assert!(
            !String::from_utf8_lossy(&o.stderr).contains("proxy blocked"),
            "{url}: {t}"
        );
        eg.assert_nothing_reached(&t);
    }
}
