//! The delegation and visibility rules, checked in the policy step so every refusal is a
//! logged decision (guard `session-policy`).

use hardclaw_policy::{Decision, SessionKey, SessionType, normalize_agent_id};
use serde_json::Value;

use super::{
    DEFAULT_MAX_CHILDREN, DEFAULT_MAX_SPAWN_DEPTH, GUARD, agent_exists, allow_agents, max_chain,
    refuse, sandboxed, str_param, subagent_limit, valid_agent_id,
};
use crate::tools::ToolExecutor;

impl ToolExecutor {
    /// `sessions_history` / `session_status`: the target must be visible.
    pub(in crate::tools) fn check_visible(&self, params: &Value) -> Option<Decision> {
        let target = match str_param(params, "sessionKey") {
            Some(k) => SessionKey::parse(k, &self.agent_id),
            None => return None, // session_status of the own session
        };
        if self.can_see(&target) {
            return None;
        }
        refuse(
            "session-not-visible",
            format!(
                "{} may not see {} (tools.sessions.visibility, tools.agentToAgent)",
                self.session_key, target.key
            ),
        )
    }

    /// `sessions_send`: delegation, visibility, cycles, depth.
    pub(in crate::tools) fn check_send(&self, params: &Value) -> Option<Decision> {
        if self.runtime.is_none() {
            return refuse(
                "no-runtime",
                "sessions_send needs the agent runtime; none is wired",
            );
        }
        if str_param(params, "message").is_none() {
            return refuse(
                "invalid-arguments",
                "sessions_send needs a non-empty message",
            );
        }
        let target = match self.target_of(params) {
            Ok(t) => t,
            Err(e) => return refuse("invalid-arguments", e),
        };
        let me = self.me();
        if target.key == me.key || self.origin.chain().contains(&target.key) {
            return refuse(
                "session-cycle",
                format!(
                    "{} is already waiting in this chain of agent messages; a send to it would wait on itself",
                    target.key
                ),
            );
        }
        let limit = max_chain(&self.config);
        if self.origin.chain().len() + 1 > limit {
            return refuse(
                "a2a-depth-limit",
                format!(
                    "agent-to-agent chain longer than {limit} (session.agentToAgent.maxPingPongTurns)"
                ),
            );
        }
        if !agent_exists(&self.config, &target.agent_id) {
            return refuse(
                "unknown-agent",
                format!("no agent `{}` in agents.list", target.agent_id),
            );
        }
        if target.agent_id == me.agent_id {
            return (!self.can_see(&target)).then(|| {
                Decision::block(
                    GUARD,
                    "session-not-visible",
                    format!(
                        "{} may not message {} (tools.sessions.visibility)",
                        me.key, target.key
                    ),
                )
            });
        }
        let delegates = allow_agents(&self.config, &me.agent_id)
            .iter()
            .any(|a| a == "*" || *a == target.agent_id);
        let spawned_by_me = self
            .record_of(&target.key)
            .and_then(|r| r.spawned_by)
            .is_some_and(|p| p == me.key);
        let delegation = delegates && (target.kind == SessionType::Main || spawned_by_me);
        if delegation || self.can_see(&target) {
            return None;
        }
        refuse(
            "a2a-not-allowed",
            format!(
                "agent `{}` may not message `{}`: add it to agents.list[].subagents.allowAgents (then only its main session, or sessions you spawned), or set tools.sessions.visibility \"all\" with tools.agentToAgent",
                me.agent_id, target.key
            ),
        )
    }

    /// `sessions_spawn`: reference §6.3.
    pub(in crate::tools) fn check_spawn(&self, params: &Value) -> Option<Decision> {
        let Some(runtime) = &self.runtime else {
            return refuse(
                "no-runtime",
                "sessions_spawn needs the agent runtime; none is wired",
            );
        };
        if str_param(params, "task").is_none() {
            return refuse("invalid-arguments", "sessions_spawn needs a non-empty task");
        }
        let me = self.me();
        let target = match str_param(params, "agentId") {
            Some(id) if !valid_agent_id(id) => {
                return refuse(
                    "invalid-agent-id",
                    format!("`{id}` is not a valid agent id ([a-z0-9][a-z0-9_-]{{0,63}})"),
                );
            }
            Some(id) => normalize_agent_id(id),
            None => me.agent_id.clone(),
        };
        if !agent_exists(&self.config, &target) {
            return refuse(
                "unknown-agent",
                format!("no agent `{target}` in agents.list"),
            );
        }
        let depth = match me.kind {
            SessionType::Subagent { depth } => depth,
            _ => 0,
        };
        let max_depth = subagent_limit(
            &self.config,
            &me.agent_id,
            |s| s.max_spawn_depth,
            DEFAULT_MAX_SPAWN_DEPTH,
        );
        if depth >= max_depth {
            return refuse(
                "spawn-depth",
                format!(
                    "spawn depth {depth} has reached the limit {max_depth} (subagents.maxSpawnDepth)"
                ),
            );
        }
        let max_children = subagent_limit(
            &self.config,
            &me.agent_id,
            |s| s.max_children_per_agent,
            DEFAULT_MAX_CHILDREN,
        );
        let running = runtime.active_children(&me.key);
        if running >= max_children as usize {
            return refuse(
                "spawn-children",
                format!(
                    "{running}/{max_children} subagents already running (subagents.maxChildrenPerAgent)"
                ),
            );
        }
        if target != me.agent_id {
            let allowed = allow_agents(&self.config, &me.agent_id);
            if !allowed.iter().any(|a| a == "*" || *a == target) {
                return refuse(
                    "spawn-not-allowed",
                    format!(
                        "agent `{}` may not spawn `{target}` (allowed: {})",
                        me.agent_id,
                        if allowed.is_empty() {
                            "none".to_string()
                        } else {
                            allowed.join(", ")
                        }
                    ),
                );
            }
        }
        let child = SessionKey::parse(&format!("agent:{target}:subagent:x"), &target);
        if sandboxed(&self.config, &me) && !sandboxed(&self.config, &child) {
            return refuse(
                "spawn-sandbox-downgrade",
                format!("a sandboxed session may not spawn an unsandboxed `{target}` subagent"),
            );
        }
        None
    }
}
