use std::os::unix::fs::PermissionsExt;

use hardclaw_config::{Flavor, LocationInputs};
use serde_json::json;

use super::*;

struct Fixture {
    _tmp: tempfile::TempDir,
    inputs: Inputs,
}

fn fixture(config: serde_json::Value, env: &[(&str, &str)]) -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let env: EnvMap = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let locations = Locations::resolve(&LocationInputs {
        state_dir_flag: Some(tmp.path().join("state")),
        flavor: Flavor::Hardclaw,
        env: env.clone(),
        cwd: tmp.path().to_path_buf(),
        ..LocationInputs::default()
    });
    let inputs = Inputs {
        config: Config::from_value(&config).unwrap(),
        env,
        locations,
        port_override: None,
    };
    Fixture { _tmp: tmp, inputs }
}

fn resolve(config: serde_json::Value, env: &[(&str, &str)]) -> Result<Settings, SettingsError> {
    Settings::resolve(&fixture(config, env).inputs)
}

// Reference §7.9 #1 (hardclaw flavour: 32 bytes base64url in <state>/gateway.token).
#[test]
fn empty_config_generates_a_token_once() {
    let f = fixture(json!({}), &[]);
    let s = Settings::resolve(&f.inputs).unwrap();
    let AuthSetting::Token(token) = &s.auth else {
        panic!("token mode")
    };
    assert_eq!(token.expose().len(), 43);
    let Some(TokenSource::File {
        path,
        generated: true,
    }) = &s.token_source
    else {
        panic!("generated file token: {:?}", s.token_source)
    };
    assert_eq!(
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(s.port, DEFAULT_PORT);
    assert!(s.loopback_only);
    assert_eq!(s.bind.len(), 2);
    assert!(!s.chat_completions);
    let again = Settings::resolve(&f.inputs).unwrap();
    assert!(matches!(
        again.token_source,
        Some(TokenSource::File {
            generated: false,
            ..
        })
    ));
}

// §7.9 #2.
#[test]
fn token_and_password_without_mode_is_ambiguous() {
    let e = resolve(
        json!({"gateway": {"auth": {"token": "t0123456789abcdef", "password": "p"}}}),
        &[],
    );
    assert!(matches!(e, Err(SettingsError::AmbiguousMode)));
}

// §7.9 #3.
#[test]
fn hooks_token_must_differ() {
    let e = resolve(
        json!({"gateway": {"auth": {"token": "same-token-0123456789"}}, "hooks": {"enabled": true, "token": "same-token-0123456789"}}),
        &[],
    );
    assert!(matches!(e, Err(SettingsError::HooksTokenReused)));
    // Also against the generated token in the state dir.
    let f = fixture(json!({}), &[]);
    let s = Settings::resolve(&f.inputs).unwrap();
    let AuthSetting::Token(t) = &s.auth else {
        panic!()
    };
    let mut inputs = f.inputs.clone();
    inputs.config = Config::from_value(&json!({"hooks": {"token": t.expose()}})).unwrap();
    assert!(matches!(
        Settings::resolve(&inputs),
        Err(SettingsError::HooksTokenReused)
    ));
}

// §7.9 #4, #5.
#[test]
fn exposure_rules() {
    let e = resolve(
        json!({"gateway": {"bind": "lan", "auth": {"mode": "none"}}}),
        &[],
    );
    assert!(matches!(e, Err(SettingsError::ExposedWithoutAuth(_))));
    let e = resolve(
        json!({"gateway": {"bind": "custom", "customBindHost": "::1", "auth": {"token": "x0123456789abcdef"}}}),
        &[],
    );
    assert!(matches!(e, Err(SettingsError::Bind(_))));
    let e = resolve(
        json!({"gateway": {"bind": "lan", "auth": {"token": "x0123456789abcdef"}}}),
        &[],
    );
    assert!(matches!(e, Err(SettingsError::MissingAllowedOrigins)));
    let ok = resolve(
        json!({"gateway": {"bind": "lan", "auth": {"token": "x0123456789abcdef"}, "controlUi": {"allowedOrigins": ["https://gw.example"]}}}),
        &[],
    )
    .unwrap();
    assert!(!ok.loopback_only);
    let none = resolve(json!({"gateway": {"auth": {"mode": "none"}}}), &[]).unwrap();
    assert!(matches!(none.auth, AuthSetting::None));
    assert_eq!(none.warnings.len(), 1);
}

#[test]
fn trusted_proxy_needs_proxies_and_header() {
    let e = resolve(
        json!({"gateway": {"auth": {"mode": "trusted-proxy", "trustedProxy": {"userHeader": "x-user"}}}}),
        &[],
    );
    assert!(matches!(e, Err(SettingsError::TrustedProxy(_))));
    let e = resolve(
        json!({"gateway": {"trustedProxies": ["10.0.0.1"], "auth": {"mode": "trusted-proxy", "trustedProxy": {"userHeader": "x-user"}}}}),
        &[],
    );
    assert!(
        matches!(e, Err(SettingsError::TrustedProxy(_))),
        "loopback bind needs a loopback proxy"
    );
    let ok = resolve(
        json!({"gateway": {"trustedProxies": ["127.0.0.1"], "auth": {"mode": "trusted-proxy", "trustedProxy": {"userHeader": "X-User"}}}}),
        &[],
    )
    .unwrap();
    assert!(
        matches!(ok.auth, AuthSetting::TrustedProxy { ref user_header, .. } if user_header == "x-user")
    );
}

#[test]
fn env_token_and_port() {
    let s = resolve(
        json!({"gateway": {"port": 1234}}),
        &[
            ("HARDCLAW_GATEWAY_TOKEN", "env-token-0123456789"),
            ("HARDCLAW_GATEWAY_PORT", "4321"),
        ],
    )
    .unwrap();
    assert_eq!(s.port, 4321);
    assert_eq!(
        s.token_source,
        Some(TokenSource::Env("HARDCLAW_GATEWAY_TOKEN".into()))
    );
    let s = resolve(json!({"gateway": {"port": 1234}}), &[]).unwrap();
    assert_eq!(s.port, 1234);
}

#[test]
fn webhook_accounts_are_checked() {
    let s = resolve(
        json!({"channels": {"webhook": {"accounts": {"ops": {"webhookSecret": "0123456789abcdef0123", "webhookUrl": "http://127.0.0.1:9/in"}}}}}),
        &[],
    )
    .unwrap();
    assert!(s.webhook_accounts.contains_key("ops"));
    let e = resolve(
        json!({"channels": {"webhook": {"accounts": {"ops": {"webhookUrl": "https://x.example"}}}}}),
        &[],
    );
    assert!(matches!(e, Err(SettingsError::Webhook { .. })));
    let e = resolve(
        json!({"channels": {"webhook": {"accounts": {"ops": {"webhookSecret": "0123456789abcdef0123", "webhookUrl": "http://203.0.113.9/in"}}}}}),
        &[],
    );
    assert!(
        matches!(e, Err(SettingsError::Webhook { .. })),
        "plain http off-host"
    );
    let e = resolve(
        json!({"channels": {"webhook": {"accounts": {"ops": {"webhookSecret": {"source": "env", "id": "NOPE"}}}}}}),
        &[],
    );
    assert!(matches!(e, Err(SettingsError::MissingEnv { .. })));
}

#[test]
fn tls_is_refused_rather_than_silently_plain() {
    let e = resolve(json!({"gateway": {"tls": {"enabled": true}}}), &[]);
    assert!(matches!(e, Err(SettingsError::Bind(m)) if m.contains("gateway.tls")));
}

#[test]
fn model_classifier_is_built_and_a_clear_text_remote_endpoint_is_warned_about() {
    let guard = |base: &str| {
        json!({"plugins": {"entries": {"channel-guard": {"config": {
            "classifier": "model",
            "modelClassifier": {"baseUrl": base, "model": "m", "apiKey": "${GUARD_KEY}"}
        }}}}})
    };
    let env = [("GUARD_KEY", "sk-guard-0123456789abcdef")];
    let s = resolve(guard("http://127.0.0.1:9/v1"), &env).unwrap();
    assert!(s.classifier.is_some());
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let s = resolve(guard("http://classifier.example/v1"), &env).unwrap();
    assert!(
        s.classifier.is_some(),
        "kept, so every message fails closed"
    );
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("model classifier unusable")),
        "{:?}",
        s.warnings
    );
    assert!(!s.warnings.join(" ").contains("sk-guard"));
    // The default (deterministic) and a switched-off guard have no classifier.
    assert!(resolve(json!({}), &[]).unwrap().classifier.is_none());
    let mut off = guard("http://127.0.0.1:9/v1");
    off["plugins"]["entries"]["channel-guard"]["enabled"] = json!(false);
    assert!(resolve(off, &env).unwrap().classifier.is_none());
}

#[test]
fn webhook_accounts_stream_only_when_asked() {
    let cfg = json!({"channels": {"webhook": {"accounts": {
        "plain": {"webhookSecret": "0123456789abcdef0123"},
        "live": {"webhookSecret": "0123456789abcdef0123", "streamReplies": true}
    }}}});
    let s = resolve(cfg, &[]).unwrap();
    assert!(!s.webhook_accounts["plain"].stream);
    assert!(s.webhook_accounts["live"].stream);
}
