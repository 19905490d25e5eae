//! `POST /v1/chat/completions`, OpenAI-compatible.
//!
//! 404 unless `gateway.http.endpoints.chatCompletions.enabled`; then auth; then 503 unless the
//! default agent has a model. The text of the last `user` message (history is the gateway's
//! own session `agent:<default>:openai-http`) passes channel-guard — a blocked message is a
//! `400` before any turn — then one agent turn runs.
//!
//! `stream: false` (default) answers one `chat.completion` object. `stream: true` answers
//! `text/event-stream` in OpenAI's chunk format: a first `chat.completion.chunk` whose delta
//! is `{"role":"assistant","content":""}`, one chunk per piece of text as the agent writes it,
//! a last chunk with an empty delta and `finish_reason: "stop"`, then `data: [DONE]`. A turn
//! that fails after the stream started ends it with `data: {"error":{…}}` (the short public
//! text of the failure, never internals) and no `[DONE]`. While nothing is written (a long
//! tool call, an approval) an SSE comment keeps the connection alive every 15 s.

use std::time::Duration;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, Request, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::ports::{Responder, TurnRequest};
use crate::screen::screen;
use crate::state::{AppState, now_ms};
use crate::webchat::Screened;

/// Largest request body.
const MAX_BODY: usize = 256 * 1024;
/// Time between keep-alive comments of a silent stream.
pub const KEEPALIVE: Duration = Duration::from_secs(15);

/// The handler.
pub async fn chat_completions(
    State(gw): State<AppState>,
    req: Request<Body>,
) -> Result<Response, ApiError> {
    let settings = gw.settings();
    if !settings.chat_completions {
        return Err(ApiError::NotFound);
    }
    let (mut parts, body) = req.into_parts();
    let _auth = <Authenticated as axum::extract::FromRequestParts<AppState>>::from_request_parts(
        &mut parts, &gw,
    )
    .await?;
    let session = format!(
        "agent:{}:openai-http",
        crate::webchat::default_agent(&settings.config)
    );
    let Some((responder, agent_id)) = crate::turns::responder_for(&gw, &settings, &session) else {
        return Err(ApiError::NoAgentRuntime);
    };
    let body = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| ApiError::BadRequest("body too large"))?;
    let request: Value =
        serde_json::from_slice(&body).map_err(|_| ApiError::BadRequest("invalid JSON"))?;
    let stream = match request.get("stream") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(ApiError::BadRequest("stream must be a boolean")),
    };
    let text = last_user_text(&request).ok_or(ApiError::BadRequest(
        "messages must end with a user message with text content",
    ))?;
    if text.trim().is_empty() || text.len() > 32 * 1024 {
        return Err(ApiError::BadRequest("messages are 1 to 32768 bytes"));
    }
    let text = match screen(&settings, text).await {
        Screened::Store(t) => t,
        Screened::Blocked(_) => {
            tracing::warn!("chat completions message blocked by channel-guard");
            return Err(ApiError::BadRequest("message blocked by channel-guard"));
        }
    };
    let turn = TurnRequest {
        agent_id,
        session,
        text,
        origin: crate::ports::TurnOrigin::Http,
    };
    let meta = Meta {
        id: completion_id(),
        created: now_ms() / 1000,
        model: request
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or("hardclaw")
            .to_string(),
    };
    if stream {
        return Ok(streamed(gw, responder, settings.config.clone(), turn, meta));
    }
    let reply = crate::turns::run(&gw, responder, settings.config.clone(), turn, None)
        .await
        .map_err(ApiError::AgentFailed)?;
    Ok(Json(json!({
        "id": meta.id,
        "object": "chat.completion",
        "created": meta.created,
        "model": meta.model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": reply},
            "finish_reason": "stop",
        }],
    }))
    .into_response())
}

/// What every chunk of one completion repeats.
#[derive(Debug, Clone)]
struct Meta {
    id: String,
    created: u64,
    model: String,
}

impl Meta {
    /// One `data:` event carrying a `chat.completion.chunk`.
    fn chunk(&self, delta: Value, finish_reason: Value) -> Bytes {
        let chunk = json!({
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": [{
                "index": 0,
                "delta": delta,
                "logprobs": null,
                "finish_reason": finish_reason,
            }],
        });
        Bytes::from(format!("data: {chunk}\n\n"))
    }
}

/// `chatcmpl-` and 24 random hex characters.
fn completion_id() -> String {
    let mut bytes = [0u8; 12];
    match getrandom::fill(&mut bytes) {
        Ok(()) => format!("chatcmpl-{}", hex::encode(bytes)),
        Err(_) => format!("chatcmpl-{}", now_ms()),
    }
}

/// The `data:` event that ends a failed stream (OpenAI's error object).
fn error_event(message: &str) -> Bytes {
    let e = json!({"error": {"message": message, "type": "agent_error", "code": "agent_error"}});
    Bytes::from(format!("data: {e}\n\n"))
}

/// The server-sent-event answer: the turn runs on its own task and its text is forwarded as
/// chunks. A client that goes away does not stop the turn (it is recorded like any other).
fn streamed(
    gw: AppState,
    responder: std::sync::Arc<dyn Responder>,
    config: std::sync::Arc<hardclaw_config::Config>,
    turn: TurnRequest,
    meta: Meta,
) -> Response {
    let (out, body_rx) = tokio::sync::mpsc::unbounded_channel::<Bytes>();
    tokio::spawn(async move {
        let _ = out.send(meta.chunk(json!({"role": "assistant", "content": ""}), Value::Null));
        let (tap, mut pieces) = tokio::sync::mpsc::unbounded_channel::<String>();
        let mut task = tokio::spawn(async move {
            crate::turns::run(&gw, responder, config, turn, Some(tap)).await
        });
        let mut keepalive =
            tokio::time::interval_at(tokio::time::Instant::now() + KEEPALIVE, KEEPALIVE);
        let result = loop {
            tokio::select! {
                biased;
                piece = pieces.recv() => match piece {
                    Some(text) if !text.is_empty() => {
                        let _ = out.send(meta.chunk(json!({"content": text}), Value::Null));
                        keepalive.reset();
                    }
                    Some(_) => {}
                    // Every delta is out: the turn is finishing.
                    None => break (&mut task).await,
                },
                _ = keepalive.tick() => {
                    let _ = out.send(Bytes::from_static(b": keep-alive\n\n"));
                }
            }
        };
        match result {
            Ok(Ok(_reply)) => {
                let _ = out.send(meta.chunk(json!({}), json!("stop")));
                let _ = out.send(Bytes::from_static(b"data: [DONE]\n\n"));
            }
            Ok(Err(public)) => {
                let _ = out.send(error_event(&public));
            }
            Err(e) => {
                tracing::error!(error = %e, "a streamed chat completion turn panicked");
                let _ = out.send(error_event("Sorry, something went wrong while answering."));
            }
        }
    });
    let stream = futures_util::stream::unfold(body_rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<Bytes, std::convert::Infallible>(b), rx))
    });
    let mut r = Body::from_stream(stream).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    r
}

/// The text of the last message when it is a `user` message (string content, or text parts).
fn last_user_text(request: &Value) -> Option<String> {
    let last = request.get("messages")?.as_array()?.last()?;
    if last.get("role")?.as_str()? != "user" {
        return None;
    }
    match last.get("content")? {
        Value::String(s) => Some(s.clone()),
        Value::Array(parts) => {
            let texts: Vec<&str> = parts
                .iter()
                .filter(|p| p.get("type").and_then(|t| t.as_str()) == Some("text"))
                .filter_map(|p| p.get("text").and_then(|t| t.as_str()))
                .collect();
            (!texts.is_empty()).then(|| texts.join("\n"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_openai_chunks() {
        let m = Meta {
            id: "chatcmpl-x".into(),
            created: 7,
            model: "hardclaw".into(),
        };
        let b = m.chunk(json!({"content": "hi"}), Value::Null);
        let text = std::str::from_utf8(&b).unwrap();
        assert!(text.starts_with("data: ") && text.ends_with("\n\n"));
        let v: Value = serde_json::from_str(text.trim_start_matches("data: ").trim()).unwrap();
        assert_eq!(v["object"], "chat.completion.chunk");
        assert_eq!(v["choices"][0]["delta"]["content"], "hi");
        assert_eq!(v["choices"][0]["finish_reason"], Value::Null);
        assert!(completion_id().starts_with("chatcmpl-"));
        assert_eq!(completion_id().len(), "chatcmpl-".len() + 24);
    }

    #[test]
    fn only_a_final_user_message_is_taken() {
        let r = json!({"messages": [{"role": "system", "content": "x"}, {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "image_url"}, {"type": "text", "text": "b"}]}]});
        assert_eq!(last_user_text(&r).as_deref(), Some("a\nb"));
        let r = json!({"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]});
        assert_eq!(last_user_text(&r), None);
    }
}
