//! Input limits checked before parsing: brush-parser recurses per nesting level and a stack
//! overflow aborts the process, so deep nesting is refused up front.

use super::Limits;

/// Bracket nesting allowed per unit of [`Limits::max_depth`] (8 → 64 levels of `(`/`{`/`$(`).
const BRACKETS_PER_DEPTH: usize = 8;

/// Checks `code` against `limits`: size, and nesting of `(`, `{`, `[` and backticks counted
/// without regard to quoting (conservative).
pub(crate) fn prescan(code: &str, limits: &Limits) -> Result<(), String> {
    if code.len() > limits.max_bytes {
        return Err(format!(
            "command is {} bytes, more than the {} allowed",
            code.len(),
            limits.max_bytes
        ));
    }
    let max = limits.max_depth.saturating_mul(BRACKETS_PER_DEPTH).max(1);
    let mut depth: usize = 0;
    let mut deepest: usize = 0;
    let mut backtick = false;
    for b in code.bytes() {
        match b {
            b'(' | b'{' | b'[' => depth += 1,
            b')' | b'}' | b']' => depth = depth.saturating_sub(1),
            b'`' => {
                backtick = !backtick;
                if backtick {
                    depth += 1;
                } else {
                    depth = depth.saturating_sub(1);
                }
            }
            _ => {}
        }
        deepest = deepest.max(depth);
    }
    if deepest > max {
        return Err(format!(
            "command nests {deepest} levels deep, more than the {max} allowed"
        ));
    }
    Ok(())
}

/// Openers allowed for analysis on the caller's stack (see [`fits_small_stack`]).
const SMALL_STACK_OPENERS: usize = 16;

/// Whether `code` is certainly shallow: at most 16 openers in total (brackets, backticks and
/// compound-command keywords). A total count bounds the depth whatever the structure, so such
/// code is parsed and walked on the caller's stack; anything else goes to the big-stack thread.
pub(crate) fn fits_small_stack(code: &str) -> bool {
    if code.len() > 4096 {
        return false;
    }
    let brackets = code
        .bytes()
        .filter(|b| matches!(b, b'(' | b'{' | b'[' | b'`'))
        .count();
    if brackets > SMALL_STACK_OPENERS {
        return false;
    }
    let keywords = code
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')'))
        .filter(|w| {
            matches!(
                *w,
                "if" | "while"
                    | "until"
                    | "for"
                    | "case"
                    | "select"
                    | "do"
                    | "then"
                    | "function"
                    | "coproc"
            )
        })
        .count();
    brackets + keywords <= SMALL_STACK_OPENERS
}
