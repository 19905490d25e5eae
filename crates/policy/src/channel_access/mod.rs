//! Channel access control (reference §5): may this inbound message reach an agent, and in which
//! session? Pure and synchronous; the pairing store is asked through [`ApprovedSenders`].
//!
//! [`decide_inbound`] returns an [`AccessDecision`]:
//!
//! | case | decision | what the sender gets |
//! |---|---|---|
//! | allowed | `Deliver { session_key, is_command }` | the agent's answer |
//! | unknown DM sender, `dmPolicy: pairing` (default) | `Pairing` | the pairing-code message, once, if the pairing store issues a code (at most 3 pending per channel) |
//! | `dmPolicy: disabled`, `allowlist` miss, channel `enabled: false`, any group refusal, mention missing, non-owner or unauthorised command | `Drop { rule, reason }` | nothing (not even a read receipt) |
//! | admitted sender, disabled command (`!cmd` with defaults, `/config`, `/debug`, `/restart`) or `!cmd` without elevated mode | `Reject { rule, reply }` | the fixed `reply` (names the command only) |
//!
//! hardclaw's defaults differ from OpenClaw's where OpenClaw fails open: groups are `allowlist`
//! whenever `groupPolicy` is unset (not only when the channel block is missing), `/restart` is
//! off, and DMs land in per-channel-peer sessions.

mod commands;
mod mention;
mod normalize;
mod route;
mod view;

use hardclaw_config::schema::{Config, DmPolicy, GroupPolicy};
use serde::Serialize;

pub use commands::{
    CommandKind, ELEVATED_UNAVAILABLE_REPLY, disabled_reply, parse_command, text_commands_enabled,
};
pub use mention::{clean_text, is_invisible, mention_patterns, text_mentions};
pub use normalize::{
    WILDCARD, is_phone_channel, list_matches, normalize_e164, normalize_id, normalize_list,
};
pub use route::{Route, default_agent, route};

use self::commands::{CommandGate, gate};
use self::view::ChannelView;
use crate::session_key::{GroupKind, SessionKey};
use crate::tool_pipeline::{PolicyContext, resolve};

/// What kind of conversation a message arrived in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ChatKind {
    /// A one-to-one chat with the bot.
    Direct,
    /// A group, channel or room.
    Group {
        /// The platform's group id (WhatsApp `…@g.us`, Telegram `-100…`, Slack `C…`).
        group_id: String,
    },
}

/// One inbound message as a channel adapter (or the webchat/HTTP surface) reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InboundMessage {
    /// Channel id (`whatsapp`, `telegram`, `signal`, `webchat`, ...).
    pub channel: String,
    /// Account id for multi-account channels (`None` = the default account).
    pub account: Option<String>,
    /// The sender's platform id, raw (normalised here per channel).
    pub sender: String,
    /// Direct or group.
    pub chat: ChatKind,
    /// The message text.
    pub text: String,
    /// The platform says the bot was mentioned (native mention data).
    pub mentions_bot: bool,
    /// The message replies to one of the bot's messages (an implicit mention).
    pub is_reply_to_bot: bool,
}

/// The access decision. Every refusal names its rule (stable id) and a reason for the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "lowercase")]
pub enum AccessDecision {
    /// Hand the message to the agent of `session_key`.
    Deliver {
        /// The session the message belongs to (its `agent_id` is the routed agent).
        session_key: SessionKey,
        /// `Some` when the text is a chat command that passed its gate.
        is_command: Option<CommandKind>,
    },
    /// Unknown DM sender under `dmPolicy: pairing`: call `PairingStore::request` and, only on
    /// `NewCode`, send [`pairing_reply`]. The message itself is never processed.
    Pairing {
        /// Why (for the log).
        reason: String,
    },
    /// Ignore silently: no reply, no read receipt, nothing that confirms the bot exists.
    Drop {
        /// Stable rule id (`dm-disabled`, `dm-allowlist`, `group-not-allowed`, ...).
        rule: &'static str,
        /// Why (for the log).
        reason: String,
    },
    /// Refuse with a fixed reply (only to senders the policy already admitted).
    Reject {
        /// Stable rule id (`command-disabled`, `elevated-unavailable`).
        rule: &'static str,
        /// The exact text to send.
        reply: String,
    },
}

impl AccessDecision {
    /// The rule id (`allow` for deliveries, `pairing` for pairing challenges).
    pub fn rule(&self) -> &'static str {
        match self {
            AccessDecision::Deliver { .. } => "allow",
            AccessDecision::Pairing { .. } => "pairing",
            AccessDecision::Drop { rule, .. } | AccessDecision::Reject { rule, .. } => rule,
        }
    }

    fn drop(rule: &'static str, reason: impl Into<String>) -> AccessDecision {
        AccessDecision::Drop {
            rule,
            reason: reason.into(),
        }
    }
}

/// Senders approved through pairing (OpenClaw's `<channel>[-<account>]-allowFrom.json`).
/// Implemented by `hardclaw_store::PairingStore`; an implementation that cannot read its
/// store must return an empty list (fail closed).
pub trait ApprovedSenders {
    /// The approved sender ids of `channel` (`account` `None` = the default account).
    fn approved_senders(&self, channel: &str, account: Option<&str>) -> Vec<String>;
}

/// No pairing store (tests, or a gateway without state).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoApprovedSenders;

impl ApprovedSenders for NoApprovedSenders {
    fn approved_senders(&self, _channel: &str, _account: Option<&str>) -> Vec<String> {
        Vec::new()
    }
}

/// The pairing-code message sent to a new sender (OpenClaw's text, hardclaw's CLI name).
pub fn pairing_reply(channel: &str, sender: &str, code: &str) -> String {
    let channel = channel.trim().to_ascii_lowercase();
    format!(
        "hardclaw: access not configured.\n\nYour {channel} id: {sender}\n\nPairing code: {code}\n\n\
Ask the bot owner to approve with:\nhardclaw pairing approve {channel} {code}"
    )
}

/// Normalises a sender id the way [`decide_inbound`] does (`None` = invalid on this channel).
pub fn normalize_sender(channel: &str, sender: &str) -> Option<String> {
    normalize_id(channel, sender).filter(|s| s != WILDCARD)
}

/// Decides whether `msg` reaches an agent. See the module docs for what each outcome replies.
pub fn decide_inbound(
    config: &Config,
    msg: &InboundMessage,
    approved: &dyn ApprovedSenders,
) -> AccessDecision {
    let channel = msg.channel.trim().to_ascii_lowercase();
    let view = ChannelView::new(config, &channel, msg.account.as_deref());
    if view.disabled() {
        return AccessDecision::drop(
            "channel-disabled",
            format!("channels.{channel} is disabled"),
        );
    }
    let Some(sender) = normalize_sender(&channel, &msg.sender) else {
        return AccessDecision::drop(
            "sender-invalid",
            format!("sender id is not a valid {channel} id"),
        );
    };
    match &msg.chat {
        ChatKind::Direct => decide_dm(config, msg, &view, &sender, approved),
        ChatKind::Group { group_id } => decide_group(config, msg, &view, &sender, group_id),
    }
}

fn decide_dm(
    config: &Config,
    msg: &InboundMessage,
    view: &ChannelView<'_>,
    sender: &str,
    approved: &dyn ApprovedSenders,
) -> AccessDecision {
    let policy = view.dm_policy();
    let config_allow = view.allow_from();
    let admitted = match policy {
        DmPolicy::Disabled => {
            return AccessDecision::drop("dm-disabled", "dmPolicy is disabled");
        }
        // `open` needs `"*"` (the schema enforces it); without it, behave as `allowlist`.
        DmPolicy::Open | DmPolicy::Allowlist => list_matches(&config_allow, sender),
        DmPolicy::Pairing => {
            let account = msg.account.as_deref();
            let store = normalize_list(
                view.name,
                approved
                    .approved_senders(view.name, account)
                    .iter()
                    .map(String::as_str),
            );
            // `*` is never honoured from the store.
            list_matches(&config_allow, sender)
                || store.iter().any(|e| e != WILDCARD && e == sender)
        }
    };
    if !admitted {
        return match policy {
            DmPolicy::Pairing => AccessDecision::Pairing {
                reason: format!("{} sender not in allowFrom or the pairing store", view.name),
            },
            _ => AccessDecision::drop(
                "dm-allowlist",
                format!("sender not in channels.{}.allowFrom", view.name),
            ),
        };
    }
    let route = route(config, view.name, msg.account.as_deref(), false, sender);
    let links = config
        .session
        .as_ref()
        .and_then(|s| s.identity_links.as_ref());
    let scope = route
        .dm_scope
        .unwrap_or_else(|| crate::session_key::dm_scope(config));
    let session_key = SessionKey::for_dm_scoped(
        scope,
        links,
        &route.agent_id,
        view.name,
        msg.account.as_deref(),
        sender,
    );
    with_command_gate(config, msg, view, sender, session_key, false)
}

fn decide_group(
    config: &Config,
    msg: &InboundMessage,
    view: &ChannelView<'_>,
    sender: &str,
    group_id: &str,
) -> AccessDecision {
    let policy = view.group_policy();
    if policy == GroupPolicy::Disabled {
        return AccessDecision::drop("group-disabled", "groupPolicy is disabled");
    }
    let groups = view.groups();
    let entry = groups.and_then(|g| {
        g.iter()
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(group_id.trim()))
            .map(|(_, v)| v)
    });
    let star = groups.and_then(|g| g.get(WILDCARD));
    let group_allow_from = view.group_allow_from();
    // Group gate: keys of `groups` double as an allowlist.
    let allowlist_enabled = policy == GroupPolicy::Allowlist || groups.is_some();
    let group_allowed = !allowlist_enabled
        || entry.is_some()
        || star.is_some()
        || (policy == GroupPolicy::Allowlist && groups.is_none() && !group_allow_from.is_empty());
    let switched_off = entry
        .or(star)
        .is_some_and(|g| g.enabled == Some(false) || g.allow == Some(false));
    if !group_allowed || switched_off {
        return AccessDecision::drop(
            "group-not-allowed",
            format!("group not in channels.{}.groups", view.name),
        );
    }
    // Sender gate (the pairing store is never used for groups).
    if policy == GroupPolicy::Allowlist {
        let per_group = entry
            .or(star)
            .and_then(|g| g.allow_from.as_ref().or(g.users.as_ref()))
            .map(|l| normalize_list(view.name, l.iter().map(|i| i.as_str())))
            .filter(|l| !l.is_empty());
        let effective = per_group.unwrap_or_else(|| {
            if group_allow_from.is_empty() {
                view.allow_from()
            } else {
                group_allow_from
            }
        });
        if effective.is_empty() {
            return AccessDecision::drop(
                "group-allowlist-empty",
                "groupPolicy is allowlist and no group sender is allowed (groupAllowFrom is empty)",
            );
        }
        if !list_matches(&effective, sender) {
            return AccessDecision::drop(
                "group-sender-not-allowed",
                format!("sender not in channels.{}.groupAllowFrom", view.name),
            );
        }
    }
    let route = route(config, view.name, msg.account.as_deref(), true, group_id);
    let session_key = SessionKey::for_group(
        &route.agent_id,
        view.name,
        GroupKind::for_channel(view.name),
        group_id,
        None,
    );
    let require_mention = entry
        .and_then(|g| g.require_mention)
        .or_else(|| star.and_then(|g| g.require_mention))
        .unwrap_or(true);
    let mentioned = msg.mentions_bot
        || msg.is_reply_to_bot
        || text_mentions(&mention_patterns(config, &route.agent_id), &msg.text);
    if require_mention && !mentioned {
        // The only bypass: an authorised control command that passes its gate.
        let decision = with_command_gate(config, msg, view, sender, session_key, true);
        return match decision {
            AccessDecision::Deliver {
                is_command: Some(_),
                ..
            } => decision,
            _ => AccessDecision::drop("mention-required", "group requires a mention"),
        };
    }
    with_command_gate(config, msg, view, sender, session_key, true)
}

fn with_command_gate(
    config: &Config,
    msg: &InboundMessage,
    view: &ChannelView<'_>,
    sender: &str,
    session_key: SessionKey,
    is_group: bool,
) -> AccessDecision {
    let cmd = text_commands_enabled(config)
        .then(|| parse_command(&msg.text))
        .flatten();
    let Some(cmd) = cmd else {
        return AccessDecision::Deliver {
            session_key,
            is_command: None,
        };
    };
    let elevated = || {
        let mut ctx = PolicyContext::new(session_key.agent_id.clone());
        ctx.session_key = Some(session_key.key.clone());
        ctx.channel = Some(view.name.to_string());
        ctx.sender = Some(sender.to_string());
        if let ChatKind::Group { group_id } = &msg.chat {
            ctx.group_id = Some(group_id.clone());
        }
        let _ = is_group;
        resolve(config, &ctx).is_ok_and(|e| e.elevated.available)
    };
    match gate(config, view, sender, &cmd, elevated) {
        CommandGate::Run => AccessDecision::Deliver {
            session_key,
            is_command: Some(cmd),
        },
        CommandGate::Reject { rule, reply } => AccessDecision::Reject { rule, reply },
        CommandGate::Ignore { rule, reason } => AccessDecision::drop(rule, reason),
    }
}

#[cfg(test)]
mod tests;
