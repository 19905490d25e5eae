use serde_json::json;

use super::collect;
use crate::finding::Severity;
use crate::test_support::{Fixture, find, ids};

fn run(v: serde_json::Value) -> Vec<crate::finding::Finding> {
    Fixture::new(v).run(collect)
}

#[test]
fn open_groups_with_elevated_only_when_elevated_is_on() {
    let f = run(json!({
        "channels": {"telegram": {"groupPolicy": "open"}},
        "tools": {"elevated": {"enabled": true}}
    }));
    let x = find(&f, "security.exposure.open_groups_with_elevated");
    assert_eq!(x.severity, Severity::Critical);
    assert_eq!(
        x.json_path.as_deref(),
        Some("channels.telegram.groupPolicy")
    );
    // hardclaw default: elevated off.
    let off = run(json!({"channels": {"telegram": {"groupPolicy": "open"}}}));
    assert!(!ids(&off).contains(&"security.exposure.open_groups_with_elevated"));
}

#[test]
fn open_groups_with_runtime_is_critical_fs_only_is_warn() {
    let f = run(json!({"channels": {"slack": {"accounts": {"w": {"groupPolicy": "open"}}}}}));
    let x = find(&f, "security.exposure.open_groups_with_runtime_or_fs");
    assert_eq!(x.severity, Severity::Critical);
    assert_eq!(
        x.json_path.as_deref(),
        Some("channels.slack.accounts.w.groupPolicy")
    );
    let fs_only = run(json!({
        "channels": {"slack": {"groupPolicy": "open"}},
        "tools": {"deny": ["group:runtime"]}
    }));
    assert_eq!(
        find(&fs_only, "security.exposure.open_groups_with_runtime_or_fs").severity,
        Severity::Warn
    );
    let safe = run(json!({
        "channels": {"slack": {"groupPolicy": "open"}},
        "tools": {"deny": ["group:runtime"], "fs": {"workspaceOnly": true}}
    }));
    assert!(!ids(&safe).contains(&"security.exposure.open_groups_with_runtime_or_fs"));
    let sandboxed = run(json!({
        "channels": {"slack": {"groupPolicy": "open"}},
        "agents": {"defaults": {"sandbox": {"mode": "all"}}}
    }));
    assert!(!ids(&sandboxed).contains(&"security.exposure.open_groups_with_runtime_or_fs"));
}

#[test]
fn open_groups_with_control_plane_tools() {
    let f = run(json!({"channels": {"discord": {"dmPolicy": "open", "allowFrom": ["*"]}}}));
    let x = find(&f, "security.exposure.open_groups_with_control_plane_tools");
    assert_eq!(x.severity, Severity::Critical);
    assert_eq!(x.json_path.as_deref(), Some("channels.discord.dmPolicy"));
    let ok = run(json!({
        "channels": {"discord": {"dmPolicy": "open", "allowFrom": ["*"]}},
        "tools": {"deny": ["group:automation", "nodes"]}
    }));
    assert!(!ids(&ok).contains(&"security.exposure.open_groups_with_control_plane_tools"));
}

#[test]
fn no_open_policy_no_exposure_findings() {
    let f = run(
        json!({"channels": {"telegram": {"groupPolicy": "allowlist"}}, "tools": {"elevated": {"enabled": true}}}),
    );
    assert!(ids(&f).iter().all(|i| !i.starts_with("security.exposure")));
}

#[test]
fn multi_user_heuristic_signals() {
    let f =
        run(json!({"channels": {"discord": {"groupPolicy": "allowlist", "guilds": {"123": {}}}}}));
    let x = find(&f, "security.trust_model.multi_user_heuristic");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(x.json_path.as_deref(), Some("channels.discord.groupPolicy"));
    assert!(
        x.detail
            .contains("channels.discord.groupPolicy=\"allowlist\" with configured group targets")
    );
    let star = run(json!({"channels": {"telegram": {"groupAllowFrom": ["*"]}}}));
    assert_eq!(
        find(&star, "security.trust_model.multi_user_heuristic")
            .json_path
            .as_deref(),
        Some("channels.telegram.groupAllowFrom")
    );
    let ok =
        run(json!({"channels": {"telegram": {"groupPolicy": "allowlist", "allowFrom": ["123"]}}}));
    assert!(ids(&ok).is_empty());
}

#[test]
fn group_scope_main() {
    let f = run(json!({"session": {"groupScope": "main"}}));
    let x = find(&f, "security.trust_model.group_scope_main");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(x.json_path.as_deref(), Some("session.groupScope"));
    let b = run(
        json!({"bindings": [{"agentId": "a", "match": {"channel": "x"}, "session": {"groupScope": "main"}}]}),
    );
    assert_eq!(
        find(&b, "security.trust_model.group_scope_main")
            .json_path
            .as_deref(),
        Some("bindings[0].session.groupScope")
    );
    let ok = run(json!({"session": {"groupScope": "group"}}));
    assert!(ids(&ok).is_empty());
}
