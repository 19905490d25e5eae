//! The pipeline's layers (reference §1.4), each named by the config path a user would edit, and
//! the matcher that decides one tool against one layer (§1.1).
//!
//! A layer holds one optional allow list and any number of deny lists; each list remembers where
//! it came from, so a removal names the exact list and entry. Built-in default lists (sandbox,
//! subagent, HTTP) are reported with a `default` prefix under the path that would replace them.

use hardclaw_config::schema::{Agent, Config, ToolPolicy, ToolProfile, Tools};

use super::builtin::{http_layer, sandbox_layer, subagent_layer};
use super::context::Resolved;
use super::groups::resolve_group_policy;
use super::plugins::PluginIndex;
use crate::tool_groups::{group_members, normalize_tool_name, profile_allow};
use crate::tool_policy::glob_match;

/// Which pipeline step a layer is (reference §1.4 numbering, plus the HTTP surface).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// 1. `tools.profile` (+ `alsoAllow`).
    Profile,
    /// 2. `tools.byProvider.<key>.profile`.
    ProviderProfile,
    /// 3. Global `tools.allow/deny`.
    Global,
    /// 4. Global `tools.byProvider.<key>`.
    GlobalProvider,
    /// 5. `agents.list[].tools`.
    Agent,
    /// 6. `agents.list[].tools.byProvider.<key>`.
    AgentProvider,
    /// 7. Group policy (`channels.<ch>.groups.<id>.tools` / `toolsBySender`).
    Group,
    /// 8. Sandbox policy (sandboxed sessions only).
    Sandbox,
    /// 9. Subagent policy (subagent sessions only).
    Subagent,
    /// The gateway's HTTP API (`/tools/invoke`).
    Http,
}

impl Step {
    /// Layers 1–7 drop an allow list that names no core tool (plugin-only allowlists).
    pub fn strips_plugin_only_allowlist(self) -> bool {
        !matches!(self, Step::Sandbox | Step::Subagent | Step::Http)
    }
}

/// How names are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchStyle {
    /// `makeToolPolicyMatcher`: aliases, `apply_patch` rides on an allowed `exec` (E2/M).
    Standard,
    /// The sandbox's simpler matcher: trim + lower-case only, no `apply_patch` special case.
    Sandbox,
}

/// One entry as written, and the names/globs it stands for after expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// As written (trimmed), for explanations.
    pub written: String,
    /// Normalised form of `written`.
    pub normalized: String,
    /// Exact names or `*` globs it expands to.
    pub patterns: Vec<String>,
}

impl Rule {
    fn matches(&self, tool: &str) -> bool {
        self.patterns.iter().any(|p| glob_match(p, tool))
    }
}

/// A list of rules and the config path it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleList {
    /// Config path reported as the layer that removed a tool.
    pub source: String,
    /// The rules.
    pub rules: Vec<Rule>,
    /// A built-in default list (nothing configured at `source`).
    pub default: bool,
    /// Appended to the explanation of a match (`leaf subagent: …`).
    pub note: Option<String>,
}

/// One layer of the pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyLayer {
    /// Which step.
    pub step: Step,
    /// Display name (the config path of the layer).
    pub name: String,
    /// `None` = no allow list (everything not denied passes).
    pub allow: Option<RuleList>,
    /// Deny lists (deny wins within the layer).
    pub deny: Vec<RuleList>,
    /// Matcher flavour.
    pub style: MatchStyle,
    /// Explanation when a tool is not in the allow list.
    pub miss: String,
}

/// Why a layer removed a tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// The config path of the list that removed it.
    pub layer: String,
    /// The entry (`deny \`web_search\``, `not in allow list`, ...).
    pub entry: String,
}

impl PolicyLayer {
    /// Decides one canonical tool name.
    pub fn decide(&self, tool: &str) -> Result<(), Removal> {
        for list in &self.deny {
            if let Some(rule) = list.rules.iter().find(|r| r.matches(tool)) {
                let prefix = if list.default { "default deny" } else { "deny" };
                let note = list
                    .note
                    .as_ref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                return Err(Removal {
                    layer: list.source.clone(),
                    entry: format!("{prefix} `{}`{note}", rule.written),
                });
            }
        }
        let Some(allow) = &self.allow else {
            return Ok(());
        };
        if allow.rules.iter().any(|r| r.matches(tool)) {
            return Ok(());
        }
        if self.style == MatchStyle::Standard
            && tool == "apply_patch"
            && allow.rules.iter().any(|r| r.matches("exec"))
        {
            return Ok(());
        }
        Err(Removal {
            layer: allow.source.clone(),
            entry: self.miss.clone(),
        })
    }

    /// Expands every rule's patterns (groups, plugin ids, `group:plugins`).
    pub(super) fn compile(&mut self, plugins: &PluginIndex) {
        let style = self.style;
        for list in self.allow.iter_mut().chain(self.deny.iter_mut()) {
            for rule in &mut list.rules {
                rule.patterns = expand_rule(&rule.normalized, style, plugins);
            }
        }
    }
}

fn normalize(entry: &str, style: MatchStyle) -> String {
    match style {
        MatchStyle::Standard => normalize_tool_name(entry),
        MatchStyle::Sandbox => entry.trim().to_ascii_lowercase(),
    }
}

fn expand_rule(normalized: &str, _style: MatchStyle, plugins: &PluginIndex) -> Vec<String> {
    if let Some(members) = group_members(normalized) {
        return members.iter().map(|m| (*m).to_string()).collect();
    }
    if let Some(tools) = plugins.expand(normalized) {
        return tools;
    }
    vec![normalized.to_string()]
}

pub(super) fn rule_list<S: AsRef<str>>(source: &str, entries: &[S], style: MatchStyle) -> RuleList {
    let rules = entries
        .iter()
        .map(|e| e.as_ref().trim())
        .filter(|e| !e.is_empty())
        .map(|e| Rule {
            written: e.to_string(),
            normalized: normalize(e, style),
            patterns: Vec::new(),
        })
        .collect();
    RuleList {
        source: source.to_string(),
        rules,
        default: false,
        note: None,
    }
}

pub(super) fn default_list(
    source: &str,
    entries: &[&str],
    style: MatchStyle,
    note: Option<String>,
) -> RuleList {
    RuleList {
        default: true,
        note,
        ..rule_list(source, entries, style)
    }
}

/// An allow list with no entries is no allow list.
pub(super) fn non_empty(list: RuleList) -> Option<RuleList> {
    (!list.rules.is_empty()).then_some(list)
}

/// A plain allow/alsoAllow/deny layer: `alsoAllow` without `allow` never restricts.
fn plain_layer(
    step: Step,
    name: &str,
    allow: Option<&[String]>,
    also_allow: Option<&[String]>,
    deny: Option<&[String]>,
) -> Option<PolicyLayer> {
    if allow.is_none() && deny.is_none() {
        return None;
    }
    let allow = allow.and_then(|a| {
        let mut list = rule_list(name, a, MatchStyle::Standard);
        if let Some(extra) = also_allow {
            list.rules
                .extend(rule_list(name, extra, MatchStyle::Standard).rules);
        }
        non_empty(list)
    });
    let deny = deny
        .map(|d| rule_list(name, d, MatchStyle::Standard))
        .filter(|d| !d.rules.is_empty());
    Some(PolicyLayer {
        step,
        name: name.to_string(),
        allow,
        deny: deny.into_iter().collect(),
        style: MatchStyle::Standard,
        miss: "not in allow list".to_string(),
    })
}

fn profile_layer(
    step: Step,
    name: &str,
    profile: ToolProfile,
    also: Option<(&str, &[String])>,
) -> Option<PolicyLayer> {
    let pname = profile_name(profile);
    let base = profile_allow(pname)?;
    let mut list = rule_list(name, base, MatchStyle::Standard);
    let mut miss = format!("not in profile `{pname}`");
    if let Some((also_name, extra)) = also {
        list.rules
            .extend(rule_list(also_name, extra, MatchStyle::Standard).rules);
        miss.push_str(&format!(" or {also_name}"));
    }
    Some(PolicyLayer {
        step,
        name: name.to_string(),
        allow: Some(list),
        deny: Vec::new(),
        style: MatchStyle::Standard,
        miss,
    })
}

/// The name OpenClaw uses for a profile.
pub fn profile_name(p: ToolProfile) -> &'static str {
    match p {
        ToolProfile::Minimal => "minimal",
        ToolProfile::Coding => "coding",
        ToolProfile::Messaging => "messaging",
        ToolProfile::Full => "full",
    }
}

/// `byProvider` lookup: keys trimmed + lower-cased; candidates in order.
fn by_provider<'a>(
    tools: Option<&'a Tools>,
    candidates: &[String],
) -> Option<(String, &'a ToolPolicy)> {
    let map = tools?.by_provider.as_ref()?;
    candidates.iter().find_map(|c| {
        map.iter()
            .find(|(k, _)| k.trim().to_ascii_lowercase() == *c)
            .map(|(k, p)| (k.clone(), p))
    })
}

/// Renders a config path segment, quoting keys that a dotted path cannot carry.
pub fn path_key(prefix: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        format!("{prefix}.{key}")
    } else {
        format!("{prefix}[{key:?}]")
    }
}

/// Builds every layer that applies to `ctx`, in pipeline order (uncompiled: patterns empty).
pub(super) fn build_layers(config: &Config, ctx: &Resolved) -> Vec<PolicyLayer> {
    let global = config.tools.as_ref();
    let agent: Option<(String, &Agent)> = ctx.agent_index.and_then(|i| {
        config
            .agent_list()
            .get(i)
            .map(|a| (format!("agents.list[{i}].tools"), a))
    });
    let agent_tools = agent
        .as_ref()
        .and_then(|(p, a)| a.tools.as_ref().map(|t| (p.as_str(), t)));
    let mut layers = Vec::new();

    // 1. Profile: agent profile overrides global; alsoAllow (agent wins, no merge) joins it.
    let profile = agent_tools
        .and_then(|(p, t)| t.profile.map(|v| (format!("{p}.profile"), v)))
        .or_else(|| global.and_then(|t| t.profile.map(|v| ("tools.profile".to_string(), v))));
    let also = agent_tools
        .and_then(|(p, t)| {
            t.also_allow
                .as_deref()
                .map(|a| (format!("{p}.alsoAllow"), a))
        })
        .or_else(|| {
            global.and_then(|t| {
                t.also_allow
                    .as_deref()
                    .map(|a| ("tools.alsoAllow".to_string(), a))
            })
        });
    if let Some((name, p)) = profile {
        layers.extend(profile_layer(
            Step::Profile,
            &name,
            p,
            also.as_ref().map(|(n, a)| (n.as_str(), *a)),
        ));
    }

    // 2. Provider profile.
    let global_provider = by_provider(global, &ctx.provider_keys);
    let agent_provider = by_provider(agent_tools.map(|(_, t)| t), &ctx.provider_keys);
    let gp_path = global_provider
        .as_ref()
        .map(|(k, _)| path_key("tools.byProvider", k));
    let ap_path = agent_provider
        .as_ref()
        .and_then(|(k, _)| agent_tools.map(|(p, _)| path_key(&format!("{p}.byProvider"), k)));
    let pprofile = ap_path
        .as_ref()
        .zip(agent_provider.as_ref())
        .and_then(|(path, (_, p))| p.profile.map(|v| (format!("{path}.profile"), v)))
        .or_else(|| {
            gp_path
                .as_ref()
                .zip(global_provider.as_ref())
                .and_then(|(path, (_, p))| p.profile.map(|v| (format!("{path}.profile"), v)))
        });
    let palso = ap_path
        .as_ref()
        .zip(agent_provider.as_ref())
        .and_then(|(path, (_, p))| {
            p.also_allow
                .as_deref()
                .map(|a| (format!("{path}.alsoAllow"), a))
        })
        .or_else(|| {
            gp_path
                .as_ref()
                .zip(global_provider.as_ref())
                .and_then(|(path, (_, p))| {
                    p.also_allow
                        .as_deref()
                        .map(|a| (format!("{path}.alsoAllow"), a))
                })
        });
    if let Some((name, p)) = pprofile {
        layers.extend(profile_layer(
            Step::ProviderProfile,
            &name,
            p,
            palso.as_ref().map(|(n, a)| (n.as_str(), *a)),
        ));
    }

    // 3. Global allow/deny.
    if let Some(t) = global {
        layers.extend(plain_layer(
            Step::Global,
            "tools",
            t.allow.as_deref(),
            t.also_allow.as_deref(),
            t.deny.as_deref(),
        ));
    }
    // 4. Global provider allow/deny.
    if let (Some(path), Some((_, p))) = (&gp_path, &global_provider) {
        layers.extend(policy_layer(Step::GlobalProvider, path, p));
    }
    // 5. Agent allow/deny.
    if let Some((path, t)) = agent_tools {
        layers.extend(plain_layer(
            Step::Agent,
            path,
            t.allow.as_deref(),
            t.also_allow.as_deref(),
            t.deny.as_deref(),
        ));
    }
    // 6. Agent provider allow/deny.
    if let (Some(path), Some((_, p))) = (&ap_path, &agent_provider) {
        layers.extend(policy_layer(Step::AgentProvider, path, p));
    }
    // 7. Group policy.
    if let Some((path, p)) = resolve_group_policy(config, ctx) {
        layers.extend(policy_layer(Step::Group, &path, p));
    }
    // 8. Sandbox.
    if ctx.sandboxed {
        layers.push(sandbox_layer(config, agent.as_ref()));
    }
    // 9. Subagent.
    if let Some(depth) = ctx.subagent_depth {
        layers.push(subagent_layer(config, depth));
    }
    // The HTTP API surface.
    if ctx.http {
        layers.push(http_layer(config));
    }
    layers
}

fn policy_layer(step: Step, name: &str, p: &ToolPolicy) -> Option<PolicyLayer> {
    plain_layer(
        step,
        name,
        p.allow.as_deref(),
        p.also_allow.as_deref(),
        p.deny.as_deref(),
    )
}
