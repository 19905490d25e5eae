//! [`SandboxSpec`]: the complete, serialisable description of one sandboxed command. The
//! parent builds it with pure functions; the trampoline receives it on its command line and
//! applies it step by step, refusing to run the command if any step fails.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::landlock_rules::FsRule;
use crate::mounts::Mount;
use crate::rlimits::Rlimit;

/// Where the sandbox sees the workspace.
pub const WORKSPACE_DIR: &str = "/workspace";
/// Where the proxy's Unix socket is bind-mounted inside the sandbox.
pub const PROXY_SOCKET: &str = "/run/hardclaw/proxy.sock";
/// The uid and gid the command runs as inside the user namespace (mapped to the caller's).
pub const SANDBOX_ID: u32 = 1000;
/// The sandbox's hostname.
pub const HOSTNAME: &str = "hardclaw-sandbox";

/// Resource limits. `Default` holds hardclaw's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Wall-clock timeout; the whole sandbox is killed when it passes.
    pub timeout: Duration,
    /// `RLIMIT_CPU`, seconds.
    pub cpu_seconds: u64,
    /// `RLIMIT_AS`, bytes.
    pub address_space: u64,
    /// `RLIMIT_NPROC` and the pid namespace's `pid_max`.
    pub processes: u64,
    /// `RLIMIT_FSIZE`, bytes: the largest file the command may write.
    pub file_size: u64,
    /// `RLIMIT_NOFILE`.
    pub open_files: u64,
    /// Size of each tmpfs (`/tmp`, `/dev/shm`, the scratch `/workspace`), bytes.
    pub tmpfs_size: u64,
    /// stdout and stderr are each cut after this many bytes.
    pub output_cap: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            timeout: Duration::from_secs(120),
            cpu_seconds: 120,
            address_space: 4 << 30,
            processes: 256,
            file_size: 256 << 20,
            open_files: 1024,
            tmpfs_size: 256 << 20,
            output_cap: 1 << 20,
        }
    }
}

/// Everything the trampoline applies, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxSpec {
    /// The new root, built on an empty tmpfs.
    pub mounts: Vec<Mount>,
    /// Landlock filesystem rules (everything else is denied).
    pub landlock: Vec<FsRule>,
    /// rlimits set before exec.
    pub rlimits: Vec<Rlimit>,
    /// `pid_max` of the new pid namespace (the process limit that also holds for root callers).
    pub pid_max: u64,
    /// The command's environment, without the proxy variables (added with the port).
    pub env: Vec<(String, String)>,
    /// Host path of the proxy's Unix socket; `None` = no egress at all.
    pub proxy_socket: Option<PathBuf>,
    /// Working directory inside the sandbox.
    pub cwd: String,
    /// The command and its arguments.
    pub argv: Vec<String>,
}

impl SandboxSpec {
    /// The spec as the trampoline's argument.
    pub fn encode(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    /// Parses the trampoline's argument.
    pub fn decode(text: &str) -> Result<SandboxSpec, serde_json::Error> {
        serde_json::from_str(text)
    }
}
