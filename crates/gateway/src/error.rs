//! Every failure the HTTP surface can report, and the one place where a failure becomes a
//! response. Bodies are fixed per variant (`{"error": code, "message": text}`); nothing internal
//! (paths, error chains, secrets) is ever echoed to the client — internals go to the log.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An HTTP API failure with a fixed status and body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// No credential was presented (not counted as a failed attempt).
    #[error("authentication required")]
    MissingCredential,
    /// A credential was presented and is wrong (counted).
    #[error("invalid credentials")]
    BadCredential,
    /// Too many failed attempts from this client; retry after the lockout.
    #[error("too many failed attempts")]
    RateLimited {
        /// Time left in the lockout.
        retry_after: Duration,
    },
    /// A browser `Origin` that is neither allowed nor same-origin loopback.
    #[error("origin not allowed")]
    OriginNotAllowed,
    /// Trusted-proxy mode: the peer is not a trusted proxy, or headers are missing.
    #[error("untrusted source")]
    UntrustedProxy,
    /// Webhook: missing, malformed, stale, replayed or wrong signature (dropped and counted).
    #[error("invalid signature")]
    BadSignature,
    /// Request body is not what the endpoint accepts.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// The endpoint is off or does not exist.
    #[error("not found")]
    NotFound,
    /// Too many connections waiting to authenticate.
    #[error("busy")]
    Busy,
    /// The OpenAI-compatible endpoint is on, but there is no agent to answer.
    #[error("no agent runtime configured")]
    NoAgentRuntime,
    /// Something failed inside the gateway; details are in the log only.
    #[error("internal error")]
    Internal,
    /// An agent turn failed; the text is safe to show (never a key or internals).
    #[error("{0}")]
    AgentFailed(String),
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::MissingCredential | ApiError::BadCredential | ApiError::BadSignature => {
                StatusCode::UNAUTHORIZED
            }
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::OriginNotAllowed | ApiError::UntrustedProxy => StatusCode::FORBIDDEN,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Busy | ApiError::NoAgentRuntime => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::AgentFailed(_) => StatusCode::BAD_GATEWAY,
        }
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MissingCredential => "unauthorized",
            ApiError::BadCredential => "unauthorized",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::OriginNotAllowed => "origin_not_allowed",
            ApiError::UntrustedProxy => "untrusted_source",
            ApiError::BadSignature => "invalid_signature",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::NotFound => "not_found",
            ApiError::Busy => "busy",
            ApiError::NoAgentRuntime => "no_agent_runtime",
            ApiError::Internal => "internal",
            ApiError::AgentFailed(_) => "agent_error",
        }
    }
}

impl ApiError {
    /// The text shown to clients. Missing and wrong credentials read the same: a prober learns
    /// nothing.
    pub fn public_message(&self) -> String {
        match self {
            ApiError::BadCredential => ApiError::MissingCredential.to_string(),
            other => other.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let message = self.public_message();
        let mut body = json!({ "error": self.code(), "message": message });
        if let ApiError::RateLimited { retry_after } = &self {
            body["retryAfterMs"] = json!(retry_after.as_millis() as u64);
        }
        let mut response = (self.status(), axum::Json(body)).into_response();
        let headers = response.headers_mut();
        match &self {
            ApiError::MissingCredential | ApiError::BadCredential => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::RateLimited { retry_after } => {
                let secs = retry_after.as_secs().max(1);
                if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                    headers.insert(header::RETRY_AFTER, v);
                }
            }
            _ => {}
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_wrong_credentials_look_the_same() {
        let a = ApiError::MissingCredential.into_response();
        let b = ApiError::BadCredential.into_response();
        assert_eq!(a.status(), b.status());
        assert_eq!(a.headers(), b.headers());
    }

    #[test]
    fn rate_limited_carries_retry_after() {
        let r = ApiError::RateLimited {
            retry_after: Duration::from_secs(300),
        }
        .into_response();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()[header::RETRY_AFTER], "300");
    }
}
