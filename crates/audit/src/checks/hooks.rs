//! Check family `hooks`: webhook ingress hardening (reference §1.6, only when
//! `hooks.enabled === true`) and the hook install records (`hooks.internal.installs`).
//!
//! Ingress ids: `hooks.token_too_short`, `hooks.token_reuse_gateway_token`, `hooks.path_root`,
//! `hooks.default_session_key_unset`, `hooks.allowed_agent_ids_unrestricted`,
//! `hooks.request_session_key_enabled`, `hooks.request_session_key_prefixes_missing`.
//! Install ids: `hooks.installs_unpinned_npm_specs`, `hooks.installs_missing_integrity`,
//! `hooks.installs_version_drift`.
//!
//! OpenClaw runs the install checks in its filesystem phase (plugin trust). hardclaw reports the
//! two pure-config ones on every run and reads `package.json` for the drift check only when
//! filesystem checks are on.

use std::path::PathBuf;
use std::sync::LazyLock;

use hardclaw_config::expand_tilde;
use hardclaw_config::schema::{AuthMode, InstallRecord};
use regex::Regex;

use super::gateway_auth::{is_remotely_exposed, resolved_auth, substitute_env};
use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// Minimum hooks token length.
const MIN_TOKEN_LEN: usize = 24;

/// An exact semver version (`1.2.3`, `1.2.3-beta.1+build`).
static EXACT_VERSION: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$").ok());

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    ingress(ctx, out);
    installs(ctx, out);
}

fn ingress(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let Some(hooks) = ctx.config().hooks.as_ref() else {
        return;
    };
    if hooks.enabled != Some(true) {
        return;
    }
    let exposed_sev = if is_remotely_exposed(ctx) {
        Severity::Critical
    } else {
        Severity::Warn
    };

    let token = hooks
        .token
        .as_ref()
        .and_then(|t| t.plain())
        .map(|t| substitute_env(ctx, t).trim().to_string())
        .filter(|t| !t.is_empty());
    if let Some(token) = &token
        && token.chars().count() < MIN_TOKEN_LEN
    {
        out.push(
            Finding::new(
                "hooks.token_too_short",
                Severity::Warn,
                "Hooks token looks short",
                format!(
                    "hooks.token is {} chars; prefer a long random token.",
                    token.chars().count()
                ),
            )
            .remediation(format!(
                "Use a random hooks.token of at least {MIN_TOKEN_LEN} characters."
            ))
            .at("hooks.token"),
        );
    }

    if let Some(token) = &token {
        let auth = resolved_auth(ctx);
        let reused = match auth.mode {
            AuthMode::Token => (auth.token.as_deref() == Some(token.as_str())).then_some("token"),
            AuthMode::Password | AuthMode::TrustedProxy => {
                (auth.password.as_deref() == Some(token.as_str())).then_some("password")
            }
            AuthMode::None => None,
        };
        if let Some(what) = reused {
            out.push(
                Finding::new(
                    "hooks.token_reuse_gateway_token",
                    Severity::Critical,
                    format!("Hooks token reuses the Gateway {what}"),
                    if what == "password" {
                        "hooks.token matches gateway.auth password; a stolen hooks token also grants Gateway \
                         password access."
                    } else {
                        "hooks.token matches gateway.auth token; a stolen hooks token also grants Gateway API \
                         access."
                    },
                )
                .remediation(
                    "Generate a distinct random hooks.token, then update external hook senders to use the new \
                     hook token.",
                )
                .at("hooks.token"),
            );
        }
    }

    if hooks.path.as_deref().map(str::trim) == Some("/") {
        out.push(
            Finding::new(
                "hooks.path_root",
                Severity::Critical,
                "Hooks base path is '/'",
                "hooks.path='/' would shadow other HTTP endpoints and is unsafe.",
            )
            .remediation("Use a dedicated path like '/hooks'.")
            .at("hooks.path"),
        );
    }

    if hooks
        .default_session_key
        .as_deref()
        .is_none_or(|k| k.trim().is_empty())
    {
        out.push(
            Finding::new(
                "hooks.default_session_key_unset",
                Severity::Warn,
                "hooks.defaultSessionKey is not configured",
                "Hook agent runs without explicit sessionKey use generated per-request keys. Set \
                 hooks.defaultSessionKey to keep hook ingress scoped to a known session.",
            )
            .remediation("Set hooks.defaultSessionKey (for example, \"hook:ingress\").")
            .at("hooks.defaultSessionKey"),
        );
    }

    let unrestricted = hooks
        .allowed_agent_ids
        .as_ref()
        .is_none_or(|ids| ids.iter().any(|i| i.trim() == "*"));
    if unrestricted {
        out.push(
            Finding::new(
                "hooks.allowed_agent_ids_unrestricted",
                exposed_sev,
                "Hook agent routing allows any configured agent",
                "hooks.allowedAgentIds is unset or includes '*', so authenticated hook callers may route to \
                 any configured agent id, including the default agent when agentId is omitted.",
            )
            .remediation(
                "Set hooks.allowedAgentIds to an explicit allowlist (for example, [\"hooks\", \"main\"]) or \
                 [] to deny hook agent routing.",
            )
            .at("hooks.allowedAgentIds"),
        );
    }

    if hooks.allow_request_session_key == Some(true) {
        out.push(
            Finding::new(
                "hooks.request_session_key_enabled",
                exposed_sev,
                "External hook payloads may override sessionKey",
                "hooks.allowRequestSessionKey=true allows `/hooks/agent` callers to choose the session key. \
                 Treat hook token holders as full-trust unless you also restrict prefixes.",
            )
            .remediation(
                "Set hooks.allowRequestSessionKey=false (recommended) or constrain \
                 hooks.allowedSessionKeyPrefixes.",
            )
            .at("hooks.allowRequestSessionKey"),
        );
        let has_prefix = hooks
            .allowed_session_key_prefixes
            .iter()
            .flatten()
            .any(|p| !p.trim().is_empty());
        if !has_prefix {
            out.push(
                Finding::new(
                    "hooks.request_session_key_prefixes_missing",
                    exposed_sev,
                    "Request sessionKey override is enabled without prefix restrictions",
                    "hooks.allowRequestSessionKey=true and hooks.allowedSessionKeyPrefixes is unset/empty, so \
                     request payloads can target arbitrary session key shapes.",
                )
                .remediation(
                    "Set hooks.allowedSessionKeyPrefixes (for example, [\"hook:\"]) or disable request \
                     overrides.",
                )
                .at("hooks.allowedSessionKeyPrefixes"),
            );
        }
    }
}

/// `name@X.Y.Z` (scoped names allowed) with an exact version.
fn is_pinned_spec(spec: &str) -> bool {
    let spec = spec.trim();
    let Some(at) = spec.rfind('@').filter(|&i| i > 0) else {
        return false;
    };
    EXACT_VERSION
        .as_ref()
        .is_some_and(|re| re.is_match(&spec[at + 1..]))
}

fn non_empty(s: Option<&String>) -> Option<&str> {
    s.map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn installs(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let Some(records) = ctx
        .config()
        .hooks
        .as_ref()
        .and_then(|h| h.internal.as_ref())
        .and_then(|i| i.installs.as_ref())
    else {
        return;
    };
    let npm: Vec<(&String, &InstallRecord)> = records
        .iter()
        .filter(|(_, r)| r.source.as_deref().map(str::trim) == Some("npm"))
        .collect();

    let unpinned: Vec<String> = npm
        .iter()
        .filter(|(_, r)| {
            let spec_pinned = non_empty(r.spec.as_ref()).is_some_and(is_pinned_spec);
            let resolved_pinned = non_empty(r.resolved_spec.as_ref()).is_some_and(is_pinned_spec)
                && non_empty(r.integrity.as_ref()).is_some();
            !spec_pinned && !resolved_pinned
        })
        .map(|(id, r)| {
            format!(
                "- {id} ({})",
                non_empty(r.spec.as_ref()).unwrap_or("<no spec>")
            )
        })
        .collect();
    if !unpinned.is_empty() {
        out.push(
            Finding::new(
                "hooks.installs_unpinned_npm_specs",
                Severity::Warn,
                "Hook installs use unpinned npm specs",
                format!("Unpinned hook install records:\n{}", unpinned.join("\n")),
            )
            .remediation(
                "Pin hook install specs to exact versions (for example, `@scope/pkg@1.2.3`) for reproducible \
                 supply-chain behavior.",
            )
            .at("hooks.internal.installs"),
        );
    }

    let missing: Vec<String> = npm
        .iter()
        .filter(|(_, r)| non_empty(r.integrity.as_ref()).is_none())
        .map(|(id, _)| format!("- {id}"))
        .collect();
    if !missing.is_empty() {
        out.push(
            Finding::new(
                "hooks.installs_missing_integrity",
                Severity::Warn,
                "Hook install records are missing integrity metadata",
                format!(
                    "Hook install records without integrity:\n{}",
                    missing.join("\n")
                ),
            )
            .remediation(
                "Reinstall or update hooks to refresh install metadata with resolved integrity hashes.",
            )
            .at("hooks.internal.installs"),
        );
    }

    if !ctx.options.include_filesystem {
        return;
    }
    let mut drift = Vec::new();
    for (id, record) in &npm {
        let Some(recorded) = non_empty(record.resolved_version.as_ref())
            .or_else(|| non_empty(record.version.as_ref()))
        else {
            continue;
        };
        let dir = match non_empty(record.install_path.as_ref()) {
            Some(p) => expand_tilde(&PathBuf::from(p), &ctx.locations.home),
            None => ctx.locations.state_dir.join("hooks").join(id.as_str()),
        };
        let Ok(text) = std::fs::read_to_string(dir.join("package.json")) else {
            continue;
        };
        let installed = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| {
                v.get("version")
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            });
        if let Some(installed) = installed
            && installed.trim() != recorded
        {
            drift.push(format!(
                "- {id} (recorded {recorded}, installed {})",
                installed.trim()
            ));
        }
    }
    if !drift.is_empty() {
        out.push(
            Finding::new(
                "hooks.installs_version_drift",
                Severity::Warn,
                "Hook install records drift from installed package versions",
                format!(
                    "Recorded and installed versions differ:\n{}",
                    drift.join("\n")
                ),
            )
            .remediation(format!(
                "Run \"{} hooks update --all\" (or reinstall the listed hooks) so records match what is \
                 installed.",
                ctx.locations.product()
            ))
            .at("hooks.internal.installs"),
        );
    }
}

#[cfg(test)]
#[path = "hooks_tests.rs"]
mod tests;
