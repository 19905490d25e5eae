//! Labelled corpora for evaluating the detector: a minimal CSV reader for `text,label` files
//! (RFC 4180 quoting) and the rates the evaluation reports.

/// Parses a `text,label` CSV (header first; label `1` = injection). Rows that do not parse
/// are returned as errors with their line number.
pub fn parse_labelled_csv(data: &str) -> Result<Vec<(String, bool)>, String> {
    let mut rows = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut chars = data.chars().peekable();
    let mut line = 1usize;
    let mut record_line = 1usize;
    let mut header = true;
    let mut end_record = |fields: &mut Vec<String>, rows: &mut Vec<(String, bool)>, at: usize| {
        if header {
            header = false;
            fields.clear();
            return Ok(());
        }
        if fields.len() == 1 && fields[0].is_empty() {
            fields.clear();
            return Ok(());
        }
        if fields.len() != 2 {
            return Err(format!(
                "line {at}: expected 2 fields, got {}",
                fields.len()
            ));
        }
        let label = match fields[1].trim() {
            "1" => true,
            "0" => false,
            other => return Err(format!("line {at}: bad label {other:?}")),
        };
        rows.push((std::mem::take(&mut fields[0]), label));
        fields.clear();
        Ok(())
    };
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
        }
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    in_quotes = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' => in_quotes = true,
            ',' => fields.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                end_record(&mut fields, &mut rows, record_line)?;
                record_line = line;
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        end_record(&mut fields, &mut rows, record_line)?;
    }
    Ok(rows)
}

/// Detection and false-positive rates at one threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rates {
    /// The score threshold (a text is flagged when its score is ≥ this).
    pub threshold: f32,
    /// Injections flagged / injections.
    pub detection: f64,
    /// Benign texts flagged / benign texts.
    pub false_positive: f64,
    /// Injections in the corpus.
    pub positives: usize,
    /// Benign texts in the corpus.
    pub negatives: usize,
}

/// Rates of the deterministic detector on `rows` at `threshold`.
pub fn rates(rows: &[(String, bool)], threshold: f32) -> Rates {
    let (mut tp, mut fp, mut pos, mut neg) = (0usize, 0usize, 0usize, 0usize);
    for (text, label) in rows {
        let flagged = super::score(text).score >= threshold;
        if *label {
            pos += 1;
            tp += usize::from(flagged);
        } else {
            neg += 1;
            fp += usize::from(flagged);
        }
    }
    Rates {
        threshold,
        detection: tp as f64 / pos.max(1) as f64,
        false_positive: fp as f64 / neg.max(1) as f64,
        positives: pos,
        negatives: neg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quotes_and_newlines() {
        let rows = parse_labelled_csv("text,label\n\"a, \"\"b\"\"\nc\",1\nplain,0\n").unwrap();
        assert_eq!(
            rows,
            vec![
                ("a, \"b\"\nc".to_string(), true),
                ("plain".to_string(), false)
            ]
        );
        assert!(parse_labelled_csv("text,label\nx,2\n").is_err());
    }
}
