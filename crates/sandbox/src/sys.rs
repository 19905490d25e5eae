//! Thin wrappers over the system calls rustix does not cover (or covers only unsafely). Each
//! `unsafe` block states why it is sound; callers keep the single-threaded rules documented on
//! each function.

use std::ffi::CString;
use std::io;
use std::os::fd::RawFd;
use std::path::Path;

fn cvt(ret: libc::c_long) -> io::Result<libc::c_long> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

fn cstr(path: &Path) -> io::Result<CString> {
    use std::os::unix::ffi::OsStrExt;
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL byte in path"))
}

/// The Landlock ABI of the running kernel (0 when Landlock is unavailable).
pub fn landlock_abi() -> i32 {
    const LANDLOCK_CREATE_RULESET_VERSION: libc::c_uint = 1;
    // SAFETY: a NULL attribute pointer with size 0 and the VERSION flag is the documented way to
    // query the ABI; the kernel reads no memory.
    let v = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<libc::c_void>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    if v < 0 { 0 } else { v as i32 }
}

/// `fork()`. Returns `None` in the child.
///
/// Only call while the process is single-threaded: the child then owns a consistent copy of
/// every lock (allocator included) and may keep running ordinary Rust.
pub fn fork() -> io::Result<Option<libc::pid_t>> {
    // SAFETY: the caller guarantees the process is single-threaded, so the child's copy of
    // the address space has no lock held by a vanished thread.
    let pid = unsafe { libc::fork() };
    match pid {
        -1 => Err(io::Error::last_os_error()),
        0 => Ok(None),
        p => Ok(Some(p)),
    }
}

/// `unshare(flags)`. Only call while single-threaded (a user namespace requires it).
pub fn unshare(flags: libc::c_int) -> io::Result<()> {
    // SAFETY: plain syscall with an integer argument; the single-threaded requirement is the
    // caller's (the kernel also rejects CLONE_NEWUSER in a multi-threaded process).
    cvt(unsafe { libc::unshare(flags) }.into()).map(|_| ())
}

/// `waitpid(pid, 0)`, retried on `EINTR`; returns `(pid, raw status)`.
pub fn waitpid(pid: libc::pid_t) -> io::Result<(libc::pid_t, libc::c_int)> {
    loop {
        let mut status: libc::c_int = 0;
        // SAFETY: `status` is a valid, writable c_int for the duration of the call.
        let r = unsafe { libc::waitpid(pid, &mut status, 0) };
        if r >= 0 {
            return Ok((r, status));
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// Exit code of a wait status: the code, or 128 + signal.
pub fn exit_code(status: libc::c_int) -> i32 {
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        128 + libc::WTERMSIG(status)
    } else {
        126
    }
}

/// `prctl(PR_SET_PDEATHSIG, SIGKILL)`: die with the parent (thread).
pub fn die_with_parent() -> io::Result<()> {
    // SAFETY: integer-only prctl.
    cvt(unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) }.into())
        .map(|_| ())
}

/// `prctl(PR_SET_DUMPABLE, 0)`: no ptrace, no `/proc/<pid>/mem|environ|root|fd` for others.
pub fn set_not_dumpable() -> io::Result<()> {
    // SAFETY: integer-only prctl.
    cvt(unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0 as libc::c_ulong) }.into()).map(|_| ())
}

/// `mount_setattr(path, attr_set, recursive)`.
pub fn mount_setattr(path: &Path, attr_set: u64, recursive: bool) -> io::Result<()> {
    #[repr(C)]
    struct MountAttr {
        attr_set: u64,
        attr_clr: u64,
        propagation: u64,
        userns_fd: u64,
    }
    let p = cstr(path)?;
    let attr = MountAttr {
        attr_set,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    let flags: libc::c_uint = if recursive {
        libc::AT_RECURSIVE as libc::c_uint
    } else {
        0
    };
    // SAFETY: `p` is a NUL-terminated path and `attr` a properly laid out `struct mount_attr`
    // whose size is passed; both outlive the call.
    cvt(unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            p.as_ptr(),
            flags,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    })
    .map(|_| ())
}

/// Brings the loopback interface up (the only interface of the new network namespace).
pub fn loopback_up() -> io::Result<()> {
    let sock = rustix::net::socket(
        rustix::net::AddressFamily::INET,
        rustix::net::SocketType::DGRAM,
        None,
    )?;
    use std::os::fd::AsRawFd;
    // SAFETY: `ifreq` is plain old data; zeroed is a valid value.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in req.ifr_name.iter_mut().zip(b"lo\0") {
        *dst = *src as libc::c_char;
    }
    // SAFETY: SIOCGIFFLAGS reads the interface name from and writes the flags into `req`,
    // which is valid and writable.
    cvt(unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFFLAGS, &mut req) }.into())?;
    // SAFETY: the union field written by SIOCGIFFLAGS is `ifru_flags`.
    unsafe {
        req.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
    }
    // SAFETY: SIOCSIFFLAGS reads `req`, valid for the call.
    cvt(unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCSIFFLAGS, &req) }.into()).map(|_| ())
}

/// Marks every descriptor from `first` up close-on-exec.
pub fn cloexec_from(first: RawFd) -> io::Result<()> {
    // SAFETY: close_range with CLOSE_RANGE_CLOEXEC only sets flags; no memory is passed.
    cvt(unsafe {
        libc::syscall(
            libc::SYS_close_range,
            first as libc::c_uint,
            libc::c_uint::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        )
    })
    .map(|_| ())
}

/// Drops every capability: bounding set, ambient set, then effective/permitted/inheritable.
pub fn drop_all_capabilities() -> io::Result<()> {
    let last: u64 = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(63);
    for cap in 0..=last {
        // SAFETY: integer-only prctl; EINVAL for a capability the kernel does not know.
        let r = unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap as libc::c_ulong, 0, 0, 0) };
        if r < 0 {
            let err = io::Error::last_os_error();
            if err.raw_os_error() != Some(libc::EINVAL) {
                return Err(err);
            }
        }
    }
    // SAFETY: integer-only prctl.
    cvt(unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
            0,
            0,
            0,
        )
    }
    .into())?;
    rustix::thread::set_capabilities(
        None,
        rustix::thread::CapabilitySets {
            effective: rustix::thread::CapabilitySet::empty(),
            permitted: rustix::thread::CapabilitySet::empty(),
            inheritable: rustix::thread::CapabilitySet::empty(),
        },
    )?;
    Ok(())
}

/// Installs one seccomp BPF program on the calling thread.
pub fn install_seccomp(program: &[seccompiler::sock_filter]) -> io::Result<()> {
    seccompiler::apply_filter(program).map_err(|e| io::Error::other(e.to_string()))
}

/// `_exit(code)`: leave without running destructors or flushing stdio that the parent owns.
pub fn exit_now(code: i32) -> ! {
    // SAFETY: `_exit` never returns and touches no Rust state.
    unsafe { libc::_exit(code) }
}

/// Takes ownership of an inherited descriptor.
pub fn inherited_file(fd: RawFd) -> Option<std::fs::File> {
    use std::os::fd::FromRawFd;
    // SAFETY: F_GETFD only checks that `fd` is open.
    if unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
        return None;
    }
    // SAFETY: `fd` is open (checked above) and nothing else in this process owns it: the
    // parent placed it for us at exec.
    let file = unsafe { std::fs::File::from_raw_fd(fd) };
    // SAFETY: integer-only fcntl on an fd we own.
    unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    Some(file)
}
