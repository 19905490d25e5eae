//! Check family `plugins` (reference §1.12, non-deep): installed extensions without an
//! allowlist, allowlist entries naming nothing, plugin tools reachable through broad tool
//! policies, and npm install records (unpinned, missing integrity, version drift).
//!
//! Extensions live in `<state>/extensions/<pluginId>/`. Install records are read from
//! `plugins.installs` (E2 location). `plugins.allow` entries naming bundled plugins (channels,
//! hardclaw's built-in guards) are not phantom.

use std::path::{Path, PathBuf};

use hardclaw_config::schema::{Config, InstallRecord, ToolProfile};
use serde_json::Value;

use super::channels::any_native_skills_enabled;
use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// Plugin ids shipped with the product (never "phantom").
const BUNDLED_PLUGINS: &[&str] = &[
    "telegram",
    "whatsapp",
    "discord",
    "slack",
    "signal",
    "imessage",
    "googlechat",
    "irc",
    "msteams",
    "matrix",
    "mattermost",
    "line",
    "feishu",
    "zalo",
    "zalouser",
    "nostr",
    "bluebubbles",
    "twitch",
    "nextcloud-talk",
    "tlon",
    "voice-call",
    "memory-core",
    "memory-lancedb",
    "llm-task",
    "lobster",
    "copilot-proxy",
    "diagnostics-otel",
    "channel-guard",
    "content-guard",
    "file-guard",
    "network-guard",
    "command-guard",
];

/// Plugin directories under `<state>/extensions` (dot-dirs skipped), sorted.
fn installed_extensions(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| !n.starts_with('.'))
        .collect();
    out.sort();
    out
}

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let config = ctx.config();
    let ext_dir = ctx.locations.state_dir.join("extensions");
    let installed = installed_extensions(&ext_dir);
    let plugins = config.plugins.as_ref();
    let allow: Vec<String> = plugins
        .and_then(|p| p.allow.as_ref())
        .into_iter()
        .flatten()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();

    if !installed.is_empty() && allow.is_empty() {
        let skills = any_native_skills_enabled(config);
        out.push(
            Finding::new(
                "plugins.extensions_no_allowlist",
                if skills { Severity::Critical } else { Severity::Warn },
                "Extensions exist but plugins.allow is not set",
                format!(
                    "Found {} extension(s) under {}: {}. Without plugins.allow, any discovered plugin id may load (depending on config and plugin behavior).{}",
                    installed.len(),
                    ctx.locations.display(&ext_dir),
                    installed.join(", "),
                    if skills { " Native skill commands are enabled on a chat channel, so plugin skills are reachable from chat." } else { "" }
                ),
            )
            .remediation("Set plugins.allow to an explicit list of plugin ids you trust.")
            .at("plugins.allow"),
        );
    }

    let known = |id: &str| {
        installed.iter().any(|d| d.eq_ignore_ascii_case(id))
            || BUNDLED_PLUGINS.contains(&id.to_ascii_lowercase().as_str())
            || plugins
                .and_then(|p| p.installs.as_ref())
                .is_some_and(|m| m.contains_key(id))
    };
    let phantom: Vec<(usize, &String)> = allow
        .iter()
        .enumerate()
        .filter(|(_, a)| a.as_str() != "group:plugins" && !known(a))
        .collect();
    if let Some((first, _)) = phantom.first() {
        out.push(
            Finding::new(
                "plugins.allow_phantom_entries",
                Severity::Warn,
                "plugins.allow lists plugins that are not installed",
                format!(
                    "These plugins.allow entries match no installed or bundled plugin: {}. A plugin installed later under that id would be trusted automatically.",
                    phantom.iter().map(|(_, a)| a.as_str()).collect::<Vec<_>>().join(", ")
                ),
            )
            .remediation("Remove stale entries from plugins.allow (or fix their spelling).")
            .at(format!("plugins.allow[{first}]")),
        );
    }

    reachable_tools(config, &installed, &allow, out);
    installs(ctx, config, &ext_dir, out);
}

fn enabled_plugins<'a>(
    config: &Config,
    installed: &'a [String],
    allow: &[String],
) -> Vec<&'a String> {
    let plugins = config.plugins.as_ref();
    if plugins.and_then(|p| p.enabled) == Some(false) {
        return Vec::new();
    }
    let deny: Vec<&String> = plugins
        .and_then(|p| p.deny.as_ref())
        .into_iter()
        .flatten()
        .collect();
    installed
        .iter()
        .filter(|id| !deny.iter().any(|d| d.eq_ignore_ascii_case(id)))
        .filter(|id| allow.is_empty() || allow.iter().any(|a| a.eq_ignore_ascii_case(id)))
        .filter(|id| {
            plugins
                .and_then(|p| p.entries.as_ref())
                .and_then(|e| e.get(id.as_str()))
                .and_then(|e| e.enabled)
                != Some(false)
        })
        .collect()
}

fn reachable_tools(
    config: &Config,
    installed: &[String],
    allow: &[String],
    out: &mut Vec<Finding>,
) {
    let enabled = enabled_plugins(config, installed, allow);
    if enabled.is_empty() {
        return;
    }
    let global = config.tools.as_ref();
    let mut contexts = Vec::new();
    let mut first_path = None;
    let mut check = |label: String,
                     path: String,
                     profile: Option<ToolProfile>,
                     allow_list: Option<&Vec<String>>| {
        let restrictive = profile.is_some_and(|p| p != ToolProfile::Full);
        let allow_list: Vec<String> = allow_list
            .into_iter()
            .flatten()
            .map(|s| s.trim().to_ascii_lowercase())
            .collect();
        let names_plugin = allow_list
            .iter()
            .any(|a| a == "group:plugins" || enabled.iter().any(|p| p.eq_ignore_ascii_case(a)));
        if (!restrictive && allow_list.is_empty()) || names_plugin {
            contexts.push(label);
            first_path.get_or_insert(path);
        }
    };
    check(
        "default".into(),
        "tools".into(),
        global.and_then(|t| t.profile),
        global.and_then(|t| t.allow.as_ref()),
    );
    for (i, a) in config.agent_list().iter().enumerate() {
        let t = a.tools.as_ref();
        check(
            format!("agents.list.{}", a.id),
            format!("agents.list[{i}].tools"),
            t.and_then(|t| t.profile)
                .or_else(|| global.and_then(|g| g.profile)),
            t.and_then(|t| t.allow.as_ref())
                .or_else(|| global.and_then(|g| g.allow.as_ref())),
        );
    }
    let Some(path) = first_path else {
        return;
    };
    out.push(
        Finding::new(
            "plugins.tools_reachable_permissive_policy",
            Severity::Warn,
            "Extension plugin tools may be reachable under permissive tool policy",
            format!(
                "Enabled extension plugins: {}.\nPermissive tool policy contexts:\n{}",
                enabled.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
                contexts.iter().map(|c| format!("- {c}")).collect::<Vec<_>>().join("\n")
            ),
        )
        .remediation("Use restrictive profiles (`minimal`/`coding`) or explicit tool allowlists that exclude plugin tools for agents handling untrusted input.")
        .at(path),
    );
}

/// `name@1.2.3` (or `@scope/name@1.2.3`) with an exact version.
fn is_pinned(spec: &str) -> bool {
    let spec = spec.trim();
    let body = spec.strip_prefix('@').unwrap_or(spec);
    let Some((_, version)) = body.rsplit_once('@') else {
        return false;
    };
    let core = version.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

fn installed_version(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    v.get("version").and_then(Value::as_str).map(str::to_string)
}

fn installs(ctx: &AuditContext<'_>, config: &Config, ext_dir: &Path, out: &mut Vec<Finding>) {
    let Some(records) = config.plugins.as_ref().and_then(|p| p.installs.as_ref()) else {
        return;
    };
    let npm: Vec<(&String, &InstallRecord)> = records
        .iter()
        .filter(|(_, r)| r.source.as_deref().unwrap_or("npm") == "npm")
        .collect();
    let mut unpinned = Vec::new();
    let mut no_integrity = Vec::new();
    let mut drift = Vec::new();
    for (id, r) in &npm {
        let spec = r.spec.as_deref().unwrap_or("");
        if !is_pinned(spec) {
            unpinned.push((
                format!("{id} ({spec})"),
                format!("plugins.installs.{id}.spec"),
            ));
        }
        if r.integrity.as_deref().is_none_or(|i| i.trim().is_empty()) {
            no_integrity.push((id.to_string(), format!("plugins.installs.{id}")));
        }
        let recorded = r.resolved_version.as_ref().or(r.version.as_ref());
        let dir: PathBuf = match &r.install_path {
            Some(p) => hardclaw_config::expand_tilde(Path::new(p), &ctx.locations.home),
            None => ext_dir.join(id.as_str()),
        };
        if let (Some(rec), Some(actual)) = (recorded, installed_version(&dir))
            && rec.trim() != actual.trim()
        {
            drift.push((
                format!("{id} (recorded {rec}, installed {actual})"),
                format!("plugins.installs.{id}.version"),
            ));
        }
    }
    let mut emit = |items: Vec<(String, String)>, id: &str, title: &str, lead: &str, fix: &str| {
        if let Some((_, path)) = items.first() {
            out.push(
                Finding::new(
                    id,
                    Severity::Warn,
                    title,
                    format!(
                        "{lead}\n{}",
                        items
                            .iter()
                            .map(|(l, _)| format!("- {l}"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    ),
                )
                .remediation(fix)
                .at(path.clone()),
            );
        }
    };
    emit(
        unpinned,
        "plugins.installs_unpinned_npm_specs",
        "Plugin installs include unpinned npm specs",
        "These npm plugin install records do not pin an exact version, so a reinstall can pull different code:",
        "Reinstall with an exact version (name@1.2.3) so updates are deliberate.",
    );
    emit(
        no_integrity,
        "plugins.installs_missing_integrity",
        "Plugin installs are missing integrity metadata",
        "These npm plugin install records have no integrity hash, so tampering cannot be detected:",
        "Reinstall the plugins so the integrity hash is recorded.",
    );
    emit(
        drift,
        "plugins.installs_version_drift",
        "Installed plugin versions drift from install records",
        "The package.json on disk does not match the recorded install version:",
        "Reinstall the plugin from its recorded spec, or investigate who changed the files.",
    );
}

#[cfg(test)]
#[path = "plugins_tests.rs"]
mod tests;
