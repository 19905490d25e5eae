//! `hardclaw sandbox run [--agent ID] [--workspace DIR] [--timeout SECS] -- CMD ARGS...` and
//! `hardclaw sandbox explain --agent ID [--session KEY] [--json]`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use hardclaw_config::schema::Config;
use hardclaw_config::{EnvMap, Locations};
use hardclaw_sandbox::mounts::RealHost;
use hardclaw_sandbox::policy::build_spec;
use hardclaw_sandbox::{
    EffectiveSandbox, ExecJob, Limits, SandboxInputs, WorkspaceMode, explain as ex, kernel_support,
    resolve,
};

use crate::cli::{GlobalArgs, SandboxExplainArgs, SandboxRunArgs};
use crate::{EXIT_ERROR, EXIT_SANDBOX_REFUSED, env, output};

/// Exit code when the command was killed at the timeout (as `timeout(1)`).
const EXIT_TIMEOUT: u8 = 124;

fn load(global: &GlobalArgs) -> Result<Option<(Config, Locations, EnvMap)>> {
    let process = env::process_env();
    let locations = env::locations(global, &process);
    let env = env::with_dotenv(process.clone(), &locations);
    match super::config::load_strict(&locations, env) {
        Ok(l) => Ok(Some((l.config, locations, process))),
        Err(e) => {
            super::config::report_config_error(&e);
            Ok(None)
        }
    }
}

fn default_agent(config: &Config) -> String {
    let list = config.agent_list();
    list.iter()
        .find(|a| a.default == Some(true))
        .or(list.first())
        .map_or_else(|| "main".to_string(), |a| a.id.clone())
}

fn inputs(locations: &Locations) -> SandboxInputs {
    SandboxInputs {
        state_dir: locations.state_dir.clone(),
        config_path: locations.config_path.clone(),
        home: locations.home.clone(),
    }
}

fn refused(reason: &str) -> u8 {
    output::diag(&format!("hardclaw: sandbox refused: {reason}"));
    EXIT_SANDBOX_REFUSED
}

/// Runs `sandbox run`.
pub fn run(global: &GlobalArgs, args: &SandboxRunArgs) -> Result<u8> {
    let Some((config, locations, process)) = load(global)? else {
        return Ok(EXIT_ERROR);
    };
    let agent = args.agent.clone().unwrap_or_else(|| default_agent(&config));
    let inputs = inputs(&locations);
    let limits = Limits {
        timeout: Duration::from_secs(args.timeout.max(1)),
        cpu_seconds: args.timeout.max(1),
        ..Limits::default()
    };
    // Every proxy decision is logged on stderr (the command's own output is on stdout).
    let on_decision: hardclaw_sandbox::DecisionSink =
        Arc::new(|d: &hardclaw_sandbox::proxy::ProxyDecision| {
            let verdict = if d.allowed { "allowed" } else { "blocked" };
            output::diag(&format!(
                "hardclaw: proxy {verdict} {} ({}): {}",
                d.target, d.rule, d.reason
            ));
        });
    let result = hardclaw_sandbox::exec(ExecJob {
        config: &config,
        agent_id: &agent,
        session: None,
        inputs: &inputs,
        workspace: args.workspace.clone(),
        argv: args.command.clone(),
        host_env: process.into_iter().collect(),
        limits: limits.clone(),
        trampoline: std::env::current_exe().context("locating the hardclaw binary")?,
        on_decision,
        cancel: None,
    });
    let outcome = match result {
        Ok(o) => o,
        Err(r) => return Ok(refused(&r.to_string())),
    };
    output::stdout_bytes(&outcome.stdout);
    output::stderr_bytes(&outcome.stderr);
    let cap = limits.output_cap;
    if outcome.stdout_truncated {
        output::diag(&format!(
            "hardclaw: sandbox: stdout truncated at {cap} bytes"
        ));
    }
    if outcome.stderr_truncated {
        output::diag(&format!(
            "hardclaw: sandbox: stderr truncated at {cap} bytes"
        ));
    }
    if outcome.timed_out {
        output::diag(&format!(
            "hardclaw: sandbox: killed after the {}s timeout",
            limits.timeout.as_secs()
        ));
        return Ok(EXIT_TIMEOUT);
    }
    Ok(u8::try_from(outcome.code).unwrap_or(EXIT_SANDBOX_REFUSED))
}

/// Runs `sandbox explain`.
pub fn explain(global: &GlobalArgs, args: &SandboxExplainArgs) -> Result<u8> {
    let Some((config, locations, process)) = load(global)? else {
        return Ok(EXIT_ERROR);
    };
    let inputs = inputs(&locations);
    let eff = resolve(&config, &args.agent, args.session.as_deref(), &inputs);
    let host_env: Vec<(String, String)> = process.into_iter().collect();
    // Explain never fails on a missing workspace: show the plan as it would be.
    let mut shown = eff.clone();
    if !shown.workspace.is_dir() {
        shown.workspace_access = WorkspaceMode::None;
    }
    let spec = build_spec(
        &shown,
        &inputs,
        vec!["<command>".into()],
        &host_env,
        &Limits::default(),
        Some(PathBuf::from("<runtime>/proxy.sock")),
        &RealHost,
    )
    .map_err(|r| anyhow::anyhow!("{r}"))?;
    let explanation = ex::explain(
        &eff,
        &spec,
        &kernel_support(),
        &hardclaw_sandbox::seccomp::deny_rules(),
    );
    if args.json {
        output::stdout(&(serde_json::to_string_pretty(&explanation)? + "\n"));
    } else {
        output::stdout(&render(&eff, &explanation));
    }
    Ok(0)
}

fn render(eff: &EffectiveSandbox, ex: &hardclaw_sandbox::Explanation) -> String {
    let mut out = format!(
        "agent {} · session {} · mode {} ({}) · {}\n",
        eff.agent_id,
        eff.session,
        eff.mode,
        eff.mode_source,
        if eff.session_sandboxed {
            "this session's exec is sandboxed"
        } else {
            "this session's exec is NOT sandboxed by mode (hardclaw sandbox run always is)"
        }
    );
    out.push_str(&format!(
        "workspace {} · access {:?} · scope {}\n",
        eff.workspace.display(),
        eff.workspace_access,
        eff.scope
    ));
    match &ex.unavailable {
        Some(why) => out.push_str(&format!("kernel: UNAVAILABLE — {why}\n")),
        None => out.push_str(&format!(
            "kernel: ok (Landlock ABI {}, user namespaces, seccomp)\n",
            ex.kernel.landlock_abi
        )),
    }
    out.push_str(&format!("namespaces: {}\n", ex.namespaces.join(", ")));
    out.push_str("\nmounts:\n");
    let w = ex.mounts.iter().map(|m| m.target.len()).max().unwrap_or(0);
    for m in &ex.mounts {
        out.push_str(&format!("  {:w$}  {}\n", m.target, m.what));
    }
    out.push_str("\nlandlock (everything else denied):\n");
    for r in &ex.landlock {
        out.push_str(&format!("  {:w$}  {:?}\n", r.path, r.rights));
    }
    out.push_str(&format!(
        "\nnetwork: {} · {}\n  {}\n",
        ex.network.egress, ex.network.interfaces, ex.network.proxy
    ));
    out.push_str("\nseccomp (denied):\n");
    let sw = ex
        .seccomp
        .iter()
        .map(|s| s.syscall.len())
        .max()
        .unwrap_or(0);
    for s in &ex.seccomp {
        out.push_str(&format!("  {:sw$}  {}  — {}\n", s.syscall, s.when, s.why));
    }
    out.push_str("\nrlimits:\n");
    for r in &ex.rlimits {
        out.push_str(&format!("  {:?} = {}\n", r.resource, r.value));
    }
    out.push_str(&format!("\nenvironment: {}\n", ex.env.join(", ")));
    out.push_str(&format!("docker: {}\n", ex.docker));
    out
}
