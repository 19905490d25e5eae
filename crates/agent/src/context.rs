//! Context trimming: when the system prompt and transcript exceed the budget (characters;
//! about 4 per token), whole old turns — a user message and everything up to the next user
//! message — are dropped, oldest first. The current turn is never dropped.

use crate::message::ChatMessage;

/// Characters per token assumed when the budget comes from a token window.
pub const CHARS_PER_TOKEN: usize = 4;

/// Returns the suffix of `messages` that fits `budget` characters alongside `system`
/// (`keep_from` = index of the current turn's user message, never dropped).
pub fn trim(system: &str, messages: &[ChatMessage], keep_from: usize, budget: usize) -> usize {
    let total: usize = system.len() + messages.iter().map(ChatMessage::chars).sum::<usize>();
    if total <= budget {
        return 0;
    }
    let mut size = total;
    let mut start = 0;
    while size > budget && start < keep_from {
        // Drop one whole turn: up to the next user message.
        let mut end = start + 1;
        while end < keep_from && !matches!(messages[end], ChatMessage::User { .. }) {
            end += 1;
        }
        size -= messages[start..end]
            .iter()
            .map(ChatMessage::chars)
            .sum::<usize>();
        start = end;
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(s: &str) -> ChatMessage {
        ChatMessage::User { content: s.into() }
    }
    fn asst(s: &str) -> ChatMessage {
        ChatMessage::Assistant {
            content: s.into(),
            tool_calls: vec![],
        }
    }
    fn tool(s: &str) -> ChatMessage {
        ChatMessage::Tool {
            call_id: "c".into(),
            name: "t".into(),
            content: s.into(),
            is_error: false,
        }
    }

    #[test]
    fn drops_whole_old_turns_only() {
        let m = vec![
            user("aaaa"),
            tool("bbbb"),
            asst("cccc"),
            user("dddd"),
            asst("eeee"),
            user("now"),
        ];
        assert_eq!(trim("", &m, 5, 1000), 0);
        // Dropping the first turn (user + tool + assistant, with 2-char overheads) fits.
        assert_eq!(trim("", &m, 5, 14), 3);
        // Nothing but the current turn fits; the current turn stays.
        assert_eq!(trim("", &m, 5, 1), 5);
    }
}
