use std::path::Path;

use serde_json::json;

use super::{classify_warning, collect};
use crate::finding::{Finding, Severity};
use crate::test_support::{Fixture, find, ids};

fn run(v: serde_json::Value) -> Vec<Finding> {
    Fixture::new(v).run(collect)
}

fn with_store(v: serde_json::Value, files: &[(&str, serde_json::Value)]) -> Vec<Finding> {
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("credentials");
    std::fs::create_dir_all(&creds).unwrap();
    for (name, body) in files {
        std::fs::write(creds.join(name), body.to_string()).unwrap();
    }
    Fixture::with_state(v, Path::new(dir.path())).run(collect)
}

#[test]
fn dm_open_is_critical_with_path() {
    let f = run(json!({"channels": {"whatsapp": {"dmPolicy": "open", "allowFrom": ["*"]}}}));
    let x = find(&f, "channels.whatsapp.dm.open");
    assert_eq!(x.severity, Severity::Critical);
    assert_eq!(x.title, "WhatsApp DMs are open");
    assert_eq!(x.json_path.as_deref(), Some("channels.whatsapp.dmPolicy"));
    assert!(!ids(&f).contains(&"channels.whatsapp.dm.open_invalid"));
    let ok = run(json!({"channels": {"whatsapp": {"dmPolicy": "pairing"}}}));
    assert!(ids(&ok).is_empty());
}

#[test]
fn legacy_dm_policy_open_without_star_is_inconsistent() {
    let f = run(json!({"channels": {"discord": {"dm": {"policy": "open", "allowFrom": ["123"]}}}}));
    assert_eq!(
        find(&f, "channels.discord.dm.open").json_path.as_deref(),
        Some("channels.discord.dm.policy")
    );
    let x = find(&f, "channels.discord.dm.open_invalid");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(
        x.json_path.as_deref(),
        Some("channels.discord.dm.allowFrom")
    );
}

#[test]
fn dm_disabled_is_info() {
    let f = run(json!({"channels": {"signal": {"dmPolicy": "disabled"}}}));
    let x = find(&f, "channels.signal.dm.disabled");
    assert_eq!(x.severity, Severity::Info);
}

#[test]
fn disabled_channels_and_accounts_are_skipped() {
    let f = run(json!({"channels": {
        "signal": {"enabled": false, "dmPolicy": "disabled"},
        "telegram": {"accounts": {"a": {"enabled": false, "dmPolicy": "disabled"}}}
    }}));
    assert!(ids(&f).is_empty());
}

#[test]
fn dm_scope_main_multiuser_depends_on_scope_and_senders() {
    let cfg = json!({
        "session": {"dmScope": "main"},
        "channels": {"telegram": {"allowFrom": ["111", "222"]}}
    });
    let f = run(cfg);
    let x = find(&f, "channels.telegram.dm.scope_main_multiuser");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(x.json_path.as_deref(), Some("session.dmScope"));
    // One sender, or a per-peer scope, or hardclaw's default scope: fine.
    let one = run(
        json!({"session": {"dmScope": "main"}, "channels": {"telegram": {"allowFrom": ["111"]}}}),
    );
    assert!(ids(&one).is_empty());
    let default_scope = run(json!({"channels": {"telegram": {"allowFrom": ["111", "222"]}}}));
    assert!(ids(&default_scope).is_empty());
}

#[test]
fn dm_scope_counts_pairing_store_entries() {
    let cfg =
        json!({"session": {"dmScope": "main"}, "channels": {"signal": {"allowFrom": ["+1"]}}});
    let f = with_store(
        cfg.clone(),
        &[(
            "signal-allowFrom.json",
            json!({"version": 1, "allowFrom": ["+2"]}),
        )],
    );
    assert!(ids(&f).contains(&"channels.signal.dm.scope_main_multiuser"));
    let plain = with_store(cfg.clone(), &[("signal-allowFrom.json", json!(["+1"]))]);
    assert!(ids(&plain).is_empty());
    // Account stores are per account.
    let acct = json!({"session": {"dmScope": "main"}, "channels": {"signal": {"accounts": {"work": {"allowFrom": ["+1"]}}}}});
    let g = with_store(acct, &[("signal-work-allowFrom.json", json!(["+3"]))]);
    assert!(ids(&g).contains(&"channels.signal.dm.scope_main_multiuser"));
}

#[test]
fn accounts_inherit_root_keys() {
    let f = run(json!({"channels": {"slack": {
        "dmPolicy": "disabled",
        "accounts": {"a": {}, "b": {"dmPolicy": "pairing"}}
    }}}));
    // Account a inherits "disabled" from the root (reported at the root key); b overrides it.
    let x = find(&f, "channels.slack.dm.disabled");
    assert_eq!(x.json_path.as_deref(), Some("channels.slack.dmPolicy"));
    assert_eq!(
        ids(&f)
            .iter()
            .filter(|i| **i == "channels.slack.dm.disabled")
            .count(),
        1
    );
    let g = run(json!({"channels": {"slack": {"accounts": {"b": {"dmPolicy": "disabled"}}}}}));
    assert_eq!(
        find(&g, "channels.slack.dm.disabled").json_path.as_deref(),
        Some("channels.slack.accounts.b.dmPolicy")
    );
}

#[test]
fn dangerous_name_matching_is_info() {
    let f = run(json!({"channels": {"slack": {"dangerouslyAllowNameMatching": true}}}));
    let x = find(
        &f,
        "channels.slack.allowFrom.dangerous_name_matching_enabled",
    );
    assert_eq!(x.severity, Severity::Info);
    assert_eq!(
        x.json_path.as_deref(),
        Some("channels.slack.dangerouslyAllowNameMatching")
    );
    let ok = run(json!({"channels": {"slack": {"dangerouslyAllowNameMatching": false}}}));
    assert!(ids(&ok).is_empty());
}

#[test]
fn read_only_resolution_for_missing_env_secret_ref() {
    let cfg = json!({"channels": {"telegram": {"botToken": {"source": "env", "id": "TG_TOKEN"}}}});
    let f = run(cfg.clone());
    let x = find(&f, "channels.telegram.account.read_only_resolution");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(x.json_path.as_deref(), Some("channels.telegram.botToken"));
    let ok = Fixture::new(cfg).env("TG_TOKEN", "t").run(collect);
    assert!(ids(&ok).is_empty());
}

#[test]
fn warning_severity_rule() {
    assert_eq!(
        classify_warning("- X groups: groupPolicy=\"open\" allows"),
        Severity::Critical
    );
    assert_eq!(classify_warning("Anyone can DM"), Severity::Critical);
    assert_eq!(classify_warning("DMs locked down"), Severity::Info);
    assert_eq!(classify_warning("groups disabled"), Severity::Info);
    assert_eq!(classify_warning("something odd"), Severity::Warn);
}

#[test]
fn group_policy_open_warning_is_critical_and_numbered() {
    let f = run(json!({"channels": {"whatsapp": {"groupPolicy": "open"}}}));
    let x = find(&f, "channels.whatsapp.warning.1");
    assert_eq!(x.severity, Severity::Critical);
    assert_eq!(x.title, "WhatsApp security warning");
    assert!(
        x.detail
            .starts_with("WhatsApp groups: groupPolicy=\"open\"")
    );
    assert_eq!(
        x.json_path.as_deref(),
        Some("channels.whatsapp.groupPolicy")
    );
    // channels.defaults.groupPolicy applies; an explicit allowlist overrides it.
    let d = run(json!({"channels": {"defaults": {"groupPolicy": "open"}, "signal": {}}}));
    assert_eq!(
        find(&d, "channels.signal.warning.1").json_path.as_deref(),
        Some("channels.defaults.groupPolicy")
    );
    let ok = run(
        json!({"channels": {"defaults": {"groupPolicy": "open"}, "signal": {"groupPolicy": "allowlist"}}}),
    );
    assert!(ids(&ok).is_empty());
}

#[test]
fn discord_native_commands_unrestricted_and_no_allowlists() {
    let crit = run(json!({
        "commands": {"useAccessGroups": false},
        "channels": {"discord": {"guilds": {"123": {"roles": ["9"]}}}}
    }));
    let x = find(&crit, "channels.discord.commands.native.unrestricted");
    assert_eq!(x.severity, Severity::Critical);
    assert_eq!(x.json_path.as_deref(), Some("commands.useAccessGroups"));
    let warn = run(json!({"channels": {"discord": {"guilds": {"123": {"roles": ["9"]}}}}}));
    let y = find(&warn, "channels.discord.commands.native.no_allowlists");
    assert_eq!(y.severity, Severity::Warn);
    assert_eq!(y.json_path.as_deref(), Some("channels.discord.guilds"));
    // Neighbours: a users allowlist, an owner allowFrom, native commands off.
    let users = run(
        json!({"commands": {"useAccessGroups": false}, "channels": {"discord": {"guilds": {"123": {"users": ["42"]}}}}}),
    );
    assert!(ids(&users).is_empty(), "{:?}", ids(&users));
    let owner = run(
        json!({"channels": {"discord": {"allowFrom": ["42"], "guilds": {"123": {"roles": ["9"]}}}}}),
    );
    assert!(ids(&owner).is_empty(), "{:?}", ids(&owner));
    let off = run(
        json!({"commands": {"native": false, "nativeSkills": false, "useAccessGroups": false}, "channels": {"discord": {"guilds": {"123": {"roles": ["9"]}}}}}),
    );
    assert!(ids(&off).is_empty());
}

#[test]
fn discord_broad_members() {
    let f = run(json!({"channels": {"discord": {"allowFrom": ["42"], "guilds": {"123": {}}}}}));
    let x = find(&f, "channels.discord.allowlisted_groups.broad_members");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(x.json_path.as_deref(), Some("channels.discord.guilds.123"));
}

#[test]
fn discord_name_based_entries_warn_or_info() {
    let f = run(json!({"channels": {"discord": {"allowFrom": ["123456789", "alice#1234"]}}}));
    let x = find(&f, "channels.discord.allowFrom.name_based_entries");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(
        x.json_path.as_deref(),
        Some("channels.discord.allowFrom[1]")
    );
    assert!(x.detail.contains("alice#1234"));
    let info = run(
        json!({"channels": {"discord": {"allowFrom": ["alice"], "dangerouslyAllowNameMatching": true}}}),
    );
    assert_eq!(
        find(&info, "channels.discord.allowFrom.name_based_entries").severity,
        Severity::Info
    );
    let ok = run(json!({"channels": {"discord": {"allowFrom": ["<@!123>", "user:456", "*"]}}}));
    assert!(!ids(&ok).contains(&"channels.discord.allowFrom.name_based_entries"));
}

#[test]
fn slack_slash_commands() {
    let crit = run(
        json!({"commands": {"useAccessGroups": false}, "channels": {"slack": {"slashCommand": {"enabled": true}}}}),
    );
    assert_eq!(
        find(&crit, "channels.slack.commands.slash.useAccessGroups_off").severity,
        Severity::Critical
    );
    let warn = run(json!({"channels": {"slack": {"commands": {"native": true}}}}));
    let y = find(&warn, "channels.slack.commands.slash.no_allowlists");
    assert_eq!(y.severity, Severity::Warn);
    assert_eq!(y.json_path.as_deref(), Some("channels.slack.allowFrom"));
    let ok = run(
        json!({"channels": {"slack": {"commands": {"native": true}, "channels": {"C1": {"users": ["U1"]}}}}}),
    );
    assert!(ids(&ok).is_empty());
    // Slack native "auto" is off.
    let auto = run(json!({"commands": {"useAccessGroups": false}, "channels": {"slack": {}}}));
    assert!(ids(&auto).is_empty());
}

#[test]
fn telegram_group_sender_allowlist_missing_and_wildcard() {
    let missing =
        run(json!({"channels": {"telegram": {"groups": {"-100": {"requireMention": true}}}}}));
    let x = find(&missing, "channels.telegram.groups.allowFrom.missing");
    assert_eq!(x.severity, Severity::Critical);
    assert_eq!(
        x.json_path.as_deref(),
        Some("channels.telegram.groupAllowFrom")
    );
    assert!(x.detail.contains("(including skill commands)."));
    let wild =
        run(json!({"channels": {"telegram": {"groupPolicy": "open", "groupAllowFrom": ["*"]}}}));
    let y = find(&wild, "channels.telegram.groups.allowFrom.wildcard");
    assert_eq!(y.severity, Severity::Critical);
    assert!(!ids(&wild).contains(&"channels.telegram.groups.allowFrom.missing"));
    // Store wildcard counts too.
    let store = with_store(
        json!({"channels": {"telegram": {"groupPolicy": "open"}}}),
        &[("telegram-allowFrom.json", json!(["*"]))],
    );
    assert!(ids(&store).contains(&"channels.telegram.groups.allowFrom.wildcard"));
    // Neighbours: explicit sender ids; no group access; text commands off.
    let ok =
        run(json!({"channels": {"telegram": {"groups": {"-100": {}}, "groupAllowFrom": ["123"]}}}));
    assert!(ids(&ok).is_empty(), "{:?}", ids(&ok));
    let no_groups = run(json!({"channels": {"telegram": {}}}));
    assert!(ids(&no_groups).is_empty());
    let text_off = run(
        json!({"commands": {"text": false}, "channels": {"telegram": {"groups": {"-100": {}}}}}),
    );
    assert!(ids(&text_off).is_empty());
    let topic = run(
        json!({"channels": {"telegram": {"groups": {"-100": {"topics": {"7": {"allowFrom": ["5"]}}}}}}}),
    );
    assert!(ids(&topic).is_empty(), "{:?}", ids(&topic));
}

#[test]
fn telegram_invalid_entries() {
    let f = run(
        json!({"channels": {"telegram": {"groups": {"-100": {}}, "groupAllowFrom": ["tg:123", "@alice"]}}}),
    );
    let x = find(&f, "channels.telegram.allowFrom.invalid_entries");
    assert_eq!(x.severity, Severity::Warn);
    assert!(x.detail.contains("@alice"));
    assert!(!x.detail.contains("123,"));
}

#[test]
fn identical_findings_from_accounts_are_deduplicated() {
    let f = run(
        json!({"channels": {"telegram": {"groups": {"-1": {}}, "accounts": {"a": {}, "b": {}}}}}),
    );
    assert_eq!(
        ids(&f)
            .iter()
            .filter(|i| **i == "channels.telegram.groups.allowFrom.missing")
            .count(),
        1
    );
}
