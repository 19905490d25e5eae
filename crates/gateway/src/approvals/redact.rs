//! What an operator sees of a tool call's parameters: everything needed to judge the call,
//! with secrets masked by `hardclaw_config`'s redaction rules.
//!
//! Unlike a config snapshot, a command line must stay readable, so a string is masked word
//! by word: a word holding a well-known credential shape (`sk-…`, `ghp_…`, a JWT, …) loses
//! that part, URL passwords and secret query parameters are masked
//! ([`hardclaw_config::redact::redact_string`]), and values under secret-named keys (`token`,
//! `apiKey`, `password`, …) and in `env` / `headers` maps are masked whole. Strings longer
//! than [`MAX_STRING_CHARS`] are shortened (a `write` of a large file stays a small frame).
//!
//! Invisible, bidi, tag and control characters are shown as `\u{HEX}` (as OpenClaw's approval
//! prompts do, reference §2.7): a right-to-left override must not make `rm -rf ~` read as
//! something harmless to the person approving it.

use hardclaw_config::redact::{
    MASK, is_env_reference, is_secret_key, looks_like_token, redact_string,
};
use hardclaw_policy::shell::invisible_char_name;
use serde_json::Value;

/// Longest string shown (characters); the rest is replaced by a note.
pub const MAX_STRING_CHARS: usize = 2000;
/// Deepest nesting shown.
const MAX_DEPTH: usize = 16;

/// The redacted copy of `params`.
pub fn redact_params(params: &Value) -> Value {
    walk(params, false, 0)
}

fn walk(value: &Value, secret: bool, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::String("[nested too deeply]".into());
    }
    match value {
        Value::String(s) if secret && !is_env_reference(s) => Value::String(MASK.into()),
        Value::String(s) => Value::String(shorten(&escape_invisible(&redact_text(s)))),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let lower = k.to_ascii_lowercase();
                    let ctx = secret || is_secret_key(k) || lower == "env" || lower == "headers";
                    (k.clone(), walk(v, ctx, depth + 1))
                })
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| walk(v, secret, depth + 1)).collect())
        }
        // Numbers and booleans under a secret key are secrets too (a numeric PIN).
        Value::Number(_) | Value::Bool(_) if secret => Value::String(MASK.into()),
        other => other.clone(),
    }
}

/// Masks credentials inside free text, keeping the rest (and the whitespace) as it was.
pub fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    for c in text.chars() {
        if c.is_whitespace() {
            out.push_str(&redact_word(&word));
            word.clear();
            out.push(c);
        } else {
            word.push(c);
        }
    }
    out.push_str(&redact_word(&word));
    out
}

fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// One whitespace-free word: credential-shaped runs masked (quotes and `=` around them kept),
/// then URL passwords and secret query parameters.
fn redact_word(word: &str) -> String {
    if word.is_empty() {
        return String::new();
    }
    if !looks_like_token(word) {
        return redact_string(word);
    }
    let mut out = String::with_capacity(word.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if looks_like_token(run) {
            out.push_str(MASK);
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in word.chars() {
        if token_char(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Invisible and control characters as `\u{HEX}` (upper-case hex).
pub fn escape_invisible(s: &str) -> String {
    if !s.chars().any(|c| invisible_char_name(c).is_some()) {
        return s.to_string();
    }
    s.chars()
        .map(|c| match invisible_char_name(c) {
            Some(_) => format!("\\u{{{:X}}}", c as u32),
            None => c.to_string(),
        })
        .collect()
}

fn shorten(s: &str) -> String {
    let count = s.chars().count();
    if count <= MAX_STRING_CHARS {
        return s.to_string();
    }
    let head: String = s.chars().take(MAX_STRING_CHARS).collect();
    format!("{head}… [{} more characters]", count - MAX_STRING_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const KEY: &str = "sk-live-0123456789abcdefghij";

    #[test]
    fn a_command_stays_readable_with_its_key_masked() {
        let p = json!({"command": format!("curl -H \"Authorization: Bearer {KEY}\" https://api.example/v1")});
        let r = redact_params(&p);
        let cmd = r["command"].as_str().unwrap();
        assert!(!cmd.contains(KEY), "{cmd}");
        assert_eq!(
            cmd,
            "curl -H \"Authorization: Bearer <redacted>\" https://api.example/v1"
        );
        // The benign neighbour: nothing secret, nothing changed.
        let p = json!({"command": "ls -la notes/ && echo done"});
        assert_eq!(redact_params(&p), p);
    }

    #[test]
    fn urls_secret_keys_env_and_headers_are_masked() {
        let p = json!({
            "url": "https://user:hunter2@example.com/x?api_key=abc123&page=2",
            "env": {"TOKEN": "plain-value", "REF": "${REF}"},
            "headers": {"X-Custom": "v"},
            "password": 1234,
            "apiKey": "abc",
            "path": "notes.txt"
        });
        let r = redact_params(&p);
        let url = r["url"].as_str().unwrap();
        assert!(!url.contains("hunter2") && !url.contains("abc123"), "{url}");
        assert!(url.contains("page=2"));
        assert_eq!(r["env"]["TOKEN"], MASK);
        assert_eq!(r["env"]["REF"], "${REF}");
        assert_eq!(r["headers"]["X-Custom"], MASK);
        assert_eq!(r["password"], MASK);
        assert_eq!(r["apiKey"], MASK);
        assert_eq!(r["path"], "notes.txt");
    }

    #[test]
    fn bidi_and_invisible_characters_are_shown_escaped() {
        // A right-to-left override would reverse the rest of the line for the reader.
        let p = json!({"command": "rm -rf ~ #\u{202E}exe.txt\u{200B}"});
        assert_eq!(
            redact_params(&p)["command"],
            "rm -rf ~ #\\u{202E}exe.txt\\u{200B}"
        );
        // The benign neighbour: ordinary non-ASCII text and layout whitespace are kept.
        let p = json!({"content": "café\n\tnaïve — ok"});
        assert_eq!(redact_params(&p), p);
    }

    #[test]
    fn long_strings_are_shortened_and_whitespace_is_kept() {
        let long = "x".repeat(MAX_STRING_CHARS + 10);
        let r = redact_params(&json!({"content": long}));
        let s = r["content"].as_str().unwrap();
        assert!(s.ends_with("… [10 more characters]"), "{s}");
        assert_eq!(redact_text("a\n\tb  c"), "a\n\tb  c");
    }
}
