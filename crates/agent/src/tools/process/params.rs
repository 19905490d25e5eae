//! The parameters of `exec`'s background mode and of `process` calls: what each action
//! takes (anything else is refused), and how an `exec` call runs.

use std::time::Duration;

use serde_json::{Map, Value};

use super::io::Stream;
use super::render::one_line;
use super::settings::{ProcessSettings, clamp_yield};

/// The `process` tool's parameters, as its spec says.
pub fn spec_parameters() -> Value {
    serde_json::json!({
        "type": "object",
        "properties": {
            "action": {"type": "string", "enum": ["list", "poll", "log", "write", "kill", "clear", "remove"]},
            "sessionId": {"type": "string", "description": "the id exec returned"},
            "data": {"type": "string", "description": "write: text for the command's stdin"},
            "eof": {"type": "boolean", "description": "write: close stdin afterwards"},
            "offset": {"type": "integer", "description": "log: first line (0-based); omit for the last lines"},
            "limit": {"type": "integer", "description": "log: number of lines"},
            "stream": {"type": "string", "enum": ["stdout", "stderr"], "description": "log: one stream only"}
        },
        "required": ["action"]
    })
}

/// How one `exec` call runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// As before: to the end (or the foreground timeout).
    Foreground,
    /// Through the registry; returns after `yield_for` if still running.
    Background {
        /// How long to wait for the end before returning the id.
        yield_for: Duration,
        /// Asked for (`background`/`yieldMs`): a full registry is an error, not a fallback.
        explicit: bool,
    },
}

pub(super) fn mode(
    params: &Value,
    settings: &ProcessSettings,
    process_allowed: bool,
) -> Result<Mode, String> {
    let background = match params.get("background") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("`background` must be true or false".into()),
    };
    let yield_ms = match params.get("yieldMs") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .ok_or("`yieldMs` must be a number of milliseconds")?,
        ),
    };
    if !process_allowed {
        return Ok(Mode::Foreground);
    }
    Ok(if background {
        Mode::Background {
            yield_for: Duration::ZERO,
            explicit: true,
        }
    } else if let Some(ms) = yield_ms {
        Mode::Background {
            yield_for: clamp_yield(Duration::from_millis(ms)),
            explicit: true,
        }
    } else {
        Mode::Background {
            yield_for: settings.background,
            explicit: false,
        }
    })
}

/// `exec`'s `env` parameter (sanitised later by the backend).
pub(super) fn exec_env(params: &Value) -> std::collections::BTreeMap<String, String> {
    params
        .get("env")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// The actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    List,
    Poll,
    Log,
    Write,
    Kill,
    Clear,
    Remove,
}

impl Action {
    fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "list" => Action::List,
            "poll" => Action::Poll,
            "log" => Action::Log,
            "write" => Action::Write,
            "kill" => Action::Kill,
            "clear" => Action::Clear,
            "remove" => Action::Remove,
            _ => return None,
        })
    }

    /// Parameters the action takes besides `action`.
    fn keys(self) -> &'static [&'static str] {
        match self {
            Action::List => &[],
            Action::Poll | Action::Kill | Action::Clear | Action::Remove => &["sessionId"],
            Action::Log => &["sessionId", "offset", "limit", "stream"],
            Action::Write => &["sessionId", "data", "eof"],
        }
    }
}

/// One parsed `process` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ProcessCall {
    pub(super) action: Action,
    pub(super) id: String,
    pub(super) data: String,
    pub(super) eof: bool,
    pub(super) offset: Option<usize>,
    pub(super) limit: Option<usize>,
    pub(super) stream: Option<Stream>,
}

impl ProcessCall {
    pub(super) fn parse(params: &Value) -> Result<ProcessCall, String> {
        let empty = Map::new();
        let obj = params.as_object().unwrap_or(&empty);
        let action = obj
            .get("action")
            .and_then(Value::as_str)
            .ok_or("`action` is required: list, poll, log, write, kill, clear or remove")?;
        let action = Action::parse(action).ok_or_else(|| {
            format!(
                "unknown action `{}`: list, poll, log, write, kill, clear or remove",
                one_line(action, 40)
            )
        })?;
        for key in obj.keys() {
            if key != "action" && !action.keys().contains(&key.as_str()) {
                return Err(format!(
                    "`{}` is not a parameter of process {}",
                    one_line(key, 40),
                    action_name(action)
                ));
            }
        }
        let id = match obj.get("sessionId") {
            Some(Value::String(s)) => s.clone(),
            None if action == Action::List => String::new(),
            _ => return Err("`sessionId` (a string) is required".into()),
        };
        let data = match obj.get("data") {
            None => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err("`data` must be a string".into()),
        };
        if action == Action::Write && !obj.contains_key("data") && obj.get("eof").is_none() {
            return Err("`data` is required".into());
        }
        let eof = match obj.get("eof") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err("`eof` must be true or false".into()),
        };
        let number = |k: &str| -> Result<Option<usize>, String> {
            match obj.get(k) {
                None => Ok(None),
                Some(v) => v
                    .as_u64()
                    .map(|n| Some(usize::try_from(n).unwrap_or(usize::MAX)))
                    .ok_or_else(|| format!("`{k}` must be a non-negative integer")),
            }
        };
        let stream = match obj.get("stream").map(|v| v.as_str()) {
            None => None,
            Some(Some("stdout")) => Some(Stream::Stdout),
            Some(Some("stderr")) => Some(Stream::Stderr),
            Some(_) => return Err("`stream` must be stdout or stderr".into()),
        };
        Ok(ProcessCall {
            action,
            id,
            data,
            eof,
            offset: number("offset")?,
            limit: number("limit")?,
            stream,
        })
    }
}

fn action_name(a: Action) -> &'static str {
    match a {
        Action::List => "list",
        Action::Poll => "poll",
        Action::Log => "log",
        Action::Write => "write",
        Action::Kill => "kill",
        Action::Clear => "clear",
        Action::Remove => "remove",
    }
}
