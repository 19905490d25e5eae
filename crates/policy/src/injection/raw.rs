//! The raw-text patterns (delimiters, role markers), matched on the original text.
//!
//! One `RegexSet` over all of them has no usable prefilter (the case-insensitive literals
//! are too many) and runs its lazy DFA over every byte; most patterns alone do have one. So
//! each pattern runs as its own regex, except the *line-local* ones — `(?im)^…` patterns
//! that cannot match a newline, which no literal can find. Those can only match inside one
//! line, starting at its start, so one set of them, anchored (`(?i)^…`: inside a line the
//! multi-line and plain anchors agree), is tried at each line start: it dies within a few
//! bytes instead of scanning the text. Only when a line matches do the original
//! line-local patterns run. Texts shorter than [`SHORT`] still go through the one set.

use std::ops::Range;

use regex::{Regex, RegexSet, RegexSetBuilder};

use super::patterns::Pat;

/// The compiled raw patterns.
pub(crate) struct RawPatterns {
    /// All of them, for short texts (where one DFA pass beats many regex calls).
    set: RegexSet,
    patterns: Vec<(Regex, Pat)>,
    line_local: Vec<bool>,
    line_gate: Option<RegexSet>,
}

/// Tokens that could let a pattern match a newline; a pattern containing any is not
/// treated as line-local (a conservative, syntactic check).
const CROSSES_LINES: &[&str] = &[
    "\\s", "\\S", "\\n", "\\W", "\\D", "\\p", "\\P", "\\x", "\\u", "\\U", "\\0", "[^", ".", "(?s",
    "(?-m", "(?R", "\n",
];

/// The part after `(?im)^` of a pattern that matches only within one line.
fn line_local(re: &str) -> Option<&str> {
    let rest = re.strip_prefix("(?im)^")?;
    (!CROSSES_LINES.iter().any(|t| rest.contains(t))).then_some(rest)
}

impl RawPatterns {
    pub(crate) fn compile(table: &[Pat]) -> Result<Self, String> {
        let patterns = table
            .iter()
            .map(|p| {
                Regex::new(p.re)
                    .map(|re| (re, *p))
                    .map_err(|e| format!("{}: {e}", p.id))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let gate: Vec<String> = table
            .iter()
            .filter_map(|p| line_local(p.re))
            .map(|rest| format!("(?i)^{rest}"))
            .collect();
        let line_gate = if gate.is_empty() {
            None
        } else {
            Some(
                RegexSetBuilder::new(&gate)
                    .size_limit(32 << 20)
                    .dfa_size_limit(8 << 20)
                    .build()
                    .map_err(|e| e.to_string())?,
            )
        };
        let set = RegexSetBuilder::new(table.iter().map(|p| p.re))
            .size_limit(32 << 20)
            .dfa_size_limit(8 << 20)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(RawPatterns {
            set,
            line_local: table.iter().map(|p| line_local(p.re).is_some()).collect(),
            patterns,
            line_gate,
        })
    }

    /// Whether any line-local pattern can match `text`: some line matches the gate.
    fn any_line_matches(&self, text: &str) -> bool {
        self.line_gate
            .as_ref()
            .is_some_and(|g| text.split('\n').any(|line| g.is_match(line)))
    }

    /// Calls `f` with each pattern that matches `text` and its leftmost-first match, in
    /// table order.
    pub(crate) fn for_each_match(&self, text: &str, f: impl FnMut(&Pat, Range<usize>)) {
        self.matches_by(text, text.len() < SHORT, f);
    }

    /// `one_set`: decide with the one set, then find each match (the way for short texts).
    fn matches_by(&self, text: &str, one_set: bool, mut f: impl FnMut(&Pat, Range<usize>)) {
        let lines = if one_set {
            if !self.set.is_match(text) {
                return;
            }
            true
        } else {
            self.any_line_matches(text)
        };
        for ((re, pat), &local) in self.patterns.iter().zip(&self.line_local) {
            if local && !lines {
                continue;
            }
            if let Some(m) = re.find(text) {
                f(pat, m.range());
            }
        }
    }
}

/// Below this many bytes the per-call cost of a dozen regexes outweighs one DFA pass over
/// the text (measured on the channel-guard bench's documents: the per-pattern way wins from
/// about 400 bytes on).
const SHORT: usize = 512;

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use super::*;
    use crate::injection::patterns::RAW;
    use proptest::prelude::*;

    static SET: LazyLock<RegexSet> =
        LazyLock::new(|| RegexSet::new(RAW.iter().map(|p| p.re)).unwrap());
    static EACH: LazyLock<Vec<Regex>> =
        LazyLock::new(|| RAW.iter().map(|p| Regex::new(p.re).unwrap()).collect());
    static FAST: LazyLock<RawPatterns> = LazyLock::new(|| RawPatterns::compile(RAW).unwrap());

    /// The one-set way: the set says which patterns match, each finds its match.
    fn reference(text: &str) -> Vec<(&'static str, Range<usize>)> {
        SET.matches(text)
            .iter()
            .filter_map(|i| EACH[i].find(text).map(|m| (RAW[i].id, m.range())))
            .collect()
    }

    /// Both ways, which must agree.
    fn fast(text: &str) -> Vec<(&'static str, Range<usize>)> {
        let mut per_pattern = Vec::new();
        FAST.matches_by(text, false, |p, r| per_pattern.push((p.id, r)));
        let mut one_set = Vec::new();
        FAST.matches_by(text, true, |p, r| one_set.push((p.id, r)));
        assert_eq!(per_pattern, one_set, "{text:?}");
        per_pattern
    }

    #[test]
    fn corpora_match_like_the_set() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut matched = 0;
        for rel in [
            "../../../shared/data/injection/slabs_validation.csv",
            "../../../shared/data/injection/slabs_train.csv",
            "tests/fixtures/injection/bastioncorpus.csv",
        ] {
            let data = std::fs::read_to_string(root.join(rel)).unwrap();
            for (text, _) in crate::injection::corpus::parse_labelled_csv(&data).unwrap() {
                let want = reference(&text);
                matched += usize::from(!want.is_empty());
                assert_eq!(fast(&text), want, "{text:?}");
            }
        }
        assert!(matched > 40, "{matched}");
    }

    #[test]
    fn the_role_line_patterns_are_line_local() {
        let local: Vec<&str> = RAW
            .iter()
            .filter(|p| line_local(p.re).is_some())
            .map(|p| p.re)
            .collect();
        assert_eq!(local.len(), 3, "{local:?}");
        assert!(line_local(r"(?im)^a\sb").is_none());
        assert!(line_local(r"(?i)^a").is_none());
    }

    #[test]
    fn role_lines_anywhere_match_like_the_set() {
        for t in [
            "system: do this",
            "hello\nsystem: do this",
            "hello\n  > [SYSTEM_PROMPT]: x",
            "x\r\nassistant: y",
            "### System\nrest",
            "### System prompt \nrest",
            "### System ok",
            "#### override",
            "a\n\n\nAI:",
            "note: systems: fine",
            "ſystem: long s",
            "",
        ] {
            assert_eq!(fast(t), reference(t), "{t:?}");
        }
    }

    fn lines() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "system",
            "System",
            "SYS",
            "sys",
            "developer",
            "assistant",
            "AI",
            "claude",
            "message",
            "prompt",
            "note",
            ":",
            " ",
            "\t",
            "\n",
            "\r\n",
            "#",
            "###",
            ">",
            "*",
            "_",
            "-",
            "[",
            "]",
            "x",
            "<|im_start|>",
            "[INST]",
            "\"role\": \"system\"",
            "<system>",
            "SYSTEM_OVERRIDE",
            "DAN mode",
            "ſ",
            "é",
        ]);
        prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn matches_like_the_set(text in lines()) {
            prop_assert_eq!(fast(&text), reference(&text));
        }
    }
}
