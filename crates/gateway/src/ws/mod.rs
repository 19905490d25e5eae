//! `GET /ws`: the operator WebSocket.
//!
//! The connection is a two-state machine. **Pre-auth**: the upgrade is refused for disallowed
//! browser origins, locked-out clients and when [`MAX_PREAUTH_CONNECTIONS`] sockets are already
//! waiting; the first frame must be `auth`, arrive within [`HANDSHAKE_TIMEOUT`] and be at most
//! [`MAX_PREAUTH_FRAME`] bytes (else close 1009). **Authenticated**: requests are answered and
//! gateway events streamed, with frames up to [`MAX_FRAME`].
//!
//! [`MAX_PREAUTH_CONNECTIONS`]: crate::state::MAX_PREAUTH_CONNECTIONS

pub mod protocol;
mod session;

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::Response;

use crate::auth::{Principal, check_origin, client_of};
use crate::client_ip::ClientIp;
use crate::error::ApiError;
use crate::rate_limit::Scope;
use crate::state::AppState;
use protocol::{ClientFrame, PROTOCOL_VERSION, ServerFrame};

/// Time allowed for the `auth` frame.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(3);
/// Largest frame before authentication.
pub const MAX_PREAUTH_FRAME: usize = 64 * 1024;
/// Largest frame after authentication (also what the socket buffers at most).
pub const MAX_FRAME: usize = 1024 * 1024;

/// Upgrade preconditions, checked before the handshake completes.
#[derive(Debug)]
pub struct WsPreconditions {
    client: ClientIp,
    headers: axum::http::HeaderMap,
    permit: tokio::sync::OwnedSemaphorePermit,
}

impl FromRequestParts<AppState> for WsPreconditions {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, gw: &AppState) -> Result<Self, ApiError> {
        let settings = gw.settings();
        check_origin(&settings, &parts.headers)?;
        let client = client_of(&settings, parts)?;
        gw.limiter
            .check(&settings.limits, Scope::SharedSecret, client.key())
            .map_err(|retry_after| ApiError::RateLimited { retry_after })?;
        let permit = gw
            .preauth
            .clone()
            .try_acquire_owned()
            .map_err(|_| ApiError::Busy)?;
        Ok(WsPreconditions {
            client,
            headers: parts.headers.clone(),
            permit,
        })
    }
}

/// The upgrade handler.
pub async fn upgrade(
    State(gw): State<AppState>,
    pre: WsPreconditions,
    ws: WebSocketUpgrade,
) -> Response {
    ws.max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| async move {
            let WsPreconditions {
                client,
                headers,
                permit,
            } = pre;
            let Some((socket, principal)) = handshake(&gw, socket, &client, &headers).await else {
                return;
            };
            drop(permit);
            session::run(gw, socket, principal).await;
        })
}

async fn close(mut socket: WebSocket, code: u16, reason: &'static str) {
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })))
        .await;
}

/// Pre-auth state: waits for the `auth` frame. Returns the authenticated socket.
async fn handshake(
    gw: &AppState,
    mut socket: WebSocket,
    client: &ClientIp,
    headers: &axum::http::HeaderMap,
) -> Option<(WebSocket, Principal)> {
    let first = match tokio::time::timeout(HANDSHAKE_TIMEOUT, socket.recv()).await {
        Err(_) => {
            close(socket, close_code::POLICY, "handshake timeout").await;
            return None;
        }
        Ok(None) | Ok(Some(Err(_))) => return None,
        Ok(Some(Ok(msg))) => msg,
    };
    let text = match first {
        Message::Text(t) if t.len() > MAX_PREAUTH_FRAME => {
            close(socket, close_code::SIZE, "preauth payload too large").await;
            return None;
        }
        Message::Binary(b) if b.len() > MAX_PREAUTH_FRAME => {
            close(socket, close_code::SIZE, "preauth payload too large").await;
            return None;
        }
        Message::Text(t) => t,
        _ => {
            close(
                socket,
                close_code::POLICY,
                "invalid handshake: first frame must be auth",
            )
            .await;
            return None;
        }
    };
    let (token, password) = match serde_json::from_str::<ClientFrame>(text.as_str()) {
        Ok(ClientFrame::Auth { v, token, password }) if v == PROTOCOL_VERSION => (token, password),
        Ok(ClientFrame::Auth { .. }) => {
            let _ = socket
                .send(Message::Text(
                    ServerFrame::error(
                        None,
                        "unsupported_version",
                        "protocol version 1 is required",
                    )
                    .to_text()
                    .into(),
                ))
                .await;
            close(socket, close_code::PROTOCOL, "unsupported protocol version").await;
            return None;
        }
        _ => {
            close(
                socket,
                close_code::POLICY,
                "invalid handshake: first frame must be auth",
            )
            .await;
            return None;
        }
    };
    let settings = gw.settings();
    let presented = token.as_deref().or(password.as_deref());
    match gw.authenticate(&settings, client, presented, headers) {
        Ok(principal) => {
            let ready = ServerFrame::Ready {
                server: "hardclaw",
                version: env!("CARGO_PKG_VERSION"),
                session: session::operator_session(&settings),
                agent: crate::turns::responder_for(
                    gw,
                    &settings,
                    &session::operator_session(&settings),
                )
                .is_some(),
            };
            if socket
                .send(Message::Text(ready.to_text().into()))
                .await
                .is_err()
            {
                return None;
            }
            Some((socket, principal))
        }
        Err(e) => {
            let frame = ServerFrame::error(None, e.code(), e.public_message());
            let _ = socket.send(Message::Text(frame.to_text().into())).await;
            close(socket, close_code::POLICY, "unauthorized").await;
            None
        }
    }
}
