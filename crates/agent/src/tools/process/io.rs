//! What a background command shares with whoever supervises it: [`BackgroundIo`] (its two
//! output rings, the cancel flag, its end) and [`Spawned`] (its stdin, its process group).
//! The exec backends fill it ([`super::super::exec::ExecBackend::spawn`]); the registry and the
//! `process` tool read it.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use tokio::io::AsyncWrite;
use tokio::sync::watch;

use super::ring::Ring;

/// One of the command's output streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// stdout.
    Stdout,
    /// stderr.
    Stderr,
}

impl Stream {
    /// `stdout` / `stderr`.
    pub fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

/// How a background command ended.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Exit {
    /// Exit code (the sandbox reports 128 + n for signal n; the host `None` with `signal`).
    pub code: Option<i32>,
    /// The signal that ended it (host runs).
    pub signal: Option<i32>,
    /// Killed at the wall-clock limit.
    pub timed_out: bool,
    /// Killed on request (`process kill`, the registry dropped).
    pub cancelled: bool,
    /// The supervisor failed (the command's state is unknown; its group was killed).
    pub error: Option<String>,
}

impl Exit {
    /// A short status text: `exited 0`, `killed (timeout)`, ...
    pub fn describe(&self) -> String {
        if self.timed_out {
            return "killed (wall-clock limit reached)".into();
        }
        if self.cancelled {
            return "killed".into();
        }
        if let Some(e) = &self.error {
            return format!("failed: {e}");
        }
        match (self.code, self.signal) {
            (Some(c), _) => format!("exited {c}"),
            (None, Some(s)) => format!("killed by signal {s}"),
            (None, None) => "exited".into(),
        }
    }

    /// Exited with 0.
    pub fn success(&self) -> bool {
        self.code == Some(0) && !self.timed_out && !self.cancelled && self.error.is_none()
    }
}

/// The shared state of one background command.
#[derive(Debug)]
pub struct BackgroundIo {
    stdout: Mutex<Ring>,
    stderr: Mutex<Ring>,
    cancel: Arc<AtomicBool>,
    exit: watch::Sender<Option<Exit>>,
    ended_at: OnceLock<Instant>,
}

fn lock(m: &Mutex<Ring>) -> MutexGuard<'_, Ring> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl BackgroundIo {
    /// Fresh state; each stream keeps its last `ring_bytes` bytes.
    pub fn new(ring_bytes: usize) -> Arc<BackgroundIo> {
        Arc::new(BackgroundIo {
            stdout: Mutex::new(Ring::new(ring_bytes)),
            stderr: Mutex::new(Ring::new(ring_bytes)),
            cancel: Arc::new(AtomicBool::new(false)),
            exit: watch::Sender::new(None),
            ended_at: OnceLock::new(),
        })
    }

    /// Appends output (called by the backend's readers as it arrives).
    pub fn push(&self, stream: Stream, bytes: &[u8]) {
        lock(self.ring_of(stream)).push(bytes);
    }

    /// Reads one stream's ring.
    pub fn with_ring<T>(&self, stream: Stream, f: impl FnOnce(&Ring) -> T) -> T {
        f(&lock(self.ring_of(stream)))
    }

    fn ring_of(&self, stream: Stream) -> &Mutex<Ring> {
        match stream {
            Stream::Stdout => &self.stdout,
            Stream::Stderr => &self.stderr,
        }
    }

    /// The flag the backend watches; set means "kill the whole process group / sandbox".
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.cancel)
    }

    /// Asks the backend to kill the command.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    /// Whether a kill was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }

    /// Records the end (called once by the backend, after the process group is gone).
    pub fn finish(&self, exit: Exit) {
        let _ = self.ended_at.set(Instant::now());
        self.exit.send_replace(Some(exit));
    }

    /// When it ended.
    pub fn ended_at(&self) -> Option<Instant> {
        self.ended_at.get().copied()
    }

    /// Waits for the end, however long it takes.
    pub async fn ended(&self) {
        let mut rx = self.exit.subscribe();
        let _ = rx.wait_for(Option::is_some).await;
    }

    /// The end, once it happened.
    pub fn exit(&self) -> Option<Exit> {
        self.exit.borrow().clone()
    }

    /// Waits up to `limit` for the end.
    pub async fn wait(&self, limit: Duration) -> Option<Exit> {
        let mut rx = self.exit.subscribe();
        let ended = tokio::time::timeout(limit, rx.wait_for(Option::is_some)).await;
        match ended {
            Ok(Ok(e)) => (*e).clone(),
            _ => self.exit(),
        }
    }
}

/// The write end of a background command's stdin.
pub type StdinWriter = Pin<Box<dyn AsyncWrite + Send + Sync>>;

/// A background command that runs.
pub struct Spawned {
    /// Its stdin (`None`: the backend gives it none).
    pub stdin: Option<StdinWriter>,
    /// The process group holding everything it started (the sandbox's trampoline and pid 1;
    /// on the host, the shell's group) — killed when the registry is dropped.
    pub pgid: Option<u32>,
}

impl std::fmt::Debug for Spawned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spawned")
            .field("stdin", &self.stdin.is_some())
            .field("pgid", &self.pgid)
            .finish()
    }
}
