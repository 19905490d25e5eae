//! Check family `gateway`: network exposure and auth of the gateway (reference §1.2,
//! OpenClaw's `collectGatewayConfigFindings`), in OpenClaw's order.
//!
//! Ids: `gateway.tools_invoke_http.dangerous_allow`, `gateway.bind_no_auth`,
//! `gateway.env_token_overrides_config`, `tools.web.fetch.env_proxy_without_use_trusted_env_proxy`,
//! `gateway.trusted_proxies_missing`, `gateway.loopback_no_auth`,
//! `gateway.control_ui.allowed_origins_required`, `gateway.control_ui.allowed_origins_wildcard`,
//! `gateway.control_ui.host_header_origin_fallback`, `gateway.real_ip_fallback_enabled`,
//! `discovery.mdns_full_mode`, `gateway.tailscale_funnel`, `gateway.tailscale_serve`,
//! `gateway.control_ui.insecure_auth`, `gateway.control_ui.device_auth_disabled`,
//! `mcp.apps.enabled`, `config.insecure_or_dangerous_flags` (E3 form: one finding per flag),
//! `gateway.token_too_short`, `gateway.trusted_proxy_auth`, `gateway.trusted_proxy_no_proxies`,
//! `gateway.trusted_proxy_no_user_header`, `gateway.trusted_proxy_allow_loopback`,
//! `gateway.trusted_proxy_no_allowlist`, `gateway.auth_no_rate_limit`.

use std::net::IpAddr;

use hardclaw_config::schema::{AuthMode, MdnsMode, SecretInput, SecretSource, TailscaleMode};

use super::gateway_auth::{
    bind, bind_is_loopback, bind_label, resolved_auth, substitute_env, tailscale_mode,
};
use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// Tools `POST /tools/invoke` denies by default (`DEFAULT_GATEWAY_HTTP_TOOL_DENY`): the union
/// over OpenClaw releases, so re-enabling any name ever on the list is reported.
const DEFAULT_GATEWAY_HTTP_TOOL_DENY: &[&str] = &[
    "exec",
    "spawn",
    "shell",
    "fs_write",
    "fs_delete",
    "fs_move",
    "apply_patch",
    "terminal",
    "portal",
    "sessions_spawn",
    "sessions_send",
    "conversations_list",
    "conversations_send",
    "conversations_turn",
    "cron",
    "automations",
    "gateway",
    "plugins",
    "nodes",
    "computer",
    "mobile_ui",
    "openclaw",
    "whatsapp_login",
];

/// Proxy variables `web_fetch` would consider (`HTTP(S)_PROXY`, both cases).
const PROXY_ENV_VARS: &[&str] = &["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"];

/// Minimum gateway token length before `gateway.token_too_short`.
const MIN_TOKEN_LEN: usize = 24;

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let cfg = ctx.config();
    let gateway = cfg.gateway.as_ref();
    let bind = bind(ctx);
    let loopback = bind_is_loopback(ctx);
    let tailscale = tailscale_mode(ctx);
    let auth = resolved_auth(ctx);
    let control_ui = gateway.and_then(|g| g.control_ui.as_ref());
    let control_ui_enabled = control_ui.and_then(|c| c.enabled) != Some(false);
    let allowed_origins: Vec<&str> = control_ui
        .and_then(|c| c.allowed_origins.as_deref())
        .unwrap_or(&[])
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .collect();
    let host_header_fallback =
        control_ui.and_then(|c| c.dangerously_allow_host_header_origin_fallback) == Some(true);
    let trusted_proxies: &[String] = gateway
        .and_then(|g| g.trusted_proxies.as_deref())
        .unwrap_or(&[]);
    let has_tailscale_auth = auth.allow_tailscale && tailscale == TailscaleMode::Serve;
    let has_gateway_auth = auth.has_shared_secret || has_tailscale_auth;
    let exposed_sev = if loopback {
        Severity::Warn
    } else {
        Severity::Critical
    };

    // /tools/invoke re-enabling dangerous tools.
    let allow = gateway
        .and_then(|g| g.tools.as_ref())
        .and_then(|t| t.allow.as_deref())
        .unwrap_or(&[]);
    let allow: Vec<String> = allow.iter().map(|t| t.trim().to_lowercase()).collect();
    let reenabled: Vec<&str> = DEFAULT_GATEWAY_HTTP_TOOL_DENY
        .iter()
        .copied()
        .filter(|name| allow.iter().any(|a| a == name))
        .collect();
    if !reenabled.is_empty() {
        let extra_risk = !loopback || tailscale == TailscaleMode::Funnel;
        out.push(
            Finding::new(
                "gateway.tools_invoke_http.dangerous_allow",
                if extra_risk { Severity::Critical } else { Severity::Warn },
                "Gateway HTTP /tools/invoke re-enables dangerous tools",
                format!(
                    "gateway.tools.allow includes {} which removes them from the default HTTP deny list. \
                     This can allow remote session spawning / control-plane actions via HTTP and increases \
                     RCE blast radius if the gateway is reachable.",
                    reenabled.join(", ")
                ),
            )
            .remediation(
                "Remove these entries from gateway.tools.allow (recommended). If you keep them enabled, keep \
                 gateway.bind loopback-only (or tailnet-only), restrict network exposure, and treat the gateway \
                 token/password as full-admin.",
            )
            .at("gateway.tools.allow"),
        );
    }

    if !loopback && !auth.has_shared_secret && auth.mode != AuthMode::TrustedProxy {
        out.push(
            Finding::new(
                "gateway.bind_no_auth",
                Severity::Critical,
                "Gateway binds beyond loopback without auth",
                format!(
                    "gateway.bind=\"{}\" but no gateway.auth token/password is configured.",
                    bind_label(bind)
                ),
            )
            .remediation("Set gateway.auth (token recommended) or bind to loopback.")
            .at("gateway.bind"),
        );
    }

    env_token_conflict(ctx, out);
    web_fetch_proxy_conflict(ctx, out);

    if loopback && control_ui_enabled && trusted_proxies.is_empty() {
        out.push(
            Finding::new(
                "gateway.trusted_proxies_missing",
                Severity::Warn,
                "Reverse proxy headers are not trusted",
                "gateway.bind is loopback and gateway.trustedProxies is empty. If you expose the Control UI \
                 through a reverse proxy, configure trusted proxies so local-client checks cannot be spoofed.",
            )
            .remediation(
                "Set gateway.trustedProxies to your proxy IPs or keep the Control UI local-only.",
            )
            .at("gateway.trustedProxies"),
        );
    }

    if loopback && control_ui_enabled && !has_gateway_auth {
        out.push(
            Finding::new(
                "gateway.loopback_no_auth",
                Severity::Critical,
                "Gateway auth missing on loopback",
                "gateway.bind is loopback but no gateway auth secret is configured. If the Control UI is \
                 exposed through a reverse proxy, unauthenticated access is possible.",
            )
            .remediation("Set gateway.auth (token recommended) or keep the Control UI local-only.")
            .at("gateway.auth"),
        );
    }

    if !loopback && control_ui_enabled && allowed_origins.is_empty() && !host_header_fallback {
        out.push(
            Finding::new(
                "gateway.control_ui.allowed_origins_required",
                Severity::Critical,
                "Non-loopback Control UI missing explicit allowed origins",
                "Control UI is enabled on a non-loopback bind but gateway.controlUi.allowedOrigins is empty. \
                 Strict origin policy requires explicit allowed origins for non-loopback deployments.",
            )
            .remediation(
                "Set gateway.controlUi.allowedOrigins to full trusted origins (for example \
                 https://control.example.com). If your deployment intentionally relies on Host-header origin \
                 fallback, set gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback=true.",
            )
            .at("gateway.controlUi.allowedOrigins"),
        );
    }

    if allowed_origins.contains(&"*") {
        out.push(
            Finding::new(
                "gateway.control_ui.allowed_origins_wildcard",
                exposed_sev,
                "Control UI allowed origins contains wildcard",
                "gateway.controlUi.allowedOrigins includes \"*\" which means allow any browser origin for \
                 Control UI/WebChat requests. This disables origin allowlisting and should be treated as an \
                 intentional allow-all policy.",
            )
            .remediation(
                "Replace wildcard origins with explicit trusted origins (for example \
                 https://control.example.com). Do not use \"*\" outside tightly controlled local testing.",
            )
            .at("gateway.controlUi.allowedOrigins"),
        );
    }

    if host_header_fallback {
        out.push(
            Finding::new(
                "gateway.control_ui.host_header_origin_fallback",
                exposed_sev,
                "DANGEROUS: Host-header origin fallback enabled",
                "gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback=true enables Host-header origin \
                 fallback for Control UI/WebChat websocket checks and weakens DNS rebinding protections.",
            )
            .remediation(
                "Disable gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback and configure explicit \
                 gateway.controlUi.allowedOrigins.",
            )
            .at("gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback"),
        );
    }

    if gateway.and_then(|g| g.allow_real_ip_fallback) == Some(true) {
        let non_loopback_proxy = trusted_proxies.iter().any(|p| !is_strict_loopback_proxy(p));
        let exposed = !loopback || (auth.mode == AuthMode::TrustedProxy && non_loopback_proxy);
        out.push(
            Finding::new(
                "gateway.real_ip_fallback_enabled",
                if exposed { Severity::Critical } else { Severity::Warn },
                "X-Real-IP fallback is enabled",
                "gateway.allowRealIpFallback=true trusts X-Real-IP when trusted proxies omit X-Forwarded-For. \
                 Misconfigured proxies that forward client-supplied X-Real-IP can spoof source IP and \
                 local-client checks.",
            )
            .remediation(
                "Keep gateway.allowRealIpFallback=false (default). Only enable this when your trusted proxy \
                 always overwrites X-Real-IP and cannot provide X-Forwarded-For.",
            )
            .at("gateway.allowRealIpFallback"),
        );
    }

    let mdns = cfg
        .discovery
        .as_ref()
        .and_then(|d| d.mdns.as_ref())
        .and_then(|m| m.mode);
    if mdns == Some(MdnsMode::Full) {
        out.push(
            Finding::new(
                "discovery.mdns_full_mode",
                exposed_sev,
                "mDNS full mode can leak host metadata",
                "discovery.mdns.mode=\"full\" publishes cliPath/sshPort in local-network TXT records. This can \
                 reveal usernames, filesystem layout, and management ports.",
            )
            .remediation(
                "Prefer discovery.mdns.mode=\"minimal\" (recommended) or \"off\", especially when \
                 gateway.bind is not loopback.",
            )
            .at("discovery.mdns.mode"),
        );
    }

    match tailscale {
        TailscaleMode::Funnel => out.push(
            Finding::new(
                "gateway.tailscale_funnel",
                Severity::Critical,
                "Tailscale Funnel exposure enabled",
                "gateway.tailscale.mode=\"funnel\" exposes the Gateway publicly; keep auth strict and treat \
                 it as internet-facing.",
            )
            .remediation(
                "Prefer tailscale.mode=\"serve\" (tailnet-only) or set tailscale.mode=\"off\".",
            )
            .at("gateway.tailscale.mode"),
        ),
        TailscaleMode::Serve => out.push(
            Finding::new(
                "gateway.tailscale_serve",
                Severity::Info,
                "Tailscale Serve exposure enabled",
                "gateway.tailscale.mode=\"serve\" exposes the Gateway to your tailnet (loopback behind \
                 Tailscale).",
            )
            .at("gateway.tailscale.mode"),
        ),
        TailscaleMode::Off => {}
    }

    if control_ui.and_then(|c| c.allow_insecure_auth) == Some(true) {
        out.push(
            Finding::new(
                "gateway.control_ui.insecure_auth",
                Severity::Warn,
                "Control UI insecure auth toggle enabled",
                "gateway.controlUi.allowInsecureAuth=true does not bypass secure context or device identity \
                 checks; only dangerouslyDisableDeviceAuth disables Control UI device identity checks.",
            )
            .remediation("Disable it or switch to HTTPS (Tailscale Serve) or localhost.")
            .at("gateway.controlUi.allowInsecureAuth"),
        );
    }

    if control_ui.and_then(|c| c.dangerously_disable_device_auth) == Some(true) {
        out.push(
            Finding::new(
                "gateway.control_ui.device_auth_disabled",
                Severity::Critical,
                "DANGEROUS: Control UI device auth disabled",
                "gateway.controlUi.dangerouslyDisableDeviceAuth=true disables device identity checks for the \
                 Control UI.",
            )
            .remediation("Disable it unless you are in a short-lived break-glass scenario.")
            .at("gateway.controlUi.dangerouslyDisableDeviceAuth"),
        );
    }

    let mcp_apps = cfg
        .mcp
        .as_ref()
        .and_then(|m| m.apps.as_ref())
        .and_then(|a| a.enabled);
    if mcp_apps == Some(true) {
        out.push(
            Finding::new(
                "mcp.apps.enabled",
                Severity::Warn,
                "MCP Apps UI bridge enabled",
                "mcp.apps.enabled=true allows configured MCP servers to provide interactive HTML. Views are \
                 CSP-restricted and origin-isolated, but they can call app-visible tools on their owning MCP \
                 server while the session runtime remains active.",
            )
            .remediation(
                "Keep this enabled only for MCP servers you trust; set `mcp.apps.enabled: false` \
                 when it is not needed.",
            )
            .at("mcp.apps.enabled"),
        );
    }

    for (path, flag) in dangerous_flags(ctx) {
        out.push(
            Finding::new(
                "config.insecure_or_dangerous_flags",
                Severity::Warn,
                "Insecure or dangerous config flag enabled",
                format!("Detected enabled flag: {flag}."),
            )
            .remediation(
                "Disable this flag when not actively debugging, or keep deployment scoped to \
                 trusted/local-only networks.",
            )
            .at(path),
        );
    }

    if auth.mode == AuthMode::Token
        && let Some(token) = &auth.token
        && token.chars().count() < MIN_TOKEN_LEN
    {
        out.push(
            Finding::new(
                "gateway.token_too_short",
                Severity::Warn,
                "Gateway token looks short",
                format!(
                    "gateway auth token is {} chars; prefer a long random token.",
                    token.chars().count()
                ),
            )
            .remediation(format!(
                "Use a random token of at least {MIN_TOKEN_LEN} characters (`{} doctor \
                 --generate-gateway-token`).",
                ctx.locations.cli()
            ))
            .at("gateway.auth.token"),
        );
    }

    if auth.mode == AuthMode::TrustedProxy {
        trusted_proxy_findings(ctx, trusted_proxies, out);
    }

    let rate_limit = gateway
        .and_then(|g| g.auth.as_ref())
        .and_then(|a| a.rate_limit.as_ref());
    if !loopback && auth.mode != AuthMode::TrustedProxy && rate_limit.is_none() {
        out.push(
            Finding::new(
                "gateway.auth_no_rate_limit",
                Severity::Warn,
                "No auth rate limiting configured",
                "gateway.bind is not loopback but no gateway.auth.rateLimit is configured. Without rate \
                 limiting, brute-force auth attacks are not mitigated.",
            )
            .remediation(
                "Set gateway.auth.rateLimit (e.g. { maxAttempts: 10, windowMs: 60000, lockoutMs: 300000 }).",
            )
            .at("gateway.auth.rateLimit"),
        );
    }
}

/// `gateway.env_token_overrides_config` (E3 `resolveGatewayAuthTokenSourceConflict`): the env
/// token is set, differs from the config's token, and the CLI (env first) and the server
/// (config first) would therefore use different secrets.
fn env_token_conflict(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let Some((var, env_token)) = ctx
        .locations
        .gateway_token_vars()
        .iter()
        .find_map(|v| ctx.env_var(v).map(|val| (*v, val.trim())))
    else {
        return;
    };
    let gateway = ctx.config().gateway.as_ref();
    if gateway.and_then(|g| g.mode) == Some(hardclaw_config::schema::GatewayMode::Remote) {
        return;
    }
    let auth = gateway.and_then(|g| g.auth.as_ref());
    if matches!(
        auth.and_then(|a| a.mode),
        Some(AuthMode::Password | AuthMode::None | AuthMode::TrustedProxy)
    ) {
        return;
    }
    let differs = match auth.and_then(|a| a.token.as_ref()) {
        None => return,
        Some(SecretInput::Ref(r)) => !(r.source == SecretSource::Env && r.id == var),
        Some(SecretInput::Plain(s)) => {
            // A `${VAR}` naming the same variable is the same source.
            if s.trim() == format!("${{{var}}}") {
                return;
            }
            let value = substitute_env(ctx, s);
            let value = value.trim();
            if value.is_empty() {
                return;
            }
            value != env_token
        }
    };
    if !differs {
        return;
    }
    out.push(
        Finding::new(
            "gateway.env_token_overrides_config",
            Severity::Warn,
            format!("{var} overrides gateway.auth.token for CLI commands"),
            format!(
                "{var} is set while gateway.auth.token uses a different configured source. CLI commands use \
                 env-first precedence, but the gateway server uses config-first precedence. If the values \
                 differ, CLI commands can fail to authenticate with the running gateway."
            ),
        )
        .remediation(format!(
            "Remove {var} from the shell if gateway.auth.token is intended, or point gateway.auth.token at \
             the same env source (\"${{{var}}}\") if the env var should be canonical."
        ))
        .at("gateway.auth.token"),
    );
}

/// `tools.web.fetch.env_proxy_without_use_trusted_env_proxy`.
fn web_fetch_proxy_conflict(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let present: Vec<&str> = PROXY_ENV_VARS
        .iter()
        .copied()
        .filter(|v| ctx.env_var(v).is_some())
        .collect();
    if present.is_empty() {
        return;
    }
    let no_proxy = ctx.env.get("no_proxy").or_else(|| ctx.env.get("NO_PROXY"));
    if no_proxy.map(String::as_str) == Some("*") {
        return;
    }
    let fetch = ctx
        .config()
        .tools
        .as_ref()
        .and_then(|t| t.web.as_ref())
        .and_then(|w| w.fetch.as_ref());
    if fetch.and_then(|f| f.enabled) == Some(false)
        || fetch.and_then(|f| f.use_trusted_env_proxy) == Some(true)
    {
        return;
    }
    let list = present.join(", ");
    out.push(
        Finding::new(
            "tools.web.fetch.env_proxy_without_use_trusted_env_proxy",
            Severity::Warn,
            format!("{list} set without tools.web.fetch.useTrustedEnvProxy"),
            format!(
                "Detected {list} in the process environment, but tools.web.fetch.useTrustedEnvProxy is not \
                 enabled, so web_fetch will use direct connections and ignore the configured proxy. This can \
                 cause silent timeouts on networks that block direct egress."
            ),
        )
        .remediation(
            "Set tools.web.fetch.useTrustedEnvProxy: true if web_fetch should route through the proxy. Note: \
             this lets the proxy resolve DNS for web_fetch instead of local DNS pinning, so only enable when \
             the proxy enforces outbound policy.",
        )
        .at("tools.web.fetch.useTrustedEnvProxy"),
    );
}

fn trusted_proxy_findings(ctx: &AuditContext<'_>, proxies: &[String], out: &mut Vec<Finding>) {
    let tp = ctx
        .config()
        .gateway
        .as_ref()
        .and_then(|g| g.auth.as_ref())
        .and_then(|a| a.trusted_proxy.as_ref());
    out.push(
        Finding::new(
            "gateway.trusted_proxy_auth",
            Severity::Critical,
            "Trusted-proxy auth mode enabled",
            "gateway.auth.mode=\"trusted-proxy\" delegates authentication to a reverse proxy. Ensure your proxy \
             (Pomerium, Caddy, nginx) handles auth correctly and that gateway.trustedProxies only contains IPs \
             of your actual proxy servers.",
        )
        .remediation(
            "Verify: (1) Your proxy terminates TLS and authenticates users. (2) gateway.trustedProxies is \
             restricted to proxy IPs only. (3) Direct access to the Gateway port is blocked by firewall.",
        )
        .at("gateway.auth.mode"),
    );
    if proxies.is_empty() {
        out.push(
            Finding::new(
                "gateway.trusted_proxy_no_proxies",
                Severity::Critical,
                "Trusted-proxy auth enabled but no trusted proxies configured",
                "gateway.auth.mode=\"trusted-proxy\" but gateway.trustedProxies is empty. All requests will be \
                 rejected.",
            )
            .remediation("Set gateway.trustedProxies to the IP(s) of your reverse proxy.")
            .at("gateway.trustedProxies"),
        );
    }
    let user_header = tp
        .and_then(|t| t.user_header.as_deref())
        .filter(|h| !h.is_empty());
    if user_header.is_none() {
        out.push(
            Finding::new(
                "gateway.trusted_proxy_no_user_header",
                Severity::Critical,
                "Trusted-proxy auth missing userHeader config",
                "gateway.auth.mode=\"trusted-proxy\" but gateway.auth.trustedProxy.userHeader is not \
                 configured.",
            )
            .remediation(
                "Set gateway.auth.trustedProxy.userHeader to the header name your proxy uses (e.g., \
                 \"x-forwarded-user\", \"x-pomerium-claim-email\").",
            )
            .at("gateway.auth.trustedProxy.userHeader"),
        );
    }
    if tp.and_then(|t| t.allow_loopback) == Some(true) {
        out.push(
            Finding::new(
                "gateway.trusted_proxy_allow_loopback",
                Severity::Warn,
                "Trusted-proxy auth allows loopback proxy sources",
                "gateway.auth.trustedProxy.allowLoopback=true allows loopback-source requests from configured \
                 gateway.trustedProxies entries to satisfy trusted-proxy auth.",
            )
            .remediation(
                "Enable this only when a same-host reverse proxy is the intended trust boundary. Keep direct \
                 Gateway access private to the host and require the proxy to strip or overwrite identity \
                 headers.",
            )
            .at("gateway.auth.trustedProxy.allowLoopback"),
        );
    }
    if tp
        .and_then(|t| t.allow_users.as_ref())
        .is_none_or(Vec::is_empty)
    {
        out.push(
            Finding::new(
                "gateway.trusted_proxy_no_allowlist",
                Severity::Warn,
                "Trusted-proxy auth allows all authenticated users",
                "gateway.auth.trustedProxy.allowUsers is empty, so any user authenticated by your proxy can \
                 access the Gateway.",
            )
            .remediation(
                "Consider setting gateway.auth.trustedProxy.allowUsers to restrict access to specific users \
                 (e.g., [\"nick@example.com\"]).",
            )
            .at("gateway.auth.trustedProxy.allowUsers"),
        );
    }
}

/// Only explicit localhost proxy hops count as local: `127.0.0.1`, `::1`, `127.0.0.1/32`,
/// `::1/128` (stricter than "is loopback" on purpose: this is a trust boundary).
fn is_strict_loopback_proxy(entry: &str) -> bool {
    let entry = entry.trim();
    let (ip, prefix) = match entry.split_once('/') {
        Some((ip, prefix)) => (ip.trim(), Some(prefix.trim())),
        None => (entry, None),
    };
    match (ip.parse::<IpAddr>(), prefix) {
        (Ok(IpAddr::V4(v4)), None) => ip == "127.0.0.1" && v4.is_loopback(),
        (Ok(IpAddr::V4(_)), Some(p)) => ip == "127.0.0.1" && p == "32",
        (Ok(IpAddr::V6(v6)), None) => v6.is_loopback(),
        (Ok(IpAddr::V6(v6)), Some(p)) => v6.is_loopback() && p == "128",
        (Err(_), _) => false,
    }
}

/// OpenClaw's core dangerous flags (`core-dangerous-config-flags.ts`), as `(json path, "key=value")`.
/// Plugin-declared flags need plugin manifests, which hardclaw does not load; hardclaw adds the
/// per-agent `tools.exec.applyPatch.workspaceOnly=false`, which weakens the same boundary.
fn dangerous_flags(ctx: &AuditContext<'_>) -> Vec<(String, String)> {
    let cfg = ctx.config();
    let mut flags = Vec::new();
    let mut push = |path: String, value: &str| {
        let text = format!("{path}={value}");
        flags.push((path, text));
    };
    if let Some(ui) = cfg.gateway.as_ref().and_then(|g| g.control_ui.as_ref()) {
        if ui.allow_insecure_auth == Some(true) {
            push("gateway.controlUi.allowInsecureAuth".into(), "true");
        }
        if ui.dangerously_allow_host_header_origin_fallback == Some(true) {
            push(
                "gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback".into(),
                "true",
            );
        }
        if ui.dangerously_disable_device_auth == Some(true) {
            push(
                "gateway.controlUi.dangerouslyDisableDeviceAuth".into(),
                "true",
            );
        }
    }
    if let Some(hooks) = cfg.hooks.as_ref() {
        if hooks
            .gmail
            .as_ref()
            .and_then(|g| g.allow_unsafe_external_content)
            == Some(true)
        {
            push("hooks.gmail.allowUnsafeExternalContent".into(), "true");
        }
        for (i, m) in hooks.mappings.iter().flatten().enumerate() {
            if m.allow_unsafe_external_content == Some(true) {
                push(
                    format!("hooks.mappings[{i}].allowUnsafeExternalContent"),
                    "true",
                );
            }
        }
    }
    let workspace_only_off = |tools: Option<&hardclaw_config::schema::Tools>| {
        tools
            .and_then(|t| t.exec.as_ref())
            .and_then(|e| e.apply_patch.as_ref())
            .and_then(|a| a.workspace_only)
            == Some(false)
    };
    if workspace_only_off(cfg.tools.as_ref()) {
        push("tools.exec.applyPatch.workspaceOnly".into(), "false");
    }
    for (i, agent) in cfg.agent_list().iter().enumerate() {
        if workspace_only_off(agent.tools.as_ref()) {
            push(
                format!("agents.list[{i}].tools.exec.applyPatch.workspaceOnly"),
                "false",
            );
        }
    }
    flags
}

#[cfg(test)]
#[path = "gateway_tests.rs"]
mod tests;
