use serde_json::json;

use super::{BlockedBind, blocked_bind, collect};
use crate::finding::Severity;
use crate::test_support::{Fixture, find, ids};

fn run(v: serde_json::Value) -> Vec<crate::finding::Finding> {
    Fixture::new(v).run(collect)
}

#[test]
fn docker_settings_with_sandbox_off() {
    let f = run(json!({"agents": {"defaults": {"sandbox": {"docker": {"image": "x"}}}}}));
    let x = find(&f, "sandbox.docker_config_mode_off");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(
        x.json_path.as_deref(),
        Some("agents.defaults.sandbox.docker")
    );
    // Neighbour from OpenClaw's tests: an agent with sandbox on uses the defaults.
    let ok = run(json!({"agents": {
        "defaults": {"sandbox": {"mode": "off", "docker": {"image": "x"}}},
        "list": [{"id": "ops", "sandbox": {"mode": "all"}}]
    }}));
    assert!(ids(&ok).is_empty());
    let agent = run(
        json!({"agents": {"list": [{"id": "a", "sandbox": {"mode": "off", "docker": {"network": "none"}}}]}}),
    );
    let x = find(&agent, "sandbox.docker_config_mode_off");
    assert_eq!(
        x.json_path.as_deref(),
        Some("agents.list[0].sandbox.docker")
    );
}

#[test]
fn bind_classification() {
    assert_eq!(
        blocked_bind("/:/host"),
        Some(BlockedBind::Covers("/".into()))
    );
    assert_eq!(
        blocked_bind("/etc/passwd:/mnt:ro"),
        Some(BlockedBind::Targets("/etc".into()))
    );
    assert_eq!(
        blocked_bind("/var/run/docker.sock:/s"),
        Some(BlockedBind::Targets("/var/run".into()))
    );
    assert_eq!(
        blocked_bind("/var:/v"),
        Some(BlockedBind::Covers("/var/run".into()))
    );
    assert_eq!(
        blocked_bind("/home/me/../../etc:/e"),
        Some(BlockedBind::Targets("/etc".into()))
    );
    assert_eq!(
        blocked_bind("./data:/d"),
        Some(BlockedBind::NonAbsolute("./data".into()))
    );
    assert_eq!(blocked_bind("/home/me/project:/p:ro"), None);
    assert_eq!(blocked_bind("/etcetera:/e"), None);
}

#[test]
fn dangerous_docker_settings_from_openclaw_tests() {
    let f = run(
        json!({"agents": {"defaults": {"sandbox": {"mode": "all", "docker": {
            "binds": ["/home/me/p:/p", "/etc/passwd:/mnt/passwd:ro", "data:/data"],
            "network": "host",
            "seccompProfile": "Unconfined",
            "apparmorProfile": "unconfined"
        }}}}}),
    );
    let x = find(&f, "sandbox.dangerous_bind_mount");
    assert_eq!(x.severity, Severity::Critical);
    assert_eq!(
        x.json_path.as_deref(),
        Some("agents.defaults.sandbox.docker.binds[1]")
    );
    assert!(x.detail.contains("targets blocked path \"/etc\""));
    let y = find(&f, "sandbox.bind_mount_non_absolute");
    assert_eq!(y.severity, Severity::Warn);
    assert_eq!(
        y.json_path.as_deref(),
        Some("agents.defaults.sandbox.docker.binds[2]")
    );
    let n = find(&f, "sandbox.dangerous_network_mode");
    assert_eq!(n.severity, Severity::Critical);
    assert_eq!(
        n.json_path.as_deref(),
        Some("agents.defaults.sandbox.docker.network")
    );
    let s = find(&f, "sandbox.dangerous_seccomp_profile");
    assert_eq!(s.severity, Severity::Critical);
    assert_eq!(
        s.json_path.as_deref(),
        Some("agents.defaults.sandbox.docker.seccompProfile")
    );
    let a = find(&f, "sandbox.dangerous_apparmor_profile");
    assert_eq!(a.severity, Severity::Critical);
    assert_eq!(
        a.json_path.as_deref(),
        Some("agents.defaults.sandbox.docker.apparmorProfile")
    );
}

#[test]
fn container_namespace_network_and_benign_neighbours() {
    let f = run(
        json!({"agents": {"list": [{"id": "a", "sandbox": {"mode": "all", "docker": {"network": "container:peer"}}}]}}),
    );
    let n = find(&f, "sandbox.dangerous_network_mode");
    assert_eq!(
        n.json_path.as_deref(),
        Some("agents.list[0].sandbox.docker.network")
    );
    assert!(n.detail.contains("joins another container namespace"));
    let ok = run(
        json!({"agents": {"defaults": {"sandbox": {"mode": "all", "docker": {
            "network": "bridge", "seccompProfile": "/etc/seccomp.json", "apparmorProfile": "docker-default",
            "binds": ["/srv/data:/data:ro"]
        }}}}}),
    );
    assert!(ids(&ok).is_empty(), "{:?}", ids(&ok));
}

#[test]
fn browser_cdp_bridge_unrestricted() {
    let f = run(
        json!({"agents": {"defaults": {"sandbox": {"mode": "all", "browser": {"enabled": true, "network": "bridge"}}}}}),
    );
    let x = find(&f, "sandbox.browser_cdp_bridge_unrestricted");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(
        x.json_path.as_deref(),
        Some("agents.defaults.sandbox.browser")
    );
    let ok = run(
        json!({"agents": {"defaults": {"sandbox": {"mode": "all", "browser": {"enabled": true, "network": "bridge", "cdpSourceRange": "172.21.0.1/32"}}}}}),
    );
    assert!(ids(&ok).is_empty());
    let default_net = run(
        json!({"agents": {"defaults": {"sandbox": {"mode": "all", "browser": {"enabled": true}}}}}),
    );
    assert!(ids(&default_net).is_empty());
}
