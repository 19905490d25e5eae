//! Check family `injection` (hardclaw only): the prompt-injection defenses that run inside the
//! agent runtime, and the settings that weaken them.
//!
//! * `agents.delegation.content_guard_deterministic_only` (warn): an agent may hand text to
//!   another agent (`subagents.allowAgents`, or `tools.agentToAgent` with visibility `all`),
//!   but content-guard has no LLM classifier (no `plugins.entries["content-guard"]` and no
//!   `OPENROUTER_API_KEY`): what crosses the boundary is judged by the deterministic detector
//!   only.
//! * `plugins.content_guard.disabled` (warn): content-guard switched off while agents can
//!   delegate — nothing judges what crosses the boundary.
//! * `tools.taint.disabled` (warn): the taint rule is off (globally or for an agent), so a
//!   session that read untrusted content may send data anywhere its other guards allow.

use hardclaw_config::schema::{Config, SessionsVisibility};
use hardclaw_policy::injection::content_guard::{API_KEY_ENV, PLUGIN_ID};

use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    content_guard(ctx, out);
    taint(ctx.config(), out);
}

/// The agents that may hand text to another agent, as `id (path)`.
fn delegating_agents(config: &Config) -> Vec<String> {
    let mut out: Vec<String> = config
        .agent_list()
        .iter()
        .enumerate()
        .filter(|(_, a)| {
            a.subagents
                .as_ref()
                .and_then(|s| s.allow_agents.as_ref())
                .is_some_and(|l| {
                    l.iter()
                        .any(|t| t.trim() == "*" || !t.trim().eq_ignore_ascii_case(&a.id))
                })
        })
        .map(|(i, a)| format!("{} (agents.list[{i}].subagents.allowAgents)", a.id))
        .collect();
    let defaults = config
        .agent_defaults()
        .and_then(|d| d.subagents.as_ref())
        .and_then(|s| s.allow_agents.as_ref())
        .is_some_and(|l| !l.is_empty());
    if defaults {
        out.push("every agent (agents.defaults.subagents.allowAgents)".into());
    }
    let tools = config.tools.as_ref();
    let a2a = tools
        .and_then(|t| t.agent_to_agent.as_ref())
        .is_some_and(|a| a.enabled == Some(true));
    let all = tools
        .and_then(|t| t.sessions.as_ref())
        .and_then(|s| s.visibility)
        == Some(SessionsVisibility::All);
    if a2a && all {
        out.push("every agent (tools.agentToAgent with tools.sessions.visibility \"all\")".into());
    }
    out
}

fn content_guard(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let config = ctx.config();
    let delegating = delegating_agents(config);
    if delegating.is_empty() {
        return;
    }
    let entry = config
        .plugins
        .as_ref()
        .and_then(|p| p.entries.as_ref())
        .and_then(|e| e.get(PLUGIN_ID));
    if entry.and_then(|e| e.enabled) == Some(false) {
        out.push(
            Finding::new(
                "plugins.content_guard.disabled",
                Severity::Warn,
                "content-guard is off while agents delegate",
                format!(
                    "{} may send messages and tasks to other agents, and content-guard is disabled: \
                     nothing judges the text crossing between agents (in either direction).",
                    delegating.join(", ")
                ),
            )
            .remediation("Remove `enabled: false` from plugins.entries[\"content-guard\"].")
            .at(format!("plugins.entries.{PLUGIN_ID}.enabled")),
        );
        return;
    }
    let has_key = ctx
        .env_var(API_KEY_ENV)
        .is_some_and(|v| !v.trim().is_empty());
    if entry.is_none() && !has_key {
        out.push(
            Finding::new(
                "agents.delegation.content_guard_deterministic_only",
                Severity::Warn,
                "Agent-to-agent text is checked by the deterministic detector only",
                format!(
                    "{} may hand text to other agents (sessions_send / sessions_spawn). hardclaw runs \
                     content-guard on every message and every reply across that boundary, but with no \
                     content-guard classifier configured only its deterministic stage runs; subtle \
                     injections relayed between agents are not caught.",
                    delegating.join(", ")
                ),
            )
            .remediation(format!(
                "Configure plugins.entries[\"content-guard\"].config (model, and baseUrl for any \
                 OpenAI-compatible endpoint) with openRouterApiKey: \"${{{API_KEY_ENV}}}\", or set \
                 {API_KEY_ENV} in the gateway's environment."
            )),
        );
    }
}

fn taint(config: &Config, out: &mut Vec<Finding>) {
    let mut off = Vec::new();
    if config
        .tools
        .as_ref()
        .and_then(|t| t.taint.as_ref())
        .and_then(|t| t.enabled)
        == Some(false)
    {
        off.push("tools.taint.enabled".to_string());
    }
    for (i, a) in config.agent_list().iter().enumerate() {
        if a.tools
            .as_ref()
            .and_then(|t| t.taint.as_ref())
            .and_then(|t| t.enabled)
            == Some(false)
        {
            off.push(format!("agents.list[{i}].tools.taint.enabled"));
        }
    }
    if off.is_empty() {
        return;
    }
    let first = off[0].clone();
    out.push(
        Finding::new(
            "tools.taint.disabled",
            Severity::Warn,
            "The taint rule is off",
            format!(
                "{} is false: a session that has read web pages, group messages, forwarded text or \
                 another agent's output may reach new destinations (web_fetch, message, networked \
                 exec) without asking — the read → exfiltrate chain the rule exists to break.",
                off.join(", ")
            ),
        )
        .remediation(
            "Remove `enabled: false`; allow the destinations you trust with tools.taint.allowEgress \
             / allowRecipients instead, or approve single calls in the Control UI.",
        )
        .at(first),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{Fixture, ids};
    use serde_json::{Value, json};

    fn found(v: Value, env: &[(&str, &str)]) -> Vec<String> {
        let mut f = Fixture::new(v);
        for (k, val) in env {
            f = f.env(k, val);
        }
        ids(&f.run(collect))
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn delegation_without_an_llm_classifier_is_reported_and_its_neighbours_are_not() {
        let delegating = json!({"agents": {"list": [
            {"id": "main", "subagents": {"allowAgents": ["search"]}}, {"id": "search"}
        ]}});
        assert_eq!(
            found(delegating.clone(), &[]),
            ["agents.delegation.content_guard_deterministic_only"]
        );
        // With the key in the environment, or the plugin configured: nothing.
        assert!(found(delegating.clone(), &[("OPENROUTER_API_KEY", "k")]).is_empty());
        let mut configured = delegating.clone();
        configured["plugins"] = json!({"entries": {"content-guard": {"config": {"model": "m"}}}});
        assert!(found(configured, &[]).is_empty());
        // Nobody delegates (own agent only): nothing.
        let own =
            json!({"agents": {"list": [{"id": "main", "subagents": {"allowAgents": ["main"]}}]}});
        assert!(found(own, &[]).is_empty());
        // Switched off while delegating.
        let mut off = delegating;
        off["plugins"] = json!({"entries": {"content-guard": {"enabled": false}}});
        assert_eq!(found(off, &[]), ["plugins.content_guard.disabled"]);
    }

    #[test]
    fn taint_off_is_reported_globally_and_per_agent() {
        assert_eq!(
            found(json!({"tools": {"taint": {"enabled": false}}}), &[]),
            ["tools.taint.disabled"]
        );
        assert_eq!(
            found(
                json!({"agents": {"list": [{"id": "main", "tools": {"taint": {"enabled": false}}}]}}),
                &[]
            ),
            ["tools.taint.disabled"]
        );
        assert!(
            found(
                json!({"tools": {"taint": {"allowEgress": ["api.github.com"]}}}),
                &[]
            )
            .is_empty()
        );
    }
}
