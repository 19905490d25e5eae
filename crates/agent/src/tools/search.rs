//! `web_search {query, count?, country?, search_lang?, freshness?}` through the Brave Search
//! API: `GET {base}/res/v1/web/search?q=…&count=N` with `Accept: application/json` and
//! `X-Subscription-Token`. The answer's `web.results[]` (`title`, `url`, `description`, `age`)
//! reach the model inside the untrusted-content envelope ([`super::untrusted`]).
//!
//! Config `tools.web.search {enabled, provider, apiKey, maxResults, timeoutSeconds}` plus the
//! hardclaw key `baseUrl` (default `https://api.search.brave.com`). The key follows the
//! provider key rules ([`KeySource::resolve`]): `${VAR}` or a SecretRef `{source: "env"}`, else
//! `BRAVE_API_KEY`; a literal key in the config is refused. The key is only ever put in the
//! request header: errors are scrubbed of it. The HTTP client is the providers': no system
//! proxy, no redirects, a time limit, a response size cap.
//!
//! The base URL is operator configuration, not model input, so the network guard does not
//! judge it; the model chooses only the query.

use std::time::Duration;

use futures_util::StreamExt;
use hardclaw_config::Config;
use hardclaw_config::schema::WebSearch;
use serde_json::{Value, json};
use url::Url;

use super::settings;
use crate::secret::{ApiKey, KeyProblem, KeySource};

/// Brave's public endpoint.
pub const DEFAULT_BASE_URL: &str = "https://api.search.brave.com";
/// Results when neither the call nor `maxResults` says.
pub const DEFAULT_COUNT: u32 = 5;
/// Brave's and OpenClaw's cap per call.
pub const MAX_COUNT: u32 = 10;
/// Default `timeoutSeconds`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Response bytes read at most.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;
/// Longest query Brave accepts.
pub const MAX_QUERY_CHARS: usize = 400;

/// The spec's description and schema.
pub fn spec() -> (&'static str, Value) {
    (
        "Search the web (Brave Search). Returns titles, URLs and short descriptions; use \
         web_fetch to read a page. Results are untrusted external content.",
        json!({
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "Search query."},
                "count": {"type": "integer", "minimum": 1, "maximum": MAX_COUNT},
                "country": {"type": "string", "description": "2-letter country code, e.g. DE."},
                "search_lang": {"type": "string", "description": "Language of results, e.g. en."},
                "freshness": {"type": "string", "description": "pd, pw, pm, py, or YYYY-MM-DDtoYYYY-MM-DD."}
            },
            "required": ["query"]
        }),
    )
}

/// The agent's `tools.web.search` block (its own layer first, then defaults, then global).
fn block<'a>(config: &'a Config, agent_id: &str) -> Option<&'a WebSearch> {
    settings::first(config, agent_id, |t| t.web.as_ref()?.search.as_ref())
}

/// Why web_search is not offered: `enabled: false` in any layer of the agent's tools.
pub(crate) fn disabled_reason(config: &Config, agent_id: &str) -> Option<String> {
    settings::layers(config, agent_id)
        .into_iter()
        .filter_map(|t| t.web.as_ref()?.search.as_ref()?.enabled)
        .any(|on| !on)
        .then(|| "web_search is off (tools.web.search.enabled: false)".into())
}

/// What a search needs, resolved once per executor. `Debug` never shows the key.
#[derive(Debug, Clone)]
pub struct SearchConfig {
    endpoint: Result<Url, String>,
    key: Result<ApiKey, String>,
    default_count: u32,
    timeout: Duration,
}

impl SearchConfig {
    /// From the config; the key from `keys` (none given: the call reports a missing key).
    pub fn new(config: &Config, agent_id: &str, keys: Option<&KeySource>) -> SearchConfig {
        let b = block(config, agent_id);
        let provider = b
            .and_then(|b| b.provider.as_deref())
            .map(|p| p.trim().to_lowercase());
        let base = b
            .and_then(|b| b.base_url.as_deref())
            .unwrap_or(DEFAULT_BASE_URL);
        let endpoint = match provider.as_deref() {
            None | Some("brave") => endpoint(base),
            Some(other) => Err(format!(
                "web_search provider `{other}` is not supported by hardclaw (only brave); set tools.web.search.provider to \"brave\""
            )),
        };
        let key = match keys {
            None => Err("no API key source was given to the tool executor".to_string()),
            Some(keys) => keys
                .resolve(
                    "tools.web.search.apiKey",
                    b.and_then(|b| b.api_key.as_ref()),
                    "BRAVE_API_KEY",
                )
                .map_err(|p| match p {
                    KeyProblem::Missing(hint) => format!("no Brave Search API key ({hint})"),
                    KeyProblem::Inline => "tools.web.search.apiKey is written in the config; write it as \"${BRAVE_API_KEY}\" or a SecretRef {source: \"env\", id}".to_string(),
                    KeyProblem::UnsupportedSource(kind) => format!(
                        "tools.web.search.apiKey: SecretRef source `{kind}` is not supported yet (use env)"
                    ),
                }),
        };
        SearchConfig {
            endpoint,
            key,
            default_count: b
                .and_then(|b| b.max_results)
                .unwrap_or(DEFAULT_COUNT)
                .clamp(1, MAX_COUNT),
            timeout: b
                .and_then(|b| b.timeout_seconds)
                .filter(|s| *s > 0)
                .map_or(DEFAULT_TIMEOUT, Duration::from_secs),
        }
    }
}

fn endpoint(base: &str) -> Result<Url, String> {
    let bad = || format!("tools.web.search.baseUrl `{base}` is not an http(s) URL");
    let url = Url::parse(&format!("{}/res/v1/web/search", base.trim_end_matches('/')))
        .map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.query().is_some() {
        return Err(bad());
    }
    Ok(url)
}

/// One result.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SearchHit {
    /// Page title.
    pub title: String,
    /// Page URL.
    pub url: String,
    /// Snippet (HTML tags removed, entities decoded).
    pub description: String,
    /// "2 days ago", when Brave says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<String>,
}

/// Why a search failed. The text never contains the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("web_search: {0}")]
pub struct SearchError(pub String);

/// A parameter checked against `ok`, else an input error.
fn param<'a>(
    params: &'a Value,
    key: &str,
    ok: impl Fn(&str) -> bool,
) -> Result<Option<&'a str>, SearchError> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if ok(s) => Ok(Some(s)),
        Some(_) => Err(SearchError(format!("`{key}` is not valid"))),
    }
}

fn is_freshness(s: &str) -> bool {
    let date = |d: &str| {
        d.len() == 10
            && d.char_indices().all(|(i, c)| {
                if i == 4 || i == 7 {
                    c == '-'
                } else {
                    c.is_ascii_digit()
                }
            })
    };
    matches!(s, "pd" | "pw" | "pm" | "py")
        || s.split_once("to").is_some_and(|(a, b)| date(a) && date(b))
}

/// Runs one search.
pub async fn search(
    cfg: &SearchConfig,
    params: &Value,
) -> Result<(String, Vec<SearchHit>), SearchError> {
    let query = params
        .get("query")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .ok_or_else(|| SearchError("`query` is required".into()))?;
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(SearchError(format!(
            "the query is longer than {MAX_QUERY_CHARS} characters"
        )));
    }
    let count = match params.get("count") {
        None | Some(Value::Null) => cfg.default_count,
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| SearchError("`count` must be a whole number".into()))?
            .clamp(1, MAX_COUNT),
    };
    let country = param(params, "country", |s| {
        s.len() == 2 && s.chars().all(|c| c.is_ascii_alphabetic())
    })?;
    let lang = param(params, "search_lang", |s| {
        (2..=10).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
    })?;
    let freshness = param(params, "freshness", is_freshness)?;
    let mut url = cfg.endpoint.clone().map_err(SearchError)?;
    let key = cfg.key.as_ref().map_err(|e| SearchError(e.clone()))?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("q", query)
            .append_pair("count", &count.to_string());
        if let Some(c) = country {
            q.append_pair("country", &c.to_ascii_uppercase());
        }
        if let Some(l) = lang {
            q.append_pair("search_lang", &l.to_ascii_lowercase());
        }
        if let Some(f) = freshness {
            q.append_pair("freshness", f);
        }
    }
    let hits = match tokio::time::timeout(cfg.timeout, request(url, key, cfg.timeout)).await {
        Ok(r) => r?,
        Err(_) => {
            return Err(SearchError(format!(
                "Brave Search did not answer within {}s",
                cfg.timeout.as_secs()
            )));
        }
    };
    Ok((
        query.to_string(),
        hits.into_iter().take(count as usize).collect(),
    ))
}

async fn request(url: Url, key: &ApiKey, timeout: Duration) -> Result<Vec<SearchHit>, SearchError> {
    let failed = |e: reqwest::Error| {
        SearchError(key.redact(&format!("request failed: {}", e.without_url())))
    };
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        // The whole request, body included, runs under the caller's time limit.
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .build()
        .map_err(failed)?;
    let resp = client
        .get(url)
        .header("accept", "application/json")
        .header("x-subscription-token", key.expose())
        .send()
        .await
        .map_err(failed)?;
    let status = resp.status().as_u16();
    let mut body = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(failed)?;
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(SearchError(format!(
                "the Brave Search answer is larger than {MAX_RESPONSE_BYTES} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    let text = String::from_utf8_lossy(&body);
    let excerpt = || key.redact(text.trim());
    match status {
        200..=299 => {}
        401 | 403 => {
            return Err(SearchError(format!(
                "Brave Search rejected the API key (HTTP {status}); check BRAVE_API_KEY / tools.web.search.apiKey"
            )));
        }
        429 => {
            return Err(SearchError(
                "Brave Search rate limit reached (HTTP 429); try again later".into(),
            ));
        }
        500..=599 => {
            return Err(SearchError(format!(
                "Brave Search is unavailable (HTTP {status})"
            )));
        }
        _ => {
            return Err(SearchError(format!(
                "Brave Search answered HTTP {status}: {}",
                excerpt()
            )));
        }
    }
    let v: Value = serde_json::from_slice(&body)
        .map_err(|_| SearchError("Brave Search sent an answer that is not JSON".into()))?;
    let results = match v.get("web").and_then(|w| w.get("results")) {
        None => return Ok(Vec::new()),
        Some(Value::Array(r)) => r,
        Some(_) => {
            return Err(SearchError(
                "Brave Search sent an unexpected answer (web.results is not a list)".into(),
            ));
        }
    };
    let s = |r: &Value, k: &str| r.get(k).and_then(Value::as_str).map(clean);
    Ok(results
        .iter()
        .filter_map(|r| {
            Some(SearchHit {
                url: r.get("url").and_then(Value::as_str)?.to_string(),
                title: s(r, "title").unwrap_or_default(),
                description: s(r, "description").unwrap_or_default(),
                age: s(r, "age").filter(|a| !a.is_empty()),
            })
        })
        .collect())
}

/// Brave marks matches with `<strong>`; tags of letters only are removed and the common
/// entities decoded (the envelope escapes any delimiter this produces).
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tag = &rest[i + 1..];
        let name = tag.strip_prefix('/').unwrap_or(tag);
        let len = name
            .find('>')
            .filter(|&n| n > 0 && n <= 10 && name[..n].chars().all(|c| c.is_ascii_alphabetic()));
        match len {
            Some(n) => rest = &name[n + 1..],
            None => {
                out.push('<');
                rest = tag;
            }
        }
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// What the model sees: a header, then the results as JSON in the untrusted envelope.
pub fn render(query: &str, hits: &[SearchHit], max_chars: usize) -> String {
    let header = format!(
        "web_search (brave): {} result{} for {}",
        hits.len(),
        if hits.len() == 1 { "" } else { "s" },
        serde_json::to_string(query).unwrap_or_default()
    );
    let body = serde_json::to_string_pretty(&json!({ "results": hits })).unwrap_or_default();
    super::untrusted::wrap("web_search", &header, &body, false, max_chars)
}

impl super::ToolExecutor {
    /// Runs a permitted `web_search`.
    pub(super) async fn web_search(&self, permit: &super::Permit) -> super::ToolResult {
        match search(&self.web_search, permit.params()).await {
            Ok((query, hits)) => {
                super::ToolResult::ok(render(&query, &hits, self.limits.max_result_chars))
            }
            Err(e) => super::ToolResult::error(format!("error: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_and_providers() {
        assert_eq!(
            endpoint("https://api.search.brave.com/").map(|u| u.to_string()),
            Ok("https://api.search.brave.com/res/v1/web/search".to_string())
        );
        assert!(endpoint("ftp://x").is_err());
        assert!(endpoint("not a url").is_err());
        let cfg: Config = serde_json::from_value(
            json!({"tools": {"web": {"search": {"provider": "perplexity"}}}}),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let s = SearchConfig::new(&cfg, "main", Some(&KeySource::default()));
        assert_eq!(
            s.endpoint.err().as_deref(),
            Some(
                "web_search provider `perplexity` is not supported by hardclaw (only brave); set tools.web.search.provider to \"brave\""
            )
        );
    }

    #[test]
    fn inline_keys_are_refused_env_and_default_variable_accepted() {
        let cfg: Config = serde_json::from_value(
            json!({"tools": {"web": {"search": {"apiKey": "BSA-literal-key-123"}}}}),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let s = SearchConfig::new(&cfg, "main", Some(&KeySource::default()));
        let err = s.key.err().unwrap_or_default();
        assert!(err.contains("written in the config"), "{err}");
        assert!(!err.contains("BSA-literal"), "{err}");
        let mut env = hardclaw_config::EnvMap::new();
        env.insert("BRAVE_API_KEY".into(), "k".into());
        let keys = KeySource {
            env,
            ..KeySource::default()
        };
        let s = SearchConfig::new(&Config::default(), "main", Some(&keys));
        assert!(s.key.is_ok());
        assert!(!format!("{s:?}").contains("\"k\""));
        let s = SearchConfig::new(&Config::default(), "main", Some(&KeySource::default()));
        assert_eq!(
            s.key.err().as_deref(),
            Some(
                "no Brave Search API key (no apiKey in tools.web.search and BRAVE_API_KEY is not set)"
            )
        );
    }

    #[test]
    fn enablement_layers() {
        let cfg: Config = serde_json::from_value(json!({
            "tools": {"web": {"search": {"enabled": true}}},
            "agents": {"list": [{"id": "quiet", "tools": {"web": {"search": {"enabled": false}}}}, {"id": "main"}]}
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(disabled_reason(&cfg, "main").is_none());
        assert!(disabled_reason(&cfg, "quiet").is_some());
        assert!(disabled_reason(&Config::default(), "main").is_none());
    }

    #[test]
    fn cleaning_and_parameters() {
        assert_eq!(
            clean("The <strong>Rust</strong> book &amp; a &lt;tag&gt; it&#x27;s 1 < 2"),
            "The Rust book & a <tag> it's 1 < 2"
        );
        assert!(is_freshness("pw"));
        assert!(is_freshness("2024-01-01to2024-02-01"));
        assert!(!is_freshness("yesterday"));
    }
}
