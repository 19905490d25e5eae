//! A Server-Sent Events decoder: bytes in, `(event, data)` pairs out. Lines end in `\n` or
//! `\r\n`; an empty line ends an event; several `data:` lines are joined with `\n`; comments
//! (`:`) and other fields are ignored. One event is capped at [`MAX_EVENT_BYTES`].

/// The largest event accepted (a provider sending more is malformed).
pub const MAX_EVENT_BYTES: usize = 4 * 1024 * 1024;

/// One decoded event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// `event:` (None when absent).
    pub event: Option<String>,
    /// The joined `data:` lines.
    pub data: String,
}

/// Incremental decoder.
#[derive(Debug, Default)]
pub struct SseDecoder {
    buf: Vec<u8>,
    event: Option<String>,
    data: Vec<String>,
}

impl SseDecoder {
    /// Feeds bytes; returns the events completed by them.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Vec<SseEvent>, String> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some(pos) = self.buf.iter().position(|b| *b == b'\n') {
            let mut line: Vec<u8> = self.buf.drain(..=pos).collect();
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            let line = String::from_utf8(line).map_err(|_| "event stream is not UTF-8")?;
            if line.is_empty() {
                if !self.data.is_empty() || self.event.is_some() {
                    out.push(SseEvent {
                        event: self.event.take(),
                        data: std::mem::take(&mut self.data).join("\n"),
                    });
                }
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line.as_str(), ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "event" => self.event = Some(value.to_string()),
                "data" => self.data.push(value.to_string()),
                _ => {}
            }
        }
        let pending = self.buf.len() + self.data.iter().map(String::len).sum::<usize>();
        if pending > MAX_EVENT_BYTES {
            return Err(format!("an event is larger than {MAX_EVENT_BYTES} bytes"));
        }
        Ok(out)
    }

    /// The last event when the stream ended without a blank line.
    pub fn finish(mut self) -> Option<SseEvent> {
        if !self.buf.is_empty() {
            let _ = self.feed(b"\n");
        }
        if self.data.is_empty() {
            None
        } else {
            Some(SseEvent {
                event: self.event.take(),
                data: self.data.join("\n"),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_across_chunks_and_crlf() {
        let mut d = SseDecoder::default();
        assert_eq!(d.feed(b"event: a\r\nda").unwrap_or_default(), vec![]);
        let got = d
            .feed(b"ta: 1\r\ndata: 2\r\n\r\n: c\n\ndata:x\n\n")
            .unwrap_or_default();
        assert_eq!(
            got,
            vec![
                SseEvent {
                    event: Some("a".into()),
                    data: "1\n2".into()
                },
                SseEvent {
                    event: None,
                    data: "x".into()
                },
            ]
        );
        let mut d = SseDecoder::default();
        let _ = d.feed(b"data: tail");
        assert_eq!(d.finish().map(|e| e.data), Some("tail".to_string()));
    }
}
