//! `--fix`: safe config edits (comment-preserving) and the permission pass.
//!
//! OWNER: fix helper. Stub with the agreed interface.

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
}

/// Applies the safe fixes. `loaded` is `None` when the config is invalid (then only the
/// permission pass runs and the load error is recorded by the caller).
pub fn apply_fixes(
    loaded: Option<&LoadedConfig>,
    locations: &Locations,
    options: FixOptions,
) -> FixResult {
    let _ = (loaded, locations, options);
    FixResult::default()
}
