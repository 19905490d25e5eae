//! Chat commands (reference §5.6): `!cmd` / `/bash`, `/config`, `/debug`, `/restart` and the
//! harmless rest (`/status`, `/new`, ...).
//!
//! hardclaw's defaults: `commands.bash`, `commands.config`, `commands.debug` AND
//! `commands.restart` are off unless set to exactly `true` (OpenClaw enables `/restart` by
//! default). `/config`, `/debug` and `/restart` also need an owner; `!cmd` needs elevated mode.
//! A disabled command gets a fixed reply that names only the command — never the config key that
//! would enable it, nor who the owner is. A non-owner or an unauthorised sender gets nothing.

use hardclaw_config::schema::{Commands, Config};
use serde::Serialize;

use super::normalize::{WILDCARD, list_matches, normalize_id};
use super::view::ChannelView;
use crate::tool_groups::CHANNEL_IDS;

/// What kind of chat command a message is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "command", content = "name", rename_all = "lowercase")]
pub enum CommandKind {
    /// `!cmd`, `! cmd` or `/bash cmd`: host shell (needs `commands.bash` and elevated mode).
    Bash,
    /// `/config`.
    Config,
    /// `/debug`.
    Debug,
    /// `/restart`.
    Restart,
    /// Any other `/name` (`status`, `new`, `reset`, `help`, ...), lower-case, for the agent
    /// runtime to interpret.
    Other(String),
}

impl CommandKind {
    /// How the command is written in replies.
    pub fn display(&self) -> String {
        match self {
            CommandKind::Bash => "!/bash".to_string(),
            CommandKind::Config => "/config".to_string(),
            CommandKind::Debug => "/debug".to_string(),
            CommandKind::Restart => "/restart".to_string(),
            CommandKind::Other(n) => format!("/{n}"),
        }
    }
}

/// The command `text` is, if any (`commands.text: false` turns text commands off entirely —
/// the text then reaches the agent as an ordinary message).
pub fn parse_command(text: &str) -> Option<CommandKind> {
    let t = text.trim_start();
    if let Some(rest) = t.strip_prefix('!') {
        return (!rest.trim().is_empty()).then_some(CommandKind::Bash);
    }
    let rest = t.strip_prefix('/')?;
    let word = rest.split_whitespace().next().unwrap_or_default();
    // Telegram appends the bot's name: `/status@my_bot`.
    let name = word
        .split('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return None;
    }
    Some(match name.as_str() {
        "bash" => CommandKind::Bash,
        "config" => CommandKind::Config,
        "debug" => CommandKind::Debug,
        "restart" => CommandKind::Restart,
        _ => CommandKind::Other(name),
    })
}

fn commands(config: &Config) -> Option<&Commands> {
    config.commands.as_ref()
}

/// Whether text commands are parsed at all (`commands.text`, default on).
pub fn text_commands_enabled(config: &Config) -> bool {
    commands(config).and_then(|c| c.text) != Some(false)
}

/// The non-`*` entries of `commands.ownerAllowFrom` that apply on `channel`, normalised
/// (`<channel>:<id>` entries for other channels are ignored), and whether the list has `*`.
fn owner_entries(config: &Config, channel: &str) -> Option<(Vec<String>, bool)> {
    let list = commands(config)?.owner_allow_from.as_ref()?;
    let mut star = false;
    let mut owners = Vec::new();
    for entry in list {
        let e = entry.as_str().trim();
        if e == WILDCARD {
            star = true;
            continue;
        }
        let scoped = match e.split_once(':') {
            Some((prefix, rest)) if is_channel_prefix(prefix) => {
                if channel_alias(prefix) != channel {
                    continue;
                }
                rest
            }
            _ => e,
        };
        if let Some(id) = normalize_id(channel, scoped).filter(|id| id != WILDCARD) {
            owners.push(id);
        }
    }
    Some((owners, star))
}

fn channel_alias(prefix: &str) -> String {
    match prefix.to_ascii_lowercase().as_str() {
        "tg" => "telegram".to_string(),
        p => p.to_string(),
    }
}

fn is_channel_prefix(prefix: &str) -> bool {
    let p = channel_alias(prefix);
    CHANNEL_IDS.contains(&p.as_str()) || matches!(p.as_str(), "webchat" | "matrix" | "msteams")
}

/// §5.6 `senderIsOwner` for a normalised sender.
pub(crate) fn sender_is_owner(config: &Config, view: &ChannelView<'_>, sender: &str) -> bool {
    if let Some((owners, star)) = owner_entries(config, view.name) {
        if star {
            return true;
        }
        if !owners.is_empty() {
            return owners.iter().any(|o| o == sender);
        }
    }
    let allow = view.allow_from();
    !allow.is_empty() && !allow.iter().any(|e| e == WILDCARD) && list_matches(&allow, sender)
}

/// §5.6 "owner-for-commands": may this (already admitted) sender use commands at all?
pub(crate) fn authorized_for_commands(
    config: &Config,
    view: &ChannelView<'_>,
    sender: &str,
) -> bool {
    if let Some((owners, star)) = owner_entries(config, view.name) {
        return star || owners.iter().any(|o| o == sender);
    }
    let allow = view.allow_from();
    allow.is_empty() || list_matches(&allow, sender)
}

/// The outcome of the command gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CommandGate {
    /// Run it (deliver, marked as a command).
    Run,
    /// Refuse with a fixed reply.
    Reject { rule: &'static str, reply: String },
    /// Ignore silently.
    Ignore { rule: &'static str, reason: String },
}

/// Is `flag` set to exactly `true`?
fn on(flag: Option<bool>) -> bool {
    flag == Some(true)
}

/// The gate for `cmd` from an admitted sender. `elevated_available` is asked only for `!cmd`.
pub(crate) fn gate(
    config: &Config,
    view: &ChannelView<'_>,
    sender: &str,
    cmd: &CommandKind,
    elevated_available: impl FnOnce() -> bool,
) -> CommandGate {
    if !authorized_for_commands(config, view, sender) {
        return CommandGate::Ignore {
            rule: "command-unauthorized",
            reason: format!(
                "{} from a sender not authorised for commands",
                cmd.display()
            ),
        };
    }
    let c = commands(config);
    let (enabled, needs_owner) = match cmd {
        CommandKind::Bash => (on(c.and_then(|c| c.bash)), false),
        CommandKind::Config => (on(c.and_then(|c| c.config)), true),
        CommandKind::Debug => (on(c.and_then(|c| c.debug)), true),
        CommandKind::Restart => (on(c.and_then(|c| c.restart)), true),
        CommandKind::Other(_) => return CommandGate::Run,
    };
    if !enabled {
        return CommandGate::Reject {
            rule: "command-disabled",
            reply: disabled_reply(cmd),
        };
    }
    if needs_owner && !sender_is_owner(config, view, sender) {
        return CommandGate::Ignore {
            rule: "command-not-owner",
            reason: format!("{} needs an owner (commands.ownerAllowFrom)", cmd.display()),
        };
    }
    if *cmd == CommandKind::Bash && !elevated_available() {
        return CommandGate::Reject {
            rule: "elevated-unavailable",
            reply: ELEVATED_UNAVAILABLE_REPLY.to_string(),
        };
    }
    CommandGate::Run
}

/// The reply to `!cmd` when elevated mode is not available to the sender.
pub const ELEVATED_UNAVAILABLE_REPLY: &str = "⚠️ Elevated mode is not available here.";

/// The fixed reply to a disabled command (`⚠️ /config is disabled.`).
pub fn disabled_reply(cmd: &CommandKind) -> String {
    format!("⚠️ {} is disabled.", cmd.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_parsed() {
        assert_eq!(parse_command("!echo test"), Some(CommandKind::Bash));
        assert_eq!(parse_command("! ls"), Some(CommandKind::Bash));
        assert_eq!(parse_command("/bash ls"), Some(CommandKind::Bash));
        assert_eq!(parse_command("/Config show"), Some(CommandKind::Config));
        assert_eq!(parse_command("/restart@my_bot"), Some(CommandKind::Restart));
        assert_eq!(
            parse_command("/status"),
            Some(CommandKind::Other("status".into()))
        );
        assert_eq!(parse_command("/etc/passwd is what?"), None);
        assert_eq!(parse_command("!"), None);
        assert_eq!(parse_command("hello /config"), None);
    }
}
