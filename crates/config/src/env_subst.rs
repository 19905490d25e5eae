//! `${VAR}` substitution in string values (OpenClaw `src/config/env-substitution.ts`).
//!
//! Only string *values* are touched, never keys. A reference is `${NAME}` with `NAME` matching
//! `[A-Z_][A-Z0-9_]*`; `$${NAME}` is an escape for the literal text `${NAME}`; any other `$` text
//! (`$HOME`, `${lower}`, `${`) is left as written. References work anywhere in a string
//! (`"${BASE}/v1"`). A variable that is unset or empty is an error.
//!
//! Variables come from the caller ([`crate::LoadOptions::env`]) and, for names the caller leaves
//! unset or blank, from the config's own `env` block: string entries of `env.vars` and string
//! entries of `env` itself other than `vars` and `shellEnv` (OpenClaw never lets the config
//! override a variable that is already set).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::json_path::JsonPath;
use crate::load::{EnvMap, EnvRef};

/// The variables visible to substitution.
#[derive(Debug)]
pub(crate) struct EnvLookup<'a> {
    primary: &'a EnvMap,
    from_config: BTreeMap<String, String>,
}

impl<'a> EnvLookup<'a> {
    /// `primary` (the caller's variables) plus the `env` block of the document `raw`.
    pub fn new(primary: &'a EnvMap, raw: &Value) -> Self {
        let mut from_config = BTreeMap::new();
        if let Some(env) = raw.get("env").and_then(Value::as_object) {
            if let Some(vars) = env.get("vars").and_then(Value::as_object) {
                collect_strings(vars, &mut from_config);
            }
            let top = env
                .iter()
                .filter(|(k, _)| k.as_str() != "vars" && k.as_str() != "shellEnv");
            for (key, value) in top {
                if let Value::String(s) = value {
                    from_config.insert(key.clone(), s.clone());
                }
            }
        }
        Self {
            primary,
            from_config,
        }
    }

    /// The value of `name`: the caller's unless unset or blank, then the config's.
    pub fn get(&self, name: &str) -> Option<&str> {
        match self.primary.get(name) {
            Some(v) if !v.trim().is_empty() => Some(v),
            primary => self
                .from_config
                .get(name)
                .filter(|v| !v.trim().is_empty())
                .map(String::as_str)
                .or(primary.map(String::as_str)),
        }
    }
}

fn collect_strings(map: &Map<String, Value>, out: &mut BTreeMap<String, String>) {
    for (key, value) in map {
        if let Value::String(s) = value {
            out.insert(key.clone(), s.clone());
        }
    }
}

/// A reference to a variable that is unset or empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Missing {
    pub json_path: String,
    pub var: String,
    /// "not set" or "empty".
    pub state: &'static str,
}

/// One piece of a string value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'s> {
    Text(&'s str),
    /// `$${NAME}`: the literal `${NAME}`.
    Escaped(&'s str),
    /// `${NAME}`.
    Ref(&'s str),
}

fn scan(s: &str) -> Vec<Piece<'_>> {
    let b = s.as_bytes();
    let mut pieces = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let (name_start, escaped) =
                if b.get(i + 1) == Some(&b'$') && b.get(i + 2) == Some(&b'{') {
                    (i + 3, true)
                } else if b.get(i + 1) == Some(&b'{') {
                    (i + 2, false)
                } else {
                    (0, false)
                };
            if name_start > 0
                && let Some(end) = name_end(b, name_start)
            {
                if text_start < i {
                    pieces.push(Piece::Text(&s[text_start..i]));
                }
                let name = &s[name_start..end];
                pieces.push(if escaped {
                    Piece::Escaped(name)
                } else {
                    Piece::Ref(name)
                });
                i = end + 1;
                text_start = i;
                continue;
            }
        }
        i += 1;
    }
    if text_start < s.len() {
        pieces.push(Piece::Text(&s[text_start..]));
    }
    pieces
}

/// If `b[start..]` is `NAME}`, the index of the `}`.
fn name_end(b: &[u8], start: usize) -> Option<usize> {
    let first = *b.get(start)?;
    if !(first.is_ascii_uppercase() || first == b'_') {
        return None;
    }
    let mut i = start + 1;
    while let Some(&c) = b.get(i) {
        match c {
            b'}' => return Some(i),
            b'A'..=b'Z' | b'0'..=b'9' | b'_' => i += 1,
            _ => return None,
        }
    }
    None
}

/// The variables referenced by `s`, in order.
pub(crate) fn references(s: &str) -> Vec<&str> {
    scan(s)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Ref(name) => Some(name),
            _ => None,
        })
        .collect()
}

/// Every reference in the document, with the merged JSON path of its string.
pub(crate) fn collect_refs(value: &Value) -> Vec<EnvRef> {
    let mut refs = Vec::new();
    walk(value, &JsonPath::root(), &mut |path, s| {
        for var in references(s) {
            refs.push(EnvRef {
                json_path: path.to_string(),
                var: var.to_string(),
            });
        }
    });
    refs
}

fn walk(value: &Value, path: &JsonPath, f: &mut impl FnMut(&JsonPath, &str)) {
    match value {
        Value::String(s) => f(path, s),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &path.index(i), f);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                walk(item, &path.key(key.clone()), f);
            }
        }
        _ => {}
    }
}

/// Substitutes one string; `Err((var, state))` at the first unset or empty variable.
pub(crate) fn substitute_str(
    s: &str,
    env: &EnvLookup<'_>,
) -> Result<String, (String, &'static str)> {
    let mut out = String::with_capacity(s.len());
    for piece in scan(s) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Escaped(name) => {
                out.push_str("${");
                out.push_str(name);
                out.push('}');
            }
            Piece::Ref(name) => match env.get(name) {
                Some(v) if !v.is_empty() => out.push_str(v),
                Some(_) => return Err((name.to_string(), "empty")),
                None => return Err((name.to_string(), "not set")),
            },
        }
    }
    Ok(out)
}

/// Substitutes every string value of `value` (keys are left alone).
pub(crate) fn substitute(value: &Value, env: &EnvLookup<'_>) -> Result<Value, Missing> {
    subst_value(value, &JsonPath::root(), env)
}

fn subst_value(value: &Value, path: &JsonPath, env: &EnvLookup<'_>) -> Result<Value, Missing> {
    Ok(match value {
        Value::String(s) => {
            Value::String(substitute_str(s, env).map_err(|(var, state)| Missing {
                json_path: path.to_string(),
                var,
                state,
            })?)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| subst_value(item, &path.index(i), env))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, item) in map {
                out.insert(key.clone(), subst_value(item, &path.key(key.clone()), env)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> EnvMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn sub(s: &str, vars: &EnvMap) -> Result<String, (String, &'static str)> {
        let doc = json!({});
        substitute_str(s, &EnvLookup::new(vars, &doc))
    }

    #[test]
    fn substitution_rules() {
        let vars = env(&[
            ("BASE", "https://x"),
            ("A_1", "a"),
            ("_U", "u"),
            ("EMPTY", ""),
        ]);
        assert_eq!(sub("${BASE}/v1", &vars).unwrap(), "https://x/v1");
        assert_eq!(sub("pre ${A_1}${_U} post", &vars).unwrap(), "pre au post");
        assert_eq!(sub("$${BASE}", &vars).unwrap(), "${BASE}");
        assert_eq!(sub("$${MISSING} ok", &vars).unwrap(), "${MISSING} ok");
        assert_eq!(sub("$$${BASE}", &vars).unwrap(), "$${BASE}");
        for untouched in [
            "${foo}",
            "$BASE",
            "${",
            "${BASE",
            "$",
            "${1A}",
            "$${lower}",
            "${Base}",
        ] {
            assert_eq!(sub(untouched, &vars).unwrap(), untouched);
        }
        assert_eq!(sub("€${A_1}é", &vars).unwrap(), "€aé");
        assert_eq!(
            sub("x ${NOPE}", &vars),
            Err(("NOPE".to_string(), "not set"))
        );
        assert_eq!(sub("${EMPTY}", &vars), Err(("EMPTY".to_string(), "empty")));
    }

    #[test]
    fn keys_are_not_substituted_and_paths_are_reported() {
        let vars = env(&[("X", "1")]);
        let doc = json!({"${X}": "${X}", "list": ["a", {"k": "${Y}"}]});
        let lookup = EnvLookup::new(&vars, &doc);
        let err = substitute(&doc, &lookup).unwrap_err();
        assert_eq!(
            err,
            Missing {
                json_path: "list[1].k".to_string(),
                var: "Y".to_string(),
                state: "not set"
            }
        );
        let doc = json!({"${X}": "${X}"});
        assert_eq!(substitute(&doc, &lookup).unwrap(), json!({"${X}": "1"}));
        let refs = collect_refs(&json!({"a": ["${A} ${B}"], "$${C}": "$${C}"}));
        assert_eq!(
            refs,
            vec![
                EnvRef {
                    json_path: "a[0]".into(),
                    var: "A".into()
                },
                EnvRef {
                    json_path: "a[0]".into(),
                    var: "B".into()
                },
            ]
        );
    }

    #[test]
    fn env_block_fills_unset_variables_only() {
        let vars = env(&[("SET", "outer"), ("BLANK", "")]);
        let doc = json!({"env": {
            "vars": {"SET": "inner", "FROM_VARS": "v", "BLANK": "filled", "NUM": 1},
            "TOP": "t",
            "shellEnv": {"enabled": true},
        }});
        let lookup = EnvLookup::new(&vars, &doc);
        assert_eq!(lookup.get("SET"), Some("outer"));
        assert_eq!(lookup.get("FROM_VARS"), Some("v"));
        assert_eq!(lookup.get("BLANK"), Some("filled"));
        assert_eq!(lookup.get("TOP"), Some("t"));
        assert_eq!(lookup.get("NUM"), None);
        assert_eq!(lookup.get("shellEnv"), None);
        assert_eq!(lookup.get("vars"), None);
    }
}
