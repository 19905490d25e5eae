//! Suspicious Unicode (§2.7): invisible and format characters, bidi controls, tag characters,
//! and confusable or mixed-script command words. NFKC does not remove any of these, so they
//! are looked for explicitly.

use unicode_security::{MixedScript, skeleton};

use super::facts::ExecFact;

/// Name of an invisible / control character, or `None` for an ordinary one (tab, newline and
/// carriage return are ordinary). Also what a person approving a command must see escaped.
pub fn invisible(c: char) -> Option<&'static str> {
    let n = c as u32;
    Some(match n {
        0x00AD => "SOFT HYPHEN",
        0x034F => "COMBINING GRAPHEME JOINER",
        0x061C => "ARABIC LETTER MARK",
        0x115F | 0x1160 | 0x3164 | 0xFFA0 => "HANGUL FILLER",
        0x17B4 | 0x17B5 => "KHMER VOWEL INHERENT",
        0x180B..=0x180D | 0x180F => "MONGOLIAN FREE VARIATION SELECTOR",
        0x180E => "MONGOLIAN VOWEL SEPARATOR",
        0x200B => "ZERO WIDTH SPACE",
        0x200C => "ZERO WIDTH NON-JOINER",
        0x200D => "ZERO WIDTH JOINER",
        0x200E => "LEFT-TO-RIGHT MARK",
        0x200F => "RIGHT-TO-LEFT MARK",
        0x202A => "LEFT-TO-RIGHT EMBEDDING",
        0x202B => "RIGHT-TO-LEFT EMBEDDING",
        0x202C => "POP DIRECTIONAL FORMATTING",
        0x202D => "LEFT-TO-RIGHT OVERRIDE",
        0x202E => "RIGHT-TO-LEFT OVERRIDE",
        0x2060 => "WORD JOINER",
        0x2061..=0x2064 => "INVISIBLE OPERATOR",
        0x2066 => "LEFT-TO-RIGHT ISOLATE",
        0x2067 => "RIGHT-TO-LEFT ISOLATE",
        0x2068 => "FIRST STRONG ISOLATE",
        0x2069 => "POP DIRECTIONAL ISOLATE",
        0x206A..=0x206F => "DEPRECATED FORMAT CHARACTER",
        0x2800 => "BRAILLE PATTERN BLANK",
        0xFE00..=0xFE0F => "VARIATION SELECTOR",
        0xFEFF => "ZERO WIDTH NO-BREAK SPACE",
        0xFFF9..=0xFFFB => "INTERLINEAR ANNOTATION",
        0xE0001 => "LANGUAGE TAG",
        0xE0020..=0xE007F => "TAG CHARACTER",
        0xE0100..=0xE01EF => "VARIATION SELECTOR SUPPLEMENT",
        0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD => "PRIVATE USE CHARACTER",
        0x0000..=0x0008 | 0x000B | 0x000C | 0x000E..=0x001F | 0x007F..=0x009F => {
            "CONTROL CHARACTER"
        }
        0x2028 => "LINE SEPARATOR",
        0x2029 => "PARAGRAPH SEPARATOR",
        _ => return None,
    })
}

/// Invisible, bidi, tag and control characters anywhere in `text`.
pub(crate) fn scan_text(text: &str, out: &mut Vec<String>) {
    if text.is_ascii()
        && !text
            .bytes()
            .any(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') || b == 0x7f)
    {
        return;
    }
    for c in text.chars() {
        if let Some(name) = invisible(c) {
            let entry = format!("U+{:04X} {name}", c as u32);
            if !out.contains(&entry) {
                out.push(entry);
            }
        }
    }
}

/// Non-ASCII program names (homoglyphs such as Cyrillic `гm` for `rm`, fullwidth `ｒｍ`) and
/// mixed-script words in arguments.
pub(crate) fn scan_words(facts: &[ExecFact], out: &mut Vec<String>) {
    for f in facts {
        for (i, a) in f.argv.iter().enumerate() {
            let w = a.text();
            if w.is_ascii() {
                continue;
            }
            let looks_like: String = skeleton(w).collect();
            let program = i == 0;
            let mixed = !w.is_single_script();
            if !(program || mixed) {
                continue;
            }
            for c in w
                .chars()
                .filter(|c| !c.is_ascii() && invisible(*c).is_none())
            {
                let what = if program {
                    "NON-ASCII CHARACTER IN COMMAND NAME"
                } else {
                    "MIXED-SCRIPT CONFUSABLE"
                };
                let entry = format!(
                    "U+{:04X} {what} in `{w}` (looks like `{looks_like}`)",
                    c as u32
                );
                if !out.contains(&entry) {
                    out.push(entry);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_are_named() {
        let mut out = Vec::new();
        scan_text("r\u{200b}m -rf / \u{202e} \u{e0041}", &mut out);
        assert_eq!(
            out,
            vec![
                "U+200B ZERO WIDTH SPACE".to_string(),
                "U+202E RIGHT-TO-LEFT OVERRIDE".to_string(),
                "U+E0041 TAG CHARACTER".to_string()
            ]
        );
        let mut none = Vec::new();
        scan_text("echo café 東京", &mut none);
        assert!(none.is_empty());
    }
}
