//! An agent's `tools.*` settings come in layers: its own `agents.list[].tools`, then
//! `agents.defaults.tools`, then the global `tools`. For a setting block the first layer that
//! has it wins whole (as OpenClaw's `agentExec?.applyPatch ?? globalExec?.applyPatch`).

use hardclaw_config::Config;
use hardclaw_config::schema::Tools;

/// The agent's tool layers, most specific first.
pub(crate) fn layers<'a>(config: &'a Config, agent_id: &str) -> Vec<&'a Tools> {
    let own = config
        .agent_list()
        .iter()
        .find(|a| a.id.eq_ignore_ascii_case(agent_id))
        .and_then(|a| a.tools.as_ref());
    let defaults = config.agent_defaults().and_then(|d| d.tools.as_ref());
    own.into_iter()
        .chain(defaults)
        .chain(config.tools.as_ref())
        .collect()
}

/// The first layer's `pick`.
pub(crate) fn first<'a, T>(
    config: &'a Config,
    agent_id: &str,
    pick: impl Fn(&'a Tools) -> Option<T>,
) -> Option<T> {
    layers(config, agent_id).into_iter().find_map(pick)
}

/// Every model id (`provider/model`) of the agent's chain, primary first (from the config;
/// no key is needed).
pub(crate) fn model_ids(config: &Config, agent_id: &str) -> Vec<String> {
    config
        .agent_list()
        .iter()
        .find(|a| a.id.eq_ignore_ascii_case(agent_id))
        .and_then(|a| a.model.as_ref())
        .or_else(|| config.agent_defaults().and_then(|d| d.model.as_ref()))
        .map(|m| {
            m.ids()
                .into_iter()
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}
