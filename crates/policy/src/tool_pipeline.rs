//! The whole tool-policy pipeline (reference `openclaw-runtime-security.md` §1.4–1.9): which
//! tools a caller ends up with, and for each removed tool the layer and entry that removed it.
//!
//! Order of evaluation, each step an independent filter (a tool survives only if every step
//! allows it; the first step that removes it is reported; deny wins within a step):
//!
//! 1. plugin registration (`plugins.rs`): disabled plugins, collisions, optional tools;
//! 2. owner-only tools for non-owner senders (`owner.rs`);
//! 3. the nine layers ([`layers`]): profile, provider profile, global, global provider, agent,
//!    agent provider, group, sandbox (sandboxed sessions), subagent (subagent sessions);
//! 4. `gateway.http` for calls through the gateway's HTTP API.
//!
//! [`resolve`] is the entry point; [`PolicyContext`] says who is asking.

mod builtin;
mod context;
mod elevated;
mod explain;
mod groups;
pub mod layers;
mod owner;
mod plugins;

use hardclaw_config::schema::Config;

pub use context::{ContextError, PolicyContext, SessionInfo, find_agent};
pub use elevated::{ElevatedGate, ElevatedStatus};
pub use explain::{EffectiveTools, ToolEntry, ToolSource};
pub use owner::{OWNER_LAYER, is_owner_only, sender_is_owner};
pub use plugins::{PLUGINS_LAYER, PluginTool};

use crate::tool_groups::{BUILTIN_TOOLS, TOOL_CATALOG_VERSION};

/// Resolves the effective tool set of `ctx` under `config`.
pub fn resolve(config: &Config, ctx: &PolicyContext) -> Result<EffectiveTools, ContextError> {
    let resolved = context::resolve_context(config, ctx)?;
    let mut warnings = Vec::new();
    let mut layers = layers::build_layers(config, &resolved);

    // Plugin registration sees every explicit allow list before any is stripped.
    let explicit = plugins::explicit_allowlist(&layers);
    let mut tools: Vec<ToolEntry> = Vec::new();
    let mut refused: Vec<ToolEntry> = Vec::new();
    let index = plugins::materialise(
        config,
        &ctx.plugin_tools,
        &explicit,
        &mut refused,
        &mut warnings,
    );
    for layer in &mut layers {
        layer.compile(&index);
    }
    plugins::strip_plugin_only_allowlists(&mut layers, &index, &mut warnings);

    let candidates = BUILTIN_TOOLS
        .iter()
        .map(|t| ((*t).to_string(), ToolSource::Core, false))
        .chain(
            index
                .tools
                .iter()
                .map(|(p, t, o)| (t.clone(), ToolSource::Plugin(p.clone()), *o)),
        );
    for (name, source, owner_flag) in candidates {
        if !resolved.owner && is_owner_only(&name, owner_flag) {
            tools.push(ToolEntry::removed(
                &name,
                OWNER_LAYER,
                "owner-only tool; the sender is not an owner",
                source,
            ));
            continue;
        }
        let removal = layers.iter().find_map(|l| l.decide(&name).err());
        tools.push(match removal {
            Some(r) => ToolEntry::removed(&name, &r.layer, r.entry, source),
            None => ToolEntry::allowed(&name, source),
        });
    }
    tools.extend(refused);

    let elevated = elevated::elevated_status(config, &resolved);
    if elevated.available {
        warnings.push(format!(
            "elevated mode is available to this sender: `/elevated full` runs exec on the gateway \
             host without approvals (runtime={})",
            elevated.runtime
        ));
    }
    Ok(EffectiveTools {
        agent: resolved.agent_id.clone(),
        session: resolved.session_info(),
        catalog: TOOL_CATALOG_VERSION,
        layers: layers.iter().map(|l| l.name.clone()).collect(),
        tools,
        elevated,
        warnings,
    })
}

#[cfg(test)]
mod tests;
