//! Quote removal for one shell word: `r''m` → `rm`, `\rm` → `rm`, `"$HOME"` → dynamic.
//!
//! The word is split by brush-parser into pieces; literal pieces are concatenated, anything
//! bash would expand at run time makes the word [`Arg::Dynamic`]. Command substitutions are
//! returned for recursive analysis, and signs of obfuscation are noted.

use brush_parser::ParserOptions;
use brush_parser::word::{WordPiece, WordPieceWithSource};

use super::facts::Arg;

/// One word after quote removal, with what the caller must still look at.
#[derive(Debug, Default)]
pub(crate) struct Lowered {
    /// The word's text with quotes removed (dynamic parts kept as written).
    pub text: String,
    /// Whether every part was literal.
    pub literal: bool,
    /// Bodies of `$(...)` and backticks in the word, to analyse as shell.
    pub substitutions: Vec<String>,
    /// `$'...'` pieces containing `\x..` or `\NNN` escapes.
    pub ansi_c_escapes: usize,
    /// Backslash-escaped letters or digits (which need no escaping).
    pub needless_escapes: usize,
    /// Empty quotes glued to other text (`r''m`).
    pub empty_quote_splits: usize,
    /// Number of pieces (a plain word has one).
    pub pieces: usize,
    /// Uses `$IFS` / `${IFS}`.
    pub uses_ifs: bool,
    /// Unquoted brace expansion (`{rm,-rf}`).
    pub brace_expansion: bool,
}

impl Lowered {
    /// The word as an [`Arg`].
    pub fn arg(&self, raw: &str) -> Arg {
        if self.literal {
            Arg::Literal(self.text.clone())
        } else {
            Arg::Dynamic(raw.to_string())
        }
    }
}

/// Lowers `raw` (a word exactly as written). A word brush cannot split is dynamic.
pub(crate) fn lower(raw: &str, options: &ParserOptions) -> Lowered {
    let mut out = Lowered {
        literal: true,
        ..Lowered::default()
    };
    // Fast path: nothing to remove or expand.
    if !raw.is_empty()
        && !raw.bytes().any(|b| {
            matches!(
                b,
                b'\'' | b'"' | b'\\' | b'$' | b'`' | b'*' | b'?' | b'[' | b'{' | b'~'
            )
        })
    {
        out.text = raw.to_string();
        out.pieces = 1;
        return out;
    }
    match brush_parser::word::parse(raw, options) {
        Ok(pieces) => {
            out.pieces = pieces.len();
            let n = pieces.len();
            for (i, p) in pieces.iter().enumerate() {
                lower_piece(raw, p, false, i == 0, n, &mut out);
            }
        }
        Err(_) => {
            out.literal = false;
            out.text = raw.to_string();
        }
    }
    out
}

fn lower_piece(
    raw: &str,
    p: &WordPieceWithSource,
    quoted: bool,
    first: bool,
    total: usize,
    out: &mut Lowered,
) {
    match &p.piece {
        WordPiece::Text(s) => {
            if !quoted && has_glob(s) {
                out.literal = false;
            }
            if !quoted && has_brace_expansion(s) {
                out.literal = false;
                out.brace_expansion = true;
            }
            out.text.push_str(s);
        }
        WordPiece::SingleQuotedText(s) => {
            if s.is_empty() && total > 1 {
                out.empty_quote_splits += 1;
            }
            out.text.push_str(s);
        }
        WordPiece::AnsiCQuotedText(s) => {
            let (decoded, escapes) = decode_ansi_c(s);
            out.ansi_c_escapes += escapes;
            out.text.push_str(&decoded);
        }
        WordPiece::DoubleQuotedSequence(inner) | WordPiece::GettextDoubleQuotedSequence(inner) => {
            if inner.is_empty() && total > 1 {
                out.empty_quote_splits += 1;
            }
            for q in inner {
                lower_piece(raw, q, true, false, total, out);
            }
        }
        WordPiece::TildeExpansion(_) => {
            // Kept as written (`~`, `~user`): the file guard expands a leading `~` itself.
            if first {
                out.text
                    .push_str(raw.get(p.start_index..p.end_index).unwrap_or("~"));
            } else {
                out.literal = false;
                out.text
                    .push_str(raw.get(p.start_index..p.end_index).unwrap_or("~"));
            }
        }
        WordPiece::ParameterExpansion(_) => {
            let src = raw.get(p.start_index..p.end_index).unwrap_or("$");
            if src.contains("IFS") {
                out.uses_ifs = true;
            }
            out.literal = false;
            out.text.push_str(src);
        }
        WordPiece::CommandSubstitution(body) | WordPiece::BackquotedCommandSubstitution(body) => {
            out.literal = false;
            out.substitutions.push(body.clone());
            out.text
                .push_str(raw.get(p.start_index..p.end_index).unwrap_or("$()"));
        }
        WordPiece::EscapeSequence(s) => {
            let c = s.strip_prefix('\\').unwrap_or(s);
            if c.chars().all(|c| c.is_ascii_alphanumeric()) && !c.is_empty() {
                out.needless_escapes += 1;
            }
            if quoted && !matches!(c, "$" | "`" | "\"" | "\\" | "\n") {
                // Inside double quotes, `\x` keeps its backslash.
                out.text.push_str(s);
            } else if c != "\n" {
                out.text.push_str(c);
            }
        }
        WordPiece::ArithmeticExpression(_) => {
            out.literal = false;
            out.text
                .push_str(raw.get(p.start_index..p.end_index).unwrap_or("$(())"));
        }
    }
}

fn has_glob(s: &str) -> bool {
    if s.contains('*') || s.contains('?') {
        return true;
    }
    match s.find('[') {
        Some(i) => s[i..].contains(']'),
        None => false,
    }
}

fn has_brace_expansion(s: &str) -> bool {
    let Some(open) = s.find('{') else {
        return false;
    };
    let Some(close) = s[open..].find('}') else {
        return false;
    };
    let inner = &s[open + 1..open + close];
    inner.contains(',') || inner.contains("..")
}

/// Decodes the body of `$'...'`; returns the text and the number of `\xHH` / `\NNN` / `\uHHHH`
/// escapes (the ones that hide letters).
pub(crate) fn decode_ansi_c(s: &str) -> (String, usize) {
    let mut out = String::with_capacity(s.len());
    let mut escapes = 0;
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '\\' || i + 1 >= chars.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let e = chars[i + 1];
        i += 2;
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'e' | 'E' => out.push('\u{1b}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            '\\' | '\'' | '"' | '?' => out.push(e),
            'x' | 'u' | 'U' => {
                let max = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut v: u32 = 0;
                let mut n = 0;
                while n < max && i < chars.len() && chars[i].is_ascii_hexdigit() {
                    v = v * 16 + chars[i].to_digit(16).unwrap_or(0);
                    i += 1;
                    n += 1;
                }
                if n == 0 {
                    out.push('\\');
                    out.push(e);
                } else {
                    escapes += 1;
                    out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                }
            }
            '0'..='7' => {
                let mut v: u32 = e.to_digit(8).unwrap_or(0);
                let mut n = 1;
                while n < 3 && i < chars.len() && chars[i].is_digit(8) {
                    v = v * 8 + chars[i].to_digit(8).unwrap_or(0);
                    i += 1;
                    n += 1;
                }
                escapes += 1;
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            'c' if i < chars.len() => {
                let ctl = (chars[i] as u32) & 0x1f;
                i += 1;
                out.push(char::from_u32(ctl).unwrap_or('\u{fffd}'));
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    (out, escapes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(raw: &str) -> Arg {
        lower(raw, &ParserOptions::default()).arg(raw)
    }

    #[test]
    fn quote_removal() {
        assert_eq!(lit("r''m"), Arg::Literal("rm".into()));
        assert_eq!(lit("\\rm"), Arg::Literal("rm".into()));
        assert_eq!(lit("\"r\"\"m\""), Arg::Literal("rm".into()));
        assert_eq!(lit("'my .env'"), Arg::Literal("my .env".into()));
        assert_eq!(lit("\"$HOME\""), Arg::Dynamic("\"$HOME\"".into()));
        assert_eq!(lit("$'\\x72\\x6d'"), Arg::Literal("rm".into()));
        assert_eq!(lit("~/.ssh/id_rsa"), Arg::Literal("~/.ssh/id_rsa".into()));
        assert_eq!(lit("*.pem"), Arg::Dynamic("*.pem".into()));
        assert_eq!(lit("{rm,-rf}"), Arg::Dynamic("{rm,-rf}".into()));
        assert_eq!(lit("\"a\\b\""), Arg::Literal("a\\b".into()));
        assert_eq!(lit("\"a\\$b\""), Arg::Literal("a$b".into()));
    }

    #[test]
    fn substitutions_are_returned() {
        let l = lower("\"x $(echo rm) `id`\"", &ParserOptions::default());
        assert_eq!(
            l.substitutions,
            vec!["echo rm".to_string(), "id".to_string()]
        );
        assert!(!l.literal);
    }
}
