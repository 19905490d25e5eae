//! hardclaw's agent runtime.
//!
//! * [`ModelClient`] ([`provider`]): OpenAI chat completions and Anthropic Messages, streamed
//!   (SSE) or not, with tool calling, bounded retries on 429/5xx, fallbacks along the agent's
//!   `{primary, fallbacks}` chain, token usage; keys only from the environment ([`KeySource`]).
//! * [`Agent`]: one turn as a state machine (awaiting model → checking tool calls →
//!   executing → recording), transcripts in [`hardclaw_store::Store`], a tool-round limit,
//!   cancellation ([`CancelToken`]), context trimming, `SOUL.md`/`AGENTS.md`/`USER.md` in the
//!   system prompt.
//! * [`ToolExecutor`] ([`tools`]): every call passes the tool policy and the guards, `ask`
//!   goes to an [`Approver`], the executors take a [`Permit`]; built-ins `read`, `write`,
//!   `edit` and `apply_patch` (contained with `openat2`), `exec` (host only with
//!   `sandbox.mode: "off"`, else an [`ExecBackend`]), `web_fetch` (DNS-pinned, redirects
//!   re-checked), `web_search` (Brave), `memory_search` / `memory_get` (keyword search over the
//!   workspace's memory files), `process` (background commands of `exec`, per session in a
//!   [`ProcessRegistry`]), the session tools and `message`; web content reaches the model in
//!   an untrusted-content envelope.
//! * [`Runtime`]: runs a turn of any agent in any session — for the gateway and for agents
//!   themselves (`sessions_send`, `sessions_spawn`), with per-session turn locks, the
//!   session's [`TaintState`] (persisted), content-guard at every agent-to-agent boundary
//!   ([`boundary`]) and token usage recorded per session.
//! * `scripted` (feature `testkit`): a local model server speaking both wire formats;
//!   `scripted_search`: a local Brave Search server.
#![forbid(unsafe_code)]

mod agent;
pub mod boundary;
pub mod cancel;
pub mod context;
mod error;
pub mod message;
pub mod models;
pub mod origin;
pub mod prompt;
pub mod provider;
pub mod runtime;
#[cfg(any(test, feature = "testkit"))]
pub mod scripted;
#[cfg(any(test, feature = "testkit"))]
pub mod scripted_search;
pub mod secret;
pub mod taint_state;
pub mod tools;

pub use agent::{Agent, AgentEvent, AgentSettings, TurnOutcome};
pub use cancel::CancelToken;
pub use error::{AgentError, ProviderError};
pub use message::{ChatMessage, ModelReply, ModelRequest, ToolCall, ToolSpec, Usage};
pub use models::{Api, ModelTarget, resolve_chain};
pub use origin::Origin;
pub use provider::{ModelClient, ProviderSettings};
pub use runtime::{BackendFactory, ChildSlot, Runtime, RuntimeOptions, TurnFuture, TurnInput};
pub use secret::{ApiKey, KeyProblem, KeySource};
pub use taint_state::TaintState;
pub use tools::exec::{ExecBackend, ExecError, ExecOutput, ExecRequest, UnwiredSandbox};
pub use tools::message::{Messenger, OutboundMessage, SendFuture};
pub use tools::process::io::{BackgroundIo, Exit, Spawned};
pub use tools::process::{ProcessLimits, ProcessRegistry};
pub use tools::sandbox_exec::SandboxBackend;
pub use tools::{
    ApprovalRequest, Approver, Builtin, Checked, DenyAll, Dns, HostPaths, Permit, ToolExecutor,
    ToolExecutorOptions, ToolLimits, ToolResult,
};
