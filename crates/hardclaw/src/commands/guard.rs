//! `hardclaw guard check`: runs every guard that applies to one tool call (or to a batch of
//! JSON lines on stdin) exactly as the runtime would, and prints the decision, the guard, the
//! rule, the reason and the facts it saw. Exit 0 allow, 3 block, 4 ask.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use hardclaw_config::{Config, LoadedConfig, Locations, expand_tilde};
use hardclaw_policy::guards::{Evaluation, Guards};
use hardclaw_policy::{GuardEnv, GuardRequest, PathResolver, Verdict};
use hardclaw_sandbox::proxy::SystemDns;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::cli::{GlobalArgs, GuardCheckArgs};
use crate::{EXIT_ERROR, EXIT_FINDINGS, env, output};

/// Exit code for "ask".
const EXIT_ASK: u8 = 4;
/// Exit code for a usage error.
const EXIT_USAGE: u8 = 2;

/// A JSON value whose objects must not repeat a key (serde_json keeps the last of
/// duplicates, which a second parser may not: the guard and the tool must see the same
/// params).
#[derive(Debug, Default)]
struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        StrictValue::deserialize(d).map(|v| v.0)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(StrictValue(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let StrictValue(v) = map.next_value()?;
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format!("duplicate key `{key}`")));
            }
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// Parses JSON, refusing duplicate object keys.
fn parse_strict(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str::<StrictValue>(text).map(|v| v.0)
}

/// The real filesystem, for canonicalising paths that exist.
struct RealFs;

impl PathResolver for RealFs {
    fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        std::fs::canonicalize(path).ok()
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
    params: StrictValue,
    #[serde(default)]
    agent: Option<String>,
    #[serde(default)]
    session: Option<String>,
    #[serde(default)]
    cwd: Option<PathBuf>,
}

/// `guard check`.
pub fn check(global: &GlobalArgs, args: &GuardCheckArgs) -> Result<u8> {
    // Usage errors first: no config is read for a call that cannot be judged.
    let mut params: Value = json!({});
    if !args.batch {
        let usage = |msg: String| {
            output::error(&msg);
            Ok(EXIT_USAGE)
        };
        let Some(tool) = args.tool.as_deref() else {
            return usage("--tool is required (or use --batch)".into());
        };
        let name = hardclaw_policy::normalize_tool_name(tool);
        if name.trim().is_empty() {
            return usage("--tool must not be empty".into());
        }
        match args.params.as_deref() {
            Some(text) => match parse_strict(text) {
                Ok(v) => params = v,
                Err(e) => return usage(format!("--params is not valid JSON: {e}")),
            },
            None if matches!(name.as_str(), "exec" | "bash" | "process") => {
                return usage(format!("--tool {tool} needs --params with the command"));
            }
            None => {}
        }
    }
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
            Ok(input) if hardclaw_policy::normalize_tool_name(&input.tool).is_empty() => {
                worst = Verdict::Block;
                json!({"id": input.id, "decision": "block", "guard": "input", "rule": "invalid-input",
                       "reason": format!("line {}: the tool name is empty", n + 1), "facts": null})
            }
            Ok(input) => {
                let params = input.params.0;
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
        // Built exactly as the agent runtime builds them.
        let guards = hardclaw_agent::tools::build_guards(config, &env);
        Checker {
            guards,
            dns: SystemDns::new(Duration::from_secs(2)),
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
