//! The folding loop behind [`super::normalize::fold`], built for throughput: ASCII bytes
//! fold through a 128-entry table and every other Basic Multilingual Plane character
//! through a 64 Ki-entry table computed once from [`classify`] itself, so the fast path
//! cannot disagree with the classification it replaces. Characters whose folding depends on
//! their neighbours or that count as hidden evidence (zero-width, joiners, bidi controls,
//! a BOM), and those outside the BMP, take the slow path through [`classify`].
//!
//! With `EVENTS`, the pass also records where any window of the text could carry evidence
//! that depends on more than the folded letters: invisible characters, words mixing Latin
//! with look-alikes, and runs of one-letter words long enough to spell a spaced-out
//! keyword. [`super::windows`] scores windows without such an event from this one fold.

use std::ops::Range;
use std::sync::LazyLock;

use super::normalize::{Class, Folded, Hidden, classify, leet};
use super::patterns::SPACED_KEYWORDS;

/// Table entry kinds (low byte; the payload sits above it).
const SEP: u32 = 0;
const DROP: u32 = 1;
const ASCII: u32 = 2;
const LOOKALIKE: u32 = 3;
/// A letter whose lowercase form is itself: its UTF-8 bytes are copied.
const OTHER_SAME: u32 = 4;
/// A letter with a one-character lowercase form (payload: that character).
const OTHER_MAPPED: u32 = 5;
const SLOW: u32 = 6;

/// ASCII byte → folded byte, or `A_SEP` / `A_DROP`.
const A_SEP: u8 = 0;
const A_DROP: u8 = 1;

const fn ascii_table() -> [u8; 128] {
    let mut t = [A_SEP; 128];
    let mut b = 0u8;
    while b < 128 {
        t[b as usize] = match b {
            b'A'..=b'Z' => leet(b | 0x20),
            b'a'..=b'z' | b'0'..=b'9' | b'@' | b'$' => leet(b),
            b'\'' => A_DROP,
            _ => A_SEP,
        };
        b += 1;
    }
    t
}

static ASCII_FOLD: [u8; 128] = ascii_table();

static BMP: LazyLock<Box<[u32]>> = LazyLock::new(|| {
    (0..0x1_0000u32)
        .map(|cp| char::from_u32(cp).map_or(SLOW, entry))
        .collect()
});

/// The table entry of one character, derived from [`classify`]: a character whose class or
/// hidden counters change with its context takes the slow path.
fn entry(c: char) -> u32 {
    if c.is_ascii() {
        return SLOW;
    }
    let mut h1 = Hidden::default();
    let mut h2 = Hidden::default();
    let c1 = classify(c, 1, b"aaaaaaaa", &mut h1, true);
    let c2 = classify(c, 1, b"        ", &mut h2, false);
    if c1 != c2 || h1 != Hidden::default() || h2 != Hidden::default() {
        return SLOW;
    }
    match c1 {
        Class::Sep => SEP,
        Class::Drop => DROP,
        Class::Ascii(a) => ASCII | u32::from(a) << 8,
        Class::Lookalike(a) => LOOKALIKE | u32::from(a) << 8,
        Class::Other(o) => {
            let mut lower = o.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) if l == c => OTHER_SAME,
                (Some(l), None) => OTHER_MAPPED | (l as u32) << 8,
                _ => SLOW,
            }
        }
    }
}

/// A spaced-out keyword needs a run of at least `max(4, shortest keyword)` one-letter words
/// in a window; at most two of them (the window's first and last words) can be cut from
/// longer words, so the whole text has a run of at least this many whole one-letter words
/// there. The word ending such a run is an event.
const SPACED_EVENT_RUN: u32 = {
    let mut min = usize::MAX;
    let mut i = 0;
    while i < SPACED_KEYWORDS.len() {
        if SPACED_KEYWORDS[i].len() < min {
            min = SPACED_KEYWORDS[i].len();
        }
        i += 1;
    }
    let need = if min > 4 { min } else { 4 };
    (need - 2) as u32
};

/// The loop's state: output, word tracking and (with `EVENTS`) the evidence positions.
struct Pass<const OFFSETS: bool, const EVENTS: bool> {
    out: Vec<u8>,
    offsets: Vec<u32>,
    hidden: Hidden,
    last_space: bool,
    word_ascii: bool,
    word_lookalike: bool,
    word_len: u32,
    word_start: usize,
    single_run: u32,
    spaced_run: bool,
    prev_ascii_letter: bool,
    events: Vec<Range<usize>>,
}

impl<const OFFSETS: bool, const EVENTS: bool> Pass<OFFSETS, EVENTS> {
    fn new(len: usize) -> Self {
        let mut out = Vec::with_capacity(len + 2);
        out.push(b' ');
        let mut offsets = Vec::new();
        if OFFSETS {
            offsets.reserve(len + 3);
            offsets.push(0);
        }
        Pass {
            out,
            offsets,
            hidden: Hidden::default(),
            last_space: true,
            word_ascii: false,
            word_lookalike: false,
            word_len: 0,
            word_start: 0,
            single_run: 0,
            spaced_run: false,
            prev_ascii_letter: false,
            events: Vec::new(),
        }
    }

    #[inline(always)]
    fn push(&mut self, b: u8, at: usize) {
        self.out.push(b);
        if OFFSETS {
            self.offsets.push(at as u32);
        }
    }

    #[inline(always)]
    fn start_letter(&mut self, at: usize) {
        if EVENTS && self.word_len == 0 {
            self.word_start = at;
        }
        self.word_len += 1;
        self.last_space = false;
    }

    #[inline(always)]
    fn sep(&mut self, at: usize) {
        if !self.last_space {
            self.end_word(at);
            self.push(b' ', at);
            self.last_space = true;
        }
        self.prev_ascii_letter = false;
    }

    /// `folded` is the byte after leet folding; `alpha` whether the character was a letter.
    #[inline(always)]
    fn ascii(&mut self, folded: u8, alpha: bool, at: usize) {
        self.start_letter(at);
        self.push(folded, at);
        self.word_ascii |= alpha;
        self.prev_ascii_letter = alpha;
    }

    /// A run of ASCII bytes that all fold to letters or digits (what [`Self::ascii`] does
    /// to each of them, in bulk).
    #[inline(always)]
    fn ascii_run(&mut self, run: &[u8], at: usize) {
        let Some(&last) = run.last() else {
            return;
        };
        if EVENTS && self.word_len == 0 {
            self.word_start = at;
        }
        self.word_len += run.len() as u32;
        self.last_space = false;
        self.out
            .extend(run.iter().map(|&b| ASCII_FOLD[(b & 0x7f) as usize]));
        if OFFSETS {
            self.offsets.extend((at..at + run.len()).map(|k| k as u32));
        }
        self.word_ascii |= run.iter().any(u8::is_ascii_alphabetic);
        self.prev_ascii_letter = last.is_ascii_alphabetic();
    }

    #[inline(always)]
    fn lookalike(&mut self, a: u8, at: usize) {
        self.start_letter(at);
        self.push(leet(a), at);
        self.word_lookalike = true;
        self.prev_ascii_letter = true;
        if self.hidden.first[3].is_none() {
            self.hidden.first[3] = Some(at);
        }
    }

    #[inline(always)]
    fn other_bytes(&mut self, bytes: &[u8], at: usize) {
        self.start_letter(at);
        self.out.extend_from_slice(bytes);
        if OFFSETS {
            for _ in 0..bytes.len() {
                self.offsets.push(at as u32);
            }
        }
        self.prev_ascii_letter = false;
    }

    fn other(&mut self, c: char, at: usize) {
        self.start_letter(at);
        for l in c.to_lowercase() {
            let mut buf = [0u8; 4];
            let enc = l.encode_utf8(&mut buf).as_bytes();
            self.out.extend_from_slice(enc);
            if OFFSETS {
                for _ in 0..enc.len() {
                    self.offsets.push(at as u32);
                }
            }
        }
        self.prev_ascii_letter = false;
    }

    #[inline]
    fn class(&mut self, class: Class, at: usize) {
        match class {
            Class::Drop => {}
            Class::Sep => self.sep(at),
            Class::Ascii(a) => self.ascii(leet(a), a.is_ascii_alphabetic(), at),
            Class::Lookalike(a) => self.lookalike(a, at),
            Class::Other(c) => self.other(c, at),
        }
    }

    #[inline]
    fn end_word(&mut self, at: usize) {
        if self.word_ascii && self.word_lookalike {
            self.hidden.homoglyph_words += 1;
            if EVENTS {
                self.events.push(self.word_start..at);
            }
        }
        if self.word_len == 1 {
            self.single_run += 1;
            if EVENTS && self.single_run >= SPACED_EVENT_RUN {
                self.events.push(self.word_start..at);
            }
            if self.single_run >= 4 {
                self.spaced_run = true;
            }
        } else if self.word_len > 1 {
            self.single_run = 0;
        }
        self.word_ascii = false;
        self.word_lookalike = false;
        self.word_len = 0;
    }

    fn finish(mut self, end: usize) -> (Folded, Vec<Range<usize>>) {
        self.end_word(end);
        if !self.last_space {
            self.push(b' ', end);
        }
        if OFFSETS {
            self.offsets.push(end as u32);
        }
        // Only whole characters were pushed, so this cannot fail; fall back to lossy anyway.
        let text = String::from_utf8(self.out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        let mut events = self.events;
        events.sort_by_key(|r| r.start);
        (
            Folded {
                text,
                offsets: self.offsets,
                hidden: self.hidden,
                spaced_run: self.spaced_run,
            },
            events,
        )
    }
}

fn hidden_count(h: &Hidden) -> u32 {
    h.zero_width + h.joiner_in_word + h.bidi + h.tags
}

/// Folds `text` (offsets only with `OFFSETS`); with `EVENTS`, also returns the byte ranges,
/// sorted by start, of every invisible character counted, every word mixing Latin with
/// look-alikes, and every one-letter word that ends a run of [`SPACED_EVENT_RUN`] of them.
pub(crate) fn fold_pass<const OFFSETS: bool, const EVENTS: bool>(
    text: &str,
) -> (Folded, Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let bmp: &[u32] = &BMP;
    let mut p = Pass::<OFFSETS, EVENTS>::new(text.len());
    let mut i = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            match ASCII_FOLD[b as usize] {
                A_SEP => p.sep(i),
                A_DROP => {}
                _ => {
                    // A run of ASCII letters and digits folds byte for byte.
                    let run = bytes[i..]
                        .iter()
                        .position(|&b| b >= 0x80 || ASCII_FOLD[b as usize] <= A_DROP)
                        .map_or(bytes.len(), |k| i + k);
                    p.ascii_run(&bytes[i..run], i);
                    i = run;
                    continue;
                }
            }
            i += 1;
            continue;
        }
        let Some(c) = text.get(i..).and_then(|t| t.chars().next()) else {
            break;
        };
        let len = c.len_utf8();
        let cp = c as usize;
        let e = bmp.get(cp).copied().unwrap_or(SLOW);
        match e & 0xff {
            SEP => p.sep(i),
            DROP => {}
            ASCII => {
                let a = (e >> 8) as u8;
                p.ascii(leet(a), a.is_ascii_alphabetic(), i);
            }
            LOOKALIKE => p.lookalike((e >> 8) as u8, i),
            OTHER_SAME => p.other_bytes(&bytes[i..i + len], i),
            OTHER_MAPPED => match char::from_u32(e >> 8) {
                Some(l) => {
                    let mut buf = [0u8; 4];
                    p.other_bytes(l.encode_utf8(&mut buf).as_bytes(), i);
                }
                None => p.other(c, i),
            },
            _ => {
                let before = hidden_count(&p.hidden);
                let class = classify(c, i, bytes, &mut p.hidden, p.prev_ascii_letter);
                if EVENTS && hidden_count(&p.hidden) != before {
                    p.events.push(i..i + len);
                }
                p.class(class, i);
            }
        }
        i += len;
    }
    p.finish(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::injection::reference::reference_fold;
    use proptest::prelude::*;

    fn same(a: &Folded, b: &Folded) -> bool {
        a.text == b.text
            && a.offsets == b.offsets
            && a.hidden == b.hidden
            && a.spaced_run == b.spaced_run
    }

    #[test]
    fn every_bmp_entry_agrees_with_classify() {
        let mut slow = 0;
        for cp in 0x80..0x1_0000u32 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let e = entry(c);
            let mut h = Hidden::default();
            let class = classify(c, 1, b"        ", &mut h, false);
            let expect = match e & 0xff {
                SEP => Class::Sep,
                DROP => Class::Drop,
                ASCII => Class::Ascii((e >> 8) as u8),
                LOOKALIKE => Class::Lookalike((e >> 8) as u8),
                OTHER_SAME | OTHER_MAPPED => Class::Other(c),
                _ => {
                    slow += 1;
                    continue;
                }
            };
            assert_eq!(class, expect, "U+{cp:04X}");
            if e & 0xff == OTHER_MAPPED {
                assert_eq!(
                    c.to_lowercase().collect::<String>(),
                    char::from_u32(e >> 8).unwrap().to_string()
                );
            }
            if e & 0xff == OTHER_SAME {
                assert_eq!(c.to_lowercase().collect::<String>(), c.to_string());
            }
        }
        // Only the context-dependent few (and multi-character lowercase forms) are slow.
        assert!(slow < 64, "{slow} slow BMP characters");
    }

    #[test]
    fn matches_the_reference_on_mixed_scripts() {
        for t in [
            "",
            "Ignore ALL previous",
            "1gn0r3 4ll don't",
            "ignоrе previous ЁЖ Straße İstanbul ǅ ﬁ",
            "ig\u{200B}nore a\u{200D}b 👨\u{200D}👩 \u{FEFF}x \u{202E}y \u{E0069}\u{E0067}",
            "\u{FEFF}start",
            "Ｉｇｎｏｒｅ 𝐢𝐠𝐧𝐨𝐫𝐞 ⓘⓖⓝ I g n o r e 私はこんにちは Привет",
        ] {
            let fast = fold_pass::<true, false>(t).0;
            assert!(
                same(&fast, &reference_fold(t)),
                "{t:?}: {fast:?} vs {:?}",
                reference_fold(t)
            );
        }
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "a",
            "B",
            "z",
            "I",
            " ",
            "  ",
            ".",
            "'",
            "1",
            "3",
            "@",
            "$",
            "\n",
            "ignore",
            "е",
            "о",
            "Ж",
            "é",
            "ß",
            "İ",
            "Ⱥ",
            "\u{200B}",
            "\u{200C}",
            "\u{200D}",
            "\u{FEFF}",
            "\u{202E}",
            "\u{2066}",
            "\u{E0041}",
            "\u{E0020}",
            "Ｉ",
            "𝐢",
            "ⓘ",
            "😀",
            "日",
            "\u{AD}",
            "\u{2019}",
            "\u{0301}",
            "\t",
            "\u{3000}",
        ]);
        prop::collection::vec(
            prop_oneof![
                pieces.prop_map(str::to_string),
                any::<char>().prop_map(String::from)
            ],
            0..60,
        )
        .prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn fold_pass_is_the_reference_fold(t in text_strategy()) {
            let fast = fold_pass::<true, false>(&t).0;
            let reference = reference_fold(&t);
            prop_assert!(same(&fast, &reference), "{:?} vs {:?}", fast, reference);
            let (with_events, _) = fold_pass::<true, true>(&t);
            prop_assert!(same(&with_events, &reference));
            let bare = fold_pass::<false, false>(&t).0;
            prop_assert_eq!(bare.text, reference.text);
        }
    }
}
