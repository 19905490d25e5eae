//! The pairing files on disk: OpenClaw's shapes, atomic writes, a lock file.

use std::fs::{self, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::error::PairingError;
use crate::fsmode::{DIR_MODE, FILE_MODE, ModeError, ensure_private_dir, set_mode};

/// `<channel>-pairing.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct PairingFile {
    #[serde(default = "one")]
    pub version: u32,
    #[serde(default)]
    pub requests: Vec<RequestEntry>,
}

/// One pending request, as OpenClaw writes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RequestEntry {
    /// The sender id (normalised).
    pub id: String,
    pub code: String,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub last_seen_at: String,
    #[serde(default)]
    pub meta: serde_json::Map<String, serde_json::Value>,
}

/// `<channel>[-<account>]-allowFrom.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AllowFromFile {
    #[serde(default = "one")]
    pub version: u32,
    #[serde(default)]
    pub allow_from: Vec<String>,
}

fn one() -> u32 {
    1
}

fn io<'a>(
    path: &'a Path,
    action: &'static str,
) -> impl FnOnce(std::io::Error) -> PairingError + 'a {
    move |source| PairingError::Io {
        path: path.to_path_buf(),
        action,
        source,
    }
}

/// Reads a JSON file; a missing file is the default value.
pub(super) fn read_json<T: for<'de> Deserialize<'de> + Default>(
    path: &Path,
) -> Result<T, PairingError> {
    match fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map_err(|source| PairingError::Parse {
            path: path.to_path_buf(),
            source,
        }),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(io(path, "cannot read")(e)),
    }
}

/// Writes JSON atomically (no backups), then sets and verifies 0600.
pub(super) fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), PairingError> {
    let text = serde_json::to_string_pretty(value).map_err(|source| PairingError::Parse {
        path: path.to_path_buf(),
        source,
    })? + "\n";
    let outcome = hardclaw_config::write_atomic(path, &text, 0)?;
    set_mode(&outcome.path, FILE_MODE).map_err(|e| mode_error(&outcome.path, e))
}

pub(super) fn mode_error(path: &Path, e: ModeError) -> PairingError {
    match e {
        ModeError::Io(action, source) => PairingError::Io {
            path: path.to_path_buf(),
            action,
            source,
        },
        ModeError::Mismatch(got) => PairingError::Io {
            path: path.to_path_buf(),
            action: "wrong mode after chmod",
            source: std::io::Error::other(format!(
                "mode {got:o}, expected {DIR_MODE:o}/{FILE_MODE:o}"
            )),
        },
    }
}

/// Creates the credentials dir 0700.
pub(super) fn ensure_dir(dir: &Path) -> Result<(), PairingError> {
    ensure_private_dir(dir).map_err(|e| mode_error(dir, e))
}

/// An exclusive lock on `<file>.lock` (10 tries, 50 ms apart; a lock older than 30 s is stale).
#[derive(Debug)]
pub(super) struct Lock {
    path: PathBuf,
}

const LOCK_TRIES: u32 = 10;
const LOCK_WAIT: Duration = Duration::from_millis(50);
const LOCK_STALE: Duration = Duration::from_secs(30);

impl Lock {
    pub fn acquire(file: &Path) -> Result<Lock, PairingError> {
        let mut name = file.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        for _ in 0..LOCK_TRIES {
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(FILE_MODE)
                .open(&path)
            {
                Ok(_) => return Ok(Lock { path }),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    let stale = fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| SystemTime::now().duration_since(t).ok())
                        .is_some_and(|age| age > LOCK_STALE);
                    if stale {
                        let _ = fs::remove_file(&path);
                        continue;
                    }
                    std::thread::sleep(LOCK_WAIT);
                }
                Err(e) => return Err(io(&path, "cannot create lock")(e)),
            }
        }
        Err(PairingError::Locked { path })
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}
