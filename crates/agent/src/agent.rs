//! The agent loop. One turn is a state machine whose states are consumed and the next
//! returned:
//!
//! ```text
//! AwaitingModel ──reply──▶ CheckingToolCalls ──calls──▶ Executing ──results──▶ AwaitingModel
//!                                 │ no calls                                     (round + 1)
//!                                 ▼
//!                             Recording ──▶ Done
//! ```
//!
//! Every message (the user's, each assistant message, each tool result) is appended to the
//! session's transcript in the store as it happens. The cancel flag is checked before each
//! step and between tool calls; the tool-round limit stops a model that keeps calling tools.

use std::sync::{Arc, Mutex};

use hardclaw_config::Config;
use hardclaw_policy::SessionKey;
use hardclaw_store::{SessionRecord, Store};
use tokio::sync::mpsc::UnboundedSender;

use crate::cancel::CancelToken;
use crate::context::{CHARS_PER_TOKEN, trim};
use crate::error::AgentError;
use crate::message::{ChatMessage, ModelReply, ModelRequest, ToolCall, ToolSpec, Usage};
use crate::prompt::{DEFAULT_BOOTSTRAP_MAX_CHARS, system_prompt};
use crate::provider::ModelClient;
use crate::tools::{ToolExecutor, now};

/// Knobs of the loop.
#[derive(Debug, Clone)]
pub struct AgentSettings {
    /// Model → tools → model rounds in one turn.
    pub max_tool_rounds: u32,
    /// Completion cap per model call.
    pub max_tokens: u32,
    /// Context budget in characters (default: the model's `contextWindow` × 4, else 400 000).
    pub context_budget_chars: Option<usize>,
    /// Transcript messages loaded as history.
    pub history_limit: usize,
    /// Per-file cap of SOUL.md / AGENTS.md / USER.md.
    pub bootstrap_max_chars: usize,
}

impl Default for AgentSettings {
    fn default() -> Self {
        AgentSettings {
            max_tool_rounds: 8,
            max_tokens: 4096,
            context_budget_chars: None,
            history_limit: 200,
            bootstrap_max_chars: DEFAULT_BOOTSTRAP_MAX_CHARS,
        }
    }
}

/// What a caller can watch while a turn runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentEvent {
    /// Streamed model text.
    Text(String),
    /// A tool call is about to be checked.
    ToolCall {
        /// Tool name.
        name: String,
    },
    /// A tool call finished.
    ToolResult {
        /// Tool name.
        name: String,
        /// Blocked by policy.
        blocked: bool,
    },
}

/// A finished turn.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnOutcome {
    /// The final text.
    pub reply: String,
    /// Tokens across every model call of the turn.
    pub usage: Usage,
    /// Tool rounds run.
    pub tool_rounds: u32,
    /// `provider/model` of the last answer.
    pub model: String,
    /// The session's taint at the end of the turn (travels back with a `sessions_send`
    /// reply).
    pub taint: hardclaw_policy::injection::Taint,
}

/// One agent bound to one session.
#[derive(Debug)]
pub struct Agent {
    agent_id: String,
    session_key: String,
    model: ModelClient,
    tools: ToolExecutor,
    store: Arc<Mutex<Store>>,
    settings: AgentSettings,
    events: Option<UnboundedSender<AgentEvent>>,
}

/// The turn's data, moved from state to state.
#[derive(Debug)]
struct Turn {
    system: String,
    tools: Vec<ToolSpec>,
    messages: Vec<ChatMessage>,
    current: usize,
    usage: Usage,
    rounds: u32,
    model: String,
}

/// The states.
#[derive(Debug)]
enum State {
    AwaitingModel(Turn),
    CheckingToolCalls(Turn, ModelReply),
    Executing(Turn, Vec<ToolCall>),
    Recording(Turn, ModelReply),
    Done(TurnOutcome),
}

impl Agent {
    /// An agent for `session_key` (created in the store when new).
    pub fn new(
        _config: &Config,
        store: Arc<Mutex<Store>>,
        model: ModelClient,
        tools: ToolExecutor,
        agent_id: &str,
        session_key: &str,
        settings: AgentSettings,
    ) -> Result<Agent, AgentError> {
        {
            let s = store.lock().unwrap_or_else(|p| p.into_inner());
            if s.session(session_key)?.is_none() {
                let key = SessionKey::parse(session_key, agent_id);
                let mut rec = SessionRecord::from_key(&key, None, now());
                rec.key = session_key.to_string();
                s.upsert_session(&rec)?;
            }
        }
        Ok(Agent {
            agent_id: agent_id.to_string(),
            session_key: session_key.to_string(),
            model,
            tools,
            store,
            settings,
            events: None,
        })
    }

    /// Sends [`AgentEvent`]s to `tx`.
    #[must_use]
    pub fn with_events(mut self, tx: UnboundedSender<AgentEvent>) -> Agent {
        self.events = Some(tx);
        self
    }

    /// The tool executor.
    pub fn tools(&self) -> &ToolExecutor {
        &self.tools
    }

    fn emit(&self, e: AgentEvent) {
        if let Some(tx) = &self.events {
            let _ = tx.send(e);
        }
    }

    fn record(&self, m: &ChatMessage) -> Result<(), AgentError> {
        let content = serde_json::to_string(m).unwrap_or_default();
        let mut s = self.store.lock().unwrap_or_else(|p| p.into_inner());
        s.append_message(&self.session_key, m.role(), &content, now())?;
        Ok(())
    }

    fn budget(&self) -> usize {
        self.settings.context_budget_chars.unwrap_or_else(|| {
            self.model
                .chain()
                .first()
                .and_then(|t| t.context_window)
                .map_or(400_000, |w| {
                    usize::try_from(w)
                        .unwrap_or(usize::MAX)
                        .saturating_sub(self.settings.max_tokens as usize)
                        .saturating_mul(CHARS_PER_TOKEN)
                })
        })
    }

    /// Runs one turn for `user_text`.
    pub async fn run_turn(
        &self,
        user_text: &str,
        cancel: &CancelToken,
    ) -> Result<TurnOutcome, AgentError> {
        let history = {
            let s = self.store.lock().unwrap_or_else(|p| p.into_inner());
            s.history(&self.session_key, self.settings.history_limit)?
        };
        let mut messages: Vec<ChatMessage> = history
            .iter()
            .filter_map(|r| {
                serde_json::from_str::<ChatMessage>(&r.content)
                    .ok()
                    .map(|m| (r, m))
            })
            // Only the runtime's own records: a row whose stored role differs (a channel
            // message that happens to be JSON) is not history.
            .filter(|(r, m)| r.role == m.role())
            .map(|(_, m)| m)
            .collect();
        // History may start mid-turn (limit): start at a user message.
        let first_user = messages
            .iter()
            .position(|m| matches!(m, ChatMessage::User { .. }))
            .unwrap_or(messages.len());
        messages.drain(..first_user);
        let user = ChatMessage::User {
            content: user_text.to_string(),
        };
        self.record(&user)?;
        let current = messages.len();
        messages.push(user);
        let turn = Turn {
            system: system_prompt(
                &self.agent_id,
                self.tools.workspace(),
                self.settings.bootstrap_max_chars,
            ),
            tools: self.tools.offered_tools(),
            messages,
            current,
            usage: Usage::default(),
            rounds: 0,
            model: String::new(),
        };
        let mut state = State::AwaitingModel(turn);
        loop {
            if cancel.is_cancelled() {
                return Err(AgentError::Cancelled);
            }
            state = match state {
                State::AwaitingModel(t) => self.await_model(t, cancel).await?,
                State::CheckingToolCalls(t, r) => self.check_tool_calls(t, r)?,
                State::Executing(t, calls) => self.execute(t, calls, cancel).await?,
                State::Recording(t, r) => self.finish(t, r)?,
                State::Done(outcome) => return Ok(outcome),
            };
        }
    }

    async fn await_model(&self, mut t: Turn, cancel: &CancelToken) -> Result<State, AgentError> {
        let start = trim(&t.system, &t.messages, t.current, self.budget());
        if start > 0 {
            t.messages.drain(..start);
            t.current -= start;
        }
        let req = ModelRequest {
            system: &t.system,
            messages: &t.messages,
            tools: &t.tools,
            max_tokens: self.settings.max_tokens,
        };
        let mut on_text = |s: &str| self.emit(AgentEvent::Text(s.to_string()));
        // A cancel stops an in-flight model request at once (the request is dropped).
        let reply = tokio::select! {
            r = self.model.complete(&req, &mut on_text) => r?,
            () = cancel.cancelled() => return Err(AgentError::Cancelled),
        };
        t.usage.add(reply.usage);
        t.model = reply.model.clone();
        Ok(State::CheckingToolCalls(t, reply))
    }

    fn check_tool_calls(&self, mut t: Turn, reply: ModelReply) -> Result<State, AgentError> {
        if reply.tool_calls.is_empty() {
            return Ok(State::Recording(t, reply));
        }
        let msg = ChatMessage::Assistant {
            content: reply.text.clone(),
            tool_calls: reply.tool_calls.clone(),
        };
        self.record(&msg)?;
        t.messages.push(msg);
        if t.rounds >= self.settings.max_tool_rounds {
            return Err(AgentError::MaxToolRounds {
                limit: self.settings.max_tool_rounds,
            });
        }
        Ok(State::Executing(t, reply.tool_calls))
    }

    async fn execute(
        &self,
        mut t: Turn,
        calls: Vec<ToolCall>,
        cancel: &CancelToken,
    ) -> Result<State, AgentError> {
        for call in calls {
            if cancel.is_cancelled() {
                return Err(AgentError::Cancelled);
            }
            self.emit(AgentEvent::ToolCall {
                name: call.name.clone(),
            });
            let result = self.tools.run(&call).await;
            self.emit(AgentEvent::ToolResult {
                name: call.name.clone(),
                blocked: result.blocked,
            });
            let msg = ChatMessage::Tool {
                call_id: call.id,
                name: call.name,
                content: result.content,
                is_error: result.is_error,
            };
            self.record(&msg)?;
            t.messages.push(msg);
        }
        t.rounds += 1;
        Ok(State::AwaitingModel(t))
    }

    fn finish(&self, t: Turn, reply: ModelReply) -> Result<State, AgentError> {
        self.record(&ChatMessage::Assistant {
            content: reply.text.clone(),
            tool_calls: Vec::new(),
        })?;
        Ok(State::Done(TurnOutcome {
            reply: reply.text,
            usage: t.usage,
            tool_rounds: t.rounds,
            model: t.model,
            taint: self.tools.taint().taint(),
        }))
    }
}
