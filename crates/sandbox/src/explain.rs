//! `hardclaw sandbox explain`: what a sandboxed command of an agent would get.

use serde::Serialize;

use crate::kernel::KernelSupport;
use crate::mounts::Mount;
use crate::policy::EffectiveSandbox;
use crate::seccomp::{DenyRule, describe};
use crate::spec::{PROXY_SOCKET, SandboxSpec};

/// One mount, for people.
#[derive(Debug, Clone, Serialize)]
pub struct MountLine {
    /// Path in the sandbox.
    pub target: String,
    /// What is there.
    pub what: String,
}

/// One syscall rule, for people.
#[derive(Debug, Clone, Serialize)]
pub struct SyscallLine {
    /// Syscall.
    pub syscall: &'static str,
    /// When it is denied.
    pub when: String,
    /// Why.
    pub why: &'static str,
}

/// The network, for people.
#[derive(Debug, Clone, Serialize)]
pub struct Network {
    /// `proxy-only` or `none`.
    pub egress: &'static str,
    /// Interfaces in the namespace.
    pub interfaces: &'static str,
    /// How the proxy is reached.
    pub proxy: String,
}

/// Everything `sandbox explain` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// The effective settings.
    pub sandbox: EffectiveSandbox,
    /// Whether the kernel can run it, and why not.
    pub kernel: KernelSupport,
    /// `None` when the sandbox can run; else the reason exec is unavailable.
    pub unavailable: Option<String>,
    /// Namespaces.
    pub namespaces: Vec<&'static str>,
    /// Mounts in order.
    pub mounts: Vec<MountLine>,
    /// Landlock rules.
    pub landlock: Vec<crate::landlock_rules::FsRule>,
    /// Network.
    pub network: Network,
    /// Denied syscalls.
    pub seccomp: Vec<SyscallLine>,
    /// rlimits.
    pub rlimits: Vec<crate::rlimits::Rlimit>,
    /// Environment variable names.
    pub env: Vec<String>,
    /// What `sandbox.docker` means here.
    pub docker: &'static str,
}

/// Builds the explanation.
pub fn explain(
    eff: &EffectiveSandbox,
    spec: &SandboxSpec,
    kernel: &KernelSupport,
    rules: &[DenyRule],
) -> Explanation {
    let mounts = spec
        .mounts
        .iter()
        .map(|m| MountLine {
            target: m.target().to_string(),
            what: match m {
                Mount::Bind {
                    source, writable, ..
                } => format!(
                    "bind {} ({}, nosuid, nodev)",
                    source.display(),
                    if *writable { "rw" } else { "ro" }
                ),
                Mount::Device { .. } => "host device node".into(),
                Mount::Tmpfs { size, mode, .. } => {
                    format!("tmpfs {} KiB, mode {mode:o}", size / 1024)
                }
                Mount::Symlink { to, .. } => format!("symlink -> {to}"),
                Mount::Proc { .. } => "procfs of the sandbox's pid namespace".into(),
                Mount::MaskFile { .. } => "masked (/dev/null)".into(),
                Mount::MaskDir { .. } => "masked (empty read-only tmpfs)".into(),
                Mount::ReadOnly { .. } => "made read-only".into(),
            },
        })
        .collect();
    let mut env: Vec<String> = spec.env.iter().map(|(k, _)| k.clone()).collect();
    if spec.proxy_socket.is_some() {
        env.extend(crate::env::PROXY_VARS.iter().map(|s| (*s).to_string()));
        env.push("NO_PROXY".into());
        env.push("no_proxy".into());
    }
    Explanation {
        sandbox: eff.clone(),
        kernel: kernel.clone(),
        unavailable: kernel
            .missing()
            .map(|(f, d)| format!("the kernel cannot provide {f}: {d}")),
        namespaces: vec!["user", "mount", "pid", "ipc", "uts", "net"],
        mounts,
        landlock: spec.landlock.clone(),
        network: Network {
            egress: if spec.proxy_socket.is_some() {
                "proxy-only"
            } else {
                "none"
            },
            interfaces: "lo only (own network namespace)",
            proxy: format!(
                "HTTP(S)_PROXY/ALL_PROXY=http://127.0.0.1:<port> (forwarder in pid 1) -> \
{PROXY_SOCKET} (bind-mounted Unix socket) -> hardclaw's allowlisting proxy; Landlock allows \
TCP connect to that port only"
            ),
        },
        seccomp: rules
            .iter()
            .map(|r| SyscallLine {
                syscall: r.syscall,
                when: describe(r),
                why: r.why,
            })
            .collect(),
        rlimits: spec.rlimits.clone(),
        env,
        docker: "ignored: hardclaw does not use Docker; sandbox.docker keys are validated by \
the audit only",
    }
}
