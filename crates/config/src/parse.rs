//! JSON5 text → [`Node`] tree with positions, plus the duplicate keys found.
//!
//! Uses `jsonc-parser`'s AST with strict options: everything JSON5 allows (comments, unquoted
//! keys, trailing commas, single quotes, hex, `+1`, `.5`, extended escapes) but **no missing
//! commas** (jsonc-parser accepts `{a: 1 b: 2}` by default; JSON5 does not). `Infinity` and `NaN`
//! are scanned, then rejected here with their position: JSON has no such numbers and
//! `serde_json` would silently turn them into `null`.
//!
//! Duplicate keys do not fail the parse: the **last** value wins (as in every JSON5 parser and in
//! OpenClaw), it stays at the position of the first occurrence, and each repetition is reported
//! as a [`ConfigError::DuplicateKey`] whose `json_path` is the path inside that file.

use std::collections::HashMap;
use std::path::Path;

use jsonc_parser::ast::{ObjectPropName, Value as Ast};
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};
use serde_json::Number;

use crate::error::ConfigError;
use crate::json_path::{JsonPath, Origin};
use crate::load::Located;
use crate::tree::{Entry, MAX_NESTING, Node, ObjectNode, too_deep};

/// One parsed file.
#[derive(Debug)]
pub(crate) struct Parsed {
    /// The document.
    pub root: Node,
    /// Where the top-level value starts.
    pub root_origin: Origin,
    /// One [`ConfigError::DuplicateKey`] per repeated key, in document order.
    pub duplicates: Vec<ConfigError>,
}

/// The parser options hardclaw uses everywhere (loading and `--fix` must agree).
pub(crate) fn parse_options() -> ParseOptions {
    ParseOptions {
        allow_comments: true,
        allow_loose_object_property_names: true,
        allow_trailing_commas: true,
        allow_missing_commas: false,
        allow_single_quoted_strings: true,
        allow_hexadecimal_numbers: true,
        allow_unary_plus_numbers: true,
        allow_bare_decimal_point_numbers: true,
        // Scanned so that the error below can say what is wrong and where.
        allow_non_finite_numbers: true,
        allow_extended_string_escapes: true,
    }
}

/// Parses `text` (the contents of `file`, used only for positions).
pub(crate) fn parse_json5(text: &str, file: &Path) -> Result<Parsed, ConfigError> {
    let lines = LineIndex::new(text);
    if text.trim().is_empty() {
        return Err(ConfigError::Syntax {
            origin: lines.origin(file, 0),
            message: "the file is empty; write `{}` for an empty configuration".to_string(),
        });
    }
    let parsed = parse_to_ast(text, &CollectOptions::default(), &parse_options()).map_err(|e| {
        ConfigError::Syntax {
            origin: lines.origin(file, e.range().start),
            message: describe(e.kind()),
        }
    })?;
    let Some(value) = parsed.value else {
        return Err(ConfigError::Syntax {
            origin: lines.origin(file, 0),
            message: "the file contains only comments; write `{}` for an empty configuration"
                .to_string(),
        });
    };
    let mut converter = Converter {
        lines: &lines,
        file,
        duplicates: Vec::new(),
    };
    let root = converter.convert(&value, &JsonPath::root(), 0)?;
    Ok(Parsed {
        root,
        root_origin: lines.origin(file, start_of(&value)),
        duplicates: converter.duplicates,
    })
}

fn describe(kind: &jsonc_parser::errors::ParseErrorKind) -> String {
    use jsonc_parser::errors::ParseErrorKind as K;
    match kind {
        K::ExpectedComma => "expected a comma `,` here, before the next entry".to_string(),
        K::NestingDepthExceeded => "the document is nested too deeply".to_string(),
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => text,
            }
        }
    }
}

fn start_of(value: &Ast<'_>) -> usize {
    match value {
        Ast::StringLit(v) => v.range.start,
        Ast::NumberLit(v) => v.range.start,
        Ast::BooleanLit(v) => v.range.start,
        Ast::Object(v) => v.range.start,
        Ast::Array(v) => v.range.start,
        Ast::NullKeyword(v) => v.range.start,
    }
}

struct Converter<'a> {
    lines: &'a LineIndex<'a>,
    file: &'a Path,
    duplicates: Vec<ConfigError>,
}

impl Converter<'_> {
    fn convert(
        &mut self,
        value: &Ast<'_>,
        path: &JsonPath,
        nesting: usize,
    ) -> Result<Node, ConfigError> {
        if nesting > MAX_NESTING {
            return Err(ConfigError::Syntax {
                origin: self.lines.origin(self.file, start_of(value)),
                message: too_deep(),
            });
        }
        Ok(match value {
            Ast::NullKeyword(_) => Node::Null,
            Ast::BooleanLit(b) => Node::Bool(b.value),
            Ast::StringLit(s) => Node::String(s.value.to_string()),
            Ast::NumberLit(n) => match number(n.value) {
                Some(num) => Node::Number(num),
                None => {
                    return Err(ConfigError::Syntax {
                        origin: self.lines.origin(self.file, n.range.start),
                        message: format!(
                            "`{}` is not a finite number (JSON has no Infinity or NaN, and \
                             numbers must fit in 64 bits); write a finite number",
                            n.value
                        ),
                    });
                }
            },
            Ast::Array(array) => {
                let mut items = Vec::with_capacity(array.elements.len());
                for (i, element) in array.elements.iter().enumerate() {
                    let child = path.index(i);
                    let node = self.convert(element, &child, nesting + 1)?;
                    items.push(Entry {
                        node,
                        at: Located {
                            origin: self.lines.origin(self.file, start_of(element)),
                            local_path: child,
                        },
                    });
                }
                Node::Array(items)
            }
            Ast::Object(object) => {
                let mut out = ObjectNode::default();
                let mut first_line: HashMap<String, usize> = HashMap::new();
                for prop in &object.properties {
                    let (key, start) = match &prop.name {
                        ObjectPropName::String(s) => (s.value.to_string(), s.range.start),
                        ObjectPropName::Word(w) => (w.value.to_string(), w.range.start),
                    };
                    let origin = self.lines.origin(self.file, start);
                    let child = path.key(key.clone());
                    let node = self.convert(&prop.value, &child, nesting + 1)?;
                    match first_line.get(&key) {
                        Some(&first) => self.duplicates.push(ConfigError::DuplicateKey {
                            origin: origin.clone(),
                            json_path: child.to_string(),
                            key: key.clone(),
                            first_line: first,
                        }),
                        None => {
                            first_line.insert(key.clone(), origin.line);
                        }
                    }
                    out.insert(
                        key,
                        Entry {
                            node,
                            at: Located {
                                origin,
                                local_path: child,
                            },
                        },
                    );
                }
                Node::Object(out)
            }
        })
    }
}

/// A JSON5 number literal → `serde_json::Number`; `None` when not finite or out of range.
fn number(raw: &str) -> Option<Number> {
    let (negative, body) = match raw.as_bytes().first() {
        Some(b'-') => (true, raw.get(1..)?),
        Some(b'+') => (false, raw.get(1..)?),
        _ => (false, raw),
    };
    if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        let magnitude = i128::from(u64::from_str_radix(hex, 16).ok()?);
        let value = if negative { -magnitude } else { magnitude };
        return match i64::try_from(value) {
            Ok(v) => Some(v.into()),
            Err(_) => u64::try_from(value).ok().map(Number::from),
        };
    }
    let text = if negative { raw } else { body };
    if let Ok(v) = text.parse::<i64>() {
        return Some(v.into());
    }
    if let Ok(v) = text.parse::<u64>() {
        return Some(v.into());
    }
    let v = text.parse::<f64>().ok()?;
    if v.is_finite() {
        Number::from_f64(v)
    } else {
        None
    }
}

/// Byte offset → 1-based line and column (in characters). Line breaks are `\n`, `\r\n` and a
/// lone `\r`, as in jsonc-parser's own error positions.
#[derive(Debug)]
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        Self { text, starts }
    }

    /// Line and column of a byte offset (clamped to the text).
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |prefix| prefix.chars().count());
        (line, column + 1)
    }

    pub fn origin(&self, file: &Path, offset: usize) -> Origin {
        let (line, column) = self.line_column(offset);
        Origin {
            file: file.to_path_buf(),
            line,
            column,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::tree::flatten;

    fn parse(text: &str) -> Result<Parsed, ConfigError> {
        parse_json5(text, Path::new("cfg.json5"))
    }

    fn to_json(text: &str) -> String {
        let parsed = parse(text).unwrap();
        let mut origins = BTreeMap::new();
        serde_json::to_string(&flatten(parsed.root, &JsonPath::root(), &mut origins)).unwrap()
    }

    fn syntax_at(text: &str) -> (usize, usize, String) {
        match parse(text) {
            Err(ConfigError::Syntax { origin, message }) => (origin.line, origin.column, message),
            other => panic!("expected syntax error, got {other:?}"),
        }
    }

    #[test]
    fn json5_features() {
        let text = r#"// comment
{
  /* block */
  unquoted: 'single',
  hex: 0xFF, neg_hex: -0x10, plus: +10, half: .5, five: 5., big: 1e3,
  "quoted": "a\x41\
b",
  list: [1, 2,],
  nested: { t: true, f: false, n: null },
}"#;
        assert_eq!(
            to_json(text),
            r#"{"unquoted":"single","hex":255,"neg_hex":-16,"plus":10,"half":0.5,"five":5.0,"big":1000.0,"quoted":"aAb","list":[1,2],"nested":{"t":true,"f":false,"n":null}}"#
        );
    }

    #[test]
    fn key_order_is_preserved() {
        assert_eq!(to_json("{z: 1, a: 2, m: 3}"), r#"{"z":1,"a":2,"m":3}"#);
    }

    #[test]
    fn missing_comma_is_an_error_with_position() {
        // Reported right where the comma belongs: just after `1`.
        let (line, column, message) = syntax_at("{\n  a: 1\n  b: 2\n}");
        assert_eq!((line, column), (2, 7), "{message}");
        assert!(message.contains("comma"), "{message}");
        let (line, column, _) = syntax_at("[1 2]");
        assert_eq!((line, column), (1, 3));
    }

    #[test]
    fn unterminated_string_position() {
        let (line, column, message) = syntax_at("{\n  a: 'x',\n  b: \"abc\n}");
        assert_eq!((line, column), (3, 6), "{message}");
        assert!(message.contains("unterminated"), "{message}");
    }

    #[test]
    fn non_finite_numbers_rejected_with_position() {
        for (text, col) in [
            ("{a: Infinity}", 5),
            ("{a: -Infinity}", 5),
            ("{ab: NaN}", 6),
            ("{a: +Infinity}", 5),
            ("{a: 1e999}", 5),
        ] {
            let (line, column, message) = syntax_at(text);
            assert_eq!((line, column), (1, col), "{text}: {message}");
            assert!(message.contains("not a finite number"), "{message}");
        }
        // Words that merely start like Infinity are fine as keys.
        assert_eq!(to_json("{Infinity_count: 1}"), r#"{"Infinity_count":1}"#);
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        // 12 bytes in, but the 9th character.
        let (line, column, _) = syntax_at("{\"é€\": 1 x: 2}");
        assert_eq!((line, column), (1, 9));
    }

    #[test]
    fn empty_and_comment_only_files() {
        let (_, _, message) = syntax_at("  \n\t ");
        assert!(message.contains("empty"), "{message}");
        let (_, _, message) = syntax_at("// nothing\n/* here */");
        assert!(message.contains("only comments"), "{message}");
    }

    #[test]
    fn duplicate_keys_reported_last_wins() {
        let text = "{\n  a: 1,\n  o: {\n    k: 1,\n    k: 2,\n  },\n  a: 3,\n  a: 4,\n}";
        let parsed = parse(text).unwrap();
        let mut origins = BTreeMap::new();
        let value = flatten(parsed.root, &JsonPath::root(), &mut origins);
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            r#"{"a":4,"o":{"k":2}}"#
        );
        let found: Vec<_> = parsed
            .duplicates
            .iter()
            .map(|e| match e {
                ConfigError::DuplicateKey {
                    origin,
                    json_path,
                    key,
                    first_line,
                } => (
                    origin.line,
                    origin.column,
                    json_path.clone(),
                    key.clone(),
                    *first_line,
                ),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            found,
            vec![
                (5, 5, "o.k".to_string(), "k".to_string(), 4),
                (7, 3, "a".to_string(), "a".to_string(), 2),
                (8, 3, "a".to_string(), "a".to_string(), 2),
            ]
        );
        // The kept value's position is the last occurrence.
        assert_eq!(origins["a"].origin.line, 8);
    }

    #[test]
    fn origins_of_keys_and_elements() {
        let parsed = parse("{\n  list: [\n    1,\n    { x: 2 },\n  ],\n}").unwrap();
        let mut origins = BTreeMap::new();
        flatten(parsed.root, &JsonPath::root(), &mut origins);
        let pos = |p: &str| (origins[p].origin.line, origins[p].origin.column);
        assert_eq!(pos("list"), (2, 3));
        assert_eq!(pos("list[0]"), (3, 5));
        assert_eq!(pos("list[1]"), (4, 5));
        assert_eq!(pos("list[1].x"), (4, 7));
        assert_eq!(origins["list[1].x"].local_path.to_string(), "list[1].x");
    }

    #[test]
    fn nesting_is_limited() {
        let deep = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        assert!(parse(&deep(MAX_NESTING)).is_ok());
        let (line, column, message) = syntax_at(&deep(MAX_NESTING + 1));
        assert_eq!((line, column), (1, MAX_NESTING + 2), "{message}");
        assert!(message.contains("nested more than"), "{message}");
        // Far beyond: jsonc-parser's own limit answers, still no stack overflow.
        syntax_at(&deep(100_000));
    }

    #[test]
    fn line_index_handles_cr_and_crlf() {
        let idx = LineIndex::new("a\r\nb\rc\nd");
        assert_eq!(idx.line_column(0), (1, 1));
        assert_eq!(idx.line_column(3), (2, 1));
        assert_eq!(idx.line_column(5), (3, 1));
        assert_eq!(idx.line_column(7), (4, 1));
        assert_eq!(idx.line_column(99), (4, 2));
    }

    proptest! {
        #[test]
        fn parser_never_panics(text in any::<String>()) {
            let _ = parse(&text);
        }

        #[test]
        fn parser_never_panics_on_json5_like_text(
            text in r#"[{}\[\]:,'"a-zA-Z0-9 \n\r\t/*+\-.\\$]{0,64}"#
        ) {
            let _ = parse(&text);
        }
    }
}
