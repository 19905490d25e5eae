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

    /// Whether `tool` is guarded.
    pub fn guards(&self, tool: &str) -> bool {
        self.enabled && self.config.guarded_tools.iter().any(|t| t == tool)
    }

    /// Analyses `params.command` and checks it.
    pub fn check_request(&self, req: &GuardRequest<'_>) -> Decision {
        if !self.guards(req.tool) {
            return Decision::allow(GUARD);
        }
        match req
            .params
            .get("command")
            .and_then(serde_json::Value::as_str)
        {
            Some(cmd) if !cmd.trim().is_empty() => self.check(req, &analyze(cmd, &self.limits)),
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
        match req.params.get("command") {
            None | Some(serde_json::Value::Null) => return Decision::allow(GUARD),
            Some(serde_json::Value::String(s)) if s.trim().is_empty() => {
                return Decision::allow(GUARD);
            }
            Some(serde_json::Value::String(_)) => {}
            Some(_) => {
                return Decision::block(
                    GUARD,
                    "parse-error",
                    "Command is not a string — blocking for safety.",
                );
            }
        }
        evaluate(facts)
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
