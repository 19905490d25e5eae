//! `agents.*`, `bindings[]` and `session.*`: who the agents are, which channel reaches which
//! agent, and how conversations map to sessions.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::tools::Tools;

/// `agents`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Agents {
    /// Defaults for every agent.
    pub defaults: Option<AgentDefaults>,
    /// The agents (E2 key).
    pub list: Option<Vec<Agent>>,
}

/// A model reference: `"provider/model"` or `{ primary, fallbacks }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ModelRef {
    /// `"anthropic/claude-sonnet-4-5"`.
    Name(String),
    /// Primary and fallbacks.
    Chain(ModelChain),
}

/// `{ primary, fallbacks }`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ModelChain {
    /// The model tried first.
    pub primary: Option<String>,
    /// Tried in order when the primary fails.
    pub fallbacks: Option<Vec<String>>,
}

impl ModelRef {
    /// Every model id named (primary first).
    pub fn ids(&self) -> Vec<&str> {
        match self {
            ModelRef::Name(n) => vec![n.as_str()],
            ModelRef::Chain(c) => c
                .primary
                .iter()
                .map(String::as_str)
                .chain(c.fallbacks.iter().flatten().map(String::as_str))
                .collect(),
        }
    }
}

/// `agents.defaults`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AgentDefaults {
    /// Default model.
    pub model: Option<ModelRef>,
    /// Model for images.
    pub image_model: Option<ModelRef>,
    /// Model catalogue / aliases.
    pub models: Option<serde_json::Value>,
    /// Default workspace.
    pub workspace: Option<String>,
    /// Default sandbox.
    pub sandbox: Option<Sandbox>,
    /// Default tool policy (E3).
    pub tools: Option<Tools>,
    /// Skills allowlist.
    pub skills: Option<Vec<String>>,
    /// Context compaction.
    pub compaction: Option<serde_json::Value>,
    /// Memory search.
    pub memory_search: Option<serde_json::Value>,
    /// Context pruning.
    pub context_pruning: Option<serde_json::Value>,
    /// Heartbeat runs.
    pub heartbeat: Option<serde_json::Value>,
    /// Concurrent runs.
    pub max_concurrent: Option<u32>,
    /// Subagent defaults.
    pub subagents: Option<Subagents>,
    /// Default thinking level.
    pub thinking_default: Option<String>,
    /// Turn timeout.
    pub timeout_seconds: Option<u64>,
    /// Time zone for prompts.
    pub user_timezone: Option<String>,
    /// Do not create bootstrap files.
    pub skip_bootstrap: Option<bool>,
    /// Bootstrap file size cap.
    pub bootstrap_max_chars: Option<u64>,
    /// Block streaming defaults.
    pub block_streaming_default: Option<String>,
    /// Block streaming break.
    pub block_streaming_break: Option<String>,
    /// Block streaming chunking.
    pub block_streaming_chunk: Option<serde_json::Value>,
    /// Typing indicator mode.
    pub typing_mode: Option<String>,
    /// Human-like delays.
    pub human_delay: Option<serde_json::Value>,
    /// Group chat defaults.
    pub group_chat: Option<GroupChat>,
}

/// `agents.list[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Agent {
    /// Agent id (lower-case, `[a-z0-9_-]`).
    pub id: String,
    /// The default agent (exactly one should be).
    pub default: Option<bool>,
    /// Display name.
    pub name: Option<String>,
    /// Workspace directory.
    pub workspace: Option<String>,
    /// Per-agent state directory (auth profiles, sessions).
    pub agent_dir: Option<String>,
    /// Model.
    pub model: Option<ModelRef>,
    /// Tool policy.
    pub tools: Option<Tools>,
    /// Sandbox.
    pub sandbox: Option<Sandbox>,
    /// Delegation rules.
    pub subagents: Option<Subagents>,
    /// Group chat behaviour.
    pub group_chat: Option<GroupChat>,
    /// Identity (name, emoji, avatar).
    pub identity: Option<serde_json::Value>,
    /// Skills allowlist.
    pub skills: Option<Vec<String>>,
    /// Heartbeat.
    pub heartbeat: Option<serde_json::Value>,
    /// Memory search.
    pub memory_search: Option<serde_json::Value>,
    /// Human-like delays.
    pub human_delay: Option<serde_json::Value>,
}

/// `subagents` (defaults or per agent).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Subagents {
    /// Agents this one may delegate to (`[]` = none).
    pub allow_agents: Option<Vec<String>>,
    /// Concurrent subagent runs.
    pub max_concurrent: Option<u32>,
    /// Model for subagents.
    pub model: Option<ModelRef>,
    /// Thinking level.
    pub thinking: Option<String>,
    /// Maximum spawn depth.
    pub max_spawn_depth: Option<u32>,
    /// Most subagents one session may have running at once (OpenClaw's
    /// `maxChildrenPerAgent`; `maxChildren` is accepted too).
    #[serde(alias = "maxChildren")]
    pub max_children_per_agent: Option<u32>,
    /// Archive finished runs after.
    pub archive_after_minutes: Option<u64>,
}

/// `groupChat`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GroupChat {
    /// Regexes that count as a mention.
    pub mention_patterns: Option<Vec<String>>,
    /// Messages of history kept for groups.
    pub history_limit: Option<u32>,
}

/// `sandbox.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SandboxMode {
    /// Everything on the host.
    Off,
    /// Everything but `agent:<id>:main` sandboxed.
    NonMain,
    /// Everything sandboxed.
    All,
}

/// `sandbox.scope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SandboxScope {
    /// One sandbox per session.
    Session,
    /// One per agent.
    Agent,
    /// One for everything.
    Shared,
}

/// `sandbox.workspaceAccess`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkspaceAccess {
    /// Not mounted.
    None,
    /// Read-only.
    Ro,
    /// Read-write.
    Rw,
}

/// `sandbox` (defaults or per agent).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Sandbox {
    /// `off`, `non-main`, `all`.
    pub mode: Option<SandboxMode>,
    /// `session`, `agent`, `shared`.
    pub scope: Option<SandboxScope>,
    /// `none`, `ro`, `rw`.
    pub workspace_access: Option<WorkspaceAccess>,
    /// Where sandbox workspaces live.
    pub workspace_root: Option<String>,
    /// Docker backend settings.
    pub docker: Option<Docker>,
    /// Sandboxed browser.
    pub browser: Option<SandboxBrowser>,
    /// Container pruning.
    pub prune: Option<serde_json::Value>,
    /// Which sessions sandboxed session tools may see.
    pub session_tools_visibility: Option<String>,
}

/// `sandbox.docker`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Docker {
    /// Image.
    pub image: Option<String>,
    /// Container name prefix.
    pub container_prefix: Option<String>,
    /// Working directory.
    pub workdir: Option<String>,
    /// Read-only root filesystem.
    pub read_only_root: Option<bool>,
    /// tmpfs mounts.
    pub tmpfs: Option<Vec<String>>,
    /// Network (`none`, `bridge`, a named network; `host` is rejected by the audit).
    pub network: Option<String>,
    /// User.
    pub user: Option<String>,
    /// Capabilities dropped.
    pub cap_drop: Option<Vec<String>>,
    /// Environment.
    pub env: Option<BTreeMap<String, String>>,
    /// Run once at creation.
    pub setup_command: Option<String>,
    /// Process limit.
    pub pids_limit: Option<u64>,
    /// Memory limit.
    pub memory: Option<serde_json::Value>,
    /// Memory + swap limit.
    pub memory_swap: Option<serde_json::Value>,
    /// CPU limit.
    pub cpus: Option<f64>,
    /// ulimits.
    pub ulimits: Option<serde_json::Value>,
    /// seccomp profile (`unconfined` is rejected by the audit).
    pub seccomp_profile: Option<String>,
    /// AppArmor profile (`unconfined` is rejected by the audit).
    pub apparmor_profile: Option<String>,
    /// DNS servers.
    pub dns: Option<Vec<String>>,
    /// Extra hosts.
    pub extra_hosts: Option<Vec<String>>,
    /// Bind mounts `src:dst[:mode]`.
    pub binds: Option<Vec<String>>,
}

/// `sandbox.browser`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SandboxBrowser {
    /// On or off.
    pub enabled: Option<bool>,
    /// Image.
    pub image: Option<String>,
    /// Container prefix.
    pub container_prefix: Option<String>,
    /// Network.
    pub network: Option<String>,
    /// Source range allowed to reach CDP.
    pub cdp_source_range: Option<String>,
    /// Headless.
    pub headless: Option<bool>,
    /// noVNC.
    pub enable_no_vnc: Option<bool>,
    /// Host control.
    pub allow_host_control: Option<bool>,
    /// Auto start.
    pub auto_start: Option<bool>,
    /// Ports and more.
    pub cdp_port: Option<u16>,
    /// VNC port.
    pub vnc_port: Option<u16>,
    /// noVNC port.
    pub no_vnc_port: Option<u16>,
    /// Bind mounts.
    pub binds: Option<Vec<String>>,
}

/// `bindings[]`: route a channel/peer to an agent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Binding {
    /// Target agent.
    pub agent_id: String,
    /// What to match.
    #[serde(rename = "match")]
    pub matcher: BindingMatch,
    /// Session overrides for matched traffic.
    pub session: Option<BindingSession>,
}

/// `bindings[].match`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BindingMatch {
    /// Channel id.
    pub channel: Option<String>,
    /// Account id.
    pub account_id: Option<String>,
    /// Peer.
    pub peer: Option<BindingPeer>,
    /// Discord guild.
    pub guild_id: Option<String>,
    /// Slack/Teams team.
    pub team_id: Option<String>,
    /// Roles.
    pub roles: Option<Vec<String>>,
}

/// `bindings[].match.peer`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BindingPeer {
    /// `dm`, `group`, `channel`.
    pub kind: Option<String>,
    /// Peer id.
    pub id: Option<String>,
}

/// `bindings[].session`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BindingSession {
    /// Group scope for matched traffic.
    pub group_scope: Option<String>,
    /// DM scope for matched traffic.
    pub dm_scope: Option<DmScope>,
}

/// `session.dmScope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DmScope {
    /// Every DM shares the main session.
    Main,
    /// One session per peer (across channels).
    PerPeer,
    /// One per channel and peer (hardclaw's default).
    PerChannelPeer,
    /// One per account, channel and peer.
    PerAccountChannelPeer,
}

/// `session`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Session {
    /// DM isolation.
    pub dm_scope: Option<DmScope>,
    /// Group isolation (`main` is reported by the audit).
    pub group_scope: Option<String>,
    /// Legacy scope.
    pub scope: Option<String>,
    /// Name of the main session.
    pub main_key: Option<String>,
    /// The same person on several channels.
    pub identity_links: Option<BTreeMap<String, Vec<String>>>,
    /// Agent-to-agent messaging.
    pub agent_to_agent: Option<SessionAgentToAgent>,
    /// Reset policy.
    pub reset: Option<serde_json::Value>,
    /// Reset policy per chat type.
    pub reset_by_type: Option<serde_json::Value>,
    /// Words that reset a session.
    pub reset_triggers: Option<Vec<String>>,
    /// Session store path.
    pub store: Option<String>,
    /// Typing indicator interval.
    pub typing_interval_seconds: Option<u64>,
    /// Send policy.
    pub send_policy: Option<serde_json::Value>,
}

/// `session.agentToAgent`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SessionAgentToAgent {
    /// Ping-pong limit.
    pub max_ping_pong_turns: Option<u32>,
}
