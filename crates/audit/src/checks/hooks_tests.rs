use serde_json::json;

use super::{collect, is_pinned_spec};
use crate::checks::test_assert::{absent, expect};
use crate::finding::Severity;
use crate::test_support::Fixture;

const LONG: &str = "hooks-0123456789abcdef0123456789";

/// Hardened hooks: nothing to report.
fn good() -> serde_json::Value {
    json!({"hooks": {"enabled": true, "token": LONG, "path": "/hooks",
        "defaultSessionKey": "hook:ingress", "allowedAgentIds": ["hooks"]}})
}

#[test]
fn good_hooks_and_disabled_hooks_are_clean() {
    assert!(Fixture::new(good()).run(collect).is_empty());
    // Disabled hooks are not checked at all.
    let f = Fixture::new(json!({"hooks": {"token": "x", "path": "/"}})).run(collect);
    assert!(f.is_empty());
}

#[test]
fn token_too_short() {
    let mut v = good();
    v["hooks"]["token"] = json!("short");
    let f = Fixture::new(v).run(collect);
    let x = expect(&f, "hooks.token_too_short", Severity::Warn, "hooks.token");
    assert_eq!(
        x.detail,
        "hooks.token is 5 chars; prefer a long random token."
    );
}

#[test]
fn token_reuse_gateway_token_and_password() {
    let mut v = good();
    v["gateway"] = json!({"auth": {"token": LONG}});
    let f = Fixture::new(v).run(collect);
    let x = expect(
        &f,
        "hooks.token_reuse_gateway_token",
        Severity::Critical,
        "hooks.token",
    );
    assert_eq!(x.title, "Hooks token reuses the Gateway token");
    // Env token counts.
    let f = Fixture::new(good())
        .env("HARDCLAW_GATEWAY_TOKEN", LONG)
        .run(collect);
    expect(
        &f,
        "hooks.token_reuse_gateway_token",
        Severity::Critical,
        "hooks.token",
    );
    // Password mode.
    let mut v = good();
    v["gateway"] = json!({"auth": {"mode": "password", "password": LONG}});
    let f = Fixture::new(v).run(collect);
    let x = expect(
        &f,
        "hooks.token_reuse_gateway_token",
        Severity::Critical,
        "hooks.token",
    );
    assert_eq!(x.title, "Hooks token reuses the Gateway password");
    // Distinct token.
    let mut v = good();
    v["gateway"] = json!({"auth": {"token": "gateway-0123456789abcdef0123456789"}});
    absent(
        &Fixture::new(v).run(collect),
        "hooks.token_reuse_gateway_token",
    );
}

#[test]
fn path_root_and_session_key() {
    let mut v = good();
    v["hooks"]["path"] = json!(" / ");
    v["hooks"]["defaultSessionKey"] = json!("");
    let f = Fixture::new(v).run(collect);
    expect(&f, "hooks.path_root", Severity::Critical, "hooks.path");
    expect(
        &f,
        "hooks.default_session_key_unset",
        Severity::Warn,
        "hooks.defaultSessionKey",
    );
}

#[test]
fn allowed_agent_ids_warn_then_critical() {
    let mut v = good();
    v["hooks"]["allowedAgentIds"] = json!(["*"]);
    let f = Fixture::new(v.clone()).run(collect);
    expect(
        &f,
        "hooks.allowed_agent_ids_unrestricted",
        Severity::Warn,
        "hooks.allowedAgentIds",
    );
    v["gateway"] = json!({"bind": "lan"});
    let f = Fixture::new(v).run(collect);
    expect(
        &f,
        "hooks.allowed_agent_ids_unrestricted",
        Severity::Critical,
        "hooks.allowedAgentIds",
    );
    let mut none = good();
    none["hooks"]["allowedAgentIds"] = json!([]);
    absent(
        &Fixture::new(none).run(collect),
        "hooks.allowed_agent_ids_unrestricted",
    );
    let mut unset = good();
    unset["hooks"]
        .as_object_mut()
        .map(|o| o.remove("allowedAgentIds"));
    expect(
        &Fixture::new(unset).run(collect),
        "hooks.allowed_agent_ids_unrestricted",
        Severity::Warn,
        "hooks.allowedAgentIds",
    );
}

#[test]
fn request_session_key() {
    let mut v = good();
    v["hooks"]["allowRequestSessionKey"] = json!(true);
    let f = Fixture::new(v.clone()).run(collect);
    expect(
        &f,
        "hooks.request_session_key_enabled",
        Severity::Warn,
        "hooks.allowRequestSessionKey",
    );
    expect(
        &f,
        "hooks.request_session_key_prefixes_missing",
        Severity::Warn,
        "hooks.allowedSessionKeyPrefixes",
    );
    v["gateway"] = json!({"tailscale": {"mode": "funnel"}});
    v["hooks"]["allowedSessionKeyPrefixes"] = json!(["hook:"]);
    let f = Fixture::new(v).run(collect);
    expect(
        &f,
        "hooks.request_session_key_enabled",
        Severity::Critical,
        "hooks.allowRequestSessionKey",
    );
    absent(&f, "hooks.request_session_key_prefixes_missing");
}

#[test]
fn pinned_specs() {
    assert!(is_pinned_spec("@scope/pkg@1.2.3"));
    assert!(is_pinned_spec("pkg@1.2.3-beta.1+build.5"));
    assert!(!is_pinned_spec("pkg@^1.2.3"));
    assert!(!is_pinned_spec("pkg@latest"));
    assert!(!is_pinned_spec("pkg"));
    assert!(!is_pinned_spec("@scope/pkg"));
}

#[test]
fn install_records_unpinned_and_missing_integrity() {
    let f = Fixture::new(json!({"hooks": {"internal": {"installs": {
        "a": {"source": "npm", "spec": "a@latest"},
        "b": {"source": "npm", "spec": "b@latest", "resolvedSpec": "b@2.0.0", "integrity": "sha512-x"},
        "c": {"source": "npm", "spec": "c@1.0.0", "integrity": "sha512-y"},
        "d": {"source": "path", "spec": "./local"}
    }}}}))
    .run(collect);
    let x = expect(
        &f,
        "hooks.installs_unpinned_npm_specs",
        Severity::Warn,
        "hooks.internal.installs",
    );
    assert_eq!(x.detail, "Unpinned hook install records:\n- a (a@latest)");
    let y = expect(
        &f,
        "hooks.installs_missing_integrity",
        Severity::Warn,
        "hooks.internal.installs",
    );
    assert_eq!(y.detail, "Hook install records without integrity:\n- a");
    let f = Fixture::new(json!({"hooks": {"internal": {"installs": {
        "c": {"source": "npm", "spec": "c@1.0.0", "integrity": "sha512-y"}}}}}))
    .run(collect);
    assert!(f.is_empty());
}

#[test]
fn install_version_drift_reads_package_json() {
    let state = tempfile::tempdir().expect("tempdir");
    let hook_dir = state.path().join("hooks").join("h");
    std::fs::create_dir_all(&hook_dir).expect("mkdir");
    std::fs::write(
        hook_dir.join("package.json"),
        r#"{"name":"h","version":"1.1.0"}"#,
    )
    .expect("write");
    let other = tempfile::tempdir().expect("tempdir");
    std::fs::write(other.path().join("package.json"), r#"{"version":"2.0.0"}"#).expect("write");
    let cfg = json!({"hooks": {"internal": {"installs": {
        "h": {"source": "npm", "spec": "h@1.0.0", "integrity": "sha512-a", "version": "1.0.0"},
        "k": {"source": "npm", "spec": "k@2.0.0", "integrity": "sha512-b", "resolvedVersion": "2.0.0",
              "installPath": other.path().to_str().expect("utf8")}
    }}}});
    let mut fx = Fixture::with_state(cfg.clone(), state.path());
    // Without filesystem checks, nothing is read.
    assert!(fx.run(collect).is_empty());
    fx.options.include_filesystem = true;
    let f = fx.run(collect);
    let x = expect(
        &f,
        "hooks.installs_version_drift",
        Severity::Warn,
        "hooks.internal.installs",
    );
    assert_eq!(
        x.detail,
        "Recorded and installed versions differ:\n- h (recorded 1.0.0, installed 1.1.0)"
    );
}
