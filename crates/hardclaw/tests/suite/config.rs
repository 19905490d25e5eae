//! `config validate`, `config get`, `doctor`, usage errors.

use predicates::prelude::*;

use super::common::{GUIDE_ENV, Home, guide_example};

#[test]
fn the_guides_four_example_configs_validate() {
    for name in [
        "recommended.json5",
        "hardened.json5",
        "pragmatic.json5",
        "basic.json5",
    ] {
        let home = Home::new();
        home.write_config(&guide_example(name));
        home.cmd()
            .envs(GUIDE_ENV.iter().copied())
            .args(["config", "validate"])
            .assert()
            .success()
            .stdout(predicate::str::contains("valid"));
    }
}

#[test]
fn invalid_config_reports_file_line_column_path_and_suggestion() {
    let home = Home::new();
    let path = home.write_config(
        "{\n  channels: {\n    whatsapp: {\n      requireMention: true,\n    },\n  },\n}\n",
    );
    let expected = format!(
        "{}:4:7: channels.whatsapp.requireMention: unknown key `requireMention`",
        path.display()
    );
    home.cmd()
        .args(["config", "validate"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(expected))
        .stderr(predicate::str::contains("belongs inside a group entry"));
}

#[test]
fn validate_json_gives_structured_location() {
    let home = Home::new();
    home.write_config("{\n  gateway: { bind: 'lann' },\n}\n");
    let out = home
        .cmd()
        .args(["config", "validate", "--json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(v["valid"], false);
    assert_eq!(v["error"]["line"], 2);
    assert_eq!(v["error"]["column"], 14);
    assert_eq!(v["error"]["jsonPath"], "gateway.bind");
}

#[test]
fn missing_env_var_names_variable_and_path() {
    let home = Home::new();
    home.write_config("{ gateway: { auth: { token: '${MY_TOKEN}' } } }");
    home.cmd()
        .args(["config", "validate"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("gateway.auth.token"))
        .stderr(predicate::str::contains("`MY_TOKEN` is not set"));
}

#[test]
fn duplicate_keys_are_refused() {
    let home = Home::new();
    home.write_config("{\n  gateway: { bind: 'loopback' },\n  gateway: { bind: 'lan' },\n}\n");
    home.cmd()
        .args(["config", "validate"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("duplicate key `gateway`"))
        .stderr(predicate::str::contains("line 2"));
}

#[test]
fn config_get_masks_secrets_and_shows_references() {
    let home = Home::new();
    home.write_config(
        "{ gateway: { auth: { token: 'literal-secret-value-123' }, remote: { token: '${REMOTE_TOKEN}' } },\
           channels: { telegram: { botToken: '123456:ABCDEF-secret', allowFrom: [42] } } }",
    );
    let assert = home.cmd().args(["config", "get"]).assert().success();
    let out = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(!out.contains("literal-secret-value-123"), "{out}");
    assert!(!out.contains("ABCDEF-secret"), "{out}");
    assert!(out.contains("${REMOTE_TOKEN}"), "{out}");
    assert!(out.contains("<redacted>"), "{out}");
    home.cmd()
        .args(["config", "get", "channels.telegram.allowFrom[0]"])
        .assert()
        .success()
        .stdout("42\n");
    home.cmd()
        .args(["config", "get", "gateway.nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no value at `gateway.nope`"));
}

#[test]
fn openclaw_flag_uses_openclaw_locations() {
    let home = Home::new();
    let oc = home.dir.path().join(".openclaw");
    std::fs::create_dir(&oc).expect("mkdir");
    std::fs::write(oc.join("openclaw.json"), "{ gateway: { port: 19999 } }").expect("write");
    home.cmd()
        .args(["--openclaw", "config", "get", "gateway.port"])
        .assert()
        .success()
        .stdout("19999\n");
    home.cmd()
        .env("OPENCLAW_CONFIG_PATH", oc.join("missing.json"))
        .args(["--openclaw", "config", "validate"])
        .assert()
        .success()
        .stdout(predicate::str::contains("no config file"));
}

#[test]
fn doctor_generates_a_strong_token() {
    let home = Home::new();
    let out = home
        .cmd()
        .args(["doctor", "--generate-gateway-token"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let token = String::from_utf8(out).expect("utf8");
    let token = token.trim();
    assert_eq!(token.len(), 43, "{token}");
    assert!(
        token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    );
}

#[test]
fn usage_errors_exit_2() {
    let home = Home::new();
    home.cmd()
        .args(["security", "audit", "--fail-on", "sometimes"])
        .assert()
        .code(2);
    home.cmd()
        .args(["security", "audit", "--dry-run"])
        .assert()
        .code(2);
}
