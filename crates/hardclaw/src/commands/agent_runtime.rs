//! The gateway's [`Responder`]: one `hardclaw-agent` turn per delivered message — history from
//! the store, the agent's workspace, the tool executor with `exec` in the kernel sandbox (this
//! binary as the trampoline; host exec only with `sandbox.mode: "off"`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use hardclaw_agent::{
    Agent, AgentError, AgentEvent, AgentSettings, CancelToken, HostPaths, KeySource, ModelClient,
    ProcessRegistry, ProviderError, ProviderSettings, SandboxBackend, ToolExecutor,
    ToolExecutorOptions, ToolLimits, resolve_chain,
};
use hardclaw_config::{Config, EnvMap, Locations};
use hardclaw_gateway::{Responder, TurnFuture, TurnRequest};
use hardclaw_sandbox::SandboxInputs;
use hardclaw_store::Store;

/// What a turn needs from the last (re)load besides the config.
#[derive(Debug, Clone)]
pub struct LoadInputs {
    /// Provider keys (the environment and the config's `${VAR}` references).
    pub keys: KeySource,
    /// Included config files (guarded like the config).
    pub includes: Vec<PathBuf>,
    /// Host locations.
    pub locations: Locations,
    /// The environment (the sandbox's sanitiser picks from it).
    pub env: EnvMap,
}

/// Runs agent turns for the gateway.
pub struct AgentResponder {
    inputs: RwLock<Arc<LoadInputs>>,
    store: Arc<Mutex<Store>>,
    /// Background commands of every session; they outlive the turn that started them and
    /// are killed when the responder is dropped.
    processes: Arc<ProcessRegistry>,
}

impl AgentResponder {
    /// A responder over the shared store.
    pub fn new(inputs: LoadInputs, store: Arc<Mutex<Store>>) -> AgentResponder {
        AgentResponder {
            inputs: RwLock::new(Arc::new(inputs)),
            store,
            processes: Arc::default(),
        }
    }

    /// Swaps in the inputs of a reload.
    pub fn reload(&self, inputs: LoadInputs) {
        *self.inputs.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(inputs);
    }

    fn inputs(&self) -> Arc<LoadInputs> {
        self.inputs
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// The short text a channel gets when a turn fails (details go to the log only).
fn public_error(e: &AgentError) -> String {
    match e {
        AgentError::Provider(
            ProviderError::KeyRejected { .. }
            | ProviderError::MissingKey { .. }
            | ProviderError::InlineKey { .. }
            | ProviderError::UnsupportedSecretSource { .. },
        ) => "Sorry, I can't reach the model right now (provider credentials problem). The operator has been notified in the log.".into(),
        AgentError::Provider(_) => {
            "Sorry, the model provider is unavailable right now. Please try again later.".into()
        }
        AgentError::MaxToolRounds { .. } => {
            "Sorry, I stopped: this needed too many tool calls.".into()
        }
        _ => "Sorry, something went wrong while answering.".into(),
    }
}

impl Responder for AgentResponder {
    fn has_model(&self, config: &Config, agent_id: &str) -> bool {
        match resolve_chain(config, agent_id, &self.inputs().keys) {
            Ok(chain) => !chain.is_empty(),
            Err(ProviderError::NoModel { .. }) => false,
            // Configured but unusable (missing key, ...): the turn reports it.
            Err(_) => true,
        }
    }

    fn run_turn(
        &self,
        config: Arc<Config>,
        req: TurnRequest,
        deltas: tokio::sync::mpsc::UnboundedSender<String>,
    ) -> TurnFuture {
        let inputs = self.inputs();
        let store = self.store.clone();
        let processes = self.processes.clone();
        Box::pin(async move {
            let session = req.session.clone();
            let agent_id = req.agent_id.clone();
            let result = turn(
                config,
                inputs,
                store.clone(),
                processes,
                req.clone(),
                deltas,
            )
            .await;
            if let Err((_, false)) = &result {
                // The turn never started: keep the message in the transcript anyway.
                record_unanswered(&store, &req);
            }
            let result = result.map_err(|(e, _)| e);
            result.map_err(|e| {
                tracing::error!(agent = %agent_id, session = %session, error = %e, "agent turn failed");
                public_error(&e)
            })
        })
    }
}

/// Records the user message of a turn that could not start (as the agent would have).
fn record_unanswered(store: &Mutex<Store>, req: &TurnRequest) {
    let content = serde_json::json!({"role": "user", "content": req.text}).to_string();
    let now = i64::try_from(crate::clock::unix_ms()).unwrap_or(i64::MAX);
    let mut s = store.lock().unwrap_or_else(|p| p.into_inner());
    let stored = (|| {
        if s.session(&req.session)?.is_none() {
            let key = hardclaw_policy::SessionKey::parse(&req.session, &req.agent_id);
            let mut rec = hardclaw_store::SessionRecord::from_key(&key, None, now);
            rec.key = req.session.clone();
            s.upsert_session(&rec)?;
        }
        s.append_message(&req.session, "user", &content, now)
    })();
    if let Err(e) = stored {
        tracing::warn!(session = %req.session, error = %e, "storing an unanswered message failed");
    }
}

/// One turn; the error says whether the agent had started (and so recorded the message).
async fn turn(
    config: Arc<Config>,
    inputs: Arc<LoadInputs>,
    store: Arc<Mutex<Store>>,
    processes: Arc<ProcessRegistry>,
    req: TurnRequest,
    deltas: tokio::sync::mpsc::UnboundedSender<String>,
) -> Result<String, (AgentError, bool)> {
    let (agent, forward) = prepare(config, inputs, store, processes, &req, deltas)
        .await
        .map_err(|e| (e, false))?;
    let outcome = agent.run_turn(&req.text, &CancelToken::new()).await;
    drop(agent);
    let _ = forward.await;
    let outcome = outcome.map_err(|e| (e, true))?;
    tracing::info!(
        agent = %req.agent_id,
        session = %req.session,
        model = %outcome.model,
        rounds = outcome.tool_rounds,
        "agent turn done"
    );
    Ok(outcome.reply)
}

/// The agent for one turn and the task forwarding its streamed text.
async fn prepare(
    config: Arc<Config>,
    inputs: Arc<LoadInputs>,
    store: Arc<Mutex<Store>>,
    processes: Arc<ProcessRegistry>,
    req: &TurnRequest,
    deltas: tokio::sync::mpsc::UnboundedSender<String>,
) -> Result<(Agent, tokio::task::JoinHandle<()>), AgentError> {
    let chain = resolve_chain(&config, &req.agent_id, &inputs.keys)?;
    let model = ModelClient::new(chain, ProviderSettings::default())?;
    let loc = &inputs.locations;
    let paths = HostPaths {
        home: loc.home.clone(),
        state_dir: loc.state_dir.clone(),
        config_path: loc.config_path.clone(),
        includes: inputs.includes.clone(),
    };
    let workspace = hardclaw_agent::tools::agent_workspace(&config, &paths, &req.agent_id);
    if let Err(e) = std::fs::create_dir_all(&workspace) {
        tracing::warn!(workspace = %workspace.display(), error = %e, "cannot create the workspace");
    }
    let trampoline = std::env::current_exe().map_err(|e| AgentError::Workspace {
        path: "/proc/self/exe".into(),
        message: format!("cannot locate the hardclaw binary for the sandbox: {e}"),
    })?;
    let backend = SandboxBackend::new(
        config.clone(),
        req.agent_id.clone(),
        Some(req.session.clone()),
        SandboxInputs {
            state_dir: loc.state_dir.clone(),
            config_path: loc.config_path.clone(),
            home: loc.home.clone(),
        },
        trampoline,
        inputs
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
    .with_decisions(proxy_decision_log(store.clone(), req.session.clone()));
    let tools = ToolExecutor::new(
        config.clone(),
        store.clone(),
        ToolExecutorOptions {
            agent_id: req.agent_id.clone(),
            session_key: req.session.clone(),
            paths,
            dns: None,
            approver: None,
            backend: Some(Arc::new(backend)),
            limits: ToolLimits::default(),
        },
    )
    .map_err(|e| AgentError::Workspace {
        path: workspace.display().to_string(),
        message: e.to_string(),
    })?
    .with_processes(processes);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let forward = tokio::spawn(async move {
        while let Some(ev) = rx.recv().await {
            if let AgentEvent::Text(t) = ev {
                let _ = deltas.send(t);
            }
        }
    });
    let agent = Agent::new(
        &config,
        store,
        model,
        tools,
        &req.agent_id,
        &req.session,
        AgentSettings::default(),
    )?
    .with_events(tx);
    Ok((agent, forward))
}

/// Every egress-proxy decision of a sandboxed command goes to the decision log (guard
/// `egress-proxy`, tool `exec`), allowed or not.
fn proxy_decision_log(store: Arc<Mutex<Store>>, session: String) -> hardclaw_sandbox::DecisionSink {
    Arc::new(move |d: &hardclaw_sandbox::proxy::ProxyDecision| {
        let record = hardclaw_store::DecisionRecord {
            ts: i64::try_from(crate::clock::unix_ms()).unwrap_or(i64::MAX),
            guard: "egress-proxy".to_string(),
            rule: d.rule.clone(),
            decision: if d.allowed { "allow" } else { "block" }.to_string(),
            reason: format!("{}: {}", d.target, d.reason),
            session_key: Some(session.clone()),
            tool: Some("exec".to_string()),
        };
        match store.lock() {
            Ok(s) => {
                if let Err(e) = s.log_decision(&record) {
                    tracing::warn!(error = %e, "cannot log an egress-proxy decision");
                }
            }
            Err(_) => tracing::warn!("store lock poisoned; egress-proxy decision not logged"),
        }
    })
}
