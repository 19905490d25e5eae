//! The webchat channel: the operator, authenticated on the WebSocket, talking to the default
//! agent in its main session. The operator is the owner, so DM policies do not apply; the
//! command gates do (reference §5.6): `!cmd` / `/bash` need `commands.bash: true` **and**
//! elevated mode (`tools.elevated.enabled: true`, off by default in hardclaw); `/config` and
//! `/debug` need `commands.config` / `commands.debug` set to exactly `true`.

use hardclaw_config::Config;
use hardclaw_policy::normalize_agent_id;

/// Shown while no agent runtime exists.
pub const NO_AGENT_NOTICE: &str =
    "No agent is configured: your message was stored, but nothing will answer it yet.";

/// The default agent: the one marked `default`, else the first listed, else `main`.
pub fn default_agent(config: &Config) -> String {
    let list = config.agents.as_ref().and_then(|a| a.list.as_ref());
    let id = list.and_then(|l| {
        l.iter()
            .find(|a| a.default == Some(true))
            .or_else(|| l.first())
            .map(|a| a.id.clone())
    });
    normalize_agent_id(id.as_deref().unwrap_or("main"))
}

/// `Some(reason)` when `text` is a chat command that is disabled.
pub fn command_gate(config: &Config, text: &str) -> Option<String> {
    let t = text.trim_start();
    let commands = config.commands.as_ref();
    let first = t
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if t.starts_with('!') || first == "/bash" {
        let bash = commands.and_then(|c| c.bash) == Some(true);
        let elevated = config
            .tools
            .as_ref()
            .and_then(|t| t.elevated.as_ref())
            .and_then(|e| e.enabled)
            == Some(true);
        if !bash {
            return Some("⚠️ bash commands are disabled. Set commands.bash=true to enable.".into());
        }
        if !elevated {
            return Some(
                "⚠️ bash commands need elevated mode, which is disabled (tools.elevated.enabled)."
                    .into(),
            );
        }
        return None;
    }
    if first == "/config" && commands.and_then(|c| c.config) != Some(true) {
        return Some("⚠️ /config is disabled. Set commands.config=true to enable.".into());
    }
    if first == "/debug" && commands.and_then(|c| c.debug) != Some(true) {
        return Some("⚠️ /debug is disabled. Set commands.debug=true to enable.".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cfg(v: serde_json::Value) -> Config {
        Config::from_value(&v).unwrap()
    }

    #[test]
    fn bang_commands_are_rejected_by_default() {
        let c = cfg(json!({}));
        assert!(command_gate(&c, "!echo test").is_some());
        assert!(command_gate(&c, "  /bash ls").is_some());
        assert!(command_gate(&c, "/config show").is_some());
        assert!(command_gate(&c, "hello !").is_none());
        let c = cfg(json!({"commands": {"bash": true}}));
        assert!(
            command_gate(&c, "!echo test").is_some(),
            "elevated still off"
        );
        let c = cfg(json!({"commands": {"bash": true}, "tools": {"elevated": {"enabled": true}}}));
        assert!(command_gate(&c, "!echo test").is_none());
    }

    #[test]
    fn default_agent_resolution() {
        assert_eq!(default_agent(&cfg(json!({}))), "main");
        assert_eq!(
            default_agent(&cfg(
                json!({"agents": {"list": [{"id": "a"}, {"id": "Ops", "default": true}]}})
            )),
            "ops"
        );
    }
}
