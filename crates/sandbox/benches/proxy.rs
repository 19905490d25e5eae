//! The egress proxy's cost: added latency per request and throughput of a 1 MiB response,
//! through the proxy versus straight to the upstream, plus a blocked request and the full
//! sandbox path (TCP forwarder → Unix socket → proxy → upstream).
//!
//! The guard is the real one, unmodified; it refuses loopback, so the upstream lives in a
//! private network namespace (as in the tests): the bench's main thread moves into a fresh
//! namespace whose `lo` carries 192.175.48.1 (AS112, classified global unicast), and a
//! table resolver maps the allowlisted name to it. Nothing leaves the namespace. Needs root
//! and iproute2.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "bench setup: failing loudly is the point"
)]

use std::fs::File;
use std::hint::black_box;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hardclaw_policy::NetworkGuard;
use hardclaw_policy::guard::DnsResolver;
use hardclaw_sandbox::proxy::{ProxyDecision, ProxySettings, run_forwarder, start_proxy_with_dns};

const UPSTREAM: Ipv4Addr = Ipv4Addr::new(192, 175, 48, 1);
const NAME: &str = "allowed.example";
const MIB: usize = 1024 * 1024;

struct Table;

impl DnsResolver for Table {
    fn resolve(&self, host: &str) -> Result<Vec<IpAddr>, String> {
        if host == NAME {
            Ok(vec![IpAddr::V4(UPSTREAM)])
        } else {
            Err("NXDOMAIN".into())
        }
    }
}

struct Netns(String);

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).output();
    }
}

fn ip(args: &[&str]) {
    let out = Command::new("ip")
        .args(args)
        .output()
        .expect("iproute2 `ip`");
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Moves the calling thread into a new namespace with `UPSTREAM` on its `lo`.
fn enter_netns() -> Netns {
    let name = format!("hcbench-{}", std::process::id());
    ip(&["netns", "add", &name]);
    let ns = Netns(name);
    ip(&["-n", &ns.0, "link", "set", "lo", "up"]);
    ip(&["-n", &ns.0, "addr", "add", "192.175.48.1/32", "dev", "lo"]);
    let f = File::open(format!("/run/netns/{}", ns.0)).unwrap();
    rustix::thread::move_into_link_name_space(
        f.as_fd(),
        Some(rustix::thread::LinkNameSpaceType::Network),
    )
    .unwrap();
    ns
}

/// Upstream: reads a head, answers `/big` with 1 MiB and anything else with 2 bytes, closes.
/// On port 443 it just sends 1 MiB of raw bytes (a stand-in for a TLS download).
fn serve(port: u16) {
    let listener = TcpListener::bind(SocketAddr::new(IpAddr::V4(UPSTREAM), port)).unwrap();
    let big = Arc::new(vec![b'x'; MIB]);
    thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(mut s) = s else { continue };
            let big = Arc::clone(&big);
            thread::spawn(move || {
                let _ = s.set_nodelay(true);
                if port == 443 {
                    let _ = s.write_all(&big);
                    return;
                }
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let body: &[u8] = if head.starts_with(b"GET /big")
                    || head.starts_with(b"GET http://allowed.example/big")
                {
                    &big
                } else {
                    b"ok"
                };
                let _ = s.write_all(
                    format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()).as_bytes(),
                );
                let _ = s.write_all(body);
            });
        }
    });
}

fn roundtrip(mut s: impl Read + Write, request: &[u8]) -> usize {
    s.write_all(request).unwrap();
    let mut total = 0;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return total,
            Ok(n) => total += n,
            Err(e) => panic!("read: {e}"),
        }
    }
}

fn via_proxy(sock: &Path, request: &[u8]) -> usize {
    roundtrip(UnixStream::connect(sock).unwrap(), request)
}

fn direct(request: &[u8]) -> usize {
    let s = TcpStream::connect((UPSTREAM, 80)).unwrap();
    s.set_nodelay(true).unwrap();
    roundtrip(s, request)
}

fn tunnel(sock: &Path) -> usize {
    let mut s = UnixStream::connect(sock).unwrap();
    s.write_all(b"CONNECT allowed.example:443 HTTP/1.1\r\n\r\n")
        .unwrap();
    let mut got = 0;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) => panic!("read: {e}"),
        }
    }
    let _ = s.shutdown(Shutdown::Both);
    got
}

fn bench(c: &mut Criterion) {
    let _ns = enter_netns();
    serve(80);
    serve(443);
    let dir = tempfile::tempdir().unwrap();
    let config = serde_json::json!({ "allowedDomains": [NAME] });
    let settings = ProxySettings {
        guard: Arc::new(NetworkGuard::from_entry(Some(true), Some(&config))),
        agent_id: None,
        socket_path: dir.path().join("proxy.sock"),
        on_decision: Arc::new(|d: &ProxyDecision| {
            black_box(d);
        }),
    };
    let handle = start_proxy_with_dns(settings, Arc::new(Table)).unwrap();
    let sock = handle.socket_path().to_path_buf();
    let fwd = TcpListener::bind("127.0.0.1:0").unwrap();
    let fwd_addr = fwd.local_addr().unwrap();
    {
        let sock = sock.clone();
        thread::spawn(move || run_forwarder(fwd, &sock));
    }
    thread::sleep(Duration::from_millis(50));

    let small_direct = b"GET /small HTTP/1.1\r\nHost: allowed.example\r\nConnection: close\r\n\r\n";
    let small_proxy = b"GET http://allowed.example/small HTTP/1.1\r\n\r\n";
    let big_direct = b"GET /big HTTP/1.1\r\nHost: allowed.example\r\nConnection: close\r\n\r\n";
    let big_proxy = b"GET http://allowed.example/big HTTP/1.1\r\n\r\n";
    let blocked = b"CONNECT evil.example:443 HTTP/1.1\r\n\r\n";

    let mut g = c.benchmark_group("latency (one small request, new connection)");
    g.sample_size(30).measurement_time(Duration::from_secs(3));
    g.bench_function("direct", |b| b.iter(|| direct(small_direct)));
    g.bench_function("proxy", |b| b.iter(|| via_proxy(&sock, small_proxy)));
    g.bench_function("forwarder + proxy", |b| {
        b.iter(|| {
            let s = TcpStream::connect(fwd_addr).unwrap();
            s.set_nodelay(true).unwrap();
            roundtrip(s, small_proxy)
        })
    });
    g.bench_function("proxy, blocked (403)", |b| {
        b.iter(|| via_proxy(&sock, blocked))
    });
    g.finish();

    let mut g = c.benchmark_group("throughput (1 MiB response)");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(4))
        .throughput(Throughput::Bytes(MIB as u64));
    g.bench_function("direct", |b| b.iter(|| direct(big_direct)));
    g.bench_function("proxy (http)", |b| b.iter(|| via_proxy(&sock, big_proxy)));
    g.bench_function("proxy (CONNECT tunnel)", |b| b.iter(|| tunnel(&sock)));
    g.bench_function("forwarder + proxy (http)", |b| {
        b.iter(|| {
            let s = TcpStream::connect(fwd_addr).unwrap();
            roundtrip(s, big_proxy)
        })
    });
    g.finish();
    drop(handle);
}

criterion_group!(benches, bench);
criterion_main!(benches);
