//! Which models an agent uses: its `model` (`"provider/model"` or `{primary, fallbacks}`)
//! resolved against `models.providers` into [`ModelTarget`]s, primary first.

use hardclaw_config::Config;
use hardclaw_config::schema::{ModelProvider, ModelRef};
use url::Url;

use crate::error::ProviderError;
use crate::secret::{ApiKey, KeySource};

/// A provider wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// OpenAI chat completions (`POST {baseUrl}/chat/completions`).
    OpenAiCompletions,
    /// Anthropic Messages (`POST {baseUrl}/v1/messages`).
    AnthropicMessages,
}

impl Api {
    /// Reads `api`; absent → Anthropic for the `anthropic` provider, OpenAI otherwise.
    fn from_config(provider: &str, api: Option<&str>) -> Result<Api, ProviderError> {
        match api {
            Some("openai-completions") => Ok(Api::OpenAiCompletions),
            Some("anthropic-messages") => Ok(Api::AnthropicMessages),
            None if provider == "anthropic" => Ok(Api::AnthropicMessages),
            None => Ok(Api::OpenAiCompletions),
            Some(other) => Err(ProviderError::UnsupportedApi {
                provider: provider.to_string(),
                api: other.to_string(),
            }),
        }
    }

    fn default_base(self) -> &'static str {
        match self {
            Api::OpenAiCompletions => "https://api.openai.com/v1",
            Api::AnthropicMessages => "https://api.anthropic.com",
        }
    }
}

/// One model to call.
#[derive(Debug, Clone)]
pub struct ModelTarget {
    /// Provider id.
    pub provider: String,
    /// Model id at the provider.
    pub model: String,
    /// Wire format.
    pub api: Api,
    /// The endpoint URL (chat completions or messages).
    pub endpoint: Url,
    /// The key.
    pub key: ApiKey,
    /// `contextWindow` of the model's catalogue entry, when given (tokens).
    pub context_window: Option<u64>,
    /// `maxTokens` of the model's catalogue entry, when given.
    pub max_tokens: Option<u32>,
}

impl ModelTarget {
    /// `provider/model`.
    pub fn label(&self) -> String {
        format!("{}/{}", self.provider, self.model)
    }
}

/// The model chain of `agent_id` (its own `model`, else `agents.defaults.model`).
pub fn resolve_chain(
    config: &Config,
    agent_id: &str,
    keys: &KeySource,
) -> Result<Vec<ModelTarget>, ProviderError> {
    let model = config
        .agent_list()
        .iter()
        .find(|a| a.id.eq_ignore_ascii_case(agent_id))
        .and_then(|a| a.model.as_ref())
        .or_else(|| config.agent_defaults().and_then(|d| d.model.as_ref()));
    let ids: Vec<&str> = match model {
        Some(m @ ModelRef::Name(_)) | Some(m @ ModelRef::Chain(_)) => m.ids(),
        None => Vec::new(),
    };
    let ids: Vec<&str> = ids.into_iter().filter(|s| !s.trim().is_empty()).collect();
    if ids.is_empty() {
        return Err(ProviderError::NoModel {
            agent: agent_id.to_string(),
        });
    }
    let providers = config.models.as_ref().and_then(|m| m.providers.as_ref());
    ids.into_iter()
        .map(|id| {
            let Some((provider, model)) = id
                .split_once('/')
                .filter(|(p, m)| !p.is_empty() && !m.is_empty())
            else {
                return Err(ProviderError::BadModelRef {
                    model: id.to_string(),
                });
            };
            let Some(p) = providers.and_then(|ps| ps.get(provider)) else {
                return Err(ProviderError::UnknownProvider {
                    model: id.to_string(),
                    provider: provider.to_string(),
                });
            };
            target(provider, model, p, keys)
        })
        .collect()
}

fn target(
    provider: &str,
    model: &str,
    p: &ModelProvider,
    keys: &KeySource,
) -> Result<ModelTarget, ProviderError> {
    let api = Api::from_config(provider, p.api.as_deref())?;
    let base = p.base_url.as_deref().unwrap_or(api.default_base());
    let bad = || ProviderError::BadBaseUrl {
        provider: provider.to_string(),
        url: base.to_string(),
    };
    let trimmed = base.trim_end_matches('/');
    let endpoint = match api {
        Api::OpenAiCompletions => format!("{trimmed}/chat/completions"),
        Api::AnthropicMessages if trimmed.ends_with("/v1") => format!("{trimmed}/messages"),
        Api::AnthropicMessages => format!("{trimmed}/v1/messages"),
    };
    let endpoint = Url::parse(&endpoint).map_err(|_| bad())?;
    if !matches!(endpoint.scheme(), "http" | "https") {
        return Err(bad());
    }
    let key = keys.key_for(provider, p)?;
    let entry = p
        .models
        .iter()
        .flatten()
        .find(|m| m.get("id").and_then(|v| v.as_str()) == Some(model));
    let context_window = entry
        .and_then(|e| e.get("contextWindow"))
        .and_then(|v| v.as_u64());
    let max_tokens = entry
        .and_then(|e| e.get("maxTokens"))
        .and_then(|v| v.as_u64())
        .and_then(|v| u32::try_from(v).ok());
    Ok(ModelTarget {
        provider: provider.to_string(),
        model: model.to_string(),
        api,
        endpoint,
        key,
        context_window,
        max_tokens,
    })
}
