//! Test helpers: build an [`AuditContext`] from an in-memory config without touching the loader.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hardclaw_config::{Config, EnvMap, Flavor, LoadedConfig, Locations};
use serde_json::Value;

use crate::context::{AuditContext, AuditOptions};
use crate::finding::Finding;

/// Owns everything an [`AuditContext`] borrows.
#[derive(Debug)]
pub(crate) struct Fixture {
    pub loaded: LoadedConfig,
    pub locations: Locations,
    pub env: EnvMap,
    pub options: AuditOptions,
}

impl Fixture {
    /// A fixture for `raw` (the merged config document); state dir `/nonexistent/state`.
    pub fn new(raw: Value) -> Fixture {
        Fixture::with_state(raw, Path::new("/nonexistent/state"))
    }

    /// A fixture whose state dir is `state_dir` and config is `<state>/hardclaw.json`.
    pub fn with_state(raw: Value, state_dir: &Path) -> Fixture {
        let config = match Config::from_value(&raw) {
            Ok(c) => c,
            Err(e) => panic!("test config invalid at {}: {}", e.json_path, e.message),
        };
        let config_path = state_dir.join("hardclaw.json");
        let loaded = LoadedConfig {
            path: config_path.clone(),
            exists: true,
            config,
            resolved: raw.clone(),
            raw,
            includes: Vec::new(),
            origins: BTreeMap::new(),
            duplicate_keys: Vec::new(),
            env_refs: Vec::new(),
        };
        let locations = Locations {
            flavor: Flavor::Hardclaw,
            home: PathBuf::from("/nonexistent/home"),
            state_dir: state_dir.to_path_buf(),
            config_path,
            credentials_dir: state_dir.join("credentials"),
        };
        Fixture {
            loaded,
            locations,
            env: EnvMap::new(),
            options: AuditOptions::default(),
        }
    }

    /// Sets an environment variable seen by the checks.
    pub fn env(mut self, key: &str, value: &str) -> Fixture {
        self.env.insert(key.to_string(), value.to_string());
        self
    }

    /// The context.
    pub fn ctx(&self) -> AuditContext<'_> {
        AuditContext {
            loaded: &self.loaded,
            locations: &self.locations,
            env: &self.env,
            options: self.options,
        }
    }

    /// Runs one family's `collect` and returns its findings.
    pub fn run(&self, collect: fn(&AuditContext<'_>, &mut Vec<Finding>)) -> Vec<Finding> {
        let mut out = Vec::new();
        collect(&self.ctx(), &mut out);
        out
    }
}

/// The check ids of `findings`, in order.
pub(crate) fn ids(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.check_id.as_str()).collect()
}

/// The finding with `check_id`, or a panic listing what was found.
pub(crate) fn find<'a>(findings: &'a [Finding], check_id: &str) -> &'a Finding {
    match findings.iter().find(|f| f.check_id == check_id) {
        Some(f) => f,
        None => panic!("no finding {check_id}; found {:?}", ids(findings)),
    }
}
