//! Regression tests for reviewer-found bypasses, each named after the bypass.

use serde_json::json;

use super::ssrf::address_alias;
use super::test_support::*;

fn gh_no_dns() -> super::NetworkGuard {
    guard(Some(json!({
        "allowedDomains": ["github.com", "*.github.com", "*.nip.io", "localtest.me"],
        "resolveDns": false
    })))
}

#[test]
fn bypass_web_fetch_loopback_alias_names() {
    let g = gh_no_dns();
    let dns = FakeDns::new();
    for url in [
        "http://localtest.me/",
        "http://app.localtest.me/",
        "http://127.0.0.1.nip.io/",
        "http://127-0-0-1.nip.io/",
        "http://x.127.0.0.1.sslip.io/",
        "http://10.0.0.1.xip.io/",
        "http://127-0-0-1.github.com/",
        "http://127.0.0.1.github.com/",
        "http://api-169-254-169-254.github.com/",
        "http://localhost.github.com/",
        "http://localhost./",
        "http://LOCALHOST.github.com./",
        "http://lvh.me/",
    ] {
        let d = fetch(&g, url, &dns);
        assert!(d.is_block(), "{url}: {d:?}");
        assert_eq!(d.rule, "blocked-hostname", "{url}: {d:?}");
    }
    for url in [
        "https://github.com/",
        "https://api.github.com/repos",
        "https://raw.github.com/v1-2-3/x",
        "https://codeload.github.com/8.8.8.8/x",
    ] {
        assert_allow(&fetch(&g, url, &dns));
    }
}

#[test]
fn bypass_address_alias_classification() {
    assert_eq!(address_alias("127-0-0-1.example.com"), Some(true));
    assert_eq!(address_alias("foo.nip.io"), Some(true));
    assert_eq!(address_alias("192-168-1-10.example.com"), Some(false));
    assert_eq!(address_alias("8-8-8-8.example.com"), None);
    assert_eq!(address_alias("github.com"), None);
    assert_eq!(address_alias("release-1-2-3.example.com"), None);
}

#[test]
fn bypass_web_fetch_malformed_params() {
    let g = gh_no_dns();
    let dns = FakeDns::new();
    for params in [
        json!({}),
        json!({"URL": "http://127.0.0.1/"}),
        json!({"url": null}),
        json!({"url": ["http://127.0.0.1/"]}),
        json!([]),
    ] {
        let d = run(&g, "web_fetch", params.clone(), None, None, &dns);
        assert!(d.is_block(), "{params}: {d:?}");
        assert_eq!(d.rule, "invalid-input", "{params}");
    }
    let d = run(&g, "browser", json!({"url": 3}), None, None, &dns);
    assert_eq!(d.rule, "invalid-input");
    assert_allow(&run(
        &g,
        "browser",
        json!({"action": "screenshot"}),
        None,
        None,
        &dns,
    ));
}
