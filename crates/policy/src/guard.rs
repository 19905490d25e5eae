//! What every guard shares: the request it judges, the decision it returns, and the few
//! facts about the outside world it may need, passed in as traits so the policy crate never
//! does I/O itself (the CLI and the agent give real implementations; tests give tables).

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// allow < ask < block: the strictest decision wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Go ahead.
    Allow,
    /// A person must approve.
    Ask,
    /// Refused.
    Block,
}

/// A guard's decision, with the rule that made it and a reason written for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The verdict.
    pub decision: Verdict,
    /// `tool-policy`, `command-guard`, `file-guard`, `network-guard`.
    pub guard: String,
    /// Stable rule id (`rm-recursive-force`, `no_access`, `ssrf-private-address`, ...).
    pub rule: String,
    /// Why, in words a user understands.
    pub reason: String,
}

impl Decision {
    /// Allowed by `guard` (rule `allow`).
    pub fn allow(guard: &str) -> Decision {
        Decision {
            decision: Verdict::Allow,
            guard: guard.to_string(),
            rule: "allow".to_string(),
            reason: String::new(),
        }
    }

    /// Blocked by `guard`.
    pub fn block(guard: &str, rule: &str, reason: impl Into<String>) -> Decision {
        Decision {
            decision: Verdict::Block,
            guard: guard.to_string(),
            rule: rule.to_string(),
            reason: reason.into(),
        }
    }

    /// Needs approval per `guard`.
    pub fn ask(guard: &str, rule: &str, reason: impl Into<String>) -> Decision {
        Decision {
            decision: Verdict::Ask,
            guard: guard.to_string(),
            rule: rule.to_string(),
            reason: reason.into(),
        }
    }

    /// The stricter of two decisions (the first wins a tie).
    #[must_use]
    pub fn stricter(self, other: Decision) -> Decision {
        if other.decision > self.decision {
            other
        } else {
            self
        }
    }

    /// Whether this is a block.
    pub fn is_block(&self) -> bool {
        self.decision == Verdict::Block
    }
}

/// One tool call as a guard sees it.
#[derive(Debug, Clone, Copy)]
pub struct GuardRequest<'a> {
    /// Normalised tool name (`exec`, `read`, `web_fetch`, ...).
    pub tool: &'a str,
    /// The call's parameters as the model sent them.
    pub params: &'a serde_json::Value,
    /// The calling agent, when known.
    pub agent_id: Option<&'a str>,
    /// The session, when known.
    pub session_key: Option<&'a str>,
    /// The working directory commands and relative paths resolve against.
    pub cwd: &'a Path,
}

/// Where things are on this host (for `~` expansion and self-protection).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuardEnv {
    /// The home directory.
    pub home: PathBuf,
    /// hardclaw's state directory (protected: no access).
    pub state_dir: PathBuf,
    /// The config file (protected: no access).
    pub config_path: PathBuf,
    /// Files reached through `$include` (protected like the config).
    pub includes: Vec<PathBuf>,
    /// The calling agent's workspace, when known (its SOUL.md / AGENTS.md are read-only).
    pub workspace: Option<PathBuf>,
}

/// Filesystem facts a guard may ask for. Implementations must not follow anything the caller
/// did not ask for; `None` means "does not exist or cannot be resolved".
pub trait PathResolver {
    /// The canonical (symlink-free, absolute) form of `path`, when it exists.
    fn canonicalize(&self, path: &Path) -> Option<PathBuf>;
}

/// A resolver that knows no files (pure lexical decisions).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFilesystem;

impl PathResolver for NoFilesystem {
    fn canonicalize(&self, _path: &Path) -> Option<PathBuf> {
        None
    }
}

/// DNS answers a guard may ask for. `Err` carries a reason (timeout, NXDOMAIN, ...).
pub trait DnsResolver {
    /// Every A/AAAA address of `host`.
    fn resolve(&self, host: &str) -> Result<Vec<IpAddr>, String>;
}

/// A resolver that refuses every lookup (guards then decide without DNS, failing closed
/// where DNS was required).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoDns;

impl DnsResolver for NoDns {
    fn resolve(&self, host: &str) -> Result<Vec<IpAddr>, String> {
        Err(format!("DNS lookups are not available here (host {host})"))
    }
}
