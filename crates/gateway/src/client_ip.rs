//! Who is on the other end (reference `openclaw-runtime-security.md` §7.7).
//!
//! Client IP = the socket peer unless the peer is listed in `gateway.trustedProxies`; only then
//! is `X-Forwarded-For` walked from the **right**, skipping trusted proxies, and the first
//! untrusted hop wins; if there is none, `X-Real-IP` only when `gateway.allowRealIpFallback`;
//! else the client is unknown (and treated as the peer for rate limiting — never as loopback).
//! Forwarding headers from any other peer are ignored, whatever they say.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

use crate::rate_limit::canonical_ip;

/// `gateway.trustedProxies`, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses IPs and CIDRs; an entry that is neither is an error naming it.
    pub fn parse(entries: &[String]) -> Result<TrustedProxies, String> {
        let mut nets = Vec::with_capacity(entries.len());
        for raw in entries {
            let s = raw.trim();
            let net = match s.parse::<IpNet>() {
                Ok(n) => n,
                Err(_) => match parse_ip_strict(s) {
                    Some(ip) => IpNet::from(ip),
                    None => return Err(format!("`{s}` is not an IP address or CIDR")),
                },
            };
            nets.push(net);
        }
        Ok(TrustedProxies(nets))
    }

    /// Whether `ip` is a trusted proxy.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical_ip(ip);
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// Whether any entry covers a loopback address.
    pub fn has_loopback(&self) -> bool {
        self.0.iter().any(|n| {
            n.contains(&IpAddr::from([127, 0, 0, 1]))
                || n.contains(&IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]))
        })
    }

    /// True when no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Parses one address strictly: bare IPs, `[v6]`, `[v6]:port`, `v4:port`. Mapped v6 → v4.
pub fn parse_ip_strict(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    let ip = if let Ok(ip) = s.parse::<IpAddr>() {
        ip
    } else if let Some(rest) = s.strip_prefix('[') {
        let (inner, _) = rest.split_once(']')?;
        inner.parse::<IpAddr>().ok()?
    } else if let Ok(sa) = s.parse::<std::net::SocketAddr>() {
        sa.ip()
    } else {
        return None;
    };
    Some(canonical_ip(ip))
}

/// The resolved client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp {
    /// The socket peer.
    pub peer: IpAddr,
    /// The client, when it can be known.
    pub client: Option<IpAddr>,
    /// The peer is a trusted proxy.
    pub via_trusted_proxy: bool,
}

impl ClientIp {
    /// The address to key rate limits on: the client, else the peer.
    pub fn key(&self) -> IpAddr {
        self.client.unwrap_or(self.peer)
    }
}

/// Resolves the client of one request.
pub fn resolve(
    peer: IpAddr,
    headers: &HeaderMap,
    trusted: &TrustedProxies,
    allow_real_ip_fallback: bool,
) -> ClientIp {
    let peer = canonical_ip(peer);
    if !trusted.contains(peer) {
        return ClientIp {
            peer,
            client: Some(peer),
            via_trusted_proxy: false,
        };
    }
    let mut hops: Vec<&str> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        match value.to_str() {
            Ok(v) => hops.extend(v.split(',')),
            // An unreadable header makes the chain untrustworthy: the client is unknown.
            Err(_) => {
                return ClientIp {
                    peer,
                    client: None,
                    via_trusted_proxy: true,
                };
            }
        }
    }
    let mut client = None;
    for hop in hops.iter().rev() {
        match parse_ip_strict(hop) {
            Some(ip) if trusted.contains(ip) => continue,
            Some(ip) => {
                client = Some(ip);
                break;
            }
            // Garbage in the chain: stop, the rest cannot be trusted.
            None => break,
        }
    }
    if client.is_none() && hops.is_empty() && allow_real_ip_fallback {
        client = headers
            .get("x-real-ip")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_ip_strict);
    }
    ClientIp {
        peer,
        client,
        via_trusted_proxy: true,
    }
}

/// Host is `localhost`, a loopback IP, or `*.ts.net` (port ignored).
pub fn is_local_host_header(host: &str) -> bool {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split_once(']').map_or(rest, |(h, _)| h)
    } else {
        host.rsplit_once(':')
            .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
            .map_or(host, |(h, _)| h)
    };
    let name = name.to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".ts.net")
        || name
            .parse::<IpAddr>()
            .is_ok_and(|ip| canonical_ip(ip).is_loopback())
}

/// "Local direct request": loopback client, local Host, and no forwarding headers unless the
/// peer is a trusted proxy.
pub fn is_local_direct(ip: &ClientIp, headers: &HeaderMap) -> bool {
    let loopback = ip.client.is_some_and(|c| c.is_loopback());
    let host_local = headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_local_host_header);
    let forwarded = ["x-forwarded-for", "x-real-ip", "x-forwarded-host"]
        .iter()
        .any(|h| headers.contains_key(*h));
    loopback && host_local && (!forwarded || ip.via_trusted_proxy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    // Reference §7.9 #12.
    #[test]
    fn trusted_peer_walks_xff_from_the_right() {
        let t = TrustedProxies::parse(&["10.0.0.1".into()]).unwrap();
        let r = resolve(
            ip("10.0.0.1"),
            &headers(&[("x-forwarded-for", "1.2.3.4, 10.0.0.1")]),
            &t,
            false,
        );
        assert_eq!(r.client, Some(ip("1.2.3.4")));
    }

    // Reference §7.9 #13.
    #[test]
    fn untrusted_peer_headers_are_ignored() {
        let t = TrustedProxies::parse(&["10.0.0.1".into()]).unwrap();
        let r = resolve(
            ip("5.6.7.8"),
            &headers(&[("x-forwarded-for", "127.0.0.1")]),
            &t,
            false,
        );
        assert_eq!(r.client, Some(ip("5.6.7.8")));
        assert!(!r.via_trusted_proxy);
        // No proxies configured: a loopback peer's XFF is ignored too.
        let r = resolve(
            ip("127.0.0.1"),
            &headers(&[("x-forwarded-for", "203.0.113.9")]),
            &TrustedProxies::default(),
            false,
        );
        assert_eq!(r.client, Some(ip("127.0.0.1")));
    }

    #[test]
    fn spoofed_left_entries_do_not_win() {
        let t = TrustedProxies::parse(&["10.0.0.0/8".into()]).unwrap();
        let r = resolve(
            ip("10.0.0.2"),
            &headers(&[("x-forwarded-for", "127.0.0.1, 198.51.100.4, 10.0.0.3")]),
            &t,
            false,
        );
        assert_eq!(r.client, Some(ip("198.51.100.4")));
    }

    #[test]
    fn real_ip_only_with_fallback_and_ports_stripped() {
        let t = TrustedProxies::parse(&["127.0.0.1".into()]).unwrap();
        let h = headers(&[("x-real-ip", "198.51.100.4")]);
        assert_eq!(resolve(ip("127.0.0.1"), &h, &t, false).client, None);
        assert_eq!(
            resolve(ip("127.0.0.1"), &h, &t, true).client,
            Some(ip("198.51.100.4"))
        );
        let h = headers(&[("x-forwarded-for", "[2001:db8::1]:443")]);
        assert_eq!(
            resolve(ip("::ffff:127.0.0.1"), &h, &t, false).client,
            Some(ip("2001:db8::1"))
        );
    }

    #[test]
    fn bad_entries_are_rejected() {
        assert!(TrustedProxies::parse(&["nope".into()]).is_err());
        assert!(
            TrustedProxies::parse(&["10.0.0.0/8".into(), "::1".into()])
                .unwrap()
                .has_loopback()
        );
    }

    #[test]
    fn local_direct_needs_local_host_and_no_forwarding() {
        let t = TrustedProxies::default();
        let h = headers(&[("host", "127.0.0.1:18789")]);
        let r = resolve(ip("127.0.0.1"), &h, &t, false);
        assert!(is_local_direct(&r, &h));
        let h = headers(&[("host", "evil.example")]);
        assert!(!is_local_direct(&r, &h));
        let h = headers(&[("host", "localhost"), ("x-forwarded-for", "1.2.3.4")]);
        assert!(!is_local_direct(&r, &h));
        assert!(is_local_host_header("[::1]:80"));
    }
}
