//! channel-guard's model classifier (`classifier: "model"`): an OpenAI-compatible
//! chat-completions endpoint (`modelClassifier {baseUrl, model, apiKey, timeoutMs}`) asked
//! about each chunk of an inbound message, with the request and reply formats of
//! `hardclaw_policy::injection::classifier` (`build_classifier_request`,
//! `parse_classifier_reply`).
//!
//! The client follows no redirects and uses no system proxy; each call is bounded by
//! `timeoutMs` (waiting for a slot included) and at most [`MAX_IN_FLIGHT`] calls run at once
//! across the gateway. The key is sent as `Authorization: Bearer` and is never logged. A
//! setup that cannot work (a plain-`http` endpoint on another host, an unusable URL) makes
//! every call fail — channel-guard then blocks unless `failOpen`.

use std::sync::Arc;
use std::time::Duration;

use hardclaw_policy::injection::{
    ModelClassifierSettings, build_classifier_request, parse_classifier_reply,
};
use tokio::sync::Semaphore;

use crate::secret::Secret;

/// Classifier calls in flight at once (all messages together).
pub const MAX_IN_FLIGHT: usize = 16;
/// Largest classifier reply read.
const MAX_REPLY_BYTES: usize = 64 * 1024;

/// The configured classifier endpoint.
pub struct ModelClassifier {
    settings: ModelClassifierSettings,
    endpoint: Result<url::Url, String>,
    key: Option<Secret>,
    client: Result<reqwest::Client, String>,
    timeout: Duration,
    slots: Arc<Semaphore>,
}

impl std::fmt::Debug for ModelClassifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelClassifier")
            .field("settings", &self.settings)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// `http://` only to a loopback host; `https://` anywhere.
fn endpoint(settings: &ModelClassifierSettings) -> Result<url::Url, String> {
    let url = url::Url::parse(&settings.endpoint())
        .map_err(|e| format!("modelClassifier.baseUrl is not a URL ({e})"))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(
            "modelClassifier.baseUrl must be https:// (plain http:// only to a loopback host): messages and the key would travel in clear text".into(),
        ),
        other => Err(format!("modelClassifier.baseUrl scheme `{other}` is not http(s)")),
    }
}

impl ModelClassifier {
    /// The classifier of `settings`; `env` resolves an `apiKey` left as `${VAR}`.
    pub fn new(
        settings: &ModelClassifierSettings,
        env: impl Fn(&str) -> Option<String>,
    ) -> ModelClassifier {
        let timeout = Duration::from_millis(settings.timeout_ms.max(1));
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .build()
            .map_err(|e| format!("HTTP client unavailable: {e}"));
        ModelClassifier {
            endpoint: endpoint(settings),
            key: settings.resolved_api_key(env).map(Secret::new),
            client,
            timeout,
            slots: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
            settings: settings.clone(),
        }
    }

    /// Why no call can succeed, when that is known up front (for the startup warning).
    pub fn problem(&self) -> Option<&str> {
        self.endpoint
            .as_ref()
            .err()
            .or(self.client.as_ref().err())
            .map(String::as_str)
    }

    /// The per-call time limit (`timeoutMs`).
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The injection score of `chunk` (0..1), or why there is none (never containing the key).
    pub async fn classify(&self, chunk: &str) -> Result<f32, String> {
        let ms = self.timeout.as_millis();
        tokio::time::timeout(self.timeout, self.call(chunk))
            .await
            .unwrap_or_else(|_| Err(format!("classifier timed out after {ms} ms")))
    }

    async fn call(&self, chunk: &str) -> Result<f32, String> {
        let url = self.endpoint.clone()?;
        let client = self.client.clone()?;
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| "classifier closed".to_string())?;
        let mut req = client
            .post(url)
            .json(&build_classifier_request(chunk, &self.settings));
        if let Some(key) = &self.key {
            req = req.bearer_auth(key.expose());
        }
        let mut resp = req
            .send()
            .await
            .map_err(|e| format!("classifier unreachable: {}", e.without_url()))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(format!("classifier answered HTTP {}", status.as_u16()));
        }
        let mut body = Vec::new();
        while let Some(piece) = resp
            .chunk()
            .await
            .map_err(|e| format!("classifier reply unreadable: {}", e.without_url()))?
        {
            body.extend_from_slice(&piece);
            if body.len() > MAX_REPLY_BYTES {
                return Err("classifier reply too large".into());
            }
        }
        parse_classifier_reply(&String::from_utf8_lossy(&body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(base: &str) -> ModelClassifierSettings {
        serde_json::from_value(serde_json::json!({
            "baseUrl": base, "model": "guard", "apiKey": "${GUARD_KEY}", "timeoutMs": 500
        }))
        .unwrap()
    }

    #[test]
    fn clear_text_to_another_host_is_refused_and_the_key_never_prints() {
        let env = |v: &str| (v == "GUARD_KEY").then(|| "sk-guard-0123456789abcdef".to_string());
        let c = ModelClassifier::new(&settings("http://classifier.example/v1"), env);
        assert!(c.problem().unwrap().contains("https://"));
        for ok in [
            "https://classifier.example/v1",
            "http://127.0.0.1:9/v1",
            "http://localhost/v1",
        ] {
            assert_eq!(
                ModelClassifier::new(&settings(ok), env).problem(),
                None,
                "{ok}"
            );
        }
        let c = ModelClassifier::new(&settings("https://classifier.example/v1"), env);
        assert!(!format!("{c:?}").contains("sk-guard"));
    }

    #[tokio::test]
    async fn a_refused_connection_is_an_error_not_a_score() {
        // Bind then drop: nothing listens on the port.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let c = ModelClassifier::new(&settings(&format!("http://127.0.0.1:{port}/v1")), |_| None);
        let e = c.classify("hello").await.unwrap_err();
        assert!(e.starts_with("classifier unreachable"), "{e}");
    }
}
