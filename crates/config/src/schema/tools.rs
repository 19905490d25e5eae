//! `tools.*` (global) and `agents.list[].tools.*` (per agent): the same shape at both levels.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::secret::{Id, SecretInput};

/// A tool policy block (global or per agent).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Tools {
    /// Base profile: `minimal`, `coding`, `messaging`, `full`.
    pub profile: Option<ToolProfile>,
    /// Allowlist (non-empty = exclusive).
    pub allow: Option<Vec<String>>,
    /// Additions to the profile.
    pub also_allow: Option<Vec<String>>,
    /// Denylist (deny wins).
    pub deny: Option<Vec<String>>,
    /// Per model provider (`anthropic`, `openai/gpt-5`, ...).
    pub by_provider: Option<BTreeMap<String, ToolPolicy>>,
    /// Elevated (host) execution.
    pub elevated: Option<Elevated>,
    /// The exec tool.
    pub exec: Option<ExecTool>,
    /// File tools.
    pub fs: Option<FsTools>,
    /// Web tools.
    pub web: Option<WebTools>,
    /// Policy for sandboxed sessions.
    pub sandbox: Option<ToolsSandbox>,
    /// Policy for subagent sessions.
    pub subagents: Option<ToolsSubagents>,
    /// The `message` tool.
    pub message: Option<serde_json::Value>,
    /// Agent-to-agent messaging.
    pub agent_to_agent: Option<AgentToAgentTools>,
    /// Cross-session tools (`sessions_list`, `sessions_history`, `sessions_send`).
    pub sessions: Option<SessionsTools>,
    /// Media understanding.
    pub media: Option<serde_json::Value>,
    /// Link understanding.
    pub links: Option<serde_json::Value>,
    /// Repeated-call detection.
    pub loop_detection: Option<serde_json::Value>,
    /// hardclaw: taint tracking (egress of sessions that took in untrusted content).
    pub taint: Option<TaintConfig>,
}

/// `tools.taint` (hardclaw): a session that has taken in untrusted content (web results,
/// group messages, forwarded text, another agent's output) needs approval for egress to new
/// destinations. This block is the escape hatch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TaintConfig {
    /// Taint tracking on (default true). `false` turns the rule off entirely.
    pub enabled: Option<bool>,
    /// Domains a tainted session may still reach without approval (`api.github.com`,
    /// `*.example.com`).
    pub allow_egress: Option<Vec<String>>,
    /// Message recipients a tainted session may still reach without approval.
    pub allow_recipients: Option<Vec<String>>,
}

/// `tools.profile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolProfile {
    /// `session_status` only.
    Minimal,
    /// Files, runtime, sessions, memory, image.
    Coding,
    /// Messaging and sessions.
    Messaging,
    /// No restriction.
    Full,
}

/// A plain allow/deny policy (`byProvider` entries, sandbox and subagent layers).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ToolPolicy {
    /// Profile for this layer.
    pub profile: Option<ToolProfile>,
    /// Allowlist.
    pub allow: Option<Vec<String>>,
    /// Additions.
    pub also_allow: Option<Vec<String>>,
    /// Denylist.
    pub deny: Option<Vec<String>>,
}

/// `tools.elevated`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Elevated {
    /// Off in hardclaw unless set true.
    pub enabled: Option<bool>,
    /// Senders allowed elevated mode, per provider.
    pub allow_from: Option<BTreeMap<String, Vec<Id>>>,
}

/// `tools.exec.host`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExecHost {
    /// In the sandbox.
    Sandbox,
    /// On the gateway host.
    Gateway,
    /// On a paired node.
    Node,
}

/// `tools.exec.security`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExecSecurity {
    /// No exec.
    Deny,
    /// Only allowlisted commands.
    Allowlist,
    /// Anything.
    Full,
}

/// `tools.exec.ask`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExecAsk {
    /// Never ask.
    Off,
    /// Ask when not allowlisted.
    OnMiss,
    /// Always ask.
    Always,
}

/// `tools.exec`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExecTool {
    /// Where commands run.
    pub host: Option<ExecHost>,
    /// Exec security mode.
    pub security: Option<ExecSecurity>,
    /// Approval mode.
    pub ask: Option<ExecAsk>,
    /// Binaries allowed as stdin filters without approval.
    pub safe_bins: Option<Vec<String>>,
    /// Argument profiles for safe bins.
    pub safe_bin_profiles: Option<BTreeMap<String, serde_json::Value>>,
    /// Directories from which safe bins may be resolved.
    pub safe_bin_trusted_dirs: Option<Vec<String>>,
    /// Require approval for interpreter inline code (`python -c`).
    pub strict_inline_eval: Option<bool>,
    /// `apply_patch` settings.
    pub apply_patch: Option<ApplyPatch>,
    /// Timeout.
    pub timeout_sec: Option<u64>,
    /// Auto-background after.
    pub background_ms: Option<u64>,
    /// Clean up finished sessions after.
    pub cleanup_ms: Option<u64>,
    /// Notify when background commands exit.
    pub notify_on_exit: Option<bool>,
    /// Extra PATH entries.
    pub path_prepend: Option<Vec<String>>,
    /// Node to run on (host `node`).
    pub node: Option<String>,
}

/// `tools.exec.applyPatch`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ApplyPatch {
    /// Tool on or off.
    pub enabled: Option<bool>,
    /// Keep patches inside the workspace (default true).
    pub workspace_only: Option<bool>,
    /// Models allowed to use it.
    pub allow_models: Option<Vec<String>>,
}

/// `tools.fs`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FsTools {
    /// Keep file tools inside the workspace.
    pub workspace_only: Option<bool>,
}

/// `tools.web`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WebTools {
    /// `web_search`.
    pub search: Option<WebSearch>,
    /// `web_fetch`.
    pub fetch: Option<WebFetch>,
}

/// `tools.web.search`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WebSearch {
    /// On or off.
    pub enabled: Option<bool>,
    /// `brave`, `perplexity`, `grok`, ...
    pub provider: Option<String>,
    /// API key (prefer `${BRAVE_API_KEY}`).
    pub api_key: Option<SecretInput>,
    /// Results per query.
    pub max_results: Option<u32>,
    /// Timeout.
    pub timeout_seconds: Option<u64>,
    /// Cache lifetime.
    pub cache_ttl_minutes: Option<u64>,
    /// Perplexity settings.
    pub perplexity: Option<serde_json::Value>,
    /// Grok settings.
    pub grok: Option<serde_json::Value>,
    /// hardclaw: the search API's base URL (default `https://api.search.brave.com`): a
    /// self-hosted proxy, or a local test server.
    pub base_url: Option<String>,
}

/// `tools.web.fetch`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WebFetch {
    /// On or off (default on).
    pub enabled: Option<bool>,
    /// Maximum characters returned.
    pub max_chars: Option<u64>,
    /// Timeout.
    pub timeout_seconds: Option<u64>,
    /// Cache lifetime.
    pub cache_ttl_minutes: Option<u64>,
    /// User agent.
    pub user_agent: Option<String>,
    /// Extract readable text.
    pub readability: Option<bool>,
    /// Honour `HTTP(S)_PROXY` (off: hardclaw never uses the system proxy unless told).
    pub use_trusted_env_proxy: Option<bool>,
    /// Firecrawl fallback.
    pub firecrawl: Option<serde_json::Value>,
}

/// `tools.sandbox`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ToolsSandbox {
    /// The closed allow/deny layer for sandboxed sessions.
    pub tools: Option<ToolPolicy>,
}

/// `tools.subagents`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ToolsSubagents {
    /// The layer for subagent sessions.
    pub tools: Option<ToolPolicy>,
}

/// `tools.agentToAgent`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AgentToAgentTools {
    /// On or off.
    pub enabled: Option<bool>,
    /// Agent ids allowed.
    pub allow: Option<Vec<String>>,
}

/// `tools.sessions`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SessionsTools {
    /// Which sessions the session tools may see (default `tree`).
    pub visibility: Option<SessionsVisibility>,
}

/// `tools.sessions.visibility`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionsVisibility {
    /// Only the requester's own session.
    #[serde(rename = "self")]
    OwnOnly,
    /// Own session and the sessions it spawned (default).
    Tree,
    /// Any session of the same agent.
    Agent,
    /// Any session, cross-agent subject to `tools.agentToAgent`.
    All,
}
