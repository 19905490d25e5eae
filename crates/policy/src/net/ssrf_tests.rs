//! `openclaw-runtime-security.md` §3.8: every SSRF example, one test per row (named
//! `row_NN_...`), plus pinning and classification details.

use std::net::IpAddr;

use serde_json::json;

use super::host::{Host, parse_bare_host, parse_url};
use super::ip_class::{Embedding, RangeKind, classify};
use super::ssrf::{
    SsrfPolicy, check_redirect, check_url, is_blocked_host, keep_header_cross_origin,
};
use super::test_support::*;

fn strict() -> SsrfPolicy {
    SsrfPolicy::default()
}

/// A raw host as `isBlockedHostnameOrIp` sees it.
#[track_caller]
fn raw_blocked(host: &str, policy: &SsrfPolicy) {
    assert!(is_blocked_host(host, policy), "{host} should be blocked");
}

#[track_caller]
fn raw_allowed(host: &str, policy: &SsrfPolicy) {
    assert!(!is_blocked_host(host, policy), "{host} should be allowed");
}

fn url_for(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("http://[{host}]/")
    } else {
        format!("http://{host}/")
    }
}

#[track_caller]
fn url_blocked(url: &str) -> String {
    match check_url(url, &strict(), &FakeDns::world()) {
        Ok(t) => panic!("{url} should be blocked, got {t:?}"),
        Err(d) => {
            assert!(d.is_block());
            assert_eq!(d.guard, "ssrf");
            d.rule
        }
    }
}

#[test]
fn row_01_hex_short_url_is_loopback() {
    let p = parse_url("http://0x7f.1/").unwrap();
    assert_eq!(p.host, Host::V4("127.0.0.1".parse().unwrap()));
    let d = check_url("http://0x7f.1/", &strict(), &FakeDns::world()).unwrap_err();
    assert_eq!(d.rule, "ssrf-private-address");
    assert!(d.reason.contains("loopback 127.0.0.0/8"), "{d:?}");
}

#[test]
fn row_02_legacy_and_invalid_ipv4_literals_blocked() {
    for h in [
        "0177.0.0.1",
        "0x7f.0.0.1",
        "127.1",
        "2130706433",
        "0x7f000001",
        "017700000001",
        "8.8.2056",
        "0x08080808",
        "08.0.0.1",
        "0x7g.0.0.1",
        "127..0.1",
        "999.1.1.1",
    ] {
        raw_blocked(h, &strict());
        url_blocked(&url_for(h));
    }
    // Public addresses in legacy forms are blocked as obfuscation, not as private.
    assert_eq!(url_blocked("http://8.8.2056/"), "ssrf-obfuscated-ip");
    assert_eq!(url_blocked("http://0x08080808/"), "ssrf-obfuscated-ip");
    assert_eq!(url_blocked("http://2130706433/"), "ssrf-private-address");
}

#[test]
fn row_03_rfc2544_benchmark_range() {
    raw_blocked("198.18.0.1", &strict());
    raw_blocked("198.19.255.254", &strict());
    raw_allowed("198.17.255.255", &strict());
    raw_allowed("198.20.0.1", &strict());
}

#[test]
fn row_04_allow_rfc2544_benchmark_range() {
    let p = SsrfPolicy {
        allow_rfc2544_benchmark_range: true,
        ..SsrfPolicy::default()
    };
    raw_allowed("198.18.0.1", &p);
    raw_blocked("198.51.100.1", &p);
    assert!(check_url("http://198.18.0.1/", &p, &FakeDns::new()).is_ok());
}

#[test]
fn row_05_reserved_and_test_nets_blocked() {
    for h in [
        "192.0.2.1",
        "198.51.100.42",
        "203.0.113.10",
        "192.0.0.8",
        "192.88.99.1",
    ] {
        raw_blocked(h, &strict());
        url_blocked(&url_for(h));
    }
}

#[test]
fn row_06_multicast_reserved_broadcast_blocked() {
    for h in [
        "224.0.0.1",
        "239.255.255.255",
        "240.0.0.1",
        "255.255.255.255",
    ] {
        raw_blocked(h, &strict());
        url_blocked(&url_for(h));
    }
}

#[test]
fn row_07_public_addresses_allowed() {
    for h in ["93.184.216.34", "223.255.255.255", "2606:4700:4700::1111"] {
        raw_allowed(h, &strict());
        let t = check_url(&url_for(h), &strict(), &FakeDns::new()).unwrap();
        assert_eq!(t.addrs, vec![h.parse::<IpAddr>().unwrap()]);
    }
}

#[test]
fn row_08_ipv4_mapped_and_compatible_loopback_blocked() {
    for h in [
        "::ffff:127.0.0.1",
        "0:0:0:0:0:ffff:7f00:1",
        "[0:0:0:0:0:ffff:7f00:1]",
        "::127.0.0.1",
    ] {
        raw_blocked(h, &strict());
        url_blocked(&url_for(h));
    }
    let c = classify("::ffff:7f00:1".parse().unwrap());
    assert_eq!(
        c.embedded,
        Some((Embedding::Mapped, "127.0.0.1".parse().unwrap()))
    );
    assert_eq!(c.kind(), Some(RangeKind::Loopback));
}

#[test]
fn row_09_nat64() {
    for h in [
        "64:ff9b::127.0.0.1",
        "64:ff9b::169.254.169.254",
        "64:ff9b:1::10.0.0.1",
    ] {
        raw_blocked(h, &strict());
        url_blocked(&url_for(h));
    }
    assert_eq!(
        url_blocked("http://[64:ff9b::169.254.169.254]/"),
        "ssrf-cloud-metadata"
    );
    raw_allowed("64:ff9b::8.8.8.8", &strict());
}

#[test]
fn row_10_6to4() {
    for h in ["2002:7f00:0001::", "2002:a9fe:a9fe::", "2002:c612:0001::"] {
        raw_blocked(h, &strict());
        url_blocked(&url_for(h));
    }
    raw_allowed("2002:0808:0808::", &strict());
}

#[test]
fn row_11_teredo_client() {
    let c = classify("2001:0000:0:0:0:0:80ff:fefe".parse().unwrap());
    assert_eq!(
        c.embedded,
        Some((Embedding::Teredo, "127.0.1.1".parse().unwrap()))
    );
    raw_blocked("2001:0000:0:0:0:0:80ff:fefe", &strict());
    raw_allowed("2001:0000:0:0:0:0:f7f7:f7f7", &strict());
    // rust-stack.md §5: a real Teredo address for client 127.0.0.1.
    raw_blocked("2001:0:4136:e378:8000:63bf:80ff:fffe", &strict());
}

#[test]
fn row_12_special_ipv6_blocked() {
    for h in ["::", "::1", "fe80::1%lo0", "fd00::1", "fec0::1", "ff02::1"] {
        raw_blocked(h, &strict());
    }
    for u in [
        "http://[::]/",
        "http://[::1]/",
        "http://[fd00::1]/",
        "http://[fec0::1]/",
        "http://[ff02::1]/",
    ] {
        url_blocked(u);
    }
    // Zone ids are not valid in URLs: blocked as invalid.
    assert_eq!(url_blocked("http://[fe80::1%25lo0]/"), "ssrf-invalid-url");
}

#[test]
fn row_13_documentation_discard_benchmark_orchid_blocked_like_l() {
    // M allows these; L (and hardclaw, per §11 item 5) blocks them.
    for h in ["2001:db8::1", "100::1", "2001:2::1", "2001:20::1"] {
        raw_blocked(h, &strict());
        url_blocked(&url_for(h));
    }
}

#[test]
fn row_14_isatap() {
    raw_blocked("2001:db8:1234::5efe:127.0.0.1", &strict());
    let c = classify("2001:db8:1234::5efe:127.0.0.1".parse().unwrap());
    assert_eq!(c.kind(), Some(RangeKind::Loopback));
    raw_allowed("2001:4860:1234::5efe:8.8.8.8", &strict());
}

#[test]
fn row_15_malformed_ipv6_blocked() {
    for h in ["::::", "2001:db8::gggg"] {
        raw_blocked(h, &strict());
        assert_eq!(url_blocked(&url_for(h)), "ssrf-invalid-url");
    }
}

#[test]
fn row_16_hostnames_that_are_not_ip_literals() {
    for h in [
        "example.com",
        "1password.com",
        "0x.example.com",
        "abc.123.example",
    ] {
        raw_allowed(h, &strict());
        assert!(
            matches!(parse_bare_host(h).unwrap().host, Host::Domain(_)),
            "{h}"
        );
    }
}

#[test]
fn row_17_blocked_hostnames() {
    for h in [
        "localhost.localdomain",
        "metadata.google.internal",
        "api.localhost",
        "svc.local",
        "db.internal",
    ] {
        raw_blocked(h, &strict());
        let rule = url_blocked(&url_for(h));
        assert!(
            rule == "ssrf-blocked-hostname" || rule == "ssrf-cloud-metadata",
            "{h}: {rule}"
        );
    }
    assert_eq!(
        url_blocked("http://metadata.google.internal/"),
        "ssrf-cloud-metadata"
    );
    // *.internal and metadata names stay blocked when private networks are allowed (L).
    let open = SsrfPolicy {
        allow_private_network: true,
        ..SsrfPolicy::default()
    };
    raw_blocked("db.internal", &open);
    raw_blocked("metadata.google.internal", &open);
    raw_blocked("metadata.goog", &open);
    raw_allowed("svc.local", &open);
}

#[test]
fn row_18_allow_ipv6_unique_local_range() {
    let p = SsrfPolicy {
        allow_ipv6_unique_local_range: true,
        ..SsrfPolicy::default()
    };
    raw_allowed("fc00::1", &p);
    raw_blocked("::1", &p);
    // The AWS IMDS IPv6 address is inside fc00::/7 and stays blocked.
    raw_blocked("fd00:ec2::254", &p);
}

#[test]
fn row_19_hostname_allowlist_subdomains_only() {
    let p = SsrfPolicy {
        hostname_allowlist: vec!["*.example.com".into()],
        ..SsrfPolicy::default()
    };
    let dns = FakeDns::new()
        .with("api.example.com", &["93.184.216.34"])
        .with("example.com", &["93.184.216.34"]);
    assert!(check_url("https://api.example.com/", &p, &dns).is_ok());
    let d = check_url("https://example.com/", &p, &dns).unwrap_err();
    assert_eq!(d.rule, "ssrf-hostname-not-allowlisted");
    assert!(d.reason.contains("Blocked hostname (not in allowlist)"));
    // `*` entries are discarded, so they allow nothing.
    let star = SsrfPolicy {
        hostname_allowlist: vec!["*".into()],
        ..SsrfPolicy::default()
    };
    assert!(check_url("https://example.com/", &star, &dns).is_err());
}

#[test]
fn row_20_any_private_answer_blocks() {
    let dns = FakeDns::new().with("mixed.example", &["93.184.216.34", "10.0.0.5"]);
    let d = check_url("https://mixed.example/", &strict(), &dns).unwrap_err();
    assert_eq!(d.rule, "ssrf-resolves-private");
    assert!(
        d.reason
            .contains("resolves to private/internal/special-use IP address"),
        "{d:?}"
    );
    assert!(d.reason.contains("10.0.0.5"));
}

fn chain_start() -> (FakeDns, super::ssrf::PinnedTarget) {
    let dns = FakeDns::new()
        .with("a.example", &["93.184.216.34"])
        .with("b.example", &["93.184.216.35"])
        .with("c.example", &["93.184.216.36"])
        .with("d.example", &["93.184.216.37"])
        .with("e.example", &["93.184.216.38"]);
    let t = check_url("https://a.example/start", &strict(), &dns).unwrap();
    (dns, t)
}

#[test]
fn row_21_fourth_redirect_refused() {
    let (dns, t0) = chain_start();
    let t1 = check_redirect(&t0, "https://b.example/1", &strict(), &dns).unwrap();
    let t2 = check_redirect(&t1, "https://c.example/2", &strict(), &dns).unwrap();
    let t3 = check_redirect(&t2, "https://d.example/3", &strict(), &dns).unwrap();
    assert_eq!(t3.redirects, 3);
    let d = check_redirect(&t3, "https://e.example/4", &strict(), &dns).unwrap_err();
    assert_eq!(d.rule, "ssrf-too-many-redirects");
    assert_eq!(d.reason, "Too many redirects (limit: 3)");
    // Loop detection.
    let d = check_redirect(&t2, "https://a.example/start", &strict(), &dns).unwrap_err();
    assert_eq!(d.rule, "ssrf-redirect-loop");
    // Missing Location.
    assert_eq!(
        check_redirect(&t0, "", &strict(), &dns).unwrap_err().rule,
        "ssrf-redirect-invalid"
    );
}

#[test]
fn row_22_cross_origin_hop_drops_authorization() {
    let (dns, t0) = chain_start();
    assert!(!t0.cross_origin);
    let same = check_redirect(&t0, "/next", &strict(), &dns).unwrap();
    assert!(!same.cross_origin);
    assert_eq!(same.url, "https://a.example/next");
    let t1 = check_redirect(&t0, "https://b.example/x", &strict(), &dns).unwrap();
    assert!(t1.cross_origin);
    assert!(!keep_header_cross_origin("Authorization"));
    assert!(!keep_header_cross_origin("cookie"));
    assert!(keep_header_cross_origin("Accept"));
    assert!(keep_header_cross_origin("user-agent"));
    // Once cross-origin, the chain stays cross-origin (headers never come back).
    let back = check_redirect(&t1, "https://a.example/again", &strict(), &dns).unwrap();
    assert!(back.cross_origin);
}

#[test]
fn row_23_redirect_to_metadata_blocked_at_hop() {
    let (dns, t0) = chain_start();
    let d = check_redirect(&t0, "http://169.254.169.254/", &strict(), &dns).unwrap_err();
    assert_eq!(d.rule, "ssrf-cloud-metadata");
    // Scheme-relative and obfuscated forms too.
    let d = check_redirect(&t0, "//0xa9fea9fe/latest/meta-data/", &strict(), &dns).unwrap_err();
    assert_eq!(d.rule, "ssrf-cloud-metadata");
    let d = check_redirect(&t0, "http://0x08080808/", &strict(), &dns).unwrap_err();
    assert_eq!(d.rule, "ssrf-obfuscated-ip");
}

#[test]
fn row_24_non_http_schemes_refused() {
    let d = check_url("ftp://example.com/", &strict(), &FakeDns::world()).unwrap_err();
    assert_eq!(d.rule, "ssrf-scheme");
    assert!(d.reason.starts_with("Invalid URL: must be http or https"));
    for u in [
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_",
        "dict://x:11211/",
        "javascript:alert(1)",
    ] {
        assert!(check_url(u, &strict(), &FakeDns::world()).is_err(), "{u}");
    }
}

#[test]
fn row_25_browser_is_strict_by_default() {
    // M: a browser without ssrfPolicy may reach private networks. hardclaw: strict.
    let g = guard(None);
    let dns = FakeDns::world();
    for url in [
        "http://192.168.1.1/",
        "http://127.0.0.1:18789/",
        "http://169.254.169.254/",
    ] {
        let d = run(
            &g,
            "browser",
            json!({"action": "navigate", "targetUrl": url}),
            None,
            None,
            &dns,
        );
        assert!(d.is_block(), "{url}: {d:?}");
    }
    let d = run(
        &g,
        "browser",
        json!({"action": "open", "targetUrl": "about:blank"}),
        None,
        None,
        &dns,
    );
    assert_allow(&d);
    let d = run(
        &g,
        "browser",
        json!({"action": "navigate", "targetUrl": "file:///etc/passwd"}),
        None,
        None,
        &dns,
    );
    assert!(d.is_block());
}

// ---- pinning and details beyond the table ----

#[test]
fn pinned_target_is_exactly_the_checked_answers_ipv4_first_deduplicated() {
    let dns = FakeDns::world();
    let t = check_url("https://v4v6.example.com:8443/p?q", &strict(), &dns).unwrap();
    assert_eq!(t.host, "v4v6.example.com");
    assert_eq!(t.port, 8443);
    assert_eq!(
        t.addrs,
        vec![
            "93.184.216.35".parse::<IpAddr>().unwrap(),
            "2606:4700::1".parse().unwrap()
        ]
    );
    assert_eq!(dns.call_count(), 1, "exactly one lookup");
}

#[test]
fn ip_literals_never_reach_the_resolver() {
    let dns = FakeDns::new();
    let t = check_url("http://93.184.216.34/", &strict(), &dns).unwrap();
    assert_eq!(t.port, 80);
    assert_eq!(dns.call_count(), 0);
}

#[test]
fn dns_failures_and_empty_answers_block() {
    let dns = FakeDns::world();
    assert_eq!(
        check_url("https://nx.example/", &strict(), &dns)
            .unwrap_err()
            .rule,
        "ssrf-dns-failed"
    );
    assert_eq!(
        check_url("https://empty.github.com/", &strict(), &dns)
            .unwrap_err()
            .rule,
        "ssrf-dns-failed"
    );
    assert_eq!(
        check_url("https://slow.github.com/", &strict(), &dns)
            .unwrap_err()
            .rule,
        "ssrf-dns-failed"
    );
}

#[test]
fn metadata_blocked_even_when_private_networks_allowed() {
    let open = SsrfPolicy {
        allow_private_network: true,
        allowed_hostnames: vec!["meta.github.com".into()],
        ..SsrfPolicy::default()
    };
    let dns = FakeDns::world();
    for u in [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://100.100.100.200/",
        "http://metadata.google.internal/",
        "http://metadata.goog/",
        "http://[::ffff:169.254.169.254]/",
        "https://meta.github.com/",
        "https://nat64.github.com/",
    ] {
        let d = check_url(u, &open, &dns).unwrap_err();
        assert_eq!(d.rule, "ssrf-cloud-metadata", "{u}");
    }
    // ... while ordinary private addresses are allowed.
    assert!(check_url("http://10.0.0.1/", &open, &dns).is_ok());
    assert!(
        check_url(
            "http://localhost:11434/",
            &open,
            &FakeDns::new().with("localhost", &["127.0.0.1"])
        )
        .is_ok()
    );
}

#[test]
fn allowed_hostnames_skip_private_checks_for_that_name_only() {
    let p = SsrfPolicy {
        allowed_hostnames: vec!["rebind.github.com".into()],
        ..SsrfPolicy::default()
    };
    let dns = FakeDns::world();
    assert!(check_url("https://rebind.github.com/", &p, &dns).is_ok());
    assert!(check_url("https://127.0.0.1.nip.io/", &p, &dns).is_err());
}

#[test]
fn credentials_in_url_flagged() {
    let dns = FakeDns::world();
    let d = check_url("https://user:pw@example.com/", &strict(), &dns).unwrap_err();
    assert_eq!(d.rule, "ssrf-url-credentials");
    let p = SsrfPolicy {
        allow_url_credentials: true,
        ..SsrfPolicy::default()
    };
    let t = check_url("https://user:pw@example.com/", &p, &dns).unwrap();
    assert!(t.had_credentials);
    // The classic confusion: the host is what follows the last `@`.
    let d = check_url("http://example.com@127.0.0.1/", &p, &dns).unwrap_err();
    assert_eq!(d.rule, "ssrf-private-address");
}

#[test]
fn unicode_and_percent_encoded_hosts_normalise() {
    let dns = FakeDns::world();
    assert_eq!(
        url_blocked("http://１２７.０.０.１/"),
        "ssrf-private-address"
    );
    assert_eq!(url_blocked("http://127.0.0.%31/"), "ssrf-private-address");
    assert_eq!(url_blocked("http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ/"), "ssrf-blocked-hostname");
    assert_eq!(url_blocked("http://LOCALHOST./"), "ssrf-blocked-hostname");
    assert_eq!(url_blocked("http://localhost../"), "ssrf-blocked-hostname");
    assert_eq!(url_blocked("http://127.0.0.1./"), "ssrf-private-address");
    let t = check_url("https://ex\u{200b}ample.com/", &strict(), &dns).unwrap();
    assert_eq!(t.host, "example.com");
}
