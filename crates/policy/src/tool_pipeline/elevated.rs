//! Elevated mode gates (reference §1.6, `resolveElevatedPermissions`).
//!
//! Gates, all evaluated so every failing one is named: `tools.elevated.enabled` and
//! `agents.list[].tools.elevated.enabled` (the global switch is OFF unless set to `true` —
//! hardclaw's secure default, where OpenClaw defaults it on; the agent switch defaults on) → a provider
//! (channel) must be known → the sender must match `tools.elevated.allowFrom.<provider>` (or,
//! when that key is absent, the channel's own `allowFrom`) → if the agent sets
//! `tools.elevated.allowFrom`, it must match that too. Elevated never bypasses tool policy: `exec`
//! must still survive the pipeline.

use hardclaw_config::schema::{Config, Elevated, Id};
use serde::Serialize;

use super::context::Resolved;
use super::groups::normalize_sender;
use super::owner::channel_config;

/// One failing gate: its name (`enabled`, `provider`, `allowFrom`) and config key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ElevatedGate {
    /// `enabled`, `provider` or `allowFrom`.
    pub gate: &'static str,
    /// The config key (or context fact) that failed.
    pub key: String,
}

/// Whether `/elevated on|ask|full` would be honoured for this caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ElevatedStatus {
    /// Every gate passed.
    pub available: bool,
    /// `sandboxed` or `direct` (where exec would otherwise run).
    pub runtime: &'static str,
    /// The gates that failed, in order.
    pub failing_gates: Vec<ElevatedGate>,
}

impl ElevatedStatus {
    /// OpenClaw's error text when elevated is requested but not permitted.
    pub fn error_message(&self) -> Option<String> {
        if self.available {
            return None;
        }
        let gates: Vec<String> = self
            .failing_gates
            .iter()
            .map(|g| format!("{} ({})", g.gate, g.key))
            .collect();
        Some(format!(
            "elevated is not available right now (runtime={}); failing gates: {}",
            self.runtime,
            gates.join(", ")
        ))
    }
}

pub(super) fn elevated_status(config: &Config, ctx: &Resolved) -> ElevatedStatus {
    let global = config.tools.as_ref().and_then(|t| t.elevated.as_ref());
    let agent_path = ctx
        .agent_index
        .map(|i| format!("agents.list[{i}].tools.elevated"));
    let agent = ctx
        .agent_index
        .and_then(|i| config.agent_list().get(i))
        .and_then(|a| a.tools.as_ref())
        .and_then(|t| t.elevated.as_ref());
    let mut failing = Vec::new();
    match global.and_then(|e| e.enabled) {
        Some(true) => {}
        Some(false) => failing.push(ElevatedGate {
            gate: "enabled",
            key: "tools.elevated.enabled".to_string(),
        }),
        None => failing.push(ElevatedGate {
            gate: "enabled",
            key: "tools.elevated.enabled unset (off by default in hardclaw)".to_string(),
        }),
    }
    if let (Some(path), Some(false)) = (&agent_path, agent.and_then(|e| e.enabled)) {
        failing.push(ElevatedGate {
            gate: "enabled",
            key: format!("{path}.enabled"),
        });
    }
    let runtime = if ctx.sandboxed { "sandboxed" } else { "direct" };
    let Some(provider) = ctx.channel.as_deref().map(str::to_ascii_lowercase) else {
        failing.push(ElevatedGate {
            gate: "provider",
            key: "no channel for this session".to_string(),
        });
        return ElevatedStatus {
            available: false,
            runtime,
            failing_gates: failing,
        };
    };
    let sender = ctx.sender.as_deref();
    let global_list = allow_from(global, &provider);
    let (key, matched) = match global_list {
        Some((k, list)) => (
            format!("tools.elevated.allowFrom.{k}"),
            matches(list, sender),
        ),
        None => {
            let fallback: Vec<Id> = channel_config(config, &provider)
                .map(|c| {
                    c.allow_from
                        .iter()
                        .flatten()
                        .chain(
                            c.dm.as_ref()
                                .and_then(|d| d.allow_from.as_ref())
                                .into_iter()
                                .flatten(),
                        )
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            (
                format!(
                    "tools.elevated.allowFrom.{provider} (fallback channels.{provider}.allowFrom)"
                ),
                matches(&fallback, sender),
            )
        }
    };
    if !matched {
        failing.push(ElevatedGate {
            gate: "allowFrom",
            key,
        });
    }
    if let (Some(path), Some(e)) = (&agent_path, agent)
        && e.allow_from.is_some()
    {
        let ok = allow_from(Some(e), &provider).is_some_and(|(_, l)| matches(l, sender));
        if !ok {
            failing.push(ElevatedGate {
                gate: "allowFrom",
                key: format!("{path}.allowFrom.{provider}"),
            });
        }
    }
    ElevatedStatus {
        available: failing.is_empty(),
        runtime,
        failing_gates: failing,
    }
}

fn allow_from<'a>(e: Option<&'a Elevated>, provider: &str) -> Option<(&'a String, &'a Vec<Id>)> {
    e?.allow_from
        .as_ref()?
        .iter()
        .find(|(k, _)| k.trim().eq_ignore_ascii_case(provider))
}

/// Entries trimmed; `*` allows anyone; otherwise prefix-stripped, lower-cased, slugged compare.
fn matches(list: &[Id], sender: Option<&str>) -> bool {
    if list.iter().any(|e| e.as_str().trim() == "*") {
        return true;
    }
    let Some(sender) = sender else {
        return false;
    };
    let s = slug(&normalize_sender(sender));
    list.iter()
        .map(|e| slug(&normalize_sender(e.as_str())))
        .any(|e| !e.is_empty() && e == s)
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() || matches!(c, '+' | '@' | '.' | '_') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}
