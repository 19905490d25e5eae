//! `hardclaw gateway [run] [--port PORT]`: the gateway in the foreground.
//!
//! Startup order: umask 077 (so everything created in the state dir — token, SQLite with its
//! `-wal`/`-shm` — is 0600/0700), load the config strictly, resolve and check the gateway
//! settings (unsafe setups refuse to start), bind, print `listening on ADDR` per listener, serve.
//! SIGINT/SIGTERM stop; SIGHUP/SIGUSR1 reload (keeping the running config on error).

use std::sync::Arc;

use anyhow::{Context, Result};
use hardclaw_audit::{AuditContext, AuditOptions, run_audit};
use hardclaw_config::{EnvMap, Locations};
use hardclaw_gateway::{
    ApprovalHub, AuditRunner, Gateway, Inputs, PolicyAccess, PortError, Ports, Settings,
    StoreTranscripts, TokenSource,
};
use tokio::signal::unix::{SignalKind, signal};

use super::agent_runtime::{AgentResponder, LoadInputs};
use super::gateway_approver::OperatorApprover;
use crate::cli::{GatewayArgs, GlobalArgs};
use crate::{EXIT_ERROR, env, output};
use hardclaw_agent::KeySource;

/// Loads config + env and resolves the settings (startup and every reload), with what the
/// agent runtime needs from the same load (`ask` decisions go to the operators of `approvals`).
fn resolve(
    global: &GlobalArgs,
    port: Option<u16>,
    approvals: &Arc<ApprovalHub>,
) -> Result<(Settings, LoadInputs)> {
    let (locations, env) = environment(global);
    let loaded = super::config::load_strict(&locations, env.clone())
        .map_err(|e| anyhow::anyhow!("invalid config: {e}"))?;
    let agent = LoadInputs {
        keys: KeySource::from_loaded(&loaded, env.clone()),
        includes: loaded.includes.clone(),
        locations: locations.clone(),
        env: env.clone(),
        approver: Some(Arc::new(OperatorApprover::new(approvals.clone()))),
    };
    let inputs = Inputs {
        config: loaded.config,
        env,
        locations,
        port_override: port,
    };
    let settings = Settings::resolve(&inputs).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((settings, agent))
}

fn environment(global: &GlobalArgs) -> (Locations, EnvMap) {
    let process = env::process_env();
    let locations = env::locations(global, &process);
    let env = env::with_dotenv(process, &locations);
    (locations, env)
}

/// The on-demand audit of the Control UI: the same run as `security audit --json`.
struct CliAudit {
    global: GlobalArgs,
}

impl AuditRunner for CliAudit {
    fn run(&self) -> Result<serde_json::Value, PortError> {
        let (locations, env) = environment(&self.global);
        let loaded = super::config::load_strict(&locations, env.clone())
            .map_err(|e| PortError(format!("invalid config: {e}")))?;
        let ctx = AuditContext {
            loaded: &loaded,
            locations: &locations,
            env: &env,
            options: AuditOptions {
                include_filesystem: true,
                deep: false,
                progress: None,
            },
        };
        let ts = crate::clock::unix_ms();
        serde_json::to_value(run_audit(&ctx, ts)).map_err(|e| PortError(e.to_string()))
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HARDCLAW_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .try_init();
}

/// `gateway` / `gateway run`.
pub fn run(global: &GlobalArgs, args: &GatewayArgs) -> Result<u8> {
    // Everything this process creates is private to the user.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    init_logging();
    // Tool calls the policy marks `ask` wait here for the operator (Control UI / WebSocket).
    let approvals = Arc::new(ApprovalHub::default());
    let (settings, agent_inputs) = match resolve(global, args.port, &approvals) {
        Ok(s) => s,
        Err(e) => {
            output::error(&format!("{e:#}"));
            return Ok(EXIT_ERROR);
        }
    };
    for w in &settings.warnings {
        output::diag(&format!("hardclaw: WARNING: {w}"));
    }
    if let (
        Some(TokenSource::File {
            path,
            generated: true,
        }),
        hardclaw_gateway::AuthSetting::Token(t),
    ) = (&settings.token_source, &settings.auth)
    {
        // Shown once, on the start that generated it; afterwards it is only in the file.
        output::diag(&format!(
            "hardclaw: generated a gateway token and saved it to {} (mode 0600):\n\n    {}\n\n\
             Clients send it as `Authorization: Bearer <token>`; the Control UI asks for it at login.\n\
             It will not be shown again.",
            settings.locations.display(path),
            t.expose()
        ));
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("hardclaw-gateway")
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(
        global.clone(),
        args.port,
        settings,
        agent_inputs,
        approvals,
    ))
}

async fn serve(
    global: GlobalArgs,
    port: Option<u16>,
    settings: Settings,
    agent_inputs: LoadInputs,
    approvals: Arc<ApprovalHub>,
) -> Result<u8> {
    let listeners = match hardclaw_gateway::bind(&settings).await {
        Ok(l) => l,
        Err(e) => {
            output::error(&e.to_string());
            return Ok(EXIT_ERROR);
        }
    };
    let transcripts = match StoreTranscripts::open(&settings.locations.state_dir) {
        Ok(t) => t,
        Err(e) => {
            output::error(&format!("cannot open the session store: {e}"));
            return Ok(EXIT_ERROR);
        }
    };
    let responder = Arc::new(AgentResponder::new(
        agent_inputs,
        super::agent_runtime::gateway_secrets(&settings),
        transcripts.shared(),
    ));
    let ports = Ports {
        responder: Some(responder.clone()),
        transcripts: Arc::new(transcripts),
        access: Arc::new(PolicyAccess::new(&settings.locations.credentials_dir)),
        audit: Some(Arc::new(CliAudit {
            global: global.clone(),
        })),
    };
    let gw = Arc::new(Gateway::with_approvals(settings, ports, approvals));
    responder.attach(gw.clone());
    for l in &listeners {
        if let Ok(addr) = l.local_addr() {
            output::diag(&format!("hardclaw: listening on {addr}"));
        }
    }
    if gw.settings().webhook_accounts.is_empty() {
        tracing::info!("no webhook accounts configured");
    }

    let mut term = signal(SignalKind::terminate()).context("installing SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("installing SIGINT handler")?;
    let mut hup = signal(SignalKind::hangup()).context("installing SIGHUP handler")?;
    let mut usr1 = signal(SignalKind::user_defined1()).context("installing SIGUSR1 handler")?;
    let reloader = gw.clone();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = term.recv() => break,
                _ = int.recv() => break,
                _ = hup.recv() => reload(&reloader, &responder, &global, port),
                _ = usr1.recv() => reload(&reloader, &responder, &global, port),
            }
        }
        tracing::info!("shutting down");
        let _ = stop_tx.send(());
    });
    hardclaw_gateway::serve(gw, listeners, async move {
        let _ = stop_rx.await;
    })
    .await;
    Ok(0)
}

fn reload(gw: &Arc<Gateway>, responder: &AgentResponder, global: &GlobalArgs, port: Option<u16>) {
    match resolve(global, port, &gw.approvals) {
        Ok((next, agent_inputs)) => {
            responder.reload(agent_inputs, super::agent_runtime::gateway_secrets(&next));
            for note in gw.replace_settings(next) {
                tracing::warn!("{note}");
            }
            tracing::info!("config reloaded");
        }
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "config reload failed; keeping the running config")
        }
    }
}
