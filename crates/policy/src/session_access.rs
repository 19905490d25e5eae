//! Cross-session visibility (reference §6.2): may a session's tools (`sessions_list`,
//! `sessions_history`, `sessions_send`, `session_status`) see another session?
//!
//! `tools.sessions.visibility`: `self` (own session only), `tree` (own + spawned; the default),
//! `agent` (any session of the same agent), `all` (cross-agent too, subject to
//! `tools.agentToAgent`: `enabled === true` and both agent ids matching `allow`). A sandboxed
//! viewer with `agents.defaults.sandbox.sessionToolsVisibility` = `spawned` (the default) is
//! forced to `tree`, and unless it is a subagent it sees only itself and what it spawned.
//!
//! Under hardclaw's default scope (`per-channel-peer`) two senders get two sessions, and with the
//! default `tree` neither can read the other.

use hardclaw_config::schema::{Config, SessionsVisibility};

use crate::session_key::{SessionKey, SessionType};
use crate::tool_policy::{SessionKind, sandbox_mode};

/// A session as the visibility check sees it: its key and the session that spawned it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionRef<'a> {
    /// The session key (`agent:<id>:…`).
    pub key: &'a str,
    /// The key of the session that spawned this one (subagents), when any.
    pub spawned_by: Option<&'a str>,
}

impl<'a> SessionRef<'a> {
    /// A session nobody spawned.
    pub fn root(key: &'a str) -> SessionRef<'a> {
        SessionRef {
            key,
            spawned_by: None,
        }
    }
}

/// `tools.sessions.visibility` (default `tree`).
pub fn sessions_visibility(config: &Config) -> SessionsVisibility {
    config
        .tools
        .as_ref()
        .and_then(|t| t.sessions.as_ref())
        .and_then(|s| s.visibility)
        .unwrap_or(SessionsVisibility::Tree)
}

/// Whether `viewer` may read `target`'s history (and list or message it).
pub fn can_read_session(viewer: SessionRef<'_>, target: SessionRef<'_>, config: &Config) -> bool {
    let v = SessionKey::parse(viewer.key, "main");
    let t = SessionKey::parse(target.key, &v.agent_id);
    if v.key == t.key {
        return true;
    }
    let spawned_by_viewer = target
        .spawned_by
        .is_some_and(|p| SessionKey::parse(p, &v.agent_id).key == v.key);

    let mut visibility = sessions_visibility(config);
    let sandboxed = viewer_is_sandboxed(config, &v);
    let spawned_only = sandboxed && sandbox_visibility_is_spawned(config);
    if spawned_only {
        visibility = SessionsVisibility::Tree;
        if !matches!(v.kind, SessionType::Subagent { .. }) {
            return spawned_by_viewer;
        }
    }
    match visibility {
        SessionsVisibility::OwnOnly => false,
        SessionsVisibility::Tree => spawned_by_viewer,
        SessionsVisibility::Agent => v.agent_id == t.agent_id,
        SessionsVisibility::All => {
            v.agent_id == t.agent_id || agent_to_agent_allows(config, &v.agent_id, &t.agent_id)
        }
    }
}

fn viewer_is_sandboxed(config: &Config, v: &SessionKey) -> bool {
    let index = config
        .agent_list()
        .iter()
        .position(|a| crate::normalize_agent_id(&a.id) == v.agent_id);
    sandbox_mode(config, index).applies_to(SessionKind::from(&v.kind))
}

fn sandbox_visibility_is_spawned(config: &Config) -> bool {
    config
        .agent_defaults()
        .and_then(|d| d.sandbox.as_ref())
        .and_then(|s| s.session_tools_visibility.as_deref())
        .is_none_or(|v| !v.trim().eq_ignore_ascii_case("all"))
}

/// `tools.agentToAgent`: enabled and both agents matching `allow` (globs; empty = any).
fn agent_to_agent_allows(config: &Config, from: &str, to: &str) -> bool {
    let Some(a2a) = config
        .tools
        .as_ref()
        .and_then(|t| t.agent_to_agent.as_ref())
    else {
        return false;
    };
    if a2a.enabled != Some(true) {
        return false;
    }
    let allow = a2a.allow.as_deref().unwrap_or(&[]);
    if allow.is_empty() {
        return true;
    }
    let matches = |id: &str| {
        allow
            .iter()
            .any(|g| glob_match(&g.trim().to_ascii_lowercase(), id))
    };
    matches(from) && matches(to)
}

/// `*` wildcards only, case-insensitive (agent ids are lower-case).
fn glob_match(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            let Some(rest) = text.strip_prefix(head) else {
                return false;
            };
            if !tail.contains('*') {
                return rest.len() >= tail.len() && rest.ends_with(tail);
            }
            (0..=rest.len())
                .filter(|i| rest.is_char_boundary(*i))
                .any(|i| glob_match(tail, &rest[i..]))
        }
    }
}

#[cfg(test)]
mod tests;
