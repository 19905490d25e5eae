//! Owner-only tools (reference §1.7) and who counts as an owner (§5.6).
//!
//! Non-owner senders do not get `whatsapp_login`, `cron`, `gateway` (E2) or any plugin tool
//! flagged owner-only; the filter runs before the pipeline.

use hardclaw_config::schema::{Channel, Config};

use super::groups::normalize_sender;
use crate::tool_groups::OWNER_ONLY_TOOLS;

/// Layer name reported for owner-only removals.
pub const OWNER_LAYER: &str = "owner-only";

/// Whether `tool` is owner-only (built-in list or a plugin flag).
pub fn is_owner_only(tool: &str, plugin_flag: bool) -> bool {
    plugin_flag || OWNER_ONLY_TOOLS.contains(&tool)
}

/// §5.6: the owner list is the non-`*` entries of `commands.ownerAllowFrom` (a
/// `<channel>:<id>` entry counts only on that channel); with no `ownerAllowFrom`, the channel's
/// `allowFrom` when it is non-empty and has no `*`. A `*` in `ownerAllowFrom` makes everyone an
/// owner. No sender = the local operator (CLI, or a gateway client holding `operator.admin`).
pub fn sender_is_owner(config: &Config, channel: Option<&str>, sender: Option<&str>) -> bool {
    let Some(sender) = sender else {
        return true;
    };
    let sender = normalize_sender(sender);
    let owner_from = config
        .commands
        .as_ref()
        .and_then(|c| c.owner_allow_from.as_ref());
    if let Some(list) = owner_from {
        if list.iter().any(|e| e.as_str().trim() == "*") {
            return true;
        }
        let owners: Vec<String> = list
            .iter()
            .filter_map(|e| scoped_entry(e.as_str(), channel))
            .collect();
        if !owners.is_empty() {
            return owners.contains(&sender);
        }
    }
    let channel_list = channel.and_then(|ch| channel_config(config, ch)).map(|c| {
        c.allow_from
            .iter()
            .flatten()
            .chain(
                c.dm.as_ref()
                    .and_then(|d| d.allow_from.as_ref())
                    .into_iter()
                    .flatten(),
            )
            .map(|e| e.as_str().trim().to_string())
            .collect::<Vec<_>>()
    });
    match channel_list {
        Some(list) if !list.is_empty() && !list.iter().any(|e| e == "*") => {
            list.iter().any(|e| normalize_sender(e) == sender)
        }
        _ => false,
    }
}

/// An owner entry that applies on `channel`, normalised; `None` if it names another channel.
fn scoped_entry(entry: &str, channel: Option<&str>) -> Option<String> {
    let e = entry.trim();
    if e == "*" || e.is_empty() {
        return None;
    }
    if let Some((prefix, _)) = e.split_once(':') {
        let prefix = prefix.to_ascii_lowercase();
        if crate::tool_groups::CHANNEL_IDS.contains(&prefix.as_str())
            && channel.is_some_and(|c| !c.eq_ignore_ascii_case(&prefix))
        {
            return None;
        }
    }
    Some(normalize_sender(e))
}

pub(super) fn channel_config<'a>(config: &'a Config, channel: &str) -> Option<&'a Channel> {
    config
        .channels
        .as_ref()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(channel))
        .map(|(_, c)| c)
}
