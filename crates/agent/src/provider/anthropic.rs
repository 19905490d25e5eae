//! Anthropic Messages: the request body, the JSON answer, and the SSE events
//! (`message_start`, `content_block_start`, `content_block_delta` with `text_delta` /
//! `input_json_delta`, `content_block_stop`, `message_delta`, `message_stop`, `ping`,
//! `error`).

use serde_json::{Value, json};

use crate::message::{ChatMessage, ModelRequest, ToolCall, Usage, parse_arguments};

/// `anthropic-version` sent with every request.
pub const VERSION: &str = "2023-06-01";

/// The request body. Consecutive tool results go into one `user` message, as the API requires.
pub fn body(model: &str, req: &ModelRequest<'_>, stream: bool) -> Value {
    let mut messages: Vec<Value> = Vec::new();
    for m in req.messages {
        match m {
            ChatMessage::User { content } => {
                messages.push(json!({"role": "user", "content": content}));
            }
            ChatMessage::Assistant {
                content,
                tool_calls,
            } => {
                let mut blocks = Vec::new();
                if !content.is_empty() {
                    blocks.push(json!({"type": "text", "text": content}));
                }
                for c in tool_calls {
                    blocks.push(json!({"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments}));
                }
                if blocks.is_empty() {
                    blocks.push(json!({"type": "text", "text": ""}));
                }
                messages.push(json!({"role": "assistant", "content": blocks}));
            }
            ChatMessage::Tool {
                call_id,
                content,
                is_error,
                ..
            } => {
                let block = json!({"type": "tool_result", "tool_use_id": call_id,
                                   "content": content, "is_error": is_error});
                let merge = messages.last().is_some_and(|last| {
                    last["role"] == "user"
                        && last["content"]
                            .as_array()
                            .is_some_and(|blocks| blocks.iter().all(|b| b["type"] == "tool_result"))
                });
                match messages.last_mut() {
                    Some(last) if merge => {
                        if let Some(blocks) = last["content"].as_array_mut() {
                            blocks.push(block);
                        }
                    }
                    _ => messages.push(json!({"role": "user", "content": [block]})),
                }
            }
        }
    }
    let mut body = json!({"model": model, "max_tokens": req.max_tokens,
                          "system": req.system, "messages": messages});
    if !req.tools.is_empty() {
        body["tools"] = req
            .tools
            .iter()
            .map(|t| json!({"name": t.name, "description": t.description, "input_schema": t.parameters}))
            .collect();
    }
    if stream {
        body["stream"] = json!(true);
    }
    body
}

/// Text, calls, usage, stop reason.
pub type Parsed = (String, Vec<ToolCall>, Usage, Option<String>);

/// A non-streamed answer.
pub fn parse_json(v: &Value) -> Result<Parsed, String> {
    let blocks = v["content"].as_array().ok_or("no content")?;
    let mut text = String::new();
    let mut calls = Vec::new();
    for b in blocks {
        match b["type"].as_str() {
            Some("text") => text.push_str(b["text"].as_str().unwrap_or("")),
            Some("tool_use") => calls.push(ToolCall {
                id: b["id"].as_str().unwrap_or("").to_string(),
                name: b["name"]
                    .as_str()
                    .ok_or("tool_use without a name")?
                    .to_string(),
                arguments: b["input"].clone(),
            }),
            _ => {}
        }
    }
    let usage = Usage {
        input_tokens: v["usage"]["input_tokens"].as_u64().unwrap_or(0),
        output_tokens: v["usage"]["output_tokens"].as_u64().unwrap_or(0),
    };
    Ok((
        text,
        calls,
        usage,
        v["stop_reason"].as_str().map(str::to_string),
    ))
}

#[derive(Debug)]
enum Block {
    Text,
    Tool {
        id: String,
        name: String,
        json: String,
    },
    Other,
}

/// Accumulates a streamed answer.
#[derive(Debug, Default)]
pub struct StreamState {
    text: String,
    blocks: Vec<(u64, Block)>,
    usage: Usage,
    stop: Option<String>,
    done: bool,
}

impl StreamState {
    /// One event. Returns whether the message is finished.
    pub fn on_event(
        &mut self,
        event: Option<&str>,
        data: &str,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<bool, String> {
        let v: Value = serde_json::from_str(data).map_err(|e| format!("bad event: {e}"))?;
        let kind = event.or(v["type"].as_str()).unwrap_or("");
        match kind {
            "message_start" => {
                let u = &v["message"]["usage"];
                self.usage.input_tokens = u["input_tokens"].as_u64().unwrap_or(0);
                self.usage.output_tokens = u["output_tokens"].as_u64().unwrap_or(0);
            }
            "content_block_start" => {
                let index = v["index"].as_u64().unwrap_or(0);
                let b = &v["content_block"];
                let block = match b["type"].as_str() {
                    Some("text") => {
                        if let Some(t) = b["text"].as_str().filter(|t| !t.is_empty()) {
                            self.text.push_str(t);
                            on_text(t);
                        }
                        Block::Text
                    }
                    Some("tool_use") => Block::Tool {
                        id: b["id"].as_str().unwrap_or("").to_string(),
                        name: b["name"].as_str().unwrap_or("").to_string(),
                        json: String::new(),
                    },
                    _ => Block::Other,
                };
                if self.blocks.len() > 128 {
                    return Err("too many content blocks".into());
                }
                self.blocks.push((index, block));
            }
            "content_block_delta" => {
                let index = v["index"].as_u64().unwrap_or(0);
                let d = &v["delta"];
                let block = self
                    .blocks
                    .iter_mut()
                    .rev()
                    .find(|(i, _)| *i == index)
                    .map(|(_, b)| b)
                    .ok_or("delta for a block that was not started")?;
                match (d["type"].as_str(), block) {
                    (Some("text_delta"), Block::Text) => {
                        let t = d["text"].as_str().unwrap_or("");
                        self.text.push_str(t);
                        on_text(t);
                    }
                    (Some("input_json_delta"), Block::Tool { json, .. }) => {
                        json.push_str(d["partial_json"].as_str().unwrap_or(""));
                    }
                    _ => {}
                }
            }
            "message_delta" => {
                if let Some(s) = v["delta"]["stop_reason"].as_str() {
                    self.stop = Some(s.to_string());
                }
                if let Some(o) = v["usage"]["output_tokens"].as_u64() {
                    self.usage.output_tokens = o;
                }
                if let Some(i) = v["usage"]["input_tokens"].as_u64() {
                    self.usage.input_tokens = i;
                }
            }
            "message_stop" => {
                self.done = true;
                return Ok(true);
            }
            "error" => {
                return Err(format!(
                    "stream error: {}",
                    v["error"]["message"].as_str().unwrap_or("")
                ));
            }
            _ => {}
        }
        Ok(false)
    }

    /// The answer, once `message_stop` arrived.
    pub fn finish(self) -> Result<Parsed, String> {
        if !self.done {
            return Err("stream ended before message_stop".into());
        }
        let mut calls = Vec::new();
        for (_, b) in self.blocks {
            if let Block::Tool { id, name, json } = b {
                if name.is_empty() {
                    return Err("tool_use without a name".into());
                }
                calls.push(ToolCall {
                    id,
                    name,
                    arguments: parse_arguments(&json),
                });
            }
        }
        Ok((self.text, calls, self.usage, self.stop))
    }
}
