//! The webhook channel: `POST /channels/webhook/<account>`.
//!
//! Fail closed, in this order: unknown account → 401; client locked out → 429; signature
//! headers missing/malformed, timestamp outside ±5 min, or MAC mismatch → 401 (dropped, counted,
//! a failed attempt for the rate limiter); signature already seen → 401 (replay). Only then is
//! the JSON payload `{sender, group?, text, mentions_bot?, reply_to_bot?, forwarded?}` parsed and
//! handed to
//! channel access control: delivered messages are stored in their session; pairing codes and
//! rejections are answered by a signed `POST` to the account's `webhookUrl`.

pub mod outbound;
pub mod replay;
pub mod signature;
pub mod stream;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;

use crate::auth::peer;
use crate::client_ip;
use crate::error::ApiError;
use crate::ports::{Access, DecisionEntry, Inbound, Role, StoredMessage, TurnOrigin, TurnRequest};
use crate::rate_limit::Scope;
use crate::state::{AppState, bump, now_ms};
use crate::turns::ReplyTo;
use crate::webchat::{self, Screened};
use crate::ws::protocol::ServerFrame;
use replay::Seen;
use signature::{SIGNATURE_HEADER, SignatureError, TIMESTAMP_HEADER};

/// Largest accepted body.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The inbound payload.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Payload {
    sender: String,
    #[serde(default)]
    group: Option<String>,
    text: String,
    #[serde(default)]
    mentions_bot: bool,
    #[serde(default)]
    reply_to_bot: bool,
    /// The text was forwarded from elsewhere (untrusted: it taints the session).
    #[serde(default)]
    forwarded: bool,
}

fn valid_id(s: &str) -> bool {
    !s.trim().is_empty() && s.len() <= 256 && !s.chars().any(char::is_control)
}

/// The handler.
pub async fn inbound(
    State(gw): State<AppState>,
    Path(account): Path<String>,
    parts: axum::extract::Request,
) -> Result<impl IntoResponse, ApiError> {
    let (parts, body) = parts.into_parts();
    let settings = gw.settings();
    let peer = peer(&parts)?;
    let client = client_ip::resolve(
        peer.ip(),
        &parts.headers,
        &settings.trusted_proxies,
        settings.allow_real_ip_fallback,
    );
    let key = client.key();
    let Some(acct) = settings.webhook_accounts.get(&account).cloned() else {
        bump(&gw.webhook.dropped_unknown_account);
        return Err(ApiError::BadSignature);
    };
    gw.limiter
        .check(&settings.limits, Scope::WebhookAuth, key)
        .map_err(|retry_after| ApiError::RateLimited { retry_after })?;
    let body: Bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::BadRequest("body too large"))?;

    let headers: &HeaderMap = &parts.headers;
    let h = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let now = (now_ms() / 1000) as i64;
    let verdict = signature::verify(
        acct.secret.expose().as_bytes(),
        h(TIMESTAMP_HEADER),
        h(SIGNATURE_HEADER),
        &body,
        now,
    );
    if let Err(e) = verdict {
        let counter = match e {
            SignatureError::Missing => &gw.webhook.dropped_unsigned,
            SignatureError::Stale => &gw.webhook.dropped_stale,
            SignatureError::Mismatch => &gw.webhook.dropped_bad_signature,
        };
        bump(counter);
        tracing::warn!(account = %account, client = %key, reason = ?e, "webhook request dropped");
        return Err(
            match gw
                .limiter
                .record_failure(&settings.limits, Scope::WebhookAuth, key)
            {
                Ok(()) => ApiError::BadSignature,
                Err(retry_after) => ApiError::RateLimited { retry_after },
            },
        );
    }
    let tag = h(SIGNATURE_HEADER)
        .and_then(signature::tag_of)
        .ok_or(ApiError::BadSignature)?;
    match gw.replay.insert(tag) {
        Seen::New => {}
        Seen::Replay => {
            bump(&gw.webhook.dropped_replayed);
            tracing::warn!(account = %account, client = %key, "webhook replay dropped");
            return Err(ApiError::BadSignature);
        }
        Seen::Full => return Err(ApiError::Busy),
    }
    gw.limiter.record_success(Scope::WebhookAuth, key);

    let payload: Payload =
        serde_json::from_slice(&body).map_err(|_| ApiError::BadRequest("invalid payload"))?;
    if !valid_id(&payload.sender) || payload.group.as_deref().is_some_and(|g| !valid_id(g)) {
        return Err(ApiError::BadRequest("invalid sender or group"));
    }
    bump(&gw.webhook.accepted);
    let payload_forwarded = payload.forwarded;

    let msg = Inbound {
        channel: "webhook".into(),
        account: account.clone(),
        sender: payload.sender.trim().to_string(),
        group: payload.group.map(|g| g.trim().to_string()),
        text: payload.text,
        mentions_bot: payload.mentions_bot,
        reply_to_bot: payload.reply_to_bot,
    };
    let access = gw.ports.access.clone();
    let config = settings.config.clone();
    let msg_for_decision = msg.clone();
    let guard = settings.channel_guard.clone();
    // Without a model classifier the detector runs on the same blocking thread (one hop).
    let detector_only = crate::screen::model_in_use(&settings).is_none();
    let (decision, screened) = tokio::task::spawn_blocking(move || {
        let decision = access.decide(&config, &msg_for_decision);
        // channel-guard screens only what access control lets through.
        let screened = (detector_only && matches!(decision, Access::Deliver { .. }))
            .then(|| webchat::screen(&guard, &msg_for_decision.text));
        (decision, screened)
    })
    .await
    .map_err(|_| ApiError::Internal)?;
    let screened = match (&decision, screened) {
        (Access::Deliver { .. }, None) => {
            Some(crate::screen::screen(&settings, msg.text.clone()).await)
        }
        (_, screened) => screened,
    };

    let reply_to = |kind: &'static str, text: String| {
        if let Some(url) = acct.url.clone() {
            outbound::send(
                gw.clone(),
                url,
                acct.secret.clone(),
                outbound::Reply {
                    account: account.clone(),
                    to: msg.sender.clone(),
                    group: msg.group.clone(),
                    kind,
                    text,
                    seq: None,
                },
            );
        }
    };
    let status = match decision {
        Access::Deliver { session_key } => match screened {
            Some(Screened::Blocked(reason)) => {
                bump(&gw.webhook.blocked);
                tracing::warn!(account = %account, "webhook message blocked by channel-guard");
                log_decision(&gw, "block", "channel-guard", reason);
                "blocked"
            }
            Some(Screened::Store(text)) => {
                match crate::turns::responder_for(&gw, &settings, &session_key) {
                    Some((responder, agent_id)) => {
                        // The responder records the message in the transcript.
                        let stored = inbound_message(session_key.clone(), &msg.sender, &text);
                        bump(&gw.webhook.delivered);
                        gw.publish(ServerFrame::message(&stored));
                        crate::turns::spawn(
                            gw.clone(),
                            responder,
                            settings.config.clone(),
                            TurnRequest {
                                agent_id,
                                session: session_key,
                                text,
                                origin: TurnOrigin::Channel {
                                    channel: "webhook".into(),
                                    account: account.clone(),
                                    sender: msg.sender.clone(),
                                    group: msg.group.clone(),
                                    forwarded: payload_forwarded,
                                },
                            },
                            "webhook",
                            ReplyTo::Webhook {
                                url: acct.url.clone(),
                                secret: acct.secret.clone(),
                                account: account.clone(),
                                to: msg.sender.clone(),
                                group: msg.group.clone(),
                                stream: acct.stream,
                            },
                        );
                    }
                    None => deliver(&gw, session_key, &msg.sender, text).await?,
                }
                "delivered"
            }
            None => return Err(ApiError::Internal),
        },
        Access::Pairing { reply } => {
            bump(&gw.webhook.pairing);
            log_decision(
                &gw,
                "pairing",
                "dm-pairing",
                format!("unknown sender on webhook/{account}"),
            );
            if let Some(text) = reply {
                reply_to("pairing", text);
                gw.publish(ServerFrame::PairingRequested {
                    channel: "webhook".into(),
                    account: account.clone(),
                    sender: msg.sender.clone(),
                });
            }
            "pairing"
        }
        Access::Drop { rule, reason } => {
            bump(&gw.webhook.skipped);
            tracing::debug!(account = %account, rule = %rule, reason = %reason, "webhook message skipped");
            log_decision(&gw, "drop", &rule, reason);
            "skipped"
        }
        Access::Reject { reason, reply } => {
            bump(&gw.webhook.rejected);
            tracing::info!(account = %account, rule = %reason, "webhook message rejected");
            log_decision(
                &gw,
                "reject",
                &reason,
                format!("refused on webhook/{account}"),
            );
            if let Some(text) = reply {
                reply_to("rejected", text);
            }
            "rejected"
        }
    };
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(json!({ "status": status })),
    ))
}

/// Writes a refusal to the decision log in the background (a failure is logged, not fatal).
fn log_decision(gw: &AppState, decision: &'static str, rule: &str, reason: String) {
    let entry = DecisionEntry {
        ts_ms: now_ms(),
        decision,
        rule: rule.to_string(),
        reason,
        session: None,
    };
    let store = gw.ports.transcripts.clone();
    tokio::task::spawn_blocking(move || {
        if let Err(e) = store.log_decision(&entry) {
            tracing::warn!(error = %e, "decision log write failed");
        }
    });
}

/// Stores a delivered message and tells the operators.
async fn deliver(
    gw: &AppState,
    session: String,
    sender: &str,
    text: String,
) -> Result<(), ApiError> {
    let stored = inbound_message(session, sender, &text);
    gw.writer.append(stored.clone()).await.map_err(|e| {
        tracing::error!(error = %e, "storing a webhook message failed");
        ApiError::Internal
    })?;
    bump(&gw.webhook.delivered);
    gw.publish(ServerFrame::message(&stored));
    Ok(())
}

fn inbound_message(session: String, sender: &str, text: &str) -> StoredMessage {
    StoredMessage {
        session,
        channel: "webhook".into(),
        sender: sender.to_string(),
        role: Role::User,
        text: text.to_string(),
        ts_ms: now_ms(),
    }
}
