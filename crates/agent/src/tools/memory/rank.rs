//! Keyword ranking for `memory_search`: files cut into overlapping line windows, scored with
//! BM25 (k1 = 1.2, b = 0.75) against the query's words. No network, no embeddings.
//!
//! A score is the chunk's BM25 divided by the sum of the query words' IDF — the score of a
//! chunk of average length that holds every query word once — capped at 1: roughly the
//! share of the query's weight the chunk matches. Overlapping windows of one file never
//! both appear: a lower-ranked window overlapping a higher one is dropped.

use std::collections::{HashMap, HashSet};

const K1: f64 = 1.2;
const B: f64 = 0.75;

/// Words too common to rank by.
const STOPWORDS: &[&str] = &[
    "a", "about", "an", "and", "are", "as", "at", "be", "but", "by", "did", "do", "does", "for",
    "from", "had", "has", "have", "how", "i", "in", "is", "it", "its", "me", "my", "of", "on",
    "or", "our", "so", "that", "the", "their", "this", "to", "was", "we", "were", "what", "when",
    "where", "which", "who", "why", "with", "you", "your",
];

/// Lower-cased words of `text` (letters and digits), stopwords dropped.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .collect()
}

/// One window of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    /// The file, relative to the workspace.
    pub path: String,
    /// 1-based first line.
    pub start_line: usize,
    /// 1-based last line (inclusive).
    pub end_line: usize,
    /// The lines' text.
    pub text: String,
}

/// Cuts `text` into windows of `size` lines advancing by `size - overlap`; blank lines at a
/// window's edges are left out of it; windows with no text are dropped.
pub fn chunks(path: &str, text: &str, size: usize, overlap: usize) -> Vec<Chunk> {
    let lines: Vec<&str> = text.lines().collect();
    let size = size.max(1);
    let step = size.saturating_sub(overlap).max(1);
    let mut out = Vec::new();
    let mut start = 0;
    while start < lines.len() {
        let end = (start + size).min(lines.len());
        let window = &lines[start..end];
        let first = window.iter().position(|l| !l.trim().is_empty());
        let last = window.iter().rposition(|l| !l.trim().is_empty());
        if let (Some(f), Some(l)) = (first, last) {
            out.push(Chunk {
                path: path.to_string(),
                start_line: start + f + 1,
                end_line: start + l + 1,
                text: window[f..=l].join("\n"),
            });
        }
        if end == lines.len() {
            break;
        }
        start += step;
    }
    out
}

/// A ranked chunk.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The chunk.
    pub chunk: Chunk,
    /// 0..=1.
    pub score: f64,
}

/// The chunks matching `query`, best first, at least `min_score`, at most `max`.
pub fn rank(chunks: Vec<Chunk>, query: &str, min_score: f64, max: usize) -> Vec<Hit> {
    let terms: Vec<String> = {
        let mut seen = HashSet::new();
        words(query)
            .into_iter()
            .filter(|w| seen.insert(w.clone()))
            .collect()
    };
    if terms.is_empty() || chunks.is_empty() {
        return Vec::new();
    }
    let docs: Vec<HashMap<String, usize>> = chunks
        .iter()
        .map(|c| {
            let mut tf = HashMap::new();
            for w in words(&c.text) {
                *tf.entry(w).or_insert(0) += 1;
            }
            tf
        })
        .collect();
    let lens: Vec<f64> = docs
        .iter()
        .map(|d| d.values().sum::<usize>() as f64)
        .collect();
    let n = docs.len() as f64;
    let avg = (lens.iter().sum::<f64>() / n).max(1.0);
    let idf: Vec<f64> = terms
        .iter()
        .map(|t| {
            let df = docs.iter().filter(|d| d.contains_key(t)).count() as f64;
            (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
        })
        .collect();
    let norm: f64 = idf.iter().sum();
    let mut hits: Vec<Hit> = chunks
        .into_iter()
        .zip(docs.iter().zip(&lens))
        .filter_map(|(chunk, (doc, &len))| {
            let raw: f64 = terms
                .iter()
                .zip(&idf)
                .map(|(t, idf)| {
                    let tf = *doc.get(t).unwrap_or(&0) as f64;
                    idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg))
                })
                .sum();
            let score = if norm > 0.0 {
                (raw / norm).min(1.0)
            } else {
                0.0
            };
            (raw > 0.0 && score >= min_score).then_some(Hit { chunk, score })
        })
        .collect();
    hits.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.chunk.path.cmp(&b.chunk.path))
            .then_with(|| a.chunk.start_line.cmp(&b.chunk.start_line))
    });
    let mut kept: Vec<Hit> = Vec::new();
    for h in hits {
        let overlaps = kept.iter().any(|k| {
            k.chunk.path == h.chunk.path
                && k.chunk.start_line <= h.chunk.end_line
                && h.chunk.start_line <= k.chunk.end_line
        });
        if !overlaps {
            kept.push(h);
        }
        if kept.len() >= max {
            break;
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_lowercase_split_and_drop_stopwords() {
        assert_eq!(
            words("What did we decide about the Postgres-16 migration?"),
            vec!["decide", "postgres", "16", "migration"]
        );
        assert_eq!(words("Grüße, Ünïcode"), vec!["grüße", "ünïcode"]);
    }

    #[test]
    fn windows_overlap_and_skip_blank_edges() {
        let text = "a\nb\n\nc\nd\ne\n\n";
        let c = chunks("m.md", text, 3, 1);
        let spans: Vec<(usize, usize, &str)> = c
            .iter()
            .map(|c| (c.start_line, c.end_line, c.text.as_str()))
            .collect();
        assert_eq!(spans, vec![(1, 2, "a\nb"), (4, 5, "c\nd"), (5, 6, "d\ne")]);
    }

    #[test]
    fn ranking_prefers_rare_and_repeated_terms_and_drops_overlaps() {
        let mut all = Vec::new();
        all.extend(chunks(
            "memory/2024-05-01.md",
            "Decided to migrate the billing database to Postgres.\nPostgres 16 on the new host.",
            20,
            5,
        ));
        all.extend(chunks(
            "MEMORY.md",
            "The user likes tea.\nThe database backups run nightly.",
            20,
            5,
        ));
        all.extend(chunks("memory/other.md", "Weekend plans: hiking.", 20, 5));
        let hits = rank(all.clone(), "postgres database", 0.0, 10);
        let order: Vec<&str> = hits.iter().map(|h| h.chunk.path.as_str()).collect();
        assert_eq!(order, vec!["memory/2024-05-01.md", "MEMORY.md"]);
        assert!(hits[0].score > hits[1].score);
        assert!(hits.iter().all(|h| h.score > 0.0 && h.score <= 1.0));
        // minScore and maxResults.
        assert_eq!(rank(all.clone(), "postgres database", 0.99, 10).len(), 1);
        assert_eq!(rank(all.clone(), "postgres database", 0.0, 1).len(), 1);
        assert!(rank(all.clone(), "the of and", 0.0, 10).is_empty());
        assert!(rank(all, "kubernetes", 0.0, 10).is_empty());
        // Two overlapping windows hold the needle: only the first is kept.
        let text = (1..=30)
            .map(|i| {
                if i == 8 {
                    "needle here".to_string()
                } else {
                    format!("line {i}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let hits = rank(chunks("memory/n.md", &text, 10, 4), "needle", 0.0, 10);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert!((hits[0].chunk.start_line, hits[0].chunk.end_line) == (1, 10));
    }
}
