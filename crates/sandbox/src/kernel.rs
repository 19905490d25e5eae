//! A cheap, cached probe of the kernel features the sandbox needs: user namespaces, Landlock
//! (ABI ≥ 4) and seccomp filters. The probe reads sysctls and asks Landlock for its ABI; it
//! does not fork. A feature that passes the probe but fails at run time still refuses.

use std::sync::OnceLock;

use serde::Serialize;

use crate::landlock_rules::MIN_ABI;

/// What the kernel offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KernelSupport {
    /// The Landlock ABI (0 = unavailable).
    pub landlock_abi: i32,
    /// Why user namespaces are unavailable, if they are.
    pub userns_blocked: Option<String>,
    /// Whether seccomp filters are available.
    pub seccomp: bool,
}

impl KernelSupport {
    /// The first missing feature and what the probe saw, or `None` when everything is there.
    pub fn missing(&self) -> Option<(String, String)> {
        if let Some(why) = &self.userns_blocked {
            return Some(("user namespaces".into(), why.clone()));
        }
        if self.landlock_abi < MIN_ABI {
            return Some((
                format!("Landlock ABI ≥ {MIN_ABI}"),
                if self.landlock_abi == 0 {
                    "Landlock is not enabled (CONFIG_SECURITY_LANDLOCK, lsm= boot parameter)".into()
                } else {
                    format!("the kernel offers ABI {}", self.landlock_abi)
                },
            ));
        }
        if !self.seccomp {
            return Some((
                "seccomp filters".into(),
                "CONFIG_SECCOMP_FILTER is off".into(),
            ));
        }
        None
    }

    /// Whether every feature is there.
    pub fn complete(&self) -> bool {
        self.missing().is_none()
    }
}

/// The probe, run once per process.
pub fn kernel_support() -> KernelSupport {
    static CACHE: OnceLock<KernelSupport> = OnceLock::new();
    CACHE.get_or_init(probe).clone()
}

fn read_sysctl(path: &str) -> Option<i64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

fn probe() -> KernelSupport {
    let root = rustix::process::geteuid().is_root();
    let userns_blocked = if !std::path::Path::new("/proc/self/ns/user").exists() {
        Some("the kernel has no user namespaces (CONFIG_USER_NS)".to_string())
    } else if read_sysctl("/proc/sys/user/max_user_namespaces") == Some(0) {
        Some("user.max_user_namespaces is 0".to_string())
    } else if !root && read_sysctl("/proc/sys/kernel/unprivileged_userns_clone") == Some(0) {
        Some("kernel.unprivileged_userns_clone is 0".to_string())
    } else if !root
        && read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == Some(1)
    {
        Some("kernel.apparmor_restrict_unprivileged_userns is 1".to_string())
    } else {
        None
    };
    KernelSupport {
        landlock_abi: crate::sys::landlock_abi(),
        userns_blocked,
        seccomp: std::path::Path::new("/proc/sys/kernel/seccomp/actions_avail").exists(),
    }
}
