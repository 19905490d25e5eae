//! Plugin-registered tools (reference §1.2 plugin pseudo-groups, §1.4 allowlist stripping, §1.5).
//!
//! * `plugins.enabled: false` → no plugin tools at all.
//! * A plugin whose id equals a core tool name is refused entirely; a plugin tool whose name
//!   duplicates a core tool or an earlier plugin tool is skipped. Both are reported.
//! * Optional tools exist only when some allow list (any layer, incl. `alsoAllow`) names the
//!   tool, its plugin id, or `group:plugins` — `*` does not count.
//! * `group:plugins` and plugin ids expand to plugin tools in every allow/deny list.
//! * Layers 1–7: an allow list with no entry that maps to a core tool (or `*`) is dropped, with a
//!   warning, so a plugin-only allowlist does not disable core tools (OpenClaw's behaviour).

use std::collections::BTreeSet;

use hardclaw_config::schema::Config;
use serde::{Deserialize, Serialize};

use super::explain::{ToolEntry, ToolSource};
use super::layers::PolicyLayer;
use crate::tool_groups::{BUILTIN_TOOLS, expand_tool_groups, is_builtin, normalize_tool_name};
use crate::tool_policy::glob_match;

/// Layer name reported for tools refused at registration.
pub const PLUGINS_LAYER: &str = "plugins";

/// A tool a plugin registered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginTool {
    /// The plugin's id.
    pub plugin_id: String,
    /// The tool's name.
    pub name: String,
    /// Registered as optional (exposed only when explicitly allowed).
    pub optional: bool,
    /// Flagged owner-only.
    pub owner_only: bool,
}

impl PluginTool {
    /// A non-optional tool.
    pub fn new(plugin_id: impl Into<String>, name: impl Into<String>) -> PluginTool {
        PluginTool {
            plugin_id: plugin_id.into(),
            name: name.into(),
            ..PluginTool::default()
        }
    }

    /// The same tool, registered as optional.
    #[must_use]
    pub fn optional(mut self) -> PluginTool {
        self.optional = true;
        self
    }
}

/// Plugin tools that made it through registration.
#[derive(Debug, Clone, Default)]
pub struct PluginIndex {
    /// `(plugin id, tool name, owner_only)`, lower-cased, in registration order.
    pub tools: Vec<(String, String, bool)>,
}

impl PluginIndex {
    /// `group:plugins` → every plugin tool; a plugin id → that plugin's tools.
    pub fn expand(&self, entry: &str) -> Option<Vec<String>> {
        if entry == "group:plugins" {
            return Some(self.tools.iter().map(|(_, t, _)| t.clone()).collect());
        }
        let of: Vec<String> = self
            .tools
            .iter()
            .filter(|(p, _, _)| p == entry)
            .map(|(_, t, _)| t.clone())
            .collect();
        (!of.is_empty()).then_some(of)
    }

    fn is_plugin_entry(&self, entry: &str) -> bool {
        entry == "group:plugins" || self.tools.iter().any(|(p, t, _)| p == entry || t == entry)
    }
}

/// Every allow/alsoAllow entry of every layer (normalised, before stripping).
pub(super) fn explicit_allowlist(layers: &[PolicyLayer]) -> BTreeSet<String> {
    layers
        .iter()
        .filter_map(|l| l.allow.as_ref())
        .filter(|a| !a.default)
        .flat_map(|a| {
            a.rules
                .iter()
                .map(|r| r.written.trim().to_ascii_lowercase())
        })
        .flat_map(|e| {
            let n = normalize_tool_name(&e);
            [e, n]
        })
        .collect()
}

/// Registration: disabled plugins, collisions, optional tools.
pub(super) fn materialise(
    config: &Config,
    registered: &[super::PluginTool],
    explicit: &BTreeSet<String>,
    removed: &mut Vec<ToolEntry>,
    warnings: &mut Vec<String>,
) -> PluginIndex {
    let mut index = PluginIndex::default();
    let disabled = config
        .plugins
        .as_ref()
        .and_then(|p| p.enabled)
        .is_some_and(|e| !e);
    let mut refused_plugins: BTreeSet<String> = BTreeSet::new();
    for tool in registered {
        let plugin = tool.plugin_id.trim().to_ascii_lowercase();
        let name = tool.name.trim().to_ascii_lowercase();
        let source = ToolSource::Plugin(plugin.clone());
        let mut refuse = |entry: String| {
            removed.push(ToolEntry::removed(
                &name,
                PLUGINS_LAYER,
                entry,
                source.clone(),
            ));
        };
        if disabled {
            refuse("plugins.enabled is false".to_string());
            continue;
        }
        if is_builtin(&plugin) || is_builtin(&normalize_tool_name(&plugin)) {
            if refused_plugins.insert(plugin.clone()) {
                warnings.push(format!(
                    "plugin `{plugin}` blocked: plugin id conflicts with core tool name"
                ));
            }
            refuse(format!(
                "plugin id `{plugin}` conflicts with core tool name"
            ));
            continue;
        }
        if tool.optional
            && !explicit.contains(&name)
            && !explicit.contains(&plugin)
            && !explicit.contains("group:plugins")
        {
            refuse("optional tool not named in any allow list".to_string());
            continue;
        }
        let canonical = normalize_tool_name(&name);
        if is_builtin(&name) || is_builtin(&canonical) {
            warnings.push(format!(
                "plugin `{plugin}`: tool `{name}` skipped: name conflicts with core tool `{canonical}`"
            ));
            refuse(format!("name conflicts with core tool `{canonical}`"));
            continue;
        }
        if let Some((other, _, _)) = index.tools.iter().find(|(_, t, _)| *t == name) {
            warnings.push(format!(
                "plugin `{plugin}`: tool `{name}` skipped: already registered by plugin `{other}`"
            ));
            let entry = format!("name conflicts with plugin `{other}`");
            refuse(entry);
            continue;
        }
        index.tools.push((plugin, name, tool.owner_only));
    }
    index
}

/// Layers 1–7: drop an allow list that names no core tool; warn about unknown entries.
pub(super) fn strip_plugin_only_allowlists(
    layers: &mut [PolicyLayer],
    plugins: &PluginIndex,
    warnings: &mut Vec<String>,
) {
    for layer in layers.iter_mut() {
        if !layer.step.strips_plugin_only_allowlist() {
            continue;
        }
        let Some(allow) = &layer.allow else {
            continue;
        };
        let mut has_core = false;
        let mut unknown: Vec<String> = Vec::new();
        let mut plugin_only: Vec<String> = Vec::new();
        for rule in &allow.rules {
            let entry = rule.normalized.as_str();
            if entry == "*" {
                has_core = true;
                continue;
            }
            let is_core = expand_tool_groups(&[entry]).iter().any(|t| {
                is_builtin(t) || (t.contains('*') && BUILTIN_TOOLS.iter().any(|b| glob_match(t, b)))
            });
            let is_plugin = plugins.is_plugin_entry(entry);
            has_core |= is_core;
            if !is_core && !is_plugin && !unknown.contains(&rule.written) {
                unknown.push(rule.written.clone());
            }
            if !is_core && is_plugin {
                plugin_only.push(rule.written.clone());
            }
        }
        let source = allow.source.clone();
        if !has_core {
            let listed: Vec<String> = unknown.iter().chain(plugin_only.iter()).cloned().collect();
            let what = if unknown.is_empty() {
                "only plugin entries"
            } else {
                "unknown entries"
            };
            warnings.push(format!(
                "tools: {source} allowlist contains {what} ({}). Ignoring allowlist so core tools \
                 remain available. Use tools.alsoAllow for additive plugin tool enablement.",
                listed.join(", ")
            ));
            layer.allow = None;
        } else if !unknown.is_empty() {
            warnings.push(format!(
                "tools: {source} allowlist contains unknown entries ({}). These entries won't \
                 match any tool unless the plugin is enabled.",
                unknown.join(", ")
            ));
        }
    }
}
