//! Loading a config file: JSON5 → `$include` merge → `${VAR}` substitution → typed [`Config`].
//!
//! OWNER: loader helper. This file is a stub with the agreed interface; replace the body.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::ConfigError;
use crate::json_path::{JsonPath, Origin};
use crate::schema::Config;

/// Environment variables visible to `${VAR}` substitution.
pub type EnvMap = BTreeMap<String, String>;

/// What to do with `${VAR}` references.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EnvMode {
    /// Substitute; a missing or empty variable is an error (the runtime, `validate`, the audit).
    #[default]
    Require,
    /// Leave references as written (`config get`, which shows references, not values).
    LeaveUnresolved,
}

/// Knobs for [`load`].
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Variables for `${VAR}` substitution (the caller decides: process env, `.env` files, ...).
    pub env: EnvMap,
    /// Substitute or not.
    pub env_mode: EnvMode,
    /// Maximum `$include` nesting (OpenClaw: 10).
    pub max_include_depth: usize,
    /// Maximum size of any one file, main or included (OpenClaw: 2 MiB).
    pub max_file_bytes: u64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            env: EnvMap::new(),
            env_mode: EnvMode::Require,
            max_include_depth: 10,
            max_file_bytes: 2 * 1024 * 1024,
        }
    }
}

/// Where a key of the merged document was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// File, line and column of the key (for array elements: of the element).
    pub origin: Origin,
    /// The path of the same key *inside that file* (differs from the merged path when the key
    /// came from an `$include`). `--fix` edits this path in `origin.file`.
    pub local_path: JsonPath,
}

/// A `${VAR}` reference found in a string value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvRef {
    /// JSON path (merged document) of the string.
    pub json_path: String,
    /// The variable name.
    pub var: String,
}

/// A loaded, validated configuration and everything known about where it came from.
#[derive(Debug)]
pub struct LoadedConfig {
    /// The main config file.
    pub path: PathBuf,
    /// False when the file does not exist (then everything is default).
    pub exists: bool,
    /// The typed configuration (after substitution, or of `raw` in `LeaveUnresolved` mode).
    pub config: Config,
    /// The merged document with `${VAR}` references as written.
    pub raw: Value,
    /// The merged document after substitution (equal to `raw` in `LeaveUnresolved` mode).
    pub resolved: Value,
    /// Every file reached through `$include`, in the order first reached.
    pub includes: Vec<PathBuf>,
    /// JSON path (textual form) → where it was written.
    pub origins: BTreeMap<String, Located>,
    /// Duplicate keys found (each a [`ConfigError::DuplicateKey`]). Loading does not fail on
    /// them so the audit can report them all; every other consumer calls
    /// [`LoadedConfig::ensure_no_duplicates`].
    pub duplicate_keys: Vec<ConfigError>,
    /// Every `${VAR}` reference.
    pub env_refs: Vec<EnvRef>,
}

impl LoadedConfig {
    /// Where `json_path` was written; falls back to the nearest ancestor that has an origin,
    /// then to the start of the main file.
    pub fn origin(&self, json_path: &str) -> Origin {
        let _ = json_path;
        Origin { file: self.path.clone(), line: 1, column: 1 }
    }

    /// The first duplicate key as an error, if any.
    pub fn ensure_no_duplicates(&self) -> Result<(), ConfigError> {
        Ok(())
    }
}

/// Loads the config at `path`. A missing file is not an error: it yields the defaults with
/// `exists == false`.
pub fn load(path: &Path, opts: &LoadOptions) -> Result<LoadedConfig, ConfigError> {
    let _ = (path, opts);
    Err(ConfigError::Io {
        path: path.to_path_buf(),
        action: "cannot load (loader not written yet)",
        source: std::io::Error::other("unimplemented"),
    })
}

/// Loads from text, as if it were the file `path` (includes resolve relative to its folder).
pub fn load_str(text: &str, path: &Path, opts: &LoadOptions) -> Result<LoadedConfig, ConfigError> {
    let _ = (text, path, opts);
    Err(ConfigError::Io {
        path: path.to_path_buf(),
        action: "cannot load (loader not written yet)",
        source: std::io::Error::other("unimplemented"),
    })
}
