//! `<state>/hardclaw.db`: sessions, transcripts and the decision log.
//!
//! Opening creates the state dir (0700) and the database file (0600) before SQLite touches it,
//! switches to WAL, and sets and verifies 0600 on `-wal` and `-shm` too — whatever the umask.
//! Migrations are numbered SQL scripts recorded in `schema_version`; a database written by a
//! newer hardclaw is refused rather than guessed at.

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::error::StoreError;
use crate::fsmode::{DIR_MODE, FILE_MODE, ModeError, ensure_private_dir, set_mode};

/// The database file name inside the state dir.
pub const DB_FILE: &str = "hardclaw.db";

/// Migrations, in order; `MIGRATIONS[i]` brings the schema to version `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: sessions, transcripts, decision log.
    "CREATE TABLE sessions (
        key TEXT PRIMARY KEY NOT NULL,
        agent_id TEXT NOT NULL,
        channel TEXT,
        account TEXT,
        peer TEXT,
        kind TEXT NOT NULL,
        spawned_by TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX sessions_agent ON sessions(agent_id, updated_at);
    CREATE TABLE messages (
        session_key TEXT NOT NULL REFERENCES sessions(key) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        role TEXT NOT NULL,
        content TEXT NOT NULL,
        ts INTEGER NOT NULL,
        PRIMARY KEY (session_key, seq)
    ) WITHOUT ROWID;
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts INTEGER NOT NULL,
        guard TEXT NOT NULL,
        rule TEXT NOT NULL,
        decision TEXT NOT NULL,
        reason TEXT NOT NULL,
        session_key TEXT,
        tool TEXT
    );
    CREATE INDEX decisions_ts ON decisions(ts);",
    // 2: per-session runtime state: taint (JSON) and token usage.
    "CREATE TABLE session_state (
        session_key TEXT PRIMARY KEY NOT NULL REFERENCES sessions(key) ON DELETE CASCADE,
        taint TEXT NOT NULL DEFAULT '{}',
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        turns INTEGER NOT NULL DEFAULT 0,
        last_model TEXT
    ) WITHOUT ROWID;",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// One session row. Times are Unix milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionRecord {
    /// The session key (`agent:<id>:…`).
    pub key: String,
    /// The agent.
    pub agent_id: String,
    /// Channel, for channel sessions.
    pub channel: Option<String>,
    /// Account, when known.
    pub account: Option<String>,
    /// Peer (DM sender or group id).
    pub peer: Option<String>,
    /// `main`, `dm`, `group`, `subagent`, `cron`, `hook`, `other`.
    pub kind: String,
    /// The session that spawned this one (subagents); feeds `can_read_session`'s `tree`.
    pub spawned_by: Option<String>,
    /// First upsert.
    pub created_at: i64,
    /// Last upsert.
    pub updated_at: i64,
}

impl SessionRecord {
    /// A record for `key` at `now`, channel and peer taken from the key.
    pub fn from_key(key: &hardclaw_policy::SessionKey, account: Option<&str>, now: i64) -> Self {
        use hardclaw_policy::SessionType;
        let (channel, peer) = match &key.kind {
            SessionType::Dm { channel, peer } => (channel.clone(), Some(peer.clone())),
            SessionType::Group { channel, id } => (Some(channel.clone()), Some(id.clone())),
            _ => (None, None),
        };
        SessionRecord {
            key: key.key.clone(),
            agent_id: key.agent_id.clone(),
            channel,
            account: account.map(str::to_string),
            peer,
            kind: key.kind.name().to_string(),
            spawned_by: None,
            created_at: now,
            updated_at: now,
        }
    }
}

/// One transcript entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageRecord {
    /// The session.
    pub session_key: String,
    /// 1, 2, 3, … within the session.
    pub seq: i64,
    /// `user`, `assistant`, `tool`, `system`.
    pub role: String,
    /// The text.
    pub content: String,
    /// Unix milliseconds.
    pub ts: i64,
}

/// One decision-log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionRecord {
    /// Unix milliseconds.
    pub ts: i64,
    /// `channel-access`, `tool-policy`, `command-guard`, ...
    pub guard: String,
    /// Stable rule id.
    pub rule: String,
    /// `allow`, `ask`, `block`, `drop`, `pairing`, `reject`, ...
    pub decision: String,
    /// Why.
    pub reason: String,
    /// The session, when known.
    pub session_key: Option<String>,
    /// The tool, for tool decisions.
    pub tool: Option<String>,
}

/// Token usage of one session, summed over its turns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SessionUsage {
    /// Prompt tokens.
    pub input_tokens: u64,
    /// Completion tokens.
    pub output_tokens: u64,
    /// Turns recorded.
    pub turns: u64,
    /// `provider/model` of the last turn.
    pub last_model: Option<String>,
}

/// The SQLite store. `Send`, not `Sync`: share it behind a `Mutex`, or open one per thread
/// (WAL lets readers run beside the writer).
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) `<state_dir>/hardclaw.db`, migrating it to [`SCHEMA_VERSION`].
    pub fn open(state_dir: &Path) -> Result<Store, StoreError> {
        let mode_err = |path: &Path, expected: u32, e: ModeError| match e {
            ModeError::Io(action, source) => StoreError::Io {
                path: path.to_path_buf(),
                action,
                source,
            },
            ModeError::Mismatch(got) => StoreError::Permissions {
                path: path.to_path_buf(),
                expected,
                got,
            },
        };
        ensure_private_dir(state_dir).map_err(|e| mode_err(state_dir, DIR_MODE, e))?;
        let path = state_dir.join(DB_FILE);
        OpenOptions::new()
            .create(true)
            .append(true)
            .mode(FILE_MODE)
            .open(&path)
            .map_err(|source| StoreError::Io {
                path: path.clone(),
                action: "cannot create",
                source,
            })?;
        set_mode(&path, FILE_MODE).map_err(|e| mode_err(&path, FILE_MODE, e))?;

        let sql = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let conn = Connection::open(&path).map_err(sql)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(sql)?;
        let journal: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(sql)?;
        if !journal.eq_ignore_ascii_case("wal") {
            return Err(sql(rusqlite::Error::InvalidParameterName(format!(
                "journal_mode is {journal}, expected wal"
            ))));
        }
        conn.execute_batch("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;")
            .map_err(sql)?;
        let mut store = Store { conn, path };
        store.migrate()?;
        store.secure_sidecars()?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sql(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        |source| StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Sets and verifies 0600 on `-wal` and `-shm` (SQLite creates them with the database's
    /// mode; this makes it explicit and checked).
    fn secure_sidecars(&self) -> Result<(), StoreError> {
        for suffix in ["-wal", "-shm"] {
            let mut p = self.path.clone().into_os_string();
            p.push(suffix);
            let p = PathBuf::from(p);
            if p.exists() {
                set_mode(&p, FILE_MODE).map_err(|e| match e {
                    ModeError::Io(action, source) => StoreError::Io {
                        path: p.clone(),
                        action,
                        source,
                    },
                    ModeError::Mismatch(got) => StoreError::Permissions {
                        path: p.clone(),
                        expected: FILE_MODE,
                        got,
                    },
                })?;
            }
        }
        Ok(())
    }

    /// The schema version recorded in the database (0 = empty).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        let exists: bool = self
            .conn
            .query_row(
                "SELECT count(*) > 0 FROM sqlite_master WHERE type='table' AND name='schema_version'",
                [],
                |r| r.get(0),
            )
            .map_err(self.sql())?;
        if !exists {
            return Ok(0);
        }
        self.conn
            .query_row(
                "SELECT coalesce(max(version), 0) FROM schema_version",
                [],
                |r| r.get(0),
            )
            .map_err(self.sql())
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        self.conn
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS schema_version (
                    version INTEGER PRIMARY KEY NOT NULL,
                    applied_at INTEGER NOT NULL
                )",
            )
            .map_err(sql)?;
        let current = self.schema_version()?;
        if current > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                path: self.path.clone(),
                found: current,
                supported: SCHEMA_VERSION,
            });
        }
        for (i, script) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(current).unwrap_or(0))
        {
            let version = i64::try_from(i).unwrap_or(i64::MAX) + 1;
            let tx = self.conn.transaction().map_err(sql)?;
            tx.execute_batch(script).map_err(sql)?;
            tx.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)",
                params![version, now_ms()],
            )
            .map_err(sql)?;
            tx.commit().map_err(sql)?;
        }
        Ok(())
    }

    /// Inserts the session, or updates its metadata and `updated_at` (`created_at` is kept).
    pub fn upsert_session(&self, s: &SessionRecord) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO sessions (key, agent_id, channel, account, peer, kind, spawned_by, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT(key) DO UPDATE SET
                    agent_id = excluded.agent_id,
                    channel = excluded.channel,
                    account = excluded.account,
                    peer = excluded.peer,
                    kind = excluded.kind,
                    spawned_by = coalesce(sessions.spawned_by, excluded.spawned_by),
                    updated_at = excluded.updated_at",
                params![
                    s.key, s.agent_id, s.channel, s.account, s.peer, s.kind, s.spawned_by,
                    s.created_at, s.updated_at
                ],
            )
            .map_err(self.sql())?;
        Ok(())
    }

    /// One session by exact key.
    pub fn session(&self, key: &str) -> Result<Option<SessionRecord>, StoreError> {
        self.conn
            .query_row(
                "SELECT key, agent_id, channel, account, peer, kind, spawned_by, created_at, updated_at
                 FROM sessions WHERE key = ?1",
                [key],
                session_row,
            )
            .optional()
            .map_err(self.sql())
    }

    /// Every session (of `agent_id`, when given), most recently updated first.
    pub fn list_sessions(&self, agent_id: Option<&str>) -> Result<Vec<SessionRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT key, agent_id, channel, account, peer, kind, spawned_by, created_at, updated_at
                 FROM sessions WHERE ?1 IS NULL OR agent_id = ?1
                 ORDER BY updated_at DESC, key",
            )
            .map_err(self.sql())?;
        stmt.query_map([agent_id], session_row)
            .map_err(self.sql())?
            .collect::<Result<Vec<_>, _>>()
            .map_err(self.sql())
    }

    /// Appends a message to the transcript of `session_key` (which must exist) and returns its
    /// sequence number.
    pub fn append_message(
        &mut self,
        session_key: &str,
        role: &str,
        content: &str,
        ts: i64,
    ) -> Result<i64, StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql)?;
        let exists: bool = tx
            .query_row(
                "SELECT count(*) > 0 FROM sessions WHERE key = ?1",
                [session_key],
                |r| r.get(0),
            )
            .map_err(sql)?;
        if !exists {
            return Err(StoreError::UnknownSession {
                path: self.path.clone(),
                key: session_key.to_string(),
            });
        }
        let seq: i64 = tx
            .query_row(
                "SELECT coalesce(max(seq), 0) + 1 FROM messages WHERE session_key = ?1",
                [session_key],
                |r| r.get(0),
            )
            .map_err(sql)?;
        tx.execute(
            "INSERT INTO messages (session_key, seq, role, content, ts) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![session_key, seq, role, content, ts],
        )
        .map_err(sql)?;
        tx.execute(
            "UPDATE sessions SET updated_at = max(updated_at, ?2) WHERE key = ?1",
            params![session_key, ts],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(seq)
    }

    /// The last `limit` messages of exactly `session_key`, oldest first. No visibility check:
    /// the caller decides with `hardclaw_policy::can_read_session` first.
    pub fn history(
        &self,
        session_key: &str,
        limit: usize,
    ) -> Result<Vec<MessageRecord>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT session_key, seq, role, content, ts FROM (
                    SELECT * FROM messages WHERE session_key = ?1 ORDER BY seq DESC LIMIT ?2
                 ) ORDER BY seq ASC",
            )
            .map_err(self.sql())?;
        stmt.query_map(params![session_key, limit], |r| {
            Ok(MessageRecord {
                session_key: r.get(0)?,
                seq: r.get(1)?,
                role: r.get(2)?,
                content: r.get(3)?,
                ts: r.get(4)?,
            })
        })
        .map_err(self.sql())?
        .collect::<Result<Vec<_>, _>>()
        .map_err(self.sql())
    }

    /// Appends a decision to the log.
    pub fn log_decision(&self, d: &DecisionRecord) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO decisions (ts, guard, rule, decision, reason, session_key, tool)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(self.sql())?
            .execute(params![
                d.ts,
                d.guard,
                d.rule,
                d.decision,
                d.reason,
                d.session_key,
                d.tool
            ])
            .map_err(self.sql())?;
        Ok(())
    }

    /// Appends decisions in one transaction (all or none).
    pub fn log_decisions(&mut self, batch: &[DecisionRecord]) -> Result<(), StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO decisions (ts, guard, rule, decision, reason, session_key, tool)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(sql)?;
            for d in batch {
                stmt.execute(params![
                    d.ts,
                    d.guard,
                    d.rule,
                    d.decision,
                    d.reason,
                    d.session_key,
                    d.tool
                ])
                .map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)
    }

    /// Test hook: drops the decisions table so writes fail.
    #[cfg(test)]
    pub(crate) fn drop_decisions_for_test(&self) {
        let _ = self.conn.execute_batch("DROP TABLE decisions");
    }

    /// The last `limit` decisions, oldest first.
    pub fn decisions(&self, limit: usize) -> Result<Vec<DecisionRecord>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT ts, guard, rule, decision, reason, session_key, tool FROM (
                    SELECT * FROM decisions ORDER BY id DESC LIMIT ?1
                 ) ORDER BY id ASC",
            )
            .map_err(self.sql())?;
        stmt.query_map([limit], |r| {
            Ok(DecisionRecord {
                ts: r.get(0)?,
                guard: r.get(1)?,
                rule: r.get(2)?,
                decision: r.get(3)?,
                reason: r.get(4)?,
                session_key: r.get(5)?,
                tool: r.get(6)?,
            })
        })
        .map_err(self.sql())?
        .collect::<Result<Vec<_>, _>>()
        .map_err(self.sql())
    }
}

impl Store {
    /// The taint record of a session (JSON, as `hardclaw_policy::SessionTaint` serialises),
    /// `None` when none was stored.
    pub fn session_taint(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row(
                "SELECT taint FROM session_state WHERE session_key = ?1",
                [key],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.sql())
    }

    /// Stores the taint record of a session (which must exist).
    pub fn set_session_taint(&self, key: &str, taint_json: &str) -> Result<(), StoreError> {
        self.require_session(key)?;
        self.conn
            .execute(
                "INSERT INTO session_state (session_key, taint) VALUES (?1, ?2)
                 ON CONFLICT(session_key) DO UPDATE SET taint = excluded.taint",
                params![key, taint_json],
            )
            .map_err(self.sql())?;
        Ok(())
    }

    /// Adds one turn's token usage to a session (which must exist).
    pub fn add_usage(
        &self,
        key: &str,
        input_tokens: u64,
        output_tokens: u64,
        model: &str,
    ) -> Result<(), StoreError> {
        self.require_session(key)?;
        let (i, o) = (
            i64::try_from(input_tokens).unwrap_or(i64::MAX),
            i64::try_from(output_tokens).unwrap_or(i64::MAX),
        );
        self.conn
            .execute(
                "INSERT INTO session_state (session_key, input_tokens, output_tokens, turns, last_model)
                 VALUES (?1, ?2, ?3, 1, ?4)
                 ON CONFLICT(session_key) DO UPDATE SET
                    input_tokens = input_tokens + excluded.input_tokens,
                    output_tokens = output_tokens + excluded.output_tokens,
                    turns = turns + 1,
                    last_model = excluded.last_model",
                params![key, i, o, model],
            )
            .map_err(self.sql())?;
        Ok(())
    }

    /// The token usage of a session (zero when nothing was recorded).
    pub fn session_usage(&self, key: &str) -> Result<SessionUsage, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT input_tokens, output_tokens, turns, last_model FROM session_state
                 WHERE session_key = ?1",
                [key],
                |r| {
                    Ok(SessionUsage {
                        input_tokens: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                        output_tokens: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                        turns: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                        last_model: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(self.sql())?;
        Ok(row.unwrap_or_default())
    }

    /// The number of transcript messages of a session.
    pub fn message_count(&self, key: &str) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM messages WHERE session_key = ?1",
                [key],
                |r| r.get(0),
            )
            .map_err(self.sql())?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn require_session(&self, key: &str) -> Result<(), StoreError> {
        if self.session(key)?.is_none() {
            return Err(StoreError::UnknownSession {
                path: self.path.clone(),
                key: key.to_string(),
            });
        }
        Ok(())
    }
}

fn session_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRecord> {
    Ok(SessionRecord {
        key: r.get(0)?,
        agent_id: r.get(1)?,
        channel: r.get(2)?,
        account: r.get(3)?,
        peer: r.get(4)?,
        kind: r.get(5)?,
        spawned_by: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
    })
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests;
