//! The SSRF check for outbound HTTP(S) made on an agent's behalf (`web_fetch`, browser
//! navigation, media fetches): `openclaw-runtime-security.md` §3.
//!
//! [`check_url`] parses the URL, applies the hostname rules and the IP classification, asks
//! the [`DnsResolver`] once, checks every answer, and returns a [`PinnedTarget`]: the exact
//! addresses that were checked. The caller must connect to one of those addresses and never
//! resolve the name again (DNS pinning: no rebinding window). [`check_redirect`] re-runs
//! everything for each redirect hop.

use std::net::IpAddr;

use crate::guard::{Decision, DnsResolver};
use crate::net::host::{Host, ParsedUrl, parse_url};
use crate::net::ip_class::{IpClass, RangeKind, classify};

/// The guard name on SSRF decisions.
pub const SSRF_GUARD: &str = "ssrf";

/// Default maximum number of redirects followed (`fetch-guard.ts`).
pub const DEFAULT_MAX_REDIRECTS: usize = 3;

/// Host names that are cloud metadata services (blocked under every policy).
pub const METADATA_HOSTNAMES: &[&str] = &[
    "metadata.google.internal",
    "metadata.goog",
    "metadata",
    "metadata.azure.internal",
    "instance-data",
    "instance-data.ec2.internal",
    "metadata.tencentyun.com",
    "metadata.platformequinix.com",
];

/// Names that always mean "this host" or a private network.
const BLOCKED_HOSTNAMES: &[&str] = &[
    "localhost",
    "localhost.localdomain",
    "ip6-localhost",
    "ip6-loopback",
];

/// Suffixes of private names (`.internal` is blocked even when private networks are allowed).
const BLOCKED_SUFFIXES: &[&str] = &[".localhost", ".local", ".localdomain", ".home.arpa"];
const ALWAYS_BLOCKED_SUFFIXES: &[&str] = &[".internal"];

/// Headers kept on a cross-origin redirect (`fetch-guard.ts`); all others are dropped.
pub const CROSS_ORIGIN_SAFE_HEADERS: &[&str] = &[
    "accept",
    "accept-encoding",
    "accept-language",
    "cache-control",
    "content-language",
    "content-type",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-unmodified-since",
    "pragma",
    "range",
    "user-agent",
];

/// Whether `header` may be sent to a different origin after a redirect.
pub fn keep_header_cross_origin(header: &str) -> bool {
    CROSS_ORIGIN_SAFE_HEADERS
        .iter()
        .any(|h| h.eq_ignore_ascii_case(header))
}

/// What the SSRF check allows beyond its strict default (`Default` = strict).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsrfPolicy {
    /// Skip the private-network checks for every host (metadata stays blocked).
    pub allow_private_network: bool,
    /// Exact host names that skip the private-network checks (metadata stays blocked).
    pub allowed_hostnames: Vec<String>,
    /// When non-empty, the host must match one of these (`host` or `*.suffix`; `*.suffix`
    /// matches sub-domains only; `*` and `*.` entries are ignored).
    pub hostname_allowlist: Vec<String>,
    /// Allow 198.18.0.0/15 (fake-IP proxy stacks).
    pub allow_rfc2544_benchmark_range: bool,
    /// Allow fc00::/7.
    pub allow_ipv6_unique_local_range: bool,
    /// Allow `user:pass@` in URLs (the target then reports `had_credentials`).
    pub allow_url_credentials: bool,
    /// Redirect limit.
    pub max_redirects: usize,
}

impl Default for SsrfPolicy {
    fn default() -> Self {
        SsrfPolicy {
            allow_private_network: false,
            allowed_hostnames: Vec::new(),
            hostname_allowlist: Vec::new(),
            allow_rfc2544_benchmark_range: false,
            allow_ipv6_unique_local_range: false,
            allow_url_credentials: false,
            max_redirects: DEFAULT_MAX_REDIRECTS,
        }
    }
}

/// A checked target: connect only to `addrs` (no second DNS lookup).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedTarget {
    /// The normalised URL to request (send `Host:` from it).
    pub url: String,
    /// `http` or `https`.
    pub scheme: String,
    /// Normalised host (domain, dotted IPv4 or IPv6 without brackets).
    pub host: String,
    /// Port (explicit or the scheme default).
    pub port: u16,
    /// The checked addresses, de-duplicated, IPv4 first.
    pub addrs: Vec<IpAddr>,
    /// The URL carried credentials (allowed by policy): log it.
    pub had_credentials: bool,
    /// Redirects followed to get here.
    pub redirects: usize,
    /// Every URL of the chain so far, this one last.
    pub chain: Vec<String>,
    /// This hop changed origin (scheme, host or port): drop every header but
    /// [`CROSS_ORIGIN_SAFE_HEADERS`].
    pub cross_origin: bool,
}

fn block(rule: &str, reason: impl Into<String>) -> Decision {
    Decision::block(SSRF_GUARD, rule, reason)
}

/// Whether a name is a cloud metadata host.
pub fn is_metadata_hostname(name: &str) -> bool {
    METADATA_HOSTNAMES.contains(&name)
}

/// The hostname rule a normalised name breaks, if any: `Some(true)` = blocked under every
/// policy, `Some(false)` = blocked unless private networks are allowed.
pub fn blocked_hostname(name: &str) -> Option<bool> {
    if is_metadata_hostname(name) || ALWAYS_BLOCKED_SUFFIXES.iter().any(|s| name.ends_with(s)) {
        return Some(true);
    }
    if let Some(always) = address_alias(name) {
        return Some(always);
    }
    if BLOCKED_HOSTNAMES.contains(&name) || BLOCKED_SUFFIXES.iter().any(|s| name.ends_with(s)) {
        return Some(false);
    }
    None
}

/// Public wildcard-DNS services that answer with the address written in the name (or always
/// with loopback): `127.0.0.1.nip.io`, `localtest.me`, … Blocked under every policy, whatever
/// the allowlist says, since without DNS resolution (`resolveDns: false`) nothing else would
/// see where they lead.
const ADDRESS_ALIAS_DOMAINS: &[&str] = &[
    "nip.io",
    "sslip.io",
    "xip.io",
    "nip.direct",
    "localtest.me",
    "lvh.me",
    "vcap.me",
    "traefik.me",
    "localho.st",
    "lacolhost.com",
    "fuf.me",
];

/// Whether `name` is a known alias of an address rather than a host: a wildcard-DNS service
/// name, a name whose first label is `localhost` (`localhost.example.com` commonly resolves
/// to 127.0.0.1), or a name embedding a special-purpose IPv4 address (`127-0-0-1.example.com`,
/// `10.0.0.1.example.com`). `Some(true)`: blocked under every policy (loopback, metadata,
/// wildcard DNS); `Some(false)`: blocked unless private networks are allowed.
pub fn address_alias(name: &str) -> Option<bool> {
    let name = name.trim_end_matches('.');
    if ADDRESS_ALIAS_DOMAINS
        .iter()
        .any(|d| name == *d || name.ends_with(&format!(".{d}")))
    {
        return Some(true);
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.len() > 1 && labels[0] == "localhost" {
        return Some(true);
    }
    let mut candidates: Vec<[&str; 4]> = Vec::new();
    for w in labels.windows(4) {
        candidates.push([w[0], w[1], w[2], w[3]]);
    }
    for label in &labels {
        let parts: Vec<&str> = label.split('-').collect();
        for w in parts.windows(4) {
            candidates.push([w[0], w[1], w[2], w[3]]);
        }
    }
    let mut verdict: Option<bool> = None;
    for c in candidates {
        let octets: Option<Vec<u8>> = c
            .iter()
            .map(|o| {
                (!o.is_empty() && o.len() <= 3 && o.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| o.parse::<u8>().ok())
                    .flatten()
            })
            .collect();
        let Some(o) = octets else { continue };
        let ip = IpAddr::from([o[0], o[1], o[2], o[3]]);
        let class = classify(ip);
        match class.kind() {
            None => {}
            Some(RangeKind::Loopback | RangeKind::Metadata) => return Some(true),
            Some(_) => verdict = Some(false),
        }
    }
    verdict
}

/// `host` matches an SSRF `hostnameAllowlist` entry (`host`, or `*.suffix` for sub-domains).
pub fn hostname_pattern_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim().trim_end_matches('.').to_ascii_lowercase();
    if pattern == "*" || pattern == "*." || pattern.is_empty() {
        return false;
    }
    match pattern.strip_prefix("*.") {
        Some(suffix) => host.len() > suffix.len() + 1 && host.ends_with(&format!(".{suffix}")),
        None => host == pattern,
    }
}

impl SsrfPolicy {
    /// Whether `class` is refused under this policy (`skip_private`: the host is exempt from
    /// private-network checks).
    pub fn refuses(&self, class: &IpClass, skip_private: bool) -> bool {
        match class.kind() {
            None => false,
            Some(RangeKind::Metadata) => true,
            Some(_) if skip_private || self.allow_private_network => false,
            Some(RangeKind::Benchmark) => !self.allow_rfc2544_benchmark_range,
            Some(RangeKind::UniqueLocal) => !self.allow_ipv6_unique_local_range,
            Some(_) => true,
        }
    }

    fn skips_private(&self, host: &str) -> bool {
        self.allow_private_network
            || self
                .allowed_hostnames
                .iter()
                .any(|h| h.trim().trim_end_matches('.').eq_ignore_ascii_case(host))
    }
}

fn ip_block(host: &str, class: &IpClass, resolved_from: Option<&str>) -> Decision {
    let rule = if class.is_metadata() {
        "ssrf-cloud-metadata"
    } else if resolved_from.is_some() {
        "ssrf-resolves-private"
    } else {
        "ssrf-private-address"
    };
    match resolved_from {
        Some(name) => block(
            rule,
            format!(
                "Blocked: resolves to private/internal/special-use IP address ({name} → {}: {class})",
                class.addr
            ),
        ),
        None => block(
            rule,
            format!("Blocked: private/internal/special-use IP address {host} ({class})"),
        ),
    }
}

/// Checks a URL and resolves it once; see the module documentation.
pub fn check_url(
    url: &str,
    policy: &SsrfPolicy,
    dns: &dyn DnsResolver,
) -> Result<PinnedTarget, Decision> {
    let parsed =
        parse_url(url).map_err(|e| block("ssrf-invalid-url", format!("Invalid URL: {e}")))?;
    check_parsed(&parsed, policy, dns)
}

/// [`check_url`] on an already parsed URL.
pub fn check_parsed(
    parsed: &ParsedUrl,
    policy: &SsrfPolicy,
    dns: &dyn DnsResolver,
) -> Result<PinnedTarget, Decision> {
    if parsed.scheme != "http" && parsed.scheme != "https" {
        return Err(block(
            "ssrf-scheme",
            format!(
                "Invalid URL: must be http or https (got {}:)",
                parsed.scheme
            ),
        ));
    }
    if parsed.has_credentials && !policy.allow_url_credentials {
        return Err(block(
            "ssrf-url-credentials",
            "Blocked: credentials (user:password@) in URL",
        ));
    }
    let host = parsed.host.to_string();
    let port = parsed
        .port
        .unwrap_or(if parsed.scheme == "https" { 443 } else { 80 });
    let skip_private = policy.skips_private(&host);
    if !policy.hostname_allowlist.is_empty()
        && !policy
            .hostname_allowlist
            .iter()
            .any(|p| hostname_pattern_matches(p, &host))
    {
        return Err(block(
            "ssrf-hostname-not-allowlisted",
            format!("Blocked hostname (not in allowlist): {host}"),
        ));
    }
    let addrs = match &parsed.host {
        Host::Domain(name) => {
            match blocked_hostname(name) {
                Some(true) if is_metadata_hostname(name) => {
                    return Err(block(
                        "ssrf-cloud-metadata",
                        format!("Blocked hostname: {name} (cloud metadata service)"),
                    ));
                }
                Some(true) => {
                    return Err(block(
                        "ssrf-blocked-hostname",
                        format!("Blocked hostname: {name}"),
                    ));
                }
                Some(false) if !skip_private => {
                    return Err(block(
                        "ssrf-blocked-hostname",
                        format!("Blocked hostname: {name}"),
                    ));
                }
                _ => {}
            }
            resolve_checked(name, policy, skip_private, dns)?
        }
        Host::V4(_) | Host::V6(_) => {
            let ip = parsed
                .host
                .ip()
                .ok_or_else(|| block("ssrf-invalid-url", "Invalid URL"))?;
            let class = classify(ip);
            if policy.refuses(&class, skip_private) {
                return Err(ip_block(&host, &class, None));
            }
            if parsed.obfuscated_ip {
                return Err(block(
                    "ssrf-obfuscated-ip",
                    format!("Blocked: IP address written in a non-canonical form (means {host})"),
                ));
            }
            vec![ip]
        }
    };
    Ok(PinnedTarget {
        url: parsed.href.clone(),
        scheme: parsed.scheme.clone(),
        host,
        port,
        addrs,
        had_credentials: parsed.has_credentials,
        redirects: 0,
        chain: vec![parsed.href.clone()],
        cross_origin: false,
    })
}

/// Resolves `name` once and checks every answer; returns them de-duplicated, IPv4 first.
pub fn resolve_checked(
    name: &str,
    policy: &SsrfPolicy,
    skip_private: bool,
    dns: &dyn DnsResolver,
) -> Result<Vec<IpAddr>, Decision> {
    let answers = dns.resolve(name).map_err(|e| {
        block(
            "ssrf-dns-failed",
            format!("Unable to resolve hostname: {name} ({e})"),
        )
    })?;
    if answers.is_empty() {
        return Err(block(
            "ssrf-dns-failed",
            format!("Unable to resolve hostname: {name} (no addresses)"),
        ));
    }
    for ip in &answers {
        let class = classify(*ip);
        if policy.refuses(&class, skip_private) {
            return Err(ip_block(name, &class, Some(name)));
        }
    }
    let mut addrs: Vec<IpAddr> = Vec::with_capacity(answers.len());
    for ip in answers
        .iter()
        .filter(|a| a.is_ipv4())
        .chain(answers.iter().filter(|a| a.is_ipv6()))
    {
        if !addrs.contains(ip) {
            addrs.push(*ip);
        }
    }
    Ok(addrs)
}

fn origin(t: &PinnedTarget) -> (&str, &str, u16) {
    (&t.scheme, &t.host, t.port)
}

/// Checks one redirect hop: resolves `location` against the previous URL, enforces the
/// redirect limit and loop detection, and re-runs every check (hostname, IP, DNS, pinning).
pub fn check_redirect(
    previous: &PinnedTarget,
    location: &str,
    policy: &SsrfPolicy,
    dns: &dyn DnsResolver,
) -> Result<PinnedTarget, Decision> {
    let location = location.trim();
    if location.is_empty() {
        return Err(block(
            "ssrf-redirect-invalid",
            "Redirect without a Location header",
        ));
    }
    let redirects = previous.redirects + 1;
    if redirects > policy.max_redirects {
        return Err(block(
            "ssrf-too-many-redirects",
            format!("Too many redirects (limit: {})", policy.max_redirects),
        ));
    }
    let base = url::Url::parse(&previous.url)
        .map_err(|e| block("ssrf-redirect-invalid", format!("Invalid URL: {e}")))?;
    // Absolute and scheme-relative locations are checked as written (so non-canonical IP
    // forms are still seen); path-relative ones stay on the same host.
    let candidate = if location.starts_with("//") || location.starts_with("\\\\") {
        format!("{}:{location}", base.scheme())
    } else if url::Url::parse(location).is_ok() {
        location.to_string()
    } else {
        base.join(location)
            .map_err(|e| {
                block(
                    "ssrf-redirect-invalid",
                    format!("Invalid redirect URL: {e}"),
                )
            })?
            .to_string()
    };
    let mut target = check_url(&candidate, policy, dns)?;
    if previous.chain.contains(&target.url) {
        return Err(block(
            "ssrf-redirect-loop",
            format!("Redirect loop detected: {}", target.url),
        ));
    }
    target.redirects = redirects;
    target.cross_origin = previous.cross_origin || origin(previous) != origin(&target);
    let mut chain = previous.chain.clone();
    chain.push(target.url.clone());
    target.chain = chain;
    target.had_credentials |= previous.had_credentials;
    Ok(target)
}

/// `isBlockedHostnameOrIp` for a raw host as written (config values, DNS answers as text,
/// CDP URLs, shell arguments), without DNS: unparseable and non-canonical IP literals,
/// blocked names and refused addresses are all blocked.
pub fn is_blocked_host(raw: &str, policy: &SsrfPolicy) -> bool {
    let Ok(bare) = crate::net::host::parse_bare_host(raw) else {
        return true;
    };
    match &bare.host {
        Host::Domain(name) => {
            let skip = policy.skips_private(name);
            match blocked_hostname(name) {
                Some(always) => always || !skip,
                None => false,
            }
        }
        Host::V4(_) | Host::V6(_) => {
            let text = bare.host.to_string();
            let skip = policy.skips_private(&text);
            bare.host
                .ip()
                .is_none_or(|ip| policy.refuses(&classify(ip), skip))
                || bare.obfuscated_ip
        }
    }
}
