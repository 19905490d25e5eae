//! Browser origin checks (reference §7.3): a WebSocket or API call that carries an `Origin`
//! comes from a browser page, and only pages the operator trusts may drive the gateway.
//!
//! Allowed: no `Origin` (not a browser), an origin listed in `gateway.controlUi.allowedOrigins`
//! (exact, case-insensitive, trailing `/` ignored), or a same-origin loopback page (the origin's
//! host is loopback or `localhost` and its `host[:port]` equals the request's `Host`). This
//! stops DNS-rebinding pages (`http://evil.example` resolving to 127.0.0.1) and every other
//! site the operator happens to have open.

use crate::client_ip::is_local_host_header;

/// Normalises an origin for comparison.
fn normalize(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// Whether a request with these headers may proceed.
pub fn origin_allowed(origin: Option<&str>, host: Option<&str>, allowed: &[String]) -> bool {
    let Some(origin) = origin else { return true };
    let origin_n = normalize(origin);
    if allowed
        .iter()
        .any(|a| a.trim() == "*" || normalize(a) == origin_n)
    {
        return true;
    }
    let Ok(url) = url::Url::parse(&origin_n) else {
        return false;
    };
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    let Some(origin_host) = url.host_str() else {
        return false;
    };
    let authority = match url.port() {
        Some(p) => format!("{origin_host}:{p}"),
        None => origin_host.to_string(),
    };
    let Some(host) = host else { return false };
    is_local_host_header(origin_host)
        && !origin_host.ends_with(".ts.net")
        && host.trim().eq_ignore_ascii_case(&authority)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples() {
        let none: Vec<String> = vec![];
        assert!(origin_allowed(None, Some("127.0.0.1:18789"), &none));
        assert!(origin_allowed(
            Some("http://127.0.0.1:18789"),
            Some("127.0.0.1:18789"),
            &none
        ));
        assert!(origin_allowed(
            Some("http://localhost:18789"),
            Some("localhost:18789"),
            &none
        ));
        assert!(origin_allowed(
            Some("http://[::1]:18789"),
            Some("[::1]:18789"),
            &none
        ));
        // Rebinding: the page's origin is not loopback even if its DNS points there.
        assert!(!origin_allowed(
            Some("http://evil.example:18789"),
            Some("evil.example:18789"),
            &none
        ));
        // Another local port (another local web app) is another origin.
        assert!(!origin_allowed(
            Some("http://127.0.0.1:3000"),
            Some("127.0.0.1:18789"),
            &none
        ));
        assert!(!origin_allowed(
            Some("null"),
            Some("127.0.0.1:18789"),
            &none
        ));
        let allowed = vec!["https://control.example.com/".to_string()];
        assert!(origin_allowed(
            Some("https://Control.example.com"),
            Some("gw.internal"),
            &allowed
        ));
        assert!(!origin_allowed(
            Some("https://other.example.com"),
            Some("gw.internal"),
            &allowed
        ));
    }
}
