//! Building session keys (reference §6.1): which session a message lands in.
//!
//! hardclaw's default `session.dmScope` is `per-channel-peer` (OpenClaw's is `main`, which puts
//! every sender's DMs in one shared context). Groups are always isolated per group.

use std::collections::BTreeMap;

use hardclaw_config::schema::{Config, DmScope};

use super::{SessionKey, SessionType, normalize_agent_id};

/// hardclaw's default DM scope.
pub const DEFAULT_DM_SCOPE: DmScope = DmScope::PerChannelPeer;

/// The account id used when a channel has a single, unnamed account.
pub const DEFAULT_ACCOUNT: &str = "default";

/// `session.dmScope`, or hardclaw's default `per-channel-peer`.
pub fn dm_scope(config: &Config) -> DmScope {
    config
        .session
        .as_ref()
        .and_then(|s| s.dm_scope)
        .unwrap_or(DEFAULT_DM_SCOPE)
}

/// Whether a group session is a `group` or a `channel` (Slack/Discord/Mattermost channels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    /// A group chat (WhatsApp, Telegram, Signal, ...).
    Group,
    /// A channel in a workspace or guild.
    Channel,
}

impl GroupKind {
    /// The usual kind for groups on `channel`.
    pub fn for_channel(channel: &str) -> GroupKind {
        match channel.to_ascii_lowercase().as_str() {
            "discord" | "slack" | "mattermost" | "msteams" => GroupKind::Channel,
            _ => GroupKind::Group,
        }
    }

    fn segment(self) -> &'static str {
        match self {
            GroupKind::Group => "group",
            GroupKind::Channel => "channel",
        }
    }
}

/// A thread inside a group session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Thread {
    /// `:thread:<id>`.
    Thread(String),
    /// Telegram forum topic, `:topic:<id>`.
    Topic(String),
}

fn clean(s: &str) -> String {
    s.trim().to_lowercase()
}

impl SessionKey {
    /// The DM session of `peer` on `channel` (account `account`) for `agent_id`, under
    /// `config`'s `session.dmScope` and `session.identityLinks`.
    pub fn for_dm(
        config: &Config,
        agent_id: &str,
        channel: &str,
        account: Option<&str>,
        peer: &str,
    ) -> SessionKey {
        let links = config
            .session
            .as_ref()
            .and_then(|s| s.identity_links.as_ref());
        SessionKey::for_dm_scoped(dm_scope(config), links, agent_id, channel, account, peer)
    }

    /// [`SessionKey::for_dm`] with the scope and links given. An empty `peer` falls back to the
    /// main session (OpenClaw's rule; the access decision never lets an empty sender through).
    pub fn for_dm_scoped(
        scope: DmScope,
        identity_links: Option<&BTreeMap<String, Vec<String>>>,
        agent_id: &str,
        channel: &str,
        account: Option<&str>,
        peer: &str,
    ) -> SessionKey {
        let agent_id = normalize_agent_id(agent_id);
        let mut channel = clean(channel);
        if channel.is_empty() {
            channel = "unknown".to_string();
        }
        let mut peer = clean(peer);
        if scope == DmScope::Main || peer.is_empty() {
            return SessionKey::main(&agent_id);
        }
        if let Some(canonical) = identity_links.and_then(|l| linked_identity(l, &channel, &peer)) {
            peer = clean(&canonical);
        }
        let rest = match scope {
            DmScope::Main | DmScope::PerPeer => format!("direct:{peer}"),
            DmScope::PerChannelPeer => format!("{channel}:direct:{peer}"),
            DmScope::PerAccountChannelPeer => {
                let account = account.map(clean).filter(|a| !a.is_empty());
                let account = account.as_deref().unwrap_or(DEFAULT_ACCOUNT);
                format!("{channel}:{account}:direct:{peer}")
            }
        };
        let channel = (scope != DmScope::PerPeer).then_some(channel);
        SessionKey {
            key: format!("agent:{agent_id}:{rest}"),
            agent_id,
            kind: SessionType::Dm { channel, peer },
        }
    }

    /// The session of group `group_id` on `channel` (always one per group; identity links
    /// never apply), optionally a thread or topic inside it.
    pub fn for_group(
        agent_id: &str,
        channel: &str,
        kind: GroupKind,
        group_id: &str,
        thread: Option<&Thread>,
    ) -> SessionKey {
        let agent_id = normalize_agent_id(agent_id);
        let mut channel = clean(channel);
        if channel.is_empty() {
            channel = "unknown".to_string();
        }
        let id = clean(group_id);
        let mut key = format!("agent:{agent_id}:{channel}:{}:{id}", kind.segment());
        match thread {
            Some(Thread::Thread(t)) => key.push_str(&format!(":thread:{}", clean(t))),
            Some(Thread::Topic(t)) => key.push_str(&format!(":topic:{}", clean(t))),
            None => {}
        }
        SessionKey {
            key,
            agent_id,
            kind: SessionType::Group { channel, id },
        }
    }
}

/// The canonical name `peer` is linked to: candidates `peer` and `<channel>:<peer>` against each
/// listed id (case-insensitive); the first canonical name (in key order) with a match wins.
fn linked_identity(
    links: &BTreeMap<String, Vec<String>>,
    channel: &str,
    peer: &str,
) -> Option<String> {
    let scoped = format!("{channel}:{peer}");
    links
        .iter()
        .find(|(_, ids)| {
            ids.iter().any(|id| {
                let id = clean(id);
                id == peer || id == scoped
            })
        })
        .map(|(canonical, _)| canonical.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links() -> BTreeMap<String, Vec<String>> {
        BTreeMap::from([(
            "alice".to_string(),
            vec!["whatsapp:+1555".to_string(), "telegram:123".to_string()],
        )])
    }

    fn dm(scope: DmScope, channel: &str, account: Option<&str>, peer: &str) -> String {
        SessionKey::for_dm_scoped(scope, None, "main", channel, account, peer).key
    }

    #[test]
    fn section_6_4_row_1_main_scope() {
        assert_eq!(
            dm(DmScope::Main, "whatsapp", None, "+1555"),
            "agent:main:main"
        );
    }

    #[test]
    fn section_6_4_row_2_per_peer() {
        assert_eq!(
            dm(DmScope::PerPeer, "telegram", None, "123"),
            "agent:main:direct:123"
        );
    }

    #[test]
    fn section_6_4_row_3_per_channel_peer() {
        assert_eq!(
            dm(DmScope::PerChannelPeer, "whatsapp", None, "+1555"),
            "agent:main:whatsapp:direct:+1555"
        );
    }

    #[test]
    fn section_6_4_row_4_per_account_channel_peer() {
        assert_eq!(
            dm(
                DmScope::PerAccountChannelPeer,
                "whatsapp",
                Some("Work"),
                "+1555"
            ),
            "agent:main:whatsapp:work:direct:+1555"
        );
        assert_eq!(
            dm(DmScope::PerAccountChannelPeer, "whatsapp", None, "+1555"),
            "agent:main:whatsapp:default:direct:+1555"
        );
    }

    #[test]
    fn section_6_4_row_5_identity_links() {
        let l = links();
        let key =
            SessionKey::for_dm_scoped(DmScope::PerPeer, Some(&l), "main", "telegram", None, "123");
        assert_eq!(key.key, "agent:main:direct:alice");
        let key = SessionKey::for_dm_scoped(
            DmScope::PerPeer,
            Some(&l),
            "main",
            "whatsapp",
            None,
            "+1555",
        );
        assert_eq!(key.key, "agent:main:direct:alice");
    }

    #[test]
    fn section_6_4_row_6_links_ignored_under_main() {
        let l = links();
        let key =
            SessionKey::for_dm_scoped(DmScope::Main, Some(&l), "main", "telegram", None, "123");
        assert_eq!(key.key, "agent:main:main");
    }

    #[test]
    fn section_6_4_row_7_whatsapp_group() {
        let key = SessionKey::for_group("main", "whatsapp", GroupKind::Group, "120363X@g.us", None);
        assert_eq!(key.key, "agent:main:whatsapp:group:120363x@g.us");
        assert_eq!(SessionKey::parse(&key.key, "main"), key);
    }

    #[test]
    fn section_6_4_row_8_agent_id_normalised() {
        assert_eq!(
            SessionKey::for_dm_scoped(DmScope::PerChannelPeer, None, "My Agent!", "x", None, "p")
                .agent_id,
            "my-agent"
        );
    }

    #[test]
    fn threads_and_topics() {
        let key = SessionKey::for_group(
            "main",
            "discord",
            GroupKind::for_channel("discord"),
            "42",
            Some(&Thread::Thread("7".into())),
        );
        assert_eq!(key.key, "agent:main:discord:channel:42:thread:7");
        let key = SessionKey::for_group(
            "main",
            "telegram",
            GroupKind::Group,
            "-100",
            Some(&Thread::Topic("3".into())),
        );
        assert_eq!(key.key, "agent:main:telegram:group:-100:topic:3");
    }

    #[test]
    fn built_keys_round_trip_through_the_parser() {
        for scope in [
            DmScope::PerPeer,
            DmScope::PerChannelPeer,
            DmScope::PerAccountChannelPeer,
        ] {
            let key =
                SessionKey::for_dm_scoped(scope, None, "main", "whatsapp", Some("w"), "+1555");
            assert_eq!(SessionKey::parse(&key.key, "main"), key, "{scope:?}");
        }
    }

    #[test]
    fn empty_peer_falls_back_to_main_and_default_scope_is_per_channel_peer() {
        assert_eq!(
            dm(DmScope::PerChannelPeer, "x", None, " "),
            "agent:main:main"
        );
        assert_eq!(dm_scope(&Config::default()), DmScope::PerChannelPeer);
    }
}
