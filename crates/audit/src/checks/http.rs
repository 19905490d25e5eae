//! Check family `http`: the gateway's HTTP API surface (reference §1.3):
//! `gateway.http.no_auth` then `gateway.http.session_key_override_enabled`.

use hardclaw_config::schema::AuthMode;

use super::gateway_auth::{is_remotely_exposed, mode_label, resolved_auth};
use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let cfg = ctx.config();
    let endpoints = cfg
        .gateway
        .as_ref()
        .and_then(|g| g.http.as_ref())
        .and_then(|h| h.endpoints.as_ref());
    let chat = endpoints
        .and_then(|e| e.chat_completions.as_ref())
        .and_then(|t| t.enabled)
        == Some(true);
    let responses = endpoints
        .and_then(|e| e.responses.as_ref())
        .and_then(|t| t.enabled)
        == Some(true);

    // E3 semantics (a superset of E2's mode == "none"): no usable HTTP auth at all.
    let auth = resolved_auth(ctx);
    let has_http_auth = match auth.mode {
        AuthMode::Token => auth.has_usable_token(),
        AuthMode::Password => auth.has_usable_password(),
        AuthMode::TrustedProxy => true,
        AuthMode::None => false,
    };
    if !has_http_auth {
        let admin_rpc = cfg
            .plugins
            .as_ref()
            .and_then(|p| p.entries.as_ref())
            .and_then(|e| e.get("admin-http-rpc"))
            .and_then(|e| e.enabled)
            == Some(true);
        let mut list = vec!["/tools/invoke"];
        if chat {
            list.push("/v1/chat/completions");
        }
        if responses {
            list.push("/v1/responses");
        }
        if admin_rpc {
            list.push("/api/v1/admin/rpc");
        }
        let why = match auth.mode {
            AuthMode::None => "gateway.auth.mode=\"none\"".to_string(),
            mode => format!(
                "gateway.auth.mode=\"{}\" without a configured {}",
                mode_label(mode),
                if mode == AuthMode::Password {
                    "password"
                } else {
                    "token"
                }
            ),
        };
        out.push(
            Finding::new(
                "gateway.http.no_auth",
                if is_remotely_exposed(ctx) {
                    Severity::Critical
                } else {
                    Severity::Warn
                },
                "Gateway HTTP APIs are reachable without auth",
                format!(
                    "{why} leaves {} callable without a shared secret. Treat this as trusted-local only and \
                     avoid exposing the gateway beyond loopback.",
                    list.join(", ")
                ),
            )
            .remediation(
                "Set gateway.auth.mode to token/password (recommended). If you intentionally keep mode=none, \
                 keep gateway.bind=loopback and disable optional HTTP endpoints/plugins.",
            )
            .at("gateway.auth"),
        );
    }

    if chat || responses {
        let mut list = Vec::new();
        let mut path = "gateway.http.endpoints.responses.enabled";
        if chat {
            list.push("/v1/chat/completions");
            path = "gateway.http.endpoints.chatCompletions.enabled";
        }
        if responses {
            list.push("/v1/responses");
        }
        out.push(
            Finding::new(
                "gateway.http.session_key_override_enabled",
                Severity::Info,
                "HTTP API session-key override is enabled",
                format!(
                    "{} accept x-openclaw-session-key for per-request session routing. Treat API \
                     credential holders as trusted principals.",
                    list.join(", ")
                ),
            )
            .at(path),
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
    fn no_auth_warn_on_loopback_critical_when_exposed() {
        let f = Fixture::new(json!({"gateway": {"auth": {"mode": "none"}}})).run(collect);
        let x = expect(&f, "gateway.http.no_auth", Severity::Warn, "gateway.auth");
        assert!(
            x.detail
                .starts_with("gateway.auth.mode=\"none\" leaves /tools/invoke callable")
        );
        let f = Fixture::new(
            json!({"gateway": {"auth": {"mode": "none"}, "tailscale": {"mode": "serve"}}}),
        )
        .run(collect);
        expect(
            &f,
            "gateway.http.no_auth",
            Severity::Critical,
            "gateway.auth",
        );
        // Default (token mode, no token) also has no usable HTTP auth (E3) in OpenClaw; hardclaw
        // generates a token at first start, so its flavour has one.
        let f = Fixture::new(json!({"gateway": {"bind": "lan"}}))
            .openclaw()
            .run(collect);
        expect(
            &f,
            "gateway.http.no_auth",
            Severity::Critical,
            "gateway.auth",
        );
        let f = Fixture::new(json!({"gateway": {"bind": "lan"}})).run(collect);
        assert!(
            f.iter().all(|x| x.check_id != "gateway.http.no_auth"),
            "{f:?}"
        );
        let f = Fixture::new(json!({"gateway": {"bind": "lan", "auth": {"mode": "none"}}}))
            .run(collect);
        expect(
            &f,
            "gateway.http.no_auth",
            Severity::Critical,
            "gateway.auth",
        );
    }

    #[test]
    fn auth_present_is_clean() {
        for cfg in [
            json!({"gateway": {"auth": {"token": "t"}}}),
            json!({"gateway": {"auth": {"mode": "password", "password": {"source": "exec", "id": "pw"}}}}),
            json!({"gateway": {"auth": {"mode": "trusted-proxy"}}}),
        ] {
            absent(&Fixture::new(cfg).run(collect), "gateway.http.no_auth");
        }
        let f = Fixture::new(json!({}))
            .env("HARDCLAW_GATEWAY_TOKEN", "t")
            .run(collect);
        absent(&f, "gateway.http.no_auth");
    }

    #[test]
    fn endpoints_listed_and_session_key_override() {
        let f = Fixture::new(
            json!({"gateway": {"auth": {"mode": "none"}, "http": {"endpoints": {
            "chatCompletions": {"enabled": true}, "responses": {"enabled": true}}}},
            "plugins": {"entries": {"admin-http-rpc": {"enabled": true}}}}),
        )
        .run(collect);
        let x = expect(&f, "gateway.http.no_auth", Severity::Warn, "gateway.auth");
        assert!(
            x.detail
                .contains("/tools/invoke, /v1/chat/completions, /v1/responses, /api/v1/admin/rpc")
        );
        let s = expect(
            &f,
            "gateway.http.session_key_override_enabled",
            Severity::Info,
            "gateway.http.endpoints.chatCompletions.enabled",
        );
        assert!(s.detail.contains("x-openclaw-session-key"));
        let f = Fixture::new(
            json!({"gateway": {"auth": {"token": "t"}, "http": {"endpoints": {
            "chatCompletions": {"enabled": false}}}}}),
        )
        .run(collect);
        assert!(f.is_empty());
    }
}
