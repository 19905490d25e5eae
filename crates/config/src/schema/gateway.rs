//! `gateway.*`, `discovery.*`: the gateway's listener, auth and HTTP surface.

use serde::Deserialize;

use super::secret::SecretInput;

/// `gateway`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Gateway {
    /// TCP port (default 18789).
    pub port: Option<u16>,
    /// `local` (this machine runs the gateway) or `remote` (a client of another gateway).
    pub mode: Option<GatewayMode>,
    /// Which interface to listen on (default `loopback`).
    pub bind: Option<Bind>,
    /// Address for `bind: "custom"`.
    pub custom_bind_host: Option<String>,
    /// Authentication of clients.
    pub auth: Option<GatewayAuth>,
    /// Tailscale serve/funnel.
    pub tailscale: Option<Tailscale>,
    /// The browser Control UI.
    pub control_ui: Option<ControlUi>,
    /// Reverse proxies whose forwarding headers are trusted.
    pub trusted_proxies: Option<Vec<String>>,
    /// Fall back to `X-Real-IP` when `X-Forwarded-For` is absent.
    pub allow_real_ip_fallback: Option<bool>,
    /// Tools invokable over HTTP (`/tools/invoke`).
    pub tools: Option<GatewayTools>,
    /// Optional HTTP endpoints.
    pub http: Option<GatewayHttp>,
    /// Paired device (node) command policy.
    pub nodes: Option<GatewayNodes>,
    /// Remote gateway (when `mode: "remote"`).
    pub remote: Option<GatewayRemote>,
    /// TLS for the listener.
    pub tls: Option<GatewayTls>,
    /// Config hot reload.
    pub reload: Option<GatewayReload>,
}

/// `gateway.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GatewayMode {
    /// Runs here.
    Local,
    /// Client of a remote gateway.
    Remote,
}

/// `gateway.bind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bind {
    /// 127.0.0.1 and ::1 only.
    Loopback,
    /// All interfaces.
    Lan,
    /// The Tailscale interface.
    Tailnet,
    /// Loopback, or LAN when needed.
    Auto,
    /// `gateway.customBindHost`.
    Custom,
}

/// `gateway.auth.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMode {
    /// Bearer token.
    Token,
    /// Password.
    Password,
    /// Identity from a trusted reverse proxy header.
    TrustedProxy,
    /// No authentication (loudly warned).
    None,
}

/// `gateway.auth`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GatewayAuth {
    /// Mode (default: `password` if a password is set, else `token`).
    pub mode: Option<AuthMode>,
    /// Token (prefer `${HARDCLAW_GATEWAY_TOKEN}` or a SecretRef).
    pub token: Option<SecretInput>,
    /// Password.
    pub password: Option<SecretInput>,
    /// Accept Tailscale identity headers.
    pub allow_tailscale: Option<bool>,
    /// Failed-attempt rate limit.
    pub rate_limit: Option<RateLimit>,
    /// Trusted-proxy mode settings.
    pub trusted_proxy: Option<TrustedProxy>,
}

/// `gateway.auth.rateLimit`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RateLimit {
    /// Failed attempts allowed per window.
    pub max_attempts: Option<u32>,
    /// Window length.
    pub window_ms: Option<u64>,
    /// Lockout after the limit.
    pub lockout_ms: Option<u64>,
    /// Do not rate-limit loopback clients.
    pub exempt_loopback: Option<bool>,
}

/// `gateway.auth.trustedProxy`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TrustedProxy {
    /// Header carrying the authenticated user.
    pub user_header: Option<String>,
    /// Users allowed.
    pub allow_users: Option<Vec<String>>,
    /// Accept requests from loopback proxies.
    pub allow_loopback: Option<bool>,
    /// Headers that must be present.
    pub required_headers: Option<Vec<String>>,
}

/// `gateway.tailscale`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Tailscale {
    /// `off`, `serve` or `funnel`.
    pub mode: Option<TailscaleMode>,
    /// Undo serve/funnel on exit.
    pub reset_on_exit: Option<bool>,
}

/// `gateway.tailscale.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TailscaleMode {
    /// Not used.
    Off,
    /// Tailnet only.
    Serve,
    /// Public internet.
    Funnel,
}

/// `gateway.controlUi`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ControlUi {
    /// Serve the Control UI (default true).
    pub enabled: Option<bool>,
    /// URL prefix.
    pub base_path: Option<String>,
    /// Static root override.
    pub root: Option<String>,
    /// Browser origins allowed to connect.
    pub allowed_origins: Option<Vec<String>>,
    /// Allow token auth over plain HTTP from non-local origins.
    pub allow_insecure_auth: Option<bool>,
    /// Trust the Host header as the origin (dangerous).
    pub dangerously_allow_host_header_origin_fallback: Option<bool>,
    /// Disable device identity checks (dangerous).
    pub dangerously_disable_device_auth: Option<bool>,
}

/// `gateway.tools`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GatewayTools {
    /// Tools re-allowed over HTTP.
    pub allow: Option<Vec<String>>,
    /// Tools denied over HTTP.
    pub deny: Option<Vec<String>>,
}

/// `gateway.http`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GatewayHttp {
    /// Optional endpoints.
    pub endpoints: Option<HttpEndpoints>,
}

/// `gateway.http.endpoints`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HttpEndpoints {
    /// `POST /v1/chat/completions`.
    pub chat_completions: Option<Toggle>,
    /// `POST /v1/responses`.
    pub responses: Option<Toggle>,
}

/// `{ enabled }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Toggle {
    /// On or off.
    pub enabled: Option<bool>,
}

/// `gateway.nodes` (E2 `allowCommands`/`denyCommands`, E3 `commands.allow`/`deny`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GatewayNodes {
    /// Extra node commands allowed (E2).
    pub allow_commands: Option<Vec<String>>,
    /// Node commands denied (E2).
    pub deny_commands: Option<Vec<String>>,
    /// E3 form.
    pub commands: Option<GatewayTools>,
    /// Browser proxying through nodes.
    pub browser: Option<serde_json::Value>,
}

/// `gateway.remote`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GatewayRemote {
    /// `ws://` or `wss://` URL.
    pub url: Option<String>,
    /// Token for the remote gateway.
    pub token: Option<SecretInput>,
    /// Password for the remote gateway.
    pub password: Option<SecretInput>,
    /// Transport (`direct`, `ssh`).
    pub transport: Option<String>,
    /// SSH target for the ssh transport.
    pub ssh_target: Option<String>,
    /// SSH identity file.
    pub ssh_identity: Option<String>,
    /// Pinned TLS fingerprint.
    pub tls_fingerprint: Option<String>,
}

/// `gateway.tls`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GatewayTls {
    /// Serve TLS.
    pub enabled: Option<bool>,
    /// Certificate file.
    pub cert_path: Option<String>,
    /// Key file.
    pub key_path: Option<String>,
    /// CA file.
    pub ca_path: Option<String>,
    /// Generate a self-signed certificate.
    pub auto_generate: Option<bool>,
}

/// `gateway.reload`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GatewayReload {
    /// `hybrid` (default), `hot`, `restart`, `off`.
    pub mode: Option<String>,
    /// Debounce for file watching.
    pub debounce_ms: Option<u64>,
}

/// `discovery`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Discovery {
    /// mDNS advertisement.
    pub mdns: Option<Mdns>,
    /// Wide-area discovery.
    pub wide_area: Option<serde_json::Value>,
}

/// `discovery.mdns`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Mdns {
    /// `off`, `minimal` (default) or `full`.
    pub mode: Option<MdnsMode>,
}

/// `discovery.mdns.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MdnsMode {
    /// No advertisement.
    Off,
    /// Minimal TXT records.
    Minimal,
    /// Everything, including paths and ports.
    Full,
}
