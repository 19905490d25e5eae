//! `secrets_literal`: every check id with a literal secret and its benign neighbours
//! (`${VAR}` templates, SecretRefs, empty strings), escalation by file mode, and no secret text in
//! any finding.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use hardclaw_config::{Located, Origin};
use serde_json::{Value, json};

use super::{collect, has_env_ref, is_loopback_url, var_name};
use crate::finding::{Finding, Severity};
use crate::test_support::{Fixture, find, ids};

const SECRET: &str = "s3cr3t-VALUE-0123456789abcdef";

fn run(raw: Value) -> Vec<Finding> {
    let f = Fixture::new(raw).run(collect);
    assert_no_secret(&f);
    f
}

fn assert_no_secret(findings: &[Finding]) {
    let text = serde_json::to_string(findings).expect("json");
    assert!(!text.contains(SECRET), "secret leaked: {text}");
    assert!(
        !text.contains("0123456789abcdef"),
        "secret part leaked: {text}"
    );
}

fn at<'a>(findings: &'a [Finding], path: &str) -> &'a Finding {
    findings
        .iter()
        .find(|f| f.json_path.as_deref() == Some(path))
        .unwrap_or_else(|| panic!("no finding at {path}: {findings:#?}"))
}

/// Every secret-bearing path written three benign ways produces nothing.
#[test]
fn templates_refs_and_empty_values_are_benign() {
    for benign in [
        json!("${SOME_VAR}"),
        json!("Bearer ${SOME_VAR}"),
        json!({"source": "env", "id": "SOME_VAR"}),
        json!({"source": "file", "provider": "vault", "id": "/gw/token"}),
        json!(""),
        json!("   "),
    ] {
        let raw = json!({
            "gateway": {
                "auth": {"token": benign},
                "remote": {"token": benign, "password": benign}
            },
            "models": {"providers": {"openai": {
                "apiKey": benign,
                "headers": {"Authorization": benign, "anthropic-version": "2023-06-01"}
            }}},
            "channels": {"telegram": {
                "botToken": benign,
                "webhookSecret": benign,
                "accounts": {"alt": {"botToken": benign}}
            }},
            "tools": {"web": {"search": {"apiKey": benign}}},
            "hooks": {"gmail": {"pushToken": benign}},
            "env": {"vars": {"OPENAI_API_KEY": benign.as_str().unwrap_or("${X}")}}
        });
        let f = run(raw);
        assert!(f.is_empty(), "benign {benign}: {f:#?}");
    }
}

#[test]
fn gateway_token_literal() {
    let f = run(json!({"gateway": {"auth": {"mode": "token", "token": SECRET}}}));
    assert_eq!(ids(&f), vec!["config.secrets.gateway_token_in_config"]);
    let x = &f[0];
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(x.json_path.as_deref(), Some("gateway.auth.token"));
    assert!(x.detail.contains(&format!("({} characters)", SECRET.len())));
    assert!(
        x.remediation
            .as_deref()
            .unwrap_or("")
            .contains("${HARDCLAW_GATEWAY_TOKEN}")
    );
}

#[test]
fn gateway_remote_credentials_literal() {
    let f = run(
        json!({"gateway": {"remote": {"url": "wss://gw.example", "token": SECRET, "password": SECRET}}}),
    );
    assert_eq!(
        find(&f, "config.secrets.gateway_remote_token_in_config")
            .json_path
            .as_deref(),
        Some("gateway.remote.token")
    );
    let p = find(&f, "config.secrets.gateway_remote_password_in_config");
    assert_eq!(p.json_path.as_deref(), Some("gateway.remote.password"));
    assert_eq!(p.severity, Severity::Warn);
}

#[test]
fn model_api_key_and_credential_headers() {
    let f = run(json!({"models": {"providers": {
        "my-openai": {
            "baseUrl": "https://api.example/v1",
            "apiKey": SECRET,
            "headers": {
                "Authorization": format!("Bearer {SECRET}"),
                "X-Custom": format!("sk-{SECRET}"),
                "X-Org-Token": SECRET,
                "anthropic-version": "2023-06-01",
                "User-Agent": "hardclaw/1"
            }
        }
    }}}));
    assert!(
        f.iter()
            .all(|x| x.check_id == "config.secrets.model_api_key_in_config"
                && x.severity == Severity::Warn)
    );
    let paths: Vec<&str> = f.iter().filter_map(|x| x.json_path.as_deref()).collect();
    assert_eq!(
        paths,
        vec![
            "models.providers.my-openai.apiKey",
            "models.providers.my-openai.headers.Authorization",
            "models.providers.my-openai.headers.X-Custom",
            "models.providers.my-openai.headers.X-Org-Token",
        ]
    );
    assert!(
        at(&f, "models.providers.my-openai.apiKey")
            .remediation
            .as_deref()
            .unwrap_or("")
            .contains("${MY_OPENAI_API_KEY}")
    );
}

#[test]
fn channel_tokens_at_channel_and_account_level() {
    let f = run(json!({"channels": {
        "telegram": {"botToken": SECRET, "accounts": {"work": {"botToken": SECRET}, "ok": {"botToken": "${TG_OK}"}}},
        "slack": {"appToken": SECRET, "userToken": SECRET, "signingSecret": SECRET, "token": SECRET},
        "googlechat": {"serviceAccount": SECRET, "webhookSecret": SECRET},
        "signal": {"account": "+15555550100"}
    }}));
    assert!(
        f.iter()
            .all(|x| x.check_id == "config.secrets.channel_token_in_config"
                && x.severity == Severity::Warn)
    );
    let mut paths: Vec<&str> = f.iter().filter_map(|x| x.json_path.as_deref()).collect();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            "channels.googlechat.serviceAccount",
            "channels.googlechat.webhookSecret",
            "channels.slack.appToken",
            "channels.slack.signingSecret",
            "channels.slack.token",
            "channels.slack.userToken",
            "channels.telegram.accounts.work.botToken",
            "channels.telegram.botToken",
        ]
    );
    assert!(
        at(&f, "channels.telegram.accounts.work.botToken")
            .remediation
            .as_deref()
            .unwrap_or("")
            .contains("${TELEGRAM_WORK_BOT_TOKEN}")
    );
}

#[test]
fn web_keys_global_and_per_agent() {
    let f = run(json!({
        "tools": {"web": {
            "search": {"apiKey": SECRET, "perplexity": {"apiKey": SECRET}},
            "fetch": {"firecrawl": {"apiKey": SECRET}}
        }},
        "agents": {"list": [{"id": "a", "tools": {"web": {"search": {"apiKey": SECRET}}}}]}
    }));
    let s = at(&f, "tools.web.search.apiKey");
    assert_eq!(s.check_id, "config.secrets.web_search_key_in_config");
    assert_eq!(s.severity, Severity::Warn);
    assert_eq!(
        at(&f, "tools.web.search.perplexity.apiKey").check_id,
        "config.secrets.web_search_key_in_config"
    );
    assert_eq!(
        at(&f, "agents.list[0].tools.web.search.apiKey").check_id,
        "config.secrets.web_search_key_in_config"
    );
    assert_eq!(
        at(&f, "tools.web.fetch.firecrawl.apiKey").check_id,
        "config.secrets.web_fetch_key_in_config"
    );
    assert_eq!(f.len(), 4);
}

#[test]
fn gmail_push_token_skill_keys_and_env_block() {
    let f = run(json!({
        "hooks": {"gmail": {"account": "me@example.com", "pushToken": SECRET}},
        "skills": {"entries": {"weather": {"apiKey": SECRET, "env": {"WEATHER_TOKEN": SECRET, "UNITS": "metric"}}}},
        "env": {"GITHUB_TOKEN": SECRET, "EDITOR": "vi", "vars": {"OPENAI_API_KEY": SECRET, "TZ": "UTC"}}
    }));
    assert_eq!(
        at(&f, "hooks.gmail.pushToken").check_id,
        "config.secrets.gmail_push_token_in_config"
    );
    assert_eq!(
        at(&f, "skills.entries.weather.apiKey").check_id,
        "config.secrets.skill_api_key_in_config"
    );
    assert_eq!(
        at(&f, "skills.entries.weather.env.WEATHER_TOKEN").check_id,
        "config.secrets.skill_api_key_in_config"
    );
    let e = at(&f, "env.vars.OPENAI_API_KEY");
    assert_eq!(e.check_id, "config.secrets.env_secret_in_config");
    assert_eq!(e.severity, Severity::Warn);
    assert_eq!(
        at(&f, "env.GITHUB_TOKEN").check_id,
        "config.secrets.env_secret_in_config"
    );
    assert_eq!(f.len(), 5, "{:#?}", ids(&f));
}

fn write_mode(path: &Path, mode: u32) {
    fs::write(path, "{}").expect("write");
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn readable_config_escalates_to_critical() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let raw = json!({"gateway": {"auth": {"token": SECRET}}});
    let mut fx = Fixture::with_state(raw, tmp.path());
    fx.options.include_filesystem = true;
    let cfg = tmp.path().join("hardclaw.json");

    write_mode(&cfg, 0o644);
    let f = fx.run(collect);
    assert_no_secret(&f);
    let x = find(&f, "config.secrets.gateway_token_in_config");
    assert_eq!(x.severity, Severity::Critical);
    assert!(x.detail.contains("every local user"), "{}", x.detail);
    assert!(x.remediation.as_deref().unwrap_or("").contains("chmod 600"));

    fs::set_permissions(&cfg, fs::Permissions::from_mode(0o640)).expect("chmod");
    let f = fx.run(collect);
    assert_eq!(f[0].severity, Severity::Critical);
    assert!(f[0].detail.contains("group"));

    fs::set_permissions(&cfg, fs::Permissions::from_mode(0o600)).expect("chmod");
    assert_eq!(fx.run(collect)[0].severity, Severity::Warn);

    // Without the filesystem checks the mode is not looked at.
    fs::set_permissions(&cfg, fs::Permissions::from_mode(0o644)).expect("chmod");
    fx.options.include_filesystem = false;
    assert_eq!(fx.run(collect)[0].severity, Severity::Warn);
}

#[test]
fn readable_include_holding_the_key_escalates() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let raw = json!({
        "gateway": {"auth": {"token": SECRET}},
        "models": {"providers": {"openai": {"apiKey": SECRET}}}
    });
    let mut fx = Fixture::with_state(raw, tmp.path());
    fx.options.include_filesystem = true;
    write_mode(&tmp.path().join("hardclaw.json"), 0o600);
    let inc = tmp.path().join("models.json5");
    write_mode(&inc, 0o644);
    fx.loaded.includes.push(inc.clone());
    fx.loaded.origins.insert(
        "models.providers.openai.apiKey".to_string(),
        Located {
            origin: Origin {
                file: inc,
                line: 3,
                column: 5,
            },
            local_path: hardclaw_config::JsonPath::parse("models.providers.openai.apiKey"),
        },
    );
    let f = fx.run(collect);
    assert_no_secret(&f);
    assert_eq!(at(&f, "gateway.auth.token").severity, Severity::Warn);
    let m = at(&f, "models.providers.openai.apiKey");
    assert_eq!(m.severity, Severity::Critical);
    assert!(m.detail.contains("models.json5"), "{}", m.detail);
}

#[test]
fn env_ref_detection() {
    assert!(has_env_ref("${A}"));
    assert!(has_env_ref("x-${A_1}-y"));
    assert!(!has_env_ref("$${A}"));
    assert!(!has_env_ref("${lower}"));
    assert!(!has_env_ref("${}"));
    assert!(!has_env_ref("$A"));
    assert!(!has_env_ref("plain"));
    assert!(has_env_ref("$${A}${B}"));
}

#[test]
fn var_names() {
    assert_eq!(var_name(&["openai", "API_KEY"]), "OPENAI_API_KEY");
    assert_eq!(var_name(&["telegram", "botToken"]), "TELEGRAM_BOT_TOKEN");
    assert_eq!(
        var_name(&["my-openai", "X-Org-Token"]),
        "MY_OPENAI_X_ORG_TOKEN"
    );
}

#[test]
fn loopback_provider_keys_are_placeholders() {
    let f = run(json!({"models": {"providers": {
        "ollama": {"baseUrl": "http://127.0.0.1:11434/v1", "apiKey": SECRET},
        "remote": {"baseUrl": "https://localhost.evil.example/v1", "apiKey": SECRET}
    }}}));
    assert_eq!(ids(&f), vec!["config.secrets.model_api_key_in_config"]);
    assert_eq!(
        f[0].json_path.as_deref(),
        Some("models.providers.remote.apiKey")
    );
    assert!(is_loopback_url("http://localhost:1234"));
    assert!(is_loopback_url("http://[::1]:8080/v1"));
    assert!(is_loopback_url("http://user@127.1.2.3/v1"));
    assert!(!is_loopback_url("http://10.0.0.1/v1"));
    assert!(!is_loopback_url("https://api.openai.com/v1"));
}

#[test]
fn bypass_secret_outside_secret_keys_not_reported() {
    let f = run(json!({
        "models": {"providers": {"x": {"baseUrl": format!("https://user:{SECRET}@llm.example.com/v1")}}},
        "agents": {"defaults": {"userTimezone": "ghp_0123456789abcdef0123456789abcdef",
            "workspace": "${GH_TOKEN}"},
            "list": [{"id": "main", "workspace": "xoxb-1234567890-0123456789abcdef"}]},
    }));
    for path in [
        "models.providers.x.baseUrl",
        "agents.defaults.userTimezone",
        "agents.list[0].workspace",
    ] {
        let finding = at(&f, path);
        assert_eq!(finding.check_id, "config.secrets.token_shaped_value");
        assert_eq!(finding.severity, Severity::Warn);
    }
    assert!(f.iter().all(
        |x| x.json_path.as_deref() != Some("plain") && x.json_path.as_deref() != Some("label")
    ));
}
