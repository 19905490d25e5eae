//! The transcript writer: one thread owns the store's write path and commits appends in
//! batches (one transaction per batch), so that many concurrent messages cost one fsync rather
//! than one each. Callers await their own commit before acknowledging.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot};

use crate::ports::{PortError, SessionSummary, StoredMessage, Transcripts};

type Job = (StoredMessage, oneshot::Sender<Result<(), PortError>>);

/// Largest batch committed at once.
const MAX_BATCH: usize = 1024;

/// Handle to the writer thread.
#[derive(Debug, Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer thread over `store`.
    pub fn start(store: Arc<dyn Transcripts>) -> Writer {
        let (tx, mut rx) = mpsc::channel::<Job>(8192);
        let spawned = std::thread::Builder::new()
            .name("hardclaw-transcripts".into())
            .spawn(move || {
                let mut jobs: Vec<Job> = Vec::with_capacity(MAX_BATCH);
                while let Some(first) = rx.blocking_recv() {
                    jobs.push(first);
                    while jobs.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(j) => jobs.push(j),
                            Err(_) => break,
                        }
                    }
                    let batch: Vec<StoredMessage> = jobs.iter().map(|(m, _)| m.clone()).collect();
                    let result = store.append_batch(&batch);
                    for (_, done) in jobs.drain(..) {
                        let _ = done.send(result.clone());
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start the transcript writer");
        }
        Writer { tx }
    }

    /// Appends one message and waits for its commit.
    pub async fn append(&self, msg: StoredMessage) -> Result<(), PortError> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send((msg, done))
            .await
            .map_err(|_| PortError("transcript writer stopped".into()))?;
        wait.await
            .map_err(|_| PortError("transcript writer stopped".into()))?
    }
}

/// Transcripts kept in memory (tests, benchmarks, and until a store is wired).
#[derive(Debug, Default)]
pub struct MemoryTranscripts {
    sessions: Mutex<BTreeMap<String, Vec<StoredMessage>>>,
}

impl Transcripts for MemoryTranscripts {
    fn append_batch(&self, batch: &[StoredMessage]) -> Result<(), PortError> {
        let mut map = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        for m in batch {
            map.entry(m.session.clone()).or_default().push(m.clone());
        }
        Ok(())
    }

    fn sessions(&self) -> Result<Vec<SessionSummary>, PortError> {
        let map = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<SessionSummary> = map
            .iter()
            .map(|(k, v)| {
                let key = hardclaw_policy::SessionKey::parse(k, "main");
                let (channel, peer) = match &key.kind {
                    hardclaw_policy::SessionType::Dm { channel, peer } => {
                        (channel.clone(), Some(peer.clone()))
                    }
                    hardclaw_policy::SessionType::Group { channel, id } => {
                        (Some(channel.clone()), Some(id.clone()))
                    }
                    _ => (None, None),
                };
                SessionSummary {
                    key: k.clone(),
                    kind: key.kind.name().to_string(),
                    channel,
                    peer,
                    updated_ms: v.last().map_or(0, |m| m.ts_ms),
                }
            })
            .collect();
        out.sort_by_key(|s| std::cmp::Reverse(s.updated_ms));
        Ok(out)
    }

    fn history(&self, session: &str, limit: usize) -> Result<Vec<StoredMessage>, PortError> {
        let map = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let v = map.get(session).cloned().unwrap_or_default();
        let skip = v.len().saturating_sub(limit);
        Ok(v.into_iter().skip(skip).collect())
    }
}
