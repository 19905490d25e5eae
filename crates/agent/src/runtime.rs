//! The multi-agent runtime: runs one turn of any agent in any session — for the gateway (a
//! channel message, the operator, the HTTP API) and for agents themselves (`sessions_send`,
//! `sessions_spawn`). For each turn it takes the session's turn lock, creates the session
//! record, loads the session's taint and takes in the taint the message brings
//! ([`Origin::taint_sources`]), builds the model client, the tool executor (with the agent's
//! own workspace, tool policy and sandbox) and the [`Agent`], runs the turn, and records the
//! token usage.
//!
//! One turn at a time per session, agent-to-agent turns included; a turn started by another
//! agent waits at most [`AGENT_WAIT`] for the session (two chains that each wait on the
//! other's session would otherwise deadlock).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::Duration;

use hardclaw_config::Config;
use hardclaw_policy::SessionKey;
use hardclaw_store::{SessionRecord, Store};
use tokio::sync::mpsc::UnboundedSender;

use crate::agent::{Agent, AgentEvent, AgentSettings, TurnOutcome};
use crate::cancel::CancelToken;
use crate::error::{AgentError, ProviderError};
use crate::models::resolve_chain;
use crate::origin::Origin;
use crate::provider::{ModelClient, ProviderSettings};
use crate::secret::KeySource;
use crate::taint_state::TaintState;
use crate::tools::exec::ExecBackend;
use crate::tools::message::Messenger;
use crate::tools::{
    Approver, Dns, HostPaths, ToolExecutor, ToolExecutorOptions, ToolLimits, agent_workspace, now,
};

/// A running turn.
pub type TurnFuture =
    Pin<Box<dyn Future<Output = Result<TurnOutcome, AgentError>> + Send + 'static>>;

/// How long a turn started by another agent waits for a busy session.
pub const AGENT_WAIT: Duration = Duration::from_secs(60);

/// Builds the exec backend (the sandbox) for one turn.
pub trait BackendFactory: Send + Sync + std::fmt::Debug {
    /// The backend for `agent_id` in `session_key`.
    fn backend(
        &self,
        config: &Arc<Config>,
        agent_id: &str,
        session_key: &str,
    ) -> Arc<dyn ExecBackend>;
}

/// Everything the runtime needs besides the config (which comes with each turn).
#[derive(Clone, Default)]
pub struct RuntimeOptions {
    /// Keys and the environment (`${VAR}` references, content-guard's key).
    pub keys: KeySource,
    /// Host locations.
    pub paths: HostPaths,
    /// The exec backend per turn (default: none, sandboxed exec fails closed).
    pub backend: Option<Arc<dyn BackendFactory>>,
    /// Who answers `ask` decisions (default: nobody, every `ask` is denied).
    pub approver: Option<Arc<dyn Approver>>,
    /// The channels for `message` (default: none, `message` fails closed).
    pub messenger: Option<Arc<dyn Messenger>>,
    /// DNS for the guards and `web_fetch` (default: the system resolver).
    pub dns: Option<Dns>,
    /// Tool limits.
    pub limits: ToolLimits,
    /// Loop settings.
    pub settings: AgentSettings,
    /// Provider settings.
    pub provider: ProviderSettings,
    /// Secret values the leak guard looks for (the binary adds the gateway token and
    /// channel secrets; provider keys are added from `keys`).
    pub secrets: Vec<String>,
    /// The batched decision log (flushed at the end of every turn); default: one synchronous
    /// insert per decision.
    pub decisions: Option<hardclaw_store::DecisionLog>,
}

impl std::fmt::Debug for RuntimeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuntimeOptions")
            .field("paths", &self.paths)
            .field("backend", &self.backend)
            .field("approver", &self.approver)
            .field("messenger", &self.messenger)
            .field("limits", &self.limits)
            .field("secrets", &self.secrets.len())
            .finish_non_exhaustive()
    }
}

/// One turn to run.
#[derive(Debug, Clone)]
pub struct TurnInput {
    /// The agent (normalised id).
    pub agent_id: String,
    /// The session.
    pub session_key: String,
    /// The message.
    pub text: String,
    /// Who sent it.
    pub origin: Origin,
}

#[derive(Debug, Default)]
struct Inner {
    options: RwLock<Arc<RuntimeOptions>>,
    locks: Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>,
    children: Mutex<HashMap<String, usize>>,
    store: Option<Arc<Mutex<Store>>>,
    /// Background commands of every session; they outlive the turn that started them and
    /// are killed when the runtime goes away.
    processes: Arc<crate::tools::process::ProcessRegistry>,
    /// The cancel token of each session's running turn.
    running: Mutex<HashMap<String, CancelToken>>,
}

/// Unregisters a running turn's cancel token.
struct Running<'a> {
    runtime: &'a Runtime,
    session: String,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.runtime
            .inner
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.session);
    }
}

/// The runtime (cheap to clone).
#[derive(Debug, Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

/// A running subagent counted against its parent's `maxChildrenPerAgent` until dropped.
#[derive(Debug)]
pub struct ChildSlot {
    runtime: Runtime,
    parent: String,
}

impl Drop for ChildSlot {
    fn drop(&mut self) {
        let mut map = self
            .runtime
            .inner
            .children
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(n) = map.get_mut(&self.parent) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&self.parent);
            }
        }
    }
}

impl Runtime {
    /// A runtime over `store`.
    pub fn new(store: Arc<Mutex<Store>>, options: RuntimeOptions) -> Runtime {
        Runtime {
            inner: Arc::new(Inner {
                options: RwLock::new(Arc::new(options)),
                store: Some(store),
                ..Inner::default()
            }),
        }
    }

    /// The options in force.
    pub fn options(&self) -> Arc<RuntimeOptions> {
        self.inner
            .options
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Changes the options (a config reload: new keys, paths, secrets); turns already running
    /// keep what they started with.
    pub fn update(&self, change: impl FnOnce(&mut RuntimeOptions)) {
        let mut guard = self
            .inner
            .options
            .write()
            .unwrap_or_else(|p| p.into_inner());
        let mut next = (**guard).clone();
        change(&mut next);
        *guard = Arc::new(next);
    }

    fn store(&self) -> Result<&Arc<Mutex<Store>>, AgentError> {
        self.inner.store.as_ref().ok_or(AgentError::Policy(
            "the runtime has no session store".into(),
        ))
    }

    /// Whether `agent_id` has a model configured (a turn would be attempted).
    pub fn has_model(&self, config: &Config, agent_id: &str) -> bool {
        match resolve_chain(config, agent_id, &self.options().keys) {
            Ok(chain) => !chain.is_empty(),
            Err(ProviderError::NoModel { .. }) => false,
            // Configured but unusable (missing key, ...): the turn reports it.
            Err(_) => true,
        }
    }

    /// Subagents of `parent` running now.
    pub fn active_children(&self, parent: &str) -> usize {
        self.inner
            .children
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(parent)
            .copied()
            .unwrap_or(0)
    }

    /// Cancels the turn running in `session` (and the turns it is waiting on through
    /// `sessions_send` / `sessions_spawn`). `false` when no turn runs there.
    pub fn cancel(&self, session: &str) -> bool {
        let running = self.inner.running.lock().unwrap_or_else(|p| p.into_inner());
        match running.get(session) {
            Some(t) => {
                t.cancel();
                true
            }
            None => false,
        }
    }

    /// Counts one more running subagent of `parent`, unless `max` already run.
    pub fn child_slot(&self, parent: &str, max: usize) -> Option<ChildSlot> {
        let mut map = self
            .inner
            .children
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let n = map.entry(parent.to_string()).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(ChildSlot {
            runtime: self.clone(),
            parent: parent.to_string(),
        })
    }

    async fn lock_session(
        &self,
        key: &str,
        wait: Option<Duration>,
    ) -> Result<tokio::sync::OwnedMutexGuard<()>, AgentError> {
        let lock = {
            let mut map = self.inner.locks.lock().unwrap_or_else(|p| p.into_inner());
            map.retain(|_, w| w.strong_count() > 0);
            match map.get(key).and_then(Weak::upgrade) {
                Some(l) => l,
                None => {
                    let l = Arc::new(tokio::sync::Mutex::new(()));
                    map.insert(key.to_string(), Arc::downgrade(&l));
                    l
                }
            }
        };
        match wait {
            None => Ok(lock.lock_owned().await),
            Some(d) => tokio::time::timeout(d, lock.lock_owned())
                .await
                .map_err(|_| AgentError::SessionBusy {
                    session: key.to_string(),
                }),
        }
    }

    /// Runs one turn. Streamed text goes to `events` when given. (Boxed: a turn may run
    /// other turns through `sessions_send`, so the future type is recursive.)
    pub fn run_turn(
        &self,
        config: Arc<Config>,
        input: TurnInput,
        events: Option<UnboundedSender<AgentEvent>>,
        cancel: CancelToken,
    ) -> TurnFuture {
        let this = self.clone();
        Box::pin(async move { this.turn(config, input, events, cancel).await })
    }

    async fn turn(
        &self,
        config: Arc<Config>,
        input: TurnInput,
        events: Option<UnboundedSender<AgentEvent>>,
        cancel: CancelToken,
    ) -> Result<TurnOutcome, AgentError> {
        let wait = matches!(input.origin, Origin::Agent { .. }).then_some(AGENT_WAIT);
        let _turn = self.lock_session(&input.session_key, wait).await?;
        self.inner
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(input.session_key.clone(), cancel.clone());
        let _running = Running {
            runtime: self,
            session: input.session_key.clone(),
        };
        let store = Arc::clone(self.store()?);
        self.ensure_session(&store, &input)?;
        let agent = match self.prepare(&config, &store, &input, events, &cancel) {
            Ok(a) => a,
            Err(e) => {
                // The turn never started: keep the message in the transcript anyway.
                record_unanswered(&store, &input);
                return Err(e);
            }
        };
        let outcome = agent.run_turn(&input.text, &cancel).await;
        if let Some(log) = &self.options().decisions {
            // The turn's decisions are durable before its reply goes anywhere.
            let log = log.clone();
            let flushed = tokio::task::spawn_blocking(move || log.flush()).await;
            if !matches!(flushed, Ok(Ok(()))) {
                tracing::error!(session = %input.session_key, "the decision log could not be flushed; further tool calls are refused");
            }
        }
        let outcome = outcome?;
        let s = store.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = s.add_usage(
            &input.session_key,
            outcome.usage.input_tokens,
            outcome.usage.output_tokens,
            &outcome.model,
        ) {
            tracing::warn!(session = %input.session_key, error = %e, "cannot record token usage");
        }
        Ok(outcome)
    }

    /// Creates the session record (with its parent, for a subagent).
    fn ensure_session(&self, store: &Mutex<Store>, input: &TurnInput) -> Result<(), AgentError> {
        let s = store.lock().unwrap_or_else(|p| p.into_inner());
        if s.session(&input.session_key)?.is_none() {
            let key = SessionKey::parse(&input.session_key, &input.agent_id);
            let mut rec = SessionRecord::from_key(&key, None, now());
            rec.key = input.session_key.clone();
            if let Origin::Agent {
                from_session,
                spawned: true,
                ..
            } = &input.origin
            {
                rec.spawned_by = Some(from_session.clone());
            }
            if let Origin::Channel { account, .. } = &input.origin {
                rec.account = account.clone();
            }
            s.upsert_session(&rec)?;
        }
        Ok(())
    }

    fn prepare(
        &self,
        config: &Arc<Config>,
        store: &Arc<Mutex<Store>>,
        input: &TurnInput,
        events: Option<UnboundedSender<AgentEvent>>,
        cancel: &CancelToken,
    ) -> Result<Agent, AgentError> {
        let opts = self.options();
        let taint = TaintState::load(Arc::clone(store), &input.session_key)?;
        taint.absorb(input.origin.taint_sources());
        let chain = resolve_chain(config, &input.agent_id, &opts.keys)?;
        let model = ModelClient::new(chain, opts.provider.clone())?;
        let workspace = agent_workspace(config, &opts.paths, &input.agent_id);
        if let Err(e) = std::fs::create_dir_all(&workspace) {
            tracing::warn!(workspace = %workspace.display(), error = %e, "cannot create the workspace");
        }
        let backend = opts
            .backend
            .as_ref()
            .map(|f| f.backend(config, &input.agent_id, &input.session_key));
        let mut secrets = opts.secrets.clone();
        secrets.extend(opts.keys.referenced_values(config));
        let tools = ToolExecutor::new(
            Arc::clone(config),
            Arc::clone(store),
            ToolExecutorOptions {
                agent_id: input.agent_id.clone(),
                session_key: input.session_key.clone(),
                paths: opts.paths.clone(),
                dns: opts.dns.clone(),
                approver: opts.approver.clone(),
                backend,
                limits: opts.limits.clone(),
                origin: input.origin.clone(),
                taint: Some(taint),
                runtime: Some(self.clone()),
                messenger: opts.messenger.clone(),
                secrets,
                env: Some(opts.keys.env.clone()),
                decisions: opts.decisions.clone(),
                cancel: cancel.clone(),
            },
        )
        .map_err(|e| AgentError::Workspace {
            path: workspace.display().to_string(),
            message: e.to_string(),
        })?
        .with_keys(&opts.keys)
        .with_processes(Arc::clone(&self.inner.processes));
        let agent = Agent::new(
            config,
            Arc::clone(store),
            model,
            tools,
            &input.agent_id,
            &input.session_key,
            opts.settings.clone(),
        )?;
        Ok(match events {
            Some(tx) => agent.with_events(tx),
            None => agent,
        })
    }
}

/// Records the user message of a turn that could not start (as the agent would have).
fn record_unanswered(store: &Mutex<Store>, input: &TurnInput) {
    let content = serde_json::json!({"role": "user", "content": input.text}).to_string();
    let mut s = store.lock().unwrap_or_else(|p| p.into_inner());
    if let Err(e) = s.append_message(&input.session_key, "user", &content, now()) {
        tracing::warn!(session = %input.session_key, error = %e, "storing an unanswered message failed");
    }
}
