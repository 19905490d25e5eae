//! The shared state of a running gateway: current settings (swapped on reload), the rate
//! limiter, counters, the ports, and the event bus that feeds operator WebSockets.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use serde::Serialize;
use tokio::sync::{Semaphore, broadcast};

use crate::approvals::ApprovalHub;
use crate::ports::{AuditRunner, ChannelAccess, Responder, Transcripts};
use crate::rate_limit::RateLimiter;
use crate::settings::Settings;
use crate::transcripts::Writer;
use crate::webhook::outbound::Outbound;
use crate::webhook::replay::ReplayCache;
use crate::ws::protocol::ServerFrame;

/// Most connections allowed to sit in the unauthenticated phase at once.
pub const MAX_PREAUTH_CONNECTIONS: usize = 64;

/// Webhook counters, visible on `/health`.
#[derive(Debug, Default)]
pub struct WebhookCounters {
    /// Signed requests accepted (any decision).
    pub accepted: AtomicU64,
    /// Delivered to a session.
    pub delivered: AtomicU64,
    /// Unknown sender: pairing.
    pub pairing: AtomicU64,
    /// Skipped by policy (mention gating, group policy, ...).
    pub skipped: AtomicU64,
    /// Rejected (disabled commands).
    pub rejected: AtomicU64,
    /// Blocked by channel-guard (prompt injection).
    pub blocked: AtomicU64,
    /// Dropped: no or malformed signature headers.
    pub dropped_unsigned: AtomicU64,
    /// Dropped: signature does not match.
    pub dropped_bad_signature: AtomicU64,
    /// Dropped: timestamp outside ±5 min.
    pub dropped_stale: AtomicU64,
    /// Dropped: signature already seen.
    pub dropped_replayed: AtomicU64,
    /// Dropped: no such account.
    pub dropped_unknown_account: AtomicU64,
    /// Outbound replies sent.
    pub replies_sent: AtomicU64,
    /// Outbound replies that failed.
    pub replies_failed: AtomicU64,
}

/// Snapshot of [`WebhookCounters`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookStats {
    accepted: u64,
    delivered: u64,
    pairing: u64,
    skipped: u64,
    rejected: u64,
    blocked: u64,
    dropped: u64,
    dropped_unsigned: u64,
    dropped_bad_signature: u64,
    dropped_stale: u64,
    dropped_replayed: u64,
    dropped_unknown_account: u64,
    replies_sent: u64,
    replies_failed: u64,
}

impl WebhookCounters {
    /// Reads every counter.
    pub fn snapshot(&self) -> WebhookStats {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let dropped = g(&self.dropped_unsigned)
            + g(&self.dropped_bad_signature)
            + g(&self.dropped_stale)
            + g(&self.dropped_replayed)
            + g(&self.dropped_unknown_account);
        WebhookStats {
            accepted: g(&self.accepted),
            delivered: g(&self.delivered),
            pairing: g(&self.pairing),
            skipped: g(&self.skipped),
            rejected: g(&self.rejected),
            blocked: g(&self.blocked),
            dropped,
            dropped_unsigned: g(&self.dropped_unsigned),
            dropped_bad_signature: g(&self.dropped_bad_signature),
            dropped_stale: g(&self.dropped_stale),
            dropped_replayed: g(&self.dropped_replayed),
            dropped_unknown_account: g(&self.dropped_unknown_account),
            replies_sent: g(&self.replies_sent),
            replies_failed: g(&self.replies_failed),
        }
    }
}

/// Increments a counter.
pub fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

/// Pluggable parts of the gateway.
#[derive(Clone)]
pub struct Ports {
    /// Session transcripts.
    pub transcripts: Arc<dyn Transcripts>,
    /// Channel access and pairing.
    pub access: Arc<dyn ChannelAccess>,
    /// On-demand audit.
    pub audit: Option<Arc<dyn AuditRunner>>,
    /// The agent runtime (`None`: messages are stored and acknowledged, nothing answers).
    pub responder: Option<Arc<dyn Responder>>,
}

impl std::fmt::Debug for Ports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ports")
    }
}

/// The running gateway.
#[derive(Debug)]
pub struct Gateway {
    settings: RwLock<Arc<Settings>>,
    /// Failed-auth limiter.
    pub limiter: RateLimiter,
    /// Webhook counters.
    pub webhook: WebhookCounters,
    /// Seen webhook signatures.
    pub replay: ReplayCache,
    /// Outbound replies.
    pub outbound: Outbound,
    /// Ports.
    pub ports: Ports,
    /// Transcript writer.
    pub writer: Writer,
    /// Unauthenticated WebSocket slots.
    pub preauth: Arc<Semaphore>,
    /// Events for authenticated operator sockets.
    pub events: broadcast::Sender<ServerFrame>,
    /// Start time.
    pub started: Instant,
    /// Bumped when a reload changes the credentials; authenticated sockets then close.
    pub auth_epoch: tokio::sync::watch::Sender<u64>,
    /// One agent turn at a time per session.
    pub turns: crate::turns::SessionLocks,
    /// Tool calls waiting for the operator (shared with the agent runtime's approver).
    pub approvals: Arc<ApprovalHub>,
}

/// Handle shared by every request.
pub type AppState = Arc<Gateway>;

impl Gateway {
    /// A gateway over resolved settings and ports, with an approval hub of its own.
    pub fn new(settings: Settings, ports: Ports) -> Gateway {
        Gateway::with_approvals(settings, ports, Arc::new(ApprovalHub::default()))
    }

    /// A gateway whose operators answer the approvals of `approvals` (the hub the agent
    /// runtime's approver asks). The hub's event bus is the gateway's operator event bus.
    pub fn with_approvals(
        settings: Settings,
        ports: Ports,
        approvals: Arc<ApprovalHub>,
    ) -> Gateway {
        let events = approvals.events().clone();
        Gateway {
            settings: RwLock::new(Arc::new(settings)),
            limiter: RateLimiter::new(),
            webhook: WebhookCounters::default(),
            replay: ReplayCache::new(),
            outbound: Outbound::new(),
            writer: Writer::start(ports.transcripts.clone()),
            ports,
            preauth: Arc::new(Semaphore::new(MAX_PREAUTH_CONNECTIONS)),
            events,
            started: Instant::now(),
            auth_epoch: tokio::sync::watch::Sender::new(0),
            turns: crate::turns::SessionLocks::default(),
            approvals,
        }
    }

    /// The current settings.
    pub fn settings(&self) -> Arc<Settings> {
        self.settings
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Swaps in new settings (a reload). Listener changes need a restart and are reported.
    pub fn replace_settings(&self, next: Settings) -> Vec<String> {
        let mut notes = Vec::new();
        let mut guard = self.settings.write().unwrap_or_else(|e| e.into_inner());
        if guard.bind != next.bind || (guard.port != next.port && guard.port != 0) {
            notes.push("gateway.port / gateway.bind changes take effect after a restart".into());
        }
        if !guard.auth.same_credentials(&next.auth) {
            self.auth_epoch.send_modify(|e| *e += 1);
            notes.push("gateway credentials changed: connected clients must log in again".into());
        }
        *guard = Arc::new(next);
        notes
    }

    /// Sends an event to every authenticated operator socket.
    pub fn publish(&self, frame: ServerFrame) {
        let _ = self.events.send(frame);
    }
}

/// Milliseconds since the epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A gateway over `config` with in-memory ports and a temporary state dir (unit tests).
#[cfg(test)]
pub(crate) fn test_gateway(config: serde_json::Value) -> (tempfile::TempDir, Gateway) {
    use hardclaw_config::{Config, Flavor, LocationInputs, Locations};
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let locations = Locations::resolve(&LocationInputs {
        state_dir_flag: Some(tmp.path().join("state")),
        flavor: Flavor::Hardclaw,
        cwd: tmp.path().to_path_buf(),
        ..LocationInputs::default()
    });
    let settings = Settings::resolve(&crate::settings::Inputs {
        config: Config::from_value(&config).unwrap_or_else(|e| panic!("config: {e:?}")),
        env: Default::default(),
        locations,
        port_override: None,
    })
    .unwrap_or_else(|e| panic!("settings: {e}"));
    let ports = Ports {
        transcripts: Arc::new(crate::transcripts::MemoryTranscripts::default()),
        access: Arc::new(crate::ports::DenyAll),
        audit: None,
        responder: None,
    };
    (tmp, Gateway::new(settings, ports))
}
