//! Who is asking: the agent, the session (and so its kind), the model provider, the chat and
//! sender for the group layer, whether the sender is an owner, and the plugin tools registered.

use hardclaw_config::schema::{Config, SandboxMode};
use serde::Serialize;

use super::owner::sender_is_owner;
use super::plugins::PluginTool;
use crate::session_key::{SessionKey, SessionType, normalize_agent_id};
use crate::tool_policy::sandbox_mode;

/// The question "which tools does this caller get?".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyContext {
    /// The agent id (`agents.list[].id`; `main` when the config lists no agents).
    pub agent_id: String,
    /// Session key; `None` = the agent's main session.
    pub session_key: Option<String>,
    /// Subagent spawn depth when known from the session store (overrides the key's count).
    pub subagent_depth: Option<u32>,
    /// Invoked through the gateway's HTTP API (`/tools/invoke`).
    pub http: bool,
    /// Model provider (`anthropic`); `None` = from the agent's model.
    pub provider: Option<String>,
    /// Model id (`claude-sonnet-4-5` or `anthropic/claude-sonnet-4-5`); `None` = the agent's.
    pub model: Option<String>,
    /// Channel of the conversation (`whatsapp`); `None` = from a channel session key.
    pub channel: Option<String>,
    /// Group id for the group layer; `None` = from a group session key.
    pub group_id: Option<String>,
    /// Sender id; `None` = the local operator (CLI / Control UI with `operator.admin`).
    pub sender: Option<String>,
    /// Owner status when the caller already knows it; `None` = derive from the config (§5.6).
    pub sender_is_owner: Option<bool>,
    /// Plugin tools registered at load time.
    pub plugin_tools: Vec<PluginTool>,
}

impl PolicyContext {
    /// The main session of `agent_id`, asked by the local operator.
    pub fn new(agent_id: impl Into<String>) -> PolicyContext {
        PolicyContext {
            agent_id: agent_id.into(),
            ..PolicyContext::default()
        }
    }

    /// With a session key.
    #[must_use]
    pub fn session(mut self, key: impl Into<String>) -> PolicyContext {
        self.session_key = Some(key.into());
        self
    }

    /// With a sender (and its channel).
    #[must_use]
    pub fn sender(
        mut self,
        channel: impl Into<String>,
        sender: impl Into<String>,
    ) -> PolicyContext {
        self.channel = Some(channel.into());
        self.sender = Some(sender.into());
        self
    }

    /// With a registered plugin tool.
    #[must_use]
    pub fn plugin_tool(mut self, tool: PluginTool) -> PolicyContext {
        self.plugin_tools.push(tool);
        self
    }
}

/// The session as resolved (reported in the result).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionInfo {
    /// The canonical key.
    pub key: String,
    /// `main`, `dm`, `group`, `subagent`, `cron`, `hook`, `other`.
    pub kind: &'static str,
    /// Runs in the sandbox (the sandbox layer applies).
    pub sandboxed: bool,
    /// Subagent depth, for subagent sessions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub depth: Option<u32>,
    /// Through the HTTP API.
    pub http: bool,
}

/// Why a context cannot be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContextError {
    /// `agent_id` is not in `agents.list`.
    #[error("unknown agent `{id}`{}; known agents: {}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default(), known.join(", "))]
    UnknownAgent {
        /// As asked.
        id: String,
        /// Every configured id.
        known: Vec<String>,
        /// The closest known id.
        suggestion: Option<String>,
    },
    /// The session key names another agent.
    #[error("session `{key}` belongs to agent `{key_agent}`, not `{agent}`")]
    SessionAgentMismatch {
        /// The canonical key.
        key: String,
        /// The agent named in the key.
        key_agent: String,
        /// The agent asked for.
        agent: String,
    },
}

/// Everything the layers need, resolved once.
#[derive(Debug, Clone)]
pub(super) struct Resolved {
    pub agent_id: String,
    pub agent_index: Option<usize>,
    pub session: SessionKey,
    pub sandboxed: bool,
    pub subagent_depth: Option<u32>,
    pub http: bool,
    pub provider_keys: Vec<String>,
    pub channel: Option<String>,
    pub group_id: Option<String>,
    pub sender: Option<String>,
    pub owner: bool,
}

impl Resolved {
    pub fn session_info(&self) -> SessionInfo {
        SessionInfo {
            key: self.session.key.clone(),
            kind: self.session.kind.name(),
            sandboxed: self.sandboxed,
            depth: self.subagent_depth,
            http: self.http,
        }
    }
}

/// Finds the agent (`None` index = no `agents.list`, only `main` exists).
pub fn find_agent(config: &Config, id: &str) -> Result<Option<usize>, ContextError> {
    let id = normalize_agent_id(id);
    let list = config.agent_list();
    if list.is_empty() && id == "main" {
        return Ok(None);
    }
    if let Some(i) = list
        .iter()
        .position(|a| a.id.trim().eq_ignore_ascii_case(&id))
    {
        return Ok(Some(i));
    }
    let known: Vec<String> = if list.is_empty() {
        vec!["main".to_string()]
    } else {
        list.iter()
            .map(|a| a.id.trim().to_ascii_lowercase())
            .collect()
    };
    let suggestion = known
        .iter()
        .map(|k| (strsim::levenshtein(k, &id), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.clone());
    Err(ContextError::UnknownAgent {
        id,
        known,
        suggestion,
    })
}

pub(super) fn resolve_context(
    config: &Config,
    ctx: &PolicyContext,
) -> Result<Resolved, ContextError> {
    let agent_index = find_agent(config, &ctx.agent_id)?;
    let agent_id = normalize_agent_id(&ctx.agent_id);
    let session = match &ctx.session_key {
        Some(k) => SessionKey::parse(k, &agent_id),
        None => SessionKey::main(&agent_id),
    };
    if session.agent_id != agent_id {
        return Err(ContextError::SessionAgentMismatch {
            key: session.key,
            key_agent: session.agent_id,
            agent: agent_id,
        });
    }
    let mode = sandbox_mode(config, agent_index).0;
    let sandboxed = match mode {
        SandboxMode::Off => false,
        SandboxMode::All => true,
        SandboxMode::NonMain => session.kind != SessionType::Main,
    };
    let subagent_depth = match session.kind {
        SessionType::Subagent { depth } => Some(ctx.subagent_depth.unwrap_or(depth)),
        _ => None,
    };
    let (key_channel, key_group) = match &session.kind {
        SessionType::Group { channel, id } => (Some(channel.clone()), Some(id.clone())),
        SessionType::Dm { channel, .. } => (channel.clone(), None),
        _ => (None, None),
    };
    let channel = ctx.channel.clone().or(key_channel);
    let group_id = ctx.group_id.clone().or(key_group);
    let owner = ctx
        .sender_is_owner
        .unwrap_or_else(|| sender_is_owner(config, channel.as_deref(), ctx.sender.as_deref()));
    Ok(Resolved {
        provider_keys: provider_keys(config, agent_index, ctx),
        agent_id,
        agent_index,
        session,
        sandboxed,
        subagent_depth,
        http: ctx.http,
        channel,
        group_id,
        sender: ctx.sender.clone(),
        owner,
    })
}

/// `byProvider` candidates: `provider/model` (model lower-cased; a model id that already holds a
/// `/` is used as is), then `provider`. Without `--provider`/`--model` the agent's primary model
/// (then `agents.defaults.model`) supplies both.
fn provider_keys(config: &Config, agent_index: Option<usize>, ctx: &PolicyContext) -> Vec<String> {
    let configured = agent_index
        .and_then(|i| config.agent_list().get(i))
        .and_then(|a| a.model.as_ref())
        .or_else(|| config.agent_defaults().and_then(|d| d.model.as_ref()))
        .and_then(|m| m.ids().first().map(|s| s.to_string()));
    let model = ctx.model.clone().or_else(|| {
        if ctx.provider.is_some() {
            None
        } else {
            configured
        }
    });
    let model = model.map(|m| m.trim().to_ascii_lowercase());
    let provider = ctx
        .provider
        .as_ref()
        .map(|p| p.trim().to_ascii_lowercase())
        .or_else(|| {
            model
                .as_ref()
                .and_then(|m| m.split_once('/').map(|(p, _)| p.to_string()))
        });
    let mut keys = Vec::new();
    if let Some(p) = &provider {
        if let Some(m) = &model {
            if m.contains('/') {
                keys.push(m.clone());
            } else {
                keys.push(format!("{p}/{m}"));
            }
        }
        keys.push(p.clone());
    }
    keys
}
