//! Applying the chunks of one `*** Update File:` to a file's text, in memory — Codex's
//! algorithm: each chunk's `@@` context line is found first (from where the previous chunk
//! ended), then its old lines after it; a chunk with no old lines appends at the end. Lines
//! are matched exactly, then ignoring trailing whitespace, then ignoring surrounding
//! whitespace, then with typographic punctuation folded to ASCII (models write `’` and `—`
//! for `'` and `-`). A chunk marked `*** End of File` must match at the end.
//!
//! Line endings: a file that uses CRLF keeps CRLF (the patch's own line endings never
//! matter); the result always ends with a newline.

use super::parse::Chunk;

/// Why a chunk did not apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkError {
    /// 1-based chunk number.
    pub hunk: usize,
    /// What was not found.
    pub message: String,
}

/// The file text after `chunks`.
pub fn apply_chunks(original: &str, chunks: &[Chunk]) -> Result<String, ChunkError> {
    let crlf = original.contains("\r\n");
    let mut lines: Vec<String> = original
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .collect();
    if lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let mut replacements: Vec<(usize, usize, &[String])> = Vec::new();
    let mut from = 0;
    for (n, chunk) in chunks.iter().enumerate() {
        let hunk = n + 1;
        if let Some(ctx) = &chunk.context {
            let Some(at) = seek(&lines, std::slice::from_ref(ctx), from, false) else {
                return Err(ChunkError {
                    hunk,
                    message: format!("context line not found: '{}'", shorten(ctx)),
                });
            };
            from = at + 1;
        }
        if chunk.old.is_empty() {
            let at = if lines.last().is_some_and(String::is_empty) {
                lines.len() - 1
            } else {
                lines.len()
            };
            replacements.push((at, 0, &chunk.new));
            continue;
        }
        let mut old: &[String] = &chunk.old;
        let mut new: &[String] = &chunk.new;
        let mut found = seek(&lines, old, from, chunk.end_of_file);
        if found.is_none() && old.last().is_some_and(String::is_empty) {
            // A trailing blank line in the patch is often just the end of the hunk.
            old = &old[..old.len() - 1];
            if new.last().is_some_and(String::is_empty) {
                new = &new[..new.len() - 1];
            }
            found = seek(&lines, old, from, chunk.end_of_file);
        }
        let Some(at) = found else {
            return Err(ChunkError {
                hunk,
                message: format!(
                    "expected lines not found{}:\n{}",
                    if chunk.end_of_file {
                        " at the end of the file"
                    } else {
                        ""
                    },
                    shorten(&chunk.old.join("\n"))
                ),
            });
        };
        replacements.push((at, old.len(), new));
        from = at + old.len();
    }
    replacements.sort_by_key(|r| r.0);
    for (at, len, new) in replacements.into_iter().rev() {
        lines.splice(at..at + len, new.iter().cloned());
    }
    if !lines.last().is_some_and(String::is_empty) {
        lines.push(String::new());
    }
    Ok(lines.join(if crlf { "\r\n" } else { "\n" }))
}

fn shorten(s: &str) -> String {
    const MAX: usize = 400;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        s.chars().take(MAX).collect::<String>() + "…"
    }
}

/// Where `pattern` occurs in `lines` at or after `start` (only at the very end when `eof`),
/// trying ever looser comparisons.
pub fn seek(lines: &[String], pattern: &[String], start: usize, eof: bool) -> Option<usize> {
    if pattern.is_empty() {
        return Some(start);
    }
    if pattern.len() > lines.len() {
        return None;
    }
    let last = lines.len() - pattern.len();
    let first = if eof { last } else { start };
    let passes: [fn(&str, &str) -> bool; 4] = [
        |a, b| a == b,
        |a, b| a.trim_end() == b.trim_end(),
        |a, b| a.trim() == b.trim(),
        |a, b| fold(a.trim()) == fold(b.trim()),
    ];
    passes.iter().find_map(|eq| {
        (first..=last).find(|&i| {
            lines[i..i + pattern.len()]
                .iter()
                .zip(pattern)
                .all(|(l, p)| eq(l, p))
        })
    })
}

/// Typographic punctuation and exotic spaces folded to ASCII.
fn fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' => '"',
            '\u{00A0}' | '\u{2002}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => ' ',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(context: Option<&str>, old: &[&str], new: &[&str], eof: bool) -> Chunk {
        Chunk {
            context: context.map(str::to_string),
            old: old.iter().map(|s| s.to_string()).collect(),
            new: new.iter().map(|s| s.to_string()).collect(),
            end_of_file: eof,
        }
    }

    #[test]
    fn replaces_in_order_after_the_context() {
        let text = "fn a() {\n    x();\n}\nfn b() {\n    x();\n}\n";
        let out = apply_chunks(
            text,
            &[chunk(
                Some("fn b() {"),
                &["    x();"],
                &["    y();", "    z();"],
                false,
            )],
        );
        assert_eq!(
            out.as_deref(),
            Ok("fn a() {\n    x();\n}\nfn b() {\n    y();\n    z();\n}\n")
        );
    }

    #[test]
    fn whitespace_and_punctuation_slop_is_tolerated() {
        let text = "alpha  \n  beta\nit’s — done\n";
        let out = apply_chunks(
            text,
            &[chunk(
                None,
                &["alpha", "beta", "it's - done"],
                &["ALPHA", "BETA", "it's done"],
                false,
            )],
        );
        assert_eq!(out.as_deref(), Ok("ALPHA\nBETA\nit's done\n"));
    }

    #[test]
    fn crlf_files_stay_crlf_and_a_missing_final_newline_is_added() {
        let out = apply_chunks("a\r\nb\r\nc", &[chunk(None, &["b"], &["B"], false)]);
        assert_eq!(out.as_deref(), Ok("a\r\nB\r\nc\r\n"));
    }

    #[test]
    fn end_of_file_anchors_and_pure_additions_append() {
        let text = "x\ny\nx\n";
        let out = apply_chunks(text, &[chunk(None, &["x"], &["X"], true)]);
        assert_eq!(out.as_deref(), Ok("x\ny\nX\n"));
        let out = apply_chunks(text, &[chunk(None, &[], &["tail"], false)]);
        assert_eq!(out.as_deref(), Ok("x\ny\nx\ntail\n"));
        let out = apply_chunks(text, &[chunk(None, &["y"], &["Y"], true)]);
        assert!(out.is_err(), "y is not at the end");
    }

    #[test]
    fn a_trailing_blank_pattern_line_is_retried_without() {
        let out = apply_chunks("a\nb\n", &[chunk(None, &["b", ""], &["B", ""], false)]);
        assert_eq!(out.as_deref(), Ok("a\nB\n"));
    }

    #[test]
    fn failures_name_the_hunk() {
        let text = "one\ntwo\n";
        let e = apply_chunks(
            text,
            &[
                chunk(None, &["one"], &["1"], false),
                chunk(Some("three"), &["two"], &["2"], false),
            ],
        )
        .err();
        assert_eq!(
            e,
            Some(ChunkError {
                hunk: 2,
                message: "context line not found: 'three'".into()
            })
        );
        let e = apply_chunks(text, &[chunk(None, &["four"], &["4"], false)]).err();
        assert_eq!(
            e.map(|e| e.message),
            Some("expected lines not found:\nfour".into())
        );
        // Chunks apply in order: the second cannot match above the first.
        let e = apply_chunks(
            text,
            &[
                chunk(None, &["two"], &["2"], false),
                chunk(None, &["one"], &["1"], false),
            ],
        );
        assert!(e.is_err());
    }
}
