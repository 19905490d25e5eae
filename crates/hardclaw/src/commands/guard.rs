//! `hardclaw guard check`: runs every guard that applies to one tool call (or to a batch of
//! JSON lines on stdin) exactly as the runtime would, and prints the decision, the guard, the
//! rule, the reason and the facts it saw. Exit 0 allow, 3 block, 4 ask.

use std::io::BufRead;
use std::net::{IpAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use hardclaw_config::{Config, LoadedConfig, Locations, expand_tilde};
use hardclaw_policy::file_guard::FileGuard;
use hardclaw_policy::guards::{Evaluation, Guards};
use hardclaw_policy::{DnsResolver, GuardEnv, GuardRequest, PathResolver, Verdict};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::cli::{GlobalArgs, GuardCheckArgs};
use crate::{EXIT_ERROR, EXIT_FINDINGS, env, output};

/// Exit code for "ask".
const EXIT_ASK: u8 = 4;

/// The real filesystem, for canonicalising paths that exist.
struct RealFs;

impl PathResolver for RealFs {
    fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        std::fs::canonicalize(path).ok()
    }
}

/// The system resolver (getaddrinfo) with a timeout; a timeout or error is an error, which
/// the network guard treats as a block.
struct SystemDns {
    timeout: Duration,
}

impl DnsResolver for SystemDns {
    fn resolve(&self, host: &str) -> Result<Vec<IpAddr>, String> {
        let (tx, rx) = mpsc::channel();
        let name = format!("{host}:0");
        std::thread::spawn(move || {
            let _ = tx.send(
                name.to_socket_addrs()
                    .map(|a| a.map(|s| s.ip()).collect::<Vec<_>>()),
            );
        });
        match rx.recv_timeout(self.timeout) {
            Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
            Ok(Ok(_)) => Err(format!("{host} has no addresses")),
            Ok(Err(e)) => Err(format!("lookup of {host} failed: {e}")),
            Err(_) => Err(format!("lookup of {host} timed out")),
        }
    }
}

/// One `--batch` input line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchLine {
    #[serde(default)]
    id: Value,
    tool: String,
    #[serde(default)]
    params: Value,
    #[serde(default)]
    agent: Option<String>,
    #[serde(default)]
    session: Option<String>,
    #[serde(default)]
    cwd: Option<PathBuf>,
}

/// `guard check`.
pub fn check(global: &GlobalArgs, args: &GuardCheckArgs) -> Result<u8> {
    let process = env::process_env();
    let locations = env::locations(global, &process);
    let env = env::with_dotenv(process, &locations);
    let loaded = match super::config::load_strict(&locations, env) {
        Ok(l) => l,
        Err(e) => {
            super::config::report_config_error(&e);
            return Ok(EXIT_ERROR);
        }
    };
    let cwd = match &args.cwd {
        Some(c) => c.clone(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    let checker = Checker::new(&loaded, &locations, args.agent.as_deref());

    if args.batch {
        return run_batch(&checker, &loaded.config, &cwd, args);
    }
    let Some(tool) = args.tool.as_deref() else {
        bail!("--tool is required (or use --batch)");
    };
    let params: Value = match args.params.as_deref() {
        Some(text) => serde_json::from_str(text).context("--params is not valid JSON")?,
        None => json!({}),
    };
    let req = request(
        tool,
        &params,
        args.agent.as_deref(),
        args.session.as_deref(),
        &cwd,
    );
    let eval = checker.evaluate(&loaded.config, &req.as_request())?;
    if args.json {
        output::stdout(&(serde_json::to_string_pretty(&eval)? + "\n"));
    } else {
        output::stdout(&render_human(&eval));
    }
    Ok(exit_code(&eval))
}

fn run_batch(checker: &Checker, config: &Config, cwd: &Path, args: &GuardCheckArgs) -> Result<u8> {
    let stdin = std::io::stdin();
    let mut worst = Verdict::Allow;
    for (n, line) in stdin.lock().lines().enumerate() {
        let line = line.context("cannot read stdin")?;
        if line.trim().is_empty() {
            continue;
        }
        let out = match serde_json::from_str::<BatchLine>(&line) {
            Ok(input) => {
                let params = input.params;
                let cwd = input.cwd.unwrap_or_else(|| cwd.to_path_buf());
                let agent = input.agent.or_else(|| args.agent.clone());
                let session = input.session.or_else(|| args.session.clone());
                let req = request(
                    &input.tool,
                    &params,
                    agent.as_deref(),
                    session.as_deref(),
                    &cwd,
                );
                match checker.evaluate(config, &req.as_request()) {
                    Ok(eval) => {
                        worst = worst.max(eval.decision.decision);
                        let mut v = serde_json::to_value(&eval)?;
                        v["id"] = input.id;
                        v
                    }
                    Err(e) => {
                        worst = Verdict::Block;
                        json!({"id": input.id, "decision": "block", "guard": "input",
                               "rule": "unknown-agent", "reason": e.to_string(), "facts": null})
                    }
                }
            }
            Err(e) => {
                worst = Verdict::Block;
                let id = serde_json::from_str::<Value>(&line)
                    .ok()
                    .and_then(|v| v.get("id").cloned())
                    .unwrap_or(Value::Null);
                json!({"id": id, "decision": "block", "guard": "input", "rule": "invalid-input",
                       "reason": format!("line {}: {e}", n + 1), "facts": null})
            }
        };
        output::stdout(&(serde_json::to_string(&out)? + "\n"));
    }
    Ok(match worst {
        Verdict::Allow => 0,
        Verdict::Ask => EXIT_ASK,
        Verdict::Block => EXIT_FINDINGS,
    })
}

/// An owned request (normalised tool name).
struct OwnedRequest<'a> {
    tool: String,
    params: &'a Value,
    agent: Option<&'a str>,
    session: Option<&'a str>,
    cwd: &'a Path,
}

impl OwnedRequest<'_> {
    fn as_request(&self) -> GuardRequest<'_> {
        GuardRequest {
            tool: &self.tool,
            params: self.params,
            agent_id: self.agent,
            session_key: self.session,
            cwd: self.cwd,
        }
    }
}

fn request<'a>(
    tool: &str,
    params: &'a Value,
    agent: Option<&'a str>,
    session: Option<&'a str>,
    cwd: &'a Path,
) -> OwnedRequest<'a> {
    OwnedRequest {
        tool: hardclaw_policy::normalize_tool_name(tool),
        params,
        agent,
        session,
        cwd,
    }
}

/// Guards plus the I/O adapters they need.
struct Checker {
    guards: Guards,
    dns: SystemDns,
}

impl Checker {
    fn new(loaded: &LoadedConfig, locations: &Locations, agent: Option<&str>) -> Checker {
        let config = &loaded.config;
        let workspace = agent_workspace(config, locations, agent);
        let env = GuardEnv {
            home: locations.home.clone(),
            state_dir: locations.state_dir.clone(),
            config_path: locations.config_path.clone(),
            includes: loaded.includes.clone(),
            workspace,
        };
        let base = FileGuard::default_base_dir(&env);
        let read = |p: &Path| match std::fs::read_to_string(p) {
            Ok(t) => Some(Ok(t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => Some(Err(format!("{}: {e}", p.display()))),
        };
        let pattern = read(&FileGuard::pattern_file_path(
            config,
            &base,
            &locations.home,
        ));
        let overrides = FileGuard::agent_override_paths(config, &base, &locations.home)
            .into_iter()
            .map(|(agent, path)| (agent, read(&path)))
            .collect();
        let guards = Guards::new(config, &env, pattern, overrides);
        Checker {
            guards,
            dns: SystemDns {
                timeout: Duration::from_secs(2),
            },
        }
    }

    fn evaluate(&self, config: &Config, req: &GuardRequest<'_>) -> Result<Evaluation> {
        Ok(self.guards.evaluate(config, req, &RealFs, &self.dns)?)
    }
}

/// The agent's workspace (`agents.list[].workspace`, else `agents.defaults.workspace`, else
/// `<state>/workspace`).
fn agent_workspace(config: &Config, locations: &Locations, agent: Option<&str>) -> Option<PathBuf> {
    let listed = agent.and_then(|id| {
        config
            .agent_list()
            .iter()
            .find(|a| a.id.eq_ignore_ascii_case(id))
            .and_then(|a| a.workspace.clone())
    });
    let path = listed
        .or_else(|| config.agent_defaults().and_then(|d| d.workspace.clone()))
        .map(|w| expand_tilde(Path::new(&w), &locations.home))
        .unwrap_or_else(|| locations.state_dir.join("workspace"));
    Some(path)
}

fn exit_code(eval: &Evaluation) -> u8 {
    match eval.decision.decision {
        Verdict::Allow => 0,
        Verdict::Ask => EXIT_ASK,
        Verdict::Block => EXIT_FINDINGS,
    }
}

fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Allow => "allow",
        Verdict::Ask => "ask",
        Verdict::Block => "block",
    }
}

fn render_human(eval: &Evaluation) -> String {
    let d = &eval.decision;
    let mut out = format!("decision: {}\n", verdict(d.decision));
    if d.decision != Verdict::Allow {
        out.push_str(&format!(
            "guard:    {}\nrule:     {}\nreason:   {}\n",
            d.guard, d.rule, d.reason
        ));
    }
    out.push_str("guards:\n");
    for g in &eval.decisions {
        out.push_str(&format!("  {:<14} {:<5}", g.guard, verdict(g.decision)));
        if g.decision != Verdict::Allow {
            out.push_str(&format!("  {}: {}", g.rule, g.reason));
        }
        out.push('\n');
    }
    if let Some(facts) = &eval.facts {
        out.push_str("facts:\n");
        if let Some(e) = &facts.parse_error {
            out.push_str(&format!("  could not analyse: {e}\n"));
        }
        for c in &facts.commands {
            let argv: Vec<&str> = c.argv.iter().map(|a| a.text()).collect();
            out.push_str(&format!("  [{}] {}", c.segment, argv.join(" ")));
            if !c.known_program {
                out.push_str("  (unknown program)");
            }
            out.push('\n');
            for (label, list) in [
                ("reads", &c.reads),
                ("writes", &c.writes),
                ("deletes", &c.deletes),
            ] {
                if !list.is_empty() {
                    let items: Vec<&str> = list.iter().map(|a| a.text()).collect();
                    out.push_str(&format!("      {label}: {}\n", items.join(", ")));
                }
            }
            if !c.network.is_empty() {
                let items: Vec<&str> = c.network.iter().map(|n| n.raw.as_str()).collect();
                out.push_str(&format!("      network: {}\n", items.join(", ")));
            }
        }
        for o in &facts.obfuscation {
            out.push_str(&format!("  obfuscation: {} ({})\n", o.rule, o.detail));
        }
        for u in &facts.suspicious_unicode {
            out.push_str(&format!("  unicode: {u}\n"));
        }
    }
    out
}
