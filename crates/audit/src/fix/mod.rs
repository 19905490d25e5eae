//! `--fix`: safe config edits (comment-preserving) and the permission pass.
//!
//! [`apply_fixes`] first applies the config edits OpenClaw's `--fix` makes (`config_edits`),
//! each in the file where the key is written, keeping comments and layout, with an atomic
//! write and a 4-deep backup ring; then the permission pass (`perms`), which always runs, even
//! when the config is invalid, and covers OpenClaw's targets plus the ones it misses (log file,
//! credentials sub-directories, `.env`, `exec-approvals.json`, backups, `identity/`, `logs/`).

mod config_edits;
mod perms;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use hardclaw_config::{LoadedConfig, Locations};

/// Options of a fix run.
#[derive(Debug, Clone, Copy, Default)]
pub struct FixOptions {
    /// Compute everything, write nothing; the result carries the diff.
    pub dry_run: bool,
}

/// One permission action, as OpenClaw reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChmodAction {
    /// Always "chmod".
    pub kind: String,
    /// The path.
    pub path: String,
    /// Target mode, octal (e.g. 448 = 0o700).
    pub mode: u32,
    /// Whether it succeeded (or was skipped without error).
    pub ok: bool,
    /// `symlink`, `not-a-directory`, `not-a-file`, `already`, `missing`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub skipped: Option<String>,
    /// The error, when it failed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
}

/// What `--fix` did: `{ok, stateDir, configPath, configWritten, changes, actions, errors}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FixResult {
    /// No errors.
    pub ok: bool,
    /// State dir.
    pub state_dir: String,
    /// Config path.
    pub config_path: String,
    /// Whether a config file was written.
    pub config_written: bool,
    /// Change strings (`logging.redactSensitive=off -> "tools"`).
    pub changes: Vec<String>,
    /// Permission actions.
    pub actions: Vec<ChmodAction>,
    /// Errors.
    pub errors: Vec<String>,
    /// Unified diff of config edits (always computed; printed by `--dry-run`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub diff: Option<String>,
    /// True for a dry run: nothing was written or chmod-ed; an action without `skipped` or
    /// `error` is one that would be done.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub dry_run: bool,
    /// Remarks that are not errors (e.g. "<config> is a symlink; wrote its target <path>").
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<String>,
}

/// Applies the safe fixes. `loaded` is `None` when the config is invalid (then only the
/// permission pass runs and the load error is recorded by the caller).
pub fn apply_fixes(
    loaded: Option<&LoadedConfig>,
    locations: &Locations,
    options: FixOptions,
) -> FixResult {
    let mut result = FixResult {
        state_dir: locations.state_dir.display().to_string(),
        config_path: loaded
            .map(|l| l.path.clone())
            .unwrap_or_else(|| locations.config_path.clone())
            .display()
            .to_string(),
        dry_run: options.dry_run,
        ..FixResult::default()
    };
    if let Some(loaded) = loaded {
        config_edits::apply_config_edits(loaded, locations, options, &mut result);
    }
    let (actions, errors) = perms::run_permission_pass(loaded, locations, options.dry_run);
    result.actions = actions;
    result.errors.extend(errors);
    result.ok = result.errors.is_empty();
    result
}
