//! Background `exec` and the `process` tool that manages background commands.
//!
//! `exec {command, env?, timeout?, background?, yieldMs?}`: with `background: true` the
//! command starts and the call returns at once with a `sessionId`; with `yieldMs` (or after
//! `tools.exec.backgroundMs` for a plain call) it returns the result if the command ended in
//! time, else the `sessionId`. Only when the tool policy allows `process` for the session (as
//! OpenClaw: otherwise `exec` runs in the foreground and ignores both). A background command
//! runs through the same seam as a foreground one — [`super::exec::ExecBackend::spawn`] (the kernel
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
mod params;
pub mod registry;
mod render;
pub mod ring;
pub mod settings;
pub mod stdin;

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use hardclaw_policy::Decision;
use serde_json::Value;
use tokio::io::AsyncWriteExt;

use super::exec::{ExecError, ExecRequest};
use super::{Permit, ToolExecutor, ToolResult};
use io::{BackgroundIo, Exit, Stream};
use params::{Action, Mode, ProcessCall, exec_env, mode};
use registry::{Entry, Owner, Started};
use render::{list_result, log_result, lossy, poll_result, running_result, status_text};
use settings::ProcessSettings;

pub use params::spec_parameters;
pub use registry::{ProcessLimits, ProcessRegistry};
pub use render::{LOG_LINES, POLL_BYTES, PREVIEW_BYTES};

/// Largest `data` of one `write`.
pub const MAX_WRITE_BYTES: usize = 64 * 1024;
/// How long `write` may wait for the command to take its input.
const WRITE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long `kill`/`remove` wait for the command to be gone.
const KILL_WAIT: Duration = Duration::from_secs(5);

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

#[cfg(test)]
mod tests;
