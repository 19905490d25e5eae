//! The tool executor. Every call the model makes goes through one path:
//!
//! 1. the name must be a built-in this crate implements (else blocked, `unknown-tool`);
//! 2. workspace containment for `read`/`write`/`edit` (hardclaw default-denies outside the
//!    agent workspace);
//! 3. [`Guards::evaluate`]: the tool policy for the agent and session, then the command,
//!    exec-policy, file and network guards — the strictest decision wins;
//! 4. an `ask` decision goes to the [`Approver`], whose silence past the timeout is a no;
//! 5. only then is a [`Permit`] made — the executors take one and cannot be called without;
//! 6. every decision (allow or not) is written to the store's decision log; a blocked call
//!    tells the model only `blocked by policy: <guard>/<rule>`.

pub mod exec;
pub mod fetch;
pub mod process;
pub mod sandbox_exec;
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
use hardclaw_policy::{
    Decision, DnsResolver, GuardEnv, GuardRequest, NetworkGuard, PathResolver, Verdict,
};
use hardclaw_store::{DecisionRecord, Store};
use serde_json::{Value, json};

use crate::message::{ToolCall, ToolSpec};
use exec::{ExecBackend, ExecRequest, UnwiredSandbox};
use fetch::FetchLimits;
use workspace::{FsError, Workspace};

/// The built-in tools implemented so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// Read a workspace file.
    Read,
    /// Write a workspace file.
    Write,
    /// Replace text in a workspace file.
    Edit,
    /// Run a shell command.
    Exec,
    /// Fetch a URL.
    WebFetch,
    /// Manage background commands.
    Process,
}

impl Builtin {
    /// Every implemented built-in.
    pub const ALL: [Builtin; 6] = [
        Builtin::Read,
        Builtin::Write,
        Builtin::Edit,
        Builtin::Exec,
        Builtin::WebFetch,
        Builtin::Process,
    ];

    /// The normalised name.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Read => "read",
            Builtin::Write => "write",
            Builtin::Edit => "edit",
            Builtin::Exec => "exec",
            Builtin::WebFetch => "web_fetch",
            Builtin::Process => "process",
        }
    }

    fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| b.name() == name)
    }

    /// The spec offered to the model.
    pub fn spec(self) -> ToolSpec {
        let (description, parameters) = match self {
            Builtin::Read => (
                "Read a UTF-8 file in the workspace.",
                json!({"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}),
            ),
            Builtin::Write => (
                "Create or overwrite a file in the workspace.",
                json!({"type": "object", "properties": {"path": {"type": "string"}, "content": {"type": "string"}}, "required": ["path", "content"]}),
            ),
            Builtin::Edit => (
                "Replace the one occurrence of oldText with newText in a workspace file.",
                json!({"type": "object", "properties": {"path": {"type": "string"}, "oldText": {"type": "string"}, "newText": {"type": "string"}}, "required": ["path", "oldText", "newText"]}),
            ),
            Builtin::Exec => (
                "Run a shell command in the workspace.",
                json!({"type": "object", "properties": {"command": {"type": "string"}, "timeout": {"type": "integer"}, "background": {"type": "boolean"}, "yieldMs": {"type": "integer"}}, "required": ["command"]}),
            ),
            Builtin::WebFetch => (
                "Fetch an http(s) URL and return its text.",
                json!({"type": "object", "properties": {"url": {"type": "string"}}, "required": ["url"]}),
            ),
            Builtin::Process => (
                "Manage background commands started by exec (background or yieldMs): list, poll, log, write, kill, clear, remove.",
                process::spec_parameters(),
            ),
        };
        ToolSpec {
            name: self.name().to_string(),
            description: description.to_string(),
            parameters,
        }
    }
}

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
            approval_timeout: Duration::from_secs(120),
        }
    }
}

/// Where things are (for `~`, self-protection and the file guard's pattern files).
#[derive(Debug, Clone)]
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
    fn ok(content: String) -> ToolResult {
        ToolResult {
            content,
            is_error: false,
            blocked: false,
        }
    }
    fn error(content: String) -> ToolResult {
        ToolResult {
            content,
            is_error: true,
            blocked: false,
        }
    }
    fn blocked(d: &Decision) -> ToolResult {
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
    dns: Dns,
    store: Arc<Mutex<Store>>,
    workspace: Arc<Workspace>,
    approver: Arc<dyn Approver>,
    backend: Arc<dyn ExecBackend>,
    agent_id: String,
    session_key: String,
    host_exec: bool,
    limits: ToolLimits,
    processes: Arc<process::ProcessRegistry>,
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
#[derive(Debug, Clone)]
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
    /// The sandbox's exec backend (default: [`UnwiredSandbox`]).
    pub backend: Option<Arc<dyn ExecBackend>>,
    /// Limits.
    pub limits: ToolLimits,
}

impl ToolExecutor {
    /// Opens the agent's workspace and builds the guards.
    pub fn new(
        config: Arc<Config>,
        store: Arc<Mutex<Store>>,
        opts: ToolExecutorOptions,
    ) -> Result<ToolExecutor, FsError> {
        let root = agent_workspace(&config, &opts.paths, &opts.agent_id);
        let workspace = Workspace::open(&root, &opts.paths.home)?;
        let env = GuardEnv {
            home: opts.paths.home.clone(),
            state_dir: opts.paths.state_dir.clone(),
            config_path: opts.paths.config_path.clone(),
            includes: opts.paths.includes.clone(),
            workspace: Some(workspace.root().to_path_buf()),
        };
        let guards = build_guards(&config, &env);
        let network = NetworkGuard::from_config(&config);
        let dns = opts.dns.unwrap_or_else(|| {
            Dns(Arc::new(hardclaw_sandbox::proxy::SystemDns::new(
                network.dns_timeout(),
            )))
        });
        Ok(ToolExecutor {
            host_exec: sandbox_explicitly_off(&config, &opts.agent_id),
            config,
            guards: Arc::new(guards),
            network: Arc::new(network),
            dns,
            store,
            workspace: Arc::new(workspace),
            approver: opts.approver.unwrap_or_else(|| Arc::new(DenyAll)),
            backend: opts.backend.unwrap_or_else(|| Arc::new(UnwiredSandbox)),
            agent_id: opts.agent_id,
            session_key: opts.session_key,
            limits: opts.limits,
            processes: Arc::default(),
        })
    }

    /// The workspace.
    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    /// The tools offered to the model: implemented built-ins the tool policy allows.
    pub fn offered_tools(&self) -> Vec<ToolSpec> {
        let ctx = hardclaw_policy::PolicyContext::new(&self.agent_id).session(&self.session_key);
        let Ok(effective) = hardclaw_policy::resolve(&self.config, &ctx) else {
            return Vec::new();
        };
        Builtin::ALL
            .into_iter()
            .filter(|b| effective.is_allowed(b.name()))
            .map(Builtin::spec)
            .collect()
    }

    /// The policy step (synchronous, no approval): name, containment, guards.
    pub fn check(&self, call: &ToolCall) -> Checked {
        let name = hardclaw_policy::normalize_tool_name(&call.name);
        let Some(tool) = Builtin::from_name(&name) else {
            return Checked::Block(Decision::block(
                "tool-policy",
                "unknown-tool",
                format!("tool `{name}` is not available"),
            ));
        };
        if !call.arguments.is_object() || call.arguments.get("_raw").is_some() {
            return Checked::Block(Decision::block(
                "input",
                "invalid-arguments",
                "tool arguments are not a JSON object",
            ));
        }
        if matches!(tool, Builtin::Read | Builtin::Write | Builtin::Edit) {
            let path = call
                .arguments
                .get("path")
                .and_then(Value::as_str)
                .unwrap_or("");
            if self.workspace.relative(path).is_none() {
                return Checked::Block(Decision::block(
                    "workspace",
                    "outside-workspace",
                    format!("`{path}` is outside the agent workspace"),
                ));
            }
        }
        let req = GuardRequest {
            tool: &name,
            params: &call.arguments,
            agent_id: Some(&self.agent_id),
            session_key: Some(&self.session_key),
            cwd: self.workspace.root(),
        };
        let eval = match self
            .guards
            .evaluate(&self.config, &req, &RealFs, self.dns.0.as_ref())
        {
            Ok(e) => e,
            Err(e) => {
                return Checked::Block(Decision::block(
                    "tool-policy",
                    "unknown-agent",
                    e.to_string(),
                ));
            }
        };
        match eval.decision.decision {
            Verdict::Allow => Checked::Allow(Permit {
                tool,
                params: call.arguments.clone(),
                decision: eval.decision,
            }),
            Verdict::Ask => Checked::Ask(eval.decision, tool, call.arguments.clone()),
            Verdict::Block => Checked::Block(eval.decision),
        }
    }

    /// Writes one decision to the log. A log failure is reported to the caller.
    pub fn log(&self, tool: &str, d: &Decision) -> Result<(), hardclaw_store::StoreError> {
        let rec = DecisionRecord {
            ts: now(),
            guard: d.guard.clone(),
            rule: d.rule.clone(),
            decision: match d.decision {
                Verdict::Allow => "allow",
                Verdict::Ask => "ask",
                Verdict::Block => "block",
            }
            .to_string(),
            reason: d.reason.clone(),
            session_key: Some(self.session_key.clone()),
            tool: Some(tool.to_string()),
        };
        let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        store.log_decision(&rec)
    }

    /// The whole policy step: check, log, ask. `Err` is the (already logged) refusal.
    pub async fn authorize(&self, call: &ToolCall) -> Result<Permit, Decision> {
        let name = hardclaw_policy::normalize_tool_name(&call.name);
        let checked = if needs_dns(&name) {
            let this = self.clone();
            let call = call.clone();
            tokio::task::spawn_blocking(move || this.check(&call))
                .await
                .unwrap_or_else(|_| {
                    Checked::Block(Decision::block(
                        "guards",
                        "guard-error",
                        "the guards failed",
                    ))
                })
        } else {
            self.check(call)
        };
        let logged = |d: &Decision| -> Result<(), Decision> {
            // No decision log, no tool call.
            self.log(&name, d)
                .map_err(|e| Decision::block("decision-log", "log-unavailable", e.to_string()))
        };
        match checked {
            Checked::Allow(permit) => {
                logged(&permit.decision)?;
                Ok(permit)
            }
            Checked::Block(d) => {
                logged(&d)?;
                Err(d)
            }
            Checked::Ask(d, tool, params) => {
                logged(&d)?;
                let request = ApprovalRequest {
                    tool: name.clone(),
                    params: params.clone(),
                    agent_id: self.agent_id.clone(),
                    session_key: self.session_key.clone(),
                    decision: d.clone(),
                };
                let approved = tokio::time::timeout(
                    self.limits.approval_timeout,
                    self.approver.approve(&request),
                )
                .await
                .unwrap_or(false);
                if approved {
                    let d = Decision {
                        decision: Verdict::Allow,
                        rule: format!("{}:approved", d.rule),
                        ..d
                    };
                    logged(&d)?;
                    Ok(Permit {
                        tool,
                        params,
                        decision: d,
                    })
                } else {
                    let d = Decision {
                        decision: Verdict::Block,
                        rule: format!("{}:not-approved", d.rule),
                        ..d
                    };
                    logged(&d)?;
                    Err(d)
                }
            }
        }
    }

    /// Runs one call end to end.
    pub async fn run(&self, call: &ToolCall) -> ToolResult {
        let permit = match self.authorize(call).await {
            Ok(p) => p,
            Err(d) => return ToolResult::blocked(&d),
        };
        let mut result = self.execute(permit).await;
        if result.content.chars().count() > self.limits.max_result_chars {
            result.content = result
                .content
                .chars()
                .take(self.limits.max_result_chars)
                .collect::<String>()
                + "\n[truncated]";
        }
        result
    }

    /// Executes a permitted call.
    pub async fn execute(&self, permit: Permit) -> ToolResult {
        match permit.tool {
            Builtin::Read | Builtin::Write | Builtin::Edit => self.fs(&permit).await,
            Builtin::Exec => self.exec(&permit).await,
            Builtin::WebFetch => self.web_fetch(&permit).await,
            Builtin::Process => self.process(&permit).await,
        }
    }

    async fn fs(&self, permit: &Permit) -> ToolResult {
        let p = &permit.params;
        let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let path = s("path");
        let ws = Arc::clone(&self.workspace);
        let cap = self.limits.max_file_bytes;
        let tool = permit.tool;
        let (content, old, new) = (
            s("content"),
            p.get("oldText")
                .or(p.get("old_string"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            p.get("newText")
                .or(p.get("new_string"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        );
        let path2 = path.clone();
        let out = tokio::task::spawn_blocking(move || match tool {
            Builtin::Read => ws
                .read(&path2, cap)
                .map(|b| String::from_utf8_lossy(&b).into_owned()),
            Builtin::Write => ws
                .write(&path2, content.as_bytes())
                .map(|()| format!("wrote {} bytes to {path2}", content.len())),
            _ => ws
                .edit(&path2, &old, &new, cap)
                .map(|()| format!("edited {path2}")),
        })
        .await
        .unwrap_or_else(|_| Err(FsError::Io("file task failed".into())));
        match out {
            Ok(text) => ToolResult::ok(text),
            Err(e) if e.is_policy() => {
                // The kernel refused what the lexical check let through (symlink, hardlink).
                let d = Decision::block("workspace", e.rule(), format!("`{path}`: {e}"));
                let _ = self.log(tool.name(), &d);
                ToolResult::blocked(&d)
            }
            Err(e) => ToolResult::error(format!("error: {e}")),
        }
    }

    async fn exec(&self, permit: &Permit) -> ToolResult {
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
            exec::run_on_host(req).await
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

    async fn web_fetch(&self, permit: &Permit) -> ToolResult {
        let url = permit
            .params
            .get("url")
            .and_then(Value::as_str)
            .unwrap_or("");
        match fetch::fetch(
            &self.network,
            Arc::clone(&self.dns.0),
            url,
            Some(&self.agent_id),
            self.limits.fetch,
        )
        .await
        {
            Ok(f) => ToolResult::ok(format!(
                "status: {}\nurl: {}\ncontent-type: {}\n\n{}{}",
                f.status,
                f.url,
                f.content_type.unwrap_or_default(),
                f.body,
                if f.truncated { "\n[truncated]" } else { "" }
            )),
            Err(fetch::FetchError::Blocked(d)) => {
                let _ = self.log("web_fetch", &d);
                ToolResult::blocked(&d)
            }
            Err(e) => ToolResult::error(format!("error: {e}")),
        }
    }
}

fn needs_dns(tool: &str) -> bool {
    matches!(tool, "web_fetch" | "exec" | "bash" | "process" | "browser")
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
