//! The decision log off the hot path: [`DecisionLog::record`] queues a decision for a writer
//! thread with its own connection, which writes whatever is queued in one transaction. A tool
//! call then costs an enqueue (a few hundred nanoseconds) instead of a SQLite commit (tens of
//! microseconds, more on a busy disk).
//!
//! Fail closed: once a write fails, the log is *broken* — every later `record` returns the
//! error, so the caller refuses the tool call ("no decision log, no tool call"). A full queue
//! is an error too (never a silent drop). [`DecisionLog::flush`] waits until everything queued
//! so far is on disk; the agent runtime flushes at the end of every turn, so a turn's
//! decisions are durable before its reply goes out.

use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use crate::db::{DecisionRecord, Store};
use crate::error::StoreError;

/// Decisions that may wait in the queue.
pub const QUEUE: usize = 8192;

/// Largest batch written in one transaction.
const BATCH: usize = 512;

enum Msg {
    Record(DecisionRecord),
    Flush(SyncSender<()>),
}

/// A cloneable handle to the writer thread (it stops when the last handle is dropped, after
/// writing what is queued).
#[derive(Clone)]
pub struct DecisionLog {
    tx: SyncSender<Msg>,
    broken: Arc<Mutex<Option<String>>>,
}

impl std::fmt::Debug for DecisionLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecisionLog")
            .field("broken", &self.broken())
            .finish()
    }
}

impl DecisionLog {
    /// Opens `<state_dir>/hardclaw.db` (a second connection) and starts the writer.
    pub fn open(state_dir: &Path) -> Result<DecisionLog, StoreError> {
        let store = Store::open(state_dir)?;
        let (tx, rx) = sync_channel(QUEUE);
        let broken = Arc::new(Mutex::new(None));
        let flag = Arc::clone(&broken);
        std::thread::Builder::new()
            .name("hardclaw-decision-log".into())
            .spawn(move || writer(store, rx, flag))
            .map_err(|e| StoreError::Io {
                path: state_dir.to_path_buf(),
                action: "cannot start the decision-log writer",
                source: e,
            })?;
        Ok(DecisionLog { tx, broken })
    }

    /// Why the log stopped accepting decisions, if it did.
    pub fn broken(&self) -> Option<String> {
        self.broken
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Queues one decision. `Err` when the log is broken, the queue is full, or the writer is
    /// gone: the caller must not go ahead with the call.
    pub fn record(&self, d: DecisionRecord) -> Result<(), StoreError> {
        if let Some(why) = self.broken() {
            return Err(StoreError::LogUnavailable(why));
        }
        match self.tx.try_send(Msg::Record(d)) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => Err(StoreError::LogUnavailable(
                "the decision-log queue is full".into(),
            )),
            Err(TrySendError::Disconnected(_)) => Err(StoreError::LogUnavailable(
                "the decision-log writer stopped".into(),
            )),
        }
    }

    /// Waits until every decision queued before this call is written.
    pub fn flush(&self) -> Result<(), StoreError> {
        let (done_tx, done_rx) = sync_channel(1);
        self.tx
            .send(Msg::Flush(done_tx))
            .map_err(|_| StoreError::LogUnavailable("the decision-log writer stopped".into()))?;
        done_rx
            .recv()
            .map_err(|_| StoreError::LogUnavailable("the decision-log writer stopped".into()))?;
        match self.broken() {
            Some(why) => Err(StoreError::LogUnavailable(why)),
            None => Ok(()),
        }
    }
}

fn writer(mut store: Store, rx: Receiver<Msg>, broken: Arc<Mutex<Option<String>>>) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut waiters = Vec::new();
    while let Ok(first) = rx.recv() {
        let mut next = Some(first);
        while let Some(msg) = next.take() {
            match msg {
                Msg::Record(d) => batch.push(d),
                Msg::Flush(w) => waiters.push(w),
            }
            if batch.len() < BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            let failed = broken.lock().unwrap_or_else(|p| p.into_inner()).is_some();
            if !failed && let Err(e) = store.log_decisions(&batch) {
                tracing::error!(error = %e, "the decision log cannot be written; tool calls are refused from now on");
                *broken.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
            }
            batch.clear();
        }
        for w in waiters.drain(..) {
            let _ = w.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(i: i64) -> DecisionRecord {
        DecisionRecord {
            ts: i,
            guard: "g".into(),
            rule: format!("r{i}"),
            decision: "allow".into(),
            reason: String::new(),
            session_key: None,
            tool: Some("read".into()),
        }
    }

    #[test]
    fn queued_decisions_are_on_disk_after_flush_in_order() {
        let tmp = tempfile::tempdir().unwrap();
        let log = DecisionLog::open(tmp.path()).unwrap();
        for i in 0..2000 {
            log.record(rec(i)).unwrap();
        }
        log.flush().unwrap();
        let reader = Store::open(tmp.path()).unwrap();
        let got = reader.decisions(5000).unwrap();
        assert_eq!(got.len(), 2000);
        assert!(got.iter().enumerate().all(|(i, d)| d.ts == i as i64));
    }

    #[test]
    fn a_failed_write_breaks_the_log_and_later_records_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let log = DecisionLog::open(tmp.path()).unwrap();
        // Make the table unwritable from another connection.
        let other = Store::open(tmp.path()).unwrap();
        other.drop_decisions_for_test();
        log.record(rec(1)).unwrap();
        assert!(log.flush().is_err());
        assert!(log.broken().is_some());
        assert!(matches!(
            log.record(rec(2)),
            Err(StoreError::LogUnavailable(_))
        ));
    }
}
