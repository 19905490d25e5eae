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
//! # Decisions (where hardclaw differs from the guide)
//!
//! * Levels: `no_access` blocks every operation, `read_only` blocks writes and deletes,
//!   `no_delete` blocks deletes (and moving a file away: `mv` sources and `*** Move to:`
//!   sources count as deletes). Built-ins beat the pattern file on equal levels; the decision's
//!   rule names the source (`self-protection`, `credentials`, `identity-files`,
//!   `shell-startup`, or the level for pattern-file hits).
//! * Self-protection covers reads too, for every tool (the guide lets `read` see the plugin's
//!   own files): the state directory holds tokens and transcripts.
//! * Both pattern-file shapes are accepted; `.git` itself and everything below it is
//!   no_delete; `.ssh` is no_access at any depth.
//! * Deleting or writing a directory that holds a built-in location (`rm -rf ~`,
//!   `rm -rf <workspace>`) is refused like the location itself.
//! * Dynamic shell words (`$X`, `$(…)`, globs): see [`FileGuard::check_dynamic`]: globs are
//!   judged against probe paths (a hit blocks), other dynamic writes/deletes need approval
//!   (`dynamic-path`), unknown expansions need approval for reads too.
//! * Unknown programs (`known_program == false`): every literal argument (and `--opt=value`
//!   value) is checked as a read. Known programs are trusted to the analyser's roles.
//! * A command without facts, or with `parse_error`, is blocked (`parse-error`).
//! * A symlink is judged by its target too, also for deletes (OpenClaw lets a link inside the
//!   workspace be unlinked; here a link to a protected file may not be removed by the agent).
//! * Hardlinks are invisible to path policy: the fs layer must refuse `st_nlink > 1` and
//!   protected `(dev, ino)` after opening (rust-stack.md gotcha 3).

pub mod builtins;
pub mod guard;
pub mod matcher;
pub mod paths;
pub mod patterns;
pub mod settings;

#[cfg(test)]
mod corpus;
#[cfg(test)]
mod regressions;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod testutil;

pub use guard::{CONFIG_ERROR_REASON, FileGuard, GUARD, GUARDED_TOOLS, Op, patch_paths};
pub use matcher::{Protection, Source};
pub use patterns::{Level, PatternSet};
pub use settings::Settings;
