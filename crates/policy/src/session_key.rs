//! Session keys (reference `openclaw-runtime-security.md` §6.1): which agent a key belongs to and
//! what kind of conversation it is — the facts the tool policy needs (sandboxed or not, group
//! layer, subagent depth).
//!
//! Grammar: `agent:<agentId>:<rest…>`. `main` is the agent's main session; `direct:<peer>`,
//! `<ch>:direct:<peer>`, `<ch>:<acct>:direct:<peer>` are DMs (legacy `dm` accepted);
//! `<ch>:group|channel:<id>[:thread:<t>|:topic:<t>]` are groups; `subagent:<uuid>` subagents
//! (depth = number of `subagent` segments); `cron:<job>[:run:<uuid>]` cron runs; `hook:<id>`
//! webhook runs. Keys not prefixed with `agent:` are scoped under the requesting agent.
//!
//! Building keys from a message (`session.dmScope`, identity links, groups, threads) lives in
//! [`SessionKey::for_dm`] and [`SessionKey::for_group`].

use serde::Serialize;

mod build;

pub use build::{DEFAULT_ACCOUNT, DEFAULT_DM_SCOPE, GroupKind, Thread, dm_scope};

/// What kind of session a key names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SessionType {
    /// `agent:<id>:main` — the only session that runs on the host under sandbox `non-main`.
    Main,
    /// A direct message session.
    Dm {
        /// The channel, when the key names one (`per-channel-peer` and finer scopes).
        #[serde(skip_serializing_if = "Option::is_none")]
        channel: Option<String>,
        /// The peer.
        peer: String,
    },
    /// A group, channel or room session.
    Group {
        /// The channel (`whatsapp`, `discord`, ...).
        channel: String,
        /// The group id as written in the key (lower-case).
        id: String,
    },
    /// A subagent session.
    Subagent {
        /// Spawn depth (1 = spawned by a top-level session).
        depth: u32,
    },
    /// An isolated cron run.
    Cron,
    /// A webhook run.
    Hook,
    /// Any other key under the agent.
    Other,
}

impl SessionType {
    /// Short name (`main`, `dm`, `group`, `subagent`, `cron`, `hook`, `other`).
    pub fn name(&self) -> &'static str {
        match self {
            SessionType::Main => "main",
            SessionType::Dm { .. } => "dm",
            SessionType::Group { .. } => "group",
            SessionType::Subagent { .. } => "subagent",
            SessionType::Cron => "cron",
            SessionType::Hook => "hook",
            SessionType::Other => "other",
        }
    }
}

impl From<&SessionType> for crate::tool_policy::SessionKind {
    /// The audit's coarse kind: only the main session is `Main`.
    fn from(t: &SessionType) -> Self {
        match t {
            SessionType::Main => crate::tool_policy::SessionKind::Main,
            _ => crate::tool_policy::SessionKind::Other,
        }
    }
}

/// A parsed session key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionKey {
    /// The canonical key (`agent:<id>:…`, lower-case).
    pub key: String,
    /// The agent the key belongs to (drives tool and sandbox policy).
    pub agent_id: String,
    /// What kind of session it is.
    #[serde(flatten)]
    pub kind: SessionType,
}

/// Normalises an agent id: valid ids are lower-cased; otherwise runs of other characters become
/// `-`, dashes are trimmed, 64 characters at most, empty → `main`.
pub fn normalize_agent_id(id: &str) -> String {
    let lower = id.trim().to_ascii_lowercase();
    let mut out = String::new();
    for c in lower.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_matches('-').chars().take(64).collect();
    if out.is_empty() {
        "main".to_string()
    } else {
        out
    }
}

impl SessionKey {
    /// The main session of `agent_id`.
    pub fn main(agent_id: &str) -> SessionKey {
        let agent_id = normalize_agent_id(agent_id);
        SessionKey {
            key: format!("agent:{agent_id}:main"),
            agent_id,
            kind: SessionType::Main,
        }
    }

    /// Parses `raw`; a key without the `agent:` prefix is scoped under `requesting_agent`.
    pub fn parse(raw: &str, requesting_agent: &str) -> SessionKey {
        let lower = raw.trim().to_ascii_lowercase();
        let (agent_id, rest) = match lower.strip_prefix("agent:").and_then(|r| r.split_once(':')) {
            Some((id, rest)) if !id.is_empty() && !rest.is_empty() => {
                (normalize_agent_id(id), rest.to_string())
            }
            _ => (normalize_agent_id(requesting_agent), lower.clone()),
        };
        let parts: Vec<&str> = rest.split(':').collect();
        let kind = classify(&parts);
        SessionKey {
            key: format!("agent:{agent_id}:{rest}"),
            agent_id,
            kind,
        }
    }
}

fn classify(parts: &[&str]) -> SessionType {
    let depth = parts.iter().filter(|p| **p == "subagent").count();
    if depth > 0 {
        return SessionType::Subagent {
            depth: u32::try_from(depth).unwrap_or(u32::MAX),
        };
    }
    let is_dm = |p: &str| p == "direct" || p == "dm";
    match parts {
        ["main"] => SessionType::Main,
        ["cron", ..] => SessionType::Cron,
        ["hook", ..] => SessionType::Hook,
        [d, peer, ..] if is_dm(d) => SessionType::Dm {
            channel: None,
            peer: (*peer).to_string(),
        },
        [ch, d, peer, ..] if is_dm(d) => SessionType::Dm {
            channel: Some((*ch).to_string()),
            peer: (*peer).to_string(),
        },
        [ch, _acct, d, peer, ..] if is_dm(d) => SessionType::Dm {
            channel: Some((*ch).to_string()),
            peer: (*peer).to_string(),
        },
        [ch, k, id, ..] if *k == "group" || *k == "channel" || *k == "room" => SessionType::Group {
            channel: (*ch).to_string(),
            id: (*id).to_string(),
        },
        _ => SessionType::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(raw: &str) -> SessionType {
        SessionKey::parse(raw, "main").kind
    }

    #[test]
    fn session_kinds_from_keys() {
        assert_eq!(kind("agent:main:main"), SessionType::Main);
        assert_eq!(kind("main"), SessionType::Main);
        assert_eq!(
            kind("agent:main:direct:123"),
            SessionType::Dm {
                channel: None,
                peer: "123".into()
            }
        );
        // Guide §2.4 legacy `dm` segment.
        assert_eq!(
            kind("agent:main:whatsapp:dm:+1555"),
            SessionType::Dm {
                channel: Some("whatsapp".into()),
                peer: "+1555".into()
            }
        );
        assert_eq!(
            kind("agent:main:whatsapp:work:direct:+1555"),
            SessionType::Dm {
                channel: Some("whatsapp".into()),
                peer: "+1555".into()
            }
        );
        // §6.4 row 7.
        assert_eq!(
            kind("agent:main:whatsapp:group:120363X@g.us"),
            SessionType::Group {
                channel: "whatsapp".into(),
                id: "120363x@g.us".into()
            }
        );
        assert_eq!(
            kind("agent:main:discord:channel:42:thread:7"),
            SessionType::Group {
                channel: "discord".into(),
                id: "42".into()
            }
        );
        assert_eq!(
            kind("agent:search:subagent:abc"),
            SessionType::Subagent { depth: 1 }
        );
        assert_eq!(
            kind("agent:main:subagent:a:subagent:b"),
            SessionType::Subagent { depth: 2 }
        );
        assert_eq!(kind("agent:main:cron:job1:run:x"), SessionType::Cron);
        assert_eq!(kind("hook:abc"), SessionType::Hook);
    }

    #[test]
    fn keys_are_scoped_and_agent_ids_normalised() {
        // §6.4 row 9: request key `Foo` for agent `ops`.
        assert_eq!(SessionKey::parse("Foo", "ops").key, "agent:ops:foo");
        assert_eq!(
            SessionKey::parse("agent:search:main", "main").agent_id,
            "search"
        );
        // §6.4 row 8.
        assert_eq!(normalize_agent_id("My Agent!"), "my-agent");
        assert_eq!(normalize_agent_id("!!!"), "main");
    }
}
