//! Network destinations from URLs, `user@host:path`, `host port` pairs and `/dev/tcp/h/p`.

use super::facts::NetDest;

/// A destination from a URL (`https://user@host:8443/x`, `git://h/r`, `ssh://h:22/r`).
pub fn from_url(raw: &str, sends_data: bool) -> Option<NetDest> {
    let (scheme, rest) = raw.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = split_host_port(hostport);
    Some(NetDest {
        raw: raw.to_string(),
        host: (!host.is_empty()).then(|| host.to_string()),
        port: port.or_else(|| default_port(scheme)),
        sends_data,
    })
}

/// A destination from scp/rsync/git syntax `[user@]host:path`; `None` for local paths.
pub fn from_scp_like(raw: &str, sends_data: bool) -> Option<NetDest> {
    if raw.contains("://") {
        return from_url(raw, sends_data);
    }
    if raw.starts_with('/') || raw.starts_with('.') || raw.starts_with('~') {
        return None;
    }
    let (hostpart, _) = raw.split_once(':')?;
    // `C:\x` and `a/b:c` are local.
    if hostpart.is_empty() || hostpart.contains('/') || hostpart.len() == 1 {
        return None;
    }
    let host = hostpart.rsplit_once('@').map_or(hostpart, |(_, h)| h);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Some(NetDest {
        raw: raw.to_string(),
        host: Some(host.to_string()),
        port: None,
        sends_data,
    })
}

/// A destination from an ssh-style `[user@]host`.
pub fn from_user_host(raw: &str, port: Option<u16>, sends_data: bool) -> NetDest {
    let host = raw.rsplit_once('@').map_or(raw, |(_, h)| h);
    NetDest {
        raw: raw.to_string(),
        host: Some(
            host.trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
        ),
        port,
        sends_data,
    }
}

/// `/dev/tcp/host/port` or `/dev/udp/host/port` (bash's network redirections).
pub fn from_dev_tcp(path: &str) -> Option<NetDest> {
    let rest = path
        .strip_prefix("/dev/tcp/")
        .or_else(|| path.strip_prefix("/dev/udp/"))?;
    let (host, port) = rest.split_once('/').unwrap_or((rest, ""));
    Some(NetDest {
        raw: path.to_string(),
        host: Some(host.to_string()),
        port: port.parse().ok(),
        sends_data: true,
    })
}

/// Every `scheme://...` URL in free text (for code of other languages, heuristically).
pub fn urls_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for scheme in ["https://", "http://", "ftp://", "ws://", "wss://"] {
        let mut rest = text;
        while let Some(i) = rest.find(scheme) {
            let tail = &rest[i..];
            let end = tail
                .find(|c: char| c.is_whitespace() || "\"'`,;)}]>".contains(c))
                .unwrap_or(tail.len());
            out.push(tail[..end].to_string());
            rest = &tail[end.max(1)..];
        }
    }
    out
}

fn split_host_port(hostport: &str) -> (&str, Option<u16>) {
    if let Some(rest) = hostport.strip_prefix('[') {
        let (host, after) = rest.split_once(']').unwrap_or((rest, ""));
        return (host, after.strip_prefix(':').and_then(|p| p.parse().ok()));
    }
    match hostport.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h, p.parse().ok()),
        _ => (hostport, None),
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme.to_ascii_lowercase().as_str() {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        "ssh" => Some(22),
        "git" => Some(9418),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let d = from_url("https://u@evil.com:8443/x?y", false);
        assert_eq!(d.as_ref().and_then(|d| d.host.as_deref()), Some("evil.com"));
        assert_eq!(d.and_then(|d| d.port), Some(8443));
        let d = from_url("http://[::1]/admin", false);
        assert_eq!(d.and_then(|d| d.host), Some("::1".to_string()));
        assert!(from_scp_like("./a:b", false).is_none());
        assert_eq!(
            from_scp_like("git@github.com:o/r.git", false).and_then(|d| d.host),
            Some("github.com".to_string())
        );
        assert_eq!(
            from_dev_tcp("/dev/tcp/1.2.3.4/4444").and_then(|d| d.port),
            Some(4444)
        );
        assert_eq!(
            urls_in("x('https://a.b/c'); http://d.e"),
            vec!["https://a.b/c", "http://d.e"]
        );
    }
}
