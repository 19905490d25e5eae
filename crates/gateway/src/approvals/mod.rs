//! The approval hub: where an agent's `ask` decisions wait for the operator.
//!
//! A tool call whose decision is `ask` becomes a pending approval with an unguessable id. The
//! hub publishes it to every authenticated operator socket as an `approval_request` frame (the
//! parameters redacted, see [`redact`]) and waits for an `approval_approve` /
//! `approval_deny` frame naming the id; the outcome is broadcast as `approval_resolved`.
//!
//! Fail closed: the answer is **no** when no operator socket is connected (at once, nobody
//! is asked), when nobody answers before the expiry, when the gateway shuts down, and when
//! the waiting side goes away (the tool executor's own timeout).

pub mod redact;

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{broadcast, oneshot};

use crate::state::now_ms;
use crate::ws::protocol::ServerFrame;

/// How long an approval waits for the operator by default (the agent's tool executor gives up
/// after 120 s; the hub expires its requests a little earlier so the expiry it shows is true).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(110);
/// Most approvals pending at once; more are denied at once.
pub const MAX_PENDING: usize = 256;
/// Capacity of the operator event bus.
const BUS_CAPACITY: usize = 1024;

/// What the agent runtime asks about one tool call.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalAsk {
    /// The agent.
    pub agent: String,
    /// The session.
    pub session: String,
    /// Normalised tool name.
    pub tool: String,
    /// The call's parameters (redacted by the hub before anyone sees them).
    pub params: serde_json::Value,
    /// The guard that asked.
    pub guard: String,
    /// Its rule.
    pub rule: String,
    /// Why, in words a person understands.
    pub reason: String,
}

/// A pending approval as operators see it (the `approval_request` frame).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApprovalView {
    /// Approval id (32 hex characters from the OS CSPRNG).
    pub id: String,
    /// The agent.
    pub agent: String,
    /// The session.
    pub session: String,
    /// The tool.
    pub tool: String,
    /// Parameters, secrets redacted, long strings shortened.
    pub params: serde_json::Value,
    /// The guard that asked.
    pub guard: String,
    /// Its rule.
    pub rule: String,
    /// Why.
    pub reason: String,
    /// When the request is denied unless answered (ms since the epoch).
    pub expires_at: u64,
}

/// How an approval ended (the `outcome` of `approval_resolved`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// An operator approved: the tool runs.
    Approved,
    /// An operator denied.
    Denied,
    /// Nobody answered in time (denied).
    Expired,
    /// The gateway shut down, or the waiting turn went away (denied).
    Cancelled,
}

/// Why `approve`/`deny` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no pending approval with that id (it may have expired or been answered)")]
pub struct UnknownApproval;

struct Pending {
    view: ApprovalView,
    answer: oneshot::Sender<bool>,
}

/// The hub. One per gateway; shared with the agent runtime's approver.
pub struct ApprovalHub {
    pending: Mutex<HashMap<String, Pending>>,
    operators: AtomicUsize,
    closed: AtomicBool,
    events: broadcast::Sender<ServerFrame>,
    timeout: Duration,
}

impl std::fmt::Debug for ApprovalHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApprovalHub")
            .field("operators", &self.operators.load(Ordering::Relaxed))
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Default for ApprovalHub {
    fn default() -> Self {
        ApprovalHub::new(DEFAULT_TIMEOUT)
    }
}

/// Held by each authenticated operator socket; the hub counts them.
#[derive(Debug)]
pub struct OperatorPresence<'a> {
    hub: &'a ApprovalHub,
}

impl Drop for OperatorPresence<'_> {
    fn drop(&mut self) {
        self.hub.operators.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Removes the pending entry when the waiting side stops waiting without an answer.
struct Waiting<'a> {
    hub: &'a ApprovalHub,
    id: String,
    outcome: Outcome,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if self.hub.take(&self.id).is_some() {
            tracing::info!(approval = %self.id, outcome = ?self.outcome, "approval denied without an answer");
            self.hub.resolved(&self.id, self.outcome);
        }
    }
}

impl ApprovalHub {
    /// A hub whose requests expire after `timeout`, with its own operator event bus (the
    /// gateway publishes every operator event on it).
    pub fn new(timeout: Duration) -> ApprovalHub {
        let (events, _) = broadcast::channel(BUS_CAPACITY);
        ApprovalHub {
            pending: Mutex::new(HashMap::new()),
            operators: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            events,
            timeout,
        }
    }

    /// The operator event bus.
    pub fn events(&self) -> &broadcast::Sender<ServerFrame> {
        &self.events
    }

    /// Registers an authenticated operator socket for as long as the guard lives.
    pub fn operator_connected(&self) -> OperatorPresence<'_> {
        self.operators.fetch_add(1, Ordering::SeqCst);
        OperatorPresence { hub: self }
    }

    /// Operator sockets connected now.
    pub fn operators(&self) -> usize {
        self.operators.load(Ordering::SeqCst)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn take(&self, id: &str) -> Option<Pending> {
        self.lock().remove(id)
    }

    fn resolved(&self, id: &str, outcome: Outcome) {
        let _ = self.events.send(ServerFrame::ApprovalResolved {
            id: id.to_string(),
            outcome,
        });
    }

    /// Asks the operators; `true` only when one approved in time. Never waits when nobody is
    /// connected, the hub is shut down, or too many requests are pending.
    pub async fn ask(&self, ask: ApprovalAsk) -> bool {
        if self.closed.load(Ordering::SeqCst) {
            tracing::info!(tool = %ask.tool, "approval denied: the gateway is shutting down");
            return false;
        }
        if self.operators() == 0 {
            tracing::info!(tool = %ask.tool, session = %ask.session, "approval denied: no operator connected");
            return false;
        }
        let Some(id) = new_id() else {
            tracing::error!("approval denied: no randomness for an approval id");
            return false;
        };
        let (tx, rx) = oneshot::channel();
        let expires_at = now_ms() + self.timeout.as_millis() as u64;
        // The reason and session may quote channel or model text: shown like the parameters.
        let shown = |s: &str| redact::escape_invisible(&redact::redact_text(s));
        let view = ApprovalView {
            id: id.clone(),
            agent: shown(&ask.agent),
            session: shown(&ask.session),
            tool: shown(&ask.tool),
            params: redact::redact_params(&ask.params),
            guard: ask.guard,
            rule: ask.rule,
            reason: shown(&ask.reason),
            expires_at,
        };
        {
            let mut pending = self.lock();
            if pending.len() >= MAX_PENDING {
                tracing::warn!(tool = %view.tool, "approval denied: too many pending approvals");
                return false;
            }
            pending.insert(
                id.clone(),
                Pending {
                    view: view.clone(),
                    answer: tx,
                },
            );
        }
        // shutdown() may have run between the check above and the insert.
        if self.closed.load(Ordering::SeqCst) {
            self.take(&id);
            return false;
        }
        tracing::info!(approval = %id, tool = %view.tool, session = %view.session, rule = %view.rule, "approval requested");
        let _ = self.events.send(ServerFrame::ApprovalRequest(view));
        let mut waiting = Waiting {
            hub: self,
            id,
            outcome: Outcome::Cancelled,
        };
        match tokio::time::timeout(self.timeout, rx).await {
            Ok(Ok(answer)) => answer,
            // The sender went away without an answer: shutdown (already announced).
            Ok(Err(_)) => false,
            Err(_) => {
                waiting.outcome = Outcome::Expired;
                false
            }
        }
    }

    /// An operator's answer. Unknown, expired and already answered ids are errors.
    pub fn decide(&self, id: &str, approve: bool) -> Result<Outcome, UnknownApproval> {
        let pending = self.take(id).ok_or(UnknownApproval)?;
        let outcome = if approve {
            Outcome::Approved
        } else {
            Outcome::Denied
        };
        if pending.answer.send(approve).is_err() {
            // The turn stopped waiting between our take and send: it counts as denied.
            self.resolved(id, Outcome::Cancelled);
            return Err(UnknownApproval);
        }
        tracing::info!(approval = %id, outcome = ?outcome, tool = %pending.view.tool, "approval answered by the operator");
        self.resolved(id, outcome);
        Ok(outcome)
    }

    /// The pending approvals, oldest expiry first.
    pub fn pending(&self) -> Vec<ApprovalView> {
        let mut v: Vec<ApprovalView> = self.lock().values().map(|p| p.view.clone()).collect();
        v.sort_by(|a, b| a.expires_at.cmp(&b.expires_at).then(a.id.cmp(&b.id)));
        v
    }

    /// Denies everything pending and every later request (gateway shutdown).
    pub fn shutdown(&self) {
        self.closed.store(true, Ordering::SeqCst);
        let drained: Vec<(String, Pending)> = self.lock().drain().collect();
        for (id, pending) in drained {
            let _ = pending.answer.send(false);
            self.resolved(&id, Outcome::Cancelled);
        }
    }
}

/// 16 random bytes as hex.
fn new_id() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(hex::encode(bytes))
}

#[cfg(test)]
mod tests;
