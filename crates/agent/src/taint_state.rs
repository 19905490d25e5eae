//! A session's taint as the runtime enforces it: loaded from the store when a turn starts,
//! changed as untrusted content comes in (the message's origin, web results, another agent's
//! reply, another session's history) and as destinations are used, and written back at once.
//!
//! Fail closed: an unreadable stored record counts as tainted
//! ([`TaintSource::Unverifiable`]); a change that cannot be written marks the state
//! `unpersisted`, and while it is, every egress tool call is blocked (the next turn would
//! otherwise start from a record that is less tainted than the truth).

use std::sync::{Arc, Mutex, MutexGuard};

use hardclaw_policy::Decision;
use hardclaw_policy::injection::taint::{GUARD, SessionTaint, Taint, TaintPolicy, TaintSource};
use hardclaw_store::{Store, StoreError};
use serde_json::Value;

/// The rule id when a taint change could not be stored.
pub const RULE_UNPERSISTED: &str = "taint-unpersisted";

#[derive(Debug, Default)]
struct Inner {
    state: SessionTaint,
    unpersisted: bool,
}

/// The taint of one session, shared by the turn's agent and tool executor.
#[derive(Debug, Clone)]
pub struct TaintState {
    session: String,
    inner: Arc<Mutex<Inner>>,
    store: Option<Arc<Mutex<Store>>>,
}

impl TaintState {
    /// An in-memory state (nothing persisted): for executors used without a session store
    /// record, and for tests.
    pub fn detached(session: &str) -> TaintState {
        TaintState {
            session: session.to_string(),
            inner: Arc::default(),
            store: None,
        }
    }

    /// Loads the session's record (the session row must exist to persist changes).
    pub fn load(store: Arc<Mutex<Store>>, session: &str) -> Result<TaintState, StoreError> {
        let stored = lock_store(&store).session_taint(session)?;
        let state = match stored {
            None => SessionTaint::default(),
            Some(json) => serde_json::from_str(&json).unwrap_or_else(|e| {
                tracing::warn!(session, error = %e, "unreadable taint record; treating the session as tainted");
                let mut s = SessionTaint::default();
                s.absorb(TaintSource::Unverifiable {
                    what: "the stored taint record is unreadable".into(),
                });
                s
            }),
        };
        Ok(TaintState {
            session: session.to_string(),
            inner: Arc::new(Mutex::new(Inner {
                state,
                unpersisted: false,
            })),
            store: Some(store),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current record.
    pub fn snapshot(&self) -> SessionTaint {
        self.lock().state.clone()
    }

    /// The sources taken in so far.
    pub fn taint(&self) -> Taint {
        self.lock().state.taint.clone()
    }

    /// Whether the session has taken in untrusted content.
    pub fn is_tainted(&self) -> bool {
        self.lock().state.is_tainted()
    }

    /// Takes in `sources` (and persists when that changed anything).
    pub fn absorb(&self, sources: impl IntoIterator<Item = TaintSource>) {
        self.update(|s| {
            for src in sources {
                s.absorb(src);
            }
        });
    }

    /// Takes in another session's taint.
    pub fn merge(&self, other: &Taint) {
        self.update(|s| s.merge(other));
    }

    /// Remembers a destination used by an allowed (or approved) call.
    pub fn record_egress(&self, tool: &str, params: &Value) {
        self.update(|s| s.record_egress(tool, params));
    }

    /// The taint rule's decision for a call: allow, or ask when a tainted session reaches
    /// somewhere new; block while a change is unpersisted.
    pub fn egress_decision(
        &self,
        tool: &str,
        params: &Value,
        exec_has_network: bool,
        policy: &TaintPolicy,
    ) -> Decision {
        let inner = self.lock();
        let decision = inner.state.egress_decision(
            tool,
            params,
            &inner.state.context(exec_has_network),
            policy,
        );
        let reaches_out = decision.decision != hardclaw_policy::Verdict::Allow
            || is_egress(tool, exec_has_network);
        if inner.unpersisted && reaches_out {
            return Decision::block(
                GUARD,
                RULE_UNPERSISTED,
                "this session's taint record could not be saved; egress is refused until it can be",
            );
        }
        decision
    }

    fn update(&self, change: impl FnOnce(&mut SessionTaint)) {
        let mut inner = self.lock();
        let before = inner.state.clone();
        change(&mut inner.state);
        if inner.state == before {
            return;
        }
        let Some(store) = &self.store else {
            return;
        };
        let json = serde_json::to_string(&inner.state).unwrap_or_else(|_| "{}".into());
        if let Err(e) = lock_store(store).set_session_taint(&self.session, &json) {
            tracing::error!(session = %self.session, error = %e, "cannot store the session's taint; egress refused");
            inner.unpersisted = true;
        }
    }
}

fn is_egress(tool: &str, exec_has_network: bool) -> bool {
    matches!(
        tool,
        "web_fetch" | "web_search" | "browser" | "message" | "sessions_send" | "sessions_spawn"
    ) || (exec_has_network && matches!(tool, "exec" | "bash" | "process"))
}

fn lock_store(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hardclaw_policy::Verdict;
    use hardclaw_policy::injection::taint::RULE;
    use hardclaw_store::SessionRecord;
    use serde_json::json;

    fn store_with_session(dir: &std::path::Path) -> Arc<Mutex<Store>> {
        let s = Store::open(dir).unwrap();
        let key = hardclaw_policy::SessionKey::main("main");
        s.upsert_session(&SessionRecord::from_key(&key, None, 1))
            .unwrap();
        Arc::new(Mutex::new(s))
    }

    #[test]
    fn taint_survives_a_reload_and_gates_new_domains() {
        let tmp = tempfile::tempdir().unwrap();
        let store = store_with_session(tmp.path());
        let t = TaintState::load(store.clone(), "agent:main:main").unwrap();
        let policy = TaintPolicy::default();
        let fetch = |u: &str| json!({ "url": u });
        assert_eq!(
            t.egress_decision("web_fetch", &fetch("https://a.example/"), false, &policy)
                .decision,
            Verdict::Allow
        );
        t.absorb([TaintSource::ForwardedText]);
        t.record_egress("web_fetch", &fetch("https://a.example/x"));
        let again = TaintState::load(store, "agent:main:main").unwrap();
        assert!(again.is_tainted());
        assert_eq!(
            again
                .egress_decision("web_fetch", &fetch("https://a.example/y"), false, &policy)
                .decision,
            Verdict::Allow,
            "a domain already used is not asked about again"
        );
        let d = again.egress_decision("web_fetch", &fetch("https://b.example/"), false, &policy);
        assert_eq!((d.decision, d.rule.as_str()), (Verdict::Ask, RULE));
    }

    /// Regression: the row `add_usage` creates carries the column default `{}`, which must
    /// read as a clean record, not as an unreadable one.
    #[test]
    fn the_empty_default_record_is_clean() {
        let tmp = tempfile::tempdir().unwrap();
        let store = store_with_session(tmp.path());
        store
            .lock()
            .unwrap()
            .add_usage("agent:main:main", 1, 1, "p/m")
            .unwrap();
        let t = TaintState::load(store, "agent:main:main").unwrap();
        assert!(!t.is_tainted());
    }

    #[test]
    fn an_unreadable_record_is_tainted() {
        let tmp = tempfile::tempdir().unwrap();
        let store = store_with_session(tmp.path());
        store
            .lock()
            .unwrap()
            .set_session_taint("agent:main:main", "not json")
            .unwrap();
        let t = TaintState::load(store, "agent:main:main").unwrap();
        assert!(t.is_tainted());
    }

    #[test]
    fn an_unsaved_change_blocks_egress_but_not_local_work() {
        let tmp = tempfile::tempdir().unwrap();
        let store = store_with_session(tmp.path());
        // A state for a session the store does not know: saving fails.
        let t = TaintState::load(store, "agent:main:gone").unwrap();
        t.absorb([TaintSource::ForwardedText]);
        let policy = TaintPolicy::default();
        let d = t.egress_decision(
            "web_fetch",
            &json!({"url": "https://a.example/"}),
            false,
            &policy,
        );
        assert_eq!(
            (d.decision, d.rule.as_str()),
            (Verdict::Block, RULE_UNPERSISTED)
        );
        assert_eq!(
            t.egress_decision("read", &json!({"path": "a"}), false, &policy)
                .decision,
            Verdict::Allow
        );
    }
}
