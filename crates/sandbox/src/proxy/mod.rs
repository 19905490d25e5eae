//! The sandbox's egress proxy: the only way out of an exec sandbox's network namespace.
//!
//! Sandboxed commands see only loopback. [`run_forwarder`] (inside the sandbox's namespace)
//! accepts their TCP connections on a loopback port (`HTTP(S)_PROXY`) and relays the bytes to
//! the proxy's Unix socket on the host; [`start_proxy`] serves that socket, judges every request
//! with the same [`NetworkGuard`] `web_fetch` uses (allowlist, per-agent overrides, SSRF
//! classification), resolves the name once ([`SystemDns`]) and connects only to the checked
//! addresses ([`PinnedTarget`](hardclaw_policy::net::PinnedTarget) pinning). Every request,
//! allowed or not, is reported to [`ProxySettings::on_decision`].
//!
//! What is accepted, the limits and the port rule are documented in `docs/sandbox-proxy.md`.
//!
//! Std threads, no async runtime: one thread per connection (two while tunnelling), capped at
//! [`MAX_CONNECTIONS`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hardclaw_policy::NetworkGuard;
use hardclaw_policy::guard::DnsResolver;

mod conn;
mod dns;
mod forwarder;
mod http;
mod listener;
mod relay;

pub use dns::SystemDns;
pub use forwarder::run_forwarder;
pub use listener::ProxyHandle;

#[cfg(test)]
mod tests;

/// Concurrent client connections the proxy serves; more are answered `503` and closed.
pub const MAX_CONNECTIONS: usize = 64;
/// Concurrent connections [`run_forwarder`] relays; more are closed at once.
pub const MAX_FORWARDED_CONNECTIONS: usize = 64;
/// The request line and headers together (a larger head is answered `431`).
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// The request line alone (a longer one is answered `414`).
pub const MAX_REQUEST_LINE_BYTES: usize = 8 * 1024;
/// Header fields in one request.
pub const MAX_HEADERS: usize = 100;
/// An upstream response head (status line and headers).
pub const MAX_RESPONSE_HEAD_BYTES: usize = 64 * 1024;
/// Time a client has to send the whole request head (slow-loris bound).
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// Time to wait for one TCP connect to one pinned address.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection (tunnel, body, response) with no byte moving either way for this long is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(120);
/// The only port `CONNECT` may reach.
pub const CONNECT_PORT: u16 = 443;
/// The only port absolute-form `http://` requests may reach.
pub const HTTP_PORT: u16 = 80;

/// What [`start_proxy`] needs.
#[derive(Clone)]
pub struct ProxySettings {
    /// The network guard (the same one `web_fetch` uses).
    pub guard: Arc<NetworkGuard>,
    /// The sandboxed agent (selects `agentOverrides`).
    pub agent_id: Option<String>,
    /// Where to create the Unix socket. The parent directory must exist, be a real directory
    /// (not a symlink) owned by this user and not writable by group or others; nothing may
    /// exist at the path itself.
    pub socket_path: PathBuf,
    /// Called once for every request, allowed or not, from the connection's thread.
    pub on_decision: Arc<dyn Fn(&ProxyDecision) + Send + Sync>,
}

impl fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxySettings")
            .field("guard", &self.guard)
            .field("agent_id", &self.agent_id)
            .field("socket_path", &self.socket_path)
            .field("on_decision", &"<callback>")
            .finish()
    }
}

/// One request's decision, as logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyDecision {
    /// The request target as the client wrote it (`host:port` for `CONNECT`, the URL
    /// otherwise; the request line when it could not be parsed), control characters escaped
    /// and cut to [`MAX_LOGGED_TARGET`] characters.
    pub target: String,
    /// Whether the request was let through the guard.
    pub allowed: bool,
    /// The rule: the guard's rule id (`allow`, `domain-not-allowlisted`, `ssrf-...`), or the
    /// proxy's own (`port-not-allowed`, `malformed-request`, `header-too-large`, ...).
    pub rule: String,
    /// Why, in words (host-side only; clients get a short fixed text). For allowed requests:
    /// the address connected to, or why the connection failed.
    pub reason: String,
}

/// Longest target kept in a [`ProxyDecision`].
pub const MAX_LOGGED_TARGET: usize = 512;

/// Starts the proxy on `settings.socket_path`, resolving names with [`SystemDns`] (the guard's
/// `dnsTimeoutMs`). The proxy runs until the returned handle is dropped.
pub fn start_proxy(settings: ProxySettings) -> std::io::Result<ProxyHandle> {
    let dns = Arc::new(SystemDns::new(settings.guard.dns_timeout()));
    start_proxy_with_dns(settings, dns)
}

/// [`start_proxy`] with another resolver (tests; an embedding with its own resolver). The
/// resolver only supplies answers: every answer still goes through the guard's SSRF
/// classification, and the proxy connects only to the answers that passed.
pub fn start_proxy_with_dns(
    settings: ProxySettings,
    dns: Arc<dyn DnsResolver + Send + Sync>,
) -> std::io::Result<ProxyHandle> {
    listener::start(settings, dns)
}

impl ProxyHandle {
    /// The Unix socket the proxy listens on.
    pub fn socket_path(&self) -> &Path {
        self.path()
    }
}
