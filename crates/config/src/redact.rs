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

/// Masks every secret value in `value`: strings under secret-named keys, every value of the
/// `env` block and of `headers` maps, unless the string is a pure `${VAR}` reference. SecretRef
/// objects are references, not secrets, and are kept.
pub fn redact(value: &Value) -> Value {
    redact_at(value, false)
}

fn redact_at(value: &Value, secret_context: bool) -> Value {
    match value {
        Value::String(s) if secret_context && !is_env_reference(s) => Value::String(MASK.into()),
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
    fn env_reference_shape() {
        assert!(is_env_reference("${A_1}"));
        assert!(!is_env_reference("${a}"));
        assert!(!is_env_reference("x${A}"));
        assert!(!is_env_reference("${1A}"));
    }
}
