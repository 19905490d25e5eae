use serde_json::json;

use super::collect;
use crate::finding::Severity;
use crate::test_support::{Fixture, find, ids};

fn run(v: serde_json::Value) -> Vec<crate::finding::Finding> {
    Fixture::new(v).run(collect)
}

#[test]
fn host_sandbox_without_sandbox_defaults() {
    let f = run(json!({"tools": {"exec": {"host": "sandbox"}}}));
    let x = find(&f, "tools.exec.host_sandbox_no_sandbox_defaults");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(x.json_path.as_deref(), Some("tools.exec.host"));
    let ok = run(json!({
        "tools": {"exec": {"host": "sandbox"}},
        "agents": {"defaults": {"sandbox": {"mode": "all"}}}
    }));
    assert!(!ids(&ok).contains(&"tools.exec.host_sandbox_no_sandbox_defaults"));
}

#[test]
fn host_sandbox_without_sandbox_agents() {
    let f = run(json!({"agents": {"list": [
        {"id": "ok", "tools": {"exec": {"host": "sandbox"}}, "sandbox": {"mode": "all"}},
        {"id": "bad", "tools": {"exec": {"host": "sandbox"}}}
    ]}}));
    let x = find(&f, "tools.exec.host_sandbox_no_sandbox_agents");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(
        x.json_path.as_deref(),
        Some("agents.list[1].tools.exec.host")
    );
    assert!(x.detail.contains("for: bad."));
    assert!(!x.detail.contains("ok"));
}

#[test]
fn security_full_warns_and_escalates_with_open_channels() {
    let warn = run(json!({"tools": {"exec": {"security": "full"}}}));
    let x = find(&warn, "tools.exec.security_full_configured");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(x.json_path.as_deref(), Some("tools.exec.security"));
    assert!(!ids(&warn).contains(&"security.exposure.open_channels_with_exec"));

    let crit = run(json!({
        "agents": {"list": [{"id": "ops", "tools": {"exec": {"security": "full"}}}]},
        "channels": {"telegram": {"groupPolicy": "open"}}
    }));
    let x = find(&crit, "tools.exec.security_full_configured");
    assert_eq!(x.severity, Severity::Critical);
    assert_eq!(
        x.json_path.as_deref(),
        Some("agents.list[0].tools.exec.security")
    );
    assert!(x.detail.contains("- channels.telegram.groupPolicy"));
    let y = find(&crit, "security.exposure.open_channels_with_exec");
    assert_eq!(y.severity, Severity::Critical);
    assert!(y.detail.contains("- ops: security=full, host=auto"));
}

#[test]
fn default_exec_security_is_deny() {
    let f = run(json!({"channels": {"telegram": {"groupPolicy": "open"}}}));
    assert!(ids(&f).is_empty(), "{:?}", ids(&f));
}

#[test]
fn open_channels_with_allowlist_exec_is_warn_and_recurses() {
    let f = run(json!({
        "tools": {"exec": {"security": "allowlist"}},
        "channels": {"discord": {"accounts": {"work": {"groupPolicy": "open"}}}}
    }));
    let x = find(&f, "security.exposure.open_channels_with_exec");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(
        x.json_path.as_deref(),
        Some("channels.discord.accounts.work.groupPolicy")
    );
    let ok = run(json!({
        "tools": {"exec": {"security": "allowlist"}},
        "channels": {"discord": {"groupPolicy": "allowlist"}}
    }));
    assert!(ids(&ok).is_empty());
}

#[test]
fn fs_denied_but_exec_allowed() {
    let f = run(json!({"tools": {"deny": ["write", "edit", "apply_patch"]}}));
    let x = find(&f, "tools.exec.fs_tools_disabled_but_exec_enabled");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(x.json_path.as_deref(), Some("tools"));
    // Neighbours: runtime denied too, or a read-only full sandbox.
    let a = run(json!({"tools": {"deny": ["group:fs", "group:runtime"]}}));
    assert!(ids(&a).is_empty());
    let b = run(json!({
        "tools": {"deny": ["write", "edit", "apply_patch"]},
        "agents": {"defaults": {"sandbox": {"mode": "all", "workspaceAccess": "ro"}}}
    }));
    assert!(ids(&b).is_empty());
}

fn with_approvals(
    config: serde_json::Value,
    approvals: serde_json::Value,
) -> Vec<crate::finding::Finding> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("exec-approvals.json"),
        approvals.to_string(),
    )
    .unwrap();
    Fixture::with_state(config, dir.path()).run(collect)
}

#[test]
fn auto_allow_skills_from_approvals_file() {
    let f = with_approvals(
        json!({}),
        json!({"version": 1, "agents": {"main": {"autoAllowSkills": true}}}),
    );
    let x = find(&f, "tools.exec.auto_allow_skills_enabled");
    assert_eq!(x.severity, Severity::Warn);
    assert!(x.detail.contains("agents.main.autoAllowSkills"));
    let ok = with_approvals(json!({}), json!({"defaults": {"autoAllowSkills": false}}));
    assert!(ids(&ok).is_empty());
}

#[test]
fn interpreter_allowlist_without_strict_inline_eval() {
    let approvals = json!({"agents": {"main": {"allowlist": [{"pattern": "/usr/bin/python3"}, {"pattern": "/usr/bin/jq"}]}}});
    let f = with_approvals(json!({}), approvals.clone());
    let x = find(
        &f,
        "tools.exec.allowlist_interpreter_without_strict_inline_eval",
    );
    assert_eq!(x.severity, Severity::Warn);
    assert!(x.detail.contains("python3"));
    assert!(!x.detail.contains("jq"));
    let ok = with_approvals(
        json!({"tools": {"exec": {"strictInlineEval": true}}}),
        approvals,
    );
    assert!(ids(&ok).is_empty());
}

#[test]
fn safe_bins_interpreter_unprofiled_and_profile_neighbour() {
    let f = run(
        json!({"agents": {"list": [{"id": "a", "tools": {"exec": {"safeBins": ["Python3", "jq"]}}}]}}),
    );
    let x = find(&f, "tools.exec.safe_bins_interpreter_unprofiled");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(
        x.json_path.as_deref(),
        Some("agents.list[0].tools.exec.safeBins")
    );
    assert!(
        x.detail
            .contains("agents.list.a.tools.exec.safeBins: python3")
    );
    let ok = run(
        json!({"tools": {"exec": {"safeBins": ["python3"], "safeBinProfiles": {"python3": {}}}}}),
    );
    assert!(!ids(&ok).contains(&"tools.exec.safe_bins_interpreter_unprofiled"));
}

#[test]
fn safe_bins_broad_behavior() {
    let f = run(json!({"tools": {"exec": {"safeBins": ["xargs", "wc"]}}}));
    let x = find(&f, "tools.exec.safe_bins_broad_behavior");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(x.json_path.as_deref(), Some("tools.exec.safeBins"));
    assert!(x.detail.contains("xargs"));
    let ok = run(json!({"tools": {"exec": {"safeBins": ["wc", "head"]}}}));
    assert!(ids(&ok).is_empty());
}

#[test]
fn risky_trusted_dirs() {
    let f = run(
        json!({"tools": {"exec": {"safeBinTrustedDirs": ["/usr/bin", "/tmp/bins", "bin", "/home/me/.local/bin", "/usr/local/bin"]}}}),
    );
    let x = find(&f, "tools.exec.safe_bin_trusted_dirs_risky");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(
        x.json_path.as_deref(),
        Some("tools.exec.safeBinTrustedDirs[1]")
    );
    assert!(x.detail.contains("/tmp/bins (temporary directory"));
    assert!(x.detail.contains("bin (relative path"));
    assert!(x.detail.contains("home-scoped"));
    assert!(x.detail.contains("package-manager"));
    assert!(!x.detail.contains("/usr/bin"));
    let ok =
        run(json!({"tools": {"exec": {"safeBinTrustedDirs": ["/bin", "/usr/bin", "/tmpfoo"]}}}));
    assert!(ids(&ok).is_empty());
}

#[test]
fn skill_mcp_boundary_drift() {
    let cfg = json!({
        "mcp": {"servers": {"github": {}}},
        "tools": {"exec": {"security": "allowlist", "host": "gateway"}},
        "agents": {"list": [{"id": "a", "skills": ["weather"]}]}
    });
    let f = run(cfg);
    let x = find(&f, "tools.exec.agent_skill_mcp_boundary_drift");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(x.json_path.as_deref(), Some("agents.list[0].skills"));
    let ok = run(json!({
        "mcp": {"servers": {"github": {}}},
        "agents": {"list": [{"id": "a", "skills": ["weather"]}]}
    }));
    assert!(ids(&ok).is_empty());
}

#[test]
fn mcporter_registry_invalid_json() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("skills/config");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(p.join("mcporter.json"), "{nope").unwrap();
    let f = Fixture::with_state(json!({}), dir.path()).run(collect);
    let x = find(&f, "tools.exec.mcporter_registry_inspection_incomplete");
    assert_eq!(x.severity, Severity::Warn);
    std::fs::write(p.join("mcporter.json"), "{\"mcpServers\": {}}").unwrap();
    let ok = Fixture::with_state(json!({}), dir.path()).run(collect);
    assert!(ids(&ok).is_empty());
}
