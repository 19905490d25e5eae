//! Landlock rules: filesystem access per path (everything not listed is denied), TCP connect
//! only to the in-sandbox proxy forwarder, no TCP bind, and (ABI ≥ 6) the abstract-unix and
//! signal scopes. [`rules`] is pure; [`apply`] enforces and refuses unless the kernel reports
//! `FullyEnforced`.

use landlock::{
    ABI, Access, AccessFs, AccessNet, BitFlags, CompatLevel, Compatible, NetPort, PathBeneath,
    PathFd, Ruleset, RulesetAttr, RulesetCreatedAttr, RulesetStatus, Scope,
};
use serde::{Deserialize, Serialize};

use crate::mounts::{Mount, SYSTEM_DIRS};
use crate::policy::WorkspaceMode;
use crate::spec::WORKSPACE_DIR;

/// The lowest Landlock ABI the sandbox accepts (4: filesystem + TCP).
pub const MIN_ABI: i32 = 4;
/// The highest ABI whose rights hardclaw knows how to grant.
pub const MAX_ABI: i32 = 9;

/// A set of rights, named for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rights {
    /// List directories only.
    ListDir,
    /// Read files and list directories.
    Read,
    /// Read, list and execute.
    ReadExec,
    /// Read and write an existing device (`/dev/null`, `/dev/tty`).
    Device,
    /// Everything (create, write, remove, rename, truncate, execute).
    ReadWrite,
}

/// One filesystem rule: `rights` on `path` and everything beneath it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FsRule {
    /// Path inside the sandbox.
    pub path: String,
    /// What is allowed.
    pub rights: Rights,
}

/// The filesystem rules for a mount plan.
pub fn rules(mounts: &[Mount], access: WorkspaceMode) -> Vec<FsRule> {
    let rule = |path: &str, rights| FsRule {
        path: path.to_string(),
        rights,
    };
    let mut v = vec![rule("/", Rights::ListDir)];
    for m in mounts {
        if let Mount::Bind { target, .. } = m
            && SYSTEM_DIRS.contains(&target.as_str())
        {
            v.push(rule(target, Rights::ReadExec));
        }
    }
    v.push(rule("/proc", Rights::Read));
    v.push(rule("/dev", Rights::Read));
    for dev in ["/dev/null", "/dev/zero", "/dev/full", "/dev/tty"] {
        v.push(rule(dev, Rights::Device));
    }
    v.push(rule("/dev/shm", Rights::ReadWrite));
    v.push(rule("/tmp", Rights::ReadWrite));
    v.push(rule(
        WORKSPACE_DIR,
        match access {
            WorkspaceMode::Ro => Rights::ReadExec,
            // `none` is an empty private tmpfs: scratch space.
            WorkspaceMode::None | WorkspaceMode::Rw => Rights::ReadWrite,
        },
    ));
    v
}

fn flags(rights: Rights, abi: ABI) -> BitFlags<AccessFs> {
    match rights {
        Rights::ListDir => AccessFs::ReadDir.into(),
        Rights::Read => AccessFs::ReadFile | AccessFs::ReadDir,
        Rights::ReadExec => AccessFs::from_read(abi),
        Rights::Device => {
            let mut f = AccessFs::ReadFile | AccessFs::WriteFile;
            if abi >= ABI::V3 {
                f |= AccessFs::Truncate;
            }
            if abi >= ABI::V5 {
                f |= AccessFs::IoctlDev;
            }
            f
        }
        Rights::ReadWrite => AccessFs::from_all(abi),
    }
}

/// Why Landlock could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum LandlockError {
    /// The kernel's ABI is below [`MIN_ABI`].
    #[error("Landlock ABI {got} is below the required {MIN_ABI} (filesystem + TCP)")]
    Abi {
        /// What the kernel offers.
        got: i32,
    },
    /// The ruleset could not be built or enforced.
    #[error("{0}")]
    Ruleset(String),
    /// A rule path could not be opened.
    #[error("rule path {path}: {err}")]
    Path {
        /// Path.
        path: String,
        /// Error.
        err: String,
    },
    /// The kernel did not enforce every right.
    #[error("Landlock is {0}, not fully enforced")]
    NotFullyEnforced(String),
}

/// Enforces `rules` plus TCP connect to `proxy_port` only, on the calling thread (before exec).
pub fn apply(
    rules: &[FsRule],
    proxy_port: Option<u16>,
    kernel_abi: i32,
) -> Result<(), LandlockError> {
    if kernel_abi < MIN_ABI {
        return Err(LandlockError::Abi { got: kernel_abi });
    }
    let abi = ABI::from(kernel_abi.min(MAX_ABI));
    let e = |err: landlock::RulesetError| LandlockError::Ruleset(err.to_string());
    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::HardRequirement)
        .handle_access(AccessFs::from_all(abi))
        .map_err(e)?
        .handle_access(AccessNet::from_all(abi))
        .map_err(e)?;
    if abi >= ABI::V6 {
        ruleset = ruleset.scope(Scope::from_all(abi)).map_err(e)?;
    }
    let mut created = ruleset.create().map_err(e)?;
    for r in rules {
        let fd = match PathFd::new(&r.path) {
            Ok(fd) => fd,
            // A rule for a path the plan did not create (e.g. no /dev/tty on the host).
            Err(_) if !std::path::Path::new(&r.path).exists() => continue,
            Err(err) => {
                return Err(LandlockError::Path {
                    path: r.path.clone(),
                    err: err.to_string(),
                });
            }
        };
        created = created
            .add_rule(PathBeneath::new(fd, flags(r.rights, abi)))
            .map_err(e)?;
    }
    if let Some(port) = proxy_port {
        created = created
            .add_rule(NetPort::new(port, AccessNet::ConnectTcp))
            .map_err(e)?;
    }
    let status = created.restrict_self().map_err(e)?;
    if status.ruleset != RulesetStatus::FullyEnforced {
        return Err(LandlockError::NotFullyEnforced(format!(
            "{:?}",
            status.ruleset
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mounts::Mount;

    fn bind(t: &str) -> Mount {
        Mount::Bind {
            source: t.into(),
            target: t.into(),
            writable: false,
        }
    }

    #[test]
    fn rw_workspace_and_read_only_system() {
        let mounts = vec![bind("/usr"), bind("/etc")];
        let r = rules(&mounts, WorkspaceMode::Rw);
        let get = |p: &str| r.iter().find(|x| x.path == p).map(|x| x.rights);
        assert_eq!(get("/"), Some(Rights::ListDir));
        assert_eq!(get("/usr"), Some(Rights::ReadExec));
        assert_eq!(get("/etc"), Some(Rights::ReadExec));
        assert_eq!(get("/proc"), Some(Rights::Read));
        assert_eq!(get("/dev/null"), Some(Rights::Device));
        assert_eq!(get("/tmp"), Some(Rights::ReadWrite));
        assert_eq!(get("/workspace"), Some(Rights::ReadWrite));
        assert_eq!(get("/root"), None);
    }

    #[test]
    fn ro_workspace_cannot_be_written() {
        let r = rules(&[], WorkspaceMode::Ro);
        let ws = r.iter().find(|x| x.path == "/workspace").unwrap();
        assert_eq!(ws.rights, Rights::ReadExec);
        assert!(!flags(Rights::ReadExec, ABI::V7).contains(AccessFs::WriteFile));
    }

    #[test]
    fn device_rights_follow_the_abi() {
        assert!(flags(Rights::Device, ABI::V7).contains(AccessFs::IoctlDev));
        assert!(!flags(Rights::Device, ABI::V4).contains(AccessFs::IoctlDev));
    }
}
