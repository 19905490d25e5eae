//! One command in the agent's sandbox, with the egress proxy running for its duration: what
//! `hardclaw sandbox run` and the agent's `exec` tool both do, in one place.
//!
//! Order (fail closed at every step): resolve the agent's effective sandbox → settle the
//! workspace (must exist unless it is the agent's default, which is created) → check the
//! kernel → start the proxy on a socket in a fresh 0700 directory → build the spec → run.
//!
//! [`exec`] runs to the end; [`start`] returns a [`Started`] command once it runs inside the
//! sandbox (for background commands: output streamed, stdin piped, cancelled by its flag).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use hardclaw_config::schema::Config;
use hardclaw_policy::NetworkGuard;

use crate::error::Refusal;
use crate::mounts::RealHost;
use crate::policy::{SandboxInputs, WorkspaceMode, build_spec, resolve};
use crate::proxy::{ProxyDecision, ProxyHandle, ProxySettings, start_proxy};
use crate::run::{Outcome, OutputSink, RunOptions, Running, spawn};
use crate::spec::Limits;

/// Called for every proxy decision.
pub type DecisionSink = Arc<dyn Fn(&ProxyDecision) + Send + Sync>;

/// One sandboxed command.
pub struct ExecJob<'a> {
    /// The config (sandbox settings, network-guard settings).
    pub config: &'a Config,
    /// The agent whose sandbox applies.
    pub agent_id: &'a str,
    /// The session (decides sandboxed vs not under `non-main`; informational here).
    pub session: Option<&'a str>,
    /// Host locations (state dir and config are never mounted).
    pub inputs: &'a SandboxInputs,
    /// Workspace override (must exist); `None` = the agent's workspace (created if missing).
    pub workspace: Option<PathBuf>,
    /// argv of the command.
    pub argv: Vec<String>,
    /// The host environment the sanitiser picks from.
    pub host_env: Vec<(String, String)>,
    /// Limits.
    pub limits: Limits,
    /// The binary that dispatches the trampoline (the running `hardclaw`).
    pub trampoline: PathBuf,
    /// Proxy decisions go here.
    pub on_decision: DecisionSink,
    /// Set to cancel.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl std::fmt::Debug for ExecJob<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecJob")
            .field("agent_id", &self.agent_id)
            .field("session", &self.session)
            .field("workspace", &self.workspace)
            .field("argv", &self.argv)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// How a [`start`]ed command talks to its caller.
#[derive(Debug, Clone, Default)]
pub struct Streaming {
    /// Output as it arrives.
    pub on_output: Option<OutputSink>,
    /// A stdin pipe ([`Started::take_stdin`]) instead of `/dev/null`.
    pub stdin: bool,
}

/// A sandboxed command that is running. The egress proxy lives as long as it; dropping it
/// without [`Started::wait`] kills the sandbox.
#[derive(Debug)]
pub struct Started {
    running: Running,
    proxy: ProxyHandle,
    dir: PrivateDir,
}

impl Started {
    /// The process group of the sandbox's trampoline and pid 1.
    pub fn pgid(&self) -> u32 {
        self.running.pgid()
    }

    /// The write end of the command's stdin ([`Streaming::stdin`]).
    pub fn take_stdin(&mut self) -> Option<std::process::ChildStdin> {
        self.running.take_stdin()
    }

    /// Waits for the command; then stops the proxy and removes its socket directory.
    pub fn wait(self) -> Result<Outcome, Refusal> {
        let Started {
            running,
            proxy,
            dir,
        } = self;
        let result = running.wait();
        drop(proxy);
        drop(dir);
        result
    }
}

/// Runs the job. A [`Refusal`] means the command did not run at all.
pub fn exec(job: ExecJob<'_>) -> Result<Outcome, Refusal> {
    start(job, Streaming::default())?.wait()
}

/// Starts the job and returns once the command runs inside the fully applied sandbox. A
/// [`Refusal`] means it did not run at all (never on the host).
pub fn start(job: ExecJob<'_>, streaming: Streaming) -> Result<Started, Refusal> {
    let mut eff = resolve(job.config, job.agent_id, job.session, job.inputs);
    let explicit = job.workspace.is_some();
    if let Some(ws) = job.workspace {
        eff.workspace = ws;
    }
    if eff.workspace_access != WorkspaceMode::None {
        if !explicit && !eff.workspace.exists() {
            std::fs::create_dir_all(&eff.workspace).map_err(|e| {
                Refusal::Setup(format!(
                    "creating workspace {}: {e}",
                    eff.workspace.display()
                ))
            })?;
        }
        eff.workspace = std::fs::canonicalize(&eff.workspace)
            .map_err(|e| Refusal::Plan(format!("workspace {}: {e}", eff.workspace.display())))?;
    }
    if let Some((feature, detail)) = crate::kernel::kernel_support().missing() {
        return Err(Refusal::KernelUnsupported { feature, detail });
    }
    let dir = PrivateDir::new()?;
    let proxy = start_proxy(ProxySettings {
        guard: Arc::new(NetworkGuard::from_config(job.config)),
        agent_id: Some(eff.agent_id.clone()),
        socket_path: dir.path.join("proxy.sock"),
        on_decision: job.on_decision,
    })
    .map_err(|e| Refusal::Setup(format!("cannot start the egress proxy: {e}")))?;
    let spec = build_spec(
        &eff,
        job.inputs,
        job.argv,
        &job.host_env,
        &job.limits,
        Some(proxy.socket_path().to_path_buf()),
        &RealHost,
    )?;
    let opts = RunOptions {
        trampoline: job.trampoline,
        timeout: job.limits.timeout,
        output_cap: job.limits.output_cap,
        cancel: job.cancel,
        on_output: streaming.on_output,
        stdin: streaming.stdin,
    };
    let running = spawn(&spec, &opts)?;
    Ok(Started {
        running,
        proxy,
        dir,
    })
}

/// A 0700 directory under the temp dir for the proxy socket, removed on drop.
#[derive(Debug)]
struct PrivateDir {
    path: PathBuf,
}

impl PrivateDir {
    fn new() -> Result<PrivateDir, Refusal> {
        use std::os::unix::fs::DirBuilderExt;
        let mut bytes = [0u8; 8];
        rustix::rand::getrandom(&mut bytes, rustix::rand::GetRandomFlags::empty())
            .map_err(|e| Refusal::Setup(format!("random: {e}")))?;
        let name: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let path = std::env::temp_dir().join(format!("hardclaw-sandbox-{name}"));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .map_err(|e| Refusal::Setup(format!("creating {}: {e}", path.display())))?;
        Ok(PrivateDir { path })
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
