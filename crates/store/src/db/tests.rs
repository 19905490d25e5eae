use std::os::unix::fs::PermissionsExt;

use hardclaw_config::Config;
use hardclaw_policy::{SessionKey, SessionRef, can_read_session};

use super::*;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0)
}

fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

#[test]
fn open_creates_private_dir_db_wal_and_shm_whatever_the_umask() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    // A world-readable pre-existing dir is tightened.
    std::fs::create_dir(&state).unwrap();
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut store = Store::open(&state).unwrap();
    let rec = SessionRecord::from_key(&SessionKey::main("main"), None, 1);
    store.upsert_session(&rec).unwrap();
    store.append_message(&rec.key, "user", "hi", 2).unwrap();
    assert_eq!(mode(&state), 0o700);
    let db = state.join(DB_FILE);
    assert_eq!(mode(&db), 0o600);
    let (wal, shm) = (sidecar(&db, "-wal"), sidecar(&db, "-shm"));
    assert!(
        wal.exists() && shm.exists(),
        "WAL mode keeps -wal and -shm while open"
    );
    assert_eq!(mode(&wal), 0o600);
    assert_eq!(mode(&shm), 0o600);
    let journal: String = store
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
}

#[test]
fn a_loose_db_file_is_tightened_on_open() {
    let tmp = tempfile::tempdir().unwrap();
    Store::open(tmp.path()).unwrap();
    let db = tmp.path().join(DB_FILE);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    Store::open(tmp.path()).unwrap();
    assert_eq!(mode(&db), 0o600);
}

#[test]
fn migrations_are_recorded_and_idempotent() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    drop(store);
    let store = Store::open(tmp.path()).unwrap();
    let rows: i64 = store
        .conn
        .query_row("SELECT count(*) FROM schema_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, SCHEMA_VERSION);
}

#[test]
fn a_newer_schema_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    store
        .conn
        .execute(
            "INSERT INTO schema_version (version, applied_at) VALUES (99, 0)",
            [],
        )
        .unwrap();
    drop(store);
    let err = Store::open(tmp.path()).unwrap_err();
    assert!(
        matches!(err, StoreError::SchemaTooNew { found: 99, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("hardclaw.db"), "{err}");
}

#[test]
fn sessions_messages_and_history_by_exact_key() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let a = SessionKey::parse("agent:main:whatsapp:direct:+1555", "main");
    let mut rec = SessionRecord::from_key(&a, None, 10);
    store.upsert_session(&rec).unwrap();
    rec.updated_at = 20;
    rec.created_at = 15; // ignored on update
    store.upsert_session(&rec).unwrap();
    let got = store.session(&a.key).unwrap().unwrap();
    assert_eq!((got.created_at, got.updated_at), (10, 20));
    assert_eq!(got.channel.as_deref(), Some("whatsapp"));
    assert_eq!(got.peer.as_deref(), Some("+1555"));
    assert_eq!(got.kind, "dm");
    for (i, text) in ["one", "two", "three"].iter().enumerate() {
        let seq = store
            .append_message(&a.key, "user", text, 30 + i as i64)
            .unwrap();
        assert_eq!(seq, i as i64 + 1);
    }
    let last2: Vec<String> = store
        .history(&a.key, 2)
        .unwrap()
        .into_iter()
        .map(|m| m.content)
        .collect();
    assert_eq!(last2, ["two", "three"]);
    assert!(
        store
            .history("agent:main:whatsapp:direct:+1666", 10)
            .unwrap()
            .is_empty()
    );
    let err = store
        .append_message("agent:main:nope", "user", "x", 1)
        .unwrap_err();
    assert!(matches!(err, StoreError::UnknownSession { .. }), "{err}");
    assert_eq!(store.session(&a.key).unwrap().unwrap().updated_at, 32);
}

#[test]
fn decision_log_round_trips() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    let d = DecisionRecord {
        ts: 5,
        guard: "channel-access".into(),
        rule: "dm-allowlist".into(),
        decision: "drop".into(),
        reason: "sender not in channels.whatsapp.allowFrom".into(),
        session_key: None,
        tool: None,
    };
    store.log_decision(&d).unwrap();
    assert_eq!(store.decisions(10).unwrap(), vec![d]);
}

/// The threat "one sender sees another sender's context", end to end through the store: under
/// the default scope two senders on one channel get two sessions, and neither may read the other.
#[test]
fn two_senders_get_two_sessions_and_cannot_read_each_other() {
    let config = Config::default();
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let a = SessionKey::for_dm(&config, "main", "whatsapp", None, "+1555");
    let b = SessionKey::for_dm(&config, "main", "whatsapp", None, "+1666");
    assert_ne!(a.key, b.key);
    for k in [&a, &b] {
        store
            .upsert_session(&SessionRecord::from_key(k, None, 1))
            .unwrap();
        store
            .append_message(&k.key, "user", &format!("secret of {}", k.key), 2)
            .unwrap();
    }
    assert_eq!(store.list_sessions(Some("main")).unwrap().len(), 2);
    assert!(!can_read_session(
        SessionRef::root(&a.key),
        SessionRef::root(&b.key),
        &config
    ));
    assert!(!can_read_session(
        SessionRef::root(&b.key),
        SessionRef::root(&a.key),
        &config
    ));
    assert!(can_read_session(
        SessionRef::root(&a.key),
        SessionRef::root(&a.key),
        &config
    ));
    let hist = store.history(&a.key, 10).unwrap();
    assert!(
        hist.iter()
            .all(|m| m.session_key == a.key && !m.content.contains("+1666"))
    );
}

#[test]
fn session_state_keeps_taint_and_sums_usage_and_goes_with_the_session() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    let rec = SessionRecord::from_key(&SessionKey::main("main"), None, 1);
    // Unknown sessions are refused, not created behind the caller's back.
    assert!(matches!(
        store.set_session_taint(&rec.key, "{}"),
        Err(StoreError::UnknownSession { .. })
    ));
    store.upsert_session(&rec).unwrap();
    assert_eq!(store.session_taint(&rec.key).unwrap(), None);
    assert_eq!(
        store.session_usage(&rec.key).unwrap(),
        SessionUsage::default()
    );
    store.set_session_taint(&rec.key, r#"{"a":1}"#).unwrap();
    store.add_usage(&rec.key, 11, 7, "p/m1").unwrap();
    store.add_usage(&rec.key, 5, 3, "p/m2").unwrap();
    store.set_session_taint(&rec.key, r#"{"a":2}"#).unwrap();
    assert_eq!(
        store.session_taint(&rec.key).unwrap().as_deref(),
        Some(r#"{"a":2}"#)
    );
    assert_eq!(
        store.session_usage(&rec.key).unwrap(),
        SessionUsage {
            input_tokens: 16,
            output_tokens: 10,
            turns: 2,
            last_model: Some("p/m2".into()),
        }
    );
    store
        .conn
        .execute("DELETE FROM sessions WHERE key = ?1", [&rec.key])
        .unwrap();
    assert_eq!(store.session_taint(&rec.key).unwrap(), None);
}
