//! The agent crate's errors. None of them ever carries an API key: provider messages are
//! passed through [`crate::secret::ApiKey::redact`] before they are kept.

use std::time::Duration;

/// A model call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderError {
    /// The agent has no `model` (neither in `agents.list[]` nor `agents.defaults`).
    #[error(
        "no model configured for agent `{agent}`: set agents.defaults.model or agents.list[].model to \"provider/model\""
    )]
    NoModel {
        /// The agent.
        agent: String,
    },
    /// A model reference is not `provider/model`.
    #[error("model `{model}` is not of the form \"provider/model\"")]
    BadModelRef {
        /// As written.
        model: String,
    },
    /// The provider is not under `models.providers`.
    #[error("model `{model}`: provider `{provider}` is not configured under models.providers")]
    UnknownProvider {
        /// The model reference.
        model: String,
        /// The provider id.
        provider: String,
    },
    /// `api` names a wire format hardclaw does not speak.
    #[error(
        "provider `{provider}`: api `{api}` is not supported (supported: openai-completions, anthropic-messages)"
    )]
    UnsupportedApi {
        /// The provider id.
        provider: String,
        /// As written.
        api: String,
    },
    /// `baseUrl` is not an http(s) URL.
    #[error("provider `{provider}`: baseUrl `{url}` is not an http(s) URL")]
    BadBaseUrl {
        /// The provider id.
        provider: String,
        /// As written.
        url: String,
    },
    /// No API key could be found.
    #[error("provider `{provider}`: no API key ({hint})")]
    MissingKey {
        /// The provider id.
        provider: String,
        /// Where it was looked for.
        hint: String,
    },
    /// The key is written literally in the config.
    #[error(
        "provider `{provider}`: apiKey is written in the config; write it as \"${{VAR}}\" or a SecretRef {{source: \"env\", id}}"
    )]
    InlineKey {
        /// The provider id.
        provider: String,
    },
    /// A SecretRef source this crate cannot read yet.
    #[error(
        "provider `{provider}`: SecretRef source `{source_kind}` is not supported yet (use env)"
    )]
    UnsupportedSecretSource {
        /// The provider id.
        provider: String,
        /// `file` or `exec`.
        source_kind: String,
    },
    /// 401/403: the provider refused the key.
    #[error("provider `{provider}` rejected the API key (HTTP {status}): {message}")]
    KeyRejected {
        /// The provider id.
        provider: String,
        /// 401 or 403.
        status: u16,
        /// The provider's message, key redacted, shortened.
        message: String,
    },
    /// Another non-retryable HTTP status.
    #[error("provider `{provider}` model `{model}` answered HTTP {status}: {message}")]
    Http {
        /// The provider id.
        provider: String,
        /// The model.
        model: String,
        /// The status.
        status: u16,
        /// The provider's message, key redacted, shortened.
        message: String,
    },
    /// 429 / 5xx still failing after every retry.
    #[error(
        "provider `{provider}` model `{model}` failed after {attempts} attempts (last: HTTP {status}): {message}"
    )]
    RetriesExhausted {
        /// The provider id.
        provider: String,
        /// The model.
        model: String,
        /// Attempts made.
        attempts: u32,
        /// Last status (0 = transport error).
        status: u16,
        /// Last message.
        message: String,
    },
    /// The connection failed or timed out (after retries).
    #[error("provider `{provider}`: {message}")]
    Transport {
        /// The provider id.
        provider: String,
        /// What failed.
        message: String,
    },
    /// The answer could not be understood.
    #[error("provider `{provider}`: malformed response: {message}")]
    Malformed {
        /// The provider id.
        provider: String,
        /// What was wrong.
        message: String,
    },
    /// The request timed out.
    #[error("provider `{provider}`: no complete answer within {timeout:?}")]
    Timeout {
        /// The provider id.
        provider: String,
        /// The limit.
        timeout: Duration,
    },
    /// The primary and every fallback failed.
    #[error("every configured model failed: {}", .errors.iter().map(|(m, e)| format!("{m}: {e}")).collect::<Vec<_>>().join("; "))]
    AllModelsFailed {
        /// `(provider/model, error)` in the order tried.
        errors: Vec<(String, ProviderError)>,
    },
}

impl ProviderError {
    /// Whether trying again may help (429, 5xx, transport, timeout).
    pub fn is_retryable(&self) -> bool {
        match self {
            ProviderError::Http { status, .. } => *status == 429 || *status >= 500,
            ProviderError::Transport { .. } | ProviderError::Timeout { .. } => true,
            _ => false,
        }
    }
}

/// A turn failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AgentError {
    /// The model call failed.
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] hardclaw_store::StoreError),
    /// The turn was cancelled.
    #[error("turn cancelled")]
    Cancelled,
    /// The model kept calling tools past the limit.
    #[error("stopped after {limit} tool rounds in one turn (agent tool-round limit)")]
    MaxToolRounds {
        /// The limit.
        limit: u32,
    },
    /// The workspace could not be opened.
    #[error("workspace {path}: {message}")]
    Workspace {
        /// The workspace path.
        path: String,
        /// What failed.
        message: String,
    },
    /// The agent id is not known to the tool policy.
    #[error("tool policy: {0}")]
    Policy(String),
    /// Another turn held the session for too long (agent-to-agent turns wait a bounded time).
    #[error("session {session} is busy with another turn")]
    SessionBusy {
        /// The session.
        session: String,
    },
}

impl AgentError {
    /// A short text safe to show on a channel or to another agent (no key, no internals;
    /// the details go to the log).
    pub fn public(&self) -> &'static str {
        match self {
            AgentError::Provider(
                ProviderError::KeyRejected { .. }
                | ProviderError::MissingKey { .. }
                | ProviderError::InlineKey { .. }
                | ProviderError::UnsupportedSecretSource { .. },
            ) => {
                "Sorry, I can't reach the model right now (provider credentials problem). The operator has been notified in the log."
            }
            AgentError::Provider(ProviderError::NoModel { .. }) => {
                "Sorry, no model is configured for this agent."
            }
            AgentError::Provider(_) => {
                "Sorry, the model provider is unavailable right now. Please try again later."
            }
            AgentError::MaxToolRounds { .. } => {
                "Sorry, I stopped: this needed too many tool calls."
            }
            AgentError::SessionBusy { .. } => "Sorry, that session is busy; try again later.",
            AgentError::Cancelled => "The turn was cancelled.",
            _ => "Sorry, something went wrong while answering.",
        }
    }
}
