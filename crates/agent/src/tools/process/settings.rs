//! The time limits of background commands, from `tools.exec` (the agent's
//! `agents.list[].tools.exec` field by field over the global one), OpenClaw's defaults:
//!
//! | key | default | meaning here |
//! |---|---|---|
//! | `timeoutSec` | 1800 | wall-clock limit of a background (or auto-backgrounded) command; a per-call `timeout` may only lower it; 0 is the default, never "no limit" |
//! | `backgroundMs` | 10000 (10–120000) | a foreground `exec` still running after this is backgrounded (when `process` is allowed); also the bounds of `yieldMs` |
//! | `cleanupMs` | 1800000 (≤ 3 h) | how long a finished command's output stays for `poll`/`log` |

use std::time::Duration;

use hardclaw_config::Config;
use hardclaw_config::schema::ExecTool;

/// Default `timeoutSec`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);
/// Default `backgroundMs`.
pub const DEFAULT_BACKGROUND: Duration = Duration::from_millis(10_000);
/// Default `cleanupMs`.
pub const DEFAULT_CLEANUP: Duration = Duration::from_millis(1_800_000);
/// Bounds of `backgroundMs` and `yieldMs`.
pub const YIELD_BOUNDS: (Duration, Duration) =
    (Duration::from_millis(10), Duration::from_millis(120_000));
/// Upper bound of `cleanupMs`.
pub const MAX_CLEANUP: Duration = Duration::from_secs(3 * 3600);

/// Resolved `tools.exec` time limits for one agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessSettings {
    /// Wall-clock limit.
    pub timeout: Duration,
    /// Auto-background after.
    pub background: Duration,
    /// Keep finished commands for.
    pub cleanup: Duration,
}

impl Default for ProcessSettings {
    fn default() -> Self {
        ProcessSettings {
            timeout: DEFAULT_TIMEOUT,
            background: DEFAULT_BACKGROUND,
            cleanup: DEFAULT_CLEANUP,
        }
    }
}

/// Clamps a yield (`yieldMs` / `backgroundMs`) to its bounds.
pub fn clamp_yield(d: Duration) -> Duration {
    d.clamp(YIELD_BOUNDS.0, YIELD_BOUNDS.1)
}

impl ProcessSettings {
    /// The settings for `agent_id`.
    pub fn from_config(config: &Config, agent_id: &str) -> ProcessSettings {
        let global = config.tools.as_ref().and_then(|t| t.exec.as_ref());
        let own = config
            .agent_list()
            .iter()
            .find(|a| a.id.eq_ignore_ascii_case(agent_id))
            .and_then(|a| a.tools.as_ref())
            .and_then(|t| t.exec.as_ref());
        let pick = |f: fn(&ExecTool) -> Option<u64>| own.and_then(f).or_else(|| global.and_then(f));
        let d = ProcessSettings::default();
        ProcessSettings {
            timeout: pick(|e| e.timeout_sec)
                .filter(|s| *s > 0)
                .map_or(d.timeout, Duration::from_secs),
            background: pick(|e| e.background_ms)
                .map_or(d.background, |ms| clamp_yield(Duration::from_millis(ms))),
            cleanup: pick(|e| e.cleanup_ms)
                .map_or(d.cleanup, |ms| Duration::from_millis(ms).min(MAX_CLEANUP)),
        }
    }

    /// The limit of one call: its `timeout` (seconds) when given and lower, else the setting.
    pub fn call_timeout(&self, requested_secs: Option<u64>) -> Duration {
        match requested_secs.filter(|s| *s > 0) {
            Some(s) => Duration::from_secs(s).min(self.timeout),
            None => self.timeout,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config(v: serde_json::Value) -> Config {
        Config::from_value(&v).unwrap()
    }

    #[test]
    fn defaults_are_openclaws() {
        let s = ProcessSettings::from_config(&config(json!({})), "main");
        assert_eq!(
            s,
            ProcessSettings {
                timeout: Duration::from_secs(1800),
                background: Duration::from_secs(10),
                cleanup: Duration::from_secs(1800),
            }
        );
    }

    #[test]
    fn agent_wins_field_by_field_and_values_are_clamped() {
        let c = config(json!({
            "tools": {"exec": {"timeoutSec": 600, "backgroundMs": 5, "cleanupMs": 999_999_999}},
            "agents": {"list": [{"id": "main", "tools": {"exec": {"timeoutSec": 30}}}]}
        }));
        assert_eq!(
            ProcessSettings::from_config(&c, "main"),
            ProcessSettings {
                timeout: Duration::from_secs(30),
                background: Duration::from_millis(10),
                cleanup: MAX_CLEANUP,
            }
        );
        assert_eq!(
            ProcessSettings::from_config(&c, "other").timeout,
            Duration::from_secs(600)
        );
    }

    #[test]
    fn zero_timeout_is_the_default_not_unlimited() {
        let c = config(json!({"tools": {"exec": {"timeoutSec": 0}}}));
        let s = ProcessSettings::from_config(&c, "main");
        assert_eq!(s.timeout, DEFAULT_TIMEOUT);
        assert_eq!(s.call_timeout(Some(0)), DEFAULT_TIMEOUT);
        assert_eq!(s.call_timeout(Some(5)), Duration::from_secs(5));
        assert_eq!(s.call_timeout(Some(1_000_000)), DEFAULT_TIMEOUT);
    }
}
