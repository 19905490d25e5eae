//! The OpenAI/Codex patch format, parsed as Codex's `apply_patch` parser does:
//!
//! ```text
//! *** Begin Patch
//! *** Add File: notes/new.md
//! +first line
//! *** Delete File: old.txt
//! *** Update File: src/a.rs
//! *** Move to: src/b.rs
//! @@ fn main() {
//!  context
//! -removed
//! +added
//! *** End of File
//! *** End Patch
//! ```
//!
//! Lenient where Codex is: the whole text is trimmed, a `<<EOF … EOF` heredoc wrapper is
//! dropped, header lines may carry surrounding whitespace, the first hunk of a file may omit
//! `@@`, blank lines between hunks are skipped, a blank line inside a hunk is an empty context
//! line. Beyond Codex: a unified-diff range (`@@ -3,4 +3,5 @@ fn f`) is read as the context
//! text after it, and an update with `*** Move to:` and no hunk is a plain rename.
//!
//! Header paths are trimmed exactly as the file guard's `patch_paths` trims them, so the
//! guard judges every path this parser yields (the executor checks that too).

/// What one file section of a patch does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hunk {
    /// `*** Add File:` — create (or replace) with these contents.
    Add {
        /// The path as written.
        path: String,
        /// The `+` lines, each ending in `\n`.
        contents: String,
    },
    /// `*** Delete File:`.
    Delete {
        /// The path as written.
        path: String,
    },
    /// `*** Update File:` — change, and maybe move.
    Update {
        /// The path as written.
        path: String,
        /// `*** Move to:`.
        move_to: Option<String>,
        /// The changes, in file order.
        chunks: Vec<Chunk>,
    },
}

impl Hunk {
    /// Every path the hunk touches (the move target too).
    pub fn paths(&self) -> Vec<&str> {
        match self {
            Hunk::Add { path, .. } | Hunk::Delete { path } => vec![path.as_str()],
            Hunk::Update { path, move_to, .. } => std::iter::once(path.as_str())
                .chain(move_to.as_deref())
                .collect(),
        }
    }
}

/// One `@@` section of an update.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Chunk {
    /// The `@@ text` line: a line to find first; the change comes after it.
    pub context: Option<String>,
    /// Context and `-` lines (what must be there).
    pub old: Vec<String>,
    /// Context and `+` lines (what replaces it).
    pub new: Vec<String>,
    /// `*** End of File`: the old lines end the file.
    pub end_of_file: bool,
}

/// Why a patch could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid patch (line {line}): {message}")]
pub struct ParseError {
    /// 1-based line of the patch text.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

const BEGIN: &str = "*** Begin Patch";
const END: &str = "*** End Patch";
const ADD: &str = "*** Add File: ";
const DELETE: &str = "*** Delete File: ";
const UPDATE: &str = "*** Update File: ";
const MOVE: &str = "*** Move to: ";
const END_OF_FILE: &str = "*** End of File";

fn error(line: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        message: message.into(),
    }
}

/// A header's path, or an error when empty.
fn header_path(rest: &str, line: usize) -> Result<String, ParseError> {
    let p = rest.trim();
    if p.is_empty() {
        return Err(error(line, "the header names no file"));
    }
    Ok(p.to_string())
}

/// The lines of `text` without a heredoc wrapper, and the line number of the first.
fn unwrap_heredoc(text: &str) -> (Vec<&str>, usize) {
    let lines: Vec<&str> = text.trim().lines().collect();
    let wrapped = lines.len() >= 4
        && matches!(lines[0].trim(), "<<EOF" | "<<'EOF'" | "<<\"EOF\"")
        && lines[lines.len() - 1].trim().ends_with("EOF");
    if wrapped {
        (lines[1..lines.len() - 1].to_vec(), 2)
    } else {
        (lines, 1)
    }
}

/// Parses a whole patch.
pub fn parse(text: &str) -> Result<Vec<Hunk>, ParseError> {
    let (lines, first_no) = unwrap_heredoc(text);
    if lines.first().map(|l| l.trim()) != Some(BEGIN) {
        return Err(error(first_no, "the first line must be '*** Begin Patch'"));
    }
    if lines.len() < 2 || lines.last().map(|l| l.trim()) != Some(END) {
        return Err(error(
            first_no + lines.len().saturating_sub(1),
            "the last line must be '*** End Patch'",
        ));
    }
    let body = &lines[1..lines.len() - 1];
    let no = |i: usize| first_no + 1 + i;
    let mut hunks = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let line = body[i].trim();
        if line.is_empty() {
            i += 1;
            continue;
        }
        if let Some(rest) = line.strip_prefix(ADD) {
            let path = header_path(rest, no(i))?;
            i += 1;
            let mut contents = String::new();
            while let Some(added) = body.get(i).and_then(|l| l.strip_prefix('+')) {
                contents.push_str(added);
                contents.push('\n');
                i += 1;
            }
            hunks.push(Hunk::Add { path, contents });
        } else if let Some(rest) = line.strip_prefix(DELETE) {
            hunks.push(Hunk::Delete {
                path: header_path(rest, no(i))?,
            });
            i += 1;
        } else if let Some(rest) = line.strip_prefix(UPDATE) {
            let path = header_path(rest, no(i))?;
            i += 1;
            let mut move_to = None;
            if let Some(rest) = body.get(i).and_then(|l| l.trim().strip_prefix(MOVE)) {
                move_to = Some(header_path(rest, no(i))?);
                i += 1;
            }
            let mut chunks = Vec::new();
            while i < body.len() {
                if body[i].trim().is_empty() {
                    i += 1;
                    continue;
                }
                if body[i].starts_with("***") {
                    break;
                }
                let (chunk, used) = parse_chunk(&body[i..], no(i), chunks.is_empty())?;
                chunks.push(chunk);
                i += used;
            }
            if chunks.is_empty() && move_to.is_none() {
                return Err(error(no(i), format!("the update of '{path}' has no hunk")));
            }
            hunks.push(Hunk::Update {
                path,
                move_to,
                chunks,
            });
        } else {
            return Err(error(
                no(i),
                format!(
                    "'{line}' is not a valid hunk header; expected '*** Add File: <path>', \
                     '*** Delete File: <path>' or '*** Update File: <path>'"
                ),
            ));
        }
    }
    if hunks.is_empty() {
        return Err(error(first_no, "the patch changes no file"));
    }
    Ok(hunks)
}

/// `@@ -3,4 +3,5 @@ text` → `text`; other context text as is.
fn context_text(ctx: &str) -> Option<String> {
    let rest = ctx.trim_start();
    let ranged = rest.strip_prefix('-').and_then(|r| {
        let (old, r) = r.split_once(' ')?;
        let r = r.strip_prefix('+')?;
        let (new, r) = r.split_once("@@").unwrap_or((r, ""));
        let is_range =
            |s: &str| !s.is_empty() && s.split(',').all(|n| n.chars().all(|c| c.is_ascii_digit()));
        (is_range(old) && is_range(new.trim())).then_some(r)
    });
    let text = ranged.unwrap_or(ctx);
    (!text.trim().is_empty()).then(|| text.trim_start().to_string())
}

/// One chunk from `lines`; the number of lines used.
fn parse_chunk(
    lines: &[&str],
    line_no: usize,
    allow_missing_context: bool,
) -> Result<(Chunk, usize), ParseError> {
    let first = lines[0];
    let (context, start) = if first.trim_end() == "@@" {
        (None, 1)
    } else if let Some(ctx) = first.strip_prefix("@@ ") {
        (context_text(ctx), 1)
    } else if allow_missing_context {
        (None, 0)
    } else {
        return Err(error(
            line_no,
            format!("expected a '@@' line to start the next hunk, got '{first}'"),
        ));
    };
    if start >= lines.len() {
        return Err(error(line_no, "the hunk has no lines"));
    }
    let mut chunk = Chunk {
        context,
        ..Chunk::default()
    };
    let mut used = 0;
    for line in &lines[start..] {
        if line.trim_end() == END_OF_FILE {
            if used == 0 {
                return Err(error(line_no + start, "the hunk has no lines"));
            }
            chunk.end_of_file = true;
            used += 1;
            break;
        }
        match line.chars().next() {
            None => {
                chunk.old.push(String::new());
                chunk.new.push(String::new());
            }
            Some(' ') => {
                chunk.old.push(line[1..].to_string());
                chunk.new.push(line[1..].to_string());
            }
            Some('+') => chunk.new.push(line[1..].to_string()),
            Some('-') => chunk.old.push(line[1..].to_string()),
            Some(_) if used == 0 => {
                return Err(error(
                    line_no + start,
                    format!(
                        "unexpected line '{line}': every hunk line starts with ' ' (context), \
                         '+' (added) or '-' (removed)"
                    ),
                ));
            }
            Some(_) => break,
        }
        used += 1;
    }
    Ok((chunk, used + start))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Vec<Hunk> {
        parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn every_hunk_kind() {
        let hunks = ok("*** Begin Patch\n\
             *** Add File: a/new.md\n+one\n+two\n\
             *** Delete File: old.txt\n\
             *** Update File: src/a.rs\n*** Move to: src/b.rs\n@@ fn main() {\n ctx\n-old\n+new\n*** End of File\n\
             *** End Patch\n");
        assert_eq!(
            hunks,
            vec![
                Hunk::Add {
                    path: "a/new.md".into(),
                    contents: "one\ntwo\n".into()
                },
                Hunk::Delete {
                    path: "old.txt".into()
                },
                Hunk::Update {
                    path: "src/a.rs".into(),
                    move_to: Some("src/b.rs".into()),
                    chunks: vec![Chunk {
                        context: Some("fn main() {".into()),
                        old: vec!["ctx".into(), "old".into()],
                        new: vec!["ctx".into(), "new".into()],
                        end_of_file: true,
                    }]
                },
            ]
        );
    }

    #[test]
    fn lenient_forms() {
        // Heredoc wrapper, CRLF, padded headers, missing first @@, blank lines, a unified range.
        let hunks = ok(
            "<<'EOF'\r\n*** Begin Patch\r\n  *** Update File:  x.txt  \r\n a\r\n-b\r\n+c\r\n\r\n@@ -10,2 +10,2 @@ section\r\n-d\r\n+e\r\n*** End Patch\r\nEOF\r\n",
        );
        let Hunk::Update { path, chunks, .. } = &hunks[0] else {
            panic!("{hunks:?}")
        };
        assert_eq!(path, "x.txt");
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0].context, None);
        assert_eq!(chunks[0].old, vec!["a", "b", ""]);
        assert_eq!(chunks[1].context.as_deref(), Some("section"));
        assert_eq!(
            context_text("-1 +1 @@"),
            None,
            "a bare range has no context"
        );
        assert_eq!(context_text("  def f():").as_deref(), Some("def f():"));
        // A pure rename.
        assert_eq!(
            ok("*** Begin Patch\n*** Update File: a\n*** Move to: b\n*** End Patch"),
            vec![Hunk::Update {
                path: "a".into(),
                move_to: Some("b".into()),
                chunks: vec![]
            }]
        );
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            ("*** Add File: a\n+x\n*** End Patch", 1, "first line"),
            ("*** Begin Patch\n*** Add File: a\n+x", 3, "last line"),
            ("*** Begin Patch\n*** End Patch", 1, "changes no file"),
            (
                "*** Begin Patch\n*** Frobnicate File: a\n*** End Patch",
                2,
                "not a valid hunk header",
            ),
            (
                "*** Begin Patch\n*** Update File: a\n*** End Patch",
                3,
                "has no hunk",
            ),
            (
                "*** Begin Patch\n*** Update File: a\n@@\n*** End Patch",
                3,
                "no lines",
            ),
            (
                "*** Begin Patch\n*** Update File: a\n@@\nbogus\n*** End Patch",
                4,
                "unexpected line",
            ),
            (
                "*** Begin Patch\n*** Update File: a\n@@\n-x\n@@\n*** End of File\n*** End Patch",
                6,
                "no lines",
            ),
            (
                "*** Begin Patch\n*** Delete File:   \n*** End Patch",
                2,
                "not a valid hunk header",
            ),
        ];
        for (text, line, msg) in cases {
            let e = parse(text).err().unwrap_or_else(|| panic!("{text}"));
            assert_eq!(e.line, line, "{text}: {e}");
            assert!(e.message.contains(msg), "{text}: {e}");
        }
    }

    #[test]
    fn a_plus_line_that_looks_like_a_header_is_content() {
        let hunks = ok("*** Begin Patch\n*** Add File: a\n+*** Update File: ../x\n*** End Patch");
        assert_eq!(
            hunks,
            vec![Hunk::Add {
                path: "a".into(),
                contents: "*** Update File: ../x\n".into()
            }]
        );
    }
}
