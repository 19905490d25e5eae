//! Pairing (reference §5.2): unknown DM senders get a one-time code; the owner approves it from
//! the CLI; approved senders join the channel's allowFrom file.
//!
//! Files (OpenClaw's shapes, so OpenClaw's tools and `security audit` read them):
//! `<credentials>/<channel>-pairing.json` = `{"version":1,"requests":[{"id","code","createdAt",
//! "lastSeenAt","meta":{"accountId"}}]}` (one file per channel, all accounts) and
//! `<credentials>/<channel>-allowFrom.json` / `<channel>-<account>-allowFrom.json` (non-default
//! accounts) = `{"version":1,"allowFrom":[...]}`. Directories 0700, files 0600, every write
//! atomic and under a lock file.
//!
//! Codes: 8 characters from an alphabet without 0/O/1/I/L, from the OS CSPRNG, unique among
//! pending codes; valid 1 hour; at most 3 pending per channel — a 4th sender gets no code. A
//! repeat message from a pending sender refreshes `lastSeenAt` and sends nothing. Approval is
//! case-insensitive. Channel and account ids that could escape the directory are refused (where
//! OpenClaw rewrites them to `_`).

mod files;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use hardclaw_policy::ApprovedSenders;
use hardclaw_policy::channel_access::{WILDCARD, normalize_id};
use serde::Serialize;

use self::files::{
    AllowFromFile, Lock, PairingFile, RequestEntry, ensure_dir, read_json, write_json,
};
use crate::error::PairingError;
use crate::time::{format_rfc3339, parse_rfc3339};

/// The code alphabet: A–Z and 2–9 without the look-alikes 0/O, 1/I/L.
pub const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Code length.
pub const CODE_LEN: usize = 8;
/// How long a code stays valid.
pub const PAIRING_TTL: Duration = Duration::from_secs(3600);
/// Pending requests per channel.
pub const MAX_PENDING: usize = 3;
/// Attempts to find a code unused among pending ones.
const CODE_ATTEMPTS: usize = 500;
/// The account id that uses the un-suffixed allowFrom file.
const DEFAULT_ACCOUNT: &str = "default";

/// What [`PairingStore::request`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PairingOutcome {
    /// A new code: send `hardclaw_policy::pairing_reply` with it, once.
    NewCode(String),
    /// The sender already has a pending code (refreshed); send nothing.
    AlreadyPending,
    /// Three requests are pending on this channel; no code, send nothing.
    LimitReached,
}

/// A pending request, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingRequest {
    /// The channel.
    pub channel: String,
    /// The account (`None` = default).
    pub account: Option<String>,
    /// The sender id (normalised).
    pub sender: String,
    /// The code.
    pub code: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub last_seen_at: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// An approved request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approved {
    /// The sender now allowed.
    pub sender: String,
    /// Its account (`None` = default).
    pub account: Option<String>,
}

/// The pairing files under a credentials dir.
#[derive(Debug, Clone)]
pub struct PairingStore {
    dir: PathBuf,
}

/// Checks that `id` can be part of a file name and returns it lower-cased: 1–64 characters of
/// `[A-Za-z0-9_.-]`, no leading `.`, no `..`.
pub fn validate_id(what: &'static str, id: &str) -> Result<String, PairingError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && !id.starts_with('.')
        && !id.contains("..")
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(id.to_ascii_lowercase())
    } else {
        Err(PairingError::InvalidId {
            what,
            id: id.escape_default().to_string(),
        })
    }
}

fn account_id(account: Option<&str>) -> Result<Option<String>, PairingError> {
    match account.map(str::trim).filter(|a| !a.is_empty()) {
        None => Ok(None),
        Some(a) => {
            let a = validate_id("account", a)?;
            Ok((a != DEFAULT_ACCOUNT).then_some(a))
        }
    }
}

fn entry_account(e: &RequestEntry) -> Option<String> {
    e.meta
        .get("accountId")
        .and_then(|v| v.as_str())
        .map(str::to_ascii_lowercase)
        .filter(|a| !a.is_empty() && a != DEFAULT_ACCOUNT)
}

fn expired(e: &RequestEntry, now: SystemTime) -> bool {
    match parse_rfc3339(&e.created_at) {
        Some(created) => now
            .duration_since(created)
            .is_ok_and(|age| age >= PAIRING_TTL),
        None => true,
    }
}

fn new_code(taken: &[String]) -> Result<String, PairingError> {
    // 31 symbols: accept bytes below 248 (= 8 × 31) so every symbol is equally likely.
    let n = CODE_ALPHABET.len();
    let limit = 256 - 256 % n;
    for _ in 0..CODE_ATTEMPTS {
        let mut code = String::with_capacity(CODE_LEN);
        while code.len() < CODE_LEN {
            let mut buf = [0u8; 16];
            getrandom::fill(&mut buf).map_err(|e| PairingError::Random(e.to_string()))?;
            for b in buf {
                if usize::from(b) < limit && code.len() < CODE_LEN {
                    code.push(char::from(CODE_ALPHABET[usize::from(b) % n]));
                }
            }
        }
        if !taken.contains(&code) {
            return Ok(code);
        }
    }
    Err(PairingError::Random(
        "no unused code after 500 attempts".to_string(),
    ))
}

impl PairingStore {
    /// A store in `credentials_dir` (created 0700 on first write).
    pub fn new(credentials_dir: impl Into<PathBuf>) -> PairingStore {
        PairingStore {
            dir: credentials_dir.into(),
        }
    }

    /// The credentials dir.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `<dir>/<channel>-pairing.json`.
    pub fn pairing_path(&self, channel: &str) -> Result<PathBuf, PairingError> {
        let channel = validate_id("channel", channel)?;
        Ok(self.dir.join(format!("{channel}-pairing.json")))
    }

    /// `<dir>/<channel>-allowFrom.json`, or `<channel>-<account>-allowFrom.json` for a
    /// non-default account.
    pub fn allow_from_path(
        &self,
        channel: &str,
        account: Option<&str>,
    ) -> Result<PathBuf, PairingError> {
        let channel = validate_id("channel", channel)?;
        Ok(match account_id(account)? {
            None => self.dir.join(format!("{channel}-allowFrom.json")),
            Some(a) => self.dir.join(format!("{channel}-{a}-allowFrom.json")),
        })
    }

    /// Pending requests with expired ones removed; writes back when something was pruned.
    fn load_pending(
        &self,
        path: &Path,
        now: SystemTime,
    ) -> Result<(PairingFile, bool), PairingError> {
        let mut file: PairingFile = read_json(path)?;
        let before = file.requests.len();
        file.requests.retain(|e| !expired(e, now));
        // Keep at most MAX_PENDING, the most recently seen.
        if file.requests.len() > MAX_PENDING {
            file.requests
                .sort_by_key(|e| std::cmp::Reverse(parse_rfc3339(&e.last_seen_at)));
            file.requests.truncate(MAX_PENDING);
        }
        let changed = file.requests.len() != before;
        Ok((file, changed))
    }

    /// Records a pairing request from `sender` (normalised here per channel) at `now`.
    pub fn request(
        &self,
        channel: &str,
        account: Option<&str>,
        sender: &str,
        now: SystemTime,
    ) -> Result<PairingOutcome, PairingError> {
        let path = self.pairing_path(channel)?;
        let account = account_id(account)?;
        let channel = channel.to_ascii_lowercase();
        let Some(sender) = normalize_id(&channel, sender).filter(|s| s != WILDCARD) else {
            return Err(PairingError::InvalidId {
                what: "sender",
                id: sender.escape_default().to_string(),
            });
        };
        ensure_dir(&self.dir)?;
        let _lock = Lock::acquire(&path)?;
        let (mut file, pruned) = self.load_pending(&path, now)?;
        let stamp = format_rfc3339(now);
        if let Some(e) = file
            .requests
            .iter_mut()
            .find(|e| e.id == sender && entry_account(e) == account)
        {
            e.last_seen_at = stamp;
            write_json(&path, &file)?;
            return Ok(PairingOutcome::AlreadyPending);
        }
        if file.requests.len() >= MAX_PENDING {
            if pruned {
                write_json(&path, &file)?;
            }
            return Ok(PairingOutcome::LimitReached);
        }
        let taken: Vec<String> = file.requests.iter().map(|e| e.code.clone()).collect();
        let code = new_code(&taken)?;
        let mut meta = serde_json::Map::new();
        if let Some(a) = &account {
            meta.insert(
                "accountId".to_string(),
                serde_json::Value::String(a.clone()),
            );
        }
        file.version = 1;
        file.requests.push(RequestEntry {
            id: sender,
            code: code.clone(),
            created_at: stamp.clone(),
            last_seen_at: stamp,
            meta,
        });
        write_json(&path, &file)?;
        Ok(PairingOutcome::NewCode(code))
    }

    /// Approves the pending request with `code` (trimmed, case-insensitive): removes it and adds
    /// its sender to the account's allowFrom file.
    pub fn approve(
        &self,
        channel: &str,
        code: &str,
        now: SystemTime,
    ) -> Result<Approved, PairingError> {
        let path = self.pairing_path(channel)?;
        let channel = channel.to_ascii_lowercase();
        let code = code.trim().to_ascii_uppercase();
        ensure_dir(&self.dir)?;
        let _lock = Lock::acquire(&path)?;
        let (mut file, pruned) = self.load_pending(&path, now)?;
        let Some(pos) = file
            .requests
            .iter()
            .position(|e| e.code.eq_ignore_ascii_case(&code))
        else {
            if pruned {
                write_json(&path, &file)?;
            }
            return Err(PairingError::UnknownCode { channel, code });
        };
        let entry = file.requests.remove(pos);
        let account = entry_account(&entry);
        let allow_path = self.allow_from_path(&channel, account.as_deref())?;
        {
            let _allow_lock = Lock::acquire(&allow_path)?;
            let mut allow: AllowFromFile = read_json(&allow_path)?;
            allow.version = 1;
            if !allow.allow_from.contains(&entry.id) {
                allow.allow_from.push(entry.id.clone());
            }
            write_json(&allow_path, &allow)?;
        }
        write_json(&path, &file)?;
        Ok(Approved {
            sender: entry.id,
            account,
        })
    }

    /// Rejects (deletes) the pending request with `code`; returns its sender.
    pub fn reject(&self, channel: &str, code: &str) -> Result<String, PairingError> {
        let path = self.pairing_path(channel)?;
        let channel = channel.to_ascii_lowercase();
        let code = code.trim().to_ascii_uppercase();
        ensure_dir(&self.dir)?;
        let _lock = Lock::acquire(&path)?;
        let mut file: PairingFile = read_json(&path)?;
        let Some(pos) = file
            .requests
            .iter()
            .position(|e| e.code.eq_ignore_ascii_case(&code))
        else {
            return Err(PairingError::UnknownCode { channel, code });
        };
        let entry = file.requests.remove(pos);
        write_json(&path, &file)?;
        Ok(entry.id)
    }

    /// Pending, unexpired requests of `channel` (or of every channel with a pairing file).
    /// Read-only: expired entries are hidden, not removed.
    pub fn list(
        &self,
        channel: Option<&str>,
        now: SystemTime,
    ) -> Result<Vec<PendingRequest>, PairingError> {
        let channels = match channel {
            Some(c) => vec![validate_id("channel", c)?],
            None => self.channels_with_pairing_files()?,
        };
        let mut out = Vec::new();
        for ch in channels {
            let path = self.pairing_path(&ch)?;
            let file: PairingFile = read_json(&path)?;
            for e in file.requests.iter().filter(|e| !expired(e, now)) {
                let expires = parse_rfc3339(&e.created_at)
                    .and_then(|c| c.checked_add(PAIRING_TTL))
                    .map(format_rfc3339)
                    .unwrap_or_default();
                out.push(PendingRequest {
                    channel: ch.clone(),
                    account: entry_account(e),
                    sender: e.id.clone(),
                    code: e.code.clone(),
                    created_at: e.created_at.clone(),
                    last_seen_at: e.last_seen_at.clone(),
                    expires_at: expires,
                });
            }
        }
        Ok(out)
    }

    fn channels_with_pairing_files(&self) -> Result<Vec<String>, PairingError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(PairingError::Io {
                    path: self.dir.clone(),
                    action: "cannot list",
                    source,
                });
            }
        };
        let mut out: Vec<String> = entries
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().into_string().ok())
            .filter_map(|n| n.strip_suffix("-pairing.json").map(str::to_string))
            .filter(|c| validate_id("channel", c).is_ok())
            .collect();
        out.sort();
        Ok(out)
    }

    /// The approved senders of `channel`/`account` (the allowFrom file; `*` never returned).
    pub fn read_approved(
        &self,
        channel: &str,
        account: Option<&str>,
    ) -> Result<Vec<String>, PairingError> {
        let path = self.allow_from_path(channel, account)?;
        let file: AllowFromFile = read_json(&path)?;
        Ok(file
            .allow_from
            .into_iter()
            .filter(|e| e.trim() != WILDCARD)
            .collect())
    }
}

impl ApprovedSenders for PairingStore {
    /// [`PairingStore::read_approved`], failing closed: an unreadable file approves no one.
    fn approved_senders(&self, channel: &str, account: Option<&str>) -> Vec<String> {
        self.read_approved(channel, account).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
