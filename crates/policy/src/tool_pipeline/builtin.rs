//! Layers with built-in defaults: the sandbox policy (§1.8), the subagent policy (§1.9) and the
//! gateway's HTTP API surface. Built-in lists are reported as `default deny` under the config
//! path that would replace them.

use hardclaw_config::schema::{Agent, Config, ToolPolicy};

use super::layers::{MatchStyle, PolicyLayer, Rule, Step, default_list, non_empty, rule_list};
use crate::tool_groups::{
    CHANNEL_IDS, DEFAULT_MAX_SPAWN_DEPTH, HTTP_DEFAULT_DENY, SANDBOX_DEFAULT_ALLOW,
    SANDBOX_DEFAULT_DENY, SUBAGENT_ALWAYS_DENY, SUBAGENT_LEAF_DENY,
};

/// §1.8: allow = agent list if an array, else global, else default; deny resolved the same way,
/// independently; no merging; `image` auto-added to a non-empty allow list unless denied.
pub(super) fn sandbox_layer(config: &Config, agent: Option<&(String, &Agent)>) -> PolicyLayer {
    let style = MatchStyle::Sandbox;
    let agent_policy = agent.and_then(|(p, a)| {
        a.tools
            .as_ref()
            .and_then(|t| t.sandbox.as_ref())
            .and_then(|s| s.tools.as_ref())
            .map(|t| (format!("{p}.sandbox.tools"), t))
    });
    let global_policy = config
        .tools
        .as_ref()
        .and_then(|t| t.sandbox.as_ref())
        .and_then(|s| s.tools.as_ref())
        .map(|t| ("tools.sandbox.tools".to_string(), t));
    let pick = |f: fn(&ToolPolicy) -> Option<&Vec<String>>| {
        agent_policy
            .as_ref()
            .and_then(|(p, t)| f(t).map(|v| (p.clone(), v)))
            .or_else(|| {
                global_policy
                    .as_ref()
                    .and_then(|(p, t)| f(t).map(|v| (p.clone(), v)))
            })
    };
    let deny = match pick(|t| t.deny.as_ref()) {
        Some((path, d)) => rule_list(&path, d, style),
        None => {
            let mut entries: Vec<&str> = SANDBOX_DEFAULT_DENY.to_vec();
            entries.extend_from_slice(CHANNEL_IDS);
            default_list("tools.sandbox.tools", &entries, style, None)
        }
    };
    let (mut allow, miss) = match pick(|t| t.allow.as_ref()) {
        Some((path, a)) => (
            rule_list(&path, a, style),
            "not in sandbox allow list".to_string(),
        ),
        None => (
            default_list("tools.sandbox.tools", SANDBOX_DEFAULT_ALLOW, style, None),
            "not in the default sandbox allow list".to_string(),
        ),
    };
    let denies_image = deny.rules.iter().any(|r| r.normalized == "image");
    let allows_image = allow.rules.iter().any(|r| r.normalized == "image");
    if !allow.rules.is_empty() && !denies_image && !allows_image {
        allow.rules.push(Rule {
            written: "image".to_string(),
            normalized: "image".to_string(),
            patterns: Vec::new(),
        });
    }
    let name = agent_policy
        .as_ref()
        .map_or_else(|| "tools.sandbox.tools".to_string(), |(p, _)| p.clone());
    PolicyLayer {
        step: Step::Sandbox,
        name,
        allow: non_empty(allow),
        deny: vec![deny],
        style,
        miss,
    }
}

/// §1.9: built-in denies (leaf subagents lose the session tools too), configured deny appended,
/// configured allow (if an array) is the allow list. In E2/M an allow entry does not lift a
/// built-in deny.
pub(super) fn subagent_layer(config: &Config, depth: u32) -> PolicyLayer {
    let style = MatchStyle::Standard;
    let max = config
        .agent_defaults()
        .and_then(|d| d.subagents.as_ref())
        .and_then(|s| s.max_spawn_depth)
        .unwrap_or(DEFAULT_MAX_SPAWN_DEPTH);
    let configured = config
        .tools
        .as_ref()
        .and_then(|t| t.subagents.as_ref())
        .and_then(|s| s.tools.as_ref());
    let mut deny = vec![default_list(
        "tools.subagents.tools",
        SUBAGENT_ALWAYS_DENY,
        style,
        Some("every subagent".to_string()),
    )];
    if depth >= max {
        deny.push(default_list(
            "tools.subagents.tools",
            SUBAGENT_LEAF_DENY,
            style,
            Some(format!(
                "leaf subagent: depth {depth} ≥ agents.defaults.subagents.maxSpawnDepth {max}"
            )),
        ));
    }
    if let Some(d) = configured.and_then(|c| c.deny.as_ref()) {
        deny.push(rule_list("tools.subagents.tools", d, style));
    }
    let allow = configured
        .and_then(|c| c.allow.as_ref())
        .map(|a| rule_list("tools.subagents.tools", a, style))
        .and_then(non_empty);
    PolicyLayer {
        step: Step::Subagent,
        name: "tools.subagents.tools".to_string(),
        allow,
        deny,
        style,
        miss: "not in allow list".to_string(),
    }
}

/// The HTTP API's built-in denies minus `gateway.tools.allow` (exact names), plus
/// `gateway.tools.deny`.
pub(super) fn http_layer(config: &Config) -> PolicyLayer {
    let style = MatchStyle::Standard;
    let gw = config.gateway.as_ref().and_then(|g| g.tools.as_ref());
    let reallowed = gw.and_then(|g| g.allow.as_deref()).unwrap_or(&[]);
    let defaults: Vec<&str> = HTTP_DEFAULT_DENY
        .iter()
        .copied()
        .filter(|t| !reallowed.iter().any(|a| a == t))
        .collect();
    let mut deny = vec![default_list(
        "gateway.http",
        &defaults,
        style,
        Some("HTTP API; re-allow with gateway.tools.allow".to_string()),
    )];
    if let Some(d) = gw.and_then(|g| g.deny.as_deref()) {
        let mut list = rule_list("gateway.http", d, style);
        list.note = Some("gateway.tools.deny".to_string());
        deny.push(list);
    }
    PolicyLayer {
        step: Step::Http,
        name: "gateway.http".to_string(),
        allow: None,
        deny,
        style,
        miss: String::new(),
    }
}
