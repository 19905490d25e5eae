use serde_json::json;

use super::collect;
use crate::checks::test_assert::{absent, expect};
use crate::finding::Severity;
use crate::test_support::Fixture;

/// A well-configured loopback gateway: token auth, trusted proxies set (so the near-universal
/// `trusted_proxies_missing` does not hide the check under test).
fn good() -> serde_json::Value {
    json!({"gateway": {"auth": {"mode": "token", "token": "0123456789abcdef0123456789abcdef"},
                       "trustedProxies": ["127.0.0.1"]}})
}

fn run(v: serde_json::Value) -> Vec<crate::finding::Finding> {
    Fixture::new(v).run(collect)
}

#[test]
fn good_config_is_clean() {
    assert!(run(good()).is_empty(), "{:?}", run(good()));
}

#[test]
fn tools_invoke_dangerous_allow_warn_then_critical() {
    let f = run(
        json!({"gateway": {"tools": {"allow": [" Sessions_Spawn ", "read"]},
        "auth": {"token": "0123456789abcdef0123456789abcdef"}, "trustedProxies": ["127.0.0.1"]}}),
    );
    let x = expect(
        &f,
        "gateway.tools_invoke_http.dangerous_allow",
        Severity::Warn,
        "gateway.tools.allow",
    );
    assert!(x.detail.contains("sessions_spawn"));
    let f = run(
        json!({"gateway": {"tools": {"allow": ["exec"]}, "tailscale": {"mode": "funnel"},
        "auth": {"token": "0123456789abcdef0123456789abcdef"}}}),
    );
    expect(
        &f,
        "gateway.tools_invoke_http.dangerous_allow",
        Severity::Critical,
        "gateway.tools.allow",
    );
    absent(
        &run(json!({"gateway": {"tools": {"allow": ["read"]}}})),
        "gateway.tools_invoke_http.dangerous_allow",
    );
}

#[test]
fn bind_no_auth() {
    // OpenClaw: token mode with no token is "no shared secret".
    let f = Fixture::new(json!({"gateway": {"bind": "lan"}}))
        .openclaw()
        .run(collect);
    let x = expect(
        &f,
        "gateway.bind_no_auth",
        Severity::Critical,
        "gateway.bind",
    );
    assert!(x.detail.contains("\"lan\""));
    absent(
        &run(json!({"gateway": {"bind": "lan", "auth": {"token": "t"}}})),
        "gateway.bind_no_auth",
    );
    // Env token counts.
    let f = Fixture::new(json!({"gateway": {"bind": "lan"}}))
        .env("HARDCLAW_GATEWAY_TOKEN", "x")
        .run(collect);
    absent(&f, "gateway.bind_no_auth");
    // trusted-proxy is not reported as no-auth.
    absent(
        &run(json!({"gateway": {"bind": "lan", "auth": {"mode": "trusted-proxy"}}})),
        "gateway.bind_no_auth",
    );
}

#[test]
fn env_token_overrides_config() {
    let f = Fixture::new(good())
        .env("HARDCLAW_GATEWAY_TOKEN", "zzz-other-secret")
        .run(collect);
    let x = expect(
        &f,
        "gateway.env_token_overrides_config",
        Severity::Warn,
        "gateway.auth.token",
    );
    assert!(x.title.starts_with("HARDCLAW_GATEWAY_TOKEN"));
    assert!(!x.detail.contains("zzz-other-secret"));
    // Same value, or the config points at the same variable: no conflict.
    let f = Fixture::new(good())
        .env("HARDCLAW_GATEWAY_TOKEN", "0123456789abcdef0123456789abcdef")
        .run(collect);
    absent(&f, "gateway.env_token_overrides_config");
    let f = Fixture::new(json!({"gateway": {"auth": {"token": "${HARDCLAW_GATEWAY_TOKEN}"}}}))
        .env("HARDCLAW_GATEWAY_TOKEN", "x")
        .run(collect);
    absent(&f, "gateway.env_token_overrides_config");
    // Password mode: not applicable.
    let f = Fixture::new(json!({"gateway": {"auth": {"mode": "password", "token": "a"}}}))
        .env("HARDCLAW_GATEWAY_TOKEN", "b")
        .run(collect);
    absent(&f, "gateway.env_token_overrides_config");
}

#[test]
fn web_fetch_proxy_conflict() {
    let f = Fixture::new(good())
        .env("HTTPS_PROXY", "http://proxy:3128")
        .run(collect);
    let x = expect(
        &f,
        "tools.web.fetch.env_proxy_without_use_trusted_env_proxy",
        Severity::Warn,
        "tools.web.fetch.useTrustedEnvProxy",
    );
    assert!(x.title.starts_with("HTTPS_PROXY set"));
    let mut cfg = good();
    cfg["tools"] = json!({"web": {"fetch": {"useTrustedEnvProxy": true}}});
    let f = Fixture::new(cfg)
        .env("HTTPS_PROXY", "http://proxy:3128")
        .run(collect);
    absent(
        &f,
        "tools.web.fetch.env_proxy_without_use_trusted_env_proxy",
    );
    let f = Fixture::new(good())
        .env("HTTPS_PROXY", "http://proxy:3128")
        .env("NO_PROXY", "*")
        .run(collect);
    absent(
        &f,
        "tools.web.fetch.env_proxy_without_use_trusted_env_proxy",
    );
}

#[test]
fn trusted_proxies_missing_and_loopback_no_auth() {
    let f = Fixture::new(json!({})).openclaw().run(collect);
    expect(
        &f,
        "gateway.trusted_proxies_missing",
        Severity::Warn,
        "gateway.trustedProxies",
    );
    expect(
        &f,
        "gateway.loopback_no_auth",
        Severity::Critical,
        "gateway.auth",
    );
    let f = run(json!({"gateway": {"controlUi": {"enabled": false}}}));
    absent(&f, "gateway.trusted_proxies_missing");
    absent(&f, "gateway.loopback_no_auth");
    // Tailscale serve identity counts as auth on loopback.
    let f = run(json!({"gateway": {"tailscale": {"mode": "serve"}}}));
    absent(&f, "gateway.loopback_no_auth");
}

#[test]
fn allowed_origins_required_and_wildcard() {
    let base = json!({"gateway": {"bind": "lan", "auth": {"token": "0123456789abcdef0123456789abcdef",
        "rateLimit": {"maxAttempts": 10}}}});
    expect(
        &run(base.clone()),
        "gateway.control_ui.allowed_origins_required",
        Severity::Critical,
        "gateway.controlUi.allowedOrigins",
    );
    let mut ok = base.clone();
    ok["gateway"]["controlUi"] = json!({"allowedOrigins": ["https://c.example.com"]});
    assert!(run(ok).is_empty());
    let mut wild = base.clone();
    wild["gateway"]["controlUi"] = json!({"allowedOrigins": ["*"]});
    expect(
        &run(wild),
        "gateway.control_ui.allowed_origins_wildcard",
        Severity::Critical,
        "gateway.controlUi.allowedOrigins",
    );
    let mut local = good();
    local["gateway"]["controlUi"] = json!({"allowedOrigins": [" * "]});
    expect(
        &run(local),
        "gateway.control_ui.allowed_origins_wildcard",
        Severity::Warn,
        "gateway.controlUi.allowedOrigins",
    );
}

#[test]
fn host_header_fallback_and_flag() {
    let mut v = good();
    v["gateway"]["controlUi"] = json!({"dangerouslyAllowHostHeaderOriginFallback": true});
    let f = run(v);
    expect(
        &f,
        "gateway.control_ui.host_header_origin_fallback",
        Severity::Warn,
        "gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback",
    );
    let flag = expect(
        &f,
        "config.insecure_or_dangerous_flags",
        Severity::Warn,
        "gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback",
    );
    assert_eq!(
        flag.detail,
        "Detected enabled flag: gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback=true."
    );
    let f = run(json!({"gateway": {"bind": "lan", "auth": {"token": "t"},
        "controlUi": {"dangerouslyAllowHostHeaderOriginFallback": true}}}));
    expect(
        &f,
        "gateway.control_ui.host_header_origin_fallback",
        Severity::Critical,
        "gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback",
    );
    absent(&f, "gateway.control_ui.allowed_origins_required");
}

#[test]
fn real_ip_fallback() {
    let mut v = good();
    v["gateway"]["allowRealIpFallback"] = json!(true);
    expect(
        &run(v),
        "gateway.real_ip_fallback_enabled",
        Severity::Warn,
        "gateway.allowRealIpFallback",
    );
    let f = run(
        json!({"gateway": {"allowRealIpFallback": true, "trustedProxies": ["10.0.0.2"],
        "auth": {"mode": "trusted-proxy", "trustedProxy": {"userHeader": "x-user"}}}}),
    );
    expect(
        &f,
        "gateway.real_ip_fallback_enabled",
        Severity::Critical,
        "gateway.allowRealIpFallback",
    );
    let f = run(
        json!({"gateway": {"allowRealIpFallback": true, "trustedProxies": ["::1/128", "127.0.0.1/32"],
        "auth": {"mode": "trusted-proxy", "trustedProxy": {"userHeader": "x-user"}}}}),
    );
    expect(
        &f,
        "gateway.real_ip_fallback_enabled",
        Severity::Warn,
        "gateway.allowRealIpFallback",
    );
    absent(&run(good()), "gateway.real_ip_fallback_enabled");
}

#[test]
fn mdns_full_mode() {
    let mut v = good();
    v["discovery"] = json!({"mdns": {"mode": "full"}});
    expect(
        &run(v.clone()),
        "discovery.mdns_full_mode",
        Severity::Warn,
        "discovery.mdns.mode",
    );
    v["gateway"]["bind"] = json!("lan");
    expect(
        &run(v),
        "discovery.mdns_full_mode",
        Severity::Critical,
        "discovery.mdns.mode",
    );
    let mut m = good();
    m["discovery"] = json!({"mdns": {"mode": "minimal"}});
    absent(&run(m), "discovery.mdns_full_mode");
}

#[test]
fn tailscale_modes() {
    let mut v = good();
    v["gateway"]["tailscale"] = json!({"mode": "funnel"});
    expect(
        &run(v.clone()),
        "gateway.tailscale_funnel",
        Severity::Critical,
        "gateway.tailscale.mode",
    );
    v["gateway"]["tailscale"] = json!({"mode": "serve"});
    let f = run(v.clone());
    expect(
        &f,
        "gateway.tailscale_serve",
        Severity::Info,
        "gateway.tailscale.mode",
    );
    absent(&f, "gateway.tailscale_funnel");
    v["gateway"]["tailscale"] = json!({"mode": "off"});
    assert!(run(v).is_empty());
}

#[test]
fn control_ui_toggles() {
    let mut v = good();
    v["gateway"]["controlUi"] =
        json!({"allowInsecureAuth": true, "dangerouslyDisableDeviceAuth": true});
    let f = run(v);
    expect(
        &f,
        "gateway.control_ui.insecure_auth",
        Severity::Warn,
        "gateway.controlUi.allowInsecureAuth",
    );
    expect(
        &f,
        "gateway.control_ui.device_auth_disabled",
        Severity::Critical,
        "gateway.controlUi.dangerouslyDisableDeviceAuth",
    );
    let flags: Vec<_> = f
        .iter()
        .filter(|x| x.check_id == "config.insecure_or_dangerous_flags")
        .collect();
    assert_eq!(flags.len(), 2, "one finding per flag");
    let mut off = good();
    off["gateway"]["controlUi"] =
        json!({"allowInsecureAuth": false, "dangerouslyDisableDeviceAuth": false});
    assert!(run(off).is_empty());
}

#[test]
fn mcp_apps() {
    let mut v = good();
    v["mcp"] = json!({"apps": {"enabled": true}});
    expect(
        &run(v.clone()),
        "mcp.apps.enabled",
        Severity::Warn,
        "mcp.apps.enabled",
    );
    v["mcp"] = json!({"apps": {"enabled": false}});
    absent(&run(v), "mcp.apps.enabled");
}

#[test]
fn dangerous_flags_hooks_and_apply_patch() {
    let mut v = good();
    v["hooks"] = json!({"gmail": {"allowUnsafeExternalContent": true},
        "mappings": [{"id": "a"}, {"id": "b", "allowUnsafeExternalContent": true}]});
    v["tools"] = json!({"exec": {"applyPatch": {"workspaceOnly": false}}});
    v["agents"] = json!({"list": [{"id": "main", "tools": {"exec": {"applyPatch": {"workspaceOnly": false}}}}]});
    let f = run(v);
    let paths: Vec<_> = f
        .iter()
        .filter(|x| x.check_id == "config.insecure_or_dangerous_flags")
        .filter_map(|x| x.json_path.as_deref())
        .collect();
    assert_eq!(
        paths,
        [
            "hooks.gmail.allowUnsafeExternalContent",
            "hooks.mappings[1].allowUnsafeExternalContent",
            "tools.exec.applyPatch.workspaceOnly",
            "agents.list[0].tools.exec.applyPatch.workspaceOnly",
        ]
    );
    let mut ok = good();
    ok["tools"] = json!({"exec": {"applyPatch": {"workspaceOnly": true}}});
    absent(&run(ok), "config.insecure_or_dangerous_flags");
}

#[test]
fn token_too_short_reports_length_only() {
    let f = run(
        json!({"gateway": {"auth": {"token": "short-secret"}, "trustedProxies": ["127.0.0.1"]}}),
    );
    let x = expect(
        &f,
        "gateway.token_too_short",
        Severity::Warn,
        "gateway.auth.token",
    );
    assert!(x.detail.contains("12 chars"));
    assert!(!x.detail.contains("short-secret"));
    // Env token is measured too.
    let f = Fixture::new(json!({}))
        .env("HARDCLAW_GATEWAY_TOKEN", "abc")
        .run(collect);
    expect(
        &f,
        "gateway.token_too_short",
        Severity::Warn,
        "gateway.auth.token",
    );
    absent(&run(good()), "gateway.token_too_short");
    // Password mode: token length is irrelevant.
    absent(
        &run(json!({"gateway": {"auth": {"mode": "password", "password": "p", "token": "x"}}})),
        "gateway.token_too_short",
    );
}

#[test]
fn trusted_proxy_family() {
    let f = run(json!({"gateway": {"auth": {"mode": "trusted-proxy",
        "trustedProxy": {"allowLoopback": true}}}}));
    expect(
        &f,
        "gateway.trusted_proxy_auth",
        Severity::Critical,
        "gateway.auth.mode",
    );
    expect(
        &f,
        "gateway.trusted_proxy_no_proxies",
        Severity::Critical,
        "gateway.trustedProxies",
    );
    expect(
        &f,
        "gateway.trusted_proxy_no_user_header",
        Severity::Critical,
        "gateway.auth.trustedProxy.userHeader",
    );
    expect(
        &f,
        "gateway.trusted_proxy_allow_loopback",
        Severity::Warn,
        "gateway.auth.trustedProxy.allowLoopback",
    );
    expect(
        &f,
        "gateway.trusted_proxy_no_allowlist",
        Severity::Warn,
        "gateway.auth.trustedProxy.allowUsers",
    );
    let f = run(
        json!({"gateway": {"trustedProxies": ["10.0.0.2"], "auth": {"mode": "trusted-proxy",
        "trustedProxy": {"userHeader": "x-user", "allowUsers": ["me@example.com"]}}}}),
    );
    // On loopback OpenClaw also reports loopback_no_auth: trusted-proxy is no shared secret.
    let ids = crate::test_support::ids(&f);
    assert_eq!(
        ids,
        ["gateway.loopback_no_auth", "gateway.trusted_proxy_auth"]
    );
}

#[test]
fn auth_no_rate_limit() {
    let f = run(
        json!({"gateway": {"bind": "lan", "auth": {"token": "0123456789abcdef0123456789abcdef"}}}),
    );
    expect(
        &f,
        "gateway.auth_no_rate_limit",
        Severity::Warn,
        "gateway.auth.rateLimit",
    );
    let f = run(
        json!({"gateway": {"bind": "lan", "auth": {"token": "0123456789abcdef0123456789abcdef",
        "rateLimit": {"maxAttempts": 10, "windowMs": 60000, "lockoutMs": 300000}}}}),
    );
    absent(&f, "gateway.auth_no_rate_limit");
    absent(&run(good()), "gateway.auth_no_rate_limit");
}

#[test]
fn hardclaw_default_install_has_an_auto_generated_token() {
    // hardclaw's gateway generates and persists a token at first start, so an empty config on
    // loopback is not "no auth" (OpenClaw's flavour above still reports it).
    let f = run(json!({}));
    absent(&f, "gateway.loopback_no_auth");
    let f = run(json!({"gateway": {"bind": "lan", "auth": {"mode": "none"}}}));
    expect(
        &f,
        "gateway.bind_no_auth",
        Severity::Critical,
        "gateway.bind",
    );
}
