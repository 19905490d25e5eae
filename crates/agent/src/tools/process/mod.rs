//! Background `exec` and the `process` tool that manages background commands.
//!
//! `exec {command, env?, timeout?, background?, yieldMs?}`: with `background: true` the
//! command starts and the call returns at once with a `sessionId`; with `yieldMs` (or after
//! `tools.exec.backgroundMs` for a plain call) it returns the result if the command ended in
//! time, else the `sessionId`. Only when the tool policy allows `process` for the session (as
//! OpenClaw: otherwise `exec` runs in the foreground and ignores both). A background command
//! runs through the same seam as a foreground one — [`ExecBackend::spawn`] (the kernel
//! sandbox, refusing rather than falling back) unless `sandbox.mode` is explicitly `"off"`,
//! then [`host::spawn_on_host`] — after the same guards ran on the same `command`.
//!
//! `process {action, sessionId?, data?, eof?, offset?, limit?, stream?}`:
//!
//! | action | what |
//! |---|---|
//! | `list` | the session's background commands |
//! | `poll` | status and the output since the last poll (at most [`POLL_BYTES`] per stream per call) |
//! | `log` | a window of lines of the kept output (`offset`, `limit`; no `offset`: the last lines) |
//! | `write` | `data` to its stdin (`eof: true` closes it) — only to commands that read data ([`stdin`]) |
//! | `kill` | kill the whole sandbox / process group |
//! | `clear` | forget a finished command |
//! | `remove` | kill if running, then forget |
//!
//! A `process` call starts nothing: every action but `write` runs no text at all, and the only
//! text `write` sends is `data`, which the guards judged as shell text
//! (`hardclaw_policy::command_guard::command_input`). Parameters an action does not take are
//! refused, so nothing the guards did not see can ride along.

pub mod host;
pub mod io;
pub mod registry;
pub mod ring;
pub mod settings;
pub mod stdin;

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use hardclaw_policy::Decision;
use serde_json::{Map, Value};
use tokio::io::AsyncWriteExt;

use super::exec::{ExecError, ExecRequest};
use super::{Permit, ToolExecutor, ToolResult};
use io::{BackgroundIo, Exit, Stream};
use registry::{Entry, Owner, Started};
use settings::{ProcessSettings, clamp_yield};

pub use registry::{ProcessLimits, ProcessRegistry};

/// Bytes of each stream one `poll` returns at most (the rest waits for the next poll).
pub const POLL_BYTES: usize = 24 * 1024;
/// Bytes of each stream shown when a command goes to the background.
pub const PREVIEW_BYTES: usize = 2 * 1024;
/// Largest `data` of one `write`.
pub const MAX_WRITE_BYTES: usize = 64 * 1024;
/// Lines `log` returns by default, and at most.
pub const LOG_LINES: (usize, usize) = (200, 2000);
/// How long `write` may wait for the command to take its input.
const WRITE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long `kill`/`remove` wait for the command to be gone.
const KILL_WAIT: Duration = Duration::from_secs(5);

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
enum Mode {
    /// As before: to the end (or the foreground timeout).
    Foreground,
    /// Through the registry; returns after `yield_for` if still running.
    Background {
        yield_for: Duration,
        /// Asked for (`background`/`yieldMs`): a full registry is an error, not a fallback.
        explicit: bool,
    },
}

fn mode(params: &Value, settings: &ProcessSettings, process_allowed: bool) -> Result<Mode, String> {
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
fn exec_env(params: &Value) -> std::collections::BTreeMap<String, String> {
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

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn status_text(entry: &Entry) -> String {
    match entry.io.exit() {
        None => "running".into(),
        Some(e) => e.describe(),
    }
}

fn runtime(entry: &Entry) -> String {
    let end = entry.io.ended_at().unwrap_or_else(std::time::Instant::now);
    format!(
        "{:.1}s",
        end.saturating_duration_since(entry.started).as_secs_f64()
    )
}

fn one_line(command: &str, max: usize) -> String {
    let flat: String = command
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() > max {
        flat.chars().take(max).collect::<String>() + "…"
    } else {
        flat
    }
}

impl ToolExecutor {
    /// Uses `registry` for background commands instead of this executor's own (the gateway
    /// shares one across turns, so a session's commands outlive the turn that started them).
    #[must_use]
    pub fn with_processes(mut self, registry: Arc<ProcessRegistry>) -> ToolExecutor {
        self.processes = registry;
        self
    }

    /// The background-command registry.
    pub fn processes(&self) -> &Arc<ProcessRegistry> {
        &self.processes
    }

    fn owner(&self) -> Owner {
        Owner {
            agent_id: self.agent_id.clone(),
            session_key: self.session_key.clone(),
        }
    }

    fn process_allowed(&self) -> bool {
        let ctx = hardclaw_policy::PolicyContext::new(&self.agent_id).session(&self.session_key);
        hardclaw_policy::resolve(&self.config, &ctx).is_ok_and(|e| e.is_allowed("process"))
    }

    /// `exec` through the registry, when the call goes to the background (or may). `None`:
    /// run it in the foreground as before.
    pub(super) async fn exec_background(&self, permit: &Permit) -> Option<ToolResult> {
        let p = &permit.params;
        let settings = ProcessSettings::from_config(&self.config, &self.agent_id);
        let (yield_for, explicit) = match mode(p, &settings, self.process_allowed()) {
            Err(e) => return Some(ToolResult::error(format!("error: {e}"))),
            Ok(Mode::Foreground) => return None,
            Ok(Mode::Background {
                yield_for,
                explicit,
            }) => (yield_for, explicit),
        };
        let reservation = match self.processes.reserve(&self.owner()) {
            Ok(r) => r,
            Err(_) if !explicit => return None,
            Err(e) => return Some(ToolResult::error(format!("error: {e}"))),
        };
        let command = p
            .get("command")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let timeout = settings.call_timeout(p.get("timeout").and_then(Value::as_u64));
        let req = ExecRequest {
            command: command.clone(),
            cwd: self.workspace.root().to_path_buf(),
            env: exec_env(p),
            timeout,
            output_cap: 0,
        };
        let io = BackgroundIo::new(self.processes.limits().ring_bytes);
        let spawned = if self.host_exec {
            host::spawn_on_host(req, Arc::clone(&io)).await
        } else {
            self.backend.spawn(req, Arc::clone(&io)).await
        };
        let spawned = match spawned {
            Ok(s) => s,
            Err(ExecError::BackgroundUnsupported) if !explicit => return None,
            Err(e) => return Some(ToolResult::error(format!("error: {e}"))),
        };
        let stdin_verdict = stdin::judge(&command);
        let entry = reservation.commit(Started {
            command,
            io: Arc::clone(&io),
            spawned,
            stdin_verdict,
            cleanup: settings.cleanup,
        });
        if !yield_for.is_zero()
            && let Some(exit) = io.wait(yield_for).await
        {
            // Ended in time: a foreground result, and nothing left to manage.
            self.processes.remove(&self.owner(), &entry.id);
            return Some(self.finished_result(&entry, &exit, timeout));
        }
        Some(running_result(&entry))
    }

    /// A command that ended within its yield, shown like a foreground `exec`.
    fn finished_result(&self, entry: &Entry, exit: &Exit, timeout: Duration) -> ToolResult {
        let cap = self.limits.exec_output_cap;
        let mut text = String::new();
        if exit.timed_out {
            let _ = writeln!(
                text,
                "[timed out after {}s; process group killed]",
                timeout.as_secs()
            );
        }
        let _ = writeln!(
            text,
            "exit: {}",
            exit.code.map_or("signal".to_string(), |c| c.to_string())
        );
        let mut truncated = false;
        for stream in [Stream::Stdout, Stream::Stderr] {
            let (bytes, cut) = entry.io.with_ring(stream, |r| {
                let from = r.total().saturating_sub(cap as u64);
                let s = r.read_from(from, cap);
                (s.bytes, from > 0)
            });
            truncated |= cut;
            if stream == Stream::Stderr && !bytes.is_empty() {
                text.push_str("\n[stderr]\n");
            }
            text.push_str(&lossy(&bytes));
        }
        if truncated {
            text.push_str("\n[output truncated: the last bytes are shown]");
        }
        ToolResult {
            content: text,
            is_error: !exit.success(),
            blocked: false,
        }
    }

    /// Runs a permitted `process` call.
    pub(super) async fn process(&self, permit: &Permit) -> ToolResult {
        let call = match ProcessCall::parse(&permit.params) {
            Ok(c) => c,
            Err(e) => return ToolResult::error(format!("error: {e}")),
        };
        let owner = self.owner();
        if call.action == Action::List {
            return list_result(&self.processes.list(&owner));
        }
        let Some(entry) = self.processes.get(&owner, &call.id) else {
            return ToolResult::error(format!("error: no such process: {}", call.id));
        };
        match call.action {
            Action::List => list_result(&self.processes.list(&owner)),
            Action::Poll => poll_result(&entry),
            Action::Log => log_result(&entry, &call),
            Action::Write => self.write(&entry, &call).await,
            Action::Kill => {
                if !entry.running() {
                    return ToolResult::ok(format!(
                        "{} is not running ({})",
                        entry.id,
                        status_text(&entry)
                    ));
                }
                kill(&entry).await
            }
            Action::Clear => {
                if entry.running() {
                    return ToolResult::error(format!(
                        "error: {} is still running: kill it first, or use remove",
                        entry.id
                    ));
                }
                self.processes.remove(&owner, &entry.id);
                ToolResult::ok(format!("cleared {}", entry.id))
            }
            Action::Remove => {
                if entry.running() {
                    let killed = kill(&entry).await;
                    if killed.is_error {
                        return killed;
                    }
                }
                self.processes.remove(&owner, &entry.id);
                ToolResult::ok(format!("removed {}", entry.id))
            }
        }
    }

    async fn write(&self, entry: &Entry, call: &ProcessCall) -> ToolResult {
        if let Err(reason) = &entry.stdin_verdict {
            let d = Decision::block(
                "process",
                "stdin-not-data",
                format!("writing to the input of {} is refused: {reason}", entry.id),
            );
            // Refused whether or not the log can be written.
            let _ = self.log("process", &d);
            return ToolResult::blocked(&d);
        }
        if !entry.running() {
            return ToolResult::error(format!(
                "error: {} is not running ({})",
                entry.id,
                status_text(entry)
            ));
        }
        if call.data.len() > MAX_WRITE_BYTES {
            return ToolResult::error(format!(
                "error: data is {} bytes; at most {MAX_WRITE_BYTES} per write",
                call.data.len()
            ));
        }
        let mut stdin = entry.stdin.lock().await;
        let Some(w) = stdin.as_mut() else {
            return ToolResult::error(format!("error: the input of {} is closed", entry.id));
        };
        let written = tokio::time::timeout(WRITE_TIMEOUT, async {
            w.write_all(call.data.as_bytes()).await?;
            w.flush().await
        })
        .await;
        match written {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                *stdin = None;
                return ToolResult::error(format!(
                    "error: cannot write to {}: {e} (its input is now closed)",
                    entry.id
                ));
            }
            Err(_) => {
                return ToolResult::error(format!(
                    "error: {} is not reading its input (write timed out after {}s)",
                    entry.id,
                    WRITE_TIMEOUT.as_secs()
                ));
            }
        }
        let mut text = format!("wrote {} bytes to {}", call.data.len(), entry.id);
        if call.eof {
            *stdin = None;
            text.push_str("; stdin closed");
        }
        ToolResult::ok(text)
    }
}

async fn kill(entry: &Entry) -> ToolResult {
    entry.io.cancel();
    match entry.io.wait(KILL_WAIT).await {
        Some(exit) => ToolResult::ok(format!("killed {} ({})", entry.id, exit.describe())),
        None => ToolResult::error(format!(
            "error: {} did not stop within {}s; it will be killed as soon as possible",
            entry.id,
            KILL_WAIT.as_secs()
        )),
    }
}

fn running_result(entry: &Entry) -> ToolResult {
    let mut text = format!(
        "status: running\nsessionId: {}\ncommand: {}\n",
        entry.id,
        one_line(&entry.command, 200)
    );
    let mut whole = true;
    let mut cursors = [0u64; 2];
    for (i, stream) in [Stream::Stdout, Stream::Stderr].into_iter().enumerate() {
        let (tail, from, end) = entry.io.with_ring(stream, |r| {
            let from = r.total().saturating_sub(PREVIEW_BYTES as u64);
            let s = r.read_from(from, PREVIEW_BYTES);
            (s.bytes, from, s.next)
        });
        whole &= from == 0;
        cursors[i] = end;
        if !tail.is_empty() {
            let _ = write!(text, "[{} so far]\n{}\n", stream.name(), lossy(&tail));
        }
    }
    if whole {
        // Everything so far was shown: the next poll starts after it.
        *entry.cursors.lock().unwrap_or_else(|p| p.into_inner()) = cursors;
    }
    text.push_str("Use the process tool with this sessionId: poll (new output), log, write, kill.");
    ToolResult::ok(text)
}

fn list_result(entries: &[Arc<Entry>]) -> ToolResult {
    if entries.is_empty() {
        return ToolResult::ok("no background processes".into());
    }
    let mut text = String::new();
    for e in entries {
        let _ = writeln!(
            text,
            "{}  {}  {}  {}",
            e.id,
            status_text(e),
            runtime(e),
            one_line(&e.command, 80)
        );
    }
    ToolResult::ok(text)
}

fn poll_result(entry: &Entry) -> ToolResult {
    // The exit is read before the output, so a command reported as ended has all its
    // output in the rings already.
    let exit = entry.io.exit();
    let mut text = format!(
        "sessionId: {}\nstatus: {}\nruntime: {}\n",
        entry.id,
        exit.as_ref().map_or("running".into(), Exit::describe),
        runtime(entry)
    );
    let mut cursors = entry.cursors.lock().unwrap_or_else(|p| p.into_inner());
    let (mut any, mut pending) = (false, false);
    for (i, stream) in [Stream::Stdout, Stream::Stderr].into_iter().enumerate() {
        let (slice, total) = entry
            .io
            .with_ring(stream, |r| (r.read_from(cursors[i], POLL_BYTES), r.total()));
        if slice.dropped > 0 {
            let _ = writeln!(
                text,
                "[{} bytes of {} were dropped before this: each stream keeps its last {} bytes]",
                slice.dropped,
                stream.name(),
                entry.io.with_ring(stream, |r| r.total() - r.start())
            );
        }
        if !slice.bytes.is_empty() {
            any = true;
            let _ = write!(text, "[{}]\n{}\n", stream.name(), lossy(&slice.bytes));
        }
        pending |= slice.next < total;
        cursors[i] = slice.next;
    }
    if !any {
        text.push_str("(no new output)\n");
    }
    if pending {
        text.push_str("[more output pending: poll again]\n");
    }
    ToolResult {
        content: text,
        is_error: exit.as_ref().is_some_and(|e| !e.success()),
        blocked: false,
    }
}

fn log_result(entry: &Entry, call: &ProcessCall) -> ToolResult {
    let mut text = format!("sessionId: {}\nstatus: {}\n", entry.id, status_text(entry));
    let streams: Vec<Stream> = match call.stream {
        Some(s) => vec![s],
        None => vec![Stream::Stdout, Stream::Stderr],
    };
    for stream in streams {
        let (kept, dropped) = entry.io.with_ring(stream, |r| (r.contents(), r.start()));
        let kept = lossy(&kept);
        let lines: Vec<&str> = kept.lines().collect();
        let limit = call.limit.unwrap_or(LOG_LINES.0).clamp(1, LOG_LINES.1);
        let start = match call.offset {
            Some(o) => o.min(lines.len()),
            None => lines.len().saturating_sub(limit),
        };
        let end = (start + limit).min(lines.len());
        let _ = write!(
            text,
            "[{}] lines {}-{} of {}",
            stream.name(),
            start,
            end,
            lines.len()
        );
        if dropped > 0 {
            let _ = write!(text, " ({dropped} earlier bytes dropped)");
        }
        text.push('\n');
        for l in &lines[start..end] {
            text.push_str(l);
            text.push('\n');
        }
    }
    ToolResult::ok(text)
}

/// The actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
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
struct ProcessCall {
    action: Action,
    id: String,
    data: String,
    eof: bool,
    offset: Option<usize>,
    limit: Option<usize>,
    stream: Option<Stream>,
}

impl ProcessCall {
    fn parse(params: &Value) -> Result<ProcessCall, String> {
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

#[cfg(test)]
mod tests;
