//! `exec`: on the host only when the agent's `sandbox.mode` is explicitly `off`; otherwise
//! through an [`ExecBackend`] — [`super::sandbox_exec::SandboxBackend`], the kernel sandbox.
//! Without a backend every call fails closed with [`ExecError::SandboxNotWired`].
//!
//! Host runs: `/bin/sh -c COMMAND` in the workspace, environment cleared and rebuilt from
//! `sanitize_exec_env(params.env)` plus a fixed `PATH`, `HOME` = the workspace; own process
//! group, killed as a group on timeout; stdout and stderr capped.
//!
//! Background commands (`exec` with `background`/`yieldMs`, managed by the `process` tool) go
//! through the same seam: [`ExecBackend::spawn`] (the sandbox) or
//! [`super::process::host::spawn_on_host`] (sandbox off), with the same environment rules.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use hardclaw_policy::command_guard::sanitize_exec_env;
use serde_json::Value;
use tokio::io::AsyncReadExt;

use super::process::io::{BackgroundIo, Spawned};
use super::{Permit, ToolResult};

/// `PATH` for host commands.
pub const HOST_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// One command to run.
#[derive(Debug, Clone)]
pub struct ExecRequest {
    /// Shell text.
    pub command: String,
    /// Working directory (the workspace).
    pub cwd: PathBuf,
    /// Extra environment as the model asked (sanitised before use).
    pub env: BTreeMap<String, String>,
    /// Wall-clock limit.
    pub timeout: Duration,
    /// Bytes kept of stdout and of stderr each.
    pub output_cap: usize,
}

/// What a command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutput {
    /// Exit code (None when killed by a signal).
    pub code: Option<i32>,
    /// Stdout (lossy UTF-8, capped).
    pub stdout: String,
    /// Stderr (lossy UTF-8, capped).
    pub stderr: String,
    /// Killed at the timeout.
    pub timed_out: bool,
    /// Output was cut at the cap.
    pub truncated: bool,
}

/// Why a command did not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExecError {
    /// Sandboxed exec is not available yet.
    #[error("sandbox backend not wired yet: exec refused (sandbox.mode is not \"off\")")]
    SandboxNotWired,
    /// The process could not be started.
    #[error("cannot start the command: {0}")]
    Spawn(String),
    /// The sandbox could not be fully applied, so the command did not run (never on the host).
    #[error("sandbox refused: {0}")]
    Refused(String),
    /// This backend cannot run commands in the background.
    #[error("this exec backend cannot run commands in the background")]
    BackgroundUnsupported,
}

/// Runs commands somewhere other than the host (the sandbox).
pub trait ExecBackend: Send + Sync + std::fmt::Debug {
    /// Runs one command.
    fn run(
        &self,
        req: ExecRequest,
    ) -> Pin<Box<dyn Future<Output = Result<ExecOutput, ExecError>> + Send + '_>>;

    /// Starts one command in the background and resolves once it runs (for the sandbox: once
    /// the sandbox is fully applied — a refusal is an error, never a host fallback). Output
    /// goes to `io` as it arrives; `io`'s cancel flag and `req.timeout` kill the whole sandbox
    /// or process group; the end is recorded with [`BackgroundIo::finish`]. `output_cap` is
    /// unused (the rings in `io` cap the output). Default: refused.
    fn spawn(
        &self,
        req: ExecRequest,
        io: Arc<BackgroundIo>,
    ) -> Pin<Box<dyn Future<Output = Result<Spawned, ExecError>> + Send + '_>> {
        let _ = (req, io);
        Box::pin(async { Err(ExecError::BackgroundUnsupported) })
    }
}

/// The backend until the sandbox is wired: refuses everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnwiredSandbox;

impl ExecBackend for UnwiredSandbox {
    fn run(
        &self,
        _req: ExecRequest,
    ) -> Pin<Box<dyn Future<Output = Result<ExecOutput, ExecError>> + Send + '_>> {
        Box::pin(async { Err(ExecError::SandboxNotWired) })
    }

    fn spawn(
        &self,
        _req: ExecRequest,
        _io: Arc<BackgroundIo>,
    ) -> Pin<Box<dyn Future<Output = Result<Spawned, ExecError>> + Send + '_>> {
        Box::pin(async { Err(ExecError::SandboxNotWired) })
    }
}

async fn read_capped<R: tokio::io::AsyncRead + Unpin>(mut r: R, cap: usize) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    let mut truncated = false;
    loop {
        match r.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = cap.saturating_sub(out.len());
                if n > room {
                    truncated = true;
                }
                out.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
    (out, truncated)
}

/// `/bin/sh -c COMMAND` on the host: in the workspace, the environment cleared and rebuilt
/// from the sanitised request env plus a fixed `PATH` and `HOME` = the workspace, its own
/// process group (killed as a group), stdout and stderr piped.
pub(crate) fn host_command(req: &ExecRequest, stdin: Stdio) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new("/bin/sh");
    cmd.arg("-c")
        .arg(&req.command)
        .current_dir(&req.cwd)
        .env_clear()
        .envs(sanitize_exec_env(&req.env))
        .env("PATH", HOST_PATH)
        .env("HOME", &req.cwd)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    cmd
}

/// Runs `req` on the host.
pub async fn run_on_host(req: ExecRequest) -> Result<ExecOutput, ExecError> {
    let mut cmd = host_command(&req, Stdio::null());
    let mut child = cmd.spawn().map_err(|e| ExecError::Spawn(e.to_string()))?;
    let pgid = child
        .id()
        .and_then(|id| rustix::process::Pid::from_raw(id as i32));
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let cap = req.output_cap;
    let out_task = tokio::spawn(async move {
        match stdout {
            Some(s) => read_capped(s, cap).await,
            None => (Vec::new(), false),
        }
    });
    let err_task = tokio::spawn(async move {
        match stderr {
            Some(s) => read_capped(s, cap).await,
            None => (Vec::new(), false),
        }
    });
    let (code, timed_out) = match tokio::time::timeout(req.timeout, child.wait()).await {
        Ok(Ok(status)) => (status.code(), false),
        Ok(Err(e)) => return Err(ExecError::Spawn(e.to_string())),
        Err(_) => (None, true),
    };
    // Kill the whole group: on timeout, and also any background children left holding
    // the pipes after the shell exited.
    if let Some(pgid) = pgid {
        let _ = rustix::process::kill_process_group(pgid, rustix::process::Signal::KILL);
    }
    let _ = child.wait().await;
    let (stdout, t1) = out_task.await.unwrap_or_default();
    let (stderr, t2) = err_task.await.unwrap_or_default();
    Ok(ExecOutput {
        code,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        timed_out,
        truncated: t1 || t2,
    })
}

/// The `exec` tool.
impl super::ToolExecutor {
    pub(super) async fn exec(&self, permit: &Permit) -> ToolResult {
        if let Some(result) = self.exec_background(permit).await {
            return result;
        }
        let p = &permit.params;
        let command = p
            .get("command")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let timeout = p
            .get("timeout")
            .and_then(Value::as_u64)
            .map(Duration::from_secs)
            .unwrap_or(self.limits.exec_timeout)
            .min(self.limits.exec_timeout);
        let env = p
            .get("env")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        let req = ExecRequest {
            command,
            cwd: self.workspace.root().to_path_buf(),
            env,
            timeout,
            output_cap: self.limits.exec_output_cap,
        };
        let out = if self.host_exec {
            run_on_host(req).await
        } else {
            self.backend.run(req).await
        };
        match out {
            Ok(o) => {
                let mut text = String::new();
                if o.timed_out {
                    text.push_str(&format!(
                        "[timed out after {}s; process group killed]\n",
                        timeout.as_secs()
                    ));
                }
                text.push_str(&format!(
                    "exit: {}\n",
                    o.code.map_or("signal".to_string(), |c| c.to_string())
                ));
                text.push_str(&o.stdout);
                if !o.stderr.is_empty() {
                    text.push_str("\n[stderr]\n");
                    text.push_str(&o.stderr);
                }
                if o.truncated {
                    text.push_str("\n[output truncated]");
                }
                ToolResult {
                    content: text,
                    is_error: o.timed_out || o.code != Some(0),
                    blocked: false,
                }
            }
            Err(e) => ToolResult::error(format!("error: {e}")),
        }
    }
}
