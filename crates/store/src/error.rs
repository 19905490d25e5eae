//! Errors of the store and the pairing files. Each names the path it concerns.

use std::path::PathBuf;

/// A failure of [`crate::Store`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A filesystem operation failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was attempted (`cannot create`, `cannot chmod`, ...).
        action: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// SQLite failed.
    #[error("database {}: {source}", path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// A file or directory does not have the mode hardclaw set on it.
    #[error("{} has mode {got:o}, expected {expected:o}", path.display())]
    Permissions {
        /// The file or directory.
        path: PathBuf,
        /// The mode set.
        expected: u32,
        /// The mode found afterwards.
        got: u32,
    },
    /// The database was written by a newer hardclaw.
    #[error("database {} has schema version {found}; this hardclaw supports up to {supported}", path.display())]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// Version found.
        found: i64,
        /// Newest version known.
        supported: i64,
    },
    /// A message was appended to a session that was never upserted.
    #[error("database {}: no session `{key}` (upsert it first)", path.display())]
    UnknownSession {
        /// The database file.
        path: PathBuf,
        /// The session key.
        key: String,
    },
    /// The decision log cannot take decisions (a write failed, the queue is full, or the
    /// writer stopped); tool calls must be refused.
    #[error("decision log unavailable: {0}")]
    LogUnavailable(String),
}

/// A failure of [`crate::PairingStore`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PairingError {
    /// A channel or account id that cannot be part of a file name.
    #[error(
        "invalid {what} id `{id}`: use letters, digits, `-`, `_` and `.` (not leading, no `..`), at most 64"
    )]
    InvalidId {
        /// `channel` or `account`.
        what: &'static str,
        /// The id as given (control characters escaped).
        id: String,
    },
    /// No pending request with that code (never issued, already used, or expired).
    #[error("no pending {channel} pairing request with code {code} (unknown or expired)")]
    UnknownCode {
        /// The channel.
        channel: String,
        /// The code as given, upper-cased.
        code: String,
    },
    /// A filesystem operation failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was attempted.
        action: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// A pairing file is not valid JSON of the expected shape.
    #[error("{} is not a valid pairing file: {source}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parse error.
        source: serde_json::Error,
    },
    /// Writing a file failed.
    #[error(transparent)]
    Write(#[from] hardclaw_config::ConfigError),
    /// Another process holds the lock file.
    #[error("{} is locked by another process (remove it if no hardclaw is running)", path.display())]
    Locked {
        /// The lock file.
        path: PathBuf,
    },
    /// The random number generator failed.
    #[error("the system random number generator failed: {0}")]
    Random(String),
}
