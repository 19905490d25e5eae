//! Shared gateway facts used by several check families: the listener's exposure and the resolved
//! gateway auth (reference `openclaw-audit-checks.md` §1.0).
//!
//! * [`is_remotely_exposed`] is OpenClaw's `isGatewayRemotelyExposed`: bind ≠ loopback, or
//!   Tailscale serve/funnel. The gateway-config checks use the narrower [`bind_is_loopback`].
//! * [`resolved_auth`] is `resolveGatewayAuth` plus the E2 "has shared secret" rule.
//!
//! Secrets are resolved only as far as needed to compare and measure them; no value resolved here
//! is ever put into a finding.

use hardclaw_config::Flavor;
use hardclaw_config::schema::{AuthMode, Bind, SecretInput, SecretSource, TailscaleMode};
use serde_json::Value;

use crate::context::AuditContext;

/// The gateway's bind (default `loopback`).
pub(crate) fn bind(ctx: &AuditContext<'_>) -> Bind {
    ctx.config()
        .gateway
        .as_ref()
        .and_then(|g| g.bind)
        .unwrap_or(Bind::Loopback)
}

/// `gateway.bind` as written in the config (`"lan"`, ...).
pub(crate) fn bind_label(bind: Bind) -> &'static str {
    match bind {
        Bind::Loopback => "loopback",
        Bind::Lan => "lan",
        Bind::Tailnet => "tailnet",
        Bind::Auto => "auto",
        Bind::Custom => "custom",
    }
}

/// True when `gateway.bind` is (or defaults to) `loopback`.
pub(crate) fn bind_is_loopback(ctx: &AuditContext<'_>) -> bool {
    bind(ctx) == Bind::Loopback
}

/// `gateway.tailscale.mode` (default `off`).
pub(crate) fn tailscale_mode(ctx: &AuditContext<'_>) -> TailscaleMode {
    ctx.config()
        .gateway
        .as_ref()
        .and_then(|g| g.tailscale.as_ref())
        .and_then(|t| t.mode)
        .unwrap_or(TailscaleMode::Off)
}

/// OpenClaw's `isGatewayRemotelyExposed`: bind ≠ loopback, or Tailscale serve/funnel.
pub(crate) fn is_remotely_exposed(ctx: &AuditContext<'_>) -> bool {
    !bind_is_loopback(ctx)
        || matches!(
            tailscale_mode(ctx),
            TailscaleMode::Serve | TailscaleMode::Funnel
        )
}

/// `gateway.auth.mode` as written in the config.
pub(crate) fn mode_label(mode: AuthMode) -> &'static str {
    match mode {
        AuthMode::Token => "token",
        AuthMode::Password => "password",
        AuthMode::TrustedProxy => "trusted-proxy",
        AuthMode::None => "none",
    }
}

/// The gateway auth as the gateway would resolve it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResolvedAuth {
    /// `gateway.auth.mode`, else `password` when a password is configured, else `token`.
    pub mode: AuthMode,
    /// Whether `gateway.auth.mode` was written.
    pub explicit_mode: Option<AuthMode>,
    /// The token value (config first, then the flavour's env vars), when it can be known.
    pub token: Option<String>,
    /// The password value (config first, then env), when it can be known.
    pub password: Option<String>,
    /// A token is configured somewhere: config literal, `${VAR}`, SecretRef (even one whose
    /// value the audit cannot read), the token env var, or `gateway.remote.token`.
    pub token_configured: bool,
    /// A password is configured (config or env), per the E2 precedence rules.
    pub password_configured: bool,
    /// `gateway.auth.allowTailscale`, defaulting to on for Tailscale serve in token mode.
    pub allow_tailscale: bool,
    /// E2 `collectGatewayConfigFindings`' "has shared secret".
    pub has_shared_secret: bool,
    /// The config holds a `file`/`exec` SecretRef for the token: configured, value unknown.
    pub token_opaque_ref: bool,
    /// The same for the password.
    pub password_opaque_ref: bool,
    /// hardclaw flavour, token mode, no token configured: the gateway generates and persists
    /// one in `<state>/gateway.token` at first start (it never serves without auth).
    pub token_auto: bool,
}

impl ResolvedAuth {
    /// A token the gateway can actually check (value known, or an opaque SecretRef).
    pub fn has_usable_token(&self) -> bool {
        self.token.is_some() || self.token_opaque_ref || self.token_auto
    }

    /// A password the gateway can actually check.
    pub fn has_usable_password(&self) -> bool {
        self.password.is_some() || self.password_opaque_ref
    }
}

/// What a secret field of the config holds.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SecretField {
    /// Non-empty input of any kind.
    configured: bool,
    /// The value, when known (literal, substituted `${VAR}`, env SecretRef).
    value: Option<String>,
    /// A `file`/`exec` SecretRef.
    opaque_ref: bool,
}

fn secret_field(ctx: &AuditContext<'_>, input: Option<&SecretInput>) -> SecretField {
    match input {
        None => SecretField {
            configured: false,
            value: None,
            opaque_ref: false,
        },
        Some(SecretInput::Plain(s)) => {
            let value = substitute_env(ctx, s);
            let value = value.trim();
            SecretField {
                configured: !s.trim().is_empty(),
                value: (!value.is_empty()).then(|| value.to_string()),
                opaque_ref: false,
            }
        }
        Some(SecretInput::Ref(r)) => match r.source {
            SecretSource::Env => SecretField {
                configured: true,
                value: ctx.env_var(&r.id).map(|v| v.trim().to_string()),
                opaque_ref: false,
            },
            SecretSource::File | SecretSource::Exec => SecretField {
                configured: true,
                value: None,
                opaque_ref: true,
            },
        },
    }
}

/// The first non-empty variable of `names`.
fn first_env(ctx: &AuditContext<'_>, names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| ctx.env_var(n))
        .map(|v| v.trim().to_string())
}

/// Resolves the gateway auth (`resolveGatewayAuth` + E2 "has shared secret").
pub(crate) fn resolved_auth(ctx: &AuditContext<'_>) -> ResolvedAuth {
    let gateway = ctx.config().gateway.as_ref();
    let auth = gateway.and_then(|g| g.auth.as_ref());
    let explicit_mode = auth.and_then(|a| a.mode);

    let config_token = secret_field(ctx, auth.and_then(|a| a.token.as_ref()));
    let config_password = secret_field(ctx, auth.and_then(|a| a.password.as_ref()));
    let remote_token = secret_field(
        ctx,
        gateway
            .and_then(|g| g.remote.as_ref())
            .and_then(|r| r.token.as_ref()),
    );
    let env_token = first_env(ctx, ctx.locations.gateway_token_vars());
    let env_password = first_env(ctx, ctx.locations.gateway_password_vars());

    // `gateway.auth.token ?? $…_GATEWAY_TOKEN`: a configured field wins even when its value is
    // not readable here (an opaque SecretRef); then the env var does not apply.
    let mut token = if config_token.configured {
        config_token.value.clone()
    } else {
        env_token.clone()
    };
    // hardclaw never serves without auth: in token mode with no token configured, the gateway
    // generates one at first start and keeps it in `<state>/gateway.token` (0600). The audit
    // counts that token (or the one about to be generated) as configured. OpenClaw's flavour
    // keeps OpenClaw's rules.
    let token_auto = ctx.locations.flavor == Flavor::Hardclaw
        && !config_token.configured
        && env_token.is_none()
        && !remote_token.configured
        && !matches!(
            explicit_mode,
            Some(AuthMode::Password | AuthMode::None | AuthMode::TrustedProxy)
        )
        && !(explicit_mode.is_none() && (config_password.configured || env_password.is_some()));
    if token_auto {
        token = read_token_file(&ctx.locations.state_dir.join("gateway.token"));
    }
    let password = if config_password.configured {
        config_password.value.clone()
    } else {
        env_password.clone()
    };

    let token_configured = token_auto
        || token.is_some()
        || env_token.is_some()
        || config_token.configured
        || remote_token.configured;
    let password_can_win =
        explicit_mode == Some(AuthMode::Password) || (explicit_mode.is_none() && !token_configured);
    let password_configured = password.is_some()
        || (password_can_win && (env_password.is_some() || config_password.configured));
    let has_shared_secret = match explicit_mode {
        Some(AuthMode::Token) => token_configured,
        Some(AuthMode::Password) => password_configured,
        Some(AuthMode::None) | Some(AuthMode::TrustedProxy) => false,
        None => token_configured || password_configured,
    };

    let password_present = config_password.configured || env_password.is_some();
    let mode = explicit_mode.unwrap_or(if password_present {
        AuthMode::Password
    } else {
        AuthMode::Token
    });
    let allow_tailscale = auth.and_then(|a| a.allow_tailscale).unwrap_or(
        tailscale_mode(ctx) == TailscaleMode::Serve
            && mode != AuthMode::Password
            && mode != AuthMode::TrustedProxy,
    );

    ResolvedAuth {
        mode,
        explicit_mode,
        token,
        password,
        token_configured,
        password_configured,
        allow_tailscale,
        has_shared_secret,
        token_opaque_ref: config_token.opaque_ref,
        password_opaque_ref: config_password.opaque_ref,
        token_auto,
    }
}

/// The first line of hardclaw's persisted gateway token file, when it exists.
fn read_token_file(path: &std::path::Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().next()?.trim();
    (!line.is_empty()).then(|| line.to_string())
}

/// Replaces `${VAR}` references (`[A-Z_][A-Z0-9_]*`) with the variable's value (empty when
/// unset); `$${VAR}` stays a literal `${VAR}`. The loader already substitutes in normal runs;
/// this covers documents loaded with references left as written.
pub(crate) fn substitute_env(ctx: &AuditContext<'_>, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        if let Some(escaped) = after.strip_prefix("$${") {
            out.push_str("${");
            rest = escaped;
            continue;
        }
        if let Some(name_and_rest) = after.strip_prefix("${")
            && let Some(end) = name_and_rest.find('}')
            && is_env_name(&name_and_rest[..end])
        {
            out.push_str(
                ctx.env
                    .get(&name_and_rest[..end])
                    .map_or("", String::as_str),
            );
            rest = &name_and_rest[end + 1..];
            continue;
        }
        out.push('$');
        rest = &after[1..];
    }
    out.push_str(rest);
    out
}

fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase() || c == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// True when `text` is exactly one `${VAR}` reference (surrounding whitespace allowed): the
/// secret lives in the environment, not in the file. Anything else, including a literal with a
/// reference embedded in it, counts as written in the file.
pub(crate) fn is_env_template(text: &str) -> bool {
    let t = text.trim();
    t.strip_prefix("${")
        .and_then(|r| r.strip_suffix('}'))
        .is_some_and(is_env_name)
}

/// The value at `path` of the document as written (with `${VAR}` references unresolved).
pub(crate) fn raw_at<'a>(ctx: &AuditContext<'a>, path: &[&str]) -> Option<&'a Value> {
    path.iter()
        .try_fold(&ctx.loaded.raw, |value, key| value.get(*key))
}

/// The plain string written at `path` if it is a literal secret: non-empty, not a `${VAR}`
/// reference, not a SecretRef object.
pub(crate) fn literal_secret_at<'a>(ctx: &AuditContext<'a>, path: &[&str]) -> Option<&'a str> {
    match raw_at(ctx, path) {
        Some(Value::String(s)) if !s.trim().is_empty() && !is_env_template(s) => Some(s.as_str()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::test_support::Fixture;

    #[test]
    fn empty_config_is_token_mode_without_token() {
        let f = Fixture::new(json!({})).openclaw();
        let a = resolved_auth(&f.ctx());
        assert_eq!(a.mode, AuthMode::Token);
        assert_eq!(a.token, None);
        assert!(!a.has_shared_secret);
        assert!(!a.allow_tailscale);
        assert!(!is_remotely_exposed(&f.ctx()));
    }

    #[test]
    fn hardclaw_token_mode_without_token_uses_the_persisted_or_generated_token() {
        let f = Fixture::new(json!({}));
        let a = resolved_auth(&f.ctx());
        assert!(a.token_auto && a.has_shared_secret && a.token.is_none());
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("gateway.token"), "persisted-token\n").expect("write");
        let f = Fixture::with_state(json!({}), dir.path());
        assert_eq!(
            resolved_auth(&f.ctx()).token.as_deref(),
            Some("persisted-token")
        );
        // Explicit none / password without token are not rescued.
        let f = Fixture::new(json!({"gateway": {"auth": {"mode": "none"}}}));
        assert!(!resolved_auth(&f.ctx()).has_shared_secret);
        let f = Fixture::new(json!({"gateway": {"auth": {"mode": "password"}}}));
        assert!(!resolved_auth(&f.ctx()).has_shared_secret);
    }

    #[test]
    fn env_token_and_template_resolve() {
        let f = Fixture::new(json!({})).env("HARDCLAW_GATEWAY_TOKEN", " abc ");
        let a = resolved_auth(&f.ctx());
        assert_eq!(a.token.as_deref(), Some("abc"));
        assert!(a.has_shared_secret);

        let f = Fixture::new(json!({"gateway": {"auth": {"token": "${MY_TOKEN}"}}}))
            .env("MY_TOKEN", "xyz");
        assert_eq!(resolved_auth(&f.ctx()).token.as_deref(), Some("xyz"));
    }

    #[test]
    fn password_infers_mode_and_explicit_mode_rules() {
        let f = Fixture::new(json!({"gateway": {"auth": {"password": "pw"}}}));
        let a = resolved_auth(&f.ctx());
        assert_eq!(a.mode, AuthMode::Password);
        assert!(a.has_shared_secret);

        let f = Fixture::new(json!({"gateway": {"auth": {"mode": "token", "password": "pw"}}}))
            .openclaw();
        assert!(!resolved_auth(&f.ctx()).has_shared_secret);

        let f = Fixture::new(json!({"gateway": {"auth": {"mode": "none", "token": "t"}}}));
        assert!(!resolved_auth(&f.ctx()).has_shared_secret);

        // A remote token counts as configured in explicit token mode (E2 quirk).
        let f =
            Fixture::new(json!({"gateway": {"auth": {"mode": "token"}, "remote": {"token": "r"}}}));
        assert!(resolved_auth(&f.ctx()).has_shared_secret);
    }

    #[test]
    fn secret_refs_count_as_configured() {
        let f = Fixture::new(
            json!({"gateway": {"auth": {"token": {"source": "file", "provider": "p", "id": "k"}}}}),
        );
        let a = resolved_auth(&f.ctx());
        assert!(a.has_shared_secret);
        assert!(a.has_usable_token());
        assert_eq!(a.token, None);
    }

    #[test]
    fn tailscale_serve_defaults_allow_tailscale_and_exposure() {
        let f = Fixture::new(json!({"gateway": {"tailscale": {"mode": "serve"}}}));
        assert!(resolved_auth(&f.ctx()).allow_tailscale);
        assert!(is_remotely_exposed(&f.ctx()));
        assert!(bind_is_loopback(&f.ctx()));
    }

    #[test]
    fn env_template_detection() {
        assert!(is_env_template("${OPENCLAW_GATEWAY_PASSWORD}"));
        assert!(is_env_template(" ${A_1} "));
        assert!(!is_env_template("x${A}"));
        assert!(!is_env_template("${lower}"));
        assert!(!is_env_template("hunter2"));
    }

    #[test]
    fn substitution_handles_escapes() {
        let f = Fixture::new(json!({})).env("A", "1");
        assert_eq!(substitute_env(&f.ctx(), "x${A}y$${A}$z"), "x1y${A}$z");
    }
}
