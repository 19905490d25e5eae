//! Which agent a message goes to (`bindings[]`), and the DM scope it uses.
//!
//! A binding matches when every key it sets matches: `channel`, `accountId` (`*` = any),
//! `peer.kind` (`dm`/`direct`, `group`, `channel`) and `peer.id`. A binding that sets a key this
//! function cannot judge (`guildId`, `teamId`, `roles`) never matches here. More specific
//! bindings win: peer, then account, then channel only; ties go to the first listed. With no
//! match the default agent (`agents.list[].default`, else the first, else `main`) answers.

use hardclaw_config::schema::{Binding, Config, DmScope};

use crate::normalize_agent_id;

/// The routing target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Normalised agent id.
    pub agent_id: String,
    /// `bindings[].session.dmScope` of the matching binding, when set.
    pub dm_scope: Option<DmScope>,
}

/// The default agent: `agents.list[]` with `default: true`, else the first, else `main`.
pub fn default_agent(config: &Config) -> String {
    let list = config.agent_list();
    list.iter()
        .find(|a| a.default == Some(true))
        .or_else(|| list.first())
        .map(|a| normalize_agent_id(&a.id))
        .unwrap_or_else(|| "main".to_string())
}

/// Routes a message from `peer` (the sender for DMs, the group id for groups).
pub fn route(
    config: &Config,
    channel: &str,
    account: Option<&str>,
    is_group: bool,
    peer: &str,
) -> Route {
    let best = config
        .bindings
        .iter()
        .flatten()
        .filter_map(|b| score(b, channel, account, is_group, peer).map(|s| (s, b)))
        // max_by_key keeps the last of equals; reverse so the first listed wins ties.
        .rev()
        .max_by_key(|(s, _)| *s);
    match best {
        Some((_, b)) => Route {
            agent_id: normalize_agent_id(&b.agent_id),
            dm_scope: b.session.as_ref().and_then(|s| s.dm_scope),
        },
        None => Route {
            agent_id: default_agent(config),
            dm_scope: None,
        },
    }
}

fn score(
    b: &Binding,
    channel: &str,
    account: Option<&str>,
    is_group: bool,
    peer: &str,
) -> Option<u8> {
    let m = &b.matcher;
    if m.guild_id.is_some()
        || m.team_id.is_some()
        || m.roles.as_ref().is_some_and(|r| !r.is_empty())
    {
        return None;
    }
    let mut score = 0;
    if let Some(c) = &m.channel {
        if !c.trim().eq_ignore_ascii_case(channel) {
            return None;
        }
        score += 1;
    }
    if let Some(a) = &m.account_id {
        let a = a.trim();
        if a != "*" {
            if !account.is_some_and(|x| x.trim().eq_ignore_ascii_case(a)) {
                return None;
            }
            score += 2;
        }
    }
    if let Some(p) = &m.peer {
        if let Some(kind) = &p.kind {
            let kind_is_group =
                !matches!(kind.trim().to_ascii_lowercase().as_str(), "dm" | "direct");
            if kind_is_group != is_group {
                return None;
            }
        }
        if let Some(id) = &p.id {
            let same = if is_group {
                id.trim().eq_ignore_ascii_case(peer.trim())
            } else {
                super::normalize::normalize_id(channel, id).as_deref() == Some(peer)
            };
            if !same {
                return None;
            }
            score += 4;
        }
    }
    Some(score)
}
