//! The provider-neutral conversation: messages, tool calls, tool specs, token usage.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One tool call the model asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The provider's call id (echoed back with the result).
    pub id: String,
    /// The tool name as the model wrote it.
    pub name: String,
    /// The arguments (a JSON object; `{"_raw": text}` when the model sent invalid JSON).
    pub arguments: Value,
}

/// One message of a transcript (the system prompt is kept apart).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum ChatMessage {
    /// From the person.
    User {
        /// Text.
        content: String,
    },
    /// From the model: text and/or tool calls.
    Assistant {
        /// Text (may be empty when the model only calls tools).
        content: String,
        /// Tool calls, in order.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<ToolCall>,
    },
    /// A tool's result, fed back to the model.
    Tool {
        /// The call it answers.
        call_id: String,
        /// The tool's name.
        name: String,
        /// What the model sees.
        content: String,
        /// The call failed or was blocked.
        #[serde(default)]
        is_error: bool,
    },
}

impl ChatMessage {
    /// The store's role column.
    pub fn role(&self) -> &'static str {
        match self {
            ChatMessage::User { .. } => "user",
            ChatMessage::Assistant { .. } => "assistant",
            ChatMessage::Tool { .. } => "tool",
        }
    }

    /// Approximate size, for context budgeting.
    pub fn chars(&self) -> usize {
        match self {
            ChatMessage::User { content } => content.len(),
            ChatMessage::Assistant {
                content,
                tool_calls,
            } => {
                content.len()
                    + tool_calls
                        .iter()
                        .map(|c| c.name.len() + c.arguments.to_string().len() + c.id.len())
                        .sum::<usize>()
            }
            ChatMessage::Tool {
                call_id,
                name,
                content,
                ..
            } => call_id.len() + name.len() + content.len(),
        }
    }
}

/// A tool offered to the model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolSpec {
    /// Name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// JSON Schema of the arguments.
    pub parameters: Value,
}

/// Tokens spent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// Prompt tokens.
    pub input_tokens: u64,
    /// Completion tokens.
    pub output_tokens: u64,
}

impl Usage {
    /// Adds another call's usage.
    pub fn add(&mut self, other: Usage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
    }
}

/// What one model call needs.
#[derive(Debug, Clone, Copy)]
pub struct ModelRequest<'a> {
    /// The system prompt.
    pub system: &'a str,
    /// The transcript to send.
    pub messages: &'a [ChatMessage],
    /// Tools offered.
    pub tools: &'a [ToolSpec],
    /// Completion cap.
    pub max_tokens: u32,
}

/// One model answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelReply {
    /// `provider/model` that answered.
    pub model: String,
    /// The text.
    pub text: String,
    /// Tool calls, in order.
    pub tool_calls: Vec<ToolCall>,
    /// Tokens.
    pub usage: Usage,
    /// The provider's stop / finish reason.
    pub stop_reason: Option<String>,
}

/// Parses tool-call argument text; invalid JSON is kept as `{"_raw": text}` so the guards
/// still see (and block on) what the model wrote.
pub(crate) fn parse_arguments(text: &str) -> Value {
    if text.trim().is_empty() {
        return Value::Object(Default::default());
    }
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::json!({ "_raw": text }))
}
