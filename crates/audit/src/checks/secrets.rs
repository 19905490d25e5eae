//! Check family `secrets`: OpenClaw's two secrets-in-config checks (reference §1.5):
//! `config.secrets.gateway_password_in_config` and `config.secrets.hooks_token_in_config`.
//! Literal secrets elsewhere (`gateway.auth.token`, provider keys, bot tokens) are hardclaw's
//! `secrets_literal` family.
//!
//! "In config" is decided on the document as written (`loaded.raw`): a value that is exactly one
//! `${VAR}` reference, or a SecretRef object, lives outside the file.
//!
//! Deliberate deviation (reference §7): OpenClaw's code reports `hooks_token_in_config` as `info`
//! while its docs catalog says `warn`. hardclaw uses `warn`: a literal hooks token is as much a
//! secret on disk as a literal gateway password, which OpenClaw already warns about.

use super::gateway_auth::literal_secret_at;
use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let pw_var = ctx
        .locations
        .gateway_password_vars()
        .first()
        .copied()
        .unwrap_or("HARDCLAW_GATEWAY_PASSWORD");
    if literal_secret_at(ctx, &["gateway", "auth", "password"]).is_some() {
        out.push(
            Finding::new(
                "config.secrets.gateway_password_in_config",
                Severity::Warn,
                "Gateway password is stored in config",
                "gateway.auth.password is set in the config file; prefer environment variables for secrets \
                 when possible.",
            )
            .remediation(format!(
                "Prefer {pw_var} (env) or a SecretRef and remove gateway.auth.password from disk \
                 (e.g. \"password\": \"${{{pw_var}}}\")."
            ))
            .at("gateway.auth.password"),
        );
    }

    let hooks_enabled = ctx.config().hooks.as_ref().and_then(|h| h.enabled) == Some(true);
    if hooks_enabled && literal_secret_at(ctx, &["hooks", "token"]).is_some() {
        out.push(
            Finding::new(
                "config.secrets.hooks_token_in_config",
                Severity::Warn,
                "Hooks token is stored in config",
                "hooks.token is set in the config file; keep config perms tight and treat it like an API \
                 secret.",
            )
            .remediation(
                "Move the token to the environment (\"token\": \"${HOOKS_TOKEN}\") or a SecretRef \
                 {source: \"env\"|\"file\"|\"exec\", id}.",
            )
            .at("hooks.token"),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::collect;
    use crate::checks::test_assert::{absent, expect};
    use crate::finding::Severity;
    use crate::test_support::Fixture;

    #[test]
    fn literal_gateway_password() {
        let f = Fixture::new(json!({"gateway": {"auth": {"password": "hunter2"}}})).run(collect);
        let x = expect(
            &f,
            "config.secrets.gateway_password_in_config",
            Severity::Warn,
            "gateway.auth.password",
        );
        assert!(!x.detail.contains("hunter2"));
        for benign in [
            json!({"gateway": {"auth": {"password": "${HARDCLAW_GATEWAY_PASSWORD}"}}}),
            json!({"gateway": {"auth": {"password": {"source": "env", "id": "PW"}}}}),
            json!({"gateway": {"auth": {"password": "  "}}}),
        ] {
            absent(
                &Fixture::new(benign).run(collect),
                "config.secrets.gateway_password_in_config",
            );
        }
    }

    #[test]
    fn literal_hooks_token_only_when_hooks_enabled() {
        let f = Fixture::new(json!({"hooks": {"enabled": true, "token": "abc"}})).run(collect);
        expect(
            &f,
            "config.secrets.hooks_token_in_config",
            Severity::Warn,
            "hooks.token",
        );
        absent(
            &Fixture::new(json!({"hooks": {"token": "abc"}})).run(collect),
            "config.secrets.hooks_token_in_config",
        );
        absent(
            &Fixture::new(json!({"hooks": {"enabled": true, "token": "${HOOKS_TOKEN}"}}))
                .run(collect),
            "config.secrets.hooks_token_in_config",
        );
    }
}
