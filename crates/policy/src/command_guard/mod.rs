//! command-guard: blocks dangerous shell commands, judged on what bash will actually run.
//!
//! The guide's regex plugin (17 patterns over the raw string) is re-expressed as [`Rule`]s over
//! [`CommandFacts`] from [`crate::shell::analyze`], checked against every executed program —
//! chained, piped, nested in substitutions, unwrapped from `env`/`sudo`/`xargs`/`find -exec`,
//! and inline code of `sh -c`/`eval`/heredocs — so `r''m -rf`, `\rm -rf`, `/usr/bin/time rm
//! -rf` and `ls\nrm -rf /` are all the same `rm -rf`. hardclaw adds rules for analysis
//! failures, run-time program names, obfuscation, suspicious Unicode, dangerous environment
//! variables, environment disclosure, reverse shells and option-executed programs.
//!
//! [`CommandGuard::from_config`] reads `plugins.entries["command-guard"].config`; the guard is
//! on with safe defaults when the config says nothing. [`exec_policy`] is the separate
//! allowlist / safe-bin / ask layer of `tools.exec`.

mod config;
mod env;
pub mod exec_policy;
mod rule;
mod rules;

#[cfg(test)]
mod corpus;
#[cfg(test)]
mod tests;

pub use config::{CommandGuardConfig, PLUGIN_ID};
pub use env::{BLOCKED_ENV, BLOCKED_ENV_PREFIXES, is_dangerous_env, sanitize_exec_env};
pub use rule::{Category, Rule};
pub use rules::RULES;

use hardclaw_config::Config;

use crate::guard::{Decision, GuardRequest};
use crate::shell::{CommandFacts, Limits, analyze};

/// The guard's name in decisions.
pub const GUARD: &str = "command-guard";

/// The reason used when the config cannot be read and `failOpen` is off (the guide's wording).
pub const CONFIG_UNAVAILABLE: &str = "Command guard config unavailable — blocking for safety.";

/// The command guard, built once from the config.
#[derive(Debug, Clone)]
pub struct CommandGuard {
    config: CommandGuardConfig,
    config_error: Option<String>,
    enabled: bool,
    limits: Limits,
}

impl Default for CommandGuard {
    fn default() -> Self {
        CommandGuard {
            config: CommandGuardConfig::default(),
            config_error: None,
            enabled: true,
            limits: Limits::default(),
        }
    }
}

impl CommandGuard {
    /// Reads `plugins.entries["command-guard"]`.
    pub fn from_config(config: &Config) -> CommandGuard {
        let loaded = config::load(config);
        CommandGuard {
            config: loaded.config,
            config_error: loaded.error,
            enabled: loaded.enabled,
            limits: Limits::default(),
        }
    }

    /// The settings in force.
    pub fn config(&self) -> &CommandGuardConfig {
        &self.config
    }

    /// Why the config could not be used, if it could not.
    pub fn config_error(&self) -> Option<&str> {
        self.config_error.as_deref()
    }

    /// The analyser limits this guard uses (for callers that analyse themselves).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Whether `tool` is guarded. The `process` tool (which writes into running sessions) is
    /// guarded whenever `exec` is.
    pub fn guards(&self, tool: &str) -> bool {
        self.enabled
            && self
                .config
                .guarded_tools
                .iter()
                .any(|t| t == tool || tool == "process" && t == "exec")
    }

    /// Analyses the shell text of the call ([`command_input`]) and checks it.
    pub fn check_request(&self, req: &GuardRequest<'_>) -> Decision {
        if !self.guards(req.tool) {
            return Decision::allow(GUARD);
        }
        match command_input(req.tool, req.params) {
            CommandInput::Shell(cmd) => self.check(req, &analyze(&cmd, &self.limits)),
            _ => self.check(req, &CommandFacts::default()),
        }
    }

    /// Checks a request whose command was analysed into `facts` (by [`analyze`] with
    /// [`Self::limits`]). The first matching rule blocks.
    pub fn check(&self, req: &GuardRequest<'_>, facts: &CommandFacts) -> Decision {
        if !self.guards(req.tool) {
            return Decision::allow(GUARD);
        }
        if self.config_error.is_some() && !self.config.fail_open {
            return Decision::block(GUARD, "config-error", CONFIG_UNAVAILABLE);
        }
        match command_input(req.tool, req.params) {
            CommandInput::None => Decision::allow(GUARD),
            CommandInput::Invalid(why) => Decision::block(
                GUARD,
                "invalid-input",
                format!("{why} — blocking for safety."),
            ),
            CommandInput::Shell(_) => evaluate(facts),
        }
    }
}

/// The shell text a guarded tool call runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandInput {
    /// Nothing runs (an empty command; a `process` action that writes nothing).
    None,
    /// Shell text to analyse.
    Shell(String),
    /// Malformed parameters: the guard blocks them.
    Invalid(&'static str),
}

/// `process` actions that type text into a running session.
const PROCESS_WRITE_ACTIONS: &[&str] = &["write", "send-keys", "send_keys", "submit", "paste"];

/// What `tool` with `params` runs: `params.command` for `exec`/`bash`; for `process`, the
/// text written by a `write`/`send-keys`/`submit`/`paste` action (`data`, `keys`, `text`).
pub fn command_input(tool: &str, params: &serde_json::Value) -> CommandInput {
    use serde_json::Value;
    let Some(obj) = params.as_object() else {
        return CommandInput::Invalid("Tool parameters are not an object");
    };
    if tool == "process" {
        let Some(action) = obj.get("action").and_then(Value::as_str) else {
            return match obj.get("action") {
                None | Some(Value::Null) => CommandInput::None,
                Some(_) => CommandInput::Invalid("Process action is not a string"),
            };
        };
        if !PROCESS_WRITE_ACTIONS.contains(&action.to_ascii_lowercase().as_str()) {
            return CommandInput::None;
        }
        let mut text = Vec::new();
        for key in ["data", "keys", "text", "input", "command"] {
            match obj.get(key) {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) => text.push(s.clone()),
                Some(Value::Array(items)) => {
                    for i in items {
                        match i.as_str() {
                            Some(s) => text.push(s.to_string()),
                            None => return CommandInput::Invalid("Process input is not text"),
                        }
                    }
                }
                Some(_) => return CommandInput::Invalid("Process input is not text"),
            }
        }
        let joined = text.join(" ");
        return if joined.trim().is_empty() {
            CommandInput::None
        } else {
            CommandInput::Shell(joined)
        };
    }
    match obj.get("command") {
        Some(Value::String(s)) if s.trim().is_empty() => CommandInput::None,
        Some(Value::String(s)) => CommandInput::Shell(s.clone()),
        None | Some(Value::Null) => CommandInput::Invalid("Command is missing"),
        Some(_) => CommandInput::Invalid("Command is not a string"),
    }
}

/// The first rule matching `facts`, as a decision.
pub fn evaluate(facts: &CommandFacts) -> Decision {
    for rule in RULES {
        if let Some(detail) = rule.matches(facts) {
            let guide_wording = matches!(
                rule.category,
                Category::Destructive
                    | Category::SystemDamage
                    | Category::PipeToShell
                    | Category::GitDestructive
            ) || matches!(
                rule.id,
                "shell-inline" | "eval" | "interpreter-inline" | "env-disclosure"
            );
            let reason = if guide_wording || detail.is_empty() {
                rule.message.to_string()
            } else {
                format!("{} ({detail})", rule.message)
            };
            return Decision::block(GUARD, rule.id, reason);
        }
    }
    Decision::allow(GUARD)
}
