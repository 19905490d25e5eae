//! Agent turns for delivered messages: one at a time per session, on a tokio task. Every
//! turn's text streams to the operator sockets as `reply_delta` frames, then the reply goes
//! back where the message came from: a `message` frame (webchat), a signed webhook `POST`
//! (after signed `reply_delta` posts when the account streams), or the HTTP answer of
//! `/v1/chat/completions` (streamed as server-sent events when asked).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::ports::{Responder, Role, StoredMessage, TurnRequest};
use crate::secret::Secret;
use crate::settings::Settings;
use crate::state::{AppState, now_ms};
use crate::webhook::outbound;
use crate::webhook::stream::{self, Target};
use crate::ws::protocol::ServerFrame;

/// Per-session turn locks.
#[derive(Debug, Default)]
pub struct SessionLocks {
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl SessionLocks {
    /// Waits for the session's turn slot.
    pub async fn lock(&self, session: &str) -> SessionTurn<'_> {
        let lock = {
            let mut map = self.locks.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(session.to_string()).or_default().clone()
        };
        let guard = lock.clone().lock_owned().await;
        SessionTurn {
            locks: self,
            session: session.to_string(),
            guard: Some(guard),
        }
    }
}

/// Held while a session's turn runs; the map entry goes away with the last holder.
#[derive(Debug)]
pub struct SessionTurn<'a> {
    locks: &'a SessionLocks,
    session: String,
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Drop for SessionTurn<'_> {
    fn drop(&mut self) {
        self.guard.take();
        let mut map = self.locks.locks.lock().unwrap_or_else(|e| e.into_inner());
        if map
            .get(&self.session)
            .is_some_and(|l| Arc::strong_count(l) == 1)
        {
            map.remove(&self.session);
        }
    }
}

/// The agent of a session key (`agent:<id>:...`), else the default agent.
pub fn agent_of(settings: &Settings, session: &str) -> String {
    let mut parts = session.split(':');
    match (parts.next(), parts.next()) {
        (Some("agent"), Some(id)) if !id.is_empty() => hardclaw_policy::normalize_agent_id(id),
        _ => crate::webchat::default_agent(&settings.config),
    }
}

/// The responder, when one is wired and the session's agent has a model.
pub fn responder_for(
    gw: &AppState,
    settings: &Settings,
    session: &str,
) -> Option<(Arc<dyn Responder>, String)> {
    let responder = gw.ports.responder.clone()?;
    let agent = agent_of(settings, session);
    responder
        .has_model(&settings.config, &agent)
        .then_some((responder, agent))
}

/// Where a reply goes.
#[derive(Debug, Clone)]
pub enum ReplyTo {
    /// The operator sockets (webchat).
    Webchat,
    /// A webhook account's `webhookUrl`.
    Webhook {
        /// `None`: the account has no `webhookUrl` (the reply is only stored and published).
        url: Option<url::Url>,
        /// The account's signing secret.
        secret: Secret,
        /// Account id.
        account: String,
        /// The sender.
        to: String,
        /// Group, for group messages.
        group: Option<String>,
        /// `streamReplies`: post `reply_delta`s before the final message.
        stream: bool,
    },
}

/// Runs one turn and its reply on a new task. The caller has already published the inbound
/// message; the responder records it in the transcript.
pub fn spawn(
    gw: AppState,
    responder: Arc<dyn Responder>,
    config: Arc<hardclaw_config::Config>,
    req: TurnRequest,
    channel: &'static str,
    reply_to: ReplyTo,
) {
    tokio::spawn(async move {
        let session = req.session.clone();
        let target = match &reply_to {
            ReplyTo::Webhook {
                url: Some(url),
                secret,
                account,
                to,
                group,
                stream,
            } => Some((
                Target {
                    url: url.clone(),
                    secret: secret.clone(),
                    account: account.clone(),
                    to: to.clone(),
                    group: group.clone(),
                },
                *stream,
            )),
            ReplyTo::Webhook {
                url: None, account, ..
            } => {
                tracing::info!(account = %account, "no webhookUrl: reply only stored");
                None
            }
            ReplyTo::Webchat => None,
        };
        // A streaming webhook account gets the deltas as they come, in order, before the end.
        let (tap, streamer) = match &target {
            Some((t, true)) => {
                let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
                let task = tokio::spawn(stream::post_deltas(gw.clone(), t.clone(), rx));
                (Some(tx), Some(task))
            }
            _ => (None, None),
        };
        let result = run(&gw, responder, config, req, tap).await;
        let seq = match streamer {
            Some(task) => Some(task.await.unwrap_or(0) + 1),
            None => None,
        };
        let (role, kind, text) = match result {
            Ok(text) => (Role::Assistant, "message", text),
            Err(text) => (Role::System, "error", text),
        };
        let stored = StoredMessage {
            session,
            channel: channel.into(),
            sender: if role == Role::Assistant {
                "agent"
            } else {
                "gateway"
            }
            .into(),
            role,
            text: text.clone(),
            ts_ms: now_ms(),
        };
        if role == Role::System {
            // The answer itself is in the transcript already (the responder records it).
            if let Err(e) = gw.writer.append(stored.clone()).await {
                tracing::warn!(error = %e, "storing an error notice failed");
            }
        }
        gw.publish(ServerFrame::message(&stored));
        if let Some((target, _)) = target {
            let reply = target.reply(kind, text, seq);
            outbound::send(gw.clone(), target.url, target.secret, reply);
        }
    });
}

/// Runs one turn under the session's lock. Streamed text is published to the operator
/// sockets as `reply_delta` frames (every session) and, in order, copied to `tap` when given
/// (a streaming HTTP answer or webhook account). Every delta is out before this returns.
pub async fn run(
    gw: &AppState,
    responder: Arc<dyn Responder>,
    config: Arc<hardclaw_config::Config>,
    req: TurnRequest,
    tap: Option<tokio::sync::mpsc::UnboundedSender<String>>,
) -> Result<String, String> {
    let _turn = gw.turns.lock(&req.session).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let forward = {
        let gw = gw.clone();
        let session = req.session.clone();
        tokio::spawn(async move {
            while let Some(text) = rx.recv().await {
                if let Some(tap) = &tap {
                    let _ = tap.send(text.clone());
                }
                gw.publish(ServerFrame::ReplyDelta {
                    session: session.clone(),
                    text,
                });
            }
        })
    };
    let result = responder.run_turn(config, req, tx).await;
    // Every delta is out before the final message.
    let _ = forward.await;
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn one_turn_at_a_time_per_session_and_the_map_is_emptied() {
        let locks = Arc::new(SessionLocks::default());
        let first = locks.lock("s1").await;
        // Another session is not held up.
        drop(locks.lock("s2").await);
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let waiter = {
            let locks = locks.clone();
            tokio::spawn(async move {
                let _t = locks.lock("s1").await;
                tx.send(()).unwrap();
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            rx.try_recv().is_err(),
            "second turn ran while the first held the lock"
        );
        drop(first);
        waiter.await.unwrap();
        assert!(rx.try_recv().is_ok());
        assert!(locks.locks.lock().unwrap().is_empty());
    }

    #[test]
    fn agent_of_session_keys() {
        let tmp = tempfile::tempdir().unwrap();
        let settings = |v: serde_json::Value| {
            Settings::resolve(&crate::settings::Inputs {
                config: hardclaw_config::Config::from_value(&v).unwrap(),
                env: Default::default(),
                locations: hardclaw_config::Locations::resolve(&hardclaw_config::LocationInputs {
                    state_dir_flag: Some(tmp.path().join("state")),
                    flavor: hardclaw_config::Flavor::Hardclaw,
                    cwd: tmp.path().to_path_buf(),
                    ..Default::default()
                }),
                port_override: None,
            })
            .unwrap()
        };
        let s = settings(serde_json::json!({"agents": {"list": [{"id": "Ops", "default": true}]}}));
        assert_eq!(agent_of(&s, "agent:Work:webhook:direct:alice"), "work");
        assert_eq!(agent_of(&s, "hook:x"), "ops");
    }
}
