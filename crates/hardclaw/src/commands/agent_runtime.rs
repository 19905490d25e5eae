//! The gateway's [`Responder`]: the `hardclaw-agent` [`Runtime`] with this binary's parts
//! plugged in — `exec` in the kernel sandbox (this binary as the trampoline; host exec only
//! with `sandbox.mode: "off"`), egress-proxy decisions in the decision log, the gateway's
//! channels for the `message` tool, and the gateway's secrets for the leak guard.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use hardclaw_agent::{
    AgentEvent, BackendFactory, CancelToken, HostPaths, KeySource, Messenger, Origin,
    OutboundMessage, Runtime, RuntimeOptions, SandboxBackend, SendFuture, TurnInput,
};
use hardclaw_config::{Config, EnvMap, Locations};
use hardclaw_gateway::{AppState, Responder, Settings, TurnFuture, TurnOrigin, TurnRequest};
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
    /// Who answers `ask` decisions (the gateway's operators); `None` denies every `ask`.
    pub approver: Option<Arc<dyn hardclaw_agent::Approver>>,
}

impl LoadInputs {
    fn paths(&self) -> HostPaths {
        let loc = &self.locations;
        HostPaths {
            home: loc.home.clone(),
            state_dir: loc.state_dir.clone(),
            config_path: loc.config_path.clone(),
            includes: self.includes.clone(),
        }
    }
}

/// The gateway's own secrets (the leak guard refuses them in any egress).
pub fn gateway_secrets(settings: &Settings) -> Vec<String> {
    let mut out = Vec::new();
    match &settings.auth {
        hardclaw_gateway::AuthSetting::Token(t) | hardclaw_gateway::AuthSetting::Password(t) => {
            out.push(t.expose().to_string());
        }
        _ => {}
    }
    out.extend(
        settings
            .webhook_accounts
            .values()
            .map(|a| a.secret.expose().to_string()),
    );
    out
}

/// Runs agent turns for the gateway.
pub struct AgentResponder {
    runtime: Runtime,
    messenger: Arc<GatewayMessenger>,
    store: Arc<Mutex<Store>>,
}

impl AgentResponder {
    /// A responder over the shared store.
    pub fn new(
        inputs: LoadInputs,
        secrets: Vec<String>,
        store: Arc<Mutex<Store>>,
    ) -> AgentResponder {
        let messenger = Arc::new(GatewayMessenger::default());
        let backend = Arc::new(SandboxFactory {
            inputs: Arc::new(inputs.clone()),
            store: store.clone(),
        });
        let decisions = hardclaw_store::DecisionLog::open(&inputs.locations.state_dir)
            .map_err(|e| tracing::warn!(error = %e, "batched decision log unavailable; writing each decision synchronously"))
            .ok();
        let runtime = Runtime::new(
            store.clone(),
            RuntimeOptions {
                decisions,
                keys: inputs.keys.clone(),
                paths: inputs.paths(),
                backend: Some(backend.clone()),
                approver: inputs.approver.clone(),
                messenger: Some(messenger.clone()),
                secrets,
                ..RuntimeOptions::default()
            },
        );
        AgentResponder {
            runtime,
            messenger,
            store,
        }
    }

    /// Connects the `message` tool to the running gateway.
    pub fn attach(&self, gw: AppState) {
        let _ = self.messenger.gw.set(gw);
    }

    /// Swaps in the inputs of a reload.
    pub fn reload(&self, inputs: LoadInputs, secrets: Vec<String>) {
        let backend = Arc::new(SandboxFactory {
            inputs: Arc::new(inputs.clone()),
            store: self.store.clone(),
        });
        self.runtime.update(|o| {
            o.keys = inputs.keys.clone();
            o.paths = inputs.paths();
            o.secrets = secrets;
            o.backend = Some(backend);
            o.approver = inputs.approver.clone();
        });
    }
}

fn origin(o: TurnOrigin) -> Origin {
    match o {
        TurnOrigin::Operator => Origin::Operator,
        TurnOrigin::Http => Origin::Http,
        TurnOrigin::Channel {
            channel,
            account,
            sender,
            group,
            forwarded,
        } => Origin::Channel {
            channel,
            account: Some(account),
            sender,
            group,
            forwarded,
        },
    }
}

impl Responder for AgentResponder {
    fn has_model(&self, config: &Config, agent_id: &str) -> bool {
        self.runtime.has_model(config, agent_id)
    }

    fn cancel(&self, session: &str) -> bool {
        self.runtime.cancel(session)
    }

    fn run_turn(
        &self,
        config: Arc<Config>,
        req: TurnRequest,
        deltas: tokio::sync::mpsc::UnboundedSender<String>,
    ) -> TurnFuture {
        let runtime = self.runtime.clone();
        Box::pin(async move {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let forward = tokio::spawn(async move {
                while let Some(ev) = rx.recv().await {
                    if let AgentEvent::Text(t) = ev {
                        let _ = deltas.send(t);
                    }
                }
            });
            let (agent_id, session) = (req.agent_id.clone(), req.session.clone());
            let input = TurnInput {
                agent_id: req.agent_id,
                session_key: req.session,
                text: req.text,
                origin: origin(req.origin),
            };
            let result = runtime
                .run_turn(config, input, Some(tx), CancelToken::new())
                .await;
            let _ = forward.await;
            match result {
                Ok(outcome) => {
                    tracing::info!(agent = %agent_id, session = %session, model = %outcome.model,
                        rounds = outcome.tool_rounds, "agent turn done");
                    Ok(outcome.reply)
                }
                Err(e) => {
                    tracing::error!(agent = %agent_id, session = %session, error = %e, "agent turn failed");
                    Err(e.public().to_string())
                }
            }
        })
    }
}

/// The kernel sandbox as each turn's exec backend.
#[derive(Debug)]
struct SandboxFactory {
    inputs: Arc<LoadInputs>,
    store: Arc<Mutex<Store>>,
}

impl BackendFactory for SandboxFactory {
    fn backend(
        &self,
        config: &Arc<Config>,
        agent_id: &str,
        session_key: &str,
    ) -> Arc<dyn hardclaw_agent::ExecBackend> {
        let inputs = &self.inputs;
        let loc = &inputs.locations;
        // `current_exe` failing leaves a path that cannot run: the sandbox then refuses.
        let trampoline = std::env::current_exe().unwrap_or_default();
        Arc::new(
            SandboxBackend::new(
                config.clone(),
                agent_id.to_string(),
                Some(session_key.to_string()),
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
            .with_decisions(proxy_decision_log(
                self.store.clone(),
                session_key.to_string(),
            )),
        )
    }
}

/// The gateway's channels for the `message` tool (set once the gateway exists).
#[derive(Debug, Default)]
struct GatewayMessenger {
    gw: OnceLock<AppState>,
}

impl Messenger for GatewayMessenger {
    fn check_recipient(
        &self,
        config: &Config,
        channel: &str,
        account: Option<&str>,
        to: &str,
    ) -> Result<(), String> {
        let gw = self.gw.get().ok_or("the gateway is not running")?;
        match hardclaw_gateway::outbox::route(gw, channel, account, to)? {
            // The operator.
            hardclaw_gateway::outbox::Route::Operator => Ok(()),
            // The account the message would go out on (the only one when none was named).
            hardclaw_gateway::outbox::Route::Webhook { account, .. } => gw
                .ports
                .access
                .may_message(config, channel, Some(&account), to),
        }
    }

    fn send(&self, _config: Arc<Config>, m: OutboundMessage) -> SendFuture<'_> {
        Box::pin(async move {
            let gw = self.gw.get().ok_or("the gateway is not running")?;
            let route =
                hardclaw_gateway::outbox::route(gw, &m.channel, m.account.as_deref(), &m.to)?;
            Ok(hardclaw_gateway::outbox::send(
                gw,
                route,
                &m.to,
                &m.text,
                &m.from_session,
            ))
        })
    }
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
