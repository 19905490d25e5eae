//! One-pass text folding for the detector: case, leetspeak, homoglyphs (Cyrillic/Greek
//! look-alikes, fullwidth and mathematical letters, Latin accents), invisible characters
//! dropped, Unicode tag characters decoded to the ASCII they smuggle, every run of
//! non-letters collapsed to one space. The folded text is what the phrase patterns see;
//! `offsets` maps each folded byte back to the original text for signal spans. This file
//! holds the per-character rules; the table-driven loop that applies them is `fold_pass`.

/// Invisible-character findings made while folding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hidden {
    /// Zero-width characters (ZWSP, word joiner, BOM mid-text, invisible operators, ...).
    pub zero_width: u32,
    /// ZWJ/ZWNJ between two ASCII letters (emoji and Indic/Persian uses are not counted).
    pub joiner_in_word: u32,
    /// Bidirectional embedding/override/isolate controls.
    pub bidi: u32,
    /// Unicode tag characters (U+E0000..U+E007F).
    pub tags: u32,
    /// Words mixing ASCII letters with Cyrillic/Greek/fullwidth look-alikes.
    pub homoglyph_words: u32,
    /// First original byte offset of each kind (zero-width, bidi, tags, homoglyph).
    pub first: [Option<usize>; 4],
}

/// The folded form of a text.
#[derive(Debug, Clone, Default)]
pub struct Folded {
    /// Lowercase, folded, single-spaced, with a leading and trailing space.
    pub text: String,
    /// For each byte of `text`, the original byte offset of the character it came from;
    /// one extra entry (the original length) at the end.
    pub offsets: Vec<u32>,
    /// Invisible-character findings.
    pub hidden: Hidden,
    /// Whether any run of 4+ one-letter words occurred (`I g n o r e`).
    pub spaced_run: bool,
}

/// A folded text as the detector reads it: either a whole [`Folded`] or a window cut from
/// one (see `windows`), with the original offset of each folded byte computed on demand.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FoldView<'a> {
    /// The folded text (a space at both ends).
    pub text: &'a str,
    /// Original offsets of `text[1..]`, before subtracting `base`; bytes past them map to
    /// `end`.
    body: &'a [u32],
    base: u32,
    end: u32,
    /// Invisible-character findings.
    pub hidden: Hidden,
    /// Whether any run of 4+ one-letter words occurred.
    pub spaced_run: bool,
}

impl<'a> FoldView<'a> {
    /// The whole of `f`, which must have been folded with offsets.
    pub(crate) fn whole(f: &'a Folded) -> Self {
        FoldView {
            text: &f.text,
            body: f.offsets.get(1..).unwrap_or(&[]),
            base: 0,
            end: f.offsets.last().copied().unwrap_or(0),
            hidden: f.hidden,
            spaced_run: f.spaced_run,
        }
    }

    /// A window's fold: `text` is its folded text, `body` the offsets of the whole text's
    /// folded bytes that `text[1..]` copies, `base..end` the window in the original text.
    pub(crate) fn window(text: &'a str, body: &'a [u32], base: u32, end: u32) -> Self {
        FoldView {
            text,
            body,
            base,
            end: end - base,
            hidden: Hidden::default(),
            spaced_run: false,
        }
    }

    /// The original offset of folded byte `i` (what `Folded::offsets[i]` holds), relative to
    /// the window; `None` past the end.
    pub(crate) fn offset(&self, i: usize) -> Option<u32> {
        if i == 0 {
            return Some(0);
        }
        if i > self.text.len() {
            return None;
        }
        Some(self.body.get(i - 1).map_or(self.end, |o| o - self.base))
    }
}

/// Folds a letter or digit the way leetspeak writers substitute them. `l` and `1` fold to `i`
/// (patterns are folded the same way, see [`fold_pattern`]).
#[inline]
pub(crate) const fn leet(b: u8) -> u8 {
    match b {
        b'0' => b'o',
        b'1' | b'l' | b'!' | b'|' => b'i',
        b'3' => b'e',
        b'4' | b'@' => b'a',
        b'5' | b'$' => b's',
        b'7' => b't',
        _ => b,
    }
}

/// Applies the detector's letter folding to a regex source written in plain lowercase
/// ASCII: letters are folded like [`leet`] does to text (escapes such as `\s` are kept).
pub fn fold_pattern(src: &str, rot13: bool) -> String {
    let mut out = String::with_capacity(src.len());
    let mut escaped = false;
    for c in src.chars() {
        if escaped {
            out.push(c);
            escaped = false;
            continue;
        }
        if c == '\\' {
            escaped = true;
            out.push(c);
            continue;
        }
        let mut b = c;
        if rot13 && c.is_ascii_lowercase() {
            b = (((c as u8 - b'a') + 13) % 26 + b'a') as char;
        }
        if b == 'l' {
            b = 'i';
        }
        out.push(b);
    }
    out
}

/// Cyrillic and Greek letters that look like Latin ones.
fn homoglyph(c: char) -> Option<u8> {
    Some(match c {
        'а' | 'А' | 'α' | 'Α' => b'a',
        'в' | 'В' | 'β' | 'Β' => b'b',
        'с' | 'С' | 'ϲ' => b'c',
        'ԁ' => b'd',
        'е' | 'Е' | 'ё' | 'Ё' | 'ε' | 'Ε' => b'e',
        'ɡ' => b'g',
        'һ' | 'Һ' | 'Η' => b'h',
        'і' | 'І' | 'ι' | 'Ι' | 'ӏ' => b'i',
        'ј' | 'Ј' => b'j',
        'к' | 'К' | 'κ' | 'Κ' => b'k',
        'м' | 'М' | 'Μ' => b'm',
        'п' | 'η' | 'Ν' => b'n',
        'о' | 'О' | 'ο' | 'Ο' | 'σ' => b'o',
        'р' | 'Р' | 'ρ' | 'Ρ' => b'p',
        'ԛ' => b'q',
        'г' => b'r',
        'ѕ' | 'Ѕ' => b's',
        'т' | 'Т' | 'τ' | 'Τ' => b't',
        'υ' | 'μ' => b'u',
        'ν' | 'ѵ' => b'v',
        'ԝ' | 'ω' => b'w',
        'х' | 'Х' | 'χ' | 'Χ' => b'x',
        'у' | 'У' | 'γ' | 'Υ' => b'y',
        'Ζ' => b'z',
        _ => return None,
    })
}

/// Latin-1 and Latin Extended-A letters with diacritics → base letter.
fn strip_accent(c: char) -> Option<u8> {
    let b = match c {
        'À'..='Å' | 'à'..='å' | 'Ā'..='ą' => b'a',
        'Ç' | 'ç' | 'Ć'..='č' => b'c',
        'Ď'..='đ' => b'd',
        'È'..='Ë' | 'è'..='ë' | 'Ē'..='ě' => b'e',
        'Ĝ'..='ģ' => b'g',
        'Ĥ'..='ħ' => b'h',
        'Ì'..='Ï' | 'ì'..='ï' | 'Ĩ'..='ı' => b'i',
        'Ĵ' | 'ĵ' => b'j',
        'Ķ' | 'ķ' => b'k',
        'Ĺ'..='ł' => b'i',
        'Ñ' | 'ñ' | 'Ń'..='ŉ' => b'n',
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō'..='ő' => b'o',
        'Ŕ'..='ř' => b'r',
        'Ś'..='š' | 'ß' => b's',
        'Ţ'..='ŧ' => b't',
        'Ù'..='Ü' | 'ù'..='ü' | 'Ũ'..='ų' => b'u',
        'Ŵ' | 'ŵ' => b'w',
        'Ý' | 'ý' | 'ÿ' | 'Ŷ'..='Ÿ' => b'y',
        'Ź'..='ž' => b'z',
        _ => return None,
    };
    Some(b)
}

/// What one character folds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// An ASCII byte to fold (letters, digits, leet symbols).
    Ascii(u8),
    /// A look-alike letter (counts towards mixed-script words).
    Lookalike(u8),
    /// Another letter, kept lowercase.
    Other(char),
    /// Dropped without a word break (invisible characters, apostrophes).
    Drop,
    /// A word break.
    Sep,
}

/// Folds `text`, with offsets.
pub fn fold(text: &str) -> Folded {
    fold_with(text, true)
}

/// Folds `text`; `offsets` is left empty unless `with_offsets`.
pub fn fold_with(text: &str, with_offsets: bool) -> Folded {
    if with_offsets {
        super::fold_pass::fold_pass::<true, false>(text).0
    } else {
        super::fold_pass::fold_pass::<false, false>(text).0
    }
}

fn note(first: &mut Option<usize>, at: usize) {
    if first.is_none() {
        *first = Some(at);
    }
}

/// Classifies one non-ASCII character at byte `at` of `bytes`, counting invisible characters
/// in `hidden`; `prev_letter` is whether the last kept character was an ASCII letter.
pub(crate) fn classify(
    c: char,
    at: usize,
    bytes: &[u8],
    hidden: &mut Hidden,
    prev_letter: bool,
) -> Class {
    let cp = c as u32;
    match cp {
        // Zero-width space, word joiner, invisible operators, BOM, Mongolian vowel separator.
        0x200B | 0x2060..=0x2064 | 0x180E | 0xFEFF => {
            if !(cp == 0xFEFF && at == 0) {
                hidden.zero_width += 1;
                note(&mut hidden.first[0], at);
            }
            Class::Drop
        }
        // ZWNJ / ZWJ: legitimate in emoji and several scripts; suspicious inside Latin words.
        0x200C | 0x200D => {
            let next_letter = bytes.get(at + 3).is_some_and(|b| b.is_ascii_alphabetic());
            if prev_letter && next_letter {
                hidden.joiner_in_word += 1;
                note(&mut hidden.first[0], at);
            }
            Class::Drop
        }
        // Soft hyphen: common in web text; dropped silently.
        0x00AD => Class::Drop,
        // Bidi embeddings, overrides and isolates (LRM/RLM are ordinary in RTL text).
        0x202A..=0x202E | 0x2066..=0x2069 => {
            hidden.bidi += 1;
            note(&mut hidden.first[1], at);
            Class::Drop
        }
        // Tag characters smuggle ASCII: decode them.
        0xE0000..=0xE007F => {
            hidden.tags += 1;
            note(&mut hidden.first[2], at);
            let a = (cp - 0xE0000) as u8;
            ascii_class(a)
        }
        // Right single quotation mark used as an apostrophe.
        0x2019 | 0x02BC => Class::Drop,
        // Fullwidth ASCII.
        0xFF01..=0xFF5E => match ascii_class((cp - 0xFEE0) as u8) {
            Class::Ascii(a) => Class::Lookalike(a),
            other => other,
        },
        // Mathematical alphanumeric letters and digits.
        0x1D400..=0x1D6A3 => {
            let k = ((cp - 0x1D400) % 52) as u8;
            Class::Lookalike(if k < 26 { b'a' + k } else { b'a' + k - 26 })
        }
        0x1D7CE..=0x1D7FF => Class::Lookalike(b'0' + ((cp - 0x1D7CE) % 10) as u8),
        // Circled and parenthesised letters.
        0x24B6..=0x24CF => Class::Lookalike(b'a' + (cp - 0x24B6) as u8),
        0x24D0..=0x24E9 => Class::Lookalike(b'a' + (cp - 0x24D0) as u8),
        _ => {
            if let Some(a) = strip_accent(c) {
                Class::Ascii(a)
            } else if let Some(a) = homoglyph(c) {
                Class::Lookalike(a)
            } else if c.is_alphanumeric() {
                Class::Other(c)
            } else if c.is_whitespace() || !c.is_control() && !is_format(cp) {
                Class::Sep
            } else {
                // Other control and format characters are invisible: drop them.
                Class::Drop
            }
        }
    }
}

fn is_format(cp: u32) -> bool {
    matches!(
        cp,
        0x200E | 0x200F | 0x061C | 0x034F | 0x115F | 0x1160 | 0x3164 | 0xFFA0
    )
}

pub(crate) fn ascii_class(a: u8) -> Class {
    match a {
        b'A'..=b'Z' => Class::Ascii(a | 0x20),
        b'a'..=b'z' | b'0'..=b'9' | b'@' | b'$' => Class::Ascii(a),
        b'\'' => Class::Drop,
        _ => Class::Sep,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_leet_homoglyphs_and_invisibles() {
        assert_eq!(fold("Ignore ALL previous").text, " ignore aii previous ");
        assert_eq!(fold("1gn0r3 4ll").text, " ignore aii ");
        // Cyrillic о and е.
        let f = fold("ignоrе previous");
        assert_eq!(f.text, " ignore previous ");
        assert_eq!(f.hidden.homoglyph_words, 1);
        let f = fold("ig\u{200B}nore");
        assert_eq!(f.text, " ignore ");
        assert_eq!(f.hidden.zero_width, 1);
        assert_eq!(fold("don't").text, " dont ");
        assert_eq!(fold("Ｉｇｎｏｒｅ").text, " ignore ");
        assert!(fold("I g n o r e").spaced_run);
        assert!(!fold("I am a cat").spaced_run);
    }

    #[test]
    fn tag_characters_are_decoded() {
        let hidden: String = "hi"
            .chars()
            .map(|c| char::from_u32(0xE0000 + c as u32).unwrap_or(' '))
            .collect();
        let f = fold(&format!("ok{hidden}"));
        assert_eq!(f.text, " okhi ");
        assert_eq!(f.hidden.tags, 2);
    }

    #[test]
    fn offsets_map_back() {
        let f = fold("Ab, c");
        assert_eq!(f.text.len() + 1, f.offsets.len());
        assert_eq!(f.offsets[1], 0);
        assert_eq!(f.offsets[4], 4);
    }

    #[test]
    fn pattern_folding() {
        assert_eq!(fold_pattern("all\\s", false), "aii\\s");
        assert_eq!(fold_pattern("ignore", true), "vtaber");
    }
}
