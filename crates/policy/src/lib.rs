//! hardclaw's policy engine: pure, synchronous security decisions with no I/O.
//!
//! This first cut holds what the audit needs: the tool catalogue ([`tool_groups`]) and the
//! effective tool set of an agent context with the layer that removed each tool
//! ([`tool_policy`]).
#![forbid(unsafe_code)]

pub mod command_guard;
pub mod guard;
pub mod shell;
pub mod tool_groups;
pub mod tool_policy;

pub use guard::{
    Decision, DnsResolver, GuardEnv, GuardRequest, NoDns, NoFilesystem, PathResolver, Verdict,
};
pub use tool_groups::{BUILTIN_TOOLS, TOOL_CATALOG_VERSION, normalize_tool_name};
pub use tool_policy::{
    EffectiveSandbox, Layer, SessionKind, ToolDecision, allowed_builtins, decide, layers_for,
    sandbox_mode,
};
