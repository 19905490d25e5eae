//! [`Ring`]: the last `cap` bytes of one output stream of a background command, with absolute
//! offsets so a reader can ask for "everything after what I saw" and learn how much was
//! dropped in between.

use std::collections::VecDeque;

/// A capped byte buffer that keeps the newest bytes.
#[derive(Debug, Clone)]
pub struct Ring {
    buf: VecDeque<u8>,
    cap: usize,
    total: u64,
}

/// Bytes read from a [`Ring`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slice {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Bytes between the requested offset and the first byte still kept (dropped by the cap).
    pub dropped: u64,
    /// Absolute offset just after the returned bytes (where the next read should start).
    pub next: u64,
}

impl Ring {
    /// An empty ring keeping at most `cap` bytes.
    pub fn new(cap: usize) -> Ring {
        Ring {
            buf: VecDeque::new(),
            cap,
            total: 0,
        }
    }

    /// Appends `bytes`, dropping the oldest bytes beyond the cap.
    pub fn push(&mut self, bytes: &[u8]) {
        self.total += bytes.len() as u64;
        let bytes = &bytes[bytes.len().saturating_sub(self.cap)..];
        let overflow = (self.buf.len() + bytes.len()).saturating_sub(self.cap);
        self.buf.drain(..overflow);
        self.buf.extend(bytes);
    }

    /// Bytes ever written.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Absolute offset of the oldest byte kept (= bytes dropped so far).
    pub fn start(&self) -> u64 {
        self.total - self.buf.len() as u64
    }

    /// Up to `max` bytes from absolute offset `from` (never splitting a UTF-8 sequence, unless
    /// a single one is longer than `max`).
    pub fn read_from(&self, from: u64, max: usize) -> Slice {
        let start = self.start();
        let from = from.min(self.total);
        let dropped = start.saturating_sub(from);
        let skip = usize::try_from(from.saturating_sub(start)).unwrap_or(usize::MAX);
        let avail = self.buf.len().saturating_sub(skip);
        let mut take = avail.min(max);
        if take < avail {
            take = utf8_boundary(&self.buf, skip, take);
        }
        let bytes: Vec<u8> = self.buf.range(skip..skip + take).copied().collect();
        Slice {
            next: from.max(start) + take as u64,
            bytes,
            dropped,
        }
    }

    /// Everything kept.
    pub fn contents(&self) -> Vec<u8> {
        self.buf.iter().copied().collect()
    }
}

/// `take`, shortened so that `buf[skip + take]` does not fall inside a UTF-8 sequence.
fn utf8_boundary(buf: &VecDeque<u8>, skip: usize, take: usize) -> usize {
    let is_continuation = |i: usize| buf.get(skip + i).is_some_and(|b| b & 0xC0 == 0x80);
    let mut t = take;
    while t > 0 && take - t < 3 && is_continuation(t) {
        t -= 1;
    }
    if t == 0 || is_continuation(t) {
        take
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_everything_under_the_cap() {
        let mut r = Ring::new(16);
        r.push(b"hello ");
        r.push(b"world");
        assert_eq!(r.contents(), b"hello world");
        assert_eq!((r.start(), r.total()), (0, 11));
        assert_eq!(
            r.read_from(6, 100),
            Slice {
                bytes: b"world".to_vec(),
                dropped: 0,
                next: 11
            }
        );
    }

    #[test]
    fn drops_the_oldest_bytes_and_says_how_many() {
        let mut r = Ring::new(8);
        r.push(b"0123456789");
        r.push(b"abc");
        assert_eq!(r.contents(), b"56789abc");
        assert_eq!((r.start(), r.total()), (5, 13));
        // A reader that had seen 2 bytes missed 3.
        assert_eq!(
            r.read_from(2, 100),
            Slice {
                bytes: b"56789abc".to_vec(),
                dropped: 3,
                next: 13
            }
        );
        // Nothing new after the end.
        assert_eq!(
            r.read_from(13, 100),
            Slice {
                bytes: vec![],
                dropped: 0,
                next: 13
            }
        );
    }

    #[test]
    fn a_push_larger_than_the_cap_keeps_its_tail() {
        let mut r = Ring::new(4);
        r.push(b"abcdefgh");
        assert_eq!(r.contents(), b"efgh");
        assert_eq!(r.start(), 4);
    }

    #[test]
    fn reads_are_limited_and_resume_where_they_stopped() {
        let mut r = Ring::new(64);
        r.push(b"abcdefghij");
        let first = r.read_from(0, 4);
        assert_eq!((first.bytes.as_slice(), first.next), (&b"abcd"[..], 4));
        let second = r.read_from(first.next, 100);
        assert_eq!((second.bytes.as_slice(), second.next), (&b"efghij"[..], 10));
    }

    #[test]
    fn a_limited_read_does_not_split_a_utf8_character() {
        let mut r = Ring::new(64);
        r.push("aé€".as_bytes()); // 1 + 2 + 3 bytes
        let s = r.read_from(0, 2);
        assert_eq!(s.bytes, b"a");
        let s = r.read_from(0, 4);
        assert_eq!(s.bytes, "aé".as_bytes());
        let rest = r.read_from(s.next, 100);
        assert_eq!(rest.bytes, "€".as_bytes());
    }

    #[test]
    fn zero_cap_keeps_nothing_but_counts() {
        let mut r = Ring::new(0);
        r.push(b"abc");
        assert_eq!(r.contents(), b"");
        assert_eq!(r.read_from(0, 10).dropped, 3);
    }
}
