//! The tool executor. Every call the model makes goes through one path:
//!
//! 1. the name must be a built-in this crate implements (else blocked, `unknown-tool`);
//! 2. switched on (`apply_patch` and `web_search` have config switches), then workspace
//!    containment for `read`/`write`/`edit`, every path of an `apply_patch`, and `memory_get`
//!    (hardclaw default-denies outside the agent workspace);
//! 3. [`Guards::evaluate_in`]: the tool policy for the agent, session, sender and channel,
//!    then the command, exec-policy, file and network guards; then the session rules
//!    (`sessions_*` visibility and delegation, `message` recipients), the leak guard (no
//!    credential leaves in an egress call) and the taint rule (a session that took in
//!    untrusted content needs approval to reach somewhere new) — the strictest decision wins;
//! 4. an `ask` decision goes to the [`Approver`], whose silence past the timeout is a no;
//! 5. only then is a [`Permit`] made — the executors take one and cannot be called without;
//! 6. every decision (allow or not) is written to the store's decision log; a blocked call
//!    tells the model only `blocked by policy: <guard>/<rule>`.
//!
//! Each tool's execution lives in its own module ([`fs`], [`exec`], [`fetch`], [`patch`],
//! [`memory`], [`search`], [`process`], [`sessions`], [`message`]); the policy path is in
//! [`executor`].

mod builtin;
pub mod exec;
mod executor;
pub mod fetch;
mod fs;
pub mod memory;
pub mod message;
pub mod patch;
pub mod process;
pub mod sandbox_exec;
pub mod search;
pub mod sessions;
mod settings;
pub mod untrusted;
pub mod workspace;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hardclaw_config::Config;
use hardclaw_config::schema::SandboxMode;
use hardclaw_policy::file_guard::FileGuard;
use hardclaw_policy::guards::Guards;
use hardclaw_policy::injection::TaintPolicy;
use hardclaw_policy::leak_guard::LeakGuard;
use hardclaw_policy::{Decision, DnsResolver, GuardEnv, NetworkGuard, PathResolver};
use hardclaw_store::Store;
use serde_json::Value;

use crate::boundary::Boundary;
use crate::origin::Origin;
use crate::runtime::Runtime;
use crate::taint_state::TaintState;
pub use builtin::Builtin;
use exec::ExecBackend;
use fetch::FetchLimits;
use message::Messenger;
use workspace::Workspace;

/// Proof that the policy step allowed one call. Only [`ToolExecutor::authorize`] makes one;
/// every executor requires it, and it carries the exact parameters that were checked.
#[derive(Debug)]
pub struct Permit {
    tool: Builtin,
    params: Value,
    decision: Decision,
}

impl Permit {
    /// The tool.
    pub fn tool(&self) -> Builtin {
        self.tool
    }

    /// The checked parameters.
    pub fn params(&self) -> &Value {
        &self.params
    }

    /// The decision that allowed it.
    pub fn decision(&self) -> &Decision {
        &self.decision
    }
}

/// What an approver is asked.
#[derive(Debug, Clone)]
pub struct ApprovalRequest {
    /// Normalised tool name.
    pub tool: String,
    /// Parameters.
    pub params: Value,
    /// The agent.
    pub agent_id: String,
    /// The session.
    pub session_key: String,
    /// The `ask` decision (guard, rule, reason).
    pub decision: Decision,
}

/// Asks a person. A boxed future keeps the trait object-safe (`Arc<dyn Approver>`).
pub trait Approver: Send + Sync + std::fmt::Debug {
    /// `true` approves the call.
    fn approve<'a>(
        &'a self,
        request: &'a ApprovalRequest,
    ) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>>;
}

/// No one to ask: every `ask` is denied.
#[derive(Debug, Clone, Copy, Default)]
pub struct DenyAll;

impl Approver for DenyAll {
    fn approve<'a>(
        &'a self,
        _request: &'a ApprovalRequest,
    ) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>> {
        Box::pin(async { false })
    }
}

/// Limits of the built-ins.
#[derive(Debug, Clone)]
pub struct ToolLimits {
    /// `read`/`edit` file cap.
    pub max_file_bytes: u64,
    /// Result text the model sees.
    pub max_result_chars: usize,
    /// Default and maximum `exec` time.
    pub exec_timeout: Duration,
    /// `exec` stdout/stderr cap (each).
    pub exec_output_cap: usize,
    /// `web_fetch` limits.
    pub fetch: FetchLimits,
    /// `memory_search` / `memory_get` caps.
    pub memory: memory::MemoryLimits,
    /// How long an approver may take (then: denied).
    pub approval_timeout: Duration,
}

impl Default for ToolLimits {
    fn default() -> Self {
        ToolLimits {
            max_file_bytes: 1024 * 1024,
            max_result_chars: 64 * 1024,
            exec_timeout: Duration::from_secs(60),
            exec_output_cap: 64 * 1024,
            fetch: FetchLimits::default(),
            memory: memory::MemoryLimits::default(),
            approval_timeout: Duration::from_secs(120),
        }
    }
}

/// Where things are (for `~`, self-protection and the file guard's pattern files).
#[derive(Debug, Clone, Default)]
pub struct HostPaths {
    /// Home directory.
    pub home: PathBuf,
    /// hardclaw state directory.
    pub state_dir: PathBuf,
    /// The config file.
    pub config_path: PathBuf,
    /// Its `$include`s.
    pub includes: Vec<PathBuf>,
}

/// A shared DNS resolver (the guards' and `web_fetch`'s).
#[derive(Clone)]
pub struct Dns(pub Arc<dyn DnsResolver + Send + Sync>);

impl std::fmt::Debug for Dns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Dns")
    }
}

/// The real filesystem, for the guards' canonicalisation.
#[derive(Debug, Clone, Copy)]
pub struct RealFs;

impl PathResolver for RealFs {
    fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        std::fs::canonicalize(path).ok()
    }
}

/// The result of one tool call as the model sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolResult {
    /// Text for the model.
    pub content: String,
    /// Failed or blocked.
    pub is_error: bool,
    /// Blocked by a guard (the decision is in the log).
    pub blocked: bool,
}

impl ToolResult {
    pub(crate) fn ok(content: String) -> ToolResult {
        ToolResult {
            content,
            is_error: false,
            blocked: false,
        }
    }
    pub(crate) fn error(content: String) -> ToolResult {
        ToolResult {
            content,
            is_error: true,
            blocked: false,
        }
    }
    pub(crate) fn blocked(d: &Decision) -> ToolResult {
        ToolResult {
            content: format!("blocked by policy: {}/{}", d.guard, d.rule),
            is_error: true,
            blocked: true,
        }
    }
}

/// The synchronous policy outcome.
#[derive(Debug)]
pub enum Checked {
    /// Allowed.
    Allow(Permit),
    /// A person must approve (`Decision` says why).
    Ask(Decision, Builtin, Value),
    /// Refused.
    Block(Decision),
}

/// Runs tool calls for one agent and session.
#[derive(Debug, Clone)]
pub struct ToolExecutor {
    config: Arc<Config>,
    guards: Arc<Guards>,
    network: Arc<NetworkGuard>,
    leak: Arc<LeakGuard>,
    taint_policy: TaintPolicy,
    taint: TaintState,
    dns: Dns,
    store: Arc<Mutex<Store>>,
    decisions: Option<hardclaw_store::DecisionLog>,
    workspace: Arc<Workspace>,
    approver: Arc<dyn Approver>,
    backend: Arc<dyn ExecBackend>,
    messenger: Option<Arc<dyn Messenger>>,
    runtime: Option<Runtime>,
    boundary: Arc<Boundary>,
    agent_id: String,
    session_key: String,
    origin: Origin,
    host_exec: bool,
    limits: ToolLimits,
    web_search: Arc<search::SearchConfig>,
    processes: Arc<process::ProcessRegistry>,
    cancel: crate::cancel::CancelToken,
}

/// The agent's workspace (`agents.list[].workspace`, else `agents.defaults.workspace`, else
/// `<state>/workspace`), `~` expanded.
pub fn agent_workspace(config: &Config, paths: &HostPaths, agent_id: &str) -> PathBuf {
    let listed = config
        .agent_list()
        .iter()
        .find(|a| a.id.eq_ignore_ascii_case(agent_id))
        .and_then(|a| a.workspace.clone());
    listed
        .or_else(|| config.agent_defaults().and_then(|d| d.workspace.clone()))
        .map(|w| hardclaw_config::expand_tilde(Path::new(&w), &paths.home))
        .unwrap_or_else(|| paths.state_dir.join("workspace"))
}

/// Whether `sandbox.mode` is explicitly `off` for the agent (host exec is allowed only then).
pub fn sandbox_explicitly_off(config: &Config, agent_id: &str) -> bool {
    let own = config
        .agent_list()
        .iter()
        .find(|a| a.id.eq_ignore_ascii_case(agent_id))
        .and_then(|a| a.sandbox.as_ref())
        .and_then(|s| s.mode);
    let defaults = config
        .agent_defaults()
        .and_then(|d| d.sandbox.as_ref())
        .and_then(|s| s.mode);
    own.or(defaults) == Some(SandboxMode::Off)
}

/// Builds the guards exactly as `hardclaw guard check` does.
pub fn build_guards(config: &Config, env: &GuardEnv) -> Guards {
    let base = FileGuard::default_base_dir(env);
    let read = |p: &Path| match std::fs::read_to_string(p) {
        Ok(t) => Some(Ok(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => Some(Err(format!("{}: {e}", p.display()))),
    };
    let pattern = read(&FileGuard::pattern_file_path(config, &base, &env.home));
    let overrides = FileGuard::agent_override_paths(config, &base, &env.home)
        .into_iter()
        .map(|(agent, path)| (agent, read(&path)))
        .collect();
    Guards::new(config, env, pattern, overrides)
}

/// Everything a [`ToolExecutor`] is made from.
#[derive(Debug, Clone, Default)]
pub struct ToolExecutorOptions {
    /// The agent.
    pub agent_id: String,
    /// The session.
    pub session_key: String,
    /// Host locations.
    pub paths: HostPaths,
    /// DNS for the network guard and `web_fetch` (default: the system resolver).
    pub dns: Option<Dns>,
    /// Who answers `ask` decisions (default: [`DenyAll`]).
    pub approver: Option<Arc<dyn Approver>>,
    /// The sandbox's exec backend (default: [`exec::UnwiredSandbox`]).
    pub backend: Option<Arc<dyn ExecBackend>>,
    /// Limits.
    pub limits: ToolLimits,
    /// Who sent the turn's message (tool-policy sender/HTTP layers; default: the operator).
    pub origin: Origin,
    /// The session's taint (default: loaded from the store when the session exists, else
    /// in memory only).
    pub taint: Option<TaintState>,
    /// The runtime that runs other sessions' turns (`sessions_send`, `sessions_spawn`);
    /// without one those tools fail closed.
    pub runtime: Option<Runtime>,
    /// Where `message` sends; without one `message` fails closed.
    pub messenger: Option<Arc<dyn Messenger>>,
    /// Exact secret values the leak guard looks for (provider keys, tokens).
    pub secrets: Vec<String>,
    /// The environment (content-guard's key); `None` = content-guard runs deterministic-only.
    pub env: Option<hardclaw_config::EnvMap>,
    /// The batched decision log (default: a synchronous insert per decision into `store`).
    pub decisions: Option<hardclaw_store::DecisionLog>,
    /// The turn's cancel token (turns run for `sessions_send` / `sessions_spawn` share it).
    pub cancel: crate::cancel::CancelToken,
}

fn needs_dns(tool: &str) -> bool {
    matches!(tool, "web_fetch" | "exec" | "bash" | "process" | "browser")
}

/// Unix milliseconds (the store's time unit).
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
