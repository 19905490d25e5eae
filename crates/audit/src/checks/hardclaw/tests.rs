//! `hardclaw` family: every check id with a triggering setup and a benign neighbour.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use hardclaw_config::{ConfigError, Origin};
use serde_json::{Value, json};

use super::{Step, classify_env, collect, parse_pattern};
use crate::finding::{Finding, Severity};
use crate::test_support::{Fixture, find, ids};

fn of<'a>(findings: &'a [Finding], id: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.check_id == id).collect()
}

// ---- (a) env.dangerous_process_env ---------------------------------------------------------

const ENV_SECRET: &str = "/tmp/evil-payload-4242.so";

#[test]
fn process_env_loader_injection_is_critical_and_names_only() {
    let f = Fixture::new(json!({}))
        .env("LD_PRELOAD", ENV_SECRET)
        .env("PYTHONPATH", "/opt/evil-payload-4242")
        .env("PATH", "/usr/bin")
        .env("HOME", "/home/u")
        .run(collect);
    let x = find(&f, "env.dangerous_process_env");
    assert_eq!(of(&f, "env.dangerous_process_env").len(), 1);
    assert_eq!(x.severity, Severity::Critical);
    assert!(x.detail.contains("LD_PRELOAD") && x.detail.contains("PYTHONPATH"));
    assert!(!x.detail.contains("PATH,") && !x.detail.contains("HOME"));
    assert!(x.json_path.is_none());
    let text = serde_json::to_string(&f).expect("json");
    assert!(!text.contains("evil-payload-4242"), "value leaked: {text}");
}

#[test]
fn process_env_warn_only_variables() {
    for name in [
        "LD_LIBRARY_PATH",
        "DYLD_LIBRARY_PATH",
        "NODE_PATH",
        "PYTHONSTARTUP",
        "PERL5OPT",
        "PERL5LIB",
        "RUBYOPT",
        "GIT_SSH_COMMAND",
        "SHELLOPTS",
        "PS4",
        "PROMPT_COMMAND",
        "ZDOTDIR",
        "GCONV_PATH",
        "HOSTALIASES",
    ] {
        let f = Fixture::new(json!({})).env(name, "x").run(collect);
        let x = find(&f, "env.dangerous_process_env");
        assert_eq!(x.severity, Severity::Warn, "{name}");
        assert!(x.detail.contains(name));
    }
}

#[test]
fn process_env_critical_variables() {
    for (name, value) in [
        ("LD_AUDIT", "x.so"),
        ("DYLD_INSERT_LIBRARIES", "x.dylib"),
        ("BASH_ENV", "/tmp/x.sh"),
        ("ENV", "/tmp/x.sh"),
        ("BASH_FUNC_ls%%", "() { evil; }"),
        ("NODE_OPTIONS", "--require /tmp/x.js"),
        ("NODE_OPTIONS", "-r /tmp/x.js"),
        (
            "NODE_OPTIONS",
            "--max-old-space-size=4096 --import=/tmp/x.mjs",
        ),
        ("NODE_OPTIONS", "--loader ./x.mjs"),
    ] {
        let f = Fixture::new(json!({})).env(name, value).run(collect);
        assert_eq!(
            find(&f, "env.dangerous_process_env").severity,
            Severity::Critical,
            "{name}={value}"
        );
    }
}

#[test]
fn process_env_benign_neighbours() {
    // Harmless NODE_OPTIONS is only a warning; empty values and ordinary variables are nothing.
    let f = Fixture::new(json!({}))
        .env("NODE_OPTIONS", "--max-old-space-size=4096")
        .run(collect);
    assert_eq!(
        find(&f, "env.dangerous_process_env").severity,
        Severity::Warn
    );
    let f = Fixture::new(json!({}))
        .env("LD_PRELOAD", "  ")
        .env("PATH", "/usr/bin")
        .env("LANG", "C.UTF-8")
        .env("MALLOC_ARENA_MAX", "2")
        .env("LD_PRELOADX", "x")
        .run(collect);
    assert!(f.is_empty(), "{f:#?}");
    assert!(classify_env("env", "x").is_none());
}

#[test]
fn config_env_block_dangerous_names_are_located() {
    let f = Fixture::new(json!({"env": {
        "LD_PRELOAD": ENV_SECRET,
        "EDITOR": "vi",
        "vars": {"NODE_OPTIONS": "--require ./hook.js", "PYTHONPATH": "/x", "TZ": "UTC"}
    }}))
    .run(collect);
    let hits = of(&f, "env.dangerous_process_env");
    assert_eq!(hits.len(), 3, "{f:#?}");
    let by_path = |p: &str| {
        hits.iter()
            .find(|x| x.json_path.as_deref() == Some(p))
            .unwrap_or_else(|| panic!("no {p}"))
    };
    assert_eq!(by_path("env.LD_PRELOAD").severity, Severity::Critical);
    assert_eq!(
        by_path("env.vars.NODE_OPTIONS").severity,
        Severity::Critical
    );
    assert_eq!(by_path("env.vars.PYTHONPATH").severity, Severity::Warn);
    let text = serde_json::to_string(&f).expect("json");
    assert!(!text.contains("evil-payload-4242"));

    let f =
        Fixture::new(json!({"env": {"EDITOR": "vi", "vars": {"TZ": "UTC", "NODE_OPTIONS": ""}}}))
            .run(collect);
    assert!(f.is_empty(), "{f:#?}");
}

// ---- (b) config.duplicate_keys ------------------------------------------------------------

#[test]
fn duplicate_keys_are_critical_with_file_line_and_path() {
    let mut fx = Fixture::new(json!({}));
    fx.locations.home = PathBuf::from("/home/u");
    fx.loaded.duplicate_keys = vec![
        ConfigError::DuplicateKey {
            origin: Origin {
                file: PathBuf::from("/home/u/.hardclaw/hardclaw.json"),
                line: 12,
                column: 5,
            },
            json_path: "gateway.bind".to_string(),
            key: "bind".to_string(),
            first_line: 3,
        },
        ConfigError::Include {
            origin: Origin {
                file: PathBuf::from("/x"),
                line: 1,
                column: 1,
            },
            json_path: "$include".to_string(),
            reason: "cycle".to_string(),
        },
    ];
    let f = fx.run(collect);
    assert_eq!(ids(&f), vec!["config.duplicate_keys"]);
    let x = &f[0];
    assert_eq!(x.severity, Severity::Critical);
    assert_eq!(x.json_path.as_deref(), Some("gateway.bind"));
    assert!(
        x.detail
            .starts_with("~/.hardclaw/hardclaw.json:12: `gateway.bind`"),
        "{}",
        x.detail
    );
    assert!(x.detail.contains("line 3"));

    assert!(Fixture::new(json!({})).run(collect).is_empty());
}

// ---- (c) config.unenforced_keys -----------------------------------------------------------

#[test]
fn unenforced_keys_one_finding_per_key() {
    let f = Fixture::new(json!({
        "gateway": {"tailscale": {"mode": "off"}, "port": 18789},
        "discovery": {"mdns": {"mode": "off"}},
        "agents": {
            "defaults": {"heartbeat": {"every": "30m"}},
            "list": [
                {"id": "a", "sandbox": {"docker": {"image": "x"}}},
                {"id": "b"},
                {"id": "c", "sandbox": {"mode": "all", "docker": {"network": "none"}}}
            ]
        },
        "cron": {"enabled": false}
    }))
    .run(collect);
    let hits = of(&f, "config.unenforced_keys");
    let paths: Vec<&str> = hits.iter().filter_map(|x| x.json_path.as_deref()).collect();
    assert_eq!(
        paths,
        vec![
            "gateway.tailscale",
            "discovery",
            "agents.defaults.heartbeat",
            "agents.list[0].sandbox.docker",
            "agents.list[2].sandbox.docker",
            "cron",
        ]
    );
    assert!(hits.iter().all(|x| x.severity == Severity::Info));
    assert!(hits[3].detail.contains("not Docker"), "{}", hits[3].detail);

    // Benign: only enforced keys.
    let f = Fixture::new(
        json!({"gateway": {"port": 18789, "bind": "loopback"}, "agents": {"list": [{"id": "a"}]}}),
    )
    .run(collect);
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn pattern_parsing() {
    assert_eq!(
        parse_pattern("agents.list[*].sandbox.docker"),
        vec![
            Step::Key("agents"),
            Step::Key("list"),
            Step::AnyIndex,
            Step::Key("sandbox"),
            Step::Key("docker")
        ]
    );
    assert_eq!(
        parse_pattern("channels.*.x"),
        vec![Step::Key("channels"), Step::AnyKey, Step::Key("x")]
    );
}

// ---- (d) tools.exec.reachable_from_untrusted ---------------------------------------------

fn open_group() -> Value {
    json!({"telegram": {"botToken": "${TG}", "groupPolicy": "open"}})
}

#[test]
fn open_group_reaches_host_exec_default_agent() {
    let f = Fixture::new(json!({"channels": open_group()})).run(collect);
    let x = find(&f, "tools.exec.reachable_from_untrusted");
    assert_eq!(x.severity, Severity::Critical);
    assert_eq!(
        x.json_path.as_deref(),
        Some("channels.telegram.groupPolicy")
    );
    assert!(x.detail.contains("`main`"), "{}", x.detail);
    assert!(x.detail.contains("channels.telegram.groupPolicy=\"open\""));
    assert!(x.detail.contains("exec and process"));
    let r = x.remediation.as_deref().unwrap_or("");
    assert!(
        r.contains("group:runtime") && r.contains("tools.deny"),
        "{r}"
    );
    assert!(r.contains("agents.defaults.sandbox.mode"), "{r}");
}

#[test]
fn open_dm_at_account_level_per_agent() {
    let raw = json!({
        "channels": {"discord": {
            "dmPolicy": "pairing",
            "accounts": {
                "pub": {"dmPolicy": "open", "allowFrom": ["*"]},
                "off": {"enabled": false, "groupPolicy": "open"}
            }
        }},
        "agents": {"list": [
            {"id": "safe", "tools": {"deny": ["group:runtime"]}},
            {"id": "ops", "tools": {"deny": ["process"]}},
            {"id": "boxed", "sandbox": {"mode": "non-main"}}
        ]}
    });
    let f = Fixture::new(raw).run(collect);
    let hits = of(&f, "tools.exec.reachable_from_untrusted");
    assert_eq!(hits.len(), 1, "{f:#?}");
    let x = hits[0];
    assert!(
        x.detail.contains("agent `ops` (agents.list[1])"),
        "{}",
        x.detail
    );
    assert!(x.detail.contains("keeps exec in"), "{}", x.detail);
    assert!(!x.detail.contains("process in"));
    assert!(
        x.detail
            .contains("channels.discord.accounts.pub.dmPolicy=\"open\"")
    );
    assert!(!x.detail.contains("accounts.off"));
    assert_eq!(
        x.json_path.as_deref(),
        Some("channels.discord.accounts.pub.dmPolicy")
    );
    assert!(
        x.remediation
            .as_deref()
            .unwrap_or("")
            .contains("agents.list[1].tools.deny")
    );
}

#[test]
fn account_inherits_channel_policy_and_legacy_dm_policy() {
    let f = Fixture::new(json!({"channels": {
        "slack": {"groupPolicy": "open", "accounts": {"a": {}, "b": {}}},
        "matrix": {"dm": {"policy": "open", "allowFrom": ["*"]}}
    }}))
    .run(collect);
    let x = find(&f, "tools.exec.reachable_from_untrusted");
    assert!(x.detail.contains("channels.slack.groupPolicy=\"open\""));
    assert!(x.detail.contains("channels.matrix.dm.policy=\"open\""));
    // Deduplicated across accounts.
    assert_eq!(x.detail.matches("channels.slack.groupPolicy").count(), 1);
}

#[test]
fn benign_neighbours_of_exec_reachability() {
    let cases = [
        // Sandbox everything.
        json!({"channels": open_group(), "agents": {"defaults": {"sandbox": {"mode": "all"}}}}),
        // non-main also covers group/DM sessions.
        json!({"channels": open_group(), "agents": {"defaults": {"sandbox": {"mode": "non-main"}}}}),
        // Runtime denied globally.
        json!({"channels": open_group(), "tools": {"deny": ["group:runtime"]}}),
        // Exec security deny.
        json!({"channels": open_group(), "tools": {"exec": {"security": "deny"}}}),
        // A profile without runtime tools.
        json!({"channels": open_group(), "tools": {"profile": "messaging"}}),
        // Allowlist policies.
        json!({"channels": {"telegram": {"dmPolicy": "allowlist", "allowFrom": ["1"], "groupPolicy": "allowlist"}}}),
        // Open but disabled channel; open DM policy with DMs disabled.
        json!({"channels": {
            "telegram": {"enabled": false, "groupPolicy": "open"},
            "discord": {"dm": {"enabled": false, "policy": "open", "allowFrom": ["*"]}}
        }}),
        // Every listed agent is covered.
        json!({"channels": open_group(), "agents": {"list": [
            {"id": "a", "sandbox": {"mode": "all"}},
            {"id": "b", "tools": {"deny": ["exec", "process"]}}
        ]}}),
    ];
    for raw in cases {
        let f = Fixture::new(raw.clone()).run(collect);
        assert!(
            of(&f, "tools.exec.reachable_from_untrusted").is_empty(),
            "{raw}: {f:#?}"
        );
    }
}

#[test]
fn agent_sandbox_overrides_defaults() {
    // Defaults sandbox everything, but one agent opts out: that agent is reported.
    let f = Fixture::new(json!({
        "channels": open_group(),
        "agents": {
            "defaults": {"sandbox": {"mode": "all"}},
            "list": [{"id": "a"}, {"id": "host", "sandbox": {"mode": "off"}}]
        }
    }))
    .run(collect);
    let hits = of(&f, "tools.exec.reachable_from_untrusted");
    assert_eq!(hits.len(), 1);
    assert!(hits[0].detail.contains("agent `host`"));
    assert!(hits[0].detail.contains("sandbox mode is `off`"));
}

// ---- (e) gateway.hardclaw_token_file.perms -----------------------------------------------

#[test]
fn token_file_perms() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let token = tmp.path().join("gateway.token");
    fs::write(&token, "tok-abcdef-123456").expect("write");
    let mut fx = Fixture::with_state(json!({}), tmp.path());
    fx.options.include_filesystem = true;
    for mode in [0o644, 0o640, 0o604, 0o620] {
        fs::set_permissions(&token, fs::Permissions::from_mode(mode)).expect("chmod");
        let f = fx.run(collect);
        let x = find(&f, "gateway.hardclaw_token_file.perms");
        assert_eq!(x.severity, Severity::Critical, "{mode:o}");
        assert!(
            x.remediation
                .as_deref()
                .unwrap_or("")
                .starts_with("chmod 600 ")
        );
        assert!(
            !serde_json::to_string(&f)
                .expect("json")
                .contains("abcdef-123456")
        );
    }
    fs::set_permissions(&token, fs::Permissions::from_mode(0o600)).expect("chmod");
    assert!(fx.run(collect).is_empty());
    // Not looked at when the run excludes the filesystem.
    fs::set_permissions(&token, fs::Permissions::from_mode(0o644)).expect("chmod");
    fx.options.include_filesystem = false;
    assert!(fx.run(collect).is_empty());
    // No file: nothing.
    fs::remove_file(&token).expect("rm");
    fx.options.include_filesystem = true;
    assert!(fx.run(collect).is_empty());
}
