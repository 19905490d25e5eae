//! Check family `exec_runtime` (reference §1.7): exec host vs sandbox, exec security scopes,
//! open channels reaching exec, fs/exec policy drift, `<state>/exec-approvals.json`, safe bins
//! and their trusted dirs, skills/MCP boundary drift and the mcporter registry.
//!
//! Not implemented: `agents.claude_cli.permission_mode_overridden_by_yolo` (the claude-cli
//! backend keys do not exist in hardclaw's schema).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use hardclaw_config::schema::{
    Config, ExecHost, ExecSecurity, ExecTool, SandboxMode, WorkspaceAccess,
};
use hardclaw_policy::sandbox_mode;
use serde_json::Value;

use super::exposure::{open_inbound_paths, tool_allowed, tool_contexts, workspace_access};
use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// OpenClaw's default agent id (the global scope).
const DEFAULT_AGENT_ID: &str = "main";

/// Cap for `skills/config/mcporter.json`.
const MCPORTER_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let config = ctx.config();
    host_sandbox(config, out);
    security_scopes(ctx, config, out);
    fs_disabled_exec_enabled(config, out);
    let approvals = read_exec_approvals(&ctx.locations.state_dir);
    if let Some(approvals) = &approvals {
        auto_allow_skills(approvals, out);
        interpreter_allowlist(config, approvals, out);
    }
    safe_bins(config, out);
    trusted_dirs(config, out);
    skill_mcp_boundary(ctx, config, out);
}

fn exec_of(tools: Option<&hardclaw_config::schema::Tools>) -> Option<&ExecTool> {
    tools.and_then(|t| t.exec.as_ref())
}

fn global_exec(config: &Config) -> Option<&ExecTool> {
    exec_of(config.tools.as_ref())
}

fn host_sandbox(config: &Config, out: &mut Vec<Finding>) {
    let global_host = global_exec(config).and_then(|e| e.host);
    if global_host == Some(ExecHost::Sandbox) && sandbox_mode(config, None).0 == SandboxMode::Off {
        out.push(
            Finding::new(
                "tools.exec.host_sandbox_no_sandbox_defaults",
                Severity::Warn,
                "Exec host is sandbox but sandbox mode is off",
                "tools.exec.host is explicitly set to sandbox while agents.defaults.sandbox.mode=off. In this mode, exec fails closed because no sandbox runtime is available.",
            )
            .remediation("Enable sandbox mode (`agents.defaults.sandbox.mode=\"non-main\"` or `\"all\"`) or set tools.exec.host to \"gateway\" with approvals.")
            .at("tools.exec.host"),
        );
    }
    let risky: Vec<(usize, &str)> = config
        .agent_list()
        .iter()
        .enumerate()
        .filter(|(i, a)| {
            exec_of(a.tools.as_ref()).and_then(|e| e.host) == Some(ExecHost::Sandbox)
                && sandbox_mode(config, Some(*i)).0 == SandboxMode::Off
        })
        .map(|(i, a)| (i, a.id.as_str()))
        .take(5)
        .collect();
    if let Some((first, _)) = risky.first() {
        let ids: Vec<&str> = risky.iter().map(|(_, id)| *id).collect();
        out.push(
            Finding::new(
                "tools.exec.host_sandbox_no_sandbox_agents",
                Severity::Warn,
                "Agent exec host uses sandbox while sandbox mode is off",
                format!(
                    "agents.list.*.tools.exec.host is set to sandbox for: {}. With sandbox mode off, exec fails closed for those agents.",
                    ids.join(", ")
                ),
            )
            .remediation("Enable sandbox mode for these agents (`agents.list[].sandbox.mode`) or set their tools.exec.host to \"gateway\".")
            .at(format!("agents.list[{first}].tools.exec.host")),
        );
    }
}

fn security_str(s: ExecSecurity) -> &'static str {
    match s {
        ExecSecurity::Deny => "deny",
        ExecSecurity::Allowlist => "allowlist",
        ExecSecurity::Full => "full",
    }
}

fn host_str(h: Option<ExecHost>) -> &'static str {
    match h {
        Some(ExecHost::Sandbox) => "sandbox",
        Some(ExecHost::Gateway) => "gateway",
        Some(ExecHost::Node) => "node",
        None => "auto",
    }
}

struct ExecScope {
    id: String,
    security: ExecSecurity,
    host: Option<ExecHost>,
    /// Path of the key that set `security` (for `.at()`), if set explicitly.
    security_path: Option<String>,
}

/// The global scope (`main`) and every agent; an agent whose id is `main` replaces the global
/// entry in place (OpenClaw builds a Map keyed by id).
fn exec_scopes(config: &Config) -> Vec<ExecScope> {
    let g = global_exec(config);
    let mut scopes = vec![ExecScope {
        id: DEFAULT_AGENT_ID.to_string(),
        security: g.and_then(|e| e.security).unwrap_or(ExecSecurity::Deny),
        host: g.and_then(|e| e.host),
        security_path: g
            .and_then(|e| e.security)
            .map(|_| "tools.exec.security".to_string()),
    }];
    for (i, agent) in config.agent_list().iter().enumerate() {
        let a = exec_of(agent.tools.as_ref());
        let scope = ExecScope {
            id: agent.id.clone(),
            security: a
                .and_then(|e| e.security)
                .or_else(|| g.and_then(|e| e.security))
                .unwrap_or(ExecSecurity::Deny),
            host: a.and_then(|e| e.host).or_else(|| g.and_then(|e| e.host)),
            security_path: match (a.and_then(|e| e.security), g.and_then(|e| e.security)) {
                (Some(_), _) => Some(format!("agents.list[{i}].tools.exec.security")),
                (None, Some(_)) => Some("tools.exec.security".to_string()),
                (None, None) => None,
            },
        };
        match scopes.iter_mut().find(|s| s.id == scope.id) {
            Some(existing) => *existing = scope,
            None => scopes.push(scope),
        }
    }
    scopes
}

fn security_scopes(ctx: &AuditContext<'_>, config: &Config, out: &mut Vec<Finding>) {
    let scopes = exec_scopes(config);
    let full: Vec<&ExecScope> = scopes
        .iter()
        .filter(|s| s.security == ExecSecurity::Full)
        .collect();
    let enabled: Vec<&ExecScope> = scopes
        .iter()
        .filter(|s| s.security != ExecSecurity::Deny)
        .collect();
    let open = open_inbound_paths(&ctx.loaded.resolved);
    let bullets = |v: &[String]| {
        v.iter()
            .map(|p| format!("- {p}"))
            .collect::<Vec<_>>()
            .join("\n")
    };

    if let Some(first) = full.first() {
        let ids: Vec<&str> = full.iter().map(|s| s.id.as_str()).collect();
        let mut detail = format!("Full exec trust is enabled for: {}.", ids.join(", "));
        if !open.is_empty() {
            detail.push_str(&format!(
                " Open channel access was also detected at:\n{}",
                bullets(&open)
            ));
        }
        let mut f = Finding::new(
            "tools.exec.security_full_configured",
            if open.is_empty() { Severity::Warn } else { Severity::Critical },
            "Exec security=full is configured",
            detail,
        )
        .remediation("Prefer tools.exec.security=\"allowlist\" with ask prompts, and reserve \"full\" for tightly scoped break-glass agents only.");
        if let Some(p) = &first.security_path {
            f = f.at(p.clone());
        }
        out.push(f);
    }
    if let (Some(first_open), false) = (open.first(), enabled.is_empty()) {
        let scopes_text = enabled
            .iter()
            .map(|s| {
                format!(
                    "- {}: security={}, host={}",
                    s.id,
                    security_str(s.security),
                    host_str(s.host)
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        out.push(
            Finding::new(
                "security.exposure.open_channels_with_exec",
                if full.is_empty() { Severity::Warn } else { Severity::Critical },
                "Open channels can reach exec-enabled agents",
                format!("Open DM/group access detected at:\n{}\nExec-enabled scopes:\n{scopes_text}", bullets(&open)),
            )
            .remediation("Tighten dmPolicy/groupPolicy to pairing or allowlist, or disable exec for agents reachable from shared/public channels.")
            .at(first_open.clone()),
        );
    }
}

fn fs_disabled_exec_enabled(config: &Config, out: &mut Vec<Finding>) {
    let mut hits = Vec::new();
    let mut first_path = None;
    for c in tool_contexts(config) {
        let fs_denied = ["write", "edit", "apply_patch"]
            .iter()
            .all(|t| !tool_allowed(config, c.index, t));
        let exec_tools: Vec<&str> = ["exec", "process"]
            .into_iter()
            .filter(|t| tool_allowed(config, c.index, t))
            .collect();
        if !fs_denied || exec_tools.is_empty() {
            continue;
        }
        let contained = sandbox_mode(config, c.index).0 == SandboxMode::All
            && matches!(
                workspace_access(config, c.index),
                WorkspaceAccess::Ro | WorkspaceAccess::None
            );
        if contained {
            continue;
        }
        hits.push(format!(
            "{} (still allowed: {})",
            c.label,
            exec_tools.join(", ")
        ));
        first_path.get_or_insert(match c.index {
            Some(i) => format!("agents.list[{i}].tools"),
            None => "tools".to_string(),
        });
    }
    let Some(path) = first_path else {
        return;
    };
    out.push(
        Finding::new(
            "tools.exec.fs_tools_disabled_but_exec_enabled",
            Severity::Warn,
            "File-writing tools are denied but exec is still allowed",
            format!(
                "These scopes deny write/edit/apply_patch but still allow exec/process outside a read-only sandbox, so files can still be written through the shell:\n{}",
                hits.iter().map(|h| format!("- {h}")).collect::<Vec<_>>().join("\n")
            ),
        )
        .remediation("Deny group:runtime as well, or run those agents with sandbox.mode=\"all\" and sandbox.workspaceAccess=\"ro\"/\"none\".")
        .at(path),
    );
}

/// `<state>/exec-approvals.json`, if present and valid JSON.
fn read_exec_approvals(state_dir: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(state_dir.join("exec-approvals.json")).ok()?;
    serde_json::from_str(&text).ok()
}

fn auto_allow_skills(approvals: &Value, out: &mut Vec<Finding>) {
    let mut hits = Vec::new();
    if approvals.pointer("/defaults/autoAllowSkills") == Some(&Value::Bool(true)) {
        hits.push("defaults.autoAllowSkills".to_string());
    }
    if let Some(agents) = approvals.get("agents").and_then(Value::as_object) {
        for (id, agent) in agents {
            if agent.get("autoAllowSkills") == Some(&Value::Bool(true)) {
                hits.push(format!("agents.{id}.autoAllowSkills"));
            }
        }
    }
    if hits.is_empty() {
        return;
    }
    out.push(
        Finding::new(
            "tools.exec.auto_allow_skills_enabled",
            Severity::Warn,
            "autoAllowSkills is enabled for exec approvals",
            format!(
                "Implicit skill-bin allowlisting is enabled at:\n{}\nThis widens host exec trust beyond explicit manual allowlist entries.",
                hits.iter().map(|h| format!("- {h}")).collect::<Vec<_>>().join("\n")
            ),
        )
        .remediation("Disable autoAllowSkills in exec approvals and keep manual allowlists tight when you need explicit host-exec trust."),
    );
}

/// Interpreter/runtime binaries: inline code (`-c`, `-e`) turns them into arbitrary exec.
const INTERPRETERS: &[&str] = &[
    "python",
    "python2",
    "python3",
    "pypy",
    "pypy3",
    "node",
    "nodejs",
    "deno",
    "bun",
    "ruby",
    "irb",
    "perl",
    "php",
    "lua",
    "luajit",
    "osascript",
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "fish",
    "pwsh",
    "powershell",
    "tclsh",
    "wish",
    "rscript",
    "julia",
    "groovy",
    "jshell",
    "awk",
    "gawk",
    "mawk",
    "nawk",
];

/// `python3.12` → `python3`; strips directories and `.exe`.
fn interpreter_name(token: &str) -> Option<&'static str> {
    let base = token
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(token)
        .to_ascii_lowercase();
    let base = base.strip_suffix(".exe").unwrap_or(&base).to_string();
    let trimmed = base.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    INTERPRETERS
        .iter()
        .copied()
        .find(|i| *i == base || *i == trimmed)
}

fn interpreter_allowlist(config: &Config, approvals: &Value, out: &mut Vec<Finding>) {
    let global = global_exec(config).and_then(|e| e.strict_inline_eval) == Some(true);
    let strict_for = |id: &str| {
        if id == "*" || id == DEFAULT_AGENT_ID {
            return global;
        }
        global
            || config
                .agent_list()
                .iter()
                .find(|a| a.id == id)
                .and_then(|a| exec_of(a.tools.as_ref()))
                .and_then(|e| e.strict_inline_eval)
                == Some(true)
    };
    let mut hits = Vec::new();
    if let Some(agents) = approvals.get("agents").and_then(Value::as_object) {
        for (id, agent) in agents {
            if strict_for(id) {
                continue;
            }
            for entry in agent
                .get("allowlist")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(pattern) = entry.get("pattern").and_then(Value::as_str) else {
                    continue;
                };
                let first = pattern.split_whitespace().next().unwrap_or("");
                if interpreter_name(first).is_some() {
                    hits.push(format!("agents.{id}.allowlist: {pattern}"));
                }
            }
        }
    }
    if hits.is_empty() {
        return;
    }
    out.push(
        Finding::new(
            "tools.exec.allowlist_interpreter_without_strict_inline_eval",
            Severity::Warn,
            "Interpreter allowlist entries are missing strictInlineEval hardening",
            format!(
                "Interpreter/runtime allowlist entries were found without strictInlineEval enabled:\n{}",
                hits.iter().map(|h| format!("- {h}")).collect::<Vec<_>>().join("\n")
            ),
        )
        .remediation("Set tools.exec.strictInlineEval=true (or per-agent tools.exec.strictInlineEval=true) when allowlisting interpreters like python, node, ruby, perl, php, lua, or osascript.")
        .at("tools.exec.strictInlineEval"),
    );
}

/// Bins whose behaviour goes beyond a stdin→stdout filter, with why.
const BROAD_SAFE_BINS: &[(&str, &str)] = &[
    ("find", "can execute commands (-exec) and delete files"),
    ("xargs", "executes arbitrary commands"),
    ("env", "executes arbitrary commands"),
    (
        "sed",
        "GNU sed can execute commands (e) and write files (w)",
    ),
    ("tee", "writes arbitrary files"),
    ("dd", "reads and writes arbitrary files"),
    ("sort", "can write files (-o)"),
    ("curl", "network egress"),
    ("wget", "network egress"),
    ("nc", "network egress"),
    ("git", "runs hooks and configured commands"),
    (
        "tar",
        "can execute commands (--to-command, --checkpoint-action)",
    ),
    ("zip", "can execute commands (-TT)"),
    ("rsync", "can execute commands (-e)"),
    ("ssh", "remote command execution"),
    ("make", "executes arbitrary recipes"),
    ("vim", "shell escapes"),
    ("vi", "shell escapes"),
    ("less", "shell escapes"),
    ("man", "shell escapes via pager"),
    ("jq", "reads the environment ($ENV, env)"),
];

fn normalized_bins(list: Option<&Vec<String>>) -> Vec<String> {
    list.into_iter()
        .flatten()
        .map(|b| b.trim().to_ascii_lowercase())
        .filter(|b| !b.is_empty())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn profile_keys(exec: Option<&ExecTool>) -> BTreeSet<String> {
    exec.and_then(|e| e.safe_bin_profiles.as_ref())
        .map(|m: &BTreeMap<String, Value>| {
            m.keys().map(|k| k.trim().to_ascii_lowercase()).collect()
        })
        .unwrap_or_default()
}

fn safe_bins(config: &Config, out: &mut Vec<Finding>) {
    let g = global_exec(config);
    let mut interp_hits = Vec::new();
    let mut broad_hits = Vec::new();
    let mut interp_path = None;
    let mut broad_path = None;
    let mut scan = |scope: String, path: String, bins: Vec<String>, profiles: BTreeSet<String>| {
        let interps: Vec<&str> = bins
            .iter()
            .filter(|b| interpreter_name(b).is_some() && !profiles.contains(*b))
            .map(String::as_str)
            .collect();
        if !interps.is_empty() {
            interp_hits.push(format!("- {scope}.safeBins: {}", interps.join(", ")));
            interp_path.get_or_insert(path.clone());
        }
        for b in &bins {
            if let Some((_, why)) = BROAD_SAFE_BINS.iter().find(|(n, _)| n == b) {
                broad_hits.push(format!("- {scope}.safeBins: {b} ({why})"));
                broad_path.get_or_insert(path.clone());
            }
        }
    };
    let global_bins = normalized_bins(g.and_then(|e| e.safe_bins.as_ref()));
    if !global_bins.is_empty() {
        scan(
            "tools.exec".into(),
            "tools.exec.safeBins".into(),
            global_bins,
            profile_keys(g),
        );
    }
    for (i, agent) in config.agent_list().iter().enumerate() {
        let a = exec_of(agent.tools.as_ref());
        let bins = normalized_bins(a.and_then(|e| e.safe_bins.as_ref()));
        if bins.is_empty() {
            continue;
        }
        let mut profiles = profile_keys(g);
        profiles.extend(profile_keys(a));
        scan(
            format!("agents.list.{}.tools.exec", agent.id),
            format!("agents.list[{i}].tools.exec.safeBins"),
            bins,
            profiles,
        );
    }
    if let Some(path) = interp_path {
        out.push(
            Finding::new(
                "tools.exec.safe_bins_interpreter_unprofiled",
                Severity::Warn,
                "safeBins includes interpreter/runtime binaries without explicit profiles",
                format!(
                    "Detected interpreter-like safeBins entries missing explicit profiles:\n{}\nThese entries can turn safeBins into a broad execution surface when used with permissive argv profiles.",
                    interp_hits.join("\n")
                ),
            )
            .remediation("Remove interpreter/runtime bins from safeBins (prefer allowlist entries) or define hardened tools.exec.safeBinProfiles.<bin> rules.")
            .at(path),
        );
    }
    if let Some(path) = broad_path {
        out.push(
            Finding::new(
                "tools.exec.safe_bins_broad_behavior",
                Severity::Warn,
                "safeBins includes binaries with broader semantics than low-risk stream filters",
                format!(
                    "Detected risky safeBins entries:\n{}\nThese tools expose semantics that do not fit the low-risk stdin-filter fast path.",
                    broad_hits.join("\n")
                ),
            )
            .remediation("Remove these binaries from safeBins and prefer explicit allowlist entries or approval-gated execution.")
            .at(path),
        );
    }
}

/// Lexical normalisation of an absolute path (`.`/`..` resolved, trailing `/` removed).
pub(super) fn normalize_abs(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

fn classify_trusted_dir(entry: &str) -> Option<&'static str> {
    let raw = entry.trim();
    if raw.is_empty() {
        return None;
    }
    let windows_abs =
        raw.len() > 2 && raw.as_bytes()[1] == b':' && raw.as_bytes()[0].is_ascii_alphabetic();
    if !raw.starts_with('/') && !windows_abs {
        return Some("relative path (trust boundary depends on process cwd)");
    }
    let n = if windows_abs {
        raw.replace('\\', "/").to_ascii_lowercase()
    } else {
        normalize_abs(raw).to_ascii_lowercase()
    };
    let under = |root: &str| n == root || n.starts_with(&format!("{root}/"));
    if under("/tmp") || under("/var/tmp") || under("/private/tmp") {
        return Some("temporary directory is mutable and easy to poison");
    }
    if [
        "/usr/local/bin",
        "/opt/homebrew/bin",
        "/opt/local/bin",
        "/home/linuxbrew/.linuxbrew/bin",
    ]
    .contains(&n.as_str())
    {
        return Some("package-manager bin directory (often user-writable)");
    }
    let win_home = n.len() > 3 && n.as_bytes()[1] == b':' && n[2..].starts_with("/users/");
    if n.starts_with("/users/") || n.starts_with("/home/") || n.contains("/.local/bin") || win_home
    {
        return Some("home-scoped bin directory (typically user-writable)");
    }
    None
}

fn trusted_dirs(config: &Config, out: &mut Vec<Finding>) {
    let mut hits = Vec::new();
    let mut first = None;
    let mut scan = |scope: String, path: String, exec: Option<&ExecTool>| {
        for (j, entry) in exec
            .and_then(|e| e.safe_bin_trusted_dirs.as_ref())
            .into_iter()
            .flatten()
            .enumerate()
        {
            if let Some(reason) = classify_trusted_dir(entry) {
                hits.push(format!(
                    "- {scope}.safeBinTrustedDirs: {} ({reason})",
                    entry.trim()
                ));
                first.get_or_insert(format!("{path}[{j}]"));
            }
        }
    };
    scan(
        "tools.exec".into(),
        "tools.exec.safeBinTrustedDirs".into(),
        global_exec(config),
    );
    for (i, agent) in config.agent_list().iter().enumerate() {
        scan(
            format!("agents.list.{}.tools.exec", agent.id),
            format!("agents.list[{i}].tools.exec.safeBinTrustedDirs"),
            exec_of(agent.tools.as_ref()),
        );
    }
    let Some(path) = first else {
        return;
    };
    let mut detail = format!(
        "Detected risky safeBinTrustedDirs entries:\n{}",
        hits.iter().take(10).cloned().collect::<Vec<_>>().join("\n")
    );
    if hits.len() > 10 {
        detail.push_str(&format!("\n- +{} more entries.", hits.len() - 10));
    }
    out.push(
        Finding::new(
            "tools.exec.safe_bin_trusted_dirs_risky",
            Severity::Warn,
            "safeBinTrustedDirs includes risky mutable directories",
            detail,
        )
        .remediation("Prefer root-owned immutable bins, keep default trust dirs (/bin, /usr/bin), and avoid trusting temporary/home/package-manager paths unless tightly controlled.")
        .at(path),
    );
}

/// What `<state>/skills/config/mcporter.json` says.
enum Mcporter {
    Absent,
    Servers(Vec<String>),
    Broken(String),
}

fn read_mcporter(state_dir: &Path) -> Mcporter {
    let path = state_dir
        .join("skills")
        .join("config")
        .join("mcporter.json");
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Mcporter::Absent,
        Err(e) => return Mcporter::Broken(format!("cannot stat: {e}")),
    };
    if !meta.is_file() {
        return Mcporter::Broken("not a regular file".into());
    }
    if meta.len() > MCPORTER_MAX_BYTES {
        return Mcporter::Broken(format!(
            "oversized ({} bytes > {MCPORTER_MAX_BYTES})",
            meta.len()
        ));
    }
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => return Mcporter::Broken(format!("unreadable: {e}")),
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(v) => {
            let servers = v
                .get("mcpServers")
                .or_else(|| v.get("servers"))
                .and_then(Value::as_object)
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            Mcporter::Servers(servers)
        }
        Err(e) => Mcporter::Broken(format!("invalid JSON: {e}")),
    }
}

fn skill_mcp_boundary(ctx: &AuditContext<'_>, config: &Config, out: &mut Vec<Finding>) {
    let mcporter = read_mcporter(&ctx.locations.state_dir);
    if let Mcporter::Broken(reason) = &mcporter {
        out.push(
            Finding::new(
                "tools.exec.mcporter_registry_inspection_incomplete",
                Severity::Warn,
                "MCP registry could not be inspected",
                format!("{}: {reason}. MCP servers registered there could not be checked against agent skill boundaries.", ctx.locations.display(&ctx.locations.state_dir.join("skills/config/mcporter.json"))),
            )
            .remediation("Repair or remove skills/config/mcporter.json, then re-run the audit."),
        );
    }
    let mut servers: Vec<String> = config
        .mcp
        .as_ref()
        .and_then(|m| m.servers.as_ref())
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    if let Mcporter::Servers(s) = mcporter {
        servers.extend(s);
    }
    if servers.is_empty() {
        return;
    }
    let defaults_skills = config
        .agent_defaults()
        .and_then(|d| d.skills.as_ref())
        .is_some();
    let g = global_exec(config);
    let mut hits = Vec::new();
    let mut first = None;
    for c in tool_contexts(config) {
        let agent = c.index.and_then(|i| config.agent_list().get(i));
        let has_skills = match agent {
            Some(a) => a.skills.is_some(),
            None => defaults_skills,
        };
        if !has_skills {
            continue;
        }
        let a = agent.and_then(|a| exec_of(a.tools.as_ref()));
        let security = a
            .and_then(|e| e.security)
            .or_else(|| g.and_then(|e| e.security))
            .unwrap_or(ExecSecurity::Deny);
        let host = a.and_then(|e| e.host).or_else(|| g.and_then(|e| e.host));
        let sandboxed =
            host == Some(ExecHost::Sandbox) || sandbox_mode(config, c.index).0 == SandboxMode::All;
        if security == ExecSecurity::Deny || sandboxed || !tool_allowed(config, c.index, "exec") {
            continue;
        }
        hits.push(format!(
            "- {} (exec security={}, host={})",
            c.label,
            security_str(security),
            host_str(host)
        ));
        first.get_or_insert(match c.index {
            Some(i) => format!("agents.list[{i}].skills"),
            None => "agents.defaults.skills".to_string(),
        });
    }
    let Some(path) = first else {
        return;
    };
    out.push(
        Finding::new(
            "tools.exec.agent_skill_mcp_boundary_drift",
            Severity::Warn,
            "Skill allowlists do not bound host exec while MCP servers are visible",
            format!(
                "These scopes restrict skills but can still run host exec, which reaches every MCP server ({}) regardless of the skills allowlist:\n{}",
                servers.join(", "),
                hits.join("\n")
            ),
        )
        .remediation("Deny exec for skill-restricted agents, or sandbox them (sandbox.mode=\"all\") so the MCP registry is out of reach.")
        .at(path),
    );
}

#[cfg(test)]
#[path = "exec_runtime_tests.rs"]
mod tests;
