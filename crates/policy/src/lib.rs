//! hardclaw's policy engine: pure, synchronous security decisions with no I/O.
//!
//! * [`tool_groups`]: the versioned tool catalogue (built-ins, aliases, groups, profiles, the
//!   built-in sandbox/subagent/HTTP/owner-only lists).
//! * [`tool_pipeline`]: the full tool-policy pipeline — [`resolve`] a [`PolicyContext`] into
//!   [`EffectiveTools`], naming the layer and entry that removed each tool.
//! * [`tool_policy`]: the audit's first cut (profile, global, agent, sandbox layers).
//! * [`session_key`]: session key grammar → [`SessionType`].
//! * [`channel_access`]: may an inbound message reach an agent ([`decide_inbound`]), pairing,
//!   mention gating, chat-command gates.
//! * [`session_access`]: cross-session visibility ([`can_read_session`]).
//! * [`guard`]: the decision every guard returns.
//! * [`net`]: IP classification, WHATWG host parsing, the SSRF check with DNS pinning, and
//!   the network guard.
//! * [`file_guard`]: the file guard.
#![forbid(unsafe_code)]

pub mod channel_access;
pub mod command_guard;
pub mod file_guard;
pub mod guard;
pub mod guards;
pub mod injection;
pub mod leak_guard;
pub mod net;
pub mod session_access;
pub mod session_key;
pub mod shell;
pub mod tool_groups;
pub mod tool_pipeline;
pub mod tool_policy;

pub use channel_access::{
    AccessDecision, ApprovedSenders, ChatKind, CommandKind, InboundMessage, NoApprovedSenders,
    decide_inbound, pairing_reply,
};
pub use file_guard::FileGuard;
pub use guard::{
    Decision, DnsResolver, GuardEnv, GuardRequest, NoDns, NoFilesystem, PathResolver, Verdict,
};
pub use net::{NetworkGuard, PinnedTarget, SsrfPolicy};
pub use session_access::{SessionRef, can_read_session};
pub use session_key::{GroupKind, SessionKey, SessionType, Thread, dm_scope, normalize_agent_id};
pub use tool_groups::{
    BUILTIN_TOOLS, TOOL_CATALOG_VERSION, expand_tool_groups, normalize_tool_name,
};
pub use tool_pipeline::{
    ContextError, EffectiveTools, ElevatedGate, ElevatedStatus, PluginTool, PolicyContext,
    SessionInfo, ToolEntry, ToolSource, resolve,
};
pub use tool_policy::{
    EffectiveSandbox, Layer, SessionKind, ToolDecision, allowed_builtins, decide, layers_for,
    sandbox_mode,
};
