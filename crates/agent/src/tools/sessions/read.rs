//! `sessions_list`, `sessions_history`, `session_status`: the store, under the visibility
//! rules; reading another session takes in its taint.

use hardclaw_policy::injection::{Taint, TaintSource};
use hardclaw_policy::{SessionKey, SessionRef, SessionType, can_read_session};
use serde_json::{Value, json};

use super::{sandboxed, str_param};
use crate::message::ChatMessage;
use crate::tools::{Permit, ToolExecutor, ToolResult};

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
    pub(in crate::tools) async fn sessions_list(&self, permit: &Permit) -> ToolResult {
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

    pub(in crate::tools) async fn sessions_history(&self, permit: &Permit) -> ToolResult {
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

    pub(in crate::tools) async fn session_status(&self, permit: &Permit) -> ToolResult {
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
