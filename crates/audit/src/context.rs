//! What a check can see: the loaded config, the resolved locations, the process environment and
//! the options of this run. Checks never read the process environment or clock directly, so
//! tests can set them.

use hardclaw_config::{Config, EnvMap, LoadedConfig, Locations};

/// Options of one audit run.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditOptions {
    /// Run the filesystem checks (permissions, symlinks, includes, credentials, ...).
    pub include_filesystem: bool,
    /// Run the `--deep` checks (code-safety scan, live gateway probe).
    pub deep: bool,
    /// Called with a short status line during long work (the deep scan). The library never
    /// prints; the CLI passes a function that writes to stderr.
    pub progress: Option<fn(&str)>,
}

/// Everything a check can read.
#[derive(Debug, Clone, Copy)]
pub struct AuditContext<'a> {
    /// The loaded config (typed, raw, origins, includes).
    pub loaded: &'a LoadedConfig,
    /// State dir, config path, credentials dir, home.
    pub locations: &'a Locations,
    /// The process environment as the gateway would see it.
    pub env: &'a EnvMap,
    /// Options.
    pub options: AuditOptions,
}

impl<'a> AuditContext<'a> {
    /// The typed config.
    pub fn config(&self) -> &'a Config {
        &self.loaded.config
    }

    /// A non-empty (trimmed) environment variable.
    pub fn env_var(&self, name: &str) -> Option<&'a str> {
        self.env
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }
}
