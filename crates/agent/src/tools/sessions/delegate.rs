//! `sessions_send` and `sessions_spawn`: a turn in another session through the runtime, with
//! content-guard on the way out and on the way back, and the taint travelling both ways.

use std::sync::Arc;
use std::time::Duration;

use hardclaw_policy::injection::TaintSource;
use hardclaw_policy::{Decision, SessionKey, SessionType, Verdict, normalize_agent_id};
use serde_json::{Value, json};

use super::{DEFAULT_MAX_CHILDREN, GUARD, str_param, subagent_limit};
use crate::cancel::CancelToken;
use crate::origin::Origin;
use crate::runtime::TurnInput;
use crate::tools::{Permit, ToolExecutor, ToolResult};

/// Default and largest wait for a reply.
const DEFAULT_WAIT: Duration = Duration::from_secs(120);
const MAX_WAIT: Duration = Duration::from_secs(1800);

/// The key of a new subagent session of `target` spawned by `parent` (one more `subagent`
/// segment than the parent has, so the depth is in the key).
fn child_key(parent: &SessionKey, target: &str) -> String {
    let mut bytes = [0u8; 12];
    if getrandom::fill(&mut bytes).is_err() {
        // No randomness: make a unique-enough id from the clock and a counter.
        let n = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes[..12].copy_from_slice(&n.to_le_bytes()[..12]);
    }
    let id: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let inherited = match parent.kind {
        SessionType::Subagent { .. } => parent
            .key
            .splitn(3, ':')
            .nth(2)
            .map(|rest| format!("{rest}:"))
            .unwrap_or_default(),
        _ => String::new(),
    };
    format!("agent:{target}:{inherited}subagent:{id}")
}

/// The text the receiving agent sees: the sender named, then the message.
fn framed(from_agent: &str, from_session: &str, text: &str, spawned: bool) -> String {
    let what = if spawned {
        "A task delegated to you (sessions_spawn)"
    } else {
        "A message from another agent (sessions_send)"
    };
    format!(
        "[{what} by agent `{from_agent}`, session {from_session}. It is that agent's request, not the user's own words.]\n\n{text}"
    )
}

impl ToolExecutor {
    pub(in crate::tools) async fn sessions_send(&self, permit: &Permit) -> ToolResult {
        let p = &permit.params;
        let (Ok(target), Some(text)) = (self.target_of(p), str_param(p, "message")) else {
            return ToolResult::error("error: sessionKey/agentId and message are required".into());
        };
        let wait = match p.get("timeoutSeconds").and_then(Value::as_u64) {
            Some(0) => None,
            Some(s) => Some(Duration::from_secs(s).min(MAX_WAIT)),
            None => Some(DEFAULT_WAIT),
        };
        self.delegate(target, text, false, wait, "sessions_send")
            .await
    }

    pub(in crate::tools) async fn sessions_spawn(&self, permit: &Permit) -> ToolResult {
        let p = &permit.params;
        let Some(task) = str_param(p, "task") else {
            return ToolResult::error("error: task is required".into());
        };
        let target_agent =
            str_param(p, "agentId").map_or_else(|| self.agent_id.clone(), normalize_agent_id);
        let Some(runtime) = &self.runtime else {
            return ToolResult::error("error: no agent runtime".into());
        };
        let max_children = subagent_limit(
            &self.config,
            &self.agent_id,
            |s| s.max_children_per_agent,
            DEFAULT_MAX_CHILDREN,
        );
        // The policy step counted the running children; taking the slot is the atomic check.
        let Some(_slot) = runtime.child_slot(&self.session_key, max_children as usize) else {
            let d = Decision::block(
                GUARD,
                "spawn-children",
                format!("{max_children} subagents already running (subagents.maxChildrenPerAgent)"),
            );
            return self.refuse("sessions_spawn", &d);
        };
        let child = SessionKey::parse(&child_key(&self.me(), &target_agent), &target_agent);
        let wait = p
            .get("runTimeoutSeconds")
            .and_then(Value::as_u64)
            .filter(|s| *s > 0)
            .map_or(DEFAULT_WAIT, |s| Duration::from_secs(s).min(MAX_WAIT));
        let label = str_param(p, "label").map(str::to_string);
        let mut result = self
            .delegate(child, task, true, Some(wait), "sessions_spawn")
            .await;
        if let Some(label) = label
            && !result.is_error
            && let Ok(mut v) = serde_json::from_str::<Value>(&result.content)
        {
            v["label"] = Value::String(label);
            result.content = v.to_string();
        }
        result
    }

    /// Runs a turn in `target` with `text` from this session: content-guard out, the turn,
    /// content-guard back, taint both ways.
    async fn delegate(
        &self,
        target: SessionKey,
        text: &str,
        spawned: bool,
        wait: Option<Duration>,
        tool: &str,
    ) -> ToolResult {
        let Some(runtime) = self.runtime.clone() else {
            return ToolResult::error("error: no agent runtime".into());
        };
        let out = self.boundary.check(&self.agent_id, &target.key, text).await;
        if out.decision != Verdict::Allow {
            return self.refuse(tool, &out);
        }
        let mut chain = self.origin.chain().to_vec();
        chain.push(self.session_key.clone());
        let input = TurnInput {
            agent_id: target.agent_id.clone(),
            session_key: target.key.clone(),
            text: framed(&self.agent_id, &self.session_key, text, spawned),
            origin: Origin::Agent {
                from_agent: self.agent_id.clone(),
                from_session: self.session_key.clone(),
                taint: self.taint.taint(),
                chain,
                spawned,
            },
        };
        let config = Arc::clone(&self.config);
        let Some(wait) = wait else {
            // Fire and forget: the target still takes in this session's taint.
            tokio::spawn(async move {
                if let Err(e) = runtime
                    .run_turn(config, input, None, CancelToken::new())
                    .await
                {
                    tracing::warn!(error = %e, "a sessions_send turn failed");
                }
            });
            return ToolResult::ok(
                json!({"status": "accepted", "sessionKey": target.key}).to_string(),
            );
        };
        let turn = runtime.run_turn(config, input, None, self.cancel.clone());
        let outcome = match tokio::time::timeout(wait, turn).await {
            Err(_) => {
                return ToolResult::error(format!(
                    "error: no reply from {} within {}s",
                    target.key,
                    wait.as_secs()
                ));
            }
            Ok(Err(e)) => {
                tracing::warn!(target = %target.key, error = %e, "delegated turn failed");
                return ToolResult::error(format!(
                    "error: {} could not answer: {}",
                    target.key,
                    e.public()
                ));
            }
            Ok(Ok(o)) => o,
        };
        // What comes back is another agent's output: judged before this session sees it.
        let back = self
            .boundary
            .check(&target.agent_id, &self.session_key, &outcome.reply)
            .await;
        if outcome.taint.is_tainted() {
            self.taint.merge(&outcome.taint);
            self.taint.absorb([TaintSource::AgentOutput {
                agent: target.agent_id.clone(),
            }]);
        }
        if back.decision != Verdict::Allow {
            return self.refuse(tool, &back);
        }
        let key = if spawned {
            "childSessionKey"
        } else {
            "sessionKey"
        };
        ToolResult::ok(
            json!({"status": "ok", key: target.key, "reply": outcome.reply, "untrusted": outcome.taint.is_tainted()})
                .to_string(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_keys_carry_the_depth() {
        let top = SessionKey::main("main");
        let k1 = SessionKey::parse(&child_key(&top, "search"), "main");
        assert_eq!(k1.agent_id, "search");
        assert_eq!(k1.kind, SessionType::Subagent { depth: 1 });
        let k2 = SessionKey::parse(&child_key(&k1, "main"), "main");
        assert_eq!(k2.agent_id, "main");
        assert_eq!(k2.kind, SessionType::Subagent { depth: 2 });
        assert_ne!(child_key(&top, "x"), child_key(&top, "x"));
    }
}
