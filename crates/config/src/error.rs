//! Errors of the config crate. Every variant names the file and, where known, the line, column and
//! JSON path, so a person can go straight to the problem.

use std::path::PathBuf;

use crate::json_path::Origin;

/// Why a configuration could not be loaded, validated or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read or written.
    #[error("{}: {action}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done ("cannot read", "cannot write", ...).
        action: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// The text is not valid JSON5.
    #[error("{origin}: syntax error: {message}")]
    Syntax {
        /// Where.
        origin: Origin,
        /// What the parser expected.
        message: String,
    },
    /// The same key appears twice in one object (attackers love "last one wins").
    #[error(
        "{origin}: {json_path}: duplicate key `{key}` (first written at line {first_line}); \
         remove one of them"
    )]
    DuplicateKey {
        /// Where the second occurrence is.
        origin: Origin,
        /// Path of the object that holds the key, plus the key.
        json_path: String,
        /// The key.
        key: String,
        /// Line of the first occurrence.
        first_line: usize,
    },
    /// An `$include` could not be followed.
    #[error("{origin}: {json_path}: $include {reason}")]
    Include {
        /// Where the `$include` is written.
        origin: Origin,
        /// JSON path of the `$include` key.
        json_path: String,
        /// Why (cycle, depth, escapes the config dir, too large, not a regular file, ...).
        reason: String,
    },
    /// A `${VAR}` reference names a variable that is unset or empty.
    #[error(
        "{origin}: {json_path}: environment variable `{var}` is {state}; set it, or write `$${{{var}}}` \
         for a literal `${{{var}}}`"
    )]
    MissingEnv {
        /// Where the string is written.
        origin: Origin,
        /// JSON path of the string value.
        json_path: String,
        /// The variable name.
        var: String,
        /// "not set" or "empty".
        state: &'static str,
    },
    /// The document parsed but does not match the schema (unknown key, wrong type, bad value).
    #[error("{origin}: {json_path}: {message}{}", suggestion.as_ref().map(|s| format!(" ({s})")).unwrap_or_default())]
    Schema {
        /// Where the offending key or value is written.
        origin: Origin,
        /// JSON path of the offending key or value.
        json_path: String,
        /// What is wrong, including what was expected.
        message: String,
        /// A hint such as "did you mean `requireMention`?".
        suggestion: Option<String>,
    },
}

impl ConfigError {
    /// The position the error points at, when it has one.
    pub fn origin(&self) -> Option<&Origin> {
        match self {
            ConfigError::Io { .. } => None,
            ConfigError::Syntax { origin, .. }
            | ConfigError::DuplicateKey { origin, .. }
            | ConfigError::Include { origin, .. }
            | ConfigError::MissingEnv { origin, .. }
            | ConfigError::Schema { origin, .. } => Some(origin),
        }
    }

    /// The JSON path the error points at, when it has one.
    pub fn json_path(&self) -> Option<&str> {
        match self {
            ConfigError::Io { .. } | ConfigError::Syntax { .. } => None,
            ConfigError::DuplicateKey { json_path, .. }
            | ConfigError::Include { json_path, .. }
            | ConfigError::MissingEnv { json_path, .. }
            | ConfigError::Schema { json_path, .. } => Some(json_path),
        }
    }
}
