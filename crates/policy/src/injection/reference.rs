//! Straightforward reference implementations that the fast paths are tested against: the
//! per-character fold, the `char_indices` chunk walk, the byte-by-byte encoded-run scan, and
//! channel-guard's original loop (chunk, then score each chunk from scratch).

use super::channel_guard::{
    ChannelCheck, ChannelGuard, ChannelVerdict, UNAVAILABLE, block_reason, warn_message,
};
use super::classifier::InjectionClassifier;
use super::detector::{self, Detection};
use super::encoded::{MAX_RUNS, Run, qualify_stretch};
use super::normalize::{Class, FoldView, Folded, Hidden, ascii_class, classify, leet};

/// The straightforward fold the table-driven pass replaced: one `classify` per character.
pub(crate) fn reference_fold(text: &str) -> Folded {
    let mut out: Vec<u8> = vec![b' '];
    let mut offsets: Vec<u32> = vec![0];
    let mut hidden = Hidden::default();
    let (mut word_ascii, mut word_lookalike) = (false, false);
    let (mut word_len, mut single_run) = (0u32, 0u32);
    let mut spaced_run = false;
    let mut prev_ascii_letter = false;
    let mut end_word = |hidden: &mut Hidden, wa: &mut bool, wl: &mut bool, len: &mut u32| {
        if *wa && *wl {
            hidden.homoglyph_words += 1;
        }
        if *len == 1 {
            single_run += 1;
            spaced_run |= single_run >= 4;
        } else if *len > 1 {
            single_run = 0;
        }
        (*wa, *wl, *len) = (false, false, 0);
    };
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        let class = if c.is_ascii() {
            ascii_class(c as u8)
        } else {
            classify(c, i, bytes, &mut hidden, prev_ascii_letter)
        };
        let at = i as u32;
        match class {
            Class::Drop => {}
            Class::Sep => {
                if out.last() != Some(&b' ') {
                    end_word(
                        &mut hidden,
                        &mut word_ascii,
                        &mut word_lookalike,
                        &mut word_len,
                    );
                    out.push(b' ');
                    offsets.push(at);
                }
                prev_ascii_letter = false;
            }
            Class::Ascii(a) => {
                out.push(leet(a));
                offsets.push(at);
                word_ascii |= a.is_ascii_alphabetic();
                word_len += 1;
                prev_ascii_letter = a.is_ascii_alphabetic();
            }
            Class::Lookalike(a) => {
                out.push(leet(a));
                offsets.push(at);
                word_lookalike = true;
                word_len += 1;
                prev_ascii_letter = true;
                hidden.first[3].get_or_insert(i);
            }
            Class::Other(c) => {
                for l in c.to_lowercase() {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(l.encode_utf8(&mut buf).as_bytes());
                    offsets.extend(std::iter::repeat_n(at, l.len_utf8()));
                }
                word_len += 1;
                prev_ascii_letter = false;
            }
        }
    }
    let end = text.len() as u32;
    end_word(
        &mut hidden,
        &mut word_ascii,
        &mut word_lookalike,
        &mut word_len,
    );
    if out.last() != Some(&b' ') {
        out.push(b' ');
        offsets.push(end);
    }
    offsets.push(end);
    Folded {
        text: String::from_utf8(out).unwrap(),
        offsets,
        hidden,
        spaced_run,
    }
}

/// The straightforward `char_indices` walk `chunks` used before `window_ranges`.
pub(crate) fn reference_chunks(text: &str, size: usize, overlap: usize) -> Vec<&str> {
    let size = size.max(1);
    let step = size.saturating_sub(overlap).max(1);
    let mut out = Vec::new();
    let mut start = 0usize;
    while start < text.len() {
        let rest = &text[start..];
        let (mut end, mut next) = (rest.len(), rest.len());
        for (k, (i, _)) in rest.char_indices().enumerate() {
            if k == step {
                next = i;
            }
            if k == size {
                end = i;
                break;
            }
        }
        out.push(&rest[..end]);
        if end == rest.len() {
            break;
        }
        start += next;
    }
    out
}

/// The byte-by-byte scan `find_runs` used before the probing one.
pub(crate) fn reference_runs(text: &str) -> Vec<Run> {
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < bytes.len() && runs.len() < MAX_RUNS {
        if !is_b64(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_b64(bytes[i]) {
            i += 1;
        }
        runs.extend(qualify_stretch(bytes, start..i));
    }
    runs
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'=')
}

/// The detector on the reference fold and runs (the regex stage is shared).
pub(crate) fn reference_score(text: &str) -> Detection {
    let folded = reference_fold(text);
    detector::score_folded(text, &FoldView::whole(&folded), &reference_runs(text))
}

/// channel-guard's loop before `windows`: every chunk scored from scratch.
pub(crate) fn reference_check(
    guard: &ChannelGuard,
    text: &str,
    classifier: &dyn InjectionClassifier,
) -> ChannelCheck {
    let mut check = ChannelCheck {
        verdict: ChannelVerdict::Pass,
        score: 0.0,
        snippet: String::new(),
        signals: Vec::new(),
        error: None,
    };
    if !guard.enabled() || text.is_empty() {
        return check;
    }
    let c = guard.config();
    let fail = |mut check: ChannelCheck, error: String| {
        check.verdict = ChannelVerdict::Block {
            reason: UNAVAILABLE.to_string(),
        };
        check.error = Some(error);
        check
    };
    if let Some(e) = guard.config_error()
        && !c.fail_open
    {
        return fail(check, format!("config: {e}"));
    }
    for chunk in reference_chunks(text, c.chunk_size, c.chunk_overlap) {
        let det = reference_score(chunk);
        let mut s = det.score;
        if !classifier.is_deterministic() && s < c.block_threshold {
            match classifier.classify(chunk) {
                Ok(m) if m.is_finite() => s = s.max(m.clamp(0.0, 1.0)),
                Ok(m) => {
                    if !c.fail_open {
                        return fail(check, format!("classifier returned {m}"));
                    }
                }
                Err(e) => {
                    if !c.fail_open {
                        return fail(check, e);
                    }
                    check.error = Some(e);
                }
            }
        }
        if s >= 0.5 && s >= c.sensitivity && s > check.score {
            check.score = s;
            check.snippet = chunk.chars().take(200).collect();
            check.signals = det.signals;
        }
    }
    check.verdict = if check.score >= c.block_threshold {
        ChannelVerdict::Block {
            reason: block_reason(check.score),
        }
    } else if check.score >= c.warn_threshold {
        ChannelVerdict::Warn {
            message: warn_message(check.score),
        }
    } else {
        ChannelVerdict::Pass
    };
    check
}
