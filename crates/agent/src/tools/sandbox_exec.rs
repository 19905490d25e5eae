//! The sandbox [`ExecBackend`]: `exec` for every agent whose `sandbox.mode` is not `off` runs in
//! the kernel sandbox (`hardclaw_sandbox::exec`), with egress only through the allowlisting
//! proxy. A refusal (kernel feature missing, workspace unusable, ...) is an error: the command
//! never falls back to the host.
//!
//! Background commands ([`ExecBackend::spawn`]) run the same sandbox from a dedicated thread
//! that stays the trampoline's parent for the command's whole life (`PR_SET_PDEATHSIG` follows
//! the spawning thread, so a pooled blocking thread that retires would kill the sandbox). The
//! spawn resolves only once the command runs inside the fully applied sandbox; output streams
//! into the [`BackgroundIo`] rings; its stdin is a pipe; the cancel flag and the timeout kill
//! the sandbox's process group (and with its pid 1, everything in it).

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use hardclaw_config::schema::Config;
use hardclaw_sandbox::{
    DecisionSink, ExecJob, Limits, OutputSink, OutputStream, SandboxInputs, Streaming,
};

use super::exec::{ExecBackend, ExecError, ExecOutput, ExecRequest};
use super::process::io::{BackgroundIo, Exit, Spawned, StdinWriter, Stream};

/// Runs `sh -c COMMAND` in the agent's sandbox, the workspace mounted at `/workspace`.
#[derive(Clone)]
pub struct SandboxBackend {
    config: Arc<Config>,
    agent_id: String,
    session: Option<String>,
    inputs: SandboxInputs,
    trampoline: PathBuf,
    host_env: Vec<(String, String)>,
    on_decision: DecisionSink,
}

impl std::fmt::Debug for SandboxBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxBackend")
            .field("agent_id", &self.agent_id)
            .field("session", &self.session)
            .field("trampoline", &self.trampoline)
            .finish_non_exhaustive()
    }
}

impl SandboxBackend {
    /// A backend for `agent_id`. `trampoline` is a binary that dispatches
    /// [`hardclaw_sandbox::TRAMPOLINE_ARG`] (the running `hardclaw`); `host_env` is the
    /// environment the sandbox's sanitiser picks its few variables from.
    pub fn new(
        config: Arc<Config>,
        agent_id: impl Into<String>,
        session: Option<String>,
        inputs: SandboxInputs,
        trampoline: PathBuf,
        host_env: Vec<(String, String)>,
    ) -> SandboxBackend {
        SandboxBackend {
            config,
            agent_id: agent_id.into(),
            session,
            inputs,
            trampoline,
            host_env,
            on_decision: Arc::new(|_| {}),
        }
    }

    /// Where the egress proxy reports each decision (default: nowhere).
    #[must_use]
    pub fn with_decisions(mut self, sink: DecisionSink) -> SandboxBackend {
        self.on_decision = sink;
        self
    }

    fn job(
        &self,
        req: ExecRequest,
        cancel: Option<Arc<std::sync::atomic::AtomicBool>>,
    ) -> ExecJob<'_> {
        let limits = Limits {
            timeout: req.timeout,
            cpu_seconds: req.timeout.as_secs().max(1),
            output_cap: req.output_cap,
            ..Limits::default()
        };
        ExecJob {
            config: &self.config,
            agent_id: &self.agent_id,
            session: self.session.as_deref(),
            inputs: &self.inputs,
            workspace: Some(req.cwd),
            argv: vec!["/bin/sh".into(), "-c".into(), req.command],
            host_env: self.host_env.clone(),
            limits,
            trampoline: self.trampoline.clone(),
            on_decision: Arc::clone(&self.on_decision),
            cancel,
        }
    }
}

/// The supervisor thread's body: start, report, wait, record the end.
fn supervise(
    me: &SandboxBackend,
    req: ExecRequest,
    io: &Arc<BackgroundIo>,
    started: tokio::sync::oneshot::Sender<
        Result<(Option<std::process::ChildStdin>, u32), ExecError>,
    >,
) {
    let sink_io = Arc::clone(io);
    let sink = OutputSink(Arc::new(move |s: OutputStream, b: &[u8]| {
        let stream = match s {
            OutputStream::Stdout => Stream::Stdout,
            OutputStream::Stderr => Stream::Stderr,
        };
        sink_io.push(stream, b);
    }));
    let streaming = Streaming {
        on_output: Some(sink),
        stdin: true,
    };
    let job = me.job(req, Some(io.cancel_flag()));
    let mut running = match hardclaw_sandbox::start(job, streaming) {
        Ok(r) => r,
        Err(refusal) => {
            let _ = started.send(Err(ExecError::Refused(refusal.to_string())));
            return;
        }
    };
    let stdin = running.take_stdin();
    if started.send(Ok((stdin, running.pgid()))).is_err() {
        // Nobody is waiting for it any more: it must not run unsupervised.
        io.cancel();
    }
    let exit = match running.wait() {
        Ok(o) => Exit {
            code: Some(o.code),
            signal: None,
            timed_out: o.timed_out,
            cancelled: o.cancelled || (!o.timed_out && io.is_cancelled()),
            error: None,
        },
        Err(e) => Exit {
            error: Some(e.to_string()),
            ..Exit::default()
        },
    };
    io.finish(exit);
}

impl ExecBackend for SandboxBackend {
    fn run(
        &self,
        req: ExecRequest,
    ) -> Pin<Box<dyn Future<Output = Result<ExecOutput, ExecError>> + Send + '_>> {
        let me = self.clone();
        Box::pin(async move {
            // The sandbox is supervised by the thread that starts it for its whole life.
            let joined =
                tokio::task::spawn_blocking(move || hardclaw_sandbox::exec(me.job(req, None)))
                    .await;
            match joined {
                Ok(Ok(o)) => Ok(ExecOutput {
                    code: Some(o.code),
                    stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
                    stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
                    timed_out: o.timed_out,
                    truncated: o.stdout_truncated || o.stderr_truncated,
                }),
                Ok(Err(refusal)) => Err(ExecError::Refused(refusal.to_string())),
                Err(e) => Err(ExecError::Spawn(format!("sandbox supervisor failed: {e}"))),
            }
        })
    }

    fn spawn(
        &self,
        req: ExecRequest,
        io: Arc<BackgroundIo>,
    ) -> Pin<Box<dyn Future<Output = Result<Spawned, ExecError>> + Send + '_>> {
        let me = self.clone();
        Box::pin(async move {
            let (tx, rx) = tokio::sync::oneshot::channel();
            std::thread::Builder::new()
                .name("hardclaw-bg-sandbox".into())
                .spawn(move || supervise(&me, req, &io, tx))
                .map_err(|e| ExecError::Spawn(format!("sandbox supervisor thread: {e}")))?;
            let (stdin, pgid) = rx
                .await
                .map_err(|_| ExecError::Spawn("sandbox supervisor failed".into()))??;
            let stdin = match stdin {
                Some(s) => Some(writer(s)?),
                None => None,
            };
            Ok(Spawned {
                stdin,
                pgid: Some(pgid),
            })
        })
    }
}

/// The pipe's write end as a non-blocking tokio writer.
fn writer(stdin: std::process::ChildStdin) -> Result<StdinWriter, ExecError> {
    let fd = std::os::fd::OwnedFd::from(stdin);
    tokio::net::unix::pipe::Sender::from_owned_fd(fd)
        .map(|s| Box::pin(s) as StdinWriter)
        .map_err(|e| ExecError::Spawn(format!("stdin pipe: {e}")))
}
