//! Hosts as the kernel, curl and browsers see them.
//!
//! Every host goes through the WHATWG URL parser (`url` crate), which applies the inet_aton
//! number forms curl and wget accept (`127.1`, `0x7f.1`, `0177.0.0.1`, `2130706433`),
//! percent-decoding (`evil%2ecom`), IDNA mapping (fullwidth digits, zero-width characters) and
//! lower-casing. Bare hosts (`host`, `host:port`, `user@host`, `[::1]:22`) are wrapped as
//! `http://HOST/` first so both paths normalise identically (`rust-stack.md` Gotcha 4).
//! IPv4 literals written in any form other than plain dotted decimal are flagged as obfuscated.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::Url;

/// A normalised host.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// A DNS name: ASCII (punycode), lower case, without trailing dots.
    Domain(String),
    /// An IPv4 address (canonicalised).
    V4(Ipv4Addr),
    /// An IPv6 address (brackets and zone removed).
    V6(Ipv6Addr),
}

impl Host {
    /// The address, for IP literals.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Host::Domain(_) => None,
            Host::V4(a) => Some(IpAddr::V4(*a)),
            Host::V6(a) => Some(IpAddr::V6(*a)),
        }
    }

    /// The domain name, for DNS names.
    pub fn domain(&self) -> Option<&str> {
        match self {
            Host::Domain(d) => Some(d),
            _ => None,
        }
    }
}

impl fmt::Display for Host {
    /// Domains as they are, IPv4 dotted, IPv6 without brackets (the guide's wording).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => f.write_str(d),
            Host::V4(a) => write!(f, "{a}"),
            Host::V6(a) => write!(f, "{a}"),
        }
    }
}

/// Why a host or URL could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError {
    /// The input (truncated).
    pub input: String,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.message, self.input)
    }
}

fn err(input: &str, message: impl Into<String>) -> HostError {
    let mut shown: String = input.chars().take(200).collect();
    if shown.len() < input.len() {
        shown.push('…');
    }
    HostError {
        input: shown,
        message: message.into(),
    }
}

/// A parsed absolute URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUrl {
    /// The serialised, normalised URL.
    pub href: String,
    /// Lower-case scheme.
    pub scheme: String,
    /// The host.
    pub host: Host,
    /// The port: explicit, or the scheme's default.
    pub port: Option<u16>,
    /// A user name or password is present.
    pub has_credentials: bool,
    /// An IPv4 host was written in a form other than dotted decimal (hex, octal, short,
    /// integer, percent-encoded, fullwidth, ...).
    pub obfuscated_ip: bool,
}

/// A parsed bare host (`host`, `host:port`, `user@host`, `[v6]:port`, `v6%zone`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BareHost {
    /// The host.
    pub host: Host,
    /// The port, when given.
    pub port: Option<u16>,
    /// A user part was present.
    pub has_user: bool,
    /// See [`ParsedUrl::obfuscated_ip`].
    pub obfuscated_ip: bool,
}

fn host_of(url: &Url, input: &str) -> Result<Host, HostError> {
    match url.host() {
        None => Err(err(input, "URL has no host")),
        Some(url::Host::Ipv4(a)) => Ok(Host::V4(a)),
        Some(url::Host::Ipv6(a)) => Ok(Host::V6(a)),
        Some(url::Host::Domain(d)) => normalize_domain(d).ok_or_else(|| err(input, "invalid host")),
    }
}

/// Lower-cases, strips trailing dots, rejects empty labels and characters that no DNS name
/// has; IP-looking results are re-parsed as IPs (non-special schemes leave them as names).
fn normalize_domain(d: &str) -> Option<Host> {
    let d = d.trim_end_matches('.').to_ascii_lowercase();
    if d.is_empty() || d.split('.').any(str::is_empty) {
        return None;
    }
    if !d
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    {
        return None;
    }
    Some(Host::Domain(d))
}

/// Removes what the URL parser removes anyway (ASCII tab / newline) and leading/trailing C0
/// controls and spaces.
fn clean(input: &str) -> String {
    input
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// The host as written in a URL's authority (after userinfo, before port), lower-cased.
fn raw_authority_host(input: &str) -> Option<String> {
    let s = clean(input);
    let colon = s.find(':')?;
    let rest = s[colon + 1..].trim_start_matches(['/', '\\']);
    let end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let hostport = authority.rsplit('@').next().unwrap_or(authority);
    Some(strip_port(hostport).to_lowercase())
}

fn strip_port(hostport: &str) -> &str {
    if hostport.starts_with('[') {
        return hostport.find(']').map_or(hostport, |i| &hostport[..=i]);
    }
    match hostport.rfind(':') {
        Some(i) if hostport[i + 1..].bytes().all(|b| b.is_ascii_digit()) => &hostport[..i],
        _ => hostport,
    }
}

fn is_obfuscated_v4(raw: Option<&str>, a: Ipv4Addr) -> bool {
    match raw {
        None => true,
        Some(raw) => {
            let raw = raw.strip_suffix('.').unwrap_or(raw);
            raw != a.to_string()
        }
    }
}

/// Parses an absolute URL (any scheme with an authority; hosts of non-special schemes such
/// as `ssh://` or `ftp://` are normalised as for `http://`).
pub fn parse_url(input: &str) -> Result<ParsedUrl, HostError> {
    let url = Url::parse(input).map_err(|e| err(input, format!("invalid URL ({e})")))?;
    let scheme = url.scheme().to_string();
    let special = matches!(
        scheme.as_str(),
        "http" | "https" | "ws" | "wss" | "ftp" | "file"
    );
    let (host, obfuscated_ip) = if special {
        let host = host_of(&url, input)?;
        let obfuscated = match host {
            Host::V4(a) => is_obfuscated_v4(raw_authority_host(input).as_deref(), a),
            _ => false,
        };
        (host, obfuscated)
    } else {
        // Non-special schemes keep hosts opaque (`ssh://127.1` is a "domain"); re-parse the
        // authority the way the program behind the scheme (and the kernel) will.
        let raw = url
            .host_str()
            .ok_or_else(|| err(input, "URL has no host"))?;
        let bare = parse_bare_host(&percent_decode(raw))?;
        (bare.host, bare.obfuscated_ip)
    };
    let has_credentials = !url.username().is_empty() || url.password().is_some();
    Ok(ParsedUrl {
        href: url.as_str().to_string(),
        scheme,
        host,
        port: url.port_or_known_default(),
        has_credentials,
        obfuscated_ip,
    })
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

/// Parses a bare host the way curl/ssh/nc would receive it.
pub fn parse_bare_host(input: &str) -> Result<BareHost, HostError> {
    let s = clean(input);
    if s.is_empty() {
        return Err(err(input, "empty host"));
    }
    if s.contains(['/', '?', '#', '\\', ' ']) {
        return Err(err(input, "not a host"));
    }
    let (user, hostport) = match s.rfind('@') {
        Some(i) => (Some(&s[..i]), &s[i + 1..]),
        None => (None, s.as_str()),
    };
    // A bare IPv6 address (two or more colons, no brackets), maybe with a %zone.
    let bracketed;
    let hostport = if !hostport.starts_with('[') && hostport.matches(':').count() >= 2 {
        let addr = hostport.split_once('%').map_or(hostport, |(a, _)| a);
        bracketed = format!("[{addr}]");
        bracketed.as_str()
    } else if let Some((addr, rest)) = hostport
        .strip_prefix('[')
        .and_then(|inner| inner.split_once('%'))
    {
        // `[fe80::1%lo0]:22`: the URL parser rejects zones; drop it.
        let tail = rest.split_once(']').map_or("", |(_, t)| t);
        bracketed = format!("[{addr}]{tail}");
        bracketed.as_str()
    } else {
        hostport
    };
    let url = Url::parse(&format!("http://{hostport}/")).map_err(|e| {
        if looks_like_ip_literal(hostport) {
            err(input, format!("invalid IP literal ({e})"))
        } else {
            err(input, format!("invalid host ({e})"))
        }
    })?;
    let host = host_of(&url, input)?;
    let obfuscated_ip = match host {
        Host::V4(a) => is_obfuscated_v4(Some(&strip_port(hostport).to_lowercase()), a),
        _ => false,
    };
    Ok(BareHost {
        host,
        port: url.port(),
        has_user: user.is_some(),
        obfuscated_ip,
    })
}

/// `openclaw-runtime-security.md` §3.2: 1–4 dot-separated parts that are all decimal digits
/// or `0x…`, or anything with a colon.
pub fn looks_like_ip_literal(s: &str) -> bool {
    let s = s.trim_start_matches('[').trim_end_matches(']');
    let s = s.strip_suffix('.').unwrap_or(s);
    if s.contains(':') {
        return true;
    }
    let parts: Vec<&str> = s.split('.').collect();
    (1..=4).contains(&parts.len())
        && parts.iter().all(|p| {
            let p = p.to_ascii_lowercase();
            p.is_empty()
                || p.bytes().all(|b| b.is_ascii_digit())
                || p.strip_prefix("0x")
                    .is_some_and(|h| h.bytes().all(|b| b.is_ascii_alphanumeric()))
        })
}
