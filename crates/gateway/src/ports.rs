//! What the gateway needs from the rest of hardclaw, as traits: a transcript store, channel
//! access decisions with the pairing store behind them, and the audit. The binary plugs in the
//! real implementations (`hardclaw-store`, `hardclaw_policy::channel_access`,
//! `hardclaw_audit::run_audit`); tests and benchmarks may plug in others.

use serde::Serialize;

use hardclaw_config::Config;

/// Who wrote a stored message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A person (channel sender or the operator).
    User,
    /// The agent.
    Assistant,
    /// The gateway itself (notices).
    System,
}

/// One message of a session transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredMessage {
    /// Session key (`agent:main:webhook:direct:alice`).
    pub session: String,
    /// Channel (`webchat`, `webhook`).
    pub channel: String,
    /// Sender id as the channel gave it.
    pub sender: String,
    /// Role.
    pub role: Role,
    /// Text.
    pub text: String,
    /// Milliseconds since the epoch.
    pub ts_ms: u64,
}

/// A session as listed to the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionSummary {
    /// Session key.
    pub key: String,
    /// `main`, `dm`, `group`, ...
    pub kind: String,
    /// Channel, for channel sessions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Peer (DM sender or group id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer: Option<String>,
    /// Last activity (ms since the epoch).
    pub updated_ms: u64,
}

/// A failure of a port; the text goes to the log, never to a client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PortError(pub String);

/// One access decision for the decision log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionEntry {
    /// Milliseconds since the epoch.
    pub ts_ms: u64,
    /// `allow`, `pairing`, `drop`, `reject`.
    pub decision: &'static str,
    /// Rule id.
    pub rule: String,
    /// Why (never message text or secrets).
    pub reason: String,
    /// The session, when one was chosen.
    pub session: Option<String>,
}

/// Session transcripts. Called from a dedicated writer thread (appends) or `spawn_blocking`.
pub trait Transcripts: Send + Sync + 'static {
    /// Records an access decision (refusals; deliveries are the transcript itself).
    fn log_decision(&self, _entry: &DecisionEntry) -> Result<(), PortError> {
        Ok(())
    }
    /// Appends messages atomically (one transaction).
    fn append_batch(&self, batch: &[StoredMessage]) -> Result<(), PortError>;
    /// Every session, most recent first.
    fn sessions(&self) -> Result<Vec<SessionSummary>, PortError>;
    /// The last `limit` messages of a session, oldest first.
    fn history(&self, session: &str, limit: usize) -> Result<Vec<StoredMessage>, PortError>;
}

/// An inbound channel message, as the access decision sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    /// Channel id (`webhook`).
    pub channel: String,
    /// Account id.
    pub account: String,
    /// Sender id.
    pub sender: String,
    /// Group id for group messages.
    pub group: Option<String>,
    /// Text.
    pub text: String,
    /// The bot was mentioned (native mention data).
    pub mentions_bot: bool,
    /// The message replies to the bot (implicit mention).
    pub reply_to_bot: bool,
}

/// What to do with an inbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Process it in this session.
    Deliver {
        /// Session key.
        session_key: String,
    },
    /// Unknown sender under `dmPolicy: pairing`: not processed; reply with the code when new.
    Pairing {
        /// The reply to send (pairing code text); `None` when nothing may be sent (repeat
        /// message, or 3 requests already pending).
        reply: Option<String>,
    },
    /// Silently skipped (policy, mention gating); never answered.
    Drop {
        /// Stable rule id (`dm-allowlist`, `group-mention-required`, ...).
        rule: String,
        /// Why (for the log and the decision record).
        reason: String,
    },
    /// Refused with an optional reply (disabled commands).
    Reject {
        /// Why.
        reason: String,
        /// What to tell the sender.
        reply: Option<String>,
    },
}

/// A pending pairing request as shown to the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingPairing {
    /// Channel.
    pub channel: String,
    /// Account.
    pub account: String,
    /// Sender id.
    pub sender: String,
    /// The code.
    pub code: String,
    /// When requested (RFC 3339 or ms, as the store keeps it).
    pub created_at: String,
}

/// Channel access control and the pairing store.
pub trait ChannelAccess: Send + Sync + 'static {
    /// Decides one inbound message (may create or refresh a pairing request).
    fn decide(&self, config: &Config, msg: &Inbound) -> Access;
    /// Pending pairing requests of every channel.
    fn pending(&self) -> Result<Vec<PendingPairing>, PortError>;
    /// Approves a code; `Ok(Some(sender))` when it matched a pending request.
    fn approve(&self, channel: &str, code: &str) -> Result<Option<String>, PortError>;
    /// Rejects a code; `Ok(Some(sender))` when it matched.
    fn reject(&self, channel: &str, code: &str) -> Result<Option<String>, PortError>;
    /// Whether the agent may message `to` on `channel`: exactly when a direct message from
    /// `to` would be delivered (allowlisted, paired, or an open DM policy). Pure: no pairing
    /// request is created. `Err` says why not.
    fn may_message(
        &self,
        _config: &Config,
        channel: &str,
        _account: Option<&str>,
        _to: &str,
    ) -> Result<(), String> {
        Err(format!("no access control for {channel}"))
    }
}

/// Runs the security audit on demand and returns its JSON report (`hardclaw security audit
/// --json` shape).
pub trait AuditRunner: Send + Sync + 'static {
    /// Runs it (blocking).
    fn run(&self) -> Result<serde_json::Value, PortError>;
}

/// Fail-closed access control used when no channel access is wired: every message is dropped.
#[derive(Debug, Default)]
pub struct DenyAll;

impl ChannelAccess for DenyAll {
    fn decide(&self, _: &Config, _: &Inbound) -> Access {
        Access::Drop {
            rule: "no-access-control".into(),
            reason: "channel access control is not configured".into(),
        }
    }
    fn pending(&self) -> Result<Vec<PendingPairing>, PortError> {
        Ok(Vec::new())
    }
    fn approve(&self, _: &str, _: &str) -> Result<Option<String>, PortError> {
        Ok(None)
    }
    fn reject(&self, _: &str, _: &str) -> Result<Option<String>, PortError> {
        Ok(None)
    }
}

/// Who sent the message a turn answers (the runtime derives the tool policy's sender layers
/// and the session's taint from it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TurnOrigin {
    /// The operator (Control UI).
    #[default]
    Operator,
    /// The OpenAI-compatible HTTP API.
    Http,
    /// A channel message.
    Channel {
        /// Channel id.
        channel: String,
        /// Account id.
        account: String,
        /// Sender id.
        sender: String,
        /// Group id for group messages.
        group: Option<String>,
        /// The sender marked the text as forwarded from elsewhere.
        forwarded: bool,
    },
}

/// One agent turn the gateway asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnRequest {
    /// The agent (normalised id).
    pub agent_id: String,
    /// The session the turn belongs to.
    pub session: String,
    /// The (screened) user text.
    pub text: String,
    /// Who sent it.
    pub origin: TurnOrigin,
}

/// A boxed turn future: `Ok(reply)` or `Err(short text for the channel)` (never a key or
/// internals; the implementation logs the details).
pub type TurnFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, String>> + Send>>;

/// The agent runtime: runs one turn of a session. The binary plugs in `hardclaw-agent`.
/// The implementation records the user message and the answer in the session transcript
/// itself; the gateway does not store the inbound text again when a turn runs.
pub trait Responder: Send + Sync + 'static {
    /// Whether `agent_id` has a model configured (a turn would be attempted).
    fn has_model(&self, config: &Config, agent_id: &str) -> bool;
    /// Runs one turn; streamed text goes to `deltas` as it arrives.
    fn run_turn(
        &self,
        config: std::sync::Arc<Config>,
        req: TurnRequest,
        deltas: tokio::sync::mpsc::UnboundedSender<String>,
    ) -> TurnFuture;
    /// Cancels the turn running in `session`; `false` when none runs there.
    fn cancel(&self, _session: &str) -> bool {
        false
    }
}
