//! The WebSocket protocol, version 1 (documented in `docs/gateway-protocol.md`). Every frame
//! is a JSON object `{"v": 1, "type": "...", ...}`.

use serde::{Deserialize, Serialize};

use crate::approvals::{ApprovalView, Outcome};
use crate::ports::{PendingPairing, SessionSummary, StoredMessage};

/// Protocol version.
pub const PROTOCOL_VERSION: u32 = 1;

/// A frame from the client.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// Must be the first frame: the gateway token or password.
    Auth {
        /// Protocol version.
        v: u32,
        /// Token (token mode).
        #[serde(default)]
        token: Option<String>,
        /// Password (password mode).
        #[serde(default)]
        password: Option<String>,
    },
    /// A webchat message to the default agent.
    Send {
        /// Protocol version.
        v: u32,
        /// Client id echoed in the ack.
        #[serde(default)]
        id: Option<String>,
        /// Text.
        text: String,
    },
    /// List sessions.
    SessionsList {
        /// Protocol version.
        v: u32,
    },
    /// A session's history.
    History {
        /// Protocol version.
        v: u32,
        /// Session key.
        session: String,
        /// Most messages (default 100, max 1000).
        #[serde(default)]
        limit: Option<usize>,
        /// Read as this session would (session-visibility rules, `tools.sessions.visibility`);
        /// without it the operator (owner) reads any session.
        #[serde(default)]
        as_session: Option<String>,
    },
    /// Pending pairing requests.
    PairingList {
        /// Protocol version.
        v: u32,
    },
    /// Approve a pairing code.
    PairingApprove {
        /// Protocol version.
        v: u32,
        /// Channel.
        channel: String,
        /// Code.
        code: String,
    },
    /// Reject a pairing code.
    PairingReject {
        /// Protocol version.
        v: u32,
        /// Channel.
        channel: String,
        /// Code.
        code: String,
    },
    /// Run the security audit now.
    Audit {
        /// Protocol version.
        v: u32,
    },
    /// Liveness.
    Ping {
        /// Protocol version.
        v: u32,
    },
    /// The pending tool-call approvals.
    ApprovalsList {
        /// Protocol version.
        v: u32,
    },
    /// Approve a pending tool call: it runs.
    ApprovalApprove {
        /// Protocol version.
        v: u32,
        /// The approval id (from `approval_request`).
        id: String,
    },
    /// Deny a pending tool call: it is blocked.
    ApprovalDeny {
        /// Protocol version.
        v: u32,
        /// The approval id (from `approval_request`).
        id: String,
    },
    /// Cancel the turn running in a session (default: the operator's webchat session).
    Cancel {
        /// Protocol version.
        v: u32,
        /// The session whose turn to cancel.
        #[serde(default)]
        session: Option<String>,
    },
}

impl ClientFrame {
    /// The frame's protocol version.
    pub fn version(&self) -> u32 {
        match self {
            ClientFrame::Auth { v, .. }
            | ClientFrame::Send { v, .. }
            | ClientFrame::SessionsList { v }
            | ClientFrame::History { v, .. }
            | ClientFrame::PairingList { v }
            | ClientFrame::PairingApprove { v, .. }
            | ClientFrame::PairingReject { v, .. }
            | ClientFrame::Audit { v }
            | ClientFrame::Ping { v }
            | ClientFrame::ApprovalsList { v }
            | ClientFrame::ApprovalApprove { v, .. }
            | ClientFrame::ApprovalDeny { v, .. }
            | ClientFrame::Cancel { v, .. } => *v,
        }
    }
}

/// A message event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageEvent {
    /// Session key.
    pub session: String,
    /// Channel.
    pub channel: String,
    /// Sender.
    pub sender: String,
    /// `user`, `assistant`, `system`.
    pub role: crate::ports::Role,
    /// Text.
    pub text: String,
    /// Milliseconds since the epoch.
    pub ts: u64,
}

/// A frame from the gateway.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// Authentication succeeded.
    Ready {
        /// `hardclaw`.
        server: &'static str,
        /// Crate version.
        version: &'static str,
        /// The operator's webchat session.
        session: String,
        /// Whether an agent runtime answers messages.
        agent: bool,
    },
    /// A `send` was accepted and stored (or refused: `status`).
    Ack {
        /// The client's id.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// Session the message went to.
        session: String,
        /// `stored` or `rejected`.
        status: &'static str,
        /// Why, when rejected.
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Something failed; `id` names the request when known.
    Error {
        /// The client's id.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// Stable code.
        code: &'static str,
        /// Human text (never internals).
        message: String,
    },
    /// A message was stored in a session.
    Message(MessageEvent),
    /// Reply to `sessions_list`.
    Sessions {
        /// Sessions, most recent first.
        sessions: Vec<SessionSummary>,
    },
    /// Reply to `history`.
    History {
        /// Session key.
        session: String,
        /// Messages, oldest first.
        messages: Vec<MessageEvent>,
    },
    /// Reply to `pairing_list`.
    Pairing {
        /// Pending requests.
        requests: Vec<PendingPairing>,
    },
    /// A new pairing request arrived.
    PairingRequested {
        /// Channel.
        channel: String,
        /// Account.
        account: String,
        /// Sender.
        sender: String,
    },
    /// Reply to `cancel`.
    CancelResult {
        /// The session.
        session: String,
        /// A running turn was told to stop (`false`: none was running).
        cancelled: bool,
    },
    /// Reply to `pairing_approve` / `pairing_reject`.
    PairingResult {
        /// Channel.
        channel: String,
        /// Code (upper-cased).
        code: String,
        /// `approved`, `rejected` or `not_found`.
        outcome: &'static str,
        /// The sender it matched.
        #[serde(skip_serializing_if = "Option::is_none")]
        sender: Option<String>,
    },
    /// Reply to `audit`.
    Audit {
        /// The report (`security audit --json` shape).
        report: serde_json::Value,
    },
    /// Reply to `ping`.
    Pong,
    /// Streamed text of an agent reply in progress, in any session (the full reply follows
    /// as a `message` with role `assistant`).
    ReplyDelta {
        /// Session the reply belongs to.
        session: String,
        /// The next piece of text.
        text: String,
    },
    /// A tool call waits for the operator (`approval_approve` / `approval_deny` with its id).
    ApprovalRequest(ApprovalView),
    /// A pending approval ended.
    ApprovalResolved {
        /// The approval id.
        id: String,
        /// `approved`, `denied`, `expired` or `cancelled`.
        outcome: Outcome,
    },
    /// Reply to `approvals_list`.
    Approvals {
        /// Pending approvals, oldest expiry first.
        requests: Vec<ApprovalView>,
    },
}

impl ServerFrame {
    /// The event for a stored message.
    pub fn message(m: &StoredMessage) -> ServerFrame {
        ServerFrame::Message(MessageEvent::from(m))
    }

    /// An error frame.
    pub fn error(
        id: Option<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> ServerFrame {
        ServerFrame::Error {
            id,
            code,
            message: message.into(),
        }
    }

    /// JSON text with the protocol version.
    pub fn to_text(&self) -> String {
        #[derive(Serialize)]
        struct Envelope<'a> {
            v: u32,
            #[serde(flatten)]
            frame: &'a ServerFrame,
        }
        serde_json::to_string(&Envelope {
            v: PROTOCOL_VERSION,
            frame: self,
        })
        .unwrap_or_else(|_| {
            r#"{"v":1,"type":"error","code":"internal","message":"internal error"}"#.into()
        })
    }
}

impl From<&StoredMessage> for MessageEvent {
    fn from(m: &StoredMessage) -> Self {
        MessageEvent {
            session: m.session.clone(),
            channel: m.channel.clone(),
            sender: m.sender.clone(),
            role: m.role,
            text: m.text.clone(),
            ts: m.ts_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_as_documented() {
        let f: ClientFrame = serde_json::from_str(r#"{"v":1,"type":"auth","token":"t"}"#).unwrap();
        assert_eq!(
            f,
            ClientFrame::Auth {
                v: 1,
                token: Some("t".into()),
                password: None
            }
        );
        let f: ClientFrame =
            serde_json::from_str(r#"{"v":1,"type":"send","id":"a","text":"hi"}"#).unwrap();
        assert_eq!(f.version(), 1);
        assert!(
            serde_json::from_str::<ClientFrame>(r#"{"v":1,"type":"auth","tokn":"t"}"#).is_err()
        );
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"ping"}"#).is_err());
        assert_eq!(ServerFrame::Pong.to_text(), r#"{"v":1,"type":"pong"}"#);
        let ack = ServerFrame::Ack {
            id: Some("a".into()),
            session: "agent:main:main".into(),
            status: "stored",
            reason: None,
        };
        assert_eq!(
            ack.to_text(),
            r#"{"v":1,"type":"ack","id":"a","session":"agent:main:main","status":"stored"}"#
        );
    }

    #[test]
    fn approval_frames_as_documented() {
        let f: ClientFrame =
            serde_json::from_str(r#"{"v":1,"type":"approval_approve","id":"ab12"}"#).unwrap();
        assert_eq!(
            f,
            ClientFrame::ApprovalApprove {
                v: 1,
                id: "ab12".into()
            }
        );
        assert!(
            serde_json::from_str::<ClientFrame>(r#"{"v":1,"type":"approval_deny"}"#).is_err(),
            "the id is required"
        );
        let view = ApprovalView {
            id: "ab12".into(),
            agent: "main".into(),
            session: "agent:main:main".into(),
            tool: "exec".into(),
            params: serde_json::json!({"command": "ls"}),
            guard: "exec-policy".into(),
            rule: "approval-required".into(),
            reason: "exec needs approval".into(),
            expires_at: 5,
        };
        assert_eq!(
            ServerFrame::ApprovalRequest(view).to_text(),
            r#"{"v":1,"type":"approval_request","id":"ab12","agent":"main","session":"agent:main:main","tool":"exec","params":{"command":"ls"},"guard":"exec-policy","rule":"approval-required","reason":"exec needs approval","expires_at":5}"#
        );
        assert_eq!(
            ServerFrame::ApprovalResolved {
                id: "ab12".into(),
                outcome: Outcome::Expired
            }
            .to_text(),
            r#"{"v":1,"type":"approval_resolved","id":"ab12","outcome":"expired"}"#
        );
    }
}
