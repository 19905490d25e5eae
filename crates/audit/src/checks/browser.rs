//! Check family `browser`: browser control (reference §1.4).
//!
//! Ids: `browser.control_invalid_config`, `browser.control_no_auth`, `browser.remote_cdp_http`,
//! `browser.remote_cdp_private_host`.
//!
//! Whether browser control is on differs by flavour, deliberately. OpenClaw enables it unless
//! `browser.enabled` is `false` (`DEFAULT_OPENCLAW_BROWSER_ENABLED = true`), so with `--openclaw`
//! the audit treats `browser.enabled !== false` as on, exactly like OpenClaw. hardclaw has no
//! browser tool and never starts browser control on its own, so in hardclaw's flavour it is on
//! only when the config says `browser.enabled: true`; reporting "no auth on browser control" for
//! a surface that does not exist would be noise.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use hardclaw_config::Flavor;
use hardclaw_config::schema::AuthMode;

use super::gateway_auth::resolved_auth;
use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// Whether browser control is on (see the module docs for the flavour rule).
pub(super) fn browser_enabled(ctx: &AuditContext<'_>) -> bool {
    let enabled = ctx.config().browser.as_ref().and_then(|b| b.enabled);
    match ctx.locations.flavor {
        Flavor::OpenClaw => enabled != Some(false),
        Flavor::Hardclaw => enabled == Some(true),
    }
}

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    if !browser_enabled(ctx) {
        return;
    }
    let Some(browser) = ctx.config().browser.as_ref() else {
        // OpenClaw flavour with no browser block: on, with defaults.
        no_auth(ctx, out);
        return;
    };

    // Every CDP endpoint: the legacy top-level URL and each profile's.
    let mut endpoints: Vec<(String, String, &str)> = Vec::new();
    if let Some(url) = browser.cdp_url.as_deref() {
        let name = browser.default_profile.as_deref().unwrap_or("default");
        endpoints.push((name.to_string(), "browser.cdpUrl".to_string(), url));
    }
    for (name, profile) in browser.profiles.iter().flatten() {
        if let Some(url) = profile.cdp_url.as_deref() {
            endpoints.push((name.clone(), format!("browser.profiles.{name}.cdpUrl"), url));
        }
    }

    let mut parsed = Vec::new();
    for (name, path, url) in &endpoints {
        match CdpUrl::parse(url) {
            Ok(u) => parsed.push((name, path, u)),
            Err(why) => {
                out.push(
                    Finding::new(
                        "browser.control_invalid_config",
                        Severity::Warn,
                        "Browser control config looks invalid",
                        format!("{path} is invalid: {why} (value: {}).", redact_url(url)),
                    )
                    .remediation(format!(
                        "Fix {path} (an http(s):// or ws(s):// URL with a host) and re-run \"{} security \
                         audit --deep\".",
                        ctx.locations.cli()
                    ))
                    .at(path.as_str()),
                );
            }
        }
    }
    if parsed.len() != endpoints.len() {
        // OpenClaw stops at the config error: browser control does not start.
        return;
    }

    no_auth(ctx, out);

    let private_allowed = private_network_allowed(ctx);
    for (name, path, url) in parsed {
        if url.is_loopback() {
            continue;
        }
        if url.scheme == "http" || url.scheme == "ws" {
            out.push(
                Finding::new(
                    "browser.remote_cdp_http",
                    Severity::Warn,
                    "Remote CDP uses HTTP",
                    format!(
                        "browser profile \"{name}\" uses http CDP ({}); this is OK only if it's tailnet-only \
                         or behind an encrypted tunnel.",
                        url.redacted
                    ),
                )
                .remediation("Prefer HTTPS/TLS or a tailnet-only endpoint for remote CDP.")
                .at(path.as_str()),
            );
        }
        if url.is_private() && private_allowed {
            out.push(
                Finding::new(
                    "browser.remote_cdp_private_host",
                    Severity::Warn,
                    "Remote CDP targets a private/internal host",
                    format!(
                        "browser profile \"{name}\" points at a private/internal CDP host ({}). This is \
                         expected for LAN/tailnet/WSL-style setups, but treat it as a trusted-network \
                         endpoint.",
                        url.redacted
                    ),
                )
                .remediation(
                    "Prefer a tailnet or tunnel for remote CDP, and keep private-network browser targets \
                     behind browser.ssrfPolicy allowlists.",
                )
                .at(path.as_str()),
            );
        }
    }
}

/// `browser.control_no_auth`: neither a gateway token nor a password (modes `none` and
/// `trusted-proxy` never count: browser control routes check the shared secret).
fn no_auth(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let auth = resolved_auth(ctx);
    let has_secret = !matches!(auth.mode, AuthMode::None | AuthMode::TrustedProxy)
        && (auth.token_configured || auth.password_configured);
    if has_secret {
        return;
    }
    out.push(
        Finding::new(
            "browser.control_no_auth",
            Severity::Critical,
            "Browser control has no auth",
            "Browser control HTTP routes are enabled but no gateway.auth token/password is configured. Any \
             local process (or SSRF to loopback) can call browser control endpoints.",
        )
        .remediation(
            "Set gateway.auth.token (recommended) or gateway.auth.password so browser control HTTP routes \
             require authentication.",
        )
        .at("gateway.auth"),
    );
}

/// Whether `browser.ssrfPolicy` lets the browser reach private networks. OpenClaw releases
/// differed (some were permissive by default); with `--openclaw` an absent setting counts as
/// permissive, in hardclaw only an explicit `true` does (hardclaw's SSRF classifier blocks
/// private ranges by default).
fn private_network_allowed(ctx: &AuditContext<'_>) -> bool {
    let policy = ctx
        .config()
        .browser
        .as_ref()
        .and_then(|b| b.ssrf_policy.as_ref());
    let flag = policy.and_then(|p| {
        p.get("dangerouslyAllowPrivateNetwork")
            .or_else(|| p.get("allowPrivateNetwork"))
            .and_then(serde_json::Value::as_bool)
    });
    match (flag, ctx.locations.flavor) {
        (Some(v), _) => v,
        (None, Flavor::OpenClaw) => true,
        (None, Flavor::Hardclaw) => false,
    }
}

/// The parts of a CDP URL the checks need.
#[derive(Debug)]
struct CdpUrl {
    scheme: String,
    host: String,
    /// The URL with userinfo and query values removed.
    redacted: String,
}

impl CdpUrl {
    fn parse(text: &str) -> Result<CdpUrl, String> {
        let text = text.trim();
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| "not an absolute URL".to_string())?;
        let scheme = scheme.to_ascii_lowercase();
        if !matches!(scheme.as_str(), "http" | "https" | "ws" | "wss") {
            return Err(format!("unsupported scheme `{scheme}:`"));
        }
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host = if let Some(v6) = host_port.strip_prefix('[') {
            let end = v6
                .find(']')
                .ok_or_else(|| "unclosed `[` in host".to_string())?;
            let port = &v6[end + 1..];
            check_port(port.strip_prefix(':').unwrap_or(port))?;
            v6[..end].to_string()
        } else {
            let (h, port) = host_port.split_once(':').unwrap_or((host_port, ""));
            check_port(port)?;
            h.to_string()
        };
        if host.is_empty() {
            return Err("missing host".to_string());
        }
        let path = tail.split(['?', '#']).next().unwrap_or("");
        let query = if tail.contains('?') {
            "?<redacted>"
        } else {
            ""
        };
        Ok(CdpUrl {
            redacted: format!("{scheme}://{host_port}{path}{query}"),
            scheme,
            host: host.to_ascii_lowercase(),
        })
    }

    fn ip(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }

    fn is_loopback(&self) -> bool {
        self.host == "localhost"
            || self.host.ends_with(".localhost")
            || self.ip().is_some_and(|ip| ip.is_loopback())
    }

    /// A private IP, or a host name that only resolves inside a private network.
    fn is_private(&self) -> bool {
        match self.ip() {
            Some(IpAddr::V4(v4)) => is_private_v4(v4),
            Some(IpAddr::V6(v6)) => is_private_v6(v6),
            None => {
                let h = self.host.as_str();
                !h.contains('.')
                    || [".local", ".lan", ".internal", ".home.arpa", ".ts.net"]
                        .iter()
                        .any(|s| h.ends_with(s))
            }
        }
    }
}

fn check_port(port: &str) -> Result<(), String> {
    if port.is_empty() || port.parse::<u16>().is_ok() {
        Ok(())
    } else {
        Err(format!("invalid port `{port}`"))
    }
}

fn is_private_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_private() || ip.is_link_local() || (o[0] == 100 && (64..128).contains(&o[1]))
}

fn is_private_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
}

/// A URL for a message: userinfo and query values removed (they may carry tokens).
fn redact_url(text: &str) -> String {
    let text = text.trim();
    let base = text.split(['?', '#']).next().unwrap_or("");
    let base = match base.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((_, host)) if !host.contains('/') || rest.find('@') < rest.find('/') => {
                format!("{scheme}://{host}")
            }
            _ => base.to_string(),
        },
        None => base.to_string(),
    };
    if text.contains('?') {
        format!("{base}?<redacted>")
    } else {
        base
    }
}

#[cfg(test)]
#[path = "browser_tests.rs"]
mod tests;
