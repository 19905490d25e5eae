//! §5.7 example rows (each test names its row) and hardclaw's fail-closed defaults.

use hardclaw_config::Config;
use serde_json::json;

use super::*;

fn cfg(v: serde_json::Value) -> Config {
    Config::from_value(&v).unwrap()
}

struct Store(Vec<&'static str>);

impl ApprovedSenders for Store {
    fn approved_senders(&self, _channel: &str, _account: Option<&str>) -> Vec<String> {
        self.0.iter().map(|s| s.to_string()).collect()
    }
}

fn dm(channel: &str, sender: &str, text: &str) -> InboundMessage {
    InboundMessage {
        channel: channel.into(),
        account: None,
        sender: sender.into(),
        chat: ChatKind::Direct,
        text: text.into(),
        mentions_bot: false,
        is_reply_to_bot: false,
    }
}

fn group(channel: &str, group_id: &str, sender: &str, text: &str) -> InboundMessage {
    InboundMessage {
        chat: ChatKind::Group {
            group_id: group_id.into(),
        },
        ..dm(channel, sender, text)
    }
}

fn rule(d: &AccessDecision) -> &'static str {
    d.rule()
}

fn delivered_key(d: &AccessDecision) -> String {
    match d {
        AccessDecision::Deliver { session_key, .. } => session_key.key.clone(),
        other => panic!("expected Deliver, got {other:?}"),
    }
}

#[test]
fn section_5_7_row_1_unset_dm_policy_unknown_sender_gets_pairing() {
    let c = cfg(json!({"channels": {"whatsapp": {}}}));
    let d = decide_inbound(&c, &dm("whatsapp", "+1555", "hi"), &NoApprovedSenders);
    assert!(matches!(d, AccessDecision::Pairing { .. }), "{d:?}");
    // Also with no channel block at all.
    let d = decide_inbound(
        &Config::default(),
        &dm("whatsapp", "+1555", "hi"),
        &NoApprovedSenders,
    );
    assert!(matches!(d, AccessDecision::Pairing { .. }), "{d:?}");
}

#[test]
fn section_5_7_row_2_allowlist_ignores_the_pairing_store() {
    let c =
        cfg(json!({"channels": {"whatsapp": {"dmPolicy": "allowlist", "allowFrom": ["+1999"]}}}));
    let d = decide_inbound(&c, &dm("whatsapp", "+1555", "hi"), &Store(vec!["+1555"]));
    assert_eq!(rule(&d), "dm-allowlist");
}

#[test]
fn section_5_7_row_3_pairing_sender_in_store_is_allowed() {
    let c = cfg(json!({"channels": {"whatsapp": {"dmPolicy": "pairing"}}}));
    let d = decide_inbound(
        &c,
        &dm("whatsapp", "15551234567@s.whatsapp.net", "hi"),
        &Store(vec!["+1 555 123 4567"]),
    );
    assert_eq!(delivered_key(&d), "agent:main:whatsapp:direct:+15551234567");
}

#[test]
fn section_5_7_row_4_open_without_wildcard_is_invalid_config() {
    let err = Config::from_value(
        &json!({"channels": {"whatsapp": {"dmPolicy": "open", "allowFrom": []}}}),
    )
    .unwrap_err();
    assert!(err.message.contains("\"*\""), "{err:?}");
    let c = cfg(json!({"channels": {"whatsapp": {"dmPolicy": "open", "allowFrom": ["*"]}}}));
    assert_eq!(
        rule(&decide_inbound(
            &c,
            &dm("whatsapp", "+1", "hi"),
            &NoApprovedSenders
        )),
        "allow"
    );
}

#[test]
fn section_5_7_row_5_allowlist_with_empty_allow_from_is_invalid_config() {
    let err = Config::from_value(
        &json!({"channels": {"whatsapp": {"dmPolicy": "allowlist", "allowFrom": []}}}),
    )
    .unwrap_err();
    assert!(err.message.contains("allowlist"), "{err:?}");
}

#[test]
fn section_5_7_row_6_disabled_blocks_without_reply() {
    let c = cfg(json!({"channels": {"whatsapp": {"dmPolicy": "disabled"}}}));
    let d = decide_inbound(&c, &dm("whatsapp", "+1555", "hi"), &Store(vec!["+1555"]));
    assert_eq!(rule(&d), "dm-disabled");
    assert!(matches!(d, AccessDecision::Drop { .. }));
}

#[test]
fn section_5_7_rows_7_to_11_are_pairing_store_tests() {
    // Rows 7–11 (limit, refresh, case-insensitive approval, expiry, path safety) are tested in
    // hardclaw-store's pairing tests; the decision here only asks for pairing.
    let d = decide_inbound(
        &Config::default(),
        &dm("telegram", "42", "hi"),
        &NoApprovedSenders,
    );
    assert!(matches!(d, AccessDecision::Pairing { .. }));
}

#[test]
fn section_5_7_rows_12_to_15_normalised_allow_from_matches() {
    let c = cfg(json!({"channels": {"whatsapp": {"dmPolicy": "allowlist",
        "allowFrom": ["whatsapp:+1 (555) 123-4567", "user@example.com"]}}}));
    for sender in [
        "+15551234567",
        "15551234567:3@s.whatsapp.net",
        "15551234567@lid",
    ] {
        assert_eq!(
            rule(&decide_inbound(
                &c,
                &dm("whatsapp", sender, "hi"),
                &NoApprovedSenders
            )),
            "allow",
            "{sender}"
        );
    }
    // Row 15: an e-mail is not a WhatsApp id — neither as an entry nor as a sender.
    assert_eq!(
        rule(&decide_inbound(
            &c,
            &dm("whatsapp", "user@example.com", "hi"),
            &NoApprovedSenders
        )),
        "sender-invalid"
    );
}

#[test]
fn section_5_7_row_16_allowlist_without_groups_or_senders_blocks_every_group() {
    let c = cfg(json!({"channels": {"whatsapp": {"groupPolicy": "allowlist"}}}));
    let d = decide_inbound(
        &c,
        &group("whatsapp", "120363@g.us", "+1555", "@bot hi"),
        &NoApprovedSenders,
    );
    assert_eq!(rule(&d), "group-not-allowed");
    let c =
        cfg(json!({"channels": {"whatsapp": {"groupPolicy": "allowlist", "groups": {"*": {}}}}}));
    let d = decide_inbound(
        &c,
        &group("whatsapp", "120363@g.us", "+1555", "hi"),
        &NoApprovedSenders,
    );
    assert_eq!(rule(&d), "group-allowlist-empty");
}

#[test]
fn section_5_7_row_17_missing_channel_block_fails_closed_for_groups() {
    let mut m = group("whatsapp", "120363@g.us", "+1555", "hi");
    m.mentions_bot = true;
    let d = decide_inbound(&Config::default(), &m, &NoApprovedSenders);
    assert_eq!(rule(&d), "group-not-allowed");
    // hardclaw: a block without groupPolicy fails closed too (OpenClaw: open for open-style providers).
    let c = cfg(json!({"channels": {"whatsapp": {"groups": {}}}}));
    assert!(matches!(
        decide_inbound(&c, &m, &NoApprovedSenders),
        AccessDecision::Drop { .. }
    ));
}

fn open_groups(groups: serde_json::Value) -> Config {
    cfg(
        json!({"channels": {"whatsapp": {"groupPolicy": "allowlist", "groupAllowFrom": ["*"], "groups": groups}},
        "agents": {"list": [{"id": "main", "groupChat": {"mentionPatterns": ["@openclaw"]}}]}}),
    )
}

#[test]
fn section_5_7_row_18_wildcard_group_requires_mention() {
    let c = open_groups(json!({"*": {"requireMention": true}}));
    let d = decide_inbound(
        &c,
        &group("whatsapp", "120363@g.us", "+1555", "hello all"),
        &NoApprovedSenders,
    );
    assert_eq!(rule(&d), "mention-required");
    // requireMention defaults to true.
    let c = open_groups(json!({"*": {}}));
    let d = decide_inbound(
        &c,
        &group("whatsapp", "120363@g.us", "+1555", "hello all"),
        &NoApprovedSenders,
    );
    assert_eq!(rule(&d), "mention-required");
    let mut m = group("whatsapp", "120363@g.us", "+1555", "hello");
    m.mentions_bot = true;
    assert_eq!(
        delivered_key(&decide_inbound(&c, &m, &NoApprovedSenders)),
        "agent:main:whatsapp:group:120363@g.us"
    );
}

#[test]
fn section_5_7_row_19_unlisted_group_not_allowed() {
    let c = open_groups(json!({"120363X@g.us": {"requireMention": false}}));
    let d = decide_inbound(
        &c,
        &group("whatsapp", "999@g.us", "+1555", "hi"),
        &NoApprovedSenders,
    );
    assert_eq!(rule(&d), "group-not-allowed");
    let d = decide_inbound(
        &c,
        &group("whatsapp", "120363x@g.us", "+1555", "hi"),
        &NoApprovedSenders,
    );
    assert_eq!(rule(&d), "allow");
}

#[test]
fn section_5_7_row_20_reply_to_bot_is_an_implicit_mention() {
    let c = open_groups(json!({"*": {}}));
    let mut m = group("whatsapp", "1@g.us", "+1555", "and then?");
    m.is_reply_to_bot = true;
    assert_eq!(rule(&decide_inbound(&c, &m, &NoApprovedSenders)), "allow");
}

#[test]
fn section_5_7_row_21_mention_pattern_case_insensitive() {
    let c = open_groups(json!({"*": {}}));
    let d = decide_inbound(
        &c,
        &group("whatsapp", "1@g.us", "+1555", "Hey @OpenClaw"),
        &NoApprovedSenders,
    );
    assert_eq!(rule(&d), "allow");
}

#[test]
fn section_5_7_row_22_mention_after_zero_width_strip() {
    let c = open_groups(json!({"*": {}}));
    let d = decide_inbound(
        &c,
        &group("whatsapp", "1@g.us", "+1555", "@open\u{200B}claw"),
        &NoApprovedSenders,
    );
    assert_eq!(rule(&d), "allow");
}

#[test]
fn section_5_7_row_23_config_from_allowlisted_non_owner_is_ignored() {
    let c = cfg(
        json!({"commands": {"config": true, "ownerAllowFrom": ["whatsapp:+1000"]},
        "channels": {"whatsapp": {"dmPolicy": "allowlist", "allowFrom": ["+1555", "+1000"]}}}),
    );
    let d = decide_inbound(
        &c,
        &dm("whatsapp", "+1555", "/config set x=1"),
        &NoApprovedSenders,
    );
    assert!(
        matches!(
            d,
            AccessDecision::Drop {
                rule: "command-unauthorized",
                ..
            }
        ),
        "{d:?}"
    );
    let d = decide_inbound(
        &c,
        &dm("whatsapp", "+1000", "/config set x=1"),
        &NoApprovedSenders,
    );
    assert!(
        matches!(
            d,
            AccessDecision::Deliver {
                is_command: Some(CommandKind::Config),
                ..
            }
        ),
        "{d:?}"
    );
    // Without ownerAllowFrom, the channel allowFrom are the owners; a paired sender is not.
    let c = cfg(json!({"commands": {"config": true}, "channels": {"telegram": {}}}));
    let d = decide_inbound(
        &c,
        &dm("telegram", "7", "/config set x=1"),
        &Store(vec!["7"]),
    );
    assert!(
        matches!(
            d,
            AccessDecision::Drop {
                rule: "command-not-owner",
                ..
            }
        ),
        "{d:?}"
    );
}

#[test]
fn section_5_7_row_24_config_disabled_reply_without_the_enabling_key() {
    // OpenClaw adds "Set commands.config=true to enable."; hardclaw does not tell a chat
    // sender how to change the server's config.
    let d = decide_inbound(
        &Config::default(),
        &dm("telegram", "7", "/config show"),
        &Store(vec!["7"]),
    );
    assert_eq!(
        d,
        AccessDecision::Reject {
            rule: "command-disabled",
            reply: "⚠️ /config is disabled.".into()
        }
    );
}

#[test]
fn section_5_7_row_25_restart_is_off_by_default_in_hardclaw() {
    // OpenClaw: restarts (enabled by default). hardclaw: disabled unless commands.restart=true.
    let d = decide_inbound(
        &Config::default(),
        &dm("telegram", "7", "/restart"),
        &Store(vec!["7"]),
    );
    assert_eq!(rule(&d), "command-disabled");
    let c = cfg(json!({"commands": {"restart": true, "ownerAllowFrom": ["telegram:7"]}}));
    let d = decide_inbound(&c, &dm("telegram", "7", "/restart"), &Store(vec!["7"]));
    assert!(
        matches!(
            d,
            AccessDecision::Deliver {
                is_command: Some(CommandKind::Restart),
                ..
            }
        ),
        "{d:?}"
    );
}

#[test]
fn section_5_7_row_26_bash_without_elevated_is_refused() {
    let c = cfg(json!({"commands": {"bash": true}}));
    let d = decide_inbound(&c, &dm("telegram", "7", "! ls"), &Store(vec!["7"]));
    assert_eq!(
        d,
        AccessDecision::Reject {
            rule: "elevated-unavailable",
            reply: ELEVATED_UNAVAILABLE_REPLY.into()
        }
    );
}

#[test]
fn bang_command_with_defaults_gets_a_fixed_reply() {
    let d = decide_inbound(
        &Config::default(),
        &dm("telegram", "7", "!echo test"),
        &Store(vec!["7"]),
    );
    assert_eq!(
        d,
        AccessDecision::Reject {
            rule: "command-disabled",
            reply: "⚠️ !/bash is disabled.".into()
        }
    );
    // An unknown sender learns nothing about commands: it is asked to pair.
    let d = decide_inbound(
        &Config::default(),
        &dm("telegram", "8", "!echo test"),
        &NoApprovedSenders,
    );
    assert!(matches!(d, AccessDecision::Pairing { .. }));
}

#[test]
fn harmless_commands_are_delivered_marked() {
    let d = decide_inbound(
        &Config::default(),
        &dm("telegram", "7", "/status"),
        &Store(vec!["7"]),
    );
    assert!(
        matches!(d, AccessDecision::Deliver { is_command: Some(CommandKind::Other(ref n)), .. } if n == "status")
    );
    let c = cfg(json!({"commands": {"text": false}}));
    let d = decide_inbound(&c, &dm("telegram", "7", "!echo test"), &Store(vec!["7"]));
    assert!(
        matches!(
            d,
            AccessDecision::Deliver {
                is_command: None,
                ..
            }
        ),
        "{d:?}"
    );
}

#[test]
fn a_rejected_command_in_a_group_without_mention_is_silent() {
    let c = open_groups(json!({"*": {}}));
    let d = decide_inbound(
        &c,
        &group("whatsapp", "1@g.us", "+1555", "!echo test"),
        &NoApprovedSenders,
    );
    assert_eq!(rule(&d), "mention-required");
    let d = decide_inbound(
        &c,
        &group("whatsapp", "1@g.us", "+1555", "/status"),
        &NoApprovedSenders,
    );
    assert_eq!(
        rule(&d),
        "allow",
        "authorised control commands bypass mention gating"
    );
}

#[test]
fn group_sender_allowlist_and_disabled_groups() {
    let c = cfg(
        json!({"channels": {"telegram": {"groupPolicy": "allowlist", "groupAllowFrom": ["tg:7"],
        "groups": {"-100": {"requireMention": false}}}}}),
    );
    assert_eq!(
        rule(&decide_inbound(
            &c,
            &group("telegram", "-100", "7", "hi"),
            &NoApprovedSenders
        )),
        "allow"
    );
    assert_eq!(
        rule(&decide_inbound(
            &c,
            &group("telegram", "-100", "8", "hi"),
            &Store(vec!["8"])
        )),
        "group-sender-not-allowed"
    );
    let c = cfg(
        json!({"channels": {"telegram": {"groupPolicy": "disabled", "groupAllowFrom": ["7"]}}}),
    );
    assert_eq!(
        rule(&decide_inbound(
            &c,
            &group("telegram", "-100", "7", "hi"),
            &NoApprovedSenders
        )),
        "group-disabled"
    );
    let c = cfg(
        json!({"channels": {"telegram": {"groupPolicy": "open", "groups": {"*": {"requireMention": false}}}}}),
    );
    assert_eq!(
        rule(&decide_inbound(
            &c,
            &group("telegram", "-5", "9", "hi"),
            &NoApprovedSenders
        )),
        "allow"
    );
}

#[test]
fn disabled_channel_and_invalid_senders_drop() {
    let c = cfg(
        json!({"channels": {"telegram": {"enabled": false, "dmPolicy": "allowlist", "allowFrom": ["7"]}}}),
    );
    assert_eq!(
        rule(&decide_inbound(
            &c,
            &dm("telegram", "7", "hi"),
            &NoApprovedSenders
        )),
        "channel-disabled"
    );
    assert_eq!(
        rule(&decide_inbound(
            &Config::default(),
            &dm("telegram", " ", "hi"),
            &NoApprovedSenders
        )),
        "sender-invalid"
    );
    assert_eq!(
        rule(&decide_inbound(
            &Config::default(),
            &dm("telegram", "*", "hi"),
            &Store(vec!["*"])
        )),
        "sender-invalid"
    );
}

#[test]
fn wildcard_in_the_pairing_store_admits_no_one() {
    let d = decide_inbound(
        &Config::default(),
        &dm("telegram", "7", "hi"),
        &Store(vec!["*"]),
    );
    assert!(matches!(d, AccessDecision::Pairing { .. }));
}

#[test]
fn account_settings_override_the_channel() {
    let c = cfg(json!({"channels": {"whatsapp": {"dmPolicy": "disabled",
        "accounts": {"work": {"dmPolicy": "allowlist", "allowFrom": ["+1555"]}}}}}));
    let mut m = dm("whatsapp", "+1555", "hi");
    assert_eq!(
        rule(&decide_inbound(&c, &m, &NoApprovedSenders)),
        "dm-disabled"
    );
    m.account = Some("Work".into());
    assert_eq!(rule(&decide_inbound(&c, &m, &NoApprovedSenders)), "allow");
}

#[test]
fn two_senders_on_one_channel_get_two_sessions_by_default() {
    let approved = Store(vec!["+1555", "+1666"]);
    let a = delivered_key(&decide_inbound(
        &Config::default(),
        &dm("whatsapp", "+1555", "hi"),
        &approved,
    ));
    let b = delivered_key(&decide_inbound(
        &Config::default(),
        &dm("whatsapp", "+1666", "hi"),
        &approved,
    ));
    assert_eq!(a, "agent:main:whatsapp:direct:+1555");
    assert_eq!(b, "agent:main:whatsapp:direct:+1666");
}

#[test]
fn bindings_route_to_agents_and_scopes() {
    let c = cfg(
        json!({"agents": {"list": [{"id": "main", "default": true}, {"id": "work"}]},
        "bindings": [{"agentId": "work", "match": {"channel": "telegram", "peer": {"kind": "dm", "id": "tg:7"}},
                      "session": {"dmScope": "per-peer"}}]}),
    );
    let approved = Store(vec!["7", "8"]);
    assert_eq!(
        delivered_key(&decide_inbound(&c, &dm("telegram", "7", "hi"), &approved)),
        "agent:work:direct:7"
    );
    assert_eq!(
        delivered_key(&decide_inbound(&c, &dm("telegram", "8", "hi"), &approved)),
        "agent:main:telegram:direct:8"
    );
}

#[test]
fn pairing_reply_names_the_code_and_the_command() {
    let r = pairing_reply("Telegram", "7", "ABCD2345");
    assert!(r.contains("Pairing code: ABCD2345"));
    assert!(r.contains("hardclaw pairing approve telegram ABCD2345"));
    assert!(r.contains("Your telegram id: 7"));
}
