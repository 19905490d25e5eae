//! The authenticated state of an operator WebSocket: requests in, answers and events out.

use axum::extract::ws::{Message, WebSocket};
use tokio::sync::broadcast::error::RecvError;

use super::protocol::{ClientFrame, MessageEvent, PROTOCOL_VERSION, ServerFrame};
use crate::auth::Principal;
use crate::ports::{Role, StoredMessage, TurnRequest};
use crate::settings::Settings;
use crate::state::{AppState, now_ms};
use crate::turns;
use crate::webchat;

/// The operator's webchat session: the default agent's main session.
pub fn operator_session(settings: &Settings) -> String {
    format!("agent:{}:main", webchat::default_agent(&settings.config))
}

async fn send(socket: &mut WebSocket, frame: &ServerFrame) -> bool {
    socket
        .send(Message::Text(frame.to_text().into()))
        .await
        .is_ok()
}

/// Runs the authenticated connection until either side closes.
pub async fn run(gw: AppState, mut socket: WebSocket, principal: Principal) {
    let mut events = gw.events.subscribe();
    let mut epoch = gw.auth_epoch.subscribe();
    epoch.mark_unchanged();
    // Approvals are asked only while at least one operator socket is connected.
    let _presence = gw.approvals.operator_connected();
    tracing::debug!(principal = ?principal, "operator connected");
    loop {
        tokio::select! {
            _ = epoch.changed() => {
                let _ = socket
                    .send(Message::Close(Some(axum::extract::ws::CloseFrame {
                        code: axum::extract::ws::close_code::POLICY,
                        reason: "credentials changed; log in again".into(),
                    })))
                    .await;
                break;
            }
            incoming = socket.recv() => {
                let Some(Ok(msg)) = incoming else { break };
                let reply = match msg {
                    Message::Text(text) => match handle(&gw, text.as_str()).await {
                        // An approval answer is confirmed by the `approval_resolved` broadcast,
                        // which this socket receives like every other operator socket.
                        ServerFrame::ApprovalResolved { .. } => continue,
                        other => other,
                    },
                    Message::Binary(_) => ServerFrame::error(None, "bad_frame", "frames are JSON text"),
                    Message::Close(_) => break,
                    Message::Ping(_) | Message::Pong(_) => continue,
                };
                if !send(&mut socket, &reply).await {
                    break;
                }
            }
            event = events.recv() => {
                match event {
                    Ok(frame) => {
                        if !send(&mut socket, &frame).await {
                            break;
                        }
                    }
                    Err(RecvError::Lagged(n)) => {
                        let f = ServerFrame::error(None, "events_lagged", format!("{n} events were dropped; refresh"));
                        if !send(&mut socket, &f).await {
                            break;
                        }
                    }
                    Err(RecvError::Closed) => break,
                }
            }
        }
    }
}

/// Answers one request frame.
async fn handle(gw: &AppState, text: &str) -> ServerFrame {
    let frame = match serde_json::from_str::<ClientFrame>(text) {
        Ok(f) => f,
        Err(_) => return ServerFrame::error(None, "bad_frame", "not a valid v1 frame"),
    };
    if frame.version() != PROTOCOL_VERSION {
        return ServerFrame::error(
            None,
            "unsupported_version",
            "protocol version 1 is required",
        );
    }
    let settings = gw.settings();
    match frame {
        ClientFrame::Auth { .. } => {
            ServerFrame::error(None, "already_authenticated", "already authenticated")
        }
        ClientFrame::Ping { .. } => ServerFrame::Pong,
        ClientFrame::Send { id, text, .. } => {
            let session = operator_session(&settings);
            if let Some(reason) = webchat::command_gate(&settings.config, &text) {
                return ServerFrame::Ack {
                    id,
                    session,
                    status: "rejected",
                    reason: Some(reason),
                };
            }
            if text.trim().is_empty() || text.len() > 32 * 1024 {
                return ServerFrame::error(id, "bad_message", "messages are 1 to 32768 bytes");
            }
            let text = match crate::screen::screen(&settings, text).await {
                webchat::Screened::Store(text) => text,
                webchat::Screened::Blocked(reason) => {
                    tracing::warn!("webchat message blocked by channel-guard");
                    return ServerFrame::Ack {
                        id,
                        session,
                        status: "rejected",
                        reason: Some(reason),
                    };
                }
            };
            let stored = StoredMessage {
                session: session.clone(),
                channel: "webchat".into(),
                sender: "operator".into(),
                role: Role::User,
                text,
                ts_ms: now_ms(),
            };
            if let Some((responder, agent_id)) = turns::responder_for(gw, &settings, &session) {
                // The responder records the message in the transcript.
                gw.publish(ServerFrame::message(&stored));
                turns::spawn(
                    gw.clone(),
                    responder,
                    settings.config.clone(),
                    TurnRequest {
                        agent_id,
                        session: session.clone(),
                        text: stored.text,
                        origin: crate::ports::TurnOrigin::Operator,
                    },
                    "webchat",
                    turns::ReplyTo::Webchat,
                );
                return ServerFrame::Ack {
                    id,
                    session,
                    status: "stored",
                    reason: None,
                };
            }
            if let Err(e) = gw.writer.append(stored.clone()).await {
                tracing::error!(error = %e, "storing a webchat message failed");
                return ServerFrame::error(id, "internal", "the message could not be stored");
            }
            gw.publish(ServerFrame::message(&stored));
            let notice = StoredMessage {
                role: Role::System,
                sender: "gateway".into(),
                text: webchat::NO_AGENT_NOTICE.into(),
                ..stored
            };
            gw.publish(ServerFrame::message(&notice));
            ServerFrame::Ack {
                id,
                session,
                status: "stored",
                reason: None,
            }
        }
        ClientFrame::SessionsList { .. } => {
            let store = gw.ports.transcripts.clone();
            match tokio::task::spawn_blocking(move || store.sessions()).await {
                Ok(Ok(sessions)) => ServerFrame::Sessions { sessions },
                _ => ServerFrame::error(None, "internal", "sessions unavailable"),
            }
        }
        ClientFrame::History {
            session,
            limit,
            as_session,
            ..
        } => {
            if let Some(viewer) = as_session.as_deref()
                && !hardclaw_policy::can_read_session(
                    hardclaw_policy::SessionRef::root(viewer),
                    hardclaw_policy::SessionRef::root(&session),
                    &settings.config,
                )
            {
                return ServerFrame::error(None, "forbidden", "that session may not read this one");
            }
            let store = gw.ports.transcripts.clone();
            let limit = limit.unwrap_or(100).clamp(1, 1000);
            let key = session.clone();
            match tokio::task::spawn_blocking(move || store.history(&key, limit)).await {
                Ok(Ok(messages)) => ServerFrame::History {
                    session,
                    messages: messages.iter().map(MessageEvent::from).collect(),
                },
                _ => ServerFrame::error(None, "internal", "history unavailable"),
            }
        }
        ClientFrame::PairingList { .. } => {
            let access = gw.ports.access.clone();
            match tokio::task::spawn_blocking(move || access.pending()).await {
                Ok(Ok(requests)) => ServerFrame::Pairing { requests },
                _ => ServerFrame::error(None, "internal", "pairing requests unavailable"),
            }
        }
        ClientFrame::ApprovalsList { .. } => ServerFrame::Approvals {
            requests: gw.approvals.pending(),
        },
        ClientFrame::ApprovalApprove { id, .. } => approval(gw, id, true),
        ClientFrame::ApprovalDeny { id, .. } => approval(gw, id, false),
        ClientFrame::Cancel { session, .. } => {
            let session = session.unwrap_or_else(|| operator_session(&settings));
            let cancelled = gw
                .ports
                .responder
                .as_ref()
                .is_some_and(|r| r.cancel(&session));
            if cancelled {
                tracing::info!(session = %session, "turn cancelled by the operator");
            }
            ServerFrame::CancelResult { session, cancelled }
        }
        ClientFrame::PairingApprove { channel, code, .. } => pairing(gw, channel, code, true).await,
        ClientFrame::PairingReject { channel, code, .. } => pairing(gw, channel, code, false).await,
        ClientFrame::Audit { .. } => {
            let Some(runner) = gw.ports.audit.clone() else {
                return ServerFrame::error(None, "unavailable", "the audit is not available");
            };
            match tokio::task::spawn_blocking(move || runner.run()).await {
                Ok(Ok(report)) => ServerFrame::Audit { report },
                _ => ServerFrame::error(None, "internal", "the audit failed; see the gateway log"),
            }
        }
    }
}

/// An operator's answer to a pending approval. The outcome reaches every operator socket as
/// `approval_resolved` (this one included); an unknown, expired or answered id is an error.
fn approval(gw: &AppState, id: String, approve: bool) -> ServerFrame {
    match gw.approvals.decide(&id, approve) {
        Ok(outcome) => ServerFrame::ApprovalResolved { id, outcome },
        Err(e) => ServerFrame::error(Some(id), "approval_not_found", e.to_string()),
    }
}

async fn pairing(gw: &AppState, channel: String, code: String, approve: bool) -> ServerFrame {
    let code = code.trim().to_ascii_uppercase();
    let channel = channel.trim().to_ascii_lowercase();
    let access = gw.ports.access.clone();
    let (ch, cd) = (channel.clone(), code.clone());
    let result = tokio::task::spawn_blocking(move || {
        if approve {
            access.approve(&ch, &cd)
        } else {
            access.reject(&ch, &cd)
        }
    })
    .await;
    match result {
        Ok(Ok(Some(sender))) => {
            tracing::info!(channel = %channel, approved = approve, "pairing request decided by the operator");
            ServerFrame::PairingResult {
                channel,
                code,
                outcome: if approve { "approved" } else { "rejected" },
                sender: Some(sender),
            }
        }
        Ok(Ok(None)) => ServerFrame::PairingResult {
            channel,
            code,
            outcome: "not_found",
            sender: None,
        },
        _ => ServerFrame::error(
            None,
            "internal",
            "the pairing store failed; see the gateway log",
        ),
    }
}
