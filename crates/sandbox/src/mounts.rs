//! The mount plan: the sandbox's root filesystem, built on an empty tmpfs. Pure — the host is
//! only seen through [`HostView`], so the plan is unit-tested with a fake host.
//!
//! What the new root holds: the system directories read-only (`/usr`, `/bin`, `/sbin`,
//! `/lib*`, `/etc` with its secrets masked), a fresh `/proc` for the new pid namespace, a
//! minimal `/dev`, private tmpfs `/tmp` and `/dev/shm`, the workspace at `/workspace` per
//! `workspaceAccess`, and the proxy socket. No home, no state dir, no `/sys`, no `/run`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::policy::WorkspaceMode;
use crate::spec::{PROXY_SOCKET, WORKSPACE_DIR};

/// One step of building the new root. Targets are paths inside the sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mount {
    /// Bind `source` (a host path) at `target`; read-only unless `writable`. Always
    /// `nosuid,nodev`.
    Bind {
        /// Host path.
        source: PathBuf,
        /// Path in the sandbox.
        target: String,
        /// Read-write.
        writable: bool,
    },
    /// A host device node (`/dev/null`, ...) bound at the same path.
    Device {
        /// `/dev/<name>`.
        target: String,
    },
    /// A fresh tmpfs (`nosuid,nodev`), `size` bytes, `mode`.
    Tmpfs {
        /// Path in the sandbox.
        target: String,
        /// Size cap in bytes.
        size: u64,
        /// Permission bits of the root directory.
        mode: u32,
    },
    /// A symlink (`/bin -> usr/bin`, `/dev/fd -> /proc/self/fd`).
    Symlink {
        /// Path in the sandbox.
        target: String,
        /// What it points to.
        to: String,
    },
    /// A fresh procfs of the new pid namespace (`nosuid,nodev,noexec`).
    Proc {
        /// Path in the sandbox.
        target: String,
    },
    /// Hide a file: `/dev/null` bound over it, read-only.
    MaskFile {
        /// Path in the sandbox.
        target: String,
    },
    /// Hide a directory: an empty read-only tmpfs over it.
    MaskDir {
        /// Path in the sandbox.
        target: String,
    },
    /// Make a mount (and everything under it) read-only once populated.
    ReadOnly {
        /// Path in the sandbox.
        target: String,
    },
}

impl Mount {
    /// The path inside the sandbox.
    pub fn target(&self) -> &str {
        match self {
            Mount::Bind { target, .. }
            | Mount::Device { target }
            | Mount::Tmpfs { target, .. }
            | Mount::Symlink { target, .. }
            | Mount::Proc { target }
            | Mount::MaskFile { target }
            | Mount::MaskDir { target }
            | Mount::ReadOnly { target } => target,
        }
    }
}

/// What a host path is, as far as the plan cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKind {
    /// A directory.
    Dir,
    /// Anything else that is not a symlink.
    File,
    /// A symlink and its target.
    Symlink(String),
}

/// The host filesystem as the plan sees it (`lstat`, `readlink`).
pub trait HostView {
    /// `None` when the path does not exist.
    fn kind(&self, path: &Path) -> Option<HostKind>;
    /// Whether `path` is a directory (following symlinks).
    fn is_dir(&self, path: &Path) -> bool;
}

/// The real host.
#[derive(Debug, Clone, Copy, Default)]
pub struct RealHost;

impl HostView for RealHost {
    fn kind(&self, path: &Path) -> Option<HostKind> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        if meta.file_type().is_symlink() {
            let to = std::fs::read_link(path).ok()?;
            Some(HostKind::Symlink(to.to_string_lossy().into_owned()))
        } else if meta.is_dir() {
            Some(HostKind::Dir)
        } else {
            Some(HostKind::File)
        }
    }
    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
}

/// System directories bound read-only when they exist (symlinks are recreated).
pub const SYSTEM_DIRS: &[&str] = &[
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc",
];

/// Secrets under `/etc` that are masked (file → `/dev/null`, directory → empty tmpfs).
pub const ETC_SECRETS: &[&str] = &[
    "/etc/shadow",
    "/etc/shadow-",
    "/etc/gshadow",
    "/etc/gshadow-",
    "/etc/sudoers",
    "/etc/sudoers.d",
    "/etc/ssh",
    "/etc/ssl/private",
    "/etc/security/opasswd",
    "/etc/krb5.keytab",
    "/etc/credstore",
    "/etc/credstore.encrypted",
    "/etc/NetworkManager/system-connections",
    "/etc/wireguard",
    "/etc/docker",
    "/etc/containerd",
    "/etc/kubernetes",
    "/etc/machine-id",
    "/etc/hardclaw",
    "/etc/openclaw",
];

/// Device nodes bound from the host.
pub const DEVICES: &[&str] = &["null", "zero", "full", "random", "urandom", "tty"];

/// Inputs of [`mount_plan`].
#[derive(Debug, Clone)]
pub struct MountInputs {
    /// The workspace on the host (`None` with `workspaceAccess: none`).
    pub workspace: Option<PathBuf>,
    /// Workspace access.
    pub access: WorkspaceMode,
    /// Host paths to mask when they lie inside the workspace.
    pub protected: Vec<PathBuf>,
    /// Host path of the proxy socket.
    pub proxy_socket: Option<PathBuf>,
    /// Size of each tmpfs.
    pub tmpfs_size: u64,
}

/// The mount plan, in the order the trampoline applies it.
pub fn mount_plan(inputs: &MountInputs, host: &dyn HostView) -> Vec<Mount> {
    let mut plan = Vec::new();
    for dir in SYSTEM_DIRS {
        match host.kind(Path::new(dir)) {
            Some(HostKind::Dir) => plan.push(Mount::Bind {
                source: PathBuf::from(dir),
                target: (*dir).to_string(),
                writable: false,
            }),
            Some(HostKind::Symlink(to)) => plan.push(Mount::Symlink {
                target: (*dir).to_string(),
                to,
            }),
            _ => {}
        }
    }
    if matches!(host.kind(Path::new("/etc")), Some(HostKind::Dir)) {
        for secret in ETC_SECRETS {
            push_mask(&mut plan, host, Path::new(secret), secret);
        }
    }

    plan.push(Mount::Proc {
        target: "/proc".into(),
    });

    plan.push(Mount::Tmpfs {
        target: "/dev".into(),
        size: 64 << 10,
        mode: 0o755,
    });
    for dev in DEVICES {
        plan.push(Mount::Device {
            target: format!("/dev/{dev}"),
        });
    }
    for (name, to) in [
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ] {
        plan.push(Mount::Symlink {
            target: format!("/dev/{name}"),
            to: to.into(),
        });
    }
    plan.push(Mount::Tmpfs {
        target: "/dev/shm".into(),
        size: inputs.tmpfs_size,
        mode: 0o1777,
    });

    plan.push(Mount::Tmpfs {
        target: "/tmp".into(),
        size: inputs.tmpfs_size,
        mode: 0o1777,
    });

    match (&inputs.workspace, inputs.access) {
        (Some(ws), WorkspaceMode::Ro | WorkspaceMode::Rw) => {
            plan.push(Mount::Bind {
                source: ws.clone(),
                target: WORKSPACE_DIR.into(),
                writable: inputs.access == WorkspaceMode::Rw,
            });
            let mut masked_dirs: Vec<&Path> = Vec::new();
            for p in &inputs.protected {
                let Ok(rel) = p.strip_prefix(ws) else {
                    continue;
                };
                // Already hidden under a masked directory.
                if masked_dirs.iter().any(|d| p.starts_with(d)) {
                    continue;
                }
                let inside = Path::new(WORKSPACE_DIR).join(rel);
                push_mask(&mut plan, host, p, &inside.to_string_lossy());
                if matches!(host.kind(p), Some(HostKind::Dir)) {
                    masked_dirs.push(p);
                }
            }
        }
        _ => plan.push(Mount::Tmpfs {
            target: WORKSPACE_DIR.into(),
            size: inputs.tmpfs_size,
            mode: 0o755,
        }),
    }

    if let Some(sock) = &inputs.proxy_socket {
        plan.push(Mount::Bind {
            source: sock.clone(),
            target: PROXY_SOCKET.into(),
            writable: true,
        });
    }

    // The root tmpfs and /dev become read-only once populated.
    plan.push(Mount::ReadOnly {
        target: "/dev".into(),
    });
    plan.push(Mount::ReadOnly { target: "/".into() });
    plan
}

fn push_mask(plan: &mut Vec<Mount>, host: &dyn HostView, host_path: &Path, inside: &str) {
    match host.kind(host_path) {
        Some(HostKind::Dir) => plan.push(Mount::MaskDir {
            target: inside.to_string(),
        }),
        Some(HostKind::File) => plan.push(Mount::MaskFile {
            target: inside.to_string(),
        }),
        // A symlink resolves inside the sandbox's own root; nothing of the host behind it.
        Some(HostKind::Symlink(_)) | None => {}
    }
}

#[cfg(test)]
mod tests;
