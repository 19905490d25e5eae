use hardclaw_config::Flavor;
use serde_json::json;

use super::collect;
use crate::checks::test_assert::{absent, expect};
use crate::finding::Severity;
use crate::test_support::Fixture;

fn openclaw(v: serde_json::Value) -> Fixture {
    let mut f = Fixture::new(v);
    f.locations.flavor = Flavor::OpenClaw;
    f
}

#[test]
fn hardclaw_flavour_browser_off_unless_enabled() {
    assert!(Fixture::new(json!({})).run(collect).is_empty());
    assert!(
        Fixture::new(json!({"browser": {"headless": true}}))
            .run(collect)
            .is_empty()
    );
    let f = Fixture::new(json!({"browser": {"enabled": true, "cdpUrl": "http://10.0.0.5:9222"}}))
        .run(collect);
    assert!(
        f.iter().all(|x| x.check_id != "browser.control_no_auth"),
        "{f:?}"
    );
    let f =
        Fixture::new(json!({"browser": {"enabled": true}, "gateway": {"auth": {"mode": "none"}}}))
            .run(collect);
    expect(
        &f,
        "browser.control_no_auth",
        Severity::Critical,
        "gateway.auth",
    );
}

#[test]
fn openclaw_flavour_browser_on_by_default() {
    let f = openclaw(json!({})).run(collect);
    expect(
        &f,
        "browser.control_no_auth",
        Severity::Critical,
        "gateway.auth",
    );
    assert!(
        openclaw(json!({"browser": {"enabled": false}}))
            .run(collect)
            .is_empty()
    );
    // A token (config or env) satisfies it; trusted-proxy never does.
    assert!(
        openclaw(json!({}))
            .env("OPENCLAW_GATEWAY_TOKEN", "t")
            .run(collect)
            .is_empty()
    );
    let f = openclaw(json!({"gateway": {"auth": {"mode": "trusted-proxy", "token": "t"}}}))
        .run(collect);
    expect(
        &f,
        "browser.control_no_auth",
        Severity::Critical,
        "gateway.auth",
    );
}

#[test]
fn invalid_cdp_url() {
    let f = Fixture::new(json!({"browser": {"enabled": true, "cdpUrl": "ftp://x:1"},
        "gateway": {"auth": {"token": "t"}}}))
    .run(collect);
    expect(
        &f,
        "browser.control_invalid_config",
        Severity::Warn,
        "browser.cdpUrl",
    );
    let f = Fixture::new(json!({"browser": {"enabled": true,
        "profiles": {"p": {"cdpUrl": "http://host:notaport"}}}, "gateway": {"auth": {"token": "t"}}}))
    .run(collect);
    expect(
        &f,
        "browser.control_invalid_config",
        Severity::Warn,
        "browser.profiles.p.cdpUrl",
    );
    let f = Fixture::new(
        json!({"browser": {"enabled": true, "cdpUrl": "http://127.0.0.1:18800"},
        "gateway": {"auth": {"token": "t"}}}),
    )
    .run(collect);
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn remote_cdp_http_and_private_host() {
    let f = Fixture::new(json!({"browser": {"enabled": true,
        "profiles": {"remote": {"cdpUrl": "http://user:pw@cdp.example.com:9222/json?token=abc"}}},
        "gateway": {"auth": {"token": "t"}}}))
    .run(collect);
    let x = expect(
        &f,
        "browser.remote_cdp_http",
        Severity::Warn,
        "browser.profiles.remote.cdpUrl",
    );
    assert!(
        !x.detail.contains("abc") && !x.detail.contains("pw@"),
        "{}",
        x.detail
    );
    absent(&f, "browser.remote_cdp_private_host");

    let https = Fixture::new(json!({"browser": {"enabled": true,
        "profiles": {"remote": {"cdpUrl": "https://cdp.example.com"}}}, "gateway": {"auth": {"token": "t"}}}))
    .run(collect);
    assert!(https.is_empty());

    // Private host: hardclaw needs an explicit opt-in, OpenClaw flavour counts absence.
    let cfg = json!({"browser": {"enabled": true,
        "profiles": {"lan": {"cdpUrl": "https://192.168.1.20:9222"}}}, "gateway": {"auth": {"token": "t"}}});
    absent(
        &Fixture::new(cfg.clone()).run(collect),
        "browser.remote_cdp_private_host",
    );
    expect(
        &openclaw(cfg).run(collect),
        "browser.remote_cdp_private_host",
        Severity::Warn,
        "browser.profiles.lan.cdpUrl",
    );
    let f = Fixture::new(json!({"browser": {"enabled": true,
        "ssrfPolicy": {"dangerouslyAllowPrivateNetwork": true},
        "profiles": {"lan": {"cdpUrl": "https://10.0.0.5:9222"}}}, "gateway": {"auth": {"token": "t"}}}))
    .run(collect);
    expect(
        &f,
        "browser.remote_cdp_private_host",
        Severity::Warn,
        "browser.profiles.lan.cdpUrl",
    );
}
