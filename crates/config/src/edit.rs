//! Comment-preserving edits of a JSON5 document (`audit --fix`, `config set`).
//!
//! The text is parsed into jsonc-parser's concrete syntax tree, only the edited values are
//! replaced, and the tree is printed back: comments, key order, blank lines, quoting style and
//! `${VAR}` references everywhere else stay byte-for-byte as written. A value that already equals
//! the requested one is not touched at all (so its quoting style survives too).
//!
//! Cosmetic effects of an edit (from jsonc-parser): a replaced or inserted string is written with
//! double quotes, an inserted key is written quoted (`"groupAllowFrom": [...]`), and inserting
//! into a one-line object re-flows that object over several lines.

use std::path::Path;

use jsonc_parser::ParseOptions;
use jsonc_parser::cst::{CstArray, CstInputValue, CstNode, CstObject, CstObjectProp, CstRootNode};
use serde_json::Value;

use crate::error::ConfigError;
use crate::json_path::{JsonPath, Origin, Segment};

/// One edit of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum EditOp {
    /// Replace the value at `path`, or insert the key into its (existing) object. Missing
    /// intermediate objects are created; array elements are never created.
    Set {
        /// Where (in the file being edited, not the merged document).
        path: JsonPath,
        /// The new value.
        value: Value,
    },
    /// Remove the key or array element at `path`; a missing one is not an error.
    Remove {
        /// Where.
        path: JsonPath,
    },
}

impl EditOp {
    /// The path the edit applies to.
    pub fn path(&self) -> &JsonPath {
        match self {
            EditOp::Set { path, .. } | EditOp::Remove { path } => path,
        }
    }
}

/// The parse options used for editing: JSON5 as OpenClaw accepts it, but missing commas between
/// members (which jsonc-parser accepts by default, and JSON5 does not) are a syntax error.
pub fn strict_parse_options() -> ParseOptions {
    ParseOptions {
        allow_missing_commas: false,
        ..ParseOptions::default()
    }
}

/// Applies `ops` in order to `text` and returns the new text. Errors name no file; use
/// [`apply_edits_in`] to have them name one.
pub fn apply_edits(text: &str, ops: &[EditOp]) -> Result<String, ConfigError> {
    apply_edits_in(Path::new("<text>"), text, ops)
}

/// Like [`apply_edits`]; errors name `file` (the file `text` was read from).
pub fn apply_edits_in(file: &Path, text: &str, ops: &[EditOp]) -> Result<String, ConfigError> {
    let root = parse(file, text)?;
    for op in ops {
        match op {
            EditOp::Set { path, value } => set(&root, file, path, value)?,
            EditOp::Remove { path } => remove(&root, file, path)?,
        }
    }
    let out = root.to_string();
    // The printed tree must itself be a valid document; never hand back something the loader
    // would reject.
    parse(file, &out)?;
    Ok(out)
}

fn parse(file: &Path, text: &str) -> Result<CstRootNode, ConfigError> {
    CstRootNode::parse(text, &strict_parse_options()).map_err(|e| ConfigError::Syntax {
        origin: Origin {
            file: file.to_path_buf(),
            line: e.line_display(),
            column: e.column_display(),
        },
        message: e.kind().to_string(),
    })
}

fn edit_error(file: &Path, path: &JsonPath, message: String) -> ConfigError {
    ConfigError::Schema {
        origin: Origin {
            file: file.to_path_buf(),
            line: 1,
            column: 1,
        },
        json_path: path.to_string(),
        message,
        suggestion: None,
    }
}

/// Converts a JSON value into jsonc-parser's input form.
fn to_input(value: &Value) -> CstInputValue {
    match value {
        Value::Null => CstInputValue::Null,
        Value::Bool(b) => CstInputValue::Bool(*b),
        Value::Number(n) => CstInputValue::Number(n.to_string()),
        Value::String(s) => CstInputValue::String(s.clone()),
        Value::Array(items) => CstInputValue::Array(items.iter().map(to_input).collect()),
        Value::Object(map) => {
            CstInputValue::Object(map.iter().map(|(k, v)| (k.clone(), to_input(v))).collect())
        }
    }
}

/// The value a node denotes (its printed text, parsed on its own; comments inside it are fine).
fn node_value(node: &CstNode) -> Option<Value> {
    jsonc_parser::parse_to_serde_value::<Value>(&node.to_string(), &strict_parse_options()).ok()
}

/// Every property named `name` (normally one; duplicates are all edited so that whichever one
/// a reader picks, it sees the edit).
fn props_named(obj: &CstObject, name: &str) -> Vec<CstObjectProp> {
    obj.properties()
        .into_iter()
        .filter(|p| p.decoded_name().is_some_and(|n| n == name))
        .collect()
}

/// A container reached while walking a path.
enum Container {
    Object(CstObject),
    Array(CstArray),
}

fn as_container(node: &CstNode) -> Option<Container> {
    if let Some(obj) = node.as_object() {
        Some(Container::Object(obj))
    } else {
        node.as_array().map(Container::Array)
    }
}

fn set(root: &CstRootNode, file: &Path, path: &JsonPath, value: &Value) -> Result<(), ConfigError> {
    let Some((last, parents)) = path.0.split_last() else {
        // Replacing the whole document.
        if root.value().and_then(|v| node_value(&v)).as_ref() != Some(value) {
            root.set_value(to_input(value));
        }
        return Ok(());
    };
    let mut current = match root.value() {
        Some(node) => as_container(&node).ok_or_else(|| {
            edit_error(
                file,
                path,
                "the document is not an object or array".to_string(),
            )
        })?,
        None => Container::Object(root.object_value_or_set()),
    };
    for (depth, seg) in parents.iter().enumerate() {
        let here = JsonPath(path.0[..=depth].to_vec());
        current = match (current, seg) {
            (Container::Object(obj), Segment::Key(k)) => {
                let props = props_named(&obj, k);
                if props.is_empty() {
                    let created = obj.append(k, CstInputValue::Object(Vec::new()));
                    Container::Object(created.object_value().ok_or_else(|| {
                        edit_error(file, &here, "cannot create the object".to_string())
                    })?)
                } else {
                    if props.len() > 1 {
                        return Err(edit_error(
                            file,
                            &here,
                            "duplicate key on the path; remove one of them first".to_string(),
                        ));
                    }
                    let node = props[0].value().ok_or_else(|| {
                        edit_error(file, &here, "the key has no value".to_string())
                    })?;
                    as_container(&node).ok_or_else(|| {
                        edit_error(file, &here, "is not an object or array".to_string())
                    })?
                }
            }
            (Container::Array(arr), Segment::Index(i)) => {
                let node =
                    arr.elements().into_iter().nth(*i).ok_or_else(|| {
                        edit_error(file, &here, format!("array has no element {i}"))
                    })?;
                as_container(&node).ok_or_else(|| {
                    edit_error(file, &here, "is not an object or array".to_string())
                })?
            }
            (Container::Object(_), Segment::Index(_)) => {
                return Err(edit_error(
                    file,
                    &here,
                    "is an object, not an array".to_string(),
                ));
            }
            (Container::Array(_), Segment::Key(_)) => {
                return Err(edit_error(
                    file,
                    &here,
                    "is an array, not an object".to_string(),
                ));
            }
        };
    }
    match (current, last) {
        (Container::Object(obj), Segment::Key(k)) => {
            let props = props_named(&obj, k);
            if props.is_empty() {
                obj.append(k, to_input(value));
            }
            for prop in props {
                if prop.value().and_then(|v| node_value(&v)).as_ref() != Some(value) {
                    prop.set_value(to_input(value));
                }
            }
            Ok(())
        }
        (Container::Array(arr), Segment::Index(i)) => {
            let node = arr
                .elements()
                .into_iter()
                .nth(*i)
                .ok_or_else(|| edit_error(file, path, format!("array has no element {i}")))?;
            if node_value(&node).as_ref() != Some(value) {
                replace_node(node, to_input(value));
            }
            Ok(())
        }
        (Container::Object(_), Segment::Index(_)) => Err(edit_error(
            file,
            path,
            "parent is an object, not an array".to_string(),
        )),
        (Container::Array(_), Segment::Key(_)) => Err(edit_error(
            file,
            path,
            "parent is an array, not an object".to_string(),
        )),
    }
}

fn replace_node(node: CstNode, value: CstInputValue) {
    if let Some(n) = node.as_string_lit() {
        n.replace_with(value);
    } else if let Some(n) = node.as_number_lit() {
        n.replace_with(value);
    } else if let Some(n) = node.as_boolean_lit() {
        n.replace_with(value);
    } else if let Some(n) = node.as_null_keyword() {
        n.replace_with(value);
    } else if let Some(n) = node.as_word_lit() {
        n.replace_with(value);
    } else if let Some(n) = node.as_object() {
        n.replace_with(value);
    } else if let Some(n) = node.as_array() {
        n.replace_with(value);
    }
}

fn remove(root: &CstRootNode, file: &Path, path: &JsonPath) -> Result<(), ConfigError> {
    let Some((last, parents)) = path.0.split_last() else {
        return Err(edit_error(
            file,
            path,
            "cannot remove the whole document".to_string(),
        ));
    };
    let Some(mut current) = root.value().as_ref().and_then(as_container) else {
        return Ok(());
    };
    for seg in parents {
        let next = match (&current, seg) {
            (Container::Object(obj), Segment::Key(k)) => {
                let props = props_named(obj, k);
                if props.len() > 1 {
                    return Err(edit_error(
                        file,
                        path,
                        "duplicate key on the path; remove one of them first".to_string(),
                    ));
                }
                props.first().and_then(|p| p.value())
            }
            (Container::Array(arr), Segment::Index(i)) => arr.elements().into_iter().nth(*i),
            _ => None,
        };
        match next.as_ref().and_then(as_container) {
            Some(c) => current = c,
            None => return Ok(()),
        }
    }
    match (current, last) {
        (Container::Object(obj), Segment::Key(k)) => {
            for prop in props_named(&obj, k) {
                prop.remove();
            }
        }
        (Container::Array(arr), Segment::Index(i)) => {
            if let Some(node) = arr.elements().into_iter().nth(*i) {
                node.remove();
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set_op(path: &str, value: Value) -> EditOp {
        EditOp::Set {
            path: JsonPath::parse(path),
            value,
        }
    }

    const SAMPLE: &str = r#"// openclaw.json — managed by hand
{
  /* logging first */
  logging: {
    redactSensitive: 'off', // was noisy
    file: '~/logs/openclaw.log',
  },

  // channels below
  channels: {
    whatsapp: { groupPolicy: "open", dmPolicy: 'pairing' },
    telegram: {
      botToken: "${TELEGRAM_BOT_TOKEN}",
      groupPolicy: 'open',   // aligned comment
      accounts: {
        work: {
          groupPolicy: "open",
        },
      },
    },
  },
  gateway: { auth: { token: "${OPENCLAW_GATEWAY_TOKEN}" }, bind: 'loopback' },
}
"#;

    #[test]
    fn replaces_values_and_keeps_everything_else() {
        let ops = [
            set_op("logging.redactSensitive", json!("tools")),
            set_op("channels.telegram.groupPolicy", json!("allowlist")),
            set_op(
                "channels.telegram.accounts.work.groupPolicy",
                json!("allowlist"),
            ),
        ];
        let out = apply_edits(SAMPLE, &ops).expect("edit");
        let expected = r#"// openclaw.json — managed by hand
{
  /* logging first */
  logging: {
    redactSensitive: "tools", // was noisy
    file: '~/logs/openclaw.log',
  },

  // channels below
  channels: {
    whatsapp: { groupPolicy: "open", dmPolicy: 'pairing' },
    telegram: {
      botToken: "${TELEGRAM_BOT_TOKEN}",
      groupPolicy: "allowlist",   // aligned comment
      accounts: {
        work: {
          groupPolicy: "allowlist",
        },
      },
    },
  },
  gateway: { auth: { token: "${OPENCLAW_GATEWAY_TOKEN}" }, bind: 'loopback' },
}
"#;
        assert_eq!(out, expected);
    }

    #[test]
    fn inline_object_edit_stays_inline() {
        let ops = [set_op("channels.whatsapp.groupPolicy", json!("allowlist"))];
        let out = apply_edits(SAMPLE, &ops).expect("edit");
        let expected = SAMPLE.replace(
            r#"whatsapp: { groupPolicy: "open", dmPolicy: 'pairing' }"#,
            r#"whatsapp: { groupPolicy: "allowlist", dmPolicy: 'pairing' }"#,
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn inserts_key_and_creates_intermediate_objects() {
        let text = "{\n  // keep me\n  a: {\n    x: 1,\n  },\n}\n";
        let ops = [
            set_op("a.y", json!(["+1555"])),
            set_op("b.c.d", json!(true)),
        ];
        let out = apply_edits(text, &ops).expect("edit");
        let expected = "{\n  // keep me\n  a: {\n    x: 1,\n    \"y\": [\"+1555\"],\n  },\n  \"b\": {\n    \"c\": {\n      \"d\": true\n    }\n  },\n}\n";
        assert_eq!(out, expected);
    }

    #[test]
    fn equal_value_is_not_rewritten() {
        let ops = [set_op("gateway.bind", json!("loopback"))];
        assert_eq!(apply_edits(SAMPLE, &ops).expect("edit"), SAMPLE);
        assert_eq!(apply_edits(SAMPLE, &[]).expect("no edit"), SAMPLE);
    }

    #[test]
    fn remove_key_and_missing_key() {
        let text = "{\n  a: 1, // one\n  b: 2,\n}\n";
        let out = apply_edits(
            text,
            &[EditOp::Remove {
                path: JsonPath::parse("b"),
            }],
        )
        .expect("edit");
        assert_eq!(out, "{\n  a: 1, // one\n}\n");
        let same = apply_edits(
            text,
            &[EditOp::Remove {
                path: JsonPath::parse("zz.y"),
            }],
        )
        .expect("edit");
        assert_eq!(same, text);
    }

    #[test]
    fn array_element_replace() {
        let text = "{ list: [ 'a', 'b' ] }";
        let out = apply_edits(text, &[set_op("list[1]", json!("c"))]).expect("edit");
        assert_eq!(out, "{ list: [ 'a', \"c\" ] }");
        let err = apply_edits(text, &[set_op("list[5]", json!("c"))]).expect_err("no element");
        assert!(err.to_string().contains("list[5]"), "{err}");
    }

    #[test]
    fn duplicate_keys_are_all_set() {
        let text = "{ a: 'open', a: 'open' }";
        let out = apply_edits(text, &[set_op("a", json!("allowlist"))]).expect("edit");
        assert_eq!(out, "{ a: \"allowlist\", a: \"allowlist\" }");
    }

    #[test]
    fn missing_comma_is_a_syntax_error() {
        let err = apply_edits_in(Path::new("/c.json"), "{ a: 1\n b: 2 }", &[]).expect_err("strict");
        assert!(matches!(err, ConfigError::Syntax { .. }), "{err}");
        assert!(err.to_string().starts_with("/c.json:"), "{err}");
    }

    #[test]
    fn descending_into_scalar_is_an_error() {
        let err = apply_edits("{ a: 1 }", &[set_op("a.b", json!(1))]).expect_err("scalar");
        assert!(err.to_string().contains("not an object"), "{err}");
    }

    #[test]
    fn string_escaping_is_valid() {
        let out = apply_edits("{}", &[set_op("s", json!("q\"\\\n"))]).expect("edit");
        let back: Value =
            jsonc_parser::parse_to_serde_value(&out, &strict_parse_options()).expect("parse");
        assert_eq!(back, json!({"s": "q\"\\\n"}));
    }
}
