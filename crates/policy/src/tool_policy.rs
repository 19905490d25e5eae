//! Effective tool sets: which tools an agent context ends up with, and for each removed tool the
//! layer and entry that removed it.
//!
//! Semantics (reference `openclaw-runtime-security.md` §1.1, §1.4): each layer is an independent
//! filter; a tool survives only if every layer allows it. Within a layer, deny wins; an absent
//! or empty allow list allows everything not denied; entries are normalised names, `group:*`
//! (expanded first) or globs with `*`. This module covers the layers the audit needs (profile,
//! global, agent, sandbox); the remaining layers arrive with the policy engine.

use hardclaw_config::schema::{Config, SandboxMode, ToolPolicy, ToolProfile, Tools};
use serde::Serialize;

use crate::tool_groups::{BUILTIN_TOOLS, group_members, normalize_tool_name, profile_allow};

/// One named filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layer {
    /// Where it comes from, as a config path (`tools`, `agents.list[1].tools`, `profile:coding`).
    pub name: String,
    /// Allow entries (already normalised, groups expanded); `None` = no allow list.
    pub allow: Option<Vec<String>>,
    /// Deny entries (normalised, groups expanded).
    pub deny: Vec<String>,
}

/// Why a tool is allowed or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "lowercase")]
pub enum ToolDecision {
    /// Every layer allowed it.
    Allowed,
    /// A layer removed it.
    Denied {
        /// The layer.
        layer: String,
        /// The entry that matched (`deny` entry), or `not in allow list`.
        entry: String,
    },
}

impl Layer {
    /// Builds a layer from raw allow/alsoAllow/deny lists.
    pub fn new(
        name: impl Into<String>,
        allow: Option<&[String]>,
        also_allow: Option<&[String]>,
        deny: Option<&[String]>,
    ) -> Layer {
        let allow = match (
            allow.filter(|a| !a.is_empty()),
            also_allow.filter(|a| !a.is_empty()),
        ) {
            (Some(a), extra) => Some(expand(a.iter().chain(extra.into_iter().flatten()))),
            // alsoAllow without allow never restricts.
            (None, _) => None,
        };
        Layer {
            name: name.into(),
            allow,
            deny: expand(deny.into_iter().flatten()),
        }
    }

    /// Decides one (normalised) tool name.
    pub fn decide(&self, tool: &str) -> Result<(), String> {
        if let Some(entry) = self.deny.iter().find(|p| glob_match(p, tool)) {
            return Err(format!("deny `{entry}`"));
        }
        match &self.allow {
            None => Ok(()),
            Some(allow) if allow.iter().any(|p| glob_match(p, tool)) => Ok(()),
            // E2 special case: apply_patch rides on an allowed exec.
            Some(allow) if tool == "apply_patch" && allow.iter().any(|p| glob_match(p, "exec")) => {
                Ok(())
            }
            Some(_) => Err("not in allow list".to_string()),
        }
    }
}

fn expand<'a>(entries: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut out = Vec::new();
    for e in entries {
        let n = normalize_tool_name(e);
        if n.is_empty() {
            continue;
        }
        match group_members(&n) {
            Some(members) => out.extend(members.iter().map(|m| (*m).to_string())),
            None => out.push(n),
        }
    }
    out
}

/// `*` matches any run of characters; everything else literal.
pub(crate) fn glob_match(pattern: &str, name: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == name;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    rest.is_empty()
}

/// Which context an effective tool set is computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// The agent's main session (`agent:<id>:main`).
    Main,
    /// Any other session (DM, group, hook, subagent): sandboxed under `non-main`.
    Other,
}

/// The layers for one agent (`None` = `agents.defaults` only) and session kind.
pub fn layers_for(config: &Config, agent_index: Option<usize>, kind: SessionKind) -> Vec<Layer> {
    let global = config.tools.as_ref();
    let agent = agent_index.and_then(|i| config.agent_list().get(i));
    let agent_tools = agent.and_then(|a| a.tools.as_ref());
    let agent_prefix = agent_index.map(|i| format!("agents.list[{i}].tools"));
    let mut layers = Vec::new();

    // 1. Profile (agent profile overrides global), alsoAllow unioned into it.
    let profile = agent_tools
        .and_then(|t| t.profile)
        .or_else(|| global.and_then(|t| t.profile));
    if let Some(profile) = profile.filter(|p| *p != ToolProfile::Full) {
        let name = profile_name(profile);
        let also = agent_tools
            .and_then(|t| t.also_allow.as_ref())
            .or_else(|| global.and_then(|t| t.also_allow.as_ref()));
        let allow: Vec<String> = profile_allow(name)
            .unwrap_or(&[])
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        layers.push(Layer::new(
            format!("profile:{name}"),
            Some(&allow),
            also.map(Vec::as_slice),
            None,
        ));
    }
    // 3. Global allow/deny.
    if let Some(t) = global {
        layers.push(tools_layer("tools", t));
    }
    // 5. Agent allow/deny.
    if let (Some(t), Some(prefix)) = (agent_tools, &agent_prefix) {
        layers.push(tools_layer(prefix, t));
    }
    // 8. Sandbox layer, when this session kind is sandboxed.
    if sandbox_mode(config, agent_index).applies_to(kind) {
        let policy = agent_tools
            .and_then(|t| t.sandbox.as_ref())
            .and_then(|s| s.tools.as_ref())
            .map(|p| {
                (
                    agent_prefix.clone().unwrap_or_default() + ".sandbox.tools",
                    p,
                )
            })
            .or_else(|| {
                global
                    .and_then(|t| t.sandbox.as_ref())
                    .and_then(|s| s.tools.as_ref())
                    .map(|p| ("tools.sandbox.tools".to_string(), p))
            });
        match policy {
            Some((name, p)) => layers.push(policy_layer(&name, p)),
            None => layers.push(default_sandbox_layer()),
        }
    }
    layers
}

fn tools_layer(name: &str, t: &Tools) -> Layer {
    // alsoAllow is consumed by the profile layer.
    Layer::new(name, t.allow.as_deref(), None, t.deny.as_deref())
}

fn policy_layer(name: &str, p: &ToolPolicy) -> Layer {
    Layer::new(
        name,
        p.allow.as_deref(),
        p.also_allow.as_deref(),
        p.deny.as_deref(),
    )
}

/// OpenClaw's default sandbox allow list (the first 13 of the guide's list).
fn default_sandbox_layer() -> Layer {
    let allow: Vec<String> = [
        "exec",
        "process",
        "read",
        "write",
        "edit",
        "apply_patch",
        "image",
        "sessions_list",
        "sessions_history",
        "sessions_send",
        "sessions_spawn",
        "subagents",
        "session_status",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    Layer::new("sandbox default", Some(&allow), None, None)
}

fn profile_name(p: ToolProfile) -> &'static str {
    match p {
        ToolProfile::Minimal => "minimal",
        ToolProfile::Coding => "coding",
        ToolProfile::Messaging => "messaging",
        ToolProfile::Full => "full",
    }
}

/// The resolved sandbox mode of an agent (agent → defaults → `off`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EffectiveSandbox(pub SandboxMode);

impl EffectiveSandbox {
    /// Whether sessions of `kind` run sandboxed.
    pub fn applies_to(self, kind: SessionKind) -> bool {
        match self.0 {
            SandboxMode::Off => false,
            SandboxMode::NonMain => kind == SessionKind::Other,
            SandboxMode::All => true,
        }
    }
}

/// Agent sandbox mode, falling back to `agents.defaults.sandbox.mode`, then `off`.
pub fn sandbox_mode(config: &Config, agent_index: Option<usize>) -> EffectiveSandbox {
    let agent = agent_index
        .and_then(|i| config.agent_list().get(i))
        .and_then(|a| a.sandbox.as_ref())
        .and_then(|s| s.mode);
    let defaults = config
        .agent_defaults()
        .and_then(|d| d.sandbox.as_ref())
        .and_then(|s| s.mode);
    EffectiveSandbox(agent.or(defaults).unwrap_or(SandboxMode::Off))
}

/// Decides `tool` through `layers`: the first layer that removes it decides.
pub fn decide(layers: &[Layer], tool: &str) -> ToolDecision {
    let tool = normalize_tool_name(tool);
    for layer in layers {
        if let Err(entry) = layer.decide(&tool) {
            return ToolDecision::Denied {
                layer: layer.name.clone(),
                entry,
            };
        }
    }
    ToolDecision::Allowed
}

/// Built-in tools allowed through `layers`.
pub fn allowed_builtins(layers: &[Layer]) -> Vec<&'static str> {
    BUILTIN_TOOLS
        .iter()
        .copied()
        .filter(|t| decide(layers, t) == ToolDecision::Allowed)
        .collect()
}

#[cfg(test)]
mod tests;
