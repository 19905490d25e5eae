//! `web_fetch`: the network guard's `check_fetch` (allowlist, SSRF classification, one DNS
//! lookup) gives the addresses to connect to; reqwest is pinned to them with
//! `resolve_to_addrs` (IP-literal hosts need no resolver: the literal was checked).
//! Redirects are not followed by reqwest: each `Location` is re-checked with
//! `check_redirect` (limit, loop, SSRF) and `check_fetch` (allowlist) and pinned again.
//! The body is cut at a size cap; the whole fetch has a time limit.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use hardclaw_policy::net::{PinnedTarget, check_redirect};
use hardclaw_policy::{Decision, DnsResolver, NetworkGuard};
use serde_json::Value;

use super::{Permit, ToolResult};

/// Limits of one fetch.
#[derive(Debug, Clone, Copy)]
pub struct FetchLimits {
    /// Whole fetch, all hops.
    pub timeout: Duration,
    /// Body bytes kept.
    pub max_bytes: usize,
}

impl Default for FetchLimits {
    fn default() -> Self {
        FetchLimits {
            timeout: Duration::from_secs(30),
            max_bytes: 512 * 1024,
        }
    }
}

/// A fetched page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// Final URL.
    pub url: String,
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// Body (lossy UTF-8).
    pub body: String,
    /// Cut at the cap.
    pub truncated: bool,
}

/// How a fetch failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// A guard refused a hop.
    #[error("blocked by policy: {}/{}", .0.guard, .0.rule)]
    Blocked(Decision),
    /// Network failure.
    #[error("fetch failed: {0}")]
    Failed(String),
    /// The time limit passed.
    #[error("fetch timed out")]
    Timeout,
}

fn client_for(target: &PinnedTarget, timeout: Duration) -> Result<reqwest::Client, FetchError> {
    let addrs: Vec<SocketAddr> = target
        .addrs
        .iter()
        .map(|ip| SocketAddr::new(*ip, target.port))
        .collect();
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .resolve_to_addrs(&target.host, &addrs)
        .build()
        .map_err(|e| FetchError::Failed(e.to_string()))
}

/// Fetches `url` for `agent_id`.
pub async fn fetch(
    guard: &NetworkGuard,
    dns: Arc<dyn DnsResolver + Send + Sync>,
    url: &str,
    agent_id: Option<&str>,
    limits: FetchLimits,
) -> Result<Fetched, FetchError> {
    match tokio::time::timeout(
        limits.timeout,
        fetch_inner(guard, dns, url, agent_id, limits),
    )
    .await
    {
        Ok(r) => r,
        Err(_) => Err(FetchError::Timeout),
    }
}

async fn fetch_inner(
    guard: &NetworkGuard,
    dns: Arc<dyn DnsResolver + Send + Sync>,
    url: &str,
    agent_id: Option<&str>,
    limits: FetchLimits,
) -> Result<Fetched, FetchError> {
    let policy = guard.ssrf_policy();
    let mut target = guard
        .check_fetch(url, agent_id, dns.as_ref())
        .map_err(FetchError::Blocked)?;
    loop {
        let client = client_for(&target, limits.timeout)?;
        let resp = client
            .get(&target.url)
            .send()
            .await
            .map_err(|e| FetchError::Failed(e.without_url().to_string()))?;
        let status = resp.status().as_u16();
        if matches!(status, 301 | 302 | 303 | 307 | 308) {
            let location = resp
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let hop = check_redirect(&target, &location, &policy, dns.as_ref())
                .map_err(FetchError::Blocked)?;
            // The hop passed the SSRF rules; the allowlist must pass too. Connect only to
            // the addresses of this last check.
            let again = guard
                .check_fetch(&hop.url, agent_id, dns.as_ref())
                .map_err(FetchError::Blocked)?;
            target = PinnedTarget {
                addrs: again.addrs,
                ..hop
            };
            continue;
        }
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut body = Vec::new();
        let mut truncated = false;
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| FetchError::Failed(e.without_url().to_string()))?;
            let room = limits.max_bytes.saturating_sub(body.len());
            if chunk.len() > room {
                truncated = true;
            }
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if truncated {
                break;
            }
        }
        return Ok(Fetched {
            url: target.url,
            status,
            content_type,
            body: String::from_utf8_lossy(&body).into_owned(),
            truncated,
        });
    }
}

/// The `web_fetch` tool.
impl super::ToolExecutor {
    pub(super) async fn web_fetch(&self, permit: &Permit) -> ToolResult {
        let url = permit
            .params
            .get("url")
            .and_then(Value::as_str)
            .unwrap_or("");
        match fetch(
            &self.network,
            Arc::clone(&self.dns.0),
            url,
            Some(&self.agent_id),
            self.limits.fetch,
        )
        .await
        {
            Ok(f) => ToolResult::ok(super::untrusted::wrap(
                "web_fetch",
                &format!(
                    "status: {}\nurl: {}\ncontent-type: {}",
                    f.status,
                    f.url,
                    f.content_type.unwrap_or_default()
                ),
                &f.body,
                f.truncated,
                self.limits.max_result_chars,
            )),
            Err(FetchError::Blocked(d)) => self.refuse("web_fetch", &d),
            Err(e) => ToolResult::error(format!("error: {e}")),
        }
    }
}
