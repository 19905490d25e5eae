use serde_json::json;

use super::*;

fn err(v: serde_json::Value) -> SchemaError {
    match Config::from_value(&v) {
        Ok(_) => panic!("expected a schema error for {v}"),
        Err(e) => e,
    }
}

#[test]
fn empty_object_is_valid_and_everything_is_default() {
    let c = Config::from_value(&json!({})).expect("valid");
    assert!(c.gateway.is_none());
    assert!(c.agent_list().is_empty());
}

#[test]
fn root_must_be_an_object() {
    let e = err(json!([1]));
    assert_eq!(e.json_path, "");
    assert!(e.message.contains("must be an object"), "{}", e.message);
}

#[test]
fn require_mention_at_channel_root_names_where_it_belongs() {
    let e = err(json!({"channels": {"whatsapp": {"requireMention": true}}}));
    assert_eq!(e.json_path, "channels.whatsapp.requireMention");
    assert!(
        e.message.starts_with("unknown key `requireMention`"),
        "{}",
        e.message
    );
    assert_eq!(
        e.suggestion.as_deref(),
        Some(
            "`requireMention` belongs inside a group entry: channels.<channel>.groups.<groupId or \"*\">.requireMention"
        )
    );
}

#[test]
fn misspelled_key_gets_did_you_mean() {
    let e = err(json!({"gateway": {"auth": {"mdoe": "token"}}}));
    assert_eq!(e.json_path, "gateway.auth.mdoe");
    assert_eq!(e.suggestion.as_deref(), Some("did you mean `mode`?"));
    let e = err(json!({"gateway": {"Bind": "loopback"}}));
    assert_eq!(e.suggestion.as_deref(), Some("did you mean `bind`?"));
}

#[test]
fn bad_enum_value_lists_choices_and_suggests() {
    let e = err(json!({"gateway": {"auth": {"mode": "tokn"}}}));
    assert_eq!(e.json_path, "gateway.auth.mode");
    assert!(
        e.message
            .contains("expected one of: token, password, trusted-proxy, none"),
        "{}",
        e.message
    );
    assert_eq!(e.suggestion.as_deref(), Some("did you mean `token`?"));
}

#[test]
fn wrong_type_names_path() {
    let e = err(json!({"gateway": {"port": "18789"}}));
    assert_eq!(e.json_path, "gateway.port");
    assert!(e.message.contains("expected u16"), "{}", e.message);
}

#[test]
fn array_paths_are_indexed() {
    let e = err(json!({"agents": {"list": [{"id": "main"}, {"id": "x", "toolz": {}}]}}));
    assert_eq!(e.json_path, "agents.list[1].toolz");
    assert_eq!(e.suggestion.as_deref(), Some("did you mean `tools`?"));
}

#[test]
fn open_dm_requires_star() {
    let e = err(json!({"channels": {"telegram": {"dmPolicy": "open", "allowFrom": ["123"]}}}));
    assert_eq!(e.json_path, "channels.telegram.dmPolicy");
    Config::from_value(
        &json!({"channels": {"telegram": {"dmPolicy": "open", "allowFrom": ["*"]}}}),
    )
    .expect("open with * is valid");
}

#[test]
fn duplicate_and_invalid_agent_ids_rejected() {
    let e = err(json!({"agents": {"list": [{"id": "main"}, {"id": "Main"}]}}));
    assert_eq!(e.json_path, "agents.list[1].id");
    let e = err(json!({"agents": {"list": [{"id": "../x"}]}}));
    assert_eq!(e.json_path, "agents.list[0].id");
}

#[test]
fn secret_inputs_accept_string_or_ref_and_never_debug_print() {
    let c = Config::from_value(&json!({"gateway": {"auth": {
        "token": "s3cr3t-value",
        "password": {"source": "env", "id": "PW"}
    }}}))
    .expect("valid");
    let auth = c.gateway.and_then(|g| g.auth).expect("auth");
    assert!(!format!("{auth:?}").contains("s3cr3t-value"));
    assert!(auth.token.as_ref().is_some_and(SecretInput::is_configured));
    assert!(matches!(auth.password, Some(SecretInput::Ref(_))));
    let e = err(json!({"gateway": {"auth": {"token": {"source": "vault", "id": "x"}}}}));
    assert_eq!(e.json_path, "gateway.auth.token");
}

#[test]
fn model_ref_forms_and_ids() {
    let c = Config::from_value(&json!({"agents": {"defaults": {
        "model": {"primary": "anthropic/claude-opus-4-6", "fallbacks": ["openai/gpt-5"]}
    }, "list": [{"id": "a", "model": "ollama/llama3:8b"}]}}))
    .expect("valid");
    let d = c
        .agent_defaults()
        .and_then(|d| d.model.as_ref())
        .expect("model");
    assert_eq!(d.ids(), vec!["anthropic/claude-opus-4-6", "openai/gpt-5"]);
    assert_eq!(
        c.agent_list()[0].model.as_ref().map(ModelRef::ids),
        Some(vec!["ollama/llama3:8b"])
    );
}

#[test]
fn ids_accept_numbers() {
    let c = Config::from_value(&json!({"channels": {"telegram": {"allowFrom": [12345, "@bob"]}}}))
        .expect("valid");
    let ch = &c.channels.expect("channels")["telegram"];
    let ids: Vec<&str> = ch.allow_from.iter().flatten().map(Id::as_str).collect();
    assert_eq!(ids, vec!["12345", "@bob"]);
}
