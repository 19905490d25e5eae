//! Model providers: [`ModelClient`] calls the agent's model chain — primary, then each
//! fallback — over OpenAI chat completions or Anthropic Messages, streamed (SSE) or not.
//! 429 and 5xx answers and transport errors are retried with bounded exponential backoff
//! (honouring `Retry-After` up to the cap); 401/403 are reported as a rejected key; when a
//! model still fails, the next model of the chain is tried.
//!
//! The HTTP client is reqwest with rustls and no system proxy (`HTTP(S)_PROXY` are ignored:
//! the `system-proxy` feature is off and `no_proxy()` is set).

pub mod anthropic;
pub mod openai;
pub mod sse;

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

use crate::error::ProviderError;
use crate::message::{ModelReply, ModelRequest};
use crate::models::{Api, ModelTarget};
use sse::SseDecoder;

/// Timeouts, retries and streaming.
#[derive(Debug, Clone)]
pub struct ProviderSettings {
    /// One whole request (connect to last byte).
    pub request_timeout: Duration,
    /// TCP + TLS connect.
    pub connect_timeout: Duration,
    /// Retries after the first attempt, per model (429 / 5xx / transport).
    pub max_retries: u32,
    /// First backoff; doubled each retry.
    pub backoff_base: Duration,
    /// Backoff cap (also caps `Retry-After`).
    pub backoff_max: Duration,
    /// Use SSE streaming.
    pub stream: bool,
    /// Largest non-streamed answer.
    pub max_response_bytes: usize,
}

impl Default for ProviderSettings {
    fn default() -> Self {
        ProviderSettings {
            request_timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(10),
            max_retries: 2,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(8),
            stream: true,
            max_response_bytes: 8 * 1024 * 1024,
        }
    }
}

/// Calls a model chain.
#[derive(Debug, Clone)]
pub struct ModelClient {
    http: reqwest::Client,
    chain: Vec<ModelTarget>,
    settings: ProviderSettings,
}

/// One failed attempt: the error and the `Retry-After` it carried.
struct Failure {
    error: ProviderError,
    retry_after: Option<Duration>,
}

impl ModelClient {
    /// A client for `chain` (primary first; see [`crate::models::resolve_chain`]).
    pub fn new(
        chain: Vec<ModelTarget>,
        settings: ProviderSettings,
    ) -> Result<ModelClient, ProviderError> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(settings.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ProviderError::Transport {
                provider: "*".into(),
                message: format!("cannot build the HTTP client: {e}"),
            })?;
        Ok(ModelClient {
            http,
            chain,
            settings,
        })
    }

    /// The chain, primary first.
    pub fn chain(&self) -> &[ModelTarget] {
        &self.chain
    }

    /// Asks the chain; `on_text` receives streamed text as it arrives (a retried or
    /// fallen-back attempt may repeat text already delivered).
    pub async fn complete(
        &self,
        req: &ModelRequest<'_>,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<ModelReply, ProviderError> {
        let mut errors = Vec::new();
        for target in &self.chain {
            match self.complete_one(target, req, on_text).await {
                Ok(reply) => return Ok(reply),
                Err(e) => errors.push((target.label(), e)),
            }
        }
        if errors.len() == 1
            && let Some((_, e)) = errors.pop()
        {
            return Err(e);
        }
        Err(ProviderError::AllModelsFailed { errors })
    }

    async fn complete_one(
        &self,
        target: &ModelTarget,
        req: &ModelRequest<'_>,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<ModelReply, ProviderError> {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let failure = match self.attempt(target, req, on_text).await {
                Ok(r) => return Ok(r),
                Err(f) => f,
            };
            if !failure.error.is_retryable() {
                return Err(failure.error);
            }
            if attempt > self.settings.max_retries {
                let (status, message) = match &failure.error {
                    ProviderError::Http {
                        status, message, ..
                    } => (*status, message.clone()),
                    other => (0, other.to_string()),
                };
                return Err(ProviderError::RetriesExhausted {
                    provider: target.provider.clone(),
                    model: target.model.clone(),
                    attempts: attempt,
                    status,
                    message,
                });
            }
            let exp = self
                .settings
                .backoff_base
                .saturating_mul(1u32 << (attempt - 1).min(16));
            let wait = failure
                .retry_after
                .unwrap_or(exp)
                .min(self.settings.backoff_max);
            tokio::time::sleep(wait).await;
        }
    }

    async fn attempt(
        &self,
        target: &ModelTarget,
        req: &ModelRequest<'_>,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<ModelReply, Failure> {
        let timeout = self.settings.request_timeout;
        match tokio::time::timeout(timeout, self.attempt_inner(target, req, on_text)).await {
            Ok(r) => r,
            Err(_) => Err(Failure {
                error: ProviderError::Timeout {
                    provider: target.provider.clone(),
                    timeout,
                },
                retry_after: None,
            }),
        }
    }

    async fn attempt_inner(
        &self,
        target: &ModelTarget,
        req: &ModelRequest<'_>,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<ModelReply, Failure> {
        let provider = target.provider.clone();
        let fail = |error| Failure {
            error,
            retry_after: None,
        };
        let transport = |e: reqwest::Error| {
            fail(ProviderError::Transport {
                provider: provider.clone(),
                message: target.key.redact(&without_url(&e)),
            })
        };
        let stream = self.settings.stream;
        let max_tokens = target
            .max_tokens
            .map_or(req.max_tokens, |m| m.min(req.max_tokens));
        let req = ModelRequest { max_tokens, ..*req };
        let builder = self.http.post(target.endpoint.clone());
        let builder =
            match target.api {
                Api::OpenAiCompletions => builder
                    .bearer_auth(target.key.expose())
                    .json(&openai::body(&target.model, &req, stream)),
                Api::AnthropicMessages => builder
                    .header("x-api-key", target.key.expose())
                    .header("anthropic-version", anthropic::VERSION)
                    .json(&anthropic::body(&target.model, &req, stream)),
            };
        let resp = builder.send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let body = read_capped(resp, 16 * 1024).await.unwrap_or_default();
            let message = target.key.redact(&error_message(&body));
            let error = if status == 401 || status == 403 {
                ProviderError::KeyRejected {
                    provider: provider.clone(),
                    status,
                    message,
                }
            } else {
                ProviderError::Http {
                    provider: provider.clone(),
                    model: target.model.clone(),
                    status,
                    message,
                }
            };
            return Err(Failure { error, retry_after });
        }
        let malformed = |message: String| {
            fail(ProviderError::Malformed {
                provider: provider.clone(),
                message: target.key.redact(&message),
            })
        };
        let (text, tool_calls, usage, stop_reason) = if stream {
            let mut decoder = SseDecoder::default();
            let mut bytes = resp.bytes_stream();
            let mut oa = openai::StreamState::default();
            let mut an = anthropic::StreamState::default();
            let mut finished = false;
            'read: while let Some(chunk) = bytes.next().await {
                let chunk = chunk.map_err(transport)?;
                for ev in decoder.feed(&chunk).map_err(&malformed)? {
                    let done = match target.api {
                        Api::OpenAiCompletions => oa.on_data(&ev.data, on_text),
                        Api::AnthropicMessages => {
                            an.on_event(ev.event.as_deref(), &ev.data, on_text)
                        }
                    }
                    .map_err(&malformed)?;
                    if done {
                        finished = true;
                        break 'read;
                    }
                }
            }
            if !finished && let Some(ev) = decoder.finish() {
                match target.api {
                    Api::OpenAiCompletions => oa.on_data(&ev.data, on_text),
                    Api::AnthropicMessages => an.on_event(ev.event.as_deref(), &ev.data, on_text),
                }
                .map_err(&malformed)?;
            }
            match target.api {
                Api::OpenAiCompletions => oa.finish(),
                Api::AnthropicMessages => an.finish(),
            }
            .map_err(|m| {
                // A stream cut short is a transport problem: retry it.
                fail(ProviderError::Transport {
                    provider: provider.clone(),
                    message: m,
                })
            })?
        } else {
            let body = read_capped(resp, self.settings.max_response_bytes)
                .await
                .map_err(transport)?;
            let v: Value = serde_json::from_slice(&body).map_err(|e| malformed(e.to_string()))?;
            let parsed = match target.api {
                Api::OpenAiCompletions => openai::parse_json(&v),
                Api::AnthropicMessages => anthropic::parse_json(&v),
            };
            let parsed = parsed.map_err(malformed)?;
            if !parsed.0.is_empty() {
                on_text(&parsed.0);
            }
            parsed
        };
        Ok(ModelReply {
            model: target.label(),
            text,
            tool_calls,
            usage,
            stop_reason,
        })
    }
}

/// reqwest's message without the URL (which could carry query secrets).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let mut msg = kind.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

/// `error.message` of a provider error body, else the body's text.
fn error_message(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| text.trim().to_string())
}

async fn read_capped(resp: reqwest::Response, cap: usize) -> Result<Vec<u8>, reqwest::Error> {
    let mut out = Vec::new();
    let mut s = resp.bytes_stream();
    while let Some(chunk) = s.next().await {
        let chunk = chunk?;
        let room = cap.saturating_sub(out.len());
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if out.len() >= cap {
            break;
        }
    }
    Ok(out)
}
