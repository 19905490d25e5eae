//! Redacted snapshots of a config document for people (`config get`): secret values masked,
//! `${VAR}` references shown as written.

use serde_json::Value;

/// What a masked value is replaced with.
pub const MASK: &str = "<redacted>";

/// Whether a key names a secret.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase().replace(['_', '-'], "");
    k.ends_with("token")
        || k.ends_with("password")
        || k.ends_with("secret")
        || k.ends_with("apikey")
        || k.ends_with("passphrase")
        || k.ends_with("privatekey")
        || k == "serviceaccount"
        || k == "authorization"
        || k == "cookie"
}

/// True when the whole string is one `${VAR}` reference (safe to show).
pub fn is_env_reference(s: &str) -> bool {
    s.strip_prefix("${")
        .and_then(|r| r.strip_suffix('}'))
        .is_some_and(|n| {
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                && !n.starts_with(|c: char| c.is_ascii_digit())
        })
}

/// Well-known token prefixes (with the minimum number of characters after the prefix).
const TOKEN_PREFIXES: &[(&str, usize)] = &[
    ("sk-", 16),
    ("ghp_", 20),
    ("gho_", 20),
    ("ghu_", 20),
    ("ghs_", 20),
    ("ghr_", 20),
    ("github_pat_", 20),
    ("xoxa-", 10),
    ("xoxb-", 10),
    ("xoxp-", 10),
    ("xapp-", 10),
    ("glpat-", 16),
];

fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

fn word_is_token(w: &str) -> bool {
    let body = |rest: &str, min: usize| {
        rest.len() >= min
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    };
    if TOKEN_PREFIXES
        .iter()
        .any(|(p, min)| w.strip_prefix(p).is_some_and(|r| body(r, *min)))
    {
        return true;
    }
    // AWS access key id.
    if let Some(rest) = w.strip_prefix("AKIA").or_else(|| w.strip_prefix("ASIA"))
        && rest.len() == 16
        && rest
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return true;
    }
    // JWT: three base64url parts, the first a JSON object.
    if w.starts_with("eyJ") {
        let parts: Vec<&str> = w.split('.').collect();
        return parts.len() == 3
            && parts[0].len() >= 10
            && parts[1].len() >= 4
            && parts.iter().all(|p| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '='))
            });
    }
    false
}

/// Whether `s` contains a value shaped like a well-known credential (`sk-…`, `ghp_…`,
/// `github_pat_…`, `xox[abp]-…`, `AKIA…`, `glpat-…`, a JWT).
pub fn looks_like_token(s: &str) -> bool {
    s.split(|c: char| !token_char(c))
        .any(|w| word_is_token(w.trim_matches('.')))
}

/// Whether a URL query parameter name marks a secret.
fn is_secret_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace(['_', '-'], "");
    is_secret_key(name)
        || [
            "key",
            "token",
            "secret",
            "password",
            "passwd",
            "sig",
            "signature",
        ]
        .iter()
        .any(|p| n == *p || n.ends_with(p))
}

/// Whether `s` is a URL with a password in its userinfo (`https://user:PASS@host`).
pub fn url_has_password(s: &str) -> bool {
    url_password_span(s).is_some()
}

/// The byte range of the userinfo password of a URL-shaped string.
fn url_password_span(s: &str) -> Option<(usize, usize)> {
    let scheme_end = s.find("://")?;
    let scheme = &s[..scheme_end];
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let auth_start = scheme_end + 3;
    let rest = &s[auth_start..];
    let auth_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..auth_len];
    let at = authority.rfind('@')?;
    let userinfo = &authority[..at];
    let colon = userinfo.find(':')?;
    if colon + 1 >= userinfo.len() {
        return None;
    }
    Some((auth_start + colon + 1, auth_start + at))
}

/// Masks credentials inside one string value outside secret-named keys: the whole value when
/// it holds a well-known token shape, else a URL's userinfo password and secret-named query
/// parameters (`key`, `token`, `secret`, `password`, `sig`, …).
pub fn redact_string(s: &str) -> String {
    if is_env_reference(s) {
        return s.to_string();
    }
    if looks_like_token(s) {
        return MASK.to_string();
    }
    let mut out = s.to_string();
    if let Some((a, b)) = url_password_span(&out) {
        out.replace_range(a..b, MASK);
    }
    if out.contains("://")
        && let Some(q) = out.find('?')
    {
        let (head, tail) = out.split_at(q + 1);
        let (query, frag) = match tail.find('#') {
            Some(h) => tail.split_at(h),
            None => (tail, ""),
        };
        let query: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) if !v.is_empty() && is_secret_param(k) => format!("{k}={MASK}"),
                _ => pair.to_string(),
            })
            .collect();
        out = format!("{head}{}{frag}", query.join("&"));
    }
    out
}

/// Masks every secret value in `value`: strings under secret-named keys, every value of the
/// `env` block and of `headers` maps, unless the string is a pure `${VAR}` reference; and
/// anywhere else, token-shaped strings, URL userinfo passwords and secret query parameters
/// ([`redact_string`]). SecretRef
/// objects are references, not secrets, and are kept.
pub fn redact(value: &Value) -> Value {
    redact_at(value, false)
}

fn redact_at(value: &Value, secret_context: bool) -> Value {
    match value {
        Value::String(s) if secret_context && !is_env_reference(s) => Value::String(MASK.into()),
        Value::String(s) => Value::String(redact_string(s)),
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                let lower = k.to_ascii_lowercase();
                let ctx = secret_context
                    || is_secret_key(k)
                    || lower == "env"
                    || lower == "vars"
                    || lower == "headers";
                // A SecretRef object under a secret key is kept as is.
                let v = if is_secret_ref(v) {
                    v.clone()
                } else {
                    redact_at(v, ctx)
                };
                out.insert(k.clone(), v);
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| redact_at(v, secret_context)).collect())
        }
        other => other.clone(),
    }
}

fn is_secret_ref(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        m.get("source")
            .and_then(Value::as_str)
            .is_some_and(|s| matches!(s, "env" | "file" | "exec"))
            && m.get("id").is_some_and(Value::is_string)
            && m.keys()
                .all(|k| matches!(k.as_str(), "source" | "provider" | "id"))
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn masks_literals_keeps_references_and_refs() {
        let v = json!({
            "gateway": {"port": 1, "auth": {"token": "abc123", "password": "${PW}"}},
            "models": {"providers": {"x": {"apiKey": {"source": "env", "id": "K"},
                "headers": {"X-Custom": "val"}}}},
            "channels": {"telegram": {"botToken": "123:ABC", "allowFrom": ["1"]}},
            "env": {"vars": {"A": "secretish"}, "B": "${B}"}
        });
        let r = redact(&v);
        assert_eq!(r["gateway"]["auth"]["token"], MASK);
        assert_eq!(r["gateway"]["auth"]["password"], "${PW}");
        assert_eq!(r["gateway"]["port"], 1);
        assert_eq!(
            r["models"]["providers"]["x"]["apiKey"],
            json!({"source": "env", "id": "K"})
        );
        assert_eq!(r["models"]["providers"]["x"]["headers"]["X-Custom"], MASK);
        assert_eq!(r["channels"]["telegram"]["botToken"], MASK);
        assert_eq!(r["channels"]["telegram"]["allowFrom"][0], "1");
        assert_eq!(r["env"]["vars"]["A"], MASK);
        assert_eq!(r["env"]["B"], "${B}");
        let text = r.to_string();
        assert!(
            !text.contains("abc123") && !text.contains("123:ABC") && !text.contains("secretish")
        );
    }

    #[test]
    fn bypass_config_get_secrets_outside_secret_keys() {
        let v = json!({
            "models": {"providers": {"x": {"baseUrl": "https://user:hunter2pass@llm.example.com/v1?api_key=K3Y&model=m&sig=S1G"}}},
            "tools": {"web": {"search": {"notes": "sk-proj-abcdefghijklmnopqrstuv"}}},
            "a": ["ghp_abcdefghijklmnopqrstuvwxyz0123456789", "github_pat_11ABCDEFG0123456789_abcdefghij",
                  "xoxb-1234567890-abcdefghij", "AKIAABCDEFGHIJKLMNOP", "glpat-abcdefghijklmnopqrst",
                  "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX2hlcmU"],
            "plain": "https://example.com/?q=1&page=2",
            "label": "sk-short"
        });
        let r = redact(&v);
        let text = r.to_string();
        for secret in [
            "hunter2pass",
            "K3Y",
            "S1G",
            "sk-proj",
            "ghp_",
            "github_pat_",
            "xoxb-",
            "AKIAABCD",
            "glpat-",
            "eyJhbGci",
        ] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert_eq!(
            r["models"]["providers"]["x"]["baseUrl"],
            "https://user:<redacted>@llm.example.com/v1?api_key=<redacted>&model=m&sig=<redacted>"
        );
        assert_eq!(r["plain"], "https://example.com/?q=1&page=2");
        assert_eq!(r["label"], "sk-short");
    }

    #[test]
    fn env_reference_shape() {
        assert!(is_env_reference("${A_1}"));
        assert!(!is_env_reference("${a}"));
        assert!(!is_env_reference("x${A}"));
        assert!(!is_env_reference("${1A}"));
    }
}
