//! `plugins.entries["command-guard"]`: `guardedTools`, `failOpen`, `logBlocks`. Unknown keys or
//! wrong types are a config error (the guide's manifests set `additionalProperties: false`).

use hardclaw_config::Config;
use serde::Deserialize;

/// The plugin id in `plugins.entries`.
pub const PLUGIN_ID: &str = "command-guard";

/// The command guard's settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct CommandGuardConfig {
    /// Tools whose `command` parameter is checked.
    pub guarded_tools: Vec<String>,
    /// Allow calls when the config is broken (default false: block).
    pub fail_open: bool,
    /// Log blocked calls.
    pub log_blocks: bool,
}

impl Default for CommandGuardConfig {
    fn default() -> Self {
        CommandGuardConfig {
            guarded_tools: vec!["exec".into(), "bash".into()],
            fail_open: false,
            log_blocks: true,
        }
    }
}

/// What the config says: settings, or the error that makes the guard fail closed. `enabled:
/// false` on the plugin entry switches the guard off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// Settings (defaults when the config had an error).
    pub config: CommandGuardConfig,
    /// Why the config could not be used.
    pub error: Option<String>,
    /// Whether the guard runs.
    pub enabled: bool,
}

/// Reads the guard's settings from `config`.
pub fn load(config: &Config) -> Loaded {
    let entry = config
        .plugins
        .as_ref()
        .and_then(|p| p.entries.as_ref())
        .and_then(|e| e.get(PLUGIN_ID));
    let enabled = entry.and_then(|e| e.enabled).unwrap_or(true);
    let value = entry.and_then(|e| e.config.clone());
    let (config, error) = match value {
        None | Some(serde_json::Value::Null) => (CommandGuardConfig::default(), None),
        Some(v) => match serde_json::from_value::<CommandGuardConfig>(v.clone()) {
            Ok(c) => (c, None),
            Err(e) => {
                // `failOpen` still decides what a broken config means.
                let fail_open = v.get("failOpen").and_then(serde_json::Value::as_bool);
                let config = CommandGuardConfig {
                    fail_open: fail_open.unwrap_or(false),
                    ..CommandGuardConfig::default()
                };
                (config, Some(e.to_string()))
            }
        },
    };
    Loaded {
        config,
        error,
        enabled,
    }
}
