//! API keys: read only from the environment — a `${VAR}` reference in the config (the loader
//! substituted it), a SecretRef `{source: "env", id}`, or `<PROVIDER>_API_KEY` when the
//! provider has no `apiKey`. A key written literally in the config is refused. The value is
//! never printed: `Debug` is redacted and provider messages are scrubbed of it.

use std::fmt;

use hardclaw_config::EnvMap;
use hardclaw_config::schema::ModelProvider;
use hardclaw_config::schema::{SecretInput, SecretSource};

use crate::error::ProviderError;

/// An API key. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl ApiKey {
    /// The value, for the auth header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the key (and of its first 8 characters, which
    /// providers echo as `sk-abc123***`) replaced, cut to 300 characters.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.replace(&self.0, "<redacted>");
        if self.0.len() >= 12 {
            let prefix: String = self.0.chars().take(8).collect();
            out = out.replace(&prefix, "<redacted>");
        }
        if out.chars().count() > 300 {
            out = out.chars().take(300).collect::<String>() + "…";
        }
        out
    }
}

/// Where keys may come from: the environment, and which config strings were `${VAR}`.
#[derive(Debug, Clone, Default)]
pub struct KeySource {
    /// Variables (the process environment, merged `.env`, `env.vars`).
    pub env: EnvMap,
    /// JSON paths of config strings that were written as `${VAR}` (from
    /// [`hardclaw_config::LoadedConfig::env_refs`]).
    pub env_ref_paths: Vec<String>,
}

impl KeySource {
    /// From a loaded config and the environment it was loaded with.
    pub fn from_loaded(loaded: &hardclaw_config::LoadedConfig, env: EnvMap) -> KeySource {
        KeySource {
            env,
            env_ref_paths: loaded
                .env_refs
                .iter()
                .map(|r| r.json_path.clone())
                .collect(),
        }
    }

    /// Secret values the leak guard should look for: every provider key the config resolves
    /// to, and every environment variable whose name marks a secret (`*_KEY`, `*_TOKEN`,
    /// `*_SECRET`, `*_PASSWORD`, ...).
    pub fn referenced_values(&self, config: &hardclaw_config::Config) -> Vec<String> {
        let mut out: Vec<String> = self
            .env
            .iter()
            .filter(|(k, _)| hardclaw_config::redact::is_secret_key(k))
            .map(|(_, v)| v.clone())
            .collect();
        if let Some(providers) = config.models.as_ref().and_then(|m| m.providers.as_ref()) {
            for (id, p) in providers {
                if let Ok(k) = self.key_for(id, p) {
                    out.push(k.0);
                }
            }
        }
        out
    }

    /// The key of provider `id`.
    pub fn key_for(&self, id: &str, provider: &ModelProvider) -> Result<ApiKey, ProviderError> {
        let path = format!("models.providers.{id}.apiKey");
        self.resolve(&path, provider.api_key.as_ref(), &default_key_var(id))
            .map_err(|p| match p {
                KeyProblem::Missing(hint) => ProviderError::MissingKey {
                    provider: id.to_string(),
                    hint,
                },
                KeyProblem::Inline => ProviderError::InlineKey {
                    provider: id.to_string(),
                },
                KeyProblem::UnsupportedSource(source_kind) => {
                    ProviderError::UnsupportedSecretSource {
                        provider: id.to_string(),
                        source_kind,
                    }
                }
            })
    }

    /// The key configured at `json_path` (`models.providers.x.apiKey`,
    /// `tools.web.search.apiKey`): a SecretRef `{source: "env"}`, a string that was written
    /// as `${VAR}` (a literal is refused), or, when absent, the variable `default_var`.
    pub fn resolve(
        &self,
        json_path: &str,
        input: Option<&SecretInput>,
        default_var: &str,
    ) -> Result<ApiKey, KeyProblem> {
        let nonempty = |v: Option<&String>| v.filter(|v| !v.trim().is_empty()).cloned();
        match input {
            Some(SecretInput::Ref(r)) => match r.source {
                SecretSource::Env => nonempty(self.env.get(&r.id)).map(ApiKey).ok_or_else(|| {
                    KeyProblem::Missing(format!("environment variable {} is not set", r.id))
                }),
                SecretSource::File | SecretSource::Exec => Err(KeyProblem::UnsupportedSource(
                    format!("{:?}", r.source).to_lowercase(),
                )),
            },
            Some(SecretInput::Plain(value)) => {
                if !self.env_ref_paths.iter().any(|p| p == json_path) {
                    return Err(KeyProblem::Inline);
                }
                nonempty(Some(value))
                    .map(ApiKey)
                    .ok_or_else(|| KeyProblem::Missing("apiKey is empty".to_string()))
            }
            None => {
                let parent = json_path.strip_suffix(".apiKey").unwrap_or(json_path);
                nonempty(self.env.get(default_var))
                    .map(ApiKey)
                    .ok_or_else(|| {
                        KeyProblem::Missing(format!(
                            "no apiKey in {parent} and {default_var} is not set"
                        ))
                    })
            }
        }
    }
}

/// Why [`KeySource::resolve`] found no key. Never carries the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyProblem {
    /// Nothing set (where it was looked for).
    Missing(String),
    /// Written literally in the config.
    Inline,
    /// A SecretRef source that cannot be read yet (`file`, `exec`).
    UnsupportedSource(String),
}

/// `<PROVIDER>_API_KEY` (non-alphanumerics become `_`).
pub fn default_key_var(provider: &str) -> String {
    let mut var: String = provider
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    var.push_str("_API_KEY");
    var
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_redact_never_show_the_key() {
        let k = ApiKey("sk-test-1234567890abcdef".into());
        assert_eq!(format!("{k:?}"), "ApiKey(<redacted>)");
        let msg =
            k.redact("Incorrect API key provided: sk-test-1234567890abcdef, also sk-test-***");
        assert!(!msg.contains("1234567890"), "{msg}");
        assert!(!msg.contains("sk-test-"), "{msg}");
    }

    #[test]
    fn inline_key_is_refused_and_env_fallback_works() {
        let p = ModelProvider {
            api_key: Some(SecretInput::Plain("sk-inline".into())),
            ..Default::default()
        };
        let src = KeySource::default();
        assert!(matches!(
            src.key_for("openai", &p),
            Err(ProviderError::InlineKey { .. })
        ));
        let src = KeySource {
            env_ref_paths: vec!["models.providers.openai.apiKey".into()],
            ..Default::default()
        };
        assert!(src.key_for("openai", &p).is_ok());
        let mut env = EnvMap::new();
        env.insert("MY_GW_API_KEY".into(), "k".into());
        let src = KeySource {
            env,
            ..Default::default()
        };
        assert!(src.key_for("my-gw", &ModelProvider::default()).is_ok());
        let err = KeySource::default()
            .key_for("anthropic", &ModelProvider::default())
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "provider `anthropic`: no API key (no apiKey in models.providers.anthropic and ANTHROPIC_API_KEY is not set)"
            )
        );
    }
}
