//! Check family `hardclaw`: checks OpenClaw does not have (reference `openclaw-audit-checks.md`
//! §7 and DESIGN.md's threat model).
//!
//! * `env.dangerous_process_env`: loader/interpreter injection variables in the process
//!   environment (one finding, names only) or in the config `env` / `env.vars` block (one finding
//!   per key).
//! * `config.duplicate_keys`: the same key twice in one object ("last one wins" hides values).
//! * `config.unenforced_keys`: OpenClaw keys hardclaw loads but does not enforce.
//! * `tools.exec.reachable_from_untrusted`: an open DM or group policy reaches an agent whose
//!   non-main sessions keep `exec`/`process` on the host.
//! * `gateway.hardclaw_token_file.perms`: `<state>/gateway.token` accessible to others.

use hardclaw_config::schema::{
    Channel, Config, DmPolicy, ExecSecurity, GroupPolicy, SandboxMode, UNENFORCED_KEYS,
};
use hardclaw_config::{ConfigError, JsonPath};
use hardclaw_policy::{SessionKind, ToolDecision, decide, layers_for, sandbox_mode};
use serde_json::Value;

use super::fs_perms::{chmod, inspect};
use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    dangerous_process_env(ctx, out);
    dangerous_config_env(ctx, out);
    duplicate_keys(ctx, out);
    unenforced_keys(ctx, out);
    exec_reachable_from_untrusted(ctx, out);
    if ctx.options.include_filesystem {
        token_file(ctx, out);
    }
}

// ---------------------------------------------------------------------------------------------
// (a) dangerous environment variables

/// Node flags that load code before the program.
const NODE_PRELOAD_FLAGS: &[&str] = &[
    "-r",
    "--require",
    "--import",
    "--loader",
    "--experimental-loader",
];

/// Why `name` (with `value`) is dangerous to inherit, and how much.
pub(super) fn classify_env(name: &str, value: &str) -> Option<(Severity, &'static str)> {
    use Severity::{Critical, Warn};
    let hit = match name {
        "LD_PRELOAD" | "LD_AUDIT" | "DYLD_INSERT_LIBRARIES" => (
            Critical,
            "loads a shared library into every dynamically linked program",
        ),
        "BASH_ENV" | "ENV" => (
            Critical,
            "names a script every non-interactive shell runs first",
        ),
        "NODE_OPTIONS" if node_preloads(value) => (
            Critical,
            "preloads a module into every Node.js process (--require/--import/--loader)",
        ),
        "NODE_OPTIONS" => (Warn, "changes the options of every Node.js process"),
        "LD_LIBRARY_PATH" => (Warn, "puts directories ahead of the system library path"),
        "NODE_PATH" => (Warn, "adds module search directories for Node.js"),
        "PYTHONSTARTUP" => (Warn, "names a script interactive Python runs first"),
        "PYTHONPATH" | "PYTHONHOME" => (Warn, "changes where Python imports modules from"),
        "PERL5OPT" => (
            Warn,
            "adds command-line options (e.g. -M modules) to every Perl",
        ),
        "PERL5LIB" => (Warn, "changes where Perl loads modules from"),
        "RUBYOPT" => (
            Warn,
            "adds command-line options (e.g. -r libraries) to every Ruby",
        ),
        "RUBYLIB" => (Warn, "changes where Ruby loads libraries from"),
        "JAVA_TOOL_OPTIONS" | "_JAVA_OPTIONS" => (
            Warn,
            "adds JVM options (e.g. -javaagent) to every Java process",
        ),
        "GIT_SSH_COMMAND" => (Warn, "replaces the command git runs for SSH remotes"),
        "SHELLOPTS" => (Warn, "forces shell options (e.g. xtrace) in every bash"),
        "PS4" => (
            Warn,
            "is expanded (command substitutions included) on every traced bash line",
        ),
        "PROMPT_COMMAND" => (Warn, "is run by bash before every prompt"),
        "ZDOTDIR" => (Warn, "moves zsh's startup files to another directory"),
        "GCONV_PATH" => (
            Warn,
            "makes glibc load character-conversion modules from another directory",
        ),
        "HOSTALIASES" => (Warn, "remaps host names for every resolver lookup"),
        _ if name.starts_with("BASH_FUNC_") => (
            Critical,
            "exports a bash function that can shadow any command in child shells",
        ),
        _ if name.starts_with("DYLD_") => {
            (Warn, "changes how macOS's dynamic loader finds libraries")
        }
        _ => return None,
    };
    Some(hit)
}

fn node_preloads(value: &str) -> bool {
    value.split_whitespace().any(|tok| {
        let flag = tok.split('=').next().unwrap_or(tok);
        NODE_PRELOAD_FLAGS.contains(&flag)
            || (tok.starts_with("-r") && tok.len() > 2 && !tok.starts_with("--"))
    })
}

fn dangerous_process_env(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let mut hits: Vec<(&str, Severity, &str)> = ctx
        .env
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .filter_map(|(k, v)| classify_env(k, v).map(|(s, why)| (k.as_str(), s, why)))
        .collect();
    if hits.is_empty() {
        return;
    }
    // Critical first, then by name (the map is already sorted by name).
    hits.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let severity = hits.iter().map(|h| h.1).max().unwrap_or(Severity::Warn);
    let names: Vec<&str> = hits.iter().map(|h| h.0).collect();
    let facts: Vec<String> = hits
        .iter()
        .map(|(name, sev, why)| format!("{name} ({}: {why})", sev.as_str()))
        .collect();
    out.push(
        Finding::new(
            "env.dangerous_process_env",
            severity,
            "Dangerous variables in the gateway's environment",
            format!(
                "The environment the gateway starts with sets {}; the gateway and every process it \
                 starts inherit them: {}.",
                names.join(", "),
                facts.join("; ")
            ),
        )
        .remediation(format!(
            "Unset {} in whatever starts the gateway (service unit, launchd plist, shell profile, \
             container spec); if something needs them, set them only for that program.",
            names.join(", ")
        )),
    );
}

fn dangerous_config_env(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let Some(env) = ctx.loaded.raw.get("env").and_then(Value::as_object) else {
        return;
    };
    let inline = env
        .iter()
        .filter(|(k, _)| *k != "vars" && *k != "shellEnv")
        .map(|(k, v)| (format!("env.{k}"), k, v));
    let vars = env
        .get("vars")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (format!("env.vars.{k}"), k, v));
    for (path, name, value) in inline.chain(vars) {
        let text = value.as_str().unwrap_or_default();
        if text.trim().is_empty() {
            continue;
        }
        let Some((severity, why)) = classify_env(name, text) else {
            continue;
        };
        out.push(
            Finding::new(
                "env.dangerous_process_env",
                severity,
                "Dangerous variable set in the config env block",
                format!(
                    "`{path}` sets {name}, which {why}; variables from the env block reach the \
                     gateway's child processes."
                ),
            )
            .remediation(format!("Remove `{path}` from the config."))
            .at(path),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// (b) duplicate keys

fn duplicate_keys(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    for err in &ctx.loaded.duplicate_keys {
        let ConfigError::DuplicateKey {
            origin,
            json_path,
            key,
            first_line,
        } = err
        else {
            continue;
        };
        let file = ctx.locations.display(&origin.file);
        out.push(
            Finding::new(
                "config.duplicate_keys",
                Severity::Critical,
                "Config has a duplicate key",
                format!(
                    "{file}:{}: `{json_path}` is written twice (first at line {first_line}). JSON \
                     parsers keep the last one, so a reviewer reading the first sees a value the \
                     gateway does not use; hardclaw refuses to start with it.",
                    origin.line
                ),
            )
            .remediation(format!(
                "Delete one of the two `{key}` entries in {file} (lines {first_line} and {}).",
                origin.line
            ))
            .at(json_path.clone()),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// (c) unenforced keys

/// One step of an [`UNENFORCED_KEYS`] pattern.
#[derive(Debug, PartialEq, Eq)]
enum Step<'p> {
    Key(&'p str),
    AnyKey,
    AnyIndex,
}

fn parse_pattern(pattern: &str) -> Vec<Step<'_>> {
    let mut steps = Vec::new();
    for part in pattern.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        match name {
            "" => {}
            "*" => steps.push(Step::AnyKey),
            n => steps.push(Step::Key(n)),
        }
        while let Some(r) = rest.strip_prefix("[*]") {
            steps.push(Step::AnyIndex);
            rest = r;
        }
    }
    steps
}

/// Every concrete path in `value` matching `steps`, with non-null values only.
fn matches(value: &Value, steps: &[Step<'_>], at: JsonPath, out: &mut Vec<JsonPath>) {
    let Some((first, rest)) = steps.split_first() else {
        if !value.is_null() {
            out.push(at);
        }
        return;
    };
    match (first, value) {
        (Step::Key(k), Value::Object(map)) => {
            if let Some(v) = map.get(*k) {
                matches(v, rest, at.key(*k), out);
            }
        }
        (Step::AnyKey, Value::Object(map)) => {
            for (k, v) in map {
                matches(v, rest, at.key(k.clone()), out);
            }
        }
        (Step::AnyIndex, Value::Array(items)) => {
            for (i, v) in items.iter().enumerate() {
                matches(v, rest, at.index(i), out);
            }
        }
        _ => {}
    }
}

fn unenforced_keys(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    for (pattern, reason) in UNENFORCED_KEYS {
        let mut found = Vec::new();
        matches(
            &ctx.loaded.raw,
            &parse_pattern(pattern),
            JsonPath::root(),
            &mut found,
        );
        for path in found {
            let path = path.to_string();
            out.push(
                Finding::new(
                    "config.unenforced_keys",
                    Severity::Info,
                    "Config key is accepted but not enforced",
                    format!(
                        "`{path}` is set, but {reason}. It loads for compatibility with OpenClaw \
                         and has no effect in hardclaw.",
                    ),
                )
                .remediation(format!(
                    "Remove `{path}`, or keep it knowing it changes nothing."
                ))
                .at(path),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// (d) exec reachable from untrusted senders

/// Open DM / group policies of enabled channels and accounts, as `path="open"`, with the path.
fn open_doors(config: &Config) -> Vec<(String, String)> {
    let mut doors: Vec<(String, String)> = Vec::new();
    let mut push = |path: String| {
        if !doors.iter().any(|(p, _)| *p == path) {
            let text = format!("{path}=\"open\"");
            doors.push((path, text));
        }
    };
    for (name, channel) in config.channels.iter().flatten() {
        if channel.enabled == Some(false) {
            continue;
        }
        let base = format!("channels.{name}");
        let accounts = channel.accounts.as_ref().filter(|a| !a.is_empty());
        match accounts {
            None => {
                for path in channel_doors(&base, channel, None) {
                    push(path);
                }
            }
            Some(accounts) => {
                for (acct, account) in accounts {
                    if account.enabled == Some(false) {
                        continue;
                    }
                    let path = format!("{base}.accounts.{acct}");
                    for door in channel_doors(&path, account, Some((&base, channel))) {
                        push(door);
                    }
                }
            }
        }
    }
    doors
}

/// The open policies that apply to `channel` (an account falls back to its channel's values).
fn channel_doors(base: &str, channel: &Channel, parent: Option<(&str, &Channel)>) -> Vec<String> {
    let dm_of = |prefix: &str, c: &Channel| -> Option<(String, DmPolicy)> {
        c.dm_policy
            .map(|p| (format!("{prefix}.dmPolicy"), p))
            .or_else(|| {
                c.dm.as_ref()
                    .and_then(|d| d.policy)
                    .map(|p| (format!("{prefix}.dm.policy"), p))
            })
    };
    let dms_off = |c: &Channel| c.dm.as_ref().and_then(|d| d.enabled) == Some(false);
    let group_of =
        |prefix: &str, c: &Channel| c.group_policy.map(|p| (format!("{prefix}.groupPolicy"), p));
    let mut doors = Vec::new();
    let dm = dm_of(base, channel).or_else(|| parent.and_then(|(p, c)| dm_of(p, c)));
    let dm_disabled = dms_off(channel) || parent.is_some_and(|(_, c)| dms_off(c));
    if let Some((path, DmPolicy::Open)) = dm
        && !dm_disabled
    {
        doors.push(path);
    }
    let group = group_of(base, channel).or_else(|| parent.and_then(|(p, c)| group_of(p, c)));
    if let Some((path, GroupPolicy::Open)) = group {
        doors.push(path);
    }
    doors
}

fn exec_reachable_from_untrusted(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let config = ctx.config();
    let doors = open_doors(config);
    let Some((first_door, _)) = doors.first() else {
        return;
    };
    let door_text: Vec<&str> = doors.iter().map(|(_, t)| t.as_str()).collect();
    let agents: Vec<Option<usize>> = if config.agent_list().is_empty() {
        vec![None]
    } else {
        (0..config.agent_list().len()).map(Some).collect()
    };
    for idx in agents {
        let sandbox = sandbox_mode(config, idx);
        if sandbox.applies_to(SessionKind::Other) {
            continue;
        }
        let agent = idx.and_then(|i| config.agent_list().get(i));
        let exec_security = agent
            .and_then(|a| a.tools.as_ref())
            .and_then(|t| t.exec.as_ref())
            .and_then(|e| e.security)
            .or_else(|| {
                config
                    .tools
                    .as_ref()
                    .and_then(|t| t.exec.as_ref())
                    .and_then(|e| e.security)
            });
        if exec_security == Some(ExecSecurity::Deny) {
            continue;
        }
        let layers = layers_for(config, idx, SessionKind::Other);
        let tools: Vec<&str> = ["exec", "process"]
            .into_iter()
            .filter(|t| decide(&layers, t) == ToolDecision::Allowed)
            .collect();
        if tools.is_empty() {
            continue;
        }
        let (who, deny_path, sandbox_path) = match (idx, agent) {
            (Some(i), Some(a)) => (
                format!("agent `{}` (agents.list[{i}])", a.id),
                format!("agents.list[{i}].tools.deny"),
                format!("agents.list[{i}].sandbox.mode"),
            ),
            _ => (
                format!(
                    "the default agent `{}` (no agents.list)",
                    super::fs_perms::DEFAULT_AGENT_ID
                ),
                "tools.deny".to_string(),
                "agents.defaults.sandbox.mode".to_string(),
            ),
        };
        let mode = match sandbox.0 {
            SandboxMode::Off => "off",
            SandboxMode::NonMain => "non-main",
            SandboxMode::All => "all",
        };
        let layer_names: Vec<String> = layers.iter().map(|l| l.name.clone()).collect();
        let policy = if layer_names.is_empty() {
            "no tool policy applies".to_string()
        } else {
            format!("no layer removes them ({})", layer_names.join(", "))
        };
        out.push(
            Finding::new(
                "tools.exec.reachable_from_untrusted",
                Severity::Critical,
                "Untrusted senders can reach host exec",
                format!(
                    "{who} keeps {} in non-main sessions ({policy}) and its sandbox mode is `{mode}`, \
                     so commands run on the host; {} lets anyone start such a session. One \
                     prompt-injected message can run commands as the gateway's user.",
                    tools.join(" and "),
                    door_text.join(", ")
                ),
            )
            .remediation(format!(
                "Add \"group:runtime\" to {deny_path}, or set {sandbox_path} to \"non-main\" or \
                 \"all\"; and prefer \"pairing\"/\"allowlist\" over \"open\" for {}.",
                doors
                    .iter()
                    .map(|(p, _)| p.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .at(first_door.clone()),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// (e) gateway token file

fn token_file(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let path = ctx.locations.state_dir.join("gateway.token");
    let Some(p) = inspect(&path) else { return };
    if p.is_dir || !(p.readable_by_others() || p.writable_by_others()) {
        return;
    }
    let mut facts = Vec::new();
    if p.readable_by_others() {
        facts.push("other users can read the gateway token and connect as the operator");
    }
    if p.writable_by_others() {
        facts.push("other users can replace the token with one they know");
    }
    out.push(
        Finding::new(
            "gateway.hardclaw_token_file.perms",
            Severity::Critical,
            "Gateway token file is accessible to others",
            format!(
                "{} has mode {}: {}.",
                ctx.locations.display(&path),
                p.mode_text(),
                facts.join("; ")
            ),
        )
        .remediation(format!(
            "{}, then rotate the token ({} doctor --generate-gateway-token).",
            chmod(ctx, "600", &path),
            ctx.locations.cli()
        )),
    );
}

#[cfg(test)]
mod tests;
