//! hardclaw's configuration: OpenClaw's `openclaw.json` format (JSON5) with hardclaw's defaults.
//!
//! Main types: [`LoadedConfig`] (from [`load`]), the typed [`Config`], [`Locations`], and
//! [`ConfigError`], whose every variant names file, line, column and JSON path.
#![forbid(unsafe_code)]

mod dotenv;
mod edit;
mod env_subst;
mod error;
mod include;
mod json_path;
mod load;
mod locations;
mod parse;
mod read;
pub mod redact;
pub mod schema;
mod tree;
mod write;

pub use dotenv::{merge_dotenv, parse_dotenv};
pub use edit::{EditOp, apply_edits, apply_edits_in, strict_parse_options};
pub use error::ConfigError;
pub use json_path::{JsonPath, Origin, Segment};
pub use load::{EnvMap, EnvMode, EnvRef, LoadOptions, LoadedConfig, Located, load, load_str};
pub use locations::{Flavor, LocationInputs, Locations, absolutize, expand_tilde};
pub use schema::{Config, SchemaError};
pub use write::{WriteOutcome, chmod_nofollow, write_atomic};
