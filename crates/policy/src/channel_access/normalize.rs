//! allowFrom normalisation per channel (reference §5.3). Config entries, pairing-store entries and
//! inbound sender ids all pass through [`normalize_id`] before they are compared, so
//! `whatsapp:+1 (555) 123-4567` in the config matches a WhatsApp sender `15551234567@s.whatsapp.net`.
//!
//! `None` means "not a valid id on this channel": such a config entry is dropped (it matches no
//! one) and such a sender is refused.

/// Channels whose user ids are phone numbers in E.164.
const PHONE_CHANNELS: &[&str] = &["whatsapp", "signal", "sms"];

/// The wildcard entry.
pub const WILDCARD: &str = "*";

/// Normalises `raw` as an id on `channel` (lower-case channel name). `*` stays `*`.
pub fn normalize_id(channel: &str, raw: &str) -> Option<String> {
    let channel = channel.trim().to_ascii_lowercase();
    let s = raw.trim();
    if s == WILDCARD {
        return Some(WILDCARD.to_string());
    }
    let out = match channel.as_str() {
        "whatsapp" => normalize_whatsapp(s),
        "signal" => normalize_signal(s),
        "telegram" => normalize_telegram(s),
        "irc" => Some(strip_prefixes(s, &["irc:", "user:"]).to_ascii_lowercase()),
        _ => {
            let own = format!("{channel}:");
            Some(strip_prefixes(s, &[own.as_str(), "user:", "id:"]).to_ascii_lowercase())
        }
    }?;
    if out.is_empty() { None } else { Some(out) }
}

/// Normalises every entry of `list`, dropping invalid ones.
pub fn normalize_list<'a>(channel: &str, list: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = list
        .into_iter()
        .filter_map(|e| normalize_id(channel, e))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether the normalised `sender` is in the normalised `list` (or the list has `*`).
pub fn list_matches(list: &[String], sender: &str) -> bool {
    list.iter().any(|e| e == WILDCARD || e == sender)
}

/// Strips any of `prefixes` (case-insensitive), repeatedly.
fn strip_prefixes<'a>(mut s: &'a str, prefixes: &[&str]) -> &'a str {
    loop {
        let before = s;
        for p in prefixes {
            if s.len() >= p.len()
                && s.is_char_boundary(p.len())
                && s[..p.len()].eq_ignore_ascii_case(p)
            {
                s = s[p.len()..].trim_start();
            }
        }
        if s == before {
            return s;
        }
    }
}

/// `+<digits>`: every character but digits dropped, one leading `+`; `None` without digits.
pub fn normalize_e164(s: &str) -> Option<String> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        None
    } else {
        Some(format!("+{digits}"))
    }
}

fn normalize_whatsapp(s: &str) -> Option<String> {
    let s = strip_prefixes(s, &["whatsapp:"]);
    let lower = s.to_ascii_lowercase();
    if let Some(group) = lower.strip_suffix("@g.us") {
        let ok = !group.is_empty()
            && group
                .split('-')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
        return ok.then_some(lower);
    }
    if let Some(user) = lower.strip_suffix("@s.whatsapp.net") {
        let number = user.split(':').next().unwrap_or_default();
        return all_digits(number).then(|| format!("+{number}"));
    }
    if let Some(user) = lower.strip_suffix("@lid") {
        return all_digits(user).then(|| format!("+{user}"));
    }
    if lower.contains('@') {
        return None;
    }
    normalize_e164(&lower)
}

fn normalize_signal(s: &str) -> Option<String> {
    let s = strip_prefixes(s, &["signal:"]);
    if let Some(uuid) = strip_prefix_ci(s, "uuid:") {
        return Some(format!("uuid:{}", uuid.trim().to_ascii_lowercase()));
    }
    let looks_like_phone = s
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if looks_like_phone {
        normalize_e164(s)
    } else {
        // signal-cli reports senders without a number by their ACI uuid.
        Some(format!("uuid:{}", s.to_ascii_lowercase()))
    }
}

fn normalize_telegram(s: &str) -> Option<String> {
    let s = strip_prefixes(s, &["telegram:", "tg:"]).to_ascii_lowercase();
    if s.starts_with('@') || s.chars().all(|c| c.is_ascii_digit() || c == '-') {
        Some(s)
    } else {
        // A bare username: OpenClaw matches `@user` and `user` alike.
        Some(format!("@{s}"))
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix))
    .then(|| &s[prefix.len()..])
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

/// Whether `channel` identifies users by phone number.
pub fn is_phone_channel(channel: &str) -> bool {
    PHONE_CHANNELS.contains(&channel.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_5_7_row_12_whatsapp_prefix_and_punctuation() {
        assert_eq!(
            normalize_id("whatsapp", "whatsapp:+1 (555) 123-4567").as_deref(),
            Some("+15551234567")
        );
        assert_eq!(
            normalize_id("whatsapp", "whatsapp:whatsapp:15551234567").as_deref(),
            Some("+15551234567")
        );
    }

    #[test]
    fn section_5_7_row_13_whatsapp_user_jid_with_device() {
        assert_eq!(
            normalize_id("whatsapp", "41796666864:0@s.whatsapp.net").as_deref(),
            Some("+41796666864")
        );
    }

    #[test]
    fn section_5_7_row_14_whatsapp_lid() {
        assert_eq!(normalize_id("whatsapp", "123@lid").as_deref(), Some("+123"));
    }

    #[test]
    fn section_5_7_row_15_whatsapp_email_dropped() {
        assert_eq!(normalize_id("whatsapp", "user@example.com"), None);
    }

    #[test]
    fn whatsapp_group_jid_kept() {
        assert_eq!(
            normalize_id("whatsapp", "120363-42@G.US").as_deref(),
            Some("120363-42@g.us")
        );
        assert_eq!(normalize_id("whatsapp", "abc@g.us"), None);
        assert_eq!(normalize_id("whatsapp", "no digits"), None);
        assert_eq!(normalize_id("whatsapp", "*").as_deref(), Some("*"));
    }

    #[test]
    fn telegram_ids_and_usernames() {
        assert_eq!(normalize_id("telegram", "tg:123").as_deref(), Some("123"));
        assert_eq!(
            normalize_id("telegram", "telegram:123").as_deref(),
            Some("123")
        );
        assert_eq!(
            normalize_id("telegram", "@Alice").as_deref(),
            Some("@alice")
        );
        assert_eq!(normalize_id("telegram", "Alice").as_deref(), Some("@alice"));
    }

    #[test]
    fn signal_numbers_and_uuids() {
        assert_eq!(
            normalize_id("signal", "signal:+46 70 123 45 67").as_deref(),
            Some("+46701234567")
        );
        assert_eq!(
            normalize_id("signal", "uuid:ABC-def").as_deref(),
            Some("uuid:abc-def")
        );
        assert_eq!(
            normalize_id("signal", "ABC-def").as_deref(),
            Some("uuid:abc-def")
        );
    }

    #[test]
    fn other_channels_fold_case_and_strip_own_prefix() {
        assert_eq!(normalize_id("irc", "irc:Nick").as_deref(), Some("nick"));
        assert_eq!(
            normalize_id("discord", "discord:user:1234").as_deref(),
            Some("1234")
        );
        assert_eq!(normalize_id("slack", "U0ABC").as_deref(), Some("u0abc"));
        assert_eq!(normalize_id("slack", "  "), None);
    }
}
