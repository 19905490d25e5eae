//! Loading a config file: JSON5 → `$include` merge → `${VAR}` substitution → typed [`Config`].
//!
//! The stages live in their own modules: `read` (safe file reading), `parse` (JSON5 → tree with
//! positions, duplicate keys), `include` (`$include`), `tree` (merge, flatten), `env_subst`
//! (`${VAR}`). This file only chains them and builds the [`LoadedConfig`].
//!
//! JSON paths: errors raised while reading one file ([`ConfigError::Syntax`],
//! [`ConfigError::DuplicateKey`], [`ConfigError::Include`]) carry the path inside that file
//! (`origin.file`); later errors ([`ConfigError::MissingEnv`], [`ConfigError::Schema`]) and
//! [`LoadedConfig::origins`] keys use merged-document paths, and [`Located::local_path`] maps
//! them back to the path inside the file that wrote them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::env_subst::{EnvLookup, collect_refs, substitute};
use crate::error::ConfigError;
use crate::include::{Resolver, normalize};
use crate::json_path::{JsonPath, Origin};
use crate::parse::parse_json5;
use crate::read::read_config_file;
use crate::schema::Config;
use crate::tree::{Node, flatten};

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
///
/// `Debug` omits the documents' contents (they hold secrets): it prints key counts only.
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
    /// [`LoadedConfig::ensure_no_duplicates`]. In the documents, the **last** value of a repeated
    /// key is the one kept. Each error's `json_path` is the path inside `origin.file`.
    pub duplicate_keys: Vec<ConfigError>,
    /// Every `${VAR}` reference.
    pub env_refs: Vec<EnvRef>,
}

impl std::fmt::Debug for LoadedConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys = |v: &Value| v.as_object().map_or(0, serde_json::Map::len);
        f.debug_struct("LoadedConfig")
            .field("path", &self.path)
            .field("exists", &self.exists)
            .field("config", &format_args!("Config {{ .. }}"))
            .field("raw", &format_args!("<{} top-level keys>", keys(&self.raw)))
            .field(
                "resolved",
                &format_args!("<{} top-level keys>", keys(&self.resolved)),
            )
            .field("includes", &self.includes)
            .field("origins", &format_args!("<{} paths>", self.origins.len()))
            .field("duplicate_keys", &self.duplicate_keys.len())
            .field("env_refs", &self.env_refs.len())
            .finish()
    }
}

impl LoadedConfig {
    /// Where `json_path` was written; falls back to the nearest ancestor that has an origin,
    /// then to the start of the main file.
    pub fn origin(&self, json_path: &str) -> Origin {
        locate(&self.origins, &self.path, json_path)
    }

    /// The first duplicate key as an error, if any.
    pub fn ensure_no_duplicates(&self) -> Result<(), ConfigError> {
        match self.duplicate_keys.first() {
            None => Ok(()),
            Some(ConfigError::DuplicateKey {
                origin,
                json_path,
                key,
                first_line,
            }) => Err(ConfigError::DuplicateKey {
                origin: origin.clone(),
                json_path: json_path.clone(),
                key: key.clone(),
                first_line: *first_line,
            }),
            // Only duplicate-key errors are ever stored; keep the message if that changes.
            Some(other) => Err(ConfigError::Schema {
                origin: other
                    .origin()
                    .cloned()
                    .unwrap_or_else(|| file_start(&self.path)),
                json_path: other.json_path().unwrap_or_default().to_string(),
                message: other.to_string(),
                suggestion: None,
            }),
        }
    }
}

/// Loads the config at `path`. A missing file is not an error: it yields the defaults with
/// `exists == false`.
pub fn load(path: &Path, opts: &LoadOptions) -> Result<LoadedConfig, ConfigError> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(missing(path)),
        Err(source) => {
            return Err(ConfigError::Io {
                path: path.to_path_buf(),
                action: "cannot read",
                source,
            });
        }
        Ok(_) => {}
    }
    let text = read_config_file(path, opts.max_file_bytes, false).map_err(|e| ConfigError::Io {
        path: path.to_path_buf(),
        action: "cannot read",
        source: e.into_io(),
    })?;
    load_str(&text, path, opts)
}

/// Loads from text, as if it were the file `path` (includes resolve relative to its folder).
pub fn load_str(text: &str, path: &Path, opts: &LoadOptions) -> Result<LoadedConfig, ConfigError> {
    let doc = load_document(text, path, opts)?;
    let config = Config::from_value(&doc.resolved).map_err(|e| ConfigError::Schema {
        origin: locate(&doc.origins, path, &e.json_path),
        json_path: e.json_path,
        message: e.message,
        suggestion: e.suggestion,
    })?;
    Ok(LoadedConfig {
        path: path.to_path_buf(),
        exists: true,
        config,
        raw: doc.raw,
        resolved: doc.resolved,
        includes: doc.includes,
        origins: doc.origins,
        duplicate_keys: doc.duplicate_keys,
        env_refs: doc.env_refs,
    })
}

/// Everything [`load_str`] produces before the schema is applied.
#[derive(Debug)]
pub(crate) struct Document {
    pub raw: Value,
    pub resolved: Value,
    pub includes: Vec<PathBuf>,
    pub origins: BTreeMap<String, Located>,
    pub duplicate_keys: Vec<ConfigError>,
    pub env_refs: Vec<EnvRef>,
}

/// Parse, `$include`, `${VAR}`: the stages of [`load_str`] up to (not including) the schema.
pub(crate) fn load_document(
    text: &str,
    path: &Path,
    opts: &LoadOptions,
) -> Result<Document, ConfigError> {
    let parsed = parse_json5(text, path)?;
    if !matches!(parsed.root, Node::Object(_)) {
        return Err(ConfigError::Syntax {
            origin: parsed.root_origin,
            message: "the top level must be an object `{ ... }`".to_string(),
        });
    }
    let main_abs = std::path::absolute(path)
        .map(|p| normalize(&p))
        .map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            action: "cannot resolve the path of",
            source,
        })?;
    let mut resolver = Resolver::new(opts, &main_abs);
    let merged = resolver.resolve_main(parsed.root, &main_abs)?;
    if !matches!(merged, Node::Object(_)) {
        return Err(ConfigError::Syntax {
            origin: parsed.root_origin,
            message: "after `$include`, the top level is not an object `{ ... }`".to_string(),
        });
    }
    let mut origins = BTreeMap::new();
    let raw = flatten(merged, &JsonPath::root(), &mut origins);
    let env_refs = collect_refs(&raw);
    let resolved = match opts.env_mode {
        EnvMode::LeaveUnresolved => raw.clone(),
        EnvMode::Require => {
            let lookup = EnvLookup::new(&opts.env, &raw);
            substitute(&raw, &lookup).map_err(|m| ConfigError::MissingEnv {
                origin: locate(&origins, path, &m.json_path),
                json_path: m.json_path,
                var: m.var,
                state: m.state,
            })?
        }
    };
    let mut duplicate_keys = parsed.duplicates;
    duplicate_keys.append(&mut resolver.duplicates);
    Ok(Document {
        raw,
        resolved,
        includes: resolver.includes,
        origins,
        duplicate_keys,
        env_refs,
    })
}

fn missing(path: &Path) -> LoadedConfig {
    LoadedConfig {
        path: path.to_path_buf(),
        exists: false,
        config: Config::default(),
        raw: Value::Object(Map::new()),
        resolved: Value::Object(Map::new()),
        includes: Vec::new(),
        origins: BTreeMap::new(),
        duplicate_keys: Vec::new(),
        env_refs: Vec::new(),
    }
}

fn file_start(path: &Path) -> Origin {
    Origin {
        file: path.to_path_buf(),
        line: 1,
        column: 1,
    }
}

/// The origin of `json_path` or of its nearest ancestor that has one, else the file start.
fn locate(origins: &BTreeMap<String, Located>, main: &Path, json_path: &str) -> Origin {
    if let Some(found) = origins.get(json_path) {
        return found.origin.clone();
    }
    let mut path = JsonPath::parse(json_path);
    while path.0.pop().is_some() {
        if let Some(found) = origins.get(&path.to_string()) {
            return found.origin.clone();
        }
    }
    file_start(main)
}

#[cfg(test)]
mod tests;
