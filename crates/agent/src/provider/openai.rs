//! OpenAI chat completions: the request body, the JSON answer, and the SSE stream
//! (`data:` chunks with `choices[0].delta.{content, tool_calls}`, `usage`, `[DONE]`).

use serde_json::{Value, json};

use crate::message::{ChatMessage, ModelRequest, ToolCall, Usage, parse_arguments};

/// The request body.
pub fn body(model: &str, req: &ModelRequest<'_>, stream: bool) -> Value {
    let mut messages = vec![json!({"role": "system", "content": req.system})];
    for m in req.messages {
        messages.push(match m {
            ChatMessage::User { content } => json!({"role": "user", "content": content}),
            ChatMessage::Assistant {
                content,
                tool_calls,
            } => {
                let mut v = json!({"role": "assistant", "content": content});
                if !tool_calls.is_empty() {
                    v["tool_calls"] = tool_calls
                        .iter()
                        .map(|c| {
                            json!({"id": c.id, "type": "function",
                                   "function": {"name": c.name, "arguments": c.arguments.to_string()}})
                        })
                        .collect();
                }
                v
            }
            ChatMessage::Tool {
                call_id, content, ..
            } => json!({"role": "tool", "tool_call_id": call_id, "content": content}),
        });
    }
    let mut body = json!({"model": model, "messages": messages, "max_tokens": req.max_tokens});
    if !req.tools.is_empty() {
        body["tools"] = req
            .tools
            .iter()
            .map(|t| {
                json!({"type": "function", "function":
                    {"name": t.name, "description": t.description, "parameters": t.parameters}})
            })
            .collect();
    }
    if stream {
        body["stream"] = json!(true);
        body["stream_options"] = json!({"include_usage": true});
    }
    body
}

fn usage(v: &Value) -> Usage {
    Usage {
        input_tokens: v["prompt_tokens"].as_u64().unwrap_or(0),
        output_tokens: v["completion_tokens"].as_u64().unwrap_or(0),
    }
}

/// Text, calls, usage, finish reason.
pub type Parsed = (String, Vec<ToolCall>, Usage, Option<String>);

/// A non-streamed answer.
pub fn parse_json(v: &Value) -> Result<Parsed, String> {
    let choice = v["choices"].get(0).ok_or("no choices")?;
    let msg = &choice["message"];
    let text = msg["content"].as_str().unwrap_or("").to_string();
    let mut calls = Vec::new();
    for c in msg["tool_calls"].as_array().into_iter().flatten() {
        calls.push(ToolCall {
            id: c["id"].as_str().unwrap_or("").to_string(),
            name: c["function"]["name"]
                .as_str()
                .ok_or("tool call without a name")?
                .to_string(),
            arguments: parse_arguments(c["function"]["arguments"].as_str().unwrap_or("")),
        });
    }
    Ok((
        text,
        calls,
        usage(&v["usage"]),
        choice["finish_reason"].as_str().map(str::to_string),
    ))
}

/// Accumulates a streamed answer.
#[derive(Debug, Default)]
pub struct StreamState {
    text: String,
    /// index → (id, name, argument text)
    calls: Vec<(String, String, String)>,
    usage: Usage,
    finish: Option<String>,
    done: bool,
}

impl StreamState {
    /// One `data:` payload. Returns whether the stream is finished.
    pub fn on_data(&mut self, data: &str, on_text: &mut dyn FnMut(&str)) -> Result<bool, String> {
        if data.trim() == "[DONE]" {
            self.done = true;
            return Ok(true);
        }
        let v: Value = serde_json::from_str(data).map_err(|e| format!("bad chunk: {e}"))?;
        if let Some(err) = v.get("error") {
            return Err(format!(
                "stream error: {}",
                err["message"].as_str().unwrap_or("")
            ));
        }
        if v["usage"].is_object() {
            self.usage = usage(&v["usage"]);
        }
        if let Some(choice) = v["choices"].get(0) {
            let delta = &choice["delta"];
            if let Some(t) = delta["content"].as_str().filter(|t| !t.is_empty()) {
                self.text.push_str(t);
                on_text(t);
            }
            for c in delta["tool_calls"].as_array().into_iter().flatten() {
                let index = c["index"].as_u64().unwrap_or(0) as usize;
                if index > 128 {
                    return Err("tool call index out of range".into());
                }
                while self.calls.len() <= index {
                    self.calls.push(Default::default());
                }
                let slot = &mut self.calls[index];
                if let Some(id) = c["id"].as_str() {
                    slot.0 = id.to_string();
                }
                if let Some(n) = c["function"]["name"].as_str() {
                    slot.1.push_str(n);
                }
                if let Some(a) = c["function"]["arguments"].as_str() {
                    slot.2.push_str(a);
                }
            }
            if let Some(f) = choice["finish_reason"].as_str() {
                self.finish = Some(f.to_string());
            }
        }
        Ok(false)
    }

    /// The answer, once the stream ended.
    pub fn finish(self) -> Result<Parsed, String> {
        if !self.done && self.finish.is_none() {
            return Err("stream ended before [DONE]".into());
        }
        let mut calls = Vec::new();
        for (i, (id, name, args)) in self.calls.into_iter().enumerate() {
            if name.is_empty() {
                return Err(format!("tool call {i} has no name"));
            }
            calls.push(ToolCall {
                id,
                name,
                arguments: parse_arguments(&args),
            });
        }
        Ok((self.text, calls, self.usage, self.finish))
    }
}
