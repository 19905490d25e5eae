//! The seccomp deny set. [`deny_rules`] is pure data (syscall, argument condition, reason) and
//! is what `sandbox explain` prints; [`compile`] turns it into BPF with seccompiler; the
//! trampoline installs the programs last, just before exec.
//!
//! Denied calls fail with `EPERM`, except `clone3` (`ENOSYS`, so libc falls back to `clone`,
//! whose flags can be inspected) and, on x86-64, every x32-ABI call (`ENOSYS`). A call from a
//! foreign architecture (e.g. `int 0x80`) kills the process (seccompiler's arch check).

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch, sock_filter,
};
use serde::Serialize;

/// A condition on one syscall argument (compared as 32-bit unless stated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Cond {
    /// `arg == value`.
    Eq {
        /// Argument index.
        arg: u8,
        /// Value.
        value: u64,
    },
    /// `arg != value`.
    Ne {
        /// Argument index.
        arg: u8,
        /// Value.
        value: u64,
    },
    /// `arg & mask == value`.
    Masked {
        /// Argument index.
        arg: u8,
        /// Mask.
        mask: u64,
        /// Value.
        value: u64,
    },
}

/// One deny rule: the syscall fails when every condition holds (no condition = always).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DenyRule {
    /// Syscall name.
    pub syscall: &'static str,
    /// Its number on this architecture.
    #[serde(skip)]
    pub nr: i64,
    /// Conditions (all must hold).
    pub when: Vec<Cond>,
    /// Why it is denied.
    pub why: &'static str,
}

const CLONE_NS_FLAGS: &[(u64, &str)] = &[
    (libc::CLONE_NEWUSER as u64, "CLONE_NEWUSER"),
    (libc::CLONE_NEWNS as u64, "CLONE_NEWNS"),
    (libc::CLONE_NEWPID as u64, "CLONE_NEWPID"),
    (libc::CLONE_NEWNET as u64, "CLONE_NEWNET"),
    (libc::CLONE_NEWIPC as u64, "CLONE_NEWIPC"),
    (libc::CLONE_NEWUTS as u64, "CLONE_NEWUTS"),
    (libc::CLONE_NEWCGROUP as u64, "CLONE_NEWCGROUP"),
    (0x80, "CLONE_NEWTIME"),
];

/// `open_tree_attr` (Linux 6.15; same number on every architecture).
const SYS_OPEN_TREE_ATTR: i64 = 467;
const MFD_EXEC: u64 = 0x10;
const SOCK_TYPE_MASK: u64 = 0xf;
const SOCK_PACKET: u64 = 10;

/// The deny set.
pub fn deny_rules() -> Vec<DenyRule> {
    let mut v = Vec::new();
    let mut always = |syscall, nr, why| {
        v.push(DenyRule {
            syscall,
            nr,
            when: vec![],
            why,
        })
    };
    always(
        "io_uring_setup",
        libc::SYS_io_uring_setup,
        "io_uring bypasses seccomp argument checks",
    );
    always(
        "io_uring_enter",
        libc::SYS_io_uring_enter,
        "io_uring bypasses seccomp argument checks",
    );
    always(
        "io_uring_register",
        libc::SYS_io_uring_register,
        "io_uring bypasses seccomp argument checks",
    );
    for (name, nr) in [
        ("mount", libc::SYS_mount),
        ("umount2", libc::SYS_umount2),
        ("pivot_root", libc::SYS_pivot_root),
        ("chroot", libc::SYS_chroot),
        ("fsopen", libc::SYS_fsopen),
        ("fsmount", libc::SYS_fsmount),
        ("fsconfig", libc::SYS_fsconfig),
        ("fspick", libc::SYS_fspick),
        ("move_mount", libc::SYS_move_mount),
        ("open_tree", libc::SYS_open_tree),
        ("open_tree_attr", SYS_OPEN_TREE_ATTR),
        ("mount_setattr", libc::SYS_mount_setattr),
    ] {
        always(name, nr, "the mount tree is fixed after setup");
    }
    always("setns", libc::SYS_setns, "no joining other namespaces");
    always(
        "unshare",
        libc::SYS_unshare,
        "no new namespaces (nested user namespaces)",
    );
    for (name, nr) in [
        ("ptrace", libc::SYS_ptrace),
        ("process_vm_readv", libc::SYS_process_vm_readv),
        ("process_vm_writev", libc::SYS_process_vm_writev),
        ("pidfd_getfd", libc::SYS_pidfd_getfd),
        ("process_madvise", libc::SYS_process_madvise),
    ] {
        always(name, nr, "no access to other processes' memory or files");
    }
    always("bpf", libc::SYS_bpf, "kernel attack surface");
    always(
        "perf_event_open",
        libc::SYS_perf_event_open,
        "kernel attack surface and side channels",
    );
    always(
        "userfaultfd",
        libc::SYS_userfaultfd,
        "used to widen kernel race windows",
    );
    for (name, nr) in [
        ("keyctl", libc::SYS_keyctl),
        ("add_key", libc::SYS_add_key),
        ("request_key", libc::SYS_request_key),
    ] {
        always(name, nr, "the kernel keyring is shared with the host user");
    }
    for (name, nr) in [
        ("kexec_load", libc::SYS_kexec_load),
        ("kexec_file_load", libc::SYS_kexec_file_load),
        ("init_module", libc::SYS_init_module),
        ("finit_module", libc::SYS_finit_module),
        ("delete_module", libc::SYS_delete_module),
        ("reboot", libc::SYS_reboot),
        ("swapon", libc::SYS_swapon),
        ("swapoff", libc::SYS_swapoff),
        ("acct", libc::SYS_acct),
        ("syslog", libc::SYS_syslog),
        ("quotactl", libc::SYS_quotactl),
        ("name_to_handle_at", libc::SYS_name_to_handle_at),
        ("open_by_handle_at", libc::SYS_open_by_handle_at),
        ("fanotify_init", libc::SYS_fanotify_init),
        ("vhangup", libc::SYS_vhangup),
    ] {
        always(name, nr, "host administration");
    }
    #[cfg(target_arch = "x86_64")]
    for (name, nr) in [
        ("iopl", libc::SYS_iopl),
        ("ioperm", libc::SYS_ioperm),
        ("uselib", libc::SYS_uselib),
    ] {
        always(name, nr, "host administration");
    }

    let rule = |syscall, nr, when, why| DenyRule {
        syscall,
        nr,
        when,
        why,
    };
    for (flag, _) in CLONE_NS_FLAGS {
        v.push(rule(
            "clone",
            libc::SYS_clone,
            vec![Cond::Masked {
                arg: 0,
                mask: *flag,
                value: *flag,
            }],
            "no new namespaces (nested user namespaces)",
        ));
    }
    v.push(rule(
        "personality",
        libc::SYS_personality,
        vec![
            Cond::Ne { arg: 0, value: 0 },
            Cond::Ne {
                arg: 0,
                value: 0xffff_ffff,
            },
        ],
        "no personality changes (ASLR off, READ_IMPLIES_EXEC)",
    ));
    v.push(rule(
        "socket",
        libc::SYS_socket,
        vec![
            Cond::Ne {
                arg: 0,
                value: libc::AF_UNIX as u64,
            },
            Cond::Ne {
                arg: 0,
                value: libc::AF_INET as u64,
            },
            Cond::Ne {
                arg: 0,
                value: libc::AF_INET6 as u64,
            },
        ],
        "only unix, inet and inet6 sockets (no netlink, packet, vsock, ...)",
    ));
    for family in [libc::AF_INET as u64, libc::AF_INET6 as u64] {
        for ty in [libc::SOCK_RAW as u64, SOCK_PACKET] {
            v.push(rule(
                "socket",
                libc::SYS_socket,
                vec![
                    Cond::Eq {
                        arg: 0,
                        value: family,
                    },
                    Cond::Masked {
                        arg: 1,
                        mask: SOCK_TYPE_MASK,
                        value: ty,
                    },
                ],
                "no raw sockets",
            ));
        }
    }
    v.push(rule(
        "socketpair",
        libc::SYS_socketpair,
        vec![Cond::Ne {
            arg: 0,
            value: libc::AF_UNIX as u64,
        }],
        "only unix socket pairs",
    ));
    v.push(rule(
        "execveat",
        libc::SYS_execveat,
        vec![Cond::Masked {
            arg: 4,
            mask: libc::AT_EMPTY_PATH as u64,
            value: libc::AT_EMPTY_PATH as u64,
        }],
        "no executing a file descriptor (memfd payloads)",
    ));
    v.push(rule(
        "memfd_create",
        libc::SYS_memfd_create,
        vec![Cond::Masked {
            arg: 1,
            mask: MFD_EXEC,
            value: MFD_EXEC,
        }],
        "no executable memfds",
    ));
    for (req, _name) in [(libc::TIOCSTI, "TIOCSTI"), (libc::TIOCLINUX, "TIOCLINUX")] {
        v.push(rule(
            "ioctl",
            libc::SYS_ioctl,
            vec![Cond::Eq {
                arg: 1,
                #[allow(clippy::unnecessary_cast)] // c_ulong on some targets, u64 on others
                value: req as u64,
            }],
            "no injecting input into the terminal",
        ));
    }
    v
}

/// Used when `vm.memfd_noexec` cannot be set to 2 in the sandbox's pid namespace: every
/// memfd must be created with `MFD_NOEXEC_SEAL`.
pub fn memfd_seal_rule() -> DenyRule {
    const MFD_NOEXEC_SEAL: u64 = 0x8;
    DenyRule {
        syscall: "memfd_create",
        nr: libc::SYS_memfd_create,
        when: vec![Cond::Masked {
            arg: 1,
            mask: MFD_NOEXEC_SEAL,
            value: 0,
        }],
        why: "memfds must be sealed non-executable (vm.memfd_noexec unavailable)",
    }
}

/// Compile error (a bug in the rule table, or an unsupported architecture).
#[derive(Debug, thiserror::Error)]
#[error("seccomp filter: {0}")]
pub struct CompileError(String);

/// The BPF programs to install, in order.
pub fn compile(rules: &[DenyRule]) -> Result<Vec<BpfProgram>, CompileError> {
    let arch = TargetArch::try_from(std::env::consts::ARCH)
        .map_err(|e| CompileError(format!("architecture {}: {e}", std::env::consts::ARCH)))?;
    let err = |e: seccompiler::BackendError| CompileError(e.to_string());

    let mut map: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    let mut unconditional: Vec<i64> = Vec::new();
    for r in rules {
        if r.when.is_empty() {
            unconditional.push(r.nr);
            continue;
        }
        let conds = r
            .when
            .iter()
            .map(|c| {
                let (arg, op, value) = match *c {
                    Cond::Eq { arg, value } => (arg, SeccompCmpOp::Eq, value),
                    Cond::Ne { arg, value } => (arg, SeccompCmpOp::Ne, value),
                    Cond::Masked { arg, mask, value } => (arg, SeccompCmpOp::MaskedEq(mask), value),
                };
                SeccompCondition::new(arg, SeccompCmpArgLen::Dword, op, value)
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        map.entry(r.nr)
            .or_default()
            .push(SeccompRule::new(conds).map_err(err)?);
    }
    for nr in unconditional {
        map.insert(nr, Vec::new());
    }
    let deny = SeccompFilter::new(
        map,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch,
    )
    .map_err(err)?;
    let enosys = SeccompFilter::new(
        BTreeMap::from([(libc::SYS_clone3, Vec::new())]),
        SeccompAction::Allow,
        SeccompAction::Errno(libc::ENOSYS as u32),
        arch,
    )
    .map_err(err)?;
    let mut programs: Vec<BpfProgram> = vec![
        deny.try_into().map_err(err)?,
        enosys.try_into().map_err(err)?,
    ];
    if cfg!(target_arch = "x86_64") {
        programs.push(x32_filter());
    }
    Ok(programs)
}

/// `nr >= 0x40000000` (the x32 ABI) → `ENOSYS`.
fn x32_filter() -> BpfProgram {
    const BPF_LD_W_ABS: u16 = 0x20;
    const BPF_JGE_K: u16 = 0x35;
    const BPF_RET_K: u16 = 0x06;
    const RET_ERRNO: u32 = 0x0005_0000;
    const RET_ALLOW: u32 = 0x7fff_0000;
    let ins = |code, jt, jf, k| sock_filter { code, jt, jf, k };
    vec![
        ins(BPF_LD_W_ABS, 0, 0, 0),
        ins(BPF_JGE_K, 0, 1, 0x4000_0000),
        ins(BPF_RET_K, 0, 0, RET_ERRNO | libc::ENOSYS as u32),
        ins(BPF_RET_K, 0, 0, RET_ALLOW),
    ]
}

/// A condition for people (`sandbox explain`).
pub fn describe(rule: &DenyRule) -> String {
    if rule.when.is_empty() {
        return "always".to_string();
    }
    rule.when
        .iter()
        .map(|c| match *c {
            Cond::Eq { arg, value } => format!("arg{arg} == {value:#x}"),
            Cond::Ne { arg, value } => format!("arg{arg} != {value:#x}"),
            Cond::Masked { arg, mask, value } => format!("arg{arg} & {mask:#x} == {value:#x}"),
        })
        .collect::<Vec<_>>()
        .join(" && ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(rules: &[DenyRule]) -> Vec<&'static str> {
        let mut n: Vec<_> = rules.iter().map(|r| r.syscall).collect();
        n.dedup();
        n
    }

    #[test]
    fn covers_the_issue_list() {
        let rules = deny_rules();
        let n = names(&rules);
        for must in [
            "io_uring_setup",
            "io_uring_enter",
            "io_uring_register",
            "fsopen",
            "fsmount",
            "fsconfig",
            "move_mount",
            "open_tree",
            "mount_setattr",
            "mount",
            "umount2",
            "pivot_root",
            "unshare",
            "clone",
            "setns",
            "ptrace",
            "process_vm_readv",
            "process_vm_writev",
            "bpf",
            "perf_event_open",
            "keyctl",
            "add_key",
            "request_key",
            "kexec_load",
            "kexec_file_load",
            "init_module",
            "finit_module",
            "delete_module",
            "userfaultfd",
            "personality",
            "socket",
            "execveat",
            "memfd_create",
        ] {
            assert!(n.contains(&must), "{must} missing");
        }
    }

    #[test]
    fn clone_checks_every_namespace_flag() {
        let rules = deny_rules();
        let clone: Vec<_> = rules.iter().filter(|r| r.syscall == "clone").collect();
        assert_eq!(clone.len(), CLONE_NS_FLAGS.len());
        assert!(clone.iter().any(|r| r.when
            == vec![Cond::Masked {
                arg: 0,
                mask: libc::CLONE_NEWUSER as u64,
                value: libc::CLONE_NEWUSER as u64
            }]));
    }

    #[test]
    fn socket_rules_allow_inet_stream_but_not_raw_or_netlink() {
        let rules = deny_rules();
        let socket: Vec<_> = rules.iter().filter(|r| r.syscall == "socket").collect();
        let denies = |family: u64, ty: u64| {
            socket.iter().any(|r| {
                r.when.iter().all(|c| match *c {
                    Cond::Eq { arg: 0, value } => family == value,
                    Cond::Ne { arg: 0, value } => family != value,
                    Cond::Masked {
                        arg: 1,
                        mask,
                        value,
                    } => ty & mask == value,
                    _ => false,
                })
            })
        };
        let (unix, inet, inet6) = (
            libc::AF_UNIX as u64,
            libc::AF_INET as u64,
            libc::AF_INET6 as u64,
        );
        let (stream, dgram, raw) = (
            libc::SOCK_STREAM as u64,
            libc::SOCK_DGRAM as u64,
            libc::SOCK_RAW as u64,
        );
        assert!(!denies(unix, stream));
        assert!(!denies(inet, stream | libc::SOCK_CLOEXEC as u64));
        assert!(!denies(inet6, dgram));
        assert!(denies(inet, raw));
        assert!(denies(inet6, raw));
        assert!(denies(libc::AF_NETLINK as u64, dgram));
        assert!(denies(libc::AF_PACKET as u64, raw));
        assert!(denies(libc::AF_VSOCK as u64, stream));
    }

    #[test]
    fn compiles() {
        let programs = compile(&deny_rules()).unwrap();
        assert!(programs.len() >= 2);
        assert!(programs.iter().all(|p| !p.is_empty() && p.len() < 4096));
    }

    #[test]
    fn describes_conditions() {
        let rules = deny_rules();
        let exec = rules.iter().find(|r| r.syscall == "execveat").unwrap();
        assert_eq!(describe(exec), "arg4 & 0x1000 == 0x1000");
        let bpf = rules.iter().find(|r| r.syscall == "bpf").unwrap();
        assert_eq!(describe(bpf), "always");
    }
}
