//! Turning serde's complaints into messages for people: the offending key, what was expected,
//! and a "did you mean" (closest spelling, or where a misplaced key actually belongs).

use super::SchemaError;

/// Keys people put in the wrong block, and where they belong.
const MISPLACED: &[(&str, &str)] = &[
    (
        "requireMention",
        "`requireMention` belongs inside a group entry: channels.<channel>.groups.<groupId or \"*\">.requireMention",
    ),
    (
        "mentionPatterns",
        "`mentionPatterns` belongs under agents.list[].groupChat.mentionPatterns",
    ),
    ("dmScope", "`dmScope` belongs under session.dmScope"),
    (
        "allowAgents",
        "`allowAgents` belongs under agents.list[].subagents.allowAgents",
    ),
    (
        "workspaceAccess",
        "`workspaceAccess` belongs under agents.list[].sandbox.workspaceAccess",
    ),
    (
        "redactSensitive",
        "`redactSensitive` belongs under logging.redactSensitive",
    ),
    (
        "allowedOrigins",
        "`allowedOrigins` belongs under gateway.controlUi.allowedOrigins",
    ),
    (
        "rateLimit",
        "`rateLimit` belongs under gateway.auth.rateLimit",
    ),
    (
        "trustedProxies",
        "`trustedProxies` belongs under gateway.trustedProxies",
    ),
    ("safeBins", "`safeBins` belongs under tools.exec.safeBins"),
    (
        "elevated",
        "`elevated` belongs under tools.elevated or agents.list[].tools.elevated",
    ),
    (
        "sandbox",
        "`sandbox` belongs under agents.defaults.sandbox or agents.list[].sandbox",
    ),
];

/// JSON path patterns (`*` = any one key) that hardclaw loads for compatibility but does not
/// enforce, with the reason. The audit reports the ones a config sets.
pub const UNENFORCED_KEYS: &[(&str, &str)] = &[
    (
        "browser",
        "hardclaw has no browser-control tool; the block is ignored",
    ),
    (
        "gateway.tailscale",
        "hardclaw does not drive Tailscale serve/funnel",
    ),
    (
        "gateway.nodes",
        "hardclaw has no paired-node execution surface",
    ),
    (
        "gateway.remote",
        "remote-gateway client mode is not implemented",
    ),
    (
        "gateway.tls",
        "hardclaw serves plain HTTP on loopback; terminate TLS in a reverse proxy",
    ),
    (
        "discovery",
        "hardclaw never advertises itself (mDNS is always off)",
    ),
    (
        "agents.defaults.compaction",
        "context compaction settings are not interpreted",
    ),
    (
        "agents.defaults.memorySearch",
        "memory search tuning is not interpreted",
    ),
    (
        "agents.defaults.contextPruning",
        "context pruning settings are not interpreted",
    ),
    (
        "agents.defaults.heartbeat",
        "heartbeat runs are not implemented",
    ),
    (
        "agents.defaults.sandbox.docker",
        "hardclaw sandboxes with kernel namespaces, not Docker; docker keys are only validated",
    ),
    (
        "agents.list[*].sandbox.docker",
        "hardclaw sandboxes with kernel namespaces, not Docker; docker keys are only validated",
    ),
    ("hooks.gmail", "the Gmail hook is not implemented"),
    ("mcp", "MCP servers and apps are not implemented"),
    ("cron", "cron jobs are not implemented"),
    ("talk", "talk mode is not implemented"),
    ("audio", "audio settings are not interpreted"),
    ("canvasHost", "the canvas host is not implemented"),
    ("web", "the web provider block is not interpreted"),
    ("broadcast", "broadcast is not implemented"),
    ("nodeHost", "node hosting is not implemented"),
    ("memory", "the memory backend block is not interpreted"),
    ("approvals", "approval forwarding is not implemented"),
    ("ui", "UI settings are not interpreted"),
    (
        "messages",
        "message formatting settings are not interpreted",
    ),
    ("diagnostics", "diagnostics settings are not interpreted"),
];

/// Builds a [`SchemaError`] from serde's message at `json_path`.
pub(super) fn explain(json_path: String, message: &str) -> SchemaError {
    if let Some((name, expected)) = parse_unknown(message, "unknown field `") {
        let json_path = if json_path.ends_with(&name) || json_path.is_empty() && name.is_empty() {
            json_path
        } else if json_path.is_empty() {
            name.clone()
        } else {
            format!("{json_path}.{name}")
        };
        let suggestion = MISPLACED
            .iter()
            .find(|(k, _)| *k == name && !expected.iter().any(|e| e == k))
            .map(|(_, hint)| (*hint).to_string())
            .or_else(|| closest(&name, &expected).map(|c| format!("did you mean `{c}`?")));
        let message = if expected.is_empty() {
            format!("unknown key `{name}`: this object takes no keys")
        } else {
            format!("unknown key `{name}`; expected one of: {}", list(&expected))
        };
        return SchemaError {
            json_path,
            message,
            suggestion,
        };
    }
    if let Some((name, expected)) = parse_unknown(message, "unknown variant `") {
        let suggestion = closest(&name, &expected).map(|c| format!("did you mean `{c}`?"));
        // The value is the user's: echo it only when it cannot be a secret.
        let shown = if name.chars().count() <= 24
            && !crate::redact::looks_like_token(&name)
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
        {
            format!("`{name}`")
        } else {
            format!("(a string of {} characters)", name.chars().count())
        };
        return SchemaError {
            json_path,
            message: format!(
                "invalid value {shown}; expected one of: {}",
                list(&expected)
            ),
            suggestion,
        };
    }
    if let Some(m) = without_value(message) {
        return SchemaError {
            json_path,
            message: m,
            suggestion: None,
        };
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or_default();
        return SchemaError {
            json_path,
            message: format!("required key `{field}` is missing"),
            suggestion: None,
        };
    }
    SchemaError {
        json_path,
        message: message.to_string(),
        suggestion: None,
    }
}

/// serde's `invalid type: string "…", expected X` and `invalid value: …, expected X` name the
/// value found, which may be a secret written at the wrong key: keep only its type.
fn without_value(message: &str) -> Option<String> {
    let (head, rest) = if let Some(r) = message.strip_prefix("invalid type: ") {
        ("invalid type", r)
    } else if let Some(r) = message.strip_prefix("invalid value: ") {
        ("invalid value", r)
    } else {
        return None;
    };
    let expected = rest.rsplit_once(", expected ").map(|(_, e)| e);
    let kind = [
        ("string", "a string"),
        ("integer", "an integer"),
        ("floating point", "a number"),
        ("boolean", "a boolean"),
        ("map", "an object"),
        ("sequence", "an array"),
        ("unit", "null"),
        ("null", "null"),
        ("character", "a string"),
        ("byte", "bytes"),
    ]
    .iter()
    .find(|(p, _)| rest.starts_with(p))
    .map_or("a value of another type", |(_, k)| k);
    Some(match (head, expected) {
        ("invalid type", Some(e)) => format!("invalid type: found {kind}, expected {e}"),
        ("invalid type", None) => format!("invalid type: found {kind}"),
        (_, Some(e)) => format!("invalid value ({kind}), expected {e}"),
        (_, None) => format!("invalid value ({kind})"),
    })
}

/// Parses "unknown field `x`, expected one of `a`, `b`" (also "expected `a`" and "there are no fields").
fn parse_unknown(message: &str, prefix: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix(prefix)?;
    let end = rest.find('`')?;
    let name = rest[..end].to_string();
    let tail = &rest[end + 1..];
    let expected = tail
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_string())
        .collect();
    Some((name, expected))
}

fn list(expected: &[String]) -> String {
    const MAX: usize = 16;
    let shown: Vec<&str> = expected.iter().take(MAX).map(String::as_str).collect();
    let mut out = shown.join(", ");
    if expected.len() > MAX {
        out.push_str(&format!(", … ({} more)", expected.len() - MAX));
    }
    out
}

/// The expected name closest to `name`: same letters ignoring case, `_`/`-`, or within a small
/// edit distance.
fn closest(name: &str, expected: &[String]) -> Option<String> {
    let norm = |s: &str| s.to_ascii_lowercase().replace(['_', '-'], "");
    let n = norm(name);
    if let Some(exact) = expected.iter().find(|e| norm(e) == n) {
        return Some(exact.clone());
    }
    let limit = (name.chars().count() / 3).max(2);
    expected
        .iter()
        .map(|e| (strsim::levenshtein(&n, &norm(e)), e))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, e)| e.clone())
}

#[cfg(test)]
mod redaction_tests {
    use super::*;

    #[test]
    fn bypass_schema_error_echoes_secret_value() {
        for msg in [
            "invalid type: string \"sk-SECRET-abcdefghijklmnop\", expected u16",
            "invalid value: string \"sk-SECRET-abcdefghijklmnop\", expected a port",
            "unknown variant `sk-SECRET-abcdefghijklmnop`, expected `open` or `allowlist`",
            "invalid type: string \"x, expected sk-SECRET\", expected a boolean",
        ] {
            let e = explain("gateway.port".into(), msg);
            let text = format!("{} {:?}", e.message, e.suggestion);
            assert!(!text.contains("SECRET"), "{msg} → {text}");
        }
        assert_eq!(
            explain(
                "gateway.port".into(),
                "invalid type: string \"abc\", expected u16"
            )
            .message,
            "invalid type: found a string, expected u16"
        );
        assert_eq!(
            explain("x".into(), "invalid type: integer `5`, expected a string").message,
            "invalid type: found an integer, expected a string"
        );
        assert_eq!(
            explain(
                "p".into(),
                "unknown variant `opn`, expected `open` or `allowlist`"
            )
            .message,
            "invalid value `opn`; expected one of: open, allowlist"
        );
    }
}
