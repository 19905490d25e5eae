//! The typed configuration schema: OpenClaw's `openclaw.json` keys.
//!
//! Every struct denies unknown fields; [`Config::from_value`] turns serde's complaint into a
//! [`SchemaError`] with the JSON path and a "did you mean" suggestion. Blocks that hardclaw
//! accepts for compatibility but does not interpret are typed as `serde_json::Value`; the audit
//! lists them (`config.unenforced_keys`).

mod agents;
mod channels;
mod gateway;
mod misc;
mod secret;
mod suggest;
mod tools;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

pub use agents::{
    Agent, AgentDefaults, Agents, Binding, BindingMatch, BindingPeer, BindingSession, DmScope,
    Docker, GroupChat, ModelChain, ModelRef, Sandbox, SandboxBrowser, SandboxMode, SandboxScope,
    Session, SessionAgentToAgent, Subagents, WorkspaceAccess,
};
pub use channels::{Channel, ChannelCommands, ChannelDm, DmPolicy, Group, GroupPolicy, Guild};
pub use gateway::{
    AuthMode, Bind, ControlUi, Discovery, Gateway, GatewayAuth, GatewayHttp, GatewayMode,
    GatewayNodes, GatewayReload, GatewayRemote, GatewayTls, GatewayTools, HttpEndpoints, Mdns,
    MdnsMode, RateLimit, Tailscale, TailscaleMode, Toggle, TrustedProxy,
};
pub use misc::{
    Browser, BrowserProfile, Commands, Env, HookGmail, HookMapping, Hooks, InstallRecord,
    InternalHooks, Logging, Mcp, ModelProvider, Models, PluginEntry, Plugins, RedactSensitive,
    Security, SecurityAudit, Skills, SkillsLoad, Suppression,
};
pub use secret::{Id, SecretInput, SecretRef, SecretSource};
pub use suggest::UNENFORCED_KEYS;
pub use tools::{
    AgentToAgentTools, ApplyPatch, Elevated, ExecAsk, ExecHost, ExecSecurity, ExecTool, FsTools,
    SessionsTools, SessionsVisibility, TaintConfig, ToolPolicy, ToolProfile, Tools, ToolsSandbox,
    ToolsSubagents, WebFetch, WebSearch, WebTools,
};

/// A schema violation at a JSON path (positions are added by the loader).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// JSON path (textual form) of the offending key or value.
    pub json_path: String,
    /// What is wrong and what was expected.
    pub message: String,
    /// "did you mean `x`?" or "`x` belongs under `y`".
    pub suggestion: Option<String>,
}

/// The whole configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Config {
    /// JSON schema URL (ignored).
    #[serde(rename = "$schema")]
    pub schema: Option<String>,
    /// The gateway server.
    pub gateway: Option<Gateway>,
    /// mDNS / wide-area discovery.
    pub discovery: Option<Discovery>,
    /// Agents.
    pub agents: Option<Agents>,
    /// Channel → agent routing.
    pub bindings: Option<Vec<Binding>>,
    /// Session scoping.
    pub session: Option<Session>,
    /// Messaging channels.
    pub channels: Option<BTreeMap<String, Channel>>,
    /// Global tool policy.
    pub tools: Option<Tools>,
    /// Chat commands.
    pub commands: Option<Commands>,
    /// Skills.
    pub skills: Option<Skills>,
    /// Plugins (and the guards' settings under `plugins.entries.<id>.config`).
    pub plugins: Option<Plugins>,
    /// Webhook ingress.
    pub hooks: Option<Hooks>,
    /// Browser control.
    pub browser: Option<Browser>,
    /// Logging.
    pub logging: Option<Logging>,
    /// Model providers.
    pub models: Option<Models>,
    /// MCP.
    pub mcp: Option<Mcp>,
    /// Environment block.
    pub env: Option<Env>,
    /// Security settings (audit suppressions).
    pub security: Option<Security>,
    /// Wizard metadata (not interpreted).
    pub meta: Option<Value>,
    /// Wizard state (not interpreted).
    pub wizard: Option<Value>,
    /// Update channel (not interpreted).
    pub update: Option<Value>,
    /// UI settings (not interpreted).
    pub ui: Option<Value>,
    /// Auth profiles (not interpreted).
    pub auth: Option<Value>,
    /// Diagnostics (not interpreted).
    pub diagnostics: Option<Value>,
    /// Message formatting (not interpreted).
    pub messages: Option<Value>,
    /// Cron jobs (not interpreted).
    pub cron: Option<Value>,
    /// Talk mode (not interpreted).
    pub talk: Option<Value>,
    /// Audio (not interpreted).
    pub audio: Option<Value>,
    /// Canvas host (not interpreted).
    pub canvas_host: Option<Value>,
    /// Web channel (not interpreted).
    pub web: Option<Value>,
    /// Broadcast (not interpreted).
    pub broadcast: Option<Value>,
    /// Node host (not interpreted).
    pub node_host: Option<Value>,
    /// Memory backend (not interpreted).
    pub memory: Option<Value>,
    /// Approvals forwarding (not interpreted).
    pub approvals: Option<Value>,
}

impl Config {
    /// Deserializes and validates a merged document.
    pub fn from_value(value: &Value) -> Result<Config, SchemaError> {
        if !value.is_object() {
            return Err(SchemaError {
                json_path: String::new(),
                message: format!("the config must be an object, found {}", kind(value)),
                suggestion: None,
            });
        }
        let config: Config = serde_path_to_error::deserialize(value).map_err(|e| {
            let json_path = e.path().to_string();
            let json_path = if json_path == "." {
                String::new()
            } else {
                json_path
            };
            suggest::explain(json_path, &e.into_inner().to_string())
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Cross-field rules serde cannot express.
    fn validate(&self) -> Result<(), SchemaError> {
        if let Some(list) = self.agents.as_ref().and_then(|a| a.list.as_ref()) {
            let mut seen = BTreeMap::new();
            for (i, agent) in list.iter().enumerate() {
                let id = agent.id.trim().to_ascii_lowercase();
                if id.is_empty()
                    || !id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    return Err(SchemaError {
                        json_path: format!("agents.list[{i}].id"),
                        message: format!(
                            "agent id `{}` must be non-empty and use only letters, digits, `-` and `_`",
                            agent.id
                        ),
                        suggestion: None,
                    });
                }
                if let Some(first) = seen.insert(id.clone(), i) {
                    return Err(SchemaError {
                        json_path: format!("agents.list[{i}].id"),
                        message: format!("agent id `{id}` is already used by agents.list[{first}]"),
                        suggestion: None,
                    });
                }
            }
        }
        for (name, channel) in self.channels.iter().flatten() {
            check_open_dm(&format!("channels.{name}"), channel)?;
            for (acct, account) in channel.accounts.iter().flatten() {
                check_open_dm(&format!("channels.{name}.accounts.{acct}"), account)?;
            }
        }
        Ok(())
    }

    /// The agents of `agents.list` (empty when none).
    pub fn agent_list(&self) -> &[Agent] {
        self.agents
            .as_ref()
            .and_then(|a| a.list.as_deref())
            .unwrap_or(&[])
    }

    /// `agents.defaults`, or an empty default block.
    pub fn agent_defaults(&self) -> Option<&AgentDefaults> {
        self.agents.as_ref().and_then(|a| a.defaults.as_ref())
    }
}

/// OpenClaw's schema rules: `dmPolicy: "open"` requires `"*"` in `allowFrom`;
/// `dmPolicy: "allowlist"` requires at least one entry.
fn check_open_dm(prefix: &str, channel: &Channel) -> Result<(), SchemaError> {
    if channel.dm_policy == Some(DmPolicy::Allowlist) {
        let any = channel
            .allow_from
            .iter()
            .chain(channel.dm.as_ref().and_then(|d| d.allow_from.as_ref()))
            .flatten()
            .any(|id| !id.as_str().trim().is_empty());
        if !any {
            return Err(SchemaError {
                json_path: format!("{prefix}.dmPolicy"),
                message: "dmPolicy \"allowlist\" requires at least one allowFrom entry (an empty allowlist admits no one)".to_string(),
                suggestion: Some("add sender ids to allowFrom, or use \"pairing\" or \"disabled\"".to_string()),
            });
        }
    }
    if channel.dm_policy != Some(DmPolicy::Open) {
        return Ok(());
    }
    let has_star = channel
        .allow_from
        .iter()
        .chain(channel.dm.as_ref().and_then(|d| d.allow_from.as_ref()))
        .flatten()
        .any(|id| id.as_str().trim() == "*");
    if has_star {
        Ok(())
    } else {
        Err(SchemaError {
            json_path: format!("{prefix}.dmPolicy"),
            message: "dmPolicy \"open\" requires \"*\" in allowFrom (an explicit statement that anyone may DM the agent)".to_string(),
            suggestion: Some("use \"pairing\" or \"allowlist\" instead".to_string()),
        })
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;
