//! file-guard: path-based file protection for `read`/`write`/`edit`/`apply_patch` and shell
//! commands (reference `openclaw-guide-spec.md` §1.3, with the fixes of §6 items 5–6, and
//! `openclaw-runtime-security.md` §4).
//!
//! * [`paths`]: normalisation (`@`, `~`, Unicode spaces, `file://`, `/workspace`, `.`/`..`,
//!   canonical forms through [`crate::PathResolver`]) and workspace containment.
//! * [`patterns`]: protection levels and the pattern file (both shapes).
//! * [`settings`]: the plugin entry `plugins.entries.file-guard.config`.
//! * [`builtins`]: hardclaw's always-on protections (self, credentials, identity files, shell
//!   startup files).
//! * [`matcher`]: the compiled glob set.
//! * [`guard`]: [`FileGuard`] and its per-tool rules.
//!
//! Decisions on dynamic shell words (`$X`, globs): see [`FileGuard::check_dynamic`].

pub mod builtins;
pub mod guard;
pub mod matcher;
pub mod paths;
pub mod patterns;
pub mod settings;

#[cfg(test)]
mod corpus;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod testutil;

pub use guard::{CONFIG_ERROR_REASON, FileGuard, GUARD, GUARDED_TOOLS, Op, patch_paths};
pub use matcher::{Protection, Source};
pub use patterns::{Level, PatternSet};
pub use settings::Settings;
