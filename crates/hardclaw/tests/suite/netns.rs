//! A private network namespace for end-to-end tests that need "the internet" without
//! reaching it: `192.175.48.1/32` and `192.175.48.2/32` (AS112 addresses, which the SSRF
//! classifier treats as global unicast — the guard is not weakened for tests) on the
//! namespace's own `lo`, no other interface, and `/etc/netns/<ns>/{hosts,nsswitch.conf}`
//! naming them `allowed.test` and `denied.test` for processes started with `ip netns exec`
//! (getaddrinfo reads that file and nothing else). HTTP servers inside it record every
//! connection and request head.
//!
//! Everything is removed on drop, also when a test panics. Needs root and iproute2: without
//! them the tests fail, loudly; they never skip.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

pub const ALLOWED_IP: Ipv4Addr = Ipv4Addr::new(192, 175, 48, 1);
pub const DENIED_IP: Ipv4Addr = Ipv4Addr::new(192, 175, 48, 2);
pub const ALLOWED_NAME: &str = "allowed.test";
pub const DENIED_NAME: &str = "denied.test";

pub static SEQ: AtomicUsize = AtomicUsize::new(0);

pub const NEEDS: &str = "the sandbox egress tests need root (CAP_SYS_ADMIN) and iproute2 \
                     to create a network namespace; they fail rather than skip";

pub fn ip(args: &[&str]) {
    let out = Command::new("ip")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `ip` ({e}): {NEEDS}"));
    assert!(
        out.status.success(),
        "`ip {}` failed: {} ({NEEDS})",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr).trim()
    );
}

/// A network namespace with [`ALLOWED_IP`] and [`DENIED_IP`] on its `lo`, and
/// `/etc/netns/<name>/{hosts,nsswitch.conf}` for `ip netns exec`. Both go on drop.
pub struct TestNetns {
    pub name: String,
    etc: PathBuf,
}

impl TestNetns {
    pub fn new() -> TestNetns {
        let name = format!(
            "hcegress-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::SeqCst)
        );
        ip(&["netns", "add", &name]);
        // From here on, drop cleans up whatever the rest of the setup made.
        let ns = TestNetns {
            etc: Path::new("/etc/netns").join(&name),
            name,
        };
        ip(&["-n", &ns.name, "link", "set", "lo", "up"]);
        for addr in [ALLOWED_IP, DENIED_IP] {
            ip(&[
                "-n",
                &ns.name,
                "addr",
                "add",
                &format!("{addr}/32"),
                "dev",
                "lo",
            ]);
        }
        // Another test's drop may remove an empty /etc/netns between our two mkdirs.
        let mut made = std::fs::create_dir_all(&ns.etc);
        for _ in 0..5 {
            if made.is_ok() {
                break;
            }
            made = std::fs::create_dir_all(&ns.etc);
        }
        made.unwrap_or_else(|e| panic!("creating {}: {e} ({NEEDS})", ns.etc.display()));
        std::fs::write(
            ns.etc.join("hosts"),
            format!("{ALLOWED_IP} {ALLOWED_NAME}\n{DENIED_IP} {DENIED_NAME}\n"),
        )
        .unwrap();
        std::fs::write(
            ns.etc.join("nsswitch.conf"),
            "passwd: files\ngroup: files\nhosts: files\n",
        )
        .unwrap();
        ns
    }

    /// Runs `f` on a thread moved into the namespace (sockets it creates belong there).
    pub fn run<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        let path = format!("/run/netns/{}", self.name);
        thread::scope(|s| {
            s.spawn(|| {
                let ns = std::fs::File::open(&path)
                    .unwrap_or_else(|e| panic!("opening {path}: {e} ({NEEDS})"));
                rustix::thread::move_into_link_name_space(
                    ns.as_fd(),
                    Some(rustix::thread::LinkNameSpaceType::Network),
                )
                .unwrap_or_else(|e| panic!("setns into {path}: {e} ({NEEDS})"));
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
        let _ = std::fs::remove_dir_all(&self.etc);
        // Only succeeds when empty (other tests' namespaces may still be there).
        let _ = std::fs::remove_dir("/etc/netns");
    }
}

/// An HTTP server inside a [`TestNetns`]: counts connections, records request heads, answers
/// `200` with `body`. Stopped (and its socket closed) on drop.
pub struct Upstream {
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Upstream {
    pub fn start(ns: &TestNetns, ip: Ipv4Addr, port: u16, body: &str) -> Upstream {
        let addr = SocketAddr::new(IpAddr::V4(ip), port);
        // Bound (and listening) before this returns: the server is ready.
        let listener = ns.run(|| {
            TcpListener::bind(addr).unwrap_or_else(|e| panic!("binding {addr} in the netns: {e}"))
        });
        listener.set_nonblocking(true).unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let thread = {
            let (connections, requests, stop) = (
                Arc::clone(&connections),
                Arc::clone(&requests),
                Arc::clone(&stop),
            );
            thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let mut s = match listener.accept() {
                        Ok((s, _)) => s,
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            thread::sleep(Duration::from_millis(10));
                            continue;
                        }
                        Err(_) => return,
                    };
                    connections.fetch_add(1, Ordering::SeqCst);
                    let _ = s.set_nonblocking(false);
                    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                    let mut head = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match s.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    requests
                        .lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&head).into_owned());
                    let _ = s.write_all(response.as_bytes());
                }
            })
        };
        Upstream {
            connections,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
