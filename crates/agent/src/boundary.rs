//! content-guard at agent-to-agent boundaries, as the runtime runs it: the text handed from
//! one agent's session to another (`sessions_send` and `sessions_spawn`), **and the reply that
//! comes back**, is classified before the receiving side sees it. Both directions, every pair
//! of agents — unlike the guide's plugin, which scans only sends addressed to
//! `agent:search:*` — and no Cloudflare-marker bypass (see
//! [`hardclaw_policy::injection::content_guard`]).
//!
//! Stages: the deterministic detector (a high score blocks without a network call), then the
//! LLM classifier at `plugins.entries["content-guard"].config.baseUrl` (OpenRouter by default,
//! any OpenAI-compatible endpoint) with strict `SAFE`/`INJECTION` parsing. Every failure
//! (timeout, HTTP error, unparseable reply, missing key) blocks. When the config has no
//! `content-guard` entry and no key is available (neither `openRouterApiKey` nor
//! `OPENROUTER_API_KEY`), only the deterministic stage runs — the decision says so
//! (`deterministic-only`) and the audit reports it; configure the plugin to get the LLM stage.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use hardclaw_config::{Config, EnvMap};
use hardclaw_policy::Decision;
use hardclaw_policy::injection::content_guard::{ContentGuard, ContentStage, GUARD, HttpOutcome};
use serde_json::json;

/// Rule id when the LLM stage is not configured and the deterministic stage passed.
pub const RULE_DETERMINISTIC_ONLY: &str = "deterministic-only";

/// Largest classifier response read.
const MAX_REPLY_BYTES: usize = 64 * 1024;

/// content-guard with its HTTP client.
#[derive(Debug, Clone)]
pub struct Boundary {
    guard: ContentGuard,
    configured: bool,
    env: EnvMap,
    /// Built on first use (most turns never cross a boundary).
    http: Arc<OnceLock<Result<reqwest::Client, String>>>,
}

impl Boundary {
    /// Builds content-guard from the config; `env` resolves `${VAR}` keys and
    /// `OPENROUTER_API_KEY`.
    pub fn new(config: &Config, env: EnvMap) -> Boundary {
        let configured = config
            .plugins
            .as_ref()
            .and_then(|p| p.entries.as_ref())
            .is_some_and(|e| e.contains_key(hardclaw_policy::injection::content_guard::PLUGIN_ID));
        Boundary {
            guard: ContentGuard::from_config(config),
            configured,
            env,
            http: Arc::default(),
        }
    }

    /// Judges `text` handed from `from_agent` to the session `to_session` (a message, a task,
    /// or a reply travelling back).
    pub async fn check(&self, from_agent: &str, to_session: &str, text: &str) -> Decision {
        let env = |k: &str| self.env.get(k).cloned();
        let stage = self.guard.prepare(
            Some(from_agent),
            to_session,
            &json!({ "message": text }),
            &env,
        );
        let call = match stage {
            ContentStage::Allow => return Decision::allow(GUARD),
            ContentStage::Done(d) if !self.configured && d.rule == "classification-failed" => {
                // No LLM stage configured: the deterministic stage (run inside `prepare`)
                // passed.
                return Decision {
                    rule: RULE_DETERMINISTIC_ONLY.into(),
                    reason: "content-guard: deterministic detector passed; no LLM classifier is configured".into(),
                    ..Decision::allow(GUARD)
                };
            }
            ContentStage::Done(d) => return d,
            ContentStage::Classify(call) => call,
        };
        let outcome = self
            .post(&call.url, &call.api_key, &call.body, call.timeout_ms)
            .await;
        self.guard.decide(&outcome)
    }

    async fn post(
        &self,
        url: &str,
        key: &str,
        body: &serde_json::Value,
        timeout_ms: u64,
    ) -> HttpOutcome {
        let http = self.http.get_or_init(|| {
            reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| format!("cannot build the HTTP client: {e}"))
        });
        let http = match http {
            Ok(c) => c,
            Err(e) => return HttpOutcome::NetworkError(e.clone()),
        };
        let request = http
            .post(url)
            .bearer_auth(key)
            .json(body)
            .timeout(Duration::from_millis(timeout_ms.max(1)));
        let resp = match request.send().await {
            Ok(r) => r,
            Err(e) => return HttpOutcome::NetworkError(scrub(&e.to_string(), key)),
        };
        let status = resp.status().as_u16();
        match read_capped(resp).await {
            Ok(body) => HttpOutcome::Response { status, body },
            Err(e) => HttpOutcome::NetworkError(scrub(&e, key)),
        }
    }
}

async fn read_capped(mut resp: reqwest::Response) -> Result<String, String> {
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
        out.extend_from_slice(&chunk);
        if out.len() > MAX_REPLY_BYTES {
            return Err("classifier reply too large".into());
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn scrub(text: &str, key: &str) -> String {
    if key.is_empty() {
        text.to_string()
    } else {
        text.replace(key, "<redacted>")
    }
}
