//! Mention gating (reference §5.5): which text counts as addressing the bot in a group.
//!
//! Patterns come from the agent's `groupChat.mentionPatterns` when that key exists (even empty),
//! else `agents.defaults.groupChat.mentionPatterns`, else `messages.groupChat.mentionPatterns`,
//! else one derived from the agent's name. They are compiled case-insensitively; an invalid
//! pattern is skipped (it can never match). The text is stripped of zero-width, bidi-control and
//! tag characters and lower-cased before matching, so `@open\u{200B}claw` still mentions
//! `@openclaw`.

use hardclaw_config::schema::Config;
use regex::RegexBuilder;

/// Upper bound on a compiled pattern (config is trusted, but a typo must not eat memory).
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// Whether `c` is invisible formatting that must not split a mention: U+200B–U+200F,
/// U+202A–U+202E, U+2060–U+206F, U+FEFF and the tag block U+E0000–U+E007F.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{E0000}'..='\u{E007F}')
}

/// `text` without invisible characters, lower-cased.
pub fn clean_text(text: &str) -> String {
    text.chars()
        .filter(|c| !is_invisible(*c))
        .collect::<String>()
        .to_lowercase()
}

/// The mention patterns in force for `agent_id`.
pub fn mention_patterns(config: &Config, agent_id: &str) -> Vec<String> {
    let agent = config
        .agent_list()
        .iter()
        .find(|a| crate::normalize_agent_id(&a.id) == agent_id);
    if let Some(list) = agent
        .and_then(|a| a.group_chat.as_ref())
        .and_then(|g| g.mention_patterns.as_ref())
    {
        return list.clone();
    }
    if let Some(list) = config
        .agent_defaults()
        .and_then(|d| d.group_chat.as_ref())
        .and_then(|g| g.mention_patterns.as_ref())
    {
        return list.clone();
    }
    if let Some(list) = config
        .messages
        .as_ref()
        .and_then(|m| m.pointer("/groupChat/mentionPatterns"))
        .and_then(|v| v.as_array())
    {
        return list
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
    }
    let name = agent
        .and_then(|a| {
            a.identity
                .as_ref()
                .and_then(|i| i.get("name"))
                .and_then(|n| n.as_str())
                .or(a.name.as_deref())
        })
        .map(str::trim)
        .filter(|n| !n.is_empty());
    match name {
        Some(name) => {
            let words: Vec<String> = name.split_whitespace().map(regex::escape).collect();
            vec![format!(r"\b@?{}\b", words.join(r"\s+"))]
        }
        None => Vec::new(),
    }
}

/// Whether the cleaned `text` matches any of `patterns`.
pub fn text_mentions(patterns: &[String], text: &str) -> bool {
    let text = clean_text(text);
    patterns.iter().any(|p| {
        // OpenClaw rewrites a literal backspace (a JSON `"\b"` meant as a word boundary).
        let p = p.replace('\u{0008}', r"\b");
        RegexBuilder::new(&p)
            .case_insensitive(true)
            .size_limit(PATTERN_SIZE_LIMIT)
            .build()
            .is_ok_and(|re| re.is_match(&text))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pats(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn section_5_7_row_21_case_insensitive() {
        assert!(text_mentions(&pats(&["@openclaw"]), "Hey @OpenClaw"));
    }

    #[test]
    fn section_5_7_row_22_zero_width_stripped() {
        assert!(text_mentions(&pats(&["@openclaw"]), "@open\u{200B}claw"));
        assert!(text_mentions(&pats(&["@openclaw"]), "@open\u{202E}claw"));
        assert!(text_mentions(&pats(&["@openclaw"]), "@open\u{E0041}claw"));
    }

    #[test]
    fn invalid_patterns_never_match() {
        assert!(!text_mentions(&pats(&["("]), "("));
        assert!(!text_mentions(&pats(&[]), "anything"));
        assert!(!text_mentions(&pats(&["@openclaw"]), "hello everyone"));
    }

    #[test]
    fn backspace_is_a_word_boundary() {
        assert!(text_mentions(&pats(&["\u{0008}bot\u{0008}"]), "hi bot!"));
        assert!(!text_mentions(&pats(&["\u{0008}bot\u{0008}"]), "robots"));
    }
}
