//! The policy path of the [`ToolExecutor`]: check (name, arguments, containment, guards,
//! session rules, leak guard, taint) → log → ask → [`Permit`] → execute → taint bookkeeping.

use std::sync::{Arc, Mutex};

use hardclaw_config::Config;
use hardclaw_policy::injection::TaintPolicy;
use hardclaw_policy::injection::taint::source_for_tool_result;
use hardclaw_policy::leak_guard::LeakGuard;
use hardclaw_policy::{
    Decision, GuardEnv, GuardRequest, NetworkGuard, PolicyContext, SessionKey, SessionType, Verdict,
};
use hardclaw_store::{DecisionRecord, Store};
use serde_json::Value;

use super::exec::UnwiredSandbox;
use super::workspace::{FsError, Workspace};
use super::{
    ApprovalRequest, Builtin, Checked, DenyAll, Dns, Permit, RealFs, ToolExecutor,
    ToolExecutorOptions, ToolResult, agent_workspace, build_guards, needs_dns, now,
    sandbox_explicitly_off,
};
use crate::boundary::Boundary;
use crate::message::{ToolCall, ToolSpec};
use crate::taint_state::TaintState;

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
        let taint = match opts.taint {
            Some(t) => t,
            None => load_taint(&store, &opts.session_key),
        };
        let boundary = Arc::new(Boundary::new(&config, opts.env.unwrap_or_default()));
        Ok(ToolExecutor {
            host_exec: sandbox_explicitly_off(&config, &opts.agent_id),
            web_search: Arc::new(super::search::SearchConfig::new(
                &config,
                &opts.agent_id,
                None,
            )),
            processes: Arc::default(),
            cancel: opts.cancel,
            taint_policy: TaintPolicy::from_config(&config, Some(&opts.agent_id)),
            leak: Arc::new(LeakGuard::new(&opts.secrets)),
            guards: Arc::new(guards),
            network: Arc::new(network),
            config,
            taint,
            dns,
            store,
            decisions: opts.decisions,
            workspace: Arc::new(workspace),
            approver: opts.approver.unwrap_or_else(|| Arc::new(DenyAll)),
            backend: opts.backend.unwrap_or_else(|| Arc::new(UnwiredSandbox)),
            messenger: opts.messenger,
            runtime: opts.runtime,
            boundary,
            agent_id: opts.agent_id,
            session_key: opts.session_key,
            origin: opts.origin,
            limits: opts.limits,
        })
    }

    /// Takes tool API keys (`web_search`'s Brave key) from `keys`, by the provider key rules.
    #[must_use]
    pub fn with_keys(mut self, keys: &crate::secret::KeySource) -> ToolExecutor {
        self.web_search = Arc::new(super::search::SearchConfig::new(
            &self.config,
            &self.agent_id,
            Some(keys),
        ));
        self
    }

    /// The workspace.
    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    /// Why a built-in is switched off for this agent by its own config, if it is.
    fn disabled(&self, tool: Builtin) -> Option<String> {
        match tool {
            Builtin::ApplyPatch => super::patch::disabled_reason(&self.config, &self.agent_id),
            Builtin::WebSearch => super::search::disabled_reason(&self.config, &self.agent_id),
            _ => None,
        }
    }

    /// The session's taint.
    pub fn taint(&self) -> &TaintState {
        &self.taint
    }

    /// The agent.
    pub fn agent_id(&self) -> &str {
        &self.agent_id
    }

    /// The session.
    pub fn session_key(&self) -> &str {
        &self.session_key
    }

    /// The tool-policy question for this turn: agent, session, sender and channel (group and
    /// owner layers), the HTTP API layer.
    pub fn policy_context(&self) -> PolicyContext {
        let mut ctx = PolicyContext::new(&self.agent_id).session(&self.session_key);
        if let Some((channel, sender)) = self.origin.sender() {
            ctx = ctx.sender(channel, sender);
        }
        ctx.http = self.origin.is_http();
        if let SessionType::Subagent { depth } =
            SessionKey::parse(&self.session_key, &self.agent_id).kind
        {
            ctx.subagent_depth = Some(depth);
        }
        ctx
    }

    /// The tools offered to the model: implemented built-ins the tool policy allows and whose
    /// switch is on.
    pub fn offered_tools(&self) -> Vec<ToolSpec> {
        let Ok(effective) = hardclaw_policy::resolve(&self.config, &self.policy_context()) else {
            return Vec::new();
        };
        Builtin::ALL
            .into_iter()
            .filter(|b| effective.is_allowed(b.name()) && self.disabled(*b).is_none())
            .map(Builtin::spec)
            .collect()
    }

    /// The policy step (synchronous, no approval): name, containment, guards, session rules,
    /// leak guard, taint.
    pub fn check(&self, call: &ToolCall) -> Checked {
        let name = hardclaw_policy::normalize_tool_name(&call.name);
        let Some(tool) = Builtin::from_name(&name) else {
            return Checked::Block(Decision::block(
                "tool-policy",
                "unknown-tool",
                format!("tool `{name}` is not available"),
            ));
        };
        let params = &call.arguments;
        if !params.is_object() || params.get("_raw").is_some() {
            return Checked::Block(Decision::block(
                "input",
                "invalid-arguments",
                "tool arguments are not a JSON object",
            ));
        }
        if let Some(reason) = self.disabled(tool) {
            return Checked::Block(Decision::block("tool-policy", "tool-disabled", reason));
        }
        let contained = match tool {
            Builtin::ApplyPatch => super::patch::check_paths(&self.workspace, params),
            Builtin::MemoryGet => super::memory::check_get(&self.workspace, params),
            _ => None,
        };
        if let Some(d) = contained {
            return Checked::Block(d);
        }
        if tool.takes_workspace_path() {
            let path = params.get("path").and_then(Value::as_str).unwrap_or("");
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
            params,
            agent_id: Some(&self.agent_id),
            session_key: Some(&self.session_key),
            cwd: self.workspace.root(),
        };
        let ctx = self.policy_context();
        let eval = match self.guards.evaluate_in(
            &self.config,
            Some(&ctx),
            &req,
            &RealFs,
            self.dns.0.as_ref(),
        ) {
            Ok(e) => e,
            Err(e) => {
                return Checked::Block(Decision::block(
                    "tool-policy",
                    "unknown-agent",
                    e.to_string(),
                ));
            }
        };
        // A command "reaches the network" for the taint and leak rules when the analyser sees
        // a destination or cannot analyse it; on the host (no egress proxy) an unmodelled
        // program counts too.
        let exec_network = eval.facts.as_ref().is_some_and(|f| {
            f.parse_error.is_some()
                || f.commands
                    .iter()
                    .any(|c| !c.network.is_empty() || (self.host_exec && !c.known_program))
        });
        let mut decision = eval.decision;
        if decision.decision != Verdict::Block {
            for more in [
                self.session_rules(tool, params),
                self.leak.check(&name, params, exec_network),
                self.taint
                    .egress_decision(&name, params, exec_network, &self.taint_policy),
            ] {
                decision = decision.stricter(more);
            }
        }
        match decision.decision {
            Verdict::Allow => Checked::Allow(Permit {
                tool,
                params: params.clone(),
                decision,
            }),
            Verdict::Ask => Checked::Ask(decision, tool, params.clone()),
            Verdict::Block => Checked::Block(decision),
        }
    }

    /// The rules of the session and messaging tools (visibility, delegation, recipients).
    fn session_rules(&self, tool: Builtin, params: &Value) -> Decision {
        let refusal = match tool {
            Builtin::SessionsHistory | Builtin::SessionStatus => self.check_visible(params),
            Builtin::SessionsSend => self.check_send(params),
            Builtin::SessionsSpawn => self.check_spawn(params),
            Builtin::Message => self.check_message(params),
            _ => None,
        };
        refusal.unwrap_or_else(|| Decision::allow("session-policy"))
    }

    /// Writes one decision to the log (queued to the batched log when there is one). A log
    /// failure is reported to the caller, which refuses the call.
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
        if let Some(log) = &self.decisions {
            return log.record(rec);
        }
        let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        store.log_decision(&rec)
    }

    /// Logs a refusal found while executing (a kernel containment refusal, a guarded
    /// redirect, content-guard on a reply) and turns it into the model's short result.
    pub(crate) fn refuse(&self, tool: &str, d: &Decision) -> ToolResult {
        if let Err(e) = self.log(tool, d) {
            tracing::warn!(error = %e, "cannot log a refusal");
        }
        ToolResult::blocked(d)
    }

    /// A containment refusal by the kernel check (symlink, hardlink), logged as a decision.
    pub(crate) fn refused(&self, tool: Builtin, path: &str, e: &FsError) -> ToolResult {
        let d = Decision::block("workspace", e.rule(), format!("`{path}`: {e}"));
        self.refuse(tool.name(), &d)
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
                let (verdict, suffix) = if approved {
                    (Verdict::Allow, "approved")
                } else {
                    (Verdict::Block, "not-approved")
                };
                let d = Decision {
                    decision: verdict,
                    rule: format!("{}:{suffix}", d.rule),
                    ..d
                };
                logged(&d)?;
                if approved {
                    Ok(Permit {
                        tool,
                        params,
                        decision: d,
                    })
                } else {
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
        let (tool, params) = (permit.tool, permit.params.clone());
        let mut result = self.execute(permit).await;
        if !result.blocked {
            // The destination was used: a tainted session is not asked about it again.
            self.taint.record_egress(tool.name(), &params);
            if let Some(source) = source_for_tool_result(tool.name(), &params) {
                self.taint.absorb([source]);
            }
        }
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
            Builtin::SessionsList => self.sessions_list(&permit).await,
            Builtin::SessionsHistory => self.sessions_history(&permit).await,
            Builtin::SessionStatus => self.session_status(&permit).await,
            Builtin::SessionsSend => self.sessions_send(&permit).await,
            Builtin::SessionsSpawn => self.sessions_spawn(&permit).await,
            Builtin::Message => self.message(&permit).await,
            Builtin::ApplyPatch => self.apply_patch(&permit).await,
            Builtin::MemorySearch | Builtin::MemoryGet => self.memory(&permit).await,
            Builtin::WebSearch => self.web_search(&permit).await,
            Builtin::Process => self.process(&permit).await,
        }
    }
}

/// The session's stored taint; fail closed when the store cannot be read.
fn load_taint(store: &Arc<Mutex<Store>>, session: &str) -> TaintState {
    let exists = store
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .session(session);
    match exists {
        Ok(Some(_)) => TaintState::load(Arc::clone(store), session).unwrap_or_else(|e| {
            tracing::warn!(session, error = %e, "cannot read the taint record; treating the session as tainted");
            unverifiable(session)
        }),
        Ok(None) => TaintState::detached(session),
        Err(e) => {
            tracing::warn!(session, error = %e, "cannot read the session; treating it as tainted");
            unverifiable(session)
        }
    }
}

fn unverifiable(session: &str) -> TaintState {
    let t = TaintState::detached(session);
    t.absorb([hardclaw_policy::injection::TaintSource::Unverifiable {
        what: "the session store could not be read".into(),
    }]);
    t
}
