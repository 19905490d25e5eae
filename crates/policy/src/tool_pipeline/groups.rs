//! Layer 7: the group policy of the chat a session belongs to.
//!
//! Lookup (channel and group ids compared case-insensitively): the group's entry under
//! `channels.<ch>.groups` (Slack/Mattermost `channels`, Matrix `rooms`, Discord
//! `guilds.<g>.channels`), then the `"*"` entry. Within an entry, a `toolsBySender` match for the
//! sender wins over `tools`; a `"*"` sender key is the fallback. Order: specific group by sender →
//! specific group tools → `"*"` group by sender → `"*"` group tools.

use std::collections::BTreeMap;

use hardclaw_config::schema::{Config, Group, ToolPolicy};

use super::context::Resolved;
use super::layers::path_key;

/// The group policy for `ctx`, with its config path.
pub(super) fn resolve_group_policy<'a>(
    config: &'a Config,
    ctx: &Resolved,
) -> Option<(String, &'a ToolPolicy)> {
    let channel = ctx.channel.as_deref()?;
    let group_id = ctx.group_id.as_deref()?;
    let (ch_key, ch) = config
        .channels
        .as_ref()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(channel))?;
    let base = path_key("channels", ch_key);
    let mut candidates: Vec<(String, &Group)> = Vec::new();
    for (field, map) in [
        ("groups", ch.groups.as_ref()),
        ("channels", ch.channels.as_ref()),
        ("rooms", ch.rooms.as_ref()),
    ] {
        if let Some((k, g)) = map.and_then(|m| find(m, group_id)) {
            candidates.push((path_key(&format!("{base}.{field}"), k), g));
        }
    }
    for (gk, guild) in ch.guilds.iter().flatten() {
        if let Some((k, g)) = guild.channels.as_ref().and_then(|m| find(m, group_id)) {
            candidates.push((
                path_key(
                    &format!("{}.channels", path_key(&format!("{base}.guilds"), gk)),
                    k,
                ),
                g,
            ));
        }
    }
    for (field, map) in [
        ("groups", ch.groups.as_ref()),
        ("channels", ch.channels.as_ref()),
        ("rooms", ch.rooms.as_ref()),
    ] {
        if let Some(g) = map.and_then(|m| m.get("*")) {
            candidates.push((path_key(&format!("{base}.{field}"), "*"), g));
        }
    }
    for (path, group) in candidates {
        if let Some(found) = policy_of(&path, group, ctx.sender.as_deref()) {
            return Some(found);
        }
    }
    None
}

fn find<'a>(map: &'a BTreeMap<String, Group>, id: &str) -> Option<(&'a String, &'a Group)> {
    map.iter()
        .find(|(k, _)| k.as_str() != "*" && k.trim().eq_ignore_ascii_case(id.trim()))
}

fn policy_of<'a>(
    path: &str,
    group: &'a Group,
    sender: Option<&str>,
) -> Option<(String, &'a ToolPolicy)> {
    if let Some(by_sender) = &group.tools_by_sender {
        let exact = sender.and_then(|s| {
            let s = normalize_sender(s);
            by_sender
                .iter()
                .find(|(k, _)| k.as_str() != "*" && normalize_sender(k) == s)
        });
        if let Some((k, p)) = exact.or_else(|| by_sender.get_key_value("*")) {
            return Some((path_key(&format!("{path}.toolsBySender"), k), p));
        }
    }
    group.tools.as_ref().map(|p| (format!("{path}.tools"), p))
}

/// Sender ids compare trimmed, lower-cased, without `<kind>:` prefixes or a leading `@`.
pub(super) fn normalize_sender(s: &str) -> String {
    let mut s = s.trim().to_ascii_lowercase();
    while let Some((prefix, rest)) = s.split_once(':') {
        let known = matches!(
            prefix,
            "id" | "e164" | "username" | "name" | "user" | "group" | "channel"
        ) || crate::tool_groups::CHANNEL_IDS.contains(&prefix);
        if !known || rest.is_empty() {
            break;
        }
        s = rest.to_string();
    }
    s.trim_start_matches('@').to_string()
}
