//! `hardclaw policy tools --agent ID [--session KEY] [--sender ID] [--channel CH] [--group ID]
//! [--provider P] [--model M] [--http] [--depth N] [--plugin-tool PLUGIN:TOOL]... [--json]`.

use anyhow::Result;
use hardclaw_policy::{EffectiveTools, PolicyContext, resolve};

use crate::cli::{GlobalArgs, PolicyToolsArgs};
use crate::{EXIT_ERROR, env, output};

/// Runs `policy tools`.
pub fn tools(global: &GlobalArgs, args: &PolicyToolsArgs) -> Result<u8> {
    let process = env::process_env();
    let locations = env::locations(global, &process);
    let env = env::with_dotenv(process, &locations);
    let loaded = match super::config::load_strict(&locations, env) {
        Ok(l) => l,
        Err(e) => {
            super::config::report_config_error(&e);
            return Ok(EXIT_ERROR);
        }
    };
    let ctx = PolicyContext {
        agent_id: args.agent.clone(),
        session_key: args.session.clone(),
        subagent_depth: args.depth,
        http: args.http,
        provider: args.provider.clone(),
        model: args.model.clone(),
        channel: args.channel.clone(),
        group_id: args.group.clone(),
        sender: args.sender.clone(),
        sender_is_owner: None,
        plugin_tools: args.plugin_tools.clone(),
    };
    let effective = match resolve(&loaded.config, &ctx) {
        Ok(e) => e,
        Err(e) => {
            output::error(&e.to_string());
            return Ok(EXIT_ERROR);
        }
    };
    if args.json {
        output::stdout(&(serde_json::to_string_pretty(&effective)? + "\n"));
    } else {
        output::stdout(&render(&effective));
    }
    Ok(0)
}

/// The human form: allowed tools, removed tools with layer and entry, elevated, warnings.
fn render(eff: &EffectiveTools) -> String {
    let s = &eff.session;
    let mut where_ = if s.sandboxed { "sandboxed" } else { "host" }.to_string();
    if let Some(d) = s.depth {
        where_.push_str(&format!(", depth {d}"));
    }
    if s.http {
        where_.push_str(", HTTP API");
    }
    let mut out = format!(
        "agent {} · session {} ({}, {where_}) · catalogue {}\n",
        eff.agent, s.key, s.kind, eff.catalog
    );
    let layers = if eff.layers.is_empty() {
        "none (every tool allowed)".to_string()
    } else {
        eff.layers.join(" → ")
    };
    out.push_str(&format!("layers: {layers}\n\n"));

    let label = |t: &hardclaw_policy::ToolEntry| match &t.source {
        hardclaw_policy::ToolSource::Core => t.name.clone(),
        src => format!("{} [{src}]", t.name),
    };
    let allowed: Vec<String> = eff.tools.iter().filter(|t| t.allowed).map(label).collect();
    out.push_str(&format!("allowed ({}):\n", allowed.len()));
    if allowed.is_empty() {
        out.push_str("  (none)\n");
    }
    for name in &allowed {
        out.push_str(&format!("  {name}\n"));
    }

    let removed: Vec<_> = eff.tools.iter().filter(|t| !t.allowed).collect();
    if !removed.is_empty() {
        let width = removed.iter().map(|t| label(t).len()).max().unwrap_or(0);
        out.push_str(&format!("\nremoved ({}):\n", removed.len()));
        for t in removed {
            out.push_str(&format!(
                "  {:width$}  {}: {}\n",
                label(t),
                t.layer.as_deref().unwrap_or("?"),
                t.entry.as_deref().unwrap_or("?"),
            ));
        }
    }

    out.push_str("\nelevated: ");
    if eff.elevated.available {
        out.push_str(&format!("available (runtime={})\n", eff.elevated.runtime));
    } else {
        let gates: Vec<String> = eff
            .elevated
            .failing_gates
            .iter()
            .map(|g| format!("{} ({})", g.gate, g.key))
            .collect();
        out.push_str(&format!("not available — {}\n", gates.join(", ")));
    }

    if !eff.warnings.is_empty() {
        out.push_str(&format!("\nwarnings ({}):\n", eff.warnings.len()));
        for w in &eff.warnings {
            out.push_str(&format!("  - {w}\n"));
        }
    }
    out
}
