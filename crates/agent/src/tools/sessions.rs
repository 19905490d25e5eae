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

use std::sync::Arc;
use std::time::Duration;

use hardclaw_config::Config;
use hardclaw_policy::injection::{Taint, TaintSource};
use hardclaw_policy::{
    Decision, SessionKey, SessionKind, SessionRef, SessionType, Verdict, can_read_session,
    normalize_agent_id, sandbox_mode,
};
use hardclaw_store::SessionRecord;
use serde_json::{Value, json};

use super::{Permit, ToolExecutor, ToolResult};
use crate::cancel::CancelToken;
use crate::message::ChatMessage;
use crate::origin::Origin;
use crate::runtime::TurnInput;

/// The guard name of session-rule refusals.
pub const GUARD: &str = "session-policy";

/// Default `session.agentToAgent.maxPingPongTurns`.
pub const DEFAULT_MAX_CHAIN: usize = 5;
/// Default `subagents.maxSpawnDepth`.
pub const DEFAULT_MAX_SPAWN_DEPTH: u32 = 1;
/// Default `subagents.maxChildrenPerAgent`.
pub const DEFAULT_MAX_CHILDREN: u32 = 5;
/// Default and largest wait for a reply.
const DEFAULT_WAIT: Duration = Duration::from_secs(120);
const MAX_WAIT: Duration = Duration::from_secs(1800);

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
    let list = config.agent_list();
    if list.is_empty() {
        return agent_id == "main";
    }
    list.iter().any(|a| normalize_agent_id(&a.id) == agent_id)
}

fn agent_index(config: &Config, agent_id: &str) -> Option<usize> {
    config
        .agent_list()
        .iter()
        .position(|a| normalize_agent_id(&a.id) == agent_id)
}

fn sandboxed(config: &Config, key: &SessionKey) -> bool {
    sandbox_mode(config, agent_index(config, &key.agent_id))
        .applies_to(SessionKind::from(&key.kind))
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

/// The text of a stored transcript row (the runtime stores JSON messages; the gateway stores
/// plain text), `None` for tool traffic when `tools` is off.
fn row_text(role: &str, content: &str, tools: bool) -> Option<(String, String)> {
    match serde_json::from_str::<ChatMessage>(content) {
        Ok(m) if m.role() == role => match m {
            ChatMessage::User { content } => Some(("user".into(), content)),
            ChatMessage::Assistant {
                content,
                tool_calls,
            } => {
                if content.is_empty() && !tools {
                    return None;
                }
                let calls: Vec<&str> = tool_calls.iter().map(|c| c.name.as_str()).collect();
                let text = if tools && !calls.is_empty() {
                    format!("{content} [tool calls: {}]", calls.join(", "))
                } else {
                    content
                };
                Some(("assistant".into(), text))
            }
            ChatMessage::Tool { name, content, .. } => {
                tools.then(|| ("tool".into(), format!("[{name}] {content}")))
            }
        },
        _ => Some((role.to_string(), content.to_string())),
    }
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

    /// `sessions_history` / `session_status`: the target must be visible.
    pub(super) fn check_visible(&self, params: &Value) -> Option<Decision> {
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
    pub(super) fn check_send(&self, params: &Value) -> Option<Decision> {
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
    pub(super) fn check_spawn(&self, params: &Value) -> Option<Decision> {
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

    pub(super) async fn sessions_list(&self, permit: &Permit) -> ToolResult {
        let p = &permit.params;
        let limit = p
            .get("limit")
            .and_then(Value::as_u64)
            .map_or(50, |n| n.clamp(1, 200)) as usize;
        let kinds: Vec<String> = p
            .get("kinds")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_lowercase)
                    .collect()
            })
            .unwrap_or_default();
        let rows = {
            let store = self.store.lock().unwrap_or_else(|e| e.into_inner());
            store.list_sessions(None)
        };
        let rows = match rows {
            Ok(r) => r,
            Err(e) => return ToolResult::error(format!("error: sessions unavailable: {e}")),
        };
        let visible: Vec<Value> = rows
            .iter()
            .filter(|r| kinds.is_empty() || kinds.contains(&r.kind))
            .filter(|r| {
                can_read_session(
                    SessionRef {
                        key: &self.session_key,
                        spawned_by: self
                            .record_of(&self.session_key)
                            .and_then(|m| m.spawned_by)
                            .as_deref(),
                    },
                    SessionRef {
                        key: &r.key,
                        spawned_by: r.spawned_by.as_deref(),
                    },
                    &self.config,
                )
            })
            .take(limit)
            .map(|r| {
                json!({"sessionKey": r.key, "agentId": r.agent_id, "kind": r.kind,
                       "channel": r.channel, "spawnedBy": r.spawned_by, "updatedAt": r.updated_at})
            })
            .collect();
        ToolResult::ok(json!({ "sessions": visible }).to_string())
    }

    /// A session's taint as seen by a reader: its stored record, plus group content for
    /// group sessions (stored by the gateway even when no turn ran).
    fn taint_of(&self, target: &SessionKey) -> Taint {
        let stored = {
            let store = self.store.lock().unwrap_or_else(|e| e.into_inner());
            store.session_taint(&target.key)
        };
        let mut taint = match stored {
            Ok(None) => Taint::default(),
            Ok(Some(json)) => {
                serde_json::from_str::<hardclaw_policy::injection::SessionTaint>(&json)
                    .map(|s| s.taint)
                    .unwrap_or_else(|_| unverifiable("its taint record is unreadable"))
            }
            Err(_) => unverifiable("its taint record cannot be read"),
        };
        if let SessionType::Group { channel, .. } = &target.kind {
            taint.sources.insert(TaintSource::GroupMessage {
                channel: channel.clone(),
            });
        }
        taint
    }

    pub(super) async fn sessions_history(&self, permit: &Permit) -> ToolResult {
        let p = &permit.params;
        let Some(key) = str_param(p, "sessionKey") else {
            return ToolResult::error("error: sessionKey is required".into());
        };
        let target = SessionKey::parse(key, &self.agent_id);
        let limit = p
            .get("limit")
            .and_then(Value::as_u64)
            .map_or(20, |n| n.clamp(1, 200)) as usize;
        let tools = p.get("includeTools").and_then(Value::as_bool) == Some(true);
        let rows = {
            let store = self.store.lock().unwrap_or_else(|e| e.into_inner());
            store.history(&target.key, limit)
        };
        let rows = match rows {
            Ok(r) => r,
            Err(e) => return ToolResult::error(format!("error: history unavailable: {e}")),
        };
        // Reading another session brings its content (and so its taint) into this one.
        if target.key != self.session_key {
            let taint = self.taint_of(&target);
            if taint.is_tainted() {
                self.taint.merge(&taint);
            }
        }
        let messages: Vec<Value> = rows
            .iter()
            .filter_map(|r| row_text(&r.role, &r.content, tools))
            .map(|(role, text)| json!({"role": role, "text": text}))
            .collect();
        ToolResult::ok(json!({"sessionKey": target.key, "messages": messages}).to_string())
    }

    pub(super) async fn session_status(&self, permit: &Permit) -> ToolResult {
        let target = str_param(&permit.params, "sessionKey")
            .map_or_else(|| self.me(), |k| SessionKey::parse(k, &self.agent_id));
        let (record, usage, count) = {
            let store = self.store.lock().unwrap_or_else(|e| e.into_inner());
            (
                store.session(&target.key).ok().flatten(),
                store.session_usage(&target.key).unwrap_or_default(),
                store.message_count(&target.key).unwrap_or(0),
            )
        };
        let taint = if target.key == self.session_key {
            self.taint.taint()
        } else {
            self.taint_of(&target)
        };
        let sources: Vec<String> = taint.sources.iter().map(ToString::to_string).collect();
        ToolResult::ok(
            json!({
                "sessionKey": target.key,
                "agentId": target.agent_id,
                "kind": target.kind.name(),
                "exists": record.is_some(),
                "spawnedBy": record.as_ref().and_then(|r| r.spawned_by.clone()),
                "sandboxed": sandboxed(&self.config, &target),
                "messages": count,
                "usage": {"inputTokens": usage.input_tokens, "outputTokens": usage.output_tokens,
                          "turns": usage.turns, "lastModel": usage.last_model},
                "tainted": taint.is_tainted(),
                "taintSources": sources,
            })
            .to_string(),
        )
    }

    pub(super) async fn sessions_send(&self, permit: &Permit) -> ToolResult {
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

    pub(super) async fn sessions_spawn(&self, permit: &Permit) -> ToolResult {
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

fn unverifiable(what: &str) -> Taint {
    let mut t = Taint::default();
    t.sources
        .insert(TaintSource::Unverifiable { what: what.into() });
    t
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

    #[test]
    fn agent_id_syntax() {
        for ok in ["main", "search", "a1", "A-b_c", &"x".repeat(64)] {
            assert!(valid_agent_id(ok), "{ok}");
        }
        for bad in ["", "-a", "_a", "a b", "a/b", "../x", &"x".repeat(65)] {
            assert!(!valid_agent_id(bad), "{bad}");
        }
    }

    #[test]
    fn stored_rows_render_as_text() {
        let tool = serde_json::to_string(&ChatMessage::Tool {
            call_id: "c".into(),
            name: "read".into(),
            content: "secret file".into(),
            is_error: false,
        })
        .unwrap();
        assert_eq!(row_text("tool", &tool, false), None);
        assert_eq!(
            row_text("tool", &tool, true),
            Some(("tool".into(), "[read] secret file".into()))
        );
        assert_eq!(
            row_text("user", "plain channel text", false),
            Some(("user".into(), "plain channel text".into()))
        );
    }
}
