//! `plugins.entries["file-guard"].config` (reference `openclaw-guide-spec.md` §1.3):
//! `configPath` (default `./file-guard.json`, relative to the plugin directory unless absolute,
//! `~` expanded), `failOpen` (default false), `logBlocks` (default true), `agentOverrides`
//! (agent id → `{configPath}`), and hardclaw's `caseInsensitive` (default: true on macOS only).
//! Unknown keys or wrong types are a config error (the manifest has
//! `additionalProperties: false`), which fails closed unless `failOpen` is readable and true.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hardclaw_config::schema::Config;
use serde_json::Value;

use super::paths::expand_tilde;

/// The plugin id.
pub const PLUGIN_ID: &str = "file-guard";

/// The default pattern file, relative to the plugin directory.
pub const DEFAULT_CONFIG_PATH: &str = "./file-guard.json";

/// The file guard's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Whether the plugin entry is enabled (`plugins.entries["file-guard"].enabled`, default
    /// true). hardclaw's built-in protections apply even when false.
    pub enabled: bool,
    /// Pattern file, as written.
    pub config_path: String,
    /// Whether `configPath` was given explicitly. A missing pattern file at the default
    /// location means "the default patterns"; a missing explicitly configured one is a config
    /// error (a typo must not silently drop the user's protections).
    pub config_path_explicit: bool,
    /// On a malformed pattern file: fall back to the defaults (true) or block every guarded
    /// call (false).
    pub fail_open: bool,
    /// Whether blocks should be logged (the caller logs; the policy crate never prints).
    pub log_blocks: bool,
    /// Agent id → extra pattern file, as written.
    pub agent_overrides: BTreeMap<String, String>,
    /// Case-insensitive matching.
    pub case_insensitive: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            enabled: true,
            config_path: DEFAULT_CONFIG_PATH.to_string(),
            config_path_explicit: false,
            fail_open: false,
            log_blocks: true,
            agent_overrides: BTreeMap::new(),
            case_insensitive: cfg!(target_os = "macos"),
        }
    }
}

impl Settings {
    /// Reads the settings from the config. `Err` carries the settings that could still be
    /// read (with `failOpen` taken only when it was a boolean) and the problem.
    pub fn from_config(config: &Config) -> Result<Settings, (Settings, String)> {
        let entry = config
            .plugins
            .as_ref()
            .and_then(|p| p.entries.as_ref())
            .and_then(|e| e.get(PLUGIN_ID));
        let mut settings = Settings {
            enabled: entry.and_then(|e| e.enabled).unwrap_or(true),
            ..Settings::default()
        };
        let Some(value) = entry.and_then(|e| e.config.as_ref()) else {
            return Ok(settings);
        };
        match settings.apply(value) {
            Ok(()) => Ok(settings),
            Err(e) => Err((settings, e)),
        }
    }

    fn apply(&mut self, value: &Value) -> Result<(), String> {
        let Value::Object(obj) = value else {
            return Err("plugins.entries.file-guard.config must be an object".into());
        };
        // failOpen first, so later errors know how to fail.
        if let Some(v) = obj.get("failOpen") {
            self.fail_open = v
                .as_bool()
                .ok_or_else(|| "`failOpen` must be a boolean".to_string())?;
        }
        for (key, v) in obj {
            match key.as_str() {
                "failOpen" => {}
                "configPath" => {
                    self.config_path = v
                        .as_str()
                        .filter(|s| !s.trim().is_empty())
                        .ok_or_else(|| "`configPath` must be a non-empty string".to_string())?
                        .to_string();
                    self.config_path_explicit = true;
                }
                "logBlocks" => {
                    self.log_blocks = v
                        .as_bool()
                        .ok_or_else(|| "`logBlocks` must be a boolean".to_string())?;
                }
                "caseInsensitive" => {
                    self.case_insensitive = v
                        .as_bool()
                        .ok_or_else(|| "`caseInsensitive` must be a boolean".to_string())?;
                }
                "agentOverrides" => {
                    let Value::Object(map) = v else {
                        return Err("`agentOverrides` must be an object".into());
                    };
                    for (agent, o) in map {
                        let path = o
                            .get("configPath")
                            .and_then(Value::as_str)
                            .filter(|s| !s.trim().is_empty())
                            .ok_or_else(|| {
                                format!("`agentOverrides.{agent}` needs a string `configPath`")
                            })?;
                        if let Some(extra) = o
                            .as_object()
                            .and_then(|m| m.keys().find(|k| *k != "configPath"))
                        {
                            return Err(format!("unknown key `agentOverrides.{agent}.{extra}`"));
                        }
                        self.agent_overrides.insert(agent.clone(), path.to_string());
                    }
                }
                other => return Err(format!("unknown file-guard setting `{other}`")),
            }
        }
        Ok(())
    }
}

/// Resolves a pattern file path as written: `~` expanded, absolute kept, else relative to
/// `base_dir`.
pub fn resolve_path(written: &str, base_dir: &Path, home: &Path) -> PathBuf {
    let expanded = expand_tilde(written, home);
    if expanded.is_absolute() {
        expanded
    } else {
        base_dir.join(expanded)
    }
}
