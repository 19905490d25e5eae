//! One command in the agent's sandbox, with the egress proxy running for its duration: what
//! `hardclaw sandbox run` and the agent's `exec` tool both do, in one place.
//!
//! Order (fail closed at every step): resolve the agent's effective sandbox → settle the
//! workspace (must exist unless it is the agent's default, which is created) → check the
//! kernel → start the proxy on a socket in a fresh 0700 directory → build the spec → run.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use hardclaw_config::schema::Config;
use hardclaw_policy::NetworkGuard;

use crate::error::Refusal;
use crate::mounts::RealHost;
use crate::policy::{SandboxInputs, WorkspaceMode, build_spec, resolve};
use crate::proxy::{ProxyDecision, ProxySettings, start_proxy};
use crate::run::{Outcome, RunOptions, run};
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

/// Runs the job. A [`Refusal`] means the command did not run at all.
pub fn exec(job: ExecJob<'_>) -> Result<Outcome, Refusal> {
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
    };
    let result = run(&spec, &opts);
    drop(proxy);
    drop(dir);
    result
}

/// A 0700 directory under the temp dir for the proxy socket, removed on drop.
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
