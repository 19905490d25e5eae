//! The sandbox [`ExecBackend`]: `exec` for every agent whose `sandbox.mode` is not `off` runs in
//! the kernel sandbox (`hardclaw_sandbox::exec`), with egress only through the allowlisting
//! proxy. A refusal (kernel feature missing, workspace unusable, ...) is an error: the command
//! never falls back to the host.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use hardclaw_config::schema::Config;
use hardclaw_sandbox::{DecisionSink, ExecJob, Limits, SandboxInputs};

use super::exec::{ExecBackend, ExecError, ExecOutput, ExecRequest};

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
}

impl ExecBackend for SandboxBackend {
    fn run(
        &self,
        req: ExecRequest,
    ) -> Pin<Box<dyn Future<Output = Result<ExecOutput, ExecError>> + Send + '_>> {
        let me = self.clone();
        Box::pin(async move {
            // The sandbox is supervised by the thread that starts it for its whole life.
            let joined = tokio::task::spawn_blocking(move || {
                let limits = Limits {
                    timeout: req.timeout,
                    cpu_seconds: req.timeout.as_secs().max(1),
                    output_cap: req.output_cap,
                    ..Limits::default()
                };
                hardclaw_sandbox::exec(ExecJob {
                    config: &me.config,
                    agent_id: &me.agent_id,
                    session: me.session.as_deref(),
                    inputs: &me.inputs,
                    workspace: Some(req.cwd),
                    argv: vec!["/bin/sh".into(), "-c".into(), req.command],
                    host_env: me.host_env,
                    limits,
                    trampoline: me.trampoline,
                    on_decision: me.on_decision,
                    cancel: None,
                })
            })
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
}
