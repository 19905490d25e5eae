//! `hardclaw policy tools` through the real binary.

use predicates::prelude::*;

use super::common::{GUIDE_ENV, Home, guide_example};

fn recommended_home() -> Home {
    let home = Home::new();
    home.write_config(&guide_example("recommended.json5"));
    home
}

fn json_of(home: &Home, args: &[&str]) -> serde_json::Value {
    let out = home
        .cmd()
        .envs(GUIDE_ENV.iter().copied())
        .args(["policy", "tools", "--json"])
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("json")
}

fn tool<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .find(|t| t["name"] == name)
        .expect("tool listed")
}

fn allowed(v: &serde_json::Value) -> Vec<String> {
    v["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter(|t| t["allowed"] == true)
        .map(|t| t["name"].as_str().expect("name").to_string())
        .collect()
}

#[test]
fn recommended_main_names_its_own_deny_as_the_remover_of_web_tools() {
    let home = recommended_home();
    home.cmd()
        .envs(GUIDE_ENV.iter().copied())
        .args(["policy", "tools", "--agent", "main"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "agent main · session agent:main:main (main, host)",
        ))
        .stdout(predicate::str::contains("allowed (16):"))
        .stdout(
            predicate::str::is_match(r"web_search +agents\.list\[0\]\.tools: deny `web_search`")
                .expect("regex"),
        )
        .stdout(
            predicate::str::is_match(r"web_fetch +agents\.list\[0\]\.tools: deny `web_fetch`")
                .expect("regex"),
        )
        .stdout(predicate::str::is_match(r"gateway +tools: deny `gateway`").expect("regex"));

    let v = json_of(&home, &["--agent", "main"]);
    assert_eq!(v["agent"], "main");
    assert_eq!(v["session"]["key"], "agent:main:main");
    let ws = tool(&v, "web_search");
    assert_eq!(ws["allowed"], false);
    assert_eq!(ws["layer"], "agents.list[0].tools");
    assert_eq!(ws["entry"], "deny `web_search`");
    assert_eq!(ws["source"], "core");
    let exec = tool(&v, "exec");
    assert_eq!(exec["allowed"], true);
    assert!(exec.get("layer").is_none());
    assert_eq!(v["warnings"], serde_json::json!([]));
}

#[test]
fn recommended_search_has_only_web_tools_and_two_session_tools() {
    let home = recommended_home();
    let v = json_of(&home, &["--agent", "search"]);
    assert_eq!(
        allowed(&v),
        ["web_search", "web_fetch", "sessions_send", "session_status"]
    );
    assert_eq!(tool(&v, "exec")["entry"], "deny `exec`");
}

#[test]
fn dm_session_is_sandboxed_and_reports_the_sandbox_layer() {
    let home = recommended_home();
    let v = json_of(
        &home,
        &[
            "--agent",
            "main",
            "--session",
            "agent:main:whatsapp:direct:+46700000000",
        ],
    );
    assert_eq!(v["session"]["kind"], "dm");
    assert_eq!(v["session"]["sandboxed"], true);
    assert_eq!(tool(&v, "browser")["layer"], "tools.sandbox.tools");
    assert_eq!(tool(&v, "browser")["entry"], "default deny `browser`");
}

#[test]
fn plugin_only_allowlist_is_stripped_with_a_warning() {
    let home = Home::new();
    home.write_config(
        r#"{ agents: { list: [ { id: "main", tools: { allow: ["acme_lookup"] } } ] } }"#,
    );
    let v = json_of(
        &home,
        &["--agent", "main", "--plugin-tool", "acme:acme_lookup"],
    );
    assert_eq!(tool(&v, "exec")["allowed"], true);
    assert_eq!(tool(&v, "acme_lookup")["source"], "plugin:acme");
    let warning = v["warnings"][0].as_str().expect("warning");
    assert!(
        warning.starts_with("tools: agents.list[0].tools allowlist contains only plugin entries (acme_lookup). Ignoring allowlist so core tools remain available."),
        "{warning}"
    );
    // And a plugin whose id collides with a core tool is refused.
    let v = json_of(&home, &["--agent", "main", "--plugin-tool", "exec:run"]);
    assert_eq!(tool(&v, "run")["layer"], "plugins");
    assert_eq!(
        tool(&v, "run")["entry"],
        "plugin id `exec` conflicts with core tool name"
    );
}

#[test]
fn http_and_subagent_sessions() {
    let home = Home::new();
    home.write_config("{}");
    let v = json_of(&home, &["--agent", "main", "--http"]);
    assert_eq!(tool(&v, "sessions_spawn")["layer"], "gateway.http");
    let v = json_of(
        &home,
        &["--agent", "main", "--session", "agent:main:subagent:1"],
    );
    assert_eq!(v["session"]["depth"], 1);
    assert_eq!(tool(&v, "sessions_spawn")["layer"], "tools.subagents.tools");
}

#[test]
fn unknown_agent_exits_1_and_lists_the_known_ids() {
    let home = recommended_home();
    home.cmd()
        .envs(GUIDE_ENV.iter().copied())
        .args(["policy", "tools", "--agent", "serch"])
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "unknown agent `serch` (did you mean `search`?); known agents: main, search",
        ));
}

#[test]
fn bad_plugin_tool_is_a_usage_error_and_invalid_config_exits_1() {
    let home = Home::new();
    home.write_config("{}");
    home.cmd()
        .args([
            "policy",
            "tools",
            "--agent",
            "main",
            "--plugin-tool",
            "nocolon",
        ])
        .assert()
        .code(2);
    home.write_config("{ tools: { profile: 'nope' } }");
    home.cmd()
        .args(["policy", "tools", "--agent", "main"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("tools.profile"));
}
