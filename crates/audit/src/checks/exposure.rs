//! Check family `exposure` (reference §1.10): what an open group/DM can reach (exposure
//! matrix) and whether the config looks like a shared, multi-user gateway (trust model).
//!
//! Helpers here are shared with `exec_runtime` (open inbound policies) and `models` (tool
//! contexts).
//!
//! hardclaw differences (deliberate):
//! * "open inbound" includes `dmPolicy`/`dm.policy` `"open"` as well as `groupPolicy`
//!   (OpenClaw ≥2026.3 behaviour; E2 only looked at `groupPolicy`).
//! * `tools.elevated.enabled` unset means *off* in hardclaw; when auditing an OpenClaw install
//!   (`--openclaw` flavor) OpenClaw's default (on) is used.

use hardclaw_config::schema::{Config, WorkspaceAccess};
use hardclaw_config::{Flavor, Locations};
use hardclaw_policy::{SessionKind, ToolDecision, decide, layers_for, sandbox_mode};
use serde_json::Value;

use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// One tool context: `agents.defaults` (index `None`) or `agents.list[i]`.
#[derive(Debug, Clone)]
pub(super) struct ToolContext {
    /// OpenClaw's label (`agents.defaults`, `agents.list.<id>`).
    pub label: String,
    /// Index into `agents.list`.
    pub index: Option<usize>,
}

/// `agents.defaults` then every agent.
pub(super) fn tool_contexts(config: &Config) -> Vec<ToolContext> {
    let mut out = vec![ToolContext {
        label: "agents.defaults".to_string(),
        index: None,
    }];
    for (i, agent) in config.agent_list().iter().enumerate() {
        out.push(ToolContext {
            label: format!("agents.list.{}", agent.id),
            index: Some(i),
        });
    }
    out
}

/// Whether `tool` survives the layers OpenClaw's audit uses for a context: profile, global,
/// agent, and the sandbox layer only when the context's sandbox mode is `all` (that is exactly
/// the host main session's layer set).
pub(super) fn tool_allowed(config: &Config, index: Option<usize>, tool: &str) -> bool {
    let layers = layers_for(config, index, SessionKind::Main);
    decide(&layers, tool) == ToolDecision::Allowed
}

/// `off` / `non-main` / `all` for messages.
pub(super) fn sandbox_label(config: &Config, index: Option<usize>) -> &'static str {
    match sandbox_mode(config, index).0 {
        hardclaw_config::schema::SandboxMode::Off => "off",
        hardclaw_config::schema::SandboxMode::NonMain => "non-main",
        hardclaw_config::schema::SandboxMode::All => "all",
    }
}

/// Resolved `sandbox.workspaceAccess` (agent → defaults → `none`).
pub(super) fn workspace_access(config: &Config, index: Option<usize>) -> WorkspaceAccess {
    let agent = index
        .and_then(|i| config.agent_list().get(i))
        .and_then(|a| a.sandbox.as_ref())
        .and_then(|s| s.workspace_access);
    let defaults = config
        .agent_defaults()
        .and_then(|d| d.sandbox.as_ref())
        .and_then(|s| s.workspace_access);
    agent.or(defaults).unwrap_or(WorkspaceAccess::None)
}

/// Every `groupPolicy`/`dmPolicy` `"open"` anywhere under `channels` (recursing into nested
/// objects such as `accounts`, `groups`, `dms`), plus legacy `dm.policy` `"open"`; sorted
/// paths of the offending keys (OpenClaw `collectOpenExecSurfacePaths`).
pub(super) fn open_inbound_paths(resolved: &Value) -> Vec<String> {
    let mut hits = std::collections::BTreeSet::new();
    if let Some(channels) = resolved.get("channels").and_then(Value::as_object) {
        for (id, value) in channels {
            visit_open(value, &format!("channels.{id}"), &mut hits);
        }
    }
    hits.into_iter().collect()
}

fn visit_open(value: &Value, scope: &str, hits: &mut std::collections::BTreeSet<String>) {
    let Some(record) = value.as_object() else {
        return;
    };
    for key in ["groupPolicy", "dmPolicy"] {
        if record.get(key).and_then(Value::as_str) == Some("open") {
            hits.insert(format!("{scope}.{key}"));
        }
    }
    // Legacy `dm.policy` (hardclaw addition: OpenClaw's walk reaches `dm` but only checks
    // `dmPolicy`/`groupPolicy` keys, so it misses the legacy form).
    if let Some(dm) = record.get("dm").and_then(Value::as_object)
        && dm.get("policy").and_then(Value::as_str) == Some("open")
    {
        hits.insert(format!("{scope}.dm.policy"));
    }
    for (key, nested) in record {
        if nested.is_object() && key != "dm" {
            visit_open(nested, &format!("{scope}.{key}"), hits);
        }
    }
}

/// `channels.<id>.groupPolicy` / `.accounts.<a>.groupPolicy` / `dmPolicy` / `dm.policy` equal
/// to `"open"` at channel or account level (the exposure-matrix notion of "open inbound").
pub(super) fn open_policy_paths(resolved: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(channels) = resolved.get("channels").and_then(Value::as_object) else {
        return out;
    };
    let mut inspect = |section: &Value, base: &str| {
        for key in ["groupPolicy", "dmPolicy"] {
            if section.get(key).and_then(Value::as_str) == Some("open") {
                out.push(format!("{base}.{key}"));
            }
        }
        if section.pointer("/dm/policy").and_then(Value::as_str) == Some("open") {
            out.push(format!("{base}.dm.policy"));
        }
    };
    for (id, section) in channels {
        inspect(section, &format!("channels.{id}"));
        if let Some(accounts) = section.get("accounts").and_then(Value::as_object) {
            for (acct, value) in accounts {
                inspect(value, &format!("channels.{id}.accounts.{acct}"));
            }
        }
    }
    out
}

/// Risky contexts: runtime tools allowed without sandbox `all`, or fs tools allowed without
/// sandbox `all` and without `tools.fs.workspaceOnly`. Returns the lines and whether any
/// runtime risk exists (OpenClaw `collectRiskyToolExposureContexts`).
pub(super) fn risky_tool_contexts(config: &Config) -> (Vec<String>, bool) {
    let mut lines = Vec::new();
    let mut runtime_risk = false;
    for ctx in tool_contexts(config) {
        let mode = sandbox_label(config, ctx.index);
        let runtime: Vec<&str> = ["exec", "process"]
            .into_iter()
            .filter(|t| tool_allowed(config, ctx.index, t))
            .collect();
        let fs: Vec<&str> = ["read", "write", "edit", "apply_patch"]
            .into_iter()
            .filter(|t| tool_allowed(config, ctx.index, t))
            .collect();
        let agent_tools = ctx
            .index
            .and_then(|i| config.agent_list().get(i))
            .and_then(|a| a.tools.as_ref());
        let ws_only = agent_tools
            .and_then(|t| t.fs.as_ref())
            .and_then(|f| f.workspace_only)
            .or_else(|| {
                config
                    .tools
                    .as_ref()
                    .and_then(|t| t.fs.as_ref())
                    .and_then(|f| f.workspace_only)
            })
            == Some(true);
        let runtime_unguarded = !runtime.is_empty() && mode != "all";
        let fs_unguarded = !fs.is_empty() && mode != "all" && !ws_only;
        if !runtime_unguarded && !fs_unguarded {
            continue;
        }
        runtime_risk |= runtime_unguarded;
        let list = |v: &[&str]| {
            if v.is_empty() {
                "off".to_string()
            } else {
                v.join(", ")
            }
        };
        lines.push(format!(
            "{} (sandbox={mode}; runtime=[{}]; fs=[{}]; fs.workspaceOnly={ws_only})",
            ctx.label,
            list(&runtime),
            list(&fs)
        ));
    }
    (lines, runtime_risk)
}

/// Effective `tools.elevated.enabled` (see the module docs for the default).
pub(super) fn elevated_enabled(config: &Config, locations: &Locations) -> bool {
    match config
        .tools
        .as_ref()
        .and_then(|t| t.elevated.as_ref())
        .and_then(|e| e.enabled)
    {
        Some(b) => b,
        None => locations.flavor == Flavor::OpenClaw,
    }
}

fn bullet(items: &[String]) -> String {
    items
        .iter()
        .map(|p| format!("- {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let config = ctx.config();
    let resolved = &ctx.loaded.resolved;
    exposure_matrix(ctx, config, resolved, out);
    multi_user(config, resolved, out);
    group_scope_main(config, out);
}

fn exposure_matrix(
    ctx: &AuditContext<'_>,
    config: &Config,
    resolved: &Value,
    out: &mut Vec<Finding>,
) {
    let open = open_policy_paths(resolved);
    let Some(first) = open.first() else {
        return;
    };
    let found = format!(
        "Found open inbound policy (groupPolicy/dmPolicy=\"open\") at:\n{}",
        bullet(&open)
    );
    if elevated_enabled(config, ctx.locations) {
        out.push(
            Finding::new(
                "security.exposure.open_groups_with_elevated",
                Severity::Critical,
                "Open groupPolicy with elevated tools enabled",
                format!(
                    "{found}\nWith tools.elevated enabled, a prompt injection in those rooms can become a high-impact incident."
                ),
            )
            .remediation("Set groupPolicy=\"allowlist\" and keep elevated allowlists extremely tight.")
            .at(first.clone()),
        );
    }
    let (risky, runtime_risk) = risky_tool_contexts(config);
    if !risky.is_empty() {
        out.push(
            Finding::new(
                "security.exposure.open_groups_with_runtime_or_fs",
                if runtime_risk { Severity::Critical } else { Severity::Warn },
                "Open groupPolicy with runtime/filesystem tools exposed",
                format!(
                    "{found}\nRisky tool exposure contexts:\n{}\nPrompt injection in open groups can trigger command/file actions in these contexts.",
                    bullet(&risky)
                ),
            )
            .remediation(
                "For open groups, prefer tools.profile=\"messaging\" (or deny group:runtime/group:fs), set tools.fs.workspaceOnly=true, and use agents.defaults.sandbox.mode=\"all\" for exposed agents.",
            )
            .at(first.clone()),
        );
    }
    let mut control = Vec::new();
    for c in tool_contexts(config) {
        let tools: Vec<&str> = ["gateway", "cron", "nodes"]
            .into_iter()
            .filter(|t| tool_allowed(config, c.index, t))
            .collect();
        if !tools.is_empty() {
            control.push(format!("{} ({})", c.label, tools.join(", ")));
        }
    }
    if !control.is_empty() {
        out.push(
            Finding::new(
                "security.exposure.open_groups_with_control_plane_tools",
                Severity::Critical,
                "Open inbound policy with control-plane tools exposed",
                format!(
                    "{found}\nControl-plane tools allowed in:\n{}\nA prompt injection from an open chat can reconfigure the gateway, schedule jobs or drive paired devices.",
                    bullet(&control)
                ),
            )
            .remediation("Deny gateway, cron and nodes (tools.deny: [\"group:automation\", \"nodes\"]) or close the open policies.")
            .at(first.clone()),
        );
    }
}

fn has_group_targets(section: &Value) -> bool {
    ["groups", "guilds", "channels", "rooms"].iter().any(|k| {
        section
            .get(*k)
            .and_then(Value::as_object)
            .is_some_and(|o| !o.is_empty())
    })
}

fn has_star(section: &Value, key: &str) -> bool {
    section
        .get(key)
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|e| id_text(e).trim() == "*"))
}

/// A string or number as text.
pub(super) fn id_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn multi_user_signals(resolved: &Value) -> (Vec<String>, Option<String>) {
    let mut out: Vec<String> = Vec::new();
    let mut first_path = None;
    let Some(channels) = resolved.get("channels").and_then(Value::as_object) else {
        return (out, None);
    };
    let mut inspect = |s: &Value, base: &str| {
        let mut add = |signal: String, path: String| {
            if !out.contains(&signal) {
                out.push(signal);
            }
            first_path.get_or_insert(path);
        };
        match s.get("groupPolicy").and_then(Value::as_str) {
            Some("open") => add(
                format!("{base}.groupPolicy=\"open\""),
                format!("{base}.groupPolicy"),
            ),
            Some("allowlist") if has_group_targets(s) => add(
                format!("{base}.groupPolicy=\"allowlist\" with configured group targets"),
                format!("{base}.groupPolicy"),
            ),
            _ => {}
        }
        if s.get("dmPolicy").and_then(Value::as_str) == Some("open") {
            add(
                format!("{base}.dmPolicy=\"open\""),
                format!("{base}.dmPolicy"),
            );
        }
        if has_star(s, "allowFrom") {
            add(
                format!("{base}.allowFrom includes \"*\""),
                format!("{base}.allowFrom"),
            );
        }
        if has_star(s, "groupAllowFrom") {
            add(
                format!("{base}.groupAllowFrom includes \"*\""),
                format!("{base}.groupAllowFrom"),
            );
        }
        if let Some(dm) = s.get("dm") {
            if dm.get("policy").and_then(Value::as_str) == Some("open") {
                add(
                    format!("{base}.dm.policy=\"open\""),
                    format!("{base}.dm.policy"),
                );
            }
            if has_star(dm, "allowFrom") {
                add(
                    format!("{base}.dm.allowFrom includes \"*\""),
                    format!("{base}.dm.allowFrom"),
                );
            }
        }
    };
    for (id, section) in channels {
        inspect(section, &format!("channels.{id}"));
        if let Some(accounts) = section.get("accounts").and_then(Value::as_object) {
            for (acct, value) in accounts {
                inspect(value, &format!("channels.{id}.accounts.{acct}"));
            }
        }
    }
    (out, first_path)
}

fn multi_user(config: &Config, resolved: &Value, out: &mut Vec<Finding>) {
    let (signals, first) = multi_user_signals(resolved);
    if signals.is_empty() {
        return;
    }
    let (risky, runtime_risk) = risky_tool_contexts(config);
    let impact = if runtime_risk {
        "Runtime/process tools are exposed without full sandboxing in at least one context."
    } else {
        "No unguarded runtime/process tools were detected by this heuristic."
    };
    let contexts = if risky.is_empty() {
        "No unguarded runtime/filesystem contexts detected.".to_string()
    } else {
        format!(
            "Potential high-impact tool exposure contexts:\n{}",
            bullet(&risky)
        )
    };
    let mut f = Finding::new(
        "security.trust_model.multi_user_heuristic",
        Severity::Warn,
        "Potential multi-user setup detected (personal-assistant model warning)",
        format!(
            "Heuristic signals indicate this gateway may be reachable by multiple users:\n{}\n{impact}\n{contexts}\nThe default security model is personal-assistant (one trusted operator boundary), not hostile multi-tenant isolation on one shared gateway.",
            bullet(&signals)
        ),
    )
    .remediation(
        "If users may be mutually untrusted, split trust boundaries (separate gateways + credentials, ideally separate OS users/hosts). If you intentionally run shared-user access, set agents.defaults.sandbox.mode=\"all\", keep tools.fs.workspaceOnly=true, deny runtime/fs/web tools unless required, and keep personal/private identities + credentials off that runtime.",
    );
    if let Some(p) = first {
        f = f.at(p);
    }
    out.push(f);
}

fn group_scope_main(config: &Config, out: &mut Vec<Finding>) {
    let mut hits = Vec::new();
    if config
        .session
        .as_ref()
        .and_then(|s| s.group_scope.as_deref())
        .is_some_and(|g| g.trim() == "main")
    {
        hits.push("session.groupScope".to_string());
    }
    for (i, b) in config.bindings.iter().flatten().enumerate() {
        if b.session
            .as_ref()
            .and_then(|s| s.group_scope.as_deref())
            .is_some_and(|g| g.trim() == "main")
        {
            hits.push(format!("bindings[{i}].session.groupScope"));
        }
    }
    let Some(first) = hits.first().cloned() else {
        return;
    };
    out.push(
        Finding::new(
            "security.trust_model.group_scope_main",
            Severity::Warn,
            "Group chats share the main session",
            format!(
                "groupScope=\"main\" routes group traffic into the agent's main session:\n{}\nEveryone in those groups can read and steer the operator's private context.",
                bullet(&hits)
            ),
        )
        .remediation("Remove groupScope=\"main\" so each group gets its own session.")
        .at(first),
    );
}

#[cfg(test)]
#[path = "exposure_tests.rs"]
mod tests;
