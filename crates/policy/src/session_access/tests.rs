//! §6.2 visibility and §6.4 rows 15–16.

use hardclaw_config::Config;
use serde_json::json;

use super::*;

fn cfg(v: serde_json::Value) -> Config {
    Config::from_value(&v).unwrap()
}

const A: &str = "agent:main:whatsapp:direct:+1555";
const B: &str = "agent:main:whatsapp:direct:+1666";

#[test]
fn section_6_4_row_15_tree_forbids_siblings() {
    let c = Config::default();
    assert!(!can_read_session(
        SessionRef::root(A),
        SessionRef::root(B),
        &c
    ));
    let child = SessionRef {
        key: "agent:main:subagent:u1",
        spawned_by: Some(A),
    };
    assert!(can_read_session(SessionRef::root(A), child, &c));
    assert!(!can_read_session(SessionRef::root(B), child, &c));
}

#[test]
fn section_6_4_row_16_all_without_agent_to_agent_forbids_cross_agent() {
    let c = cfg(json!({"tools": {"sessions": {"visibility": "all"}}}));
    assert!(!can_read_session(
        SessionRef::root(A),
        SessionRef::root("agent:ops:main"),
        &c
    ));
    assert!(can_read_session(
        SessionRef::root(A),
        SessionRef::root(B),
        &c
    ));
    let c = cfg(
        json!({"tools": {"sessions": {"visibility": "all"}, "agentToAgent": {"enabled": true, "allow": ["ma*", "ops"]}}}),
    );
    assert!(can_read_session(
        SessionRef::root(A),
        SessionRef::root("agent:ops:main"),
        &c
    ));
    assert!(!can_read_session(
        SessionRef::root(A),
        SessionRef::root("agent:search:main"),
        &c
    ));
}

#[test]
fn self_and_agent_visibility() {
    let c = cfg(json!({"tools": {"sessions": {"visibility": "self"}}}));
    let child = SessionRef {
        key: "agent:main:subagent:u1",
        spawned_by: Some(A),
    };
    assert!(!can_read_session(SessionRef::root(A), child, &c));
    assert!(can_read_session(
        SessionRef::root(A),
        SessionRef::root(A),
        &c
    ));
    let c = cfg(json!({"tools": {"sessions": {"visibility": "agent"}}}));
    assert!(can_read_session(
        SessionRef::root(A),
        SessionRef::root(B),
        &c
    ));
    assert!(!can_read_session(
        SessionRef::root(A),
        SessionRef::root("agent:ops:main"),
        &c
    ));
}

#[test]
fn sandboxed_viewers_see_only_what_they_spawned() {
    let c = cfg(json!({"tools": {"sessions": {"visibility": "agent"}},
        "agents": {"defaults": {"sandbox": {"mode": "all"}}}}));
    assert!(!can_read_session(
        SessionRef::root(A),
        SessionRef::root(B),
        &c
    ));
    let child = SessionRef {
        key: "agent:main:subagent:u1",
        spawned_by: Some(A),
    };
    assert!(can_read_session(SessionRef::root(A), child, &c));
}

#[test]
fn key_case_and_unprefixed_keys_do_not_confuse_the_check() {
    let c = Config::default();
    assert!(can_read_session(
        SessionRef::root("AGENT:MAIN:MAIN"),
        SessionRef::root("main"),
        &c
    ));
    // An unprefixed key is scoped under the viewer's agent.
    assert!(can_read_session(
        SessionRef::root("agent:ops:main"),
        SessionRef::root("main"),
        &c
    ));
    assert!(!can_read_session(
        SessionRef::root("agent:ops:main"),
        SessionRef::root("agent:main:main"),
        &c
    ));
}
