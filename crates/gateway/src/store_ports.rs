//! The real ports: `hardclaw-store` (SQLite transcripts, OpenClaw-compatible pairing files)
//! and `hardclaw_policy::channel_access::decide_inbound`.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use hardclaw_config::Config;
use hardclaw_policy::channel_access::{
    AccessDecision, ChatKind, InboundMessage, decide_inbound, normalize_sender, pairing_reply,
};
use hardclaw_policy::{SessionKey, SessionType};
use hardclaw_store::{
    DecisionRecord, PairingError, PairingOutcome, PairingStore, SessionRecord, Store,
};

use crate::ports::{
    Access, ChannelAccess, DecisionEntry, Inbound, PendingPairing, PortError, Role, SessionSummary,
    StoredMessage, Transcripts,
};

/// The default account id (`None` in the store).
const DEFAULT_ACCOUNT: &str = "default";

fn account_opt(account: &str) -> Option<&str> {
    (account != DEFAULT_ACCOUNT).then_some(account)
}

/// Transcripts in `<state>/hardclaw.db`.
#[derive(Debug)]
pub struct StoreTranscripts {
    store: Arc<Mutex<Store>>,
    known: Mutex<HashSet<String>>,
}

impl StoreTranscripts {
    /// Opens (creates, migrates) the store.
    pub fn open(state_dir: &Path) -> Result<StoreTranscripts, PortError> {
        let store = Store::open(state_dir).map_err(|e| PortError(e.to_string()))?;
        Ok(StoreTranscripts {
            store: Arc::new(Mutex::new(store)),
            known: Mutex::new(HashSet::new()),
        })
    }

    /// The store connection, shared with the agent runtime (one writer).
    pub fn shared(&self) -> Arc<Mutex<Store>> {
        self.store.clone()
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::User => "user",
        Role::Assistant => "assistant",
        Role::System => "system",
    }
}

impl Transcripts for StoreTranscripts {
    fn log_decision(&self, entry: &DecisionEntry) -> Result<(), PortError> {
        let store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        store
            .log_decision(&DecisionRecord {
                ts: i64::try_from(entry.ts_ms).unwrap_or(i64::MAX),
                guard: "channel-access".into(),
                rule: entry.rule.clone(),
                decision: entry.decision.into(),
                reason: entry.reason.clone(),
                session_key: entry.session.clone(),
                tool: None,
            })
            .map_err(|e| PortError(e.to_string()))
    }

    fn append_batch(&self, batch: &[StoredMessage]) -> Result<(), PortError> {
        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        for m in batch {
            let ts = i64::try_from(m.ts_ms).unwrap_or(i64::MAX);
            if !known.contains(&m.session) {
                let key = SessionKey::parse(&m.session, "main");
                let record = SessionRecord::from_key(&key, None, ts);
                store
                    .upsert_session(&record)
                    .map_err(|e| PortError(e.to_string()))?;
                known.insert(m.session.clone());
            }
            store
                .append_message(&m.session, role_name(m.role), &m.text, ts)
                .map_err(|e| PortError(e.to_string()))?;
        }
        Ok(())
    }

    fn sessions(&self) -> Result<Vec<SessionSummary>, PortError> {
        let store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        let rows = store
            .list_sessions(None)
            .map_err(|e| PortError(e.to_string()))?;
        Ok(rows
            .into_iter()
            .map(|r| SessionSummary {
                key: r.key,
                kind: r.kind,
                channel: r.channel,
                peer: r.peer,
                updated_ms: u64::try_from(r.updated_at).unwrap_or(0),
            })
            .collect())
    }

    fn history(&self, session: &str, limit: usize) -> Result<Vec<StoredMessage>, PortError> {
        let store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        let rows = store
            .history(session, limit)
            .map_err(|e| PortError(e.to_string()))?;
        let key = SessionKey::parse(session, "main");
        let (channel, peer) = match &key.kind {
            SessionType::Dm { channel, peer } => {
                (channel.clone().unwrap_or_default(), Some(peer.clone()))
            }
            SessionType::Group { channel, .. } => (channel.clone(), None),
            _ => ("webchat".to_string(), Some("operator".to_string())),
        };
        Ok(rows
            .into_iter()
            .filter_map(|mut r| {
                r.content = display_text(&r.role, r.content)?;
                Some(r)
            })
            .map(|r| {
                let role = match r.role.as_str() {
                    "assistant" => Role::Assistant,
                    "system" => Role::System,
                    _ => Role::User,
                };
                let sender = match role {
                    Role::User => peer.clone().unwrap_or_default(),
                    Role::Assistant => "agent".into(),
                    Role::System => "gateway".into(),
                };
                StoredMessage {
                    session: r.session_key,
                    channel: channel.clone(),
                    sender,
                    role,
                    text: r.content,
                    ts_ms: u64::try_from(r.ts).unwrap_or(0),
                }
            })
            .collect())
    }
}

/// What the operator sees of a transcript row. The agent runtime records messages as JSON
/// (`{"role": "...", "content": ...}`, role matching the row): user and assistant text is
/// shown, tool results and tool-call-only assistant messages are not. Other rows are text.
fn display_text(role: &str, content: String) -> Option<String> {
    if role == "tool" {
        return None;
    }
    let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(&content)
    else {
        return Some(content);
    };
    if m.get("role").and_then(|r| r.as_str()) != Some(role) {
        return Some(content);
    }
    match m.get("content").and_then(|c| c.as_str()) {
        Some(t) if !t.is_empty() => Some(t.to_string()),
        _ => None,
    }
}

/// `decide_inbound` over the pairing files in the credentials dir.
#[derive(Debug)]
pub struct PolicyAccess {
    pairing: PairingStore,
}

impl PolicyAccess {
    /// Pairing files under `credentials_dir`.
    pub fn new(credentials_dir: &Path) -> PolicyAccess {
        PolicyAccess {
            pairing: PairingStore::new(credentials_dir),
        }
    }
}

impl ChannelAccess for PolicyAccess {
    fn decide(&self, config: &Config, msg: &Inbound) -> Access {
        let inbound = InboundMessage {
            channel: msg.channel.clone(),
            account: account_opt(&msg.account).map(str::to_string),
            sender: msg.sender.clone(),
            chat: match &msg.group {
                Some(g) => ChatKind::Group {
                    group_id: g.clone(),
                },
                None => ChatKind::Direct,
            },
            text: msg.text.clone(),
            mentions_bot: msg.mentions_bot,
            is_reply_to_bot: msg.reply_to_bot,
        };
        match decide_inbound(config, &inbound, &self.pairing) {
            AccessDecision::Deliver { session_key, .. } => Access::Deliver {
                session_key: session_key.key,
            },
            AccessDecision::Pairing { reason } => {
                let Some(sender) = normalize_sender(&msg.channel, &msg.sender) else {
                    return Access::Drop {
                        rule: "sender-invalid".into(),
                        reason,
                    };
                };
                match self.pairing.request(
                    &msg.channel,
                    account_opt(&msg.account),
                    &sender,
                    SystemTime::now(),
                ) {
                    Ok(PairingOutcome::NewCode(code)) => Access::Pairing {
                        reply: Some(pairing_reply(&msg.channel, &sender, &code)),
                    },
                    Ok(PairingOutcome::AlreadyPending | PairingOutcome::LimitReached) => {
                        Access::Pairing { reply: None }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "pairing store failed; message dropped");
                        Access::Drop {
                            rule: "pairing-store-unavailable".into(),
                            reason: "pairing store unavailable".into(),
                        }
                    }
                }
            }
            AccessDecision::Drop { rule, reason } => Access::Drop {
                rule: rule.to_string(),
                reason,
            },
            AccessDecision::Reject { rule, reply } => Access::Reject {
                reason: rule.to_string(),
                reply: Some(reply),
            },
        }
    }

    fn may_message(
        &self,
        config: &Config,
        channel: &str,
        account: Option<&str>,
        to: &str,
    ) -> Result<(), String> {
        let probe = InboundMessage {
            channel: channel.to_string(),
            account: account.and_then(account_opt).map(str::to_string),
            sender: to.to_string(),
            chat: ChatKind::Direct,
            text: String::new(),
            mentions_bot: false,
            is_reply_to_bot: false,
        };
        match decide_inbound(config, &probe, &self.pairing) {
            AccessDecision::Deliver { .. } => Ok(()),
            AccessDecision::Pairing { .. } => Err(format!(
                "{to} is not an approved sender on {channel} (pair or allowlist them first)"
            )),
            AccessDecision::Drop { rule, .. } | AccessDecision::Reject { rule, .. } => {
                Err(format!("{to} may not be messaged on {channel} ({rule})"))
            }
        }
    }

    fn pending(&self) -> Result<Vec<PendingPairing>, PortError> {
        let list = self
            .pairing
            .list(None, SystemTime::now())
            .map_err(|e| PortError(e.to_string()))?;
        Ok(list
            .into_iter()
            .map(|r| PendingPairing {
                channel: r.channel,
                account: r.account.unwrap_or_else(|| DEFAULT_ACCOUNT.into()),
                sender: r.sender,
                code: r.code,
                created_at: r.created_at,
            })
            .collect())
    }

    fn approve(&self, channel: &str, code: &str) -> Result<Option<String>, PortError> {
        match self.pairing.approve(channel, code, SystemTime::now()) {
            Ok(a) => Ok(Some(a.sender)),
            Err(PairingError::UnknownCode { .. }) => Ok(None),
            Err(e) => Err(PortError(e.to_string())),
        }
    }

    fn reject(&self, channel: &str, code: &str) -> Result<Option<String>, PortError> {
        match self.pairing.reject(channel, code) {
            Ok(sender) => Ok(Some(sender)),
            Err(PairingError::UnknownCode { .. }) => Ok(None),
            Err(e) => Err(PortError(e.to_string())),
        }
    }
}
