//! Taint tracking. A session that has taken in untrusted content — web results, group
//! messages, forwarded text, another agent's output — is *tainted*: it may still read and
//! think, but egress to somewhere new needs a person's approval, because injected text could
//! be steering it to exfiltrate. Egress means `web_fetch` (and `browser` navigation) to a
//! domain the session has not fetched before, `message` to a recipient it has not messaged
//! before, and `exec` whose analysed command contacts the network. Taint travels with
//! `sessions_send`: the receiving session [`SessionTaint::merge`]s the sender's taint.
//!
//! Escape hatches: `tools.taint.allowEgress` / `allowRecipients` (destinations a tainted
//! session may reach without approval), `tools.taint.enabled: false` (rule off), and
//! per-call approval of the `ask`.
//!
//! Everything here is pure state; the session store persists [`SessionTaint`] as JSON.

use std::collections::BTreeSet;

use hardclaw_config::Config;
use hardclaw_config::schema::TaintConfig;
use serde::{Deserialize, Serialize};

use crate::guard::Decision;

/// The guard's name in decisions.
pub const GUARD: &str = "taint";
/// The rule id of an egress that needs approval.
pub const RULE: &str = "tainted-egress";

/// Where untrusted content came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum TaintSource {
    /// A fetched page or search results.
    WebContent {
        /// The host the content came from (`search` for search results).
        domain: String,
    },
    /// A message from a group chat.
    GroupMessage {
        /// The channel (`whatsapp`, `telegram`, ...).
        channel: String,
    },
    /// Text the user forwarded from elsewhere.
    ForwardedText,
    /// Output of another agent (via `sessions_send` or a subagent reply).
    AgentOutput {
        /// That agent's id.
        agent: String,
    },
    /// Output of a tool that returns outside content.
    ToolOutput {
        /// The tool.
        tool: String,
    },
    /// The session's stored taint record could not be read (treated as tainted: fail closed).
    Unverifiable {
        /// What went wrong.
        what: String,
    },
}

impl std::fmt::Display for TaintSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TaintSource::WebContent { domain } => write!(f, "web content from {domain}"),
            TaintSource::GroupMessage { channel } => write!(f, "a group message on {channel}"),
            TaintSource::ForwardedText => write!(f, "forwarded text"),
            TaintSource::AgentOutput { agent } => write!(f, "output of agent {agent}"),
            TaintSource::ToolOutput { tool } => write!(f, "output of tool {tool}"),
            TaintSource::Unverifiable { what } => {
                write!(f, "content of unverifiable origin ({what})")
            }
        }
    }
}

/// The set of sources a session's context holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Taint {
    /// Every source taken in (empty = clean).
    pub sources: BTreeSet<TaintSource>,
}

impl Taint {
    /// Whether any untrusted content was taken in.
    pub fn is_tainted(&self) -> bool {
        !self.sources.is_empty()
    }

    /// Whether web content from `host` is one of the sources (`web_fetch` of that host, also
    /// in another session whose taint travelled here).
    pub fn came_from(&self, host: &str) -> bool {
        self.sources
            .iter()
            .any(|s| matches!(s, TaintSource::WebContent { domain } if domain == host))
    }

    /// The sources, for a reason string (at most 5 named).
    pub fn describe(&self) -> String {
        let mut names: Vec<String> = self.sources.iter().take(5).map(|s| s.to_string()).collect();
        if self.sources.len() > 5 {
            names.push(format!("{} more", self.sources.len() - 5));
        }
        names.join(", ")
    }
}

/// The facts about a call's destination that the caller knows.
#[derive(Debug, Clone, Copy)]
pub struct EgressContext<'a> {
    /// Domains this session has fetched (allowed or approved).
    pub known_domains: &'a BTreeSet<String>,
    /// Recipients this session has messaged before.
    pub known_recipients: &'a BTreeSet<String>,
    /// Whether the exec command (per the shell analyser's facts) contacts the network.
    pub exec_has_network: bool,
}

/// `tools.taint`, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaintPolicy {
    /// Rule on.
    pub enabled: bool,
    /// Domains always allowed (`api.github.com`, `*.example.com`).
    pub allow_egress: Vec<String>,
    /// Recipients always allowed.
    pub allow_recipients: Vec<String>,
}

impl Default for TaintPolicy {
    fn default() -> Self {
        TaintPolicy {
            enabled: true,
            allow_egress: Vec::new(),
            allow_recipients: Vec::new(),
        }
    }
}

impl TaintPolicy {
    /// Reads `tools.taint` (global; an agent's `tools.taint`, when given, replaces it).
    pub fn from_config(config: &Config, agent_id: Option<&str>) -> TaintPolicy {
        let global = config.tools.as_ref().and_then(|t| t.taint.as_ref());
        let agent = agent_id.and_then(|id| {
            config
                .agents
                .as_ref()
                .and_then(|a| a.list.as_ref())
                .and_then(|l| l.iter().find(|a| a.id.as_str() == id))
                .and_then(|a| a.tools.as_ref())
                .and_then(|t| t.taint.as_ref())
        });
        Self::from_taint_config(agent.or(global))
    }

    /// From a `tools.taint` block (`None` → defaults).
    pub fn from_taint_config(c: Option<&TaintConfig>) -> TaintPolicy {
        let Some(c) = c else {
            return TaintPolicy::default();
        };
        TaintPolicy {
            enabled: c.enabled.unwrap_or(true),
            allow_egress: c
                .allow_egress
                .iter()
                .flatten()
                .map(|d| normalize_host(d))
                .collect(),
            allow_recipients: c.allow_recipients.clone().unwrap_or_default(),
        }
    }

    fn domain_allowed(&self, host: &str) -> bool {
        self.allow_egress.iter().any(|p| domain_matches(p, host))
    }
}

/// `*.example.com` matches subdomains of example.com; anything else matches exactly.
pub fn domain_matches(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(suffix) => {
            host.len() > suffix.len() && host.ends_with(suffix) && {
                let cut = host.len() - suffix.len();
                host.as_bytes()[cut - 1] == b'.'
            }
        }
        None => pattern == host,
    }
}

fn normalize_host(h: &str) -> String {
    h.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// The host of a URL parameter, lowercased.
pub fn url_host(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    parsed.host_str().map(normalize_host)
}

/// A session's taint and the destinations it has used (persisted by the store).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionTaint {
    /// What the session has taken in.
    pub taint: Taint,
    /// Domains fetched (allowed or approved).
    pub known_domains: BTreeSet<String>,
    /// Recipients messaged (allowed or approved).
    pub known_recipients: BTreeSet<String>,
}

/// The recipient named by a `message` call (`to`, `target`, `recipient`, with the channel
/// when given: `telegram:12345`).
pub fn message_recipient(params: &serde_json::Value) -> Option<String> {
    let to = ["to", "target", "recipient", "chatId", "peer"]
        .iter()
        .find_map(|k| params.get(*k).and_then(serde_json::Value::as_str))?;
    let channel = params
        .get("channel")
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|c| !c.is_empty());
    Some(match channel {
        Some(c) => format!("{c}:{}", to.trim()),
        None => to.trim().to_string(),
    })
}

fn fetch_host(tool: &str, params: &serde_json::Value) -> Option<Option<String>> {
    match tool {
        "web_fetch" | "browser" => {
            let url = ["url", "targetUrl", "href"]
                .iter()
                .find_map(|k| params.get(*k).and_then(serde_json::Value::as_str));
            // `Some(None)`: an egress whose destination is unknown.
            Some(url.and_then(url_host))
        }
        _ => None,
    }
}

impl SessionTaint {
    /// Marks the session as having taken in content from `source`.
    pub fn absorb(&mut self, source: TaintSource) {
        self.taint.sources.insert(source);
    }

    /// Takes in another session's taint (`sessions_send` carries it).
    pub fn merge(&mut self, from: &Taint) {
        self.taint.sources.extend(from.sources.iter().cloned());
    }

    /// Whether the session is tainted.
    pub fn is_tainted(&self) -> bool {
        self.taint.is_tainted()
    }

    /// The context for [`Self::egress_decision`] from this session's own history.
    pub fn context(&self, exec_has_network: bool) -> EgressContext<'_> {
        EgressContext {
            known_domains: &self.known_domains,
            known_recipients: &self.known_recipients,
            exec_has_network,
        }
    }

    /// Remembers the destination of a call that went ahead (allowed or approved), so the
    /// same destination is not asked about again.
    pub fn record_egress(&mut self, tool: &str, params: &serde_json::Value) {
        if let Some(Some(host)) = fetch_host(tool, params) {
            self.known_domains.insert(host);
        }
        if tool == "message"
            && let Some(r) = message_recipient(params)
        {
            self.known_recipients.insert(r);
        }
    }

    /// Allow, or ask (rule `tainted-egress`) when a tainted session reaches somewhere new.
    pub fn egress_decision(
        &self,
        tool: &str,
        params: &serde_json::Value,
        ctx: &EgressContext<'_>,
        policy: &TaintPolicy,
    ) -> Decision {
        if !policy.enabled || !self.is_tainted() {
            return Decision::allow(GUARD);
        }
        let sources = self.taint.describe();
        if let Some(host) = fetch_host(tool, params) {
            return match host {
                // Going back to where the untrusted content came from reaches no new party.
                Some(h)
                    if ctx.known_domains.contains(&h)
                        || policy.domain_allowed(&h)
                        || self.taint.came_from(&h) =>
                {
                    Decision::allow(GUARD)
                }
                Some(h) => Decision::ask(
                    GUARD,
                    RULE,
                    format!(
                        "this session has taken in untrusted content ({sources}); {tool} to {h}, a domain it has not fetched before, needs approval (or add it to tools.taint.allowEgress)"
                    ),
                ),
                None => Decision::ask(
                    GUARD,
                    RULE,
                    format!(
                        "this session has taken in untrusted content ({sources}); {tool} without a readable URL needs approval"
                    ),
                ),
            };
        }
        match tool {
            "message" => match message_recipient(params) {
                Some(r)
                    if ctx.known_recipients.contains(&r)
                        || policy.allow_recipients.contains(&r) =>
                {
                    Decision::allow(GUARD)
                }
                Some(r) => Decision::ask(
                    GUARD,
                    RULE,
                    format!(
                        "this session has taken in untrusted content ({sources}); a message to {r}, a recipient it has not messaged before, needs approval (or add it to tools.taint.allowRecipients)"
                    ),
                ),
                None => Decision::ask(
                    GUARD,
                    RULE,
                    format!(
                        "this session has taken in untrusted content ({sources}); a message without a clear recipient needs approval"
                    ),
                ),
            },
            "exec" | "bash" | "process" if ctx.exec_has_network => Decision::ask(
                GUARD,
                RULE,
                format!(
                    "this session has taken in untrusted content ({sources}); a command that contacts the network needs approval"
                ),
            ),
            _ => Decision::allow(GUARD),
        }
    }
}

/// The taint a tool's result brings into the session, if any: web tools bring web content.
pub fn source_for_tool_result(tool: &str, params: &serde_json::Value) -> Option<TaintSource> {
    match tool {
        "web_fetch" | "browser" => Some(TaintSource::WebContent {
            domain: fetch_host(tool, params)
                .flatten()
                .unwrap_or_else(|| "unknown".to_string()),
        }),
        "web_search" => Some(TaintSource::WebContent {
            domain: "search".to_string(),
        }),
        _ => None,
    }
}
