use hardclaw_config::schema::Config;
use serde_json::json;

use super::*;

fn cfg(v: serde_json::Value) -> Config {
    Config::from_value(&v).expect("valid config")
}

#[test]
fn no_policy_allows_everything() {
    let c = cfg(json!({}));
    let layers = layers_for(&c, None, SessionKind::Main);
    assert_eq!(allowed_builtins(&layers).len(), BUILTIN_TOOLS.len());
}

#[test]
fn global_deny_beats_agent_allow_and_names_the_layer() {
    // Reference §1.4: a tool in global tools.deny can never be re-enabled by an agent allow.
    let c = cfg(json!({
        "tools": {"deny": ["gateway", "group:web"]},
        "agents": {"list": [{"id": "main", "tools": {"allow": ["gateway", "exec", "web_fetch"]}}]}
    }));
    let layers = layers_for(&c, Some(0), SessionKind::Main);
    assert_eq!(
        decide(&layers, "gateway"),
        ToolDecision::Denied {
            layer: "tools".into(),
            entry: "deny `gateway`".into()
        }
    );
    assert_eq!(
        decide(&layers, "web_fetch"),
        ToolDecision::Denied {
            layer: "tools".into(),
            entry: "deny `web_fetch`".into()
        }
    );
    assert_eq!(decide(&layers, "exec"), ToolDecision::Allowed);
    assert_eq!(
        decide(&layers, "read"),
        ToolDecision::Denied {
            layer: "agents.list[0].tools".into(),
            entry: "not in allow list".into()
        }
    );
}

#[test]
fn aliases_globs_and_case() {
    let c = cfg(json!({"tools": {"deny": ["BASH", "sessions_*"]}}));
    let layers = layers_for(&c, None, SessionKind::Main);
    assert!(matches!(
        decide(&layers, "exec"),
        ToolDecision::Denied { .. }
    ));
    assert!(matches!(
        decide(&layers, "sessions_send"),
        ToolDecision::Denied { .. }
    ));
    assert_eq!(decide(&layers, "session_status"), ToolDecision::Allowed);
}

#[test]
fn profiles_and_also_allow() {
    let c = cfg(json!({"tools": {"profile": "messaging", "alsoAllow": ["web_search"]}}));
    let layers = layers_for(&c, None, SessionKind::Main);
    let allowed = allowed_builtins(&layers);
    assert_eq!(
        allowed,
        vec![
            "web_search",
            "message",
            "sessions_list",
            "sessions_history",
            "sessions_send",
            "session_status"
        ]
    );
    let c = cfg(json!({"tools": {"profile": "minimal"}}));
    assert_eq!(
        allowed_builtins(&layers_for(&c, None, SessionKind::Main)),
        vec!["session_status"]
    );
}

#[test]
fn apply_patch_rides_on_exec_in_allow_list() {
    let c = cfg(json!({"tools": {"allow": ["exec"]}}));
    let layers = layers_for(&c, None, SessionKind::Main);
    assert_eq!(decide(&layers, "apply_patch"), ToolDecision::Allowed);
    assert!(matches!(
        decide(&layers, "write"),
        ToolDecision::Denied { .. }
    ));
}

#[test]
fn sandbox_layer_applies_per_mode() {
    let c = cfg(json!({"agents": {"list": [{"id": "main", "sandbox": {"mode": "non-main"}}]}}));
    let main = layers_for(&c, Some(0), SessionKind::Main);
    let other = layers_for(&c, Some(0), SessionKind::Other);
    assert_eq!(decide(&main, "web_fetch"), ToolDecision::Allowed);
    assert_eq!(
        decide(&other, "web_fetch"),
        ToolDecision::Denied {
            layer: "sandbox default".into(),
            entry: "not in allow list".into()
        }
    );
    assert_eq!(decide(&other, "exec"), ToolDecision::Allowed);
}
