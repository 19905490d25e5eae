//! Seen-signature cache: a valid signature is accepted once. Entries live twice the timestamp
//! window (after that the timestamp check refuses the request anyway). Memory is bounded: when
//! full and nothing has expired, new deliveries are refused (fail closed) rather than
//! forgetting signatures that could then be replayed.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::signature::REPLAY_WINDOW_SECS;

/// Most signatures remembered.
pub const MAX_ENTRIES: usize = 1_000_000;

/// Outcome of [`ReplayCache::insert`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// First time: accepted and remembered.
    New,
    /// Already seen: a replay.
    Replay,
    /// The cache is full of live entries.
    Full,
}

#[derive(Debug, Default)]
struct Inner {
    set: HashMap<[u8; 32], Instant>,
    order: VecDeque<([u8; 32], Instant)>,
}

/// The cache.
#[derive(Debug, Default)]
pub struct ReplayCache {
    inner: Mutex<Inner>,
}

impl ReplayCache {
    /// Empty.
    pub fn new() -> ReplayCache {
        ReplayCache::default()
    }

    /// Remembers `tag` (the raw MAC) unless already present.
    pub fn insert(&self, tag: [u8; 32]) -> Seen {
        let ttl = Duration::from_secs(2 * REPLAY_WINDOW_SECS as u64 + 5);
        let now = Instant::now();
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        while let Some((old, at)) = inner.order.front().copied() {
            if now.duration_since(at) <= ttl {
                break;
            }
            inner.order.pop_front();
            inner.set.remove(&old);
        }
        if inner.set.contains_key(&tag) {
            return Seen::Replay;
        }
        if inner.set.len() >= MAX_ENTRIES {
            return Seen::Full;
        }
        inner.set.insert(tag, now);
        inner.order.push_back((tag, now));
        Seen::New
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_insert_is_a_replay() {
        let c = ReplayCache::new();
        assert_eq!(c.insert([1; 32]), Seen::New);
        assert_eq!(c.insert([1; 32]), Seen::Replay);
        assert_eq!(c.insert([2; 32]), Seen::New);
    }
}
