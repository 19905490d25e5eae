//! Property: every encoding of a blocked IPv4 address is blocked — decimal, hex and octal
//! parts, 1–4 part forms, integers, percent-encoding, fullwidth digits, trailing dot, and the
//! IPv6 embeddings (mapped, SIIT, compatible, NAT64, 6to4, Teredo). And the converse for
//! public addresses in canonical form.

use std::net::Ipv4Addr;
use std::sync::LazyLock;

use proptest::prelude::*;
use serde_json::json;

use super::ip_class::classify_v4;
use super::network_guard::NetworkGuard;
use super::ssrf::{SsrfPolicy, check_url, is_blocked_host};
use super::test_support::*;

/// (base, prefix length) of blocked ranges, metadata addresses as /32.
const BLOCKED: &[([u8; 4], u8)] = &[
    ([0, 0, 0, 0], 8),
    ([10, 0, 0, 0], 8),
    ([100, 64, 0, 0], 10),
    ([127, 0, 0, 0], 8),
    ([169, 254, 0, 0], 16),
    ([172, 16, 0, 0], 12),
    ([192, 0, 0, 0], 24),
    ([192, 0, 2, 0], 24),
    ([192, 88, 99, 0], 24),
    ([192, 168, 0, 0], 16),
    ([198, 18, 0, 0], 15),
    ([198, 51, 100, 0], 24),
    ([203, 0, 113, 0], 24),
    ([224, 0, 0, 0], 4),
    ([240, 0, 0, 0], 4),
    ([169, 254, 169, 254], 32),
    ([100, 100, 100, 200], 32),
];

fn blocked_v4() -> impl Strategy<Value = Ipv4Addr> {
    (0..BLOCKED.len(), any::<u32>()).prop_map(|(i, r)| {
        let (base, len) = BLOCKED[i];
        let host_bits = if len == 32 { 0 } else { r >> len };
        Ipv4Addr::from_bits(u32::from_be_bytes(base) | host_bits)
    })
}

/// One number in a WHATWG-accepted radix: 0 = decimal, 1 = hex, 2 = octal.
fn num(v: u32, radix: u8, upper: bool, zeros: usize) -> String {
    let pad = "0".repeat(zeros);
    match radix {
        0 => v.to_string(),
        1 if upper => format!("0X{pad}{v:X}"),
        1 => format!("0x{pad}{v:x}"),
        _ => format!("0{pad}{v:o}"),
    }
}

/// Encodes `a` as 1–4 parts, each in its own radix.
fn dotted(a: Ipv4Addr, parts: usize, radices: &[u8], upper: bool, zeros: usize) -> String {
    let o = a.octets();
    let bits = a.to_bits();
    let values: Vec<u32> = match parts {
        1 => vec![bits],
        2 => vec![u32::from(o[0]), bits & 0x00ff_ffff],
        3 => vec![u32::from(o[0]), u32::from(o[1]), bits & 0xffff],
        _ => o.iter().map(|&b| u32::from(b)).collect(),
    };
    values
        .iter()
        .zip(radices.iter().cycle())
        .map(|(&v, &r)| num(v, r, upper, zeros))
        .collect::<Vec<_>>()
        .join(".")
}

fn fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(0xff10 + (c as u32 - '0' as u32)).unwrap_or(c),
            '.' => '\u{ff0e}',
            _ => c,
        })
        .collect()
}

fn percent(s: &str, mask: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if c.is_ascii_digit() && mask & (1 << (i % 64)) != 0 {
                format!("%{:02X}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The IPv6 hosts (bracketed) that embed `a`.
fn v6_forms(a: Ipv4Addr) -> Vec<String> {
    let o = a.octets();
    let hi = u16::from_be_bytes([o[0], o[1]]);
    let lo = u16::from_be_bytes([o[2], o[3]]);
    let inv = !a.to_bits();
    vec![
        format!("[::ffff:{a}]"),
        format!("[::ffff:{hi:x}:{lo:x}]"),
        format!("[0:0:0:0:0:ffff:{hi:x}:{lo:x}]"),
        format!("[::ffff:0:{a}]"),
        format!("[::{a}]"),
        format!("[64:ff9b::{a}]"),
        format!("[64:ff9b::{hi:x}:{lo:x}]"),
        format!("[64:ff9b:1::{a}]"),
        format!("[2002:{hi:x}:{lo:x}::1]"),
        format!(
            "[2001:0:4136:e378:8000:63bf:{:x}:{:x}]",
            inv >> 16,
            inv & 0xffff
        ),
    ]
}

static PERMISSIVE: LazyLock<NetworkGuard> = LazyLock::new(|| {
    guard(Some(
        json!({"allowedDomains": ["*"], "blockDirectIp": false}),
    ))
});

#[track_caller]
fn assert_all_block(host: &str) {
    let dns = FakeDns::new();
    let url = format!("http://{host}/");
    assert!(
        check_url(&url, &SsrfPolicy::default(), &dns).is_err(),
        "check_url allowed {url}"
    );
    assert!(
        is_blocked_host(host, &SsrfPolicy::default()),
        "is_blocked_host allowed {host}"
    );
    let g = &*PERMISSIVE;
    assert!(
        fetch(g, &url, &dns).is_block(),
        "network-guard allowed {url}"
    );
    let f = facts(vec![prog(&["nc", host, "80"]).net(
        host,
        Some(host),
        Some(80),
        false,
    )]);
    assert!(
        exec_facts(g, "nc", &f, &dns).is_block(),
        "network-guard exec allowed nc {host}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_ipv4_encoding_of_a_blocked_address_is_blocked(
        a in blocked_v4(),
        parts in 1usize..=4,
        radices in proptest::collection::vec(0u8..3, 4),
        upper in any::<bool>(),
        zeros in 0usize..3,
        trailing_dot in any::<bool>(),
        mask in any::<u64>(),
        style in 0u8..3,
    ) {
        prop_assert!(classify_v4(a).is_some());
        let mut host = dotted(a, parts, &radices, upper, zeros);
        if trailing_dot {
            host.push('.');
        }
        let host = match style {
            0 => host,
            1 => fullwidth(&host),
            _ => percent(&host, mask),
        };
        assert_all_block(&host);
    }

    #[test]
    fn every_ipv6_embedding_of_a_blocked_address_is_blocked(a in blocked_v4()) {
        for host in v6_forms(a) {
            assert_all_block(&host);
        }
    }

    #[test]
    fn public_addresses_in_canonical_form_pass(bits in any::<u32>()) {
        let a = Ipv4Addr::from_bits(bits);
        prop_assume!(classify_v4(a).is_none());
        let dns = FakeDns::new();
        let t = check_url(&format!("http://{a}/"), &SsrfPolicy::default(), &dns);
        prop_assert!(t.is_ok(), "{a}: {t:?}");
        prop_assert!(!is_blocked_host(&a.to_string(), &SsrfPolicy::default()));
        // ... and their non-canonical forms are refused as obfuscation.
        let t = check_url(&format!("http://{}/", a.to_bits()), &SsrfPolicy::default(), &dns);
        prop_assert!(t.is_err());
    }
}
