//! Every guard that applies to one tool call, in one place: tool policy, then the command,
//! exec-policy, file and network guards. The strictest decision wins; every guard's own
//! decision is kept so the CLI and the decision log can show all of them.
//!
//! Which guards apply:
//! - every tool: the tool policy for the agent and session (when the agent is known);
//! - `exec`, `bash`, `process`: the shell analyser's facts feed the command guard, the exec
//!   policy (host sessions only: in a sandboxed session the sandbox is the control), the file
//!   guard (every path the command reads, writes or deletes) and the network guard (every
//!   destination the command contacts);
//! - `read`, `write`, `edit`, `apply_patch`, and `image`/`message` (their local file paths are
//!   uploaded, so they are judged as reads): the file guard;
//! - `web_fetch`, `browser`: the network guard.

use hardclaw_config::Config;
use serde::Serialize;

use crate::command_guard::CommandGuard;
use crate::command_guard::exec_policy::ExecPolicy;
use crate::file_guard::FileGuard;
use crate::guard::{Decision, DnsResolver, GuardEnv, GuardRequest, PathResolver, Verdict};
use crate::net::NetworkGuard;
use crate::shell::{CommandFacts, analyze};
use crate::tool_pipeline::{ContextError, PolicyContext, resolve};
use crate::tool_policy::{SessionKind, sandbox_mode};

/// The guards, built once from a config.
#[derive(Debug)]
pub struct Guards {
    command: CommandGuard,
    exec: ExecPolicy,
    file: FileGuard,
    network: NetworkGuard,
}

/// The outcome for one call.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// The strictest decision.
    #[serde(flatten)]
    pub decision: Decision,
    /// Each guard's own decision, in evaluation order.
    pub decisions: Vec<Decision>,
    /// The shell facts, for command tools.
    pub facts: Option<CommandFacts>,
}

/// Tools whose `command` parameter is shell.
const COMMAND_TOOLS: &[&str] = &["exec", "bash", "process"];

impl Guards {
    /// Builds every guard. `file_pattern_text` is the file guard's pattern file as read by the
    /// caller (`None` = absent); `file_overrides` are `(agent, text)` of `agentOverrides` files
    /// (`None` = the file does not exist).
    pub fn new(
        config: &Config,
        env: &GuardEnv,
        file_pattern_text: Option<Result<String, String>>,
        file_overrides: Vec<(String, Option<Result<String, String>>)>,
    ) -> Guards {
        let mut file = FileGuard::from_config(config, env, file_pattern_text);
        for (agent, text) in file_overrides {
            file = file.with_agent_override(&agent, text);
        }
        Guards {
            command: CommandGuard::from_config(config),
            exec: ExecPolicy::from_config(config),
            file,
            network: NetworkGuard::from_config(config),
        }
    }

    /// Evaluates one call. Errors only when the agent is unknown.
    pub fn evaluate(
        &self,
        config: &Config,
        req: &GuardRequest<'_>,
        fs: &dyn PathResolver,
        dns: &dyn DnsResolver,
    ) -> Result<Evaluation, ContextError> {
        let ctx = req.agent_id.map(|agent| {
            let ctx = PolicyContext::new(agent);
            match req.session_key {
                Some(key) => ctx.session(key),
                None => ctx,
            }
        });
        self.evaluate_in(config, ctx.as_ref(), req, fs, dns)
    }

    /// Evaluates one call with the tool policy asked in `ctx` (the runtime knows more than the
    /// agent and session: the sender and channel for the group and owner layers, the HTTP API,
    /// the subagent depth). `None`: no tool-policy step (the agent is unknown to the caller).
    pub fn evaluate_in(
        &self,
        config: &Config,
        ctx: Option<&PolicyContext>,
        req: &GuardRequest<'_>,
        fs: &dyn PathResolver,
        dns: &dyn DnsResolver,
    ) -> Result<Evaluation, ContextError> {
        let mut decisions = Vec::new();
        if let Some(ctx) = ctx {
            let tools = resolve(config, ctx)?;
            decisions.push(tools.decision(req.tool));
        }
        let mut facts = None;
        if COMMAND_TOOLS.contains(&req.tool) {
            let command = match crate::command_guard::command_input(req.tool, req.params) {
                crate::command_guard::CommandInput::Shell(s) => s,
                _ => String::new(),
            };
            let f = analyze(&command, self.command.limits());
            decisions.push(self.command.check(req, &f));
            if !self.runs_sandboxed(config, req) {
                decisions.push(self.exec.decide(&f, &[], fs));
            }
            decisions.push(self.file.check(req, Some(&f), fs));
            decisions.push(self.network.check(req, Some(&f), dns));
            facts = Some(f);
        } else {
            decisions.push(self.file.check(req, None, fs));
            decisions.push(self.network.check(req, None, dns));
        }
        let decision = decisions
            .iter()
            .cloned()
            .fold(Decision::allow("guards"), Decision::stricter);
        let decision = if decision.decision == Verdict::Allow {
            Decision::allow("guards")
        } else {
            decision
        };
        Ok(Evaluation {
            decision,
            decisions,
            facts,
        })
    }

    /// Whether the call's session runs in the sandbox (then the sandbox, not the exec
    /// allowlist, is the control).
    fn runs_sandboxed(&self, config: &Config, req: &GuardRequest<'_>) -> bool {
        let index = req.agent_id.and_then(|id| {
            config
                .agent_list()
                .iter()
                .position(|a| a.id.eq_ignore_ascii_case(id))
        });
        let kind = match req.session_key {
            Some(key) if key.ends_with(":main") || key == "main" => SessionKind::Main,
            Some(_) => SessionKind::Other,
            None => SessionKind::Main,
        };
        sandbox_mode(config, index).applies_to(kind)
    }
}
