//! The session tools: `sessions_list`, `sessions_history`, `session_status` (read the store,
//! under the visibility rules of reference §6.2) and `sessions_send`, `sessions_spawn` (run a
//! turn in another session through the [`Runtime`](crate::Runtime)).
//!
//! Delegation rules (checked in the policy step, so every refusal is a logged decision):
//!
//! * `sessions_send` to a session of the **same agent** follows `tools.sessions.visibility`
//!   (`tree` by default: only sessions this one spawned).
//! * `sessions_send` to **another agent** is allowed when that agent is in this agent's
//!   `subagents.allowAgents` (`*` = any) and the target is that agent's main session or a
//!   session this one spawned — the guide's main → search delegation — or, as in OpenClaw,
//!   when `tools.sessions.visibility` is `all` and `tools.agentToAgent` allows both agents.
//! * No cycles: a send to a session that is already waiting in this chain (or to itself) is
//!   refused; a chain is at most `session.agentToAgent.maxPingPongTurns` (default 5) deep.
//! * `sessions_spawn` (reference §6.3): agent id syntax, `maxSpawnDepth` (default 1),
//!   `maxChildrenPerAgent` running children (default 5), cross-agent targets only from
//!   `allowAgents`, and a sandboxed session may not spawn an unsandboxed child.
//!
//! What crosses the boundary is judged by content-guard **both ways** (the message or task
//! going out, the reply coming back), the leak guard already refused credentials in the
//! message, and taint travels: the target takes in the sender's taint, and a tainted reply
//! taints the sender. Unlike OpenClaw, the target's own tool policy is not the last line of
//! defence: its egress is subject to the taint rule.

mod delegate;
mod read;
mod rules;

use hardclaw_config::Config;
use hardclaw_policy::tool_pipeline::find_agent;
use hardclaw_policy::{
    Decision, SessionKey, SessionKind, SessionRef, can_read_session, normalize_agent_id,
    sandbox_mode,
};
use hardclaw_store::SessionRecord;
use serde_json::Value;

use super::ToolExecutor;

/// The guard name of session-rule refusals.
pub const GUARD: &str = "session-policy";

/// Default `session.agentToAgent.maxPingPongTurns`.
pub const DEFAULT_MAX_CHAIN: usize = 5;
/// Default `subagents.maxSpawnDepth`.
pub const DEFAULT_MAX_SPAWN_DEPTH: u32 = 1;
/// Default `subagents.maxChildrenPerAgent`.
pub const DEFAULT_MAX_CHILDREN: u32 = 5;

fn refuse(rule: &str, reason: impl Into<String>) -> Option<Decision> {
    Some(Decision::block(GUARD, rule, reason))
}

fn str_param<'a>(params: &'a Value, key: &str) -> Option<&'a str> {
    params
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// `subagents.allowAgents` of the agent (else of `agents.defaults`), normalised.
pub fn allow_agents(config: &Config, agent_id: &str) -> Vec<String> {
    let own = config
        .agent_list()
        .iter()
        .find(|a| normalize_agent_id(&a.id) == agent_id)
        .and_then(|a| a.subagents.as_ref())
        .and_then(|s| s.allow_agents.clone());
    let defaults = || {
        config
            .agent_defaults()
            .and_then(|d| d.subagents.as_ref())
            .and_then(|s| s.allow_agents.clone())
    };
    own.or_else(defaults)
        .unwrap_or_default()
        .iter()
        .map(|a| {
            if a.trim() == "*" {
                "*".to_string()
            } else {
                normalize_agent_id(a)
            }
        })
        .collect()
}

fn subagent_limit(
    config: &Config,
    agent_id: &str,
    pick: fn(&hardclaw_config::schema::Subagents) -> Option<u32>,
    default: u32,
) -> u32 {
    let own = config
        .agent_list()
        .iter()
        .find(|a| normalize_agent_id(&a.id) == agent_id)
        .and_then(|a| a.subagents.as_ref())
        .and_then(pick);
    own.or_else(|| {
        config
            .agent_defaults()
            .and_then(|d| d.subagents.as_ref())
            .and_then(pick)
    })
    .unwrap_or(default)
}

fn max_chain(config: &Config) -> usize {
    config
        .session
        .as_ref()
        .and_then(|s| s.agent_to_agent.as_ref())
        .and_then(|a| a.max_ping_pong_turns)
        .map_or(DEFAULT_MAX_CHAIN, |n| n as usize)
}

fn agent_exists(config: &Config, agent_id: &str) -> bool {
    find_agent(config, agent_id).is_ok()
}

fn sandboxed(config: &Config, key: &SessionKey) -> bool {
    let index = find_agent(config, &key.agent_id).ok().flatten();
    sandbox_mode(config, index).applies_to(SessionKind::from(&key.kind))
}

/// Whether `id` is a valid agent id (`^[a-z0-9][a-z0-9_-]{0,63}$`, any case).
fn valid_agent_id(id: &str) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-')
}

impl ToolExecutor {
    fn record_of(&self, key: &str) -> Option<SessionRecord> {
        let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        store.session(key).ok().flatten()
    }

    fn me(&self) -> SessionKey {
        SessionKey::parse(&self.session_key, &self.agent_id)
    }

    /// Whether this session may see `target` (with both sessions' `spawned_by`).
    fn can_see(&self, target: &SessionKey) -> bool {
        let mine = self.record_of(&self.session_key).and_then(|r| r.spawned_by);
        let theirs = self.record_of(&target.key).and_then(|r| r.spawned_by);
        can_read_session(
            SessionRef {
                key: &self.session_key,
                spawned_by: mine.as_deref(),
            },
            SessionRef {
                key: &target.key,
                spawned_by: theirs.as_deref(),
            },
            &self.config,
        )
    }

    fn target_of(&self, params: &Value) -> Result<SessionKey, String> {
        if let Some(key) = str_param(params, "sessionKey") {
            return Ok(SessionKey::parse(key, &self.agent_id));
        }
        if let Some(agent) = str_param(params, "agentId") {
            return Ok(SessionKey::main(agent));
        }
        Err("give sessionKey (or agentId for that agent's main session)".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_id_syntax() {
        for ok in ["main", "search", "a1", "A-b_c", &"x".repeat(64)] {
            assert!(valid_agent_id(ok), "{ok}");
        }
        for bad in ["", "-a", "_a", "a b", "a/b", "../x", &"x".repeat(65)] {
            assert!(!valid_agent_id(bad), "{bad}");
        }
    }
}
