use serde_json::json;

use super::{collect, is_pinned};
use crate::finding::{Finding, Severity};
use crate::test_support::{Fixture, find, ids};

fn state_with(exts: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in exts {
        std::fs::create_dir_all(dir.path().join("extensions").join(e)).unwrap();
    }
    dir
}

fn run(v: serde_json::Value, dir: &tempfile::TempDir) -> Vec<Finding> {
    Fixture::with_state(v, dir.path()).run(collect)
}

#[test]
fn extensions_without_allowlist_warn_and_escalate_with_native_skills() {
    let dir = state_with(&["acme"]);
    let quiet = json!({"commands": {"nativeSkills": false}, "tools": {"profile": "minimal"}});
    let f = run(quiet, &dir);
    let x = find(&f, "plugins.extensions_no_allowlist");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(x.json_path.as_deref(), Some("plugins.allow"));
    let crit = run(
        json!({"channels": {"telegram": {}}, "tools": {"profile": "minimal"}}),
        &dir,
    );
    assert_eq!(
        find(&crit, "plugins.extensions_no_allowlist").severity,
        Severity::Critical
    );
    let ok = run(
        json!({"plugins": {"allow": ["acme"]}, "tools": {"profile": "minimal"}}),
        &dir,
    );
    assert!(ids(&ok).is_empty(), "{:?}", ids(&ok));
    let none = run(json!({}), &state_with(&[]));
    assert!(ids(&none).is_empty());
}

#[test]
fn phantom_allow_entries() {
    let dir = state_with(&["acme"]);
    let f = run(
        json!({"plugins": {"allow": ["acme", "whatsapp", "group:plugins", "ghost"]}, "tools": {"profile": "minimal"}}),
        &dir,
    );
    let x = find(&f, "plugins.allow_phantom_entries");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(x.json_path.as_deref(), Some("plugins.allow[3]"));
    assert!(x.detail.contains("ghost"));
    assert!(!x.detail.contains("acme"));
}

#[test]
fn plugin_tools_reachable_under_permissive_policy() {
    let dir = state_with(&["acme"]);
    let f = run(json!({"plugins": {"allow": ["acme"]}}), &dir);
    let x = find(&f, "plugins.tools_reachable_permissive_policy");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(x.json_path.as_deref(), Some("tools"));
    let named = run(
        json!({"plugins": {"allow": ["acme"]}, "tools": {"allow": ["read", "acme"]}}),
        &dir,
    );
    assert!(ids(&named).contains(&"plugins.tools_reachable_permissive_policy"));
    // Neighbours: restrictive profile, plugin disabled.
    let ok = run(
        json!({"plugins": {"allow": ["acme"]}, "tools": {"profile": "coding"}}),
        &dir,
    );
    assert!(ids(&ok).is_empty());
    let off = run(
        json!({"plugins": {"allow": ["acme"], "entries": {"acme": {"enabled": false}}}}),
        &dir,
    );
    assert!(ids(&off).is_empty());
}

#[test]
fn pinned_specs() {
    assert!(is_pinned("acme@1.2.3"));
    assert!(is_pinned("@scope/acme@1.2.3-beta.1"));
    assert!(!is_pinned("acme"));
    assert!(!is_pinned("acme@^1.2.3"));
    assert!(!is_pinned("@scope/acme@latest"));
}

#[test]
fn install_records() {
    let dir = state_with(&["acme", "good"]);
    std::fs::write(
        dir.path().join("extensions/acme/package.json"),
        r#"{"version":"1.3.0"}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("extensions/good/package.json"),
        r#"{"version":"2.0.0"}"#,
    )
    .unwrap();
    let f = run(
        json!({"tools": {"profile": "minimal"}, "plugins": {"allow": ["acme", "good"], "installs": {
            "acme": {"source": "npm", "spec": "acme@^1.2.0", "version": "1.2.0"},
            "good": {"source": "npm", "spec": "good@2.0.0", "version": "2.0.0", "integrity": "sha512-x"}
        }}}),
        &dir,
    );
    let u = find(&f, "plugins.installs_unpinned_npm_specs");
    assert_eq!(u.severity, Severity::Warn);
    assert_eq!(u.json_path.as_deref(), Some("plugins.installs.acme.spec"));
    assert!(!u.detail.contains("good"));
    let i = find(&f, "plugins.installs_missing_integrity");
    assert_eq!(i.json_path.as_deref(), Some("plugins.installs.acme"));
    assert!(!i.detail.contains("good"));
    let d = find(&f, "plugins.installs_version_drift");
    assert!(d.detail.contains("acme (recorded 1.2.0, installed 1.3.0)"));
    assert!(!d.detail.contains("good"));
}
