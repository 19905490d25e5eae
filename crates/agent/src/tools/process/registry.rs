//! [`ProcessRegistry`]: the background commands of every session, behind caps.
//!
//! * Ids are `proc-` + 64 random bits (hex), unique in the registry.
//! * A session sees only its own commands: an id of another session (or agent) is looked up
//!   exactly like an id that does not exist.
//! * Caps on running commands per session and in total ([`ProcessLimits`]); a slot is
//!   reserved before the command starts, so concurrent starts cannot overshoot.
//! * A finished command is kept for its `cleanupMs`, then removed (a task per command removes
//!   it on time; every registry call also sweeps). At most [`ProcessLimits::kept_per_session`]
//!   finished commands per session and [`ProcessLimits::kept_total`] in all are kept (the
//!   oldest finished go first), so memory stays bounded by the caps times two rings.
//! * Dropping the registry kills every command still running: the cancel flag for its
//!   supervisor, and `SIGKILL` to its process group at once (no orphans).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use super::io::{BackgroundIo, Spawned, StdinWriter};

/// Caps of a registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessLimits {
    /// Running background commands per session.
    pub per_session: usize,
    /// Running background commands in the whole registry.
    pub total: usize,
    /// Bytes kept of each output stream of one command.
    pub ring_bytes: usize,
    /// Finished commands kept per session.
    pub kept_per_session: usize,
    /// Finished commands kept in the whole registry.
    pub kept_total: usize,
}

impl Default for ProcessLimits {
    fn default() -> Self {
        ProcessLimits {
            per_session: 4,
            total: 16,
            ring_bytes: 1 << 20,
            kept_per_session: 8,
            kept_total: 32,
        }
    }
}

/// Whose command it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Owner {
    /// The agent.
    pub agent_id: String,
    /// The session.
    pub session_key: String,
}

/// Why a command could not get a slot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CapError {
    /// The session's cap.
    #[error(
        "too many background processes in this session ({limit} running): kill or wait for one first"
    )]
    Session {
        /// The cap.
        limit: usize,
    },
    /// The registry's cap.
    #[error("too many background processes on this gateway ({limit} running): try again later")]
    Total {
        /// The cap.
        limit: usize,
    },
    /// No randomness for the id.
    #[error("cannot make a process id: {0}")]
    Id(String),
}

/// One background command.
pub struct Entry {
    /// Its id.
    pub id: String,
    /// Whose it is.
    pub owner: Owner,
    /// The shell text it runs.
    pub command: String,
    /// When it started.
    pub started: Instant,
    /// Output, cancel flag, end.
    pub io: Arc<BackgroundIo>,
    /// Whether `process write` may feed it ([`super::stdin::judge`], decided at start).
    pub stdin_verdict: Result<(), String>,
    /// Its stdin, until closed (`eof`).
    pub stdin: tokio::sync::Mutex<Option<StdinWriter>>,
    /// Its process group.
    pub pgid: Option<u32>,
    /// Keep it this long after it ended.
    pub cleanup: Duration,
    /// Where the last `poll` stopped, per stream (stdout, stderr).
    pub cursors: Mutex<[u64; 2]>,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("id", &self.id)
            .field("owner", &self.owner)
            .field("command", &self.command)
            .field("exit", &self.io.exit())
            .finish_non_exhaustive()
    }
}

impl Entry {
    /// Still running (no end recorded).
    pub fn running(&self) -> bool {
        self.io.exit().is_none()
    }

    fn expired(&self, now: Instant) -> bool {
        self.io
            .ended_at()
            .is_some_and(|t| now.saturating_duration_since(t) >= self.cleanup)
    }

    fn kill_now(&self) {
        self.io.cancel();
        if self.running()
            && let Some(pid) = self
                .pgid
                .and_then(|p| rustix::process::Pid::from_raw(p as i32))
        {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<String, Arc<Entry>>,
    /// Slots reserved by commands being started, per owner.
    starting: HashMap<Owner, usize>,
}

impl Inner {
    fn sweep(&mut self, now: Instant, limits: &ProcessLimits) {
        self.entries.retain(|_, e| !e.expired(now));
        // Beyond the kept caps, the oldest finished commands go first.
        let mut finished: Vec<(Instant, String, Owner)> = self
            .entries
            .values()
            .filter_map(|e| Some((e.io.ended_at()?, e.id.clone(), e.owner.clone())))
            .collect();
        if finished.len() <= limits.kept_per_session.min(limits.kept_total) {
            return;
        }
        finished.sort_by(|x, y| (x.0, &x.1).cmp(&(y.0, &y.1)));
        let mut per_owner: HashMap<&Owner, usize> = HashMap::new();
        for (_, _, o) in &finished {
            *per_owner.entry(o).or_default() += 1;
        }
        let mut total = finished.len();
        let mut evict = Vec::new();
        for (_, id, o) in &finished {
            let n = per_owner.get(o).copied().unwrap_or(0);
            if n > limits.kept_per_session || total > limits.kept_total {
                evict.push(id.clone());
                per_owner.insert(o, n - 1);
                total -= 1;
            }
        }
        for id in evict {
            self.entries.remove(&id);
        }
    }

    fn running_of(&self, owner: &Owner) -> usize {
        self.entries
            .values()
            .filter(|e| e.owner == *owner && e.running())
            .count()
            + self.starting.get(owner).copied().unwrap_or(0)
    }

    fn running_total(&self) -> usize {
        self.entries.values().filter(|e| e.running()).count()
            + self.starting.values().sum::<usize>()
    }
}

/// The background commands of every session (one per gateway; one per executor by default).
#[derive(Debug, Default)]
pub struct ProcessRegistry {
    limits: ProcessLimits,
    inner: Arc<Mutex<Inner>>,
}

/// A reserved slot; dropping it without [`Reservation::commit`] frees it.
#[derive(Debug)]
pub struct Reservation {
    inner: Weak<Mutex<Inner>>,
    owner: Owner,
    id: String,
    committed: bool,
}

/// What a started command brings to [`Reservation::commit`].
#[derive(Debug)]
pub struct Started {
    /// The shell text.
    pub command: String,
    /// Its shared state.
    pub io: Arc<BackgroundIo>,
    /// What the backend returned.
    pub spawned: Spawned,
    /// Whether it may be written to.
    pub stdin_verdict: Result<(), String>,
    /// Keep it this long after it ended.
    pub cleanup: Duration,
}

fn lock(m: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn random_id() -> Result<String, CapError> {
    let mut bytes = [0u8; 8];
    rustix::rand::getrandom(&mut bytes, rustix::rand::GetRandomFlags::empty())
        .map_err(|e| CapError::Id(e.to_string()))?;
    Ok(format!(
        "proc-{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

impl ProcessRegistry {
    /// An empty registry with these caps.
    pub fn new(limits: ProcessLimits) -> ProcessRegistry {
        ProcessRegistry {
            limits,
            inner: Arc::default(),
        }
    }

    /// The caps.
    pub fn limits(&self) -> ProcessLimits {
        self.limits
    }

    /// Reserves a slot for a command of `owner` (and its id).
    pub fn reserve(&self, owner: &Owner) -> Result<Reservation, CapError> {
        let mut inner = lock(&self.inner);
        inner.sweep(Instant::now(), &self.limits);
        if inner.running_of(owner) >= self.limits.per_session {
            return Err(CapError::Session {
                limit: self.limits.per_session,
            });
        }
        if inner.running_total() >= self.limits.total {
            return Err(CapError::Total {
                limit: self.limits.total,
            });
        }
        let id = loop {
            let id = random_id()?;
            if !inner.entries.contains_key(&id) {
                break id;
            }
        };
        *inner.starting.entry(owner.clone()).or_default() += 1;
        Ok(Reservation {
            inner: Arc::downgrade(&self.inner),
            owner: owner.clone(),
            id,
            committed: false,
        })
    }

    /// `owner`'s command `id`, if it has one by that id.
    pub fn get(&self, owner: &Owner, id: &str) -> Option<Arc<Entry>> {
        let mut inner = lock(&self.inner);
        inner.sweep(Instant::now(), &self.limits);
        inner.entries.get(id).filter(|e| e.owner == *owner).cloned()
    }

    /// `owner`'s commands, oldest first.
    pub fn list(&self, owner: &Owner) -> Vec<Arc<Entry>> {
        let mut inner = lock(&self.inner);
        inner.sweep(Instant::now(), &self.limits);
        let mut v: Vec<_> = inner
            .entries
            .values()
            .filter(|e| e.owner == *owner)
            .cloned()
            .collect();
        v.sort_by_key(|e| e.started);
        v
    }

    /// Removes `owner`'s command `id` (the caller kills it first if it runs).
    pub fn remove(&self, owner: &Owner, id: &str) -> Option<Arc<Entry>> {
        let mut inner = lock(&self.inner);
        if inner.entries.get(id).is_some_and(|e| e.owner == *owner) {
            inner.entries.remove(id)
        } else {
            None
        }
    }

    /// Commands in the registry (all sessions), running or kept.
    pub fn len(&self) -> usize {
        let mut inner = lock(&self.inner);
        inner.sweep(Instant::now(), &self.limits);
        inner.entries.len()
    }

    /// No commands at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for ProcessRegistry {
    fn drop(&mut self) {
        let inner = lock(&self.inner);
        for e in inner.entries.values() {
            e.kill_now();
        }
    }
}

impl Reservation {
    /// The id the command will have.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Registers the started command under the reserved id. If the registry is gone, the
    /// command is killed at once.
    pub fn commit(mut self, started: Started) -> Arc<Entry> {
        let entry = Arc::new(Entry {
            id: self.id.clone(),
            owner: self.owner.clone(),
            command: started.command,
            started: Instant::now(),
            io: started.io,
            stdin_verdict: started.stdin_verdict,
            stdin: tokio::sync::Mutex::new(started.spawned.stdin),
            pgid: started.spawned.pgid,
            cleanup: started.cleanup,
            cursors: Mutex::new([0, 0]),
        });
        let Some(inner) = self.inner.upgrade() else {
            entry.kill_now();
            return entry;
        };
        {
            let mut guard = lock(&inner);
            release(&mut guard, &self.owner);
            guard.entries.insert(self.id.clone(), Arc::clone(&entry));
        }
        self.committed = true;
        // Removed on time even if nobody calls the registry again.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let weak = Arc::downgrade(&inner);
            let io = Arc::clone(&entry.io);
            let (id, cleanup) = (self.id.clone(), entry.cleanup);
            rt.spawn(async move {
                io.ended().await;
                drop(io);
                tokio::time::sleep(cleanup).await;
                if let Some(inner) = weak.upgrade() {
                    let mut guard = lock(&inner);
                    if guard
                        .entries
                        .get(&id)
                        .is_some_and(|e| e.expired(Instant::now()))
                    {
                        guard.entries.remove(&id);
                    }
                }
            });
        }
        entry
    }
}

fn release(inner: &mut Inner, owner: &Owner) {
    if let Some(n) = inner.starting.get_mut(owner) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            inner.starting.remove(owner);
        }
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if !self.committed
            && let Some(inner) = self.inner.upgrade()
        {
            release(&mut lock(&inner), &self.owner);
        }
    }
}

#[cfg(test)]
mod tests;
