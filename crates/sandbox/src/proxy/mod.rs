//! The egress proxy (agreed interface). This file is a STUB owned by the sandbox work so the
//! crate compiles; the proxy engineer replaces the bodies (not the signatures).
//!
//! The stub fails closed: `start_proxy` listens on the Unix socket and closes every connection
//! without forwarding anything; `run_forwarder` pipes each TCP connection from inside the
//! sandbox to that socket.

use std::io;
use std::net::TcpListener;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What the proxy needs: the guard deciding each destination, who is asking, where to listen,
/// and a callback for every decision (decision log).
pub struct ProxySettings {
    /// The network guard that decides every destination.
    pub guard: Arc<hardclaw_policy::NetworkGuard>,
    /// The agent on whose behalf the sandboxed command runs.
    pub agent_id: Option<String>,
    /// The Unix socket to listen on.
    pub socket_path: PathBuf,
    /// Called for every decision.
    pub on_decision: Arc<dyn Fn(&ProxyDecision) + Send + Sync>,
}

impl std::fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxySettings")
            .field("agent_id", &self.agent_id)
            .field("socket_path", &self.socket_path)
            .finish_non_exhaustive()
    }
}

/// One proxy decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyDecision {
    /// `host:port` asked for.
    pub target: String,
    /// Whether the connection was made.
    pub allowed: bool,
    /// The rule that decided.
    pub rule: String,
    /// Why, for people.
    pub reason: String,
}

/// A running proxy; stops (and removes its socket) on drop.
#[derive(Debug)]
pub struct ProxyHandle {
    socket_path: PathBuf,
    stop: Arc<AtomicBool>,
}

impl ProxyHandle {
    /// The Unix socket the proxy listens on.
    pub fn socket_path(&self) -> &Path {
        &self.socket_path
    }
}

impl Drop for ProxyHandle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees `stop`.
        let _ = UnixStream::connect(&self.socket_path);
        let _ = std::fs::remove_file(&self.socket_path);
    }
}

/// Starts the proxy on `settings.socket_path`. STUB: refuses every connection.
pub fn start_proxy(settings: ProxySettings) -> io::Result<ProxyHandle> {
    let listener = UnixListener::bind(&settings.socket_path)?;
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = Arc::clone(&stop);
    let on_decision = Arc::clone(&settings.on_decision);
    std::thread::Builder::new()
        .name("hardclaw-proxy-stub".into())
        .spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                if conn.is_ok() {
                    on_decision(&ProxyDecision {
                        target: String::new(),
                        allowed: false,
                        rule: "proxy.stub".into(),
                        reason: "the egress proxy is not built yet; every connection is refused"
                            .into(),
                    });
                }
            }
        })?;
    Ok(ProxyHandle {
        socket_path: settings.socket_path,
        stop,
    })
}

/// Accepts TCP connections on `listener` (inside the sandbox's network namespace) and pipes
/// each to the proxy's Unix socket at `upstream`. Runs until the listener fails.
pub fn run_forwarder(listener: TcpListener, upstream: &Path) -> io::Result<()> {
    for conn in listener.incoming() {
        let Ok(tcp) = conn else { continue };
        let Ok(unix) = UnixStream::connect(upstream) else {
            continue;
        };
        let (Ok(mut tcp_r), Ok(mut unix_w)) = (tcp.try_clone(), unix.try_clone()) else {
            continue;
        };
        let (mut unix_r, mut tcp_w) = (unix, tcp);
        std::thread::spawn(move || {
            let _ = io::copy(&mut tcp_r, &mut unix_w);
            let _ = unix_w.shutdown(std::net::Shutdown::Write);
        });
        std::thread::spawn(move || {
            let _ = io::copy(&mut unix_r, &mut tcp_w);
            let _ = tcp_w.shutdown(std::net::Shutdown::Write);
        });
    }
    Ok(())
}
