//! hardclaw's state.
//!
//! * [`Store`]: `<state>/hardclaw.db` (SQLite, WAL; the state dir 0700, the database and its
//!   `-wal`/`-shm` files 0600) with sessions, transcripts and the decision log. Synchronous:
//!   the gateway calls it from `spawn_blocking`.
//! * [`PairingStore`]: OpenClaw-compatible pairing files under the credentials dir
//!   (`<channel>-pairing.json`, `<channel>[-<account>]-allowFrom.json`), kept as files because
//!   OpenClaw's tools and the audit read them. Implements
//!   [`hardclaw_policy::ApprovedSenders`].
#![forbid(unsafe_code)]

mod db;
mod decision_log;
mod error;
mod fsmode;
mod pairing;
mod time;

pub use db::{
    DB_FILE, DecisionRecord, MessageRecord, SCHEMA_VERSION, SessionRecord, SessionUsage, Store,
};
pub use decision_log::DecisionLog;
pub use error::{PairingError, StoreError};
pub use pairing::{
    Approved, CODE_ALPHABET, CODE_LEN, MAX_PENDING, PAIRING_TTL, PairingOutcome, PairingStore,
    PendingRequest, validate_id,
};
pub use time::{format_rfc3339, parse_rfc3339};
