//! The child side. The `hardclaw` binary re-executes itself as
//! `hardclaw __hardclaw-sandbox-trampoline <spec-json>` (fd 3: the status pipe) and `main`
//! dispatches here before clap and before any thread or async runtime exists.
//!
//! Three processes:
//!
//! 1. **T** (host pid namespace): unshares user, mount, pid, ipc, uts and network namespaces,
//!    maps its own uid/gid to [`SANDBOX_ID`] (one line each, `setgroups` denied), forks, waits,
//!    and exits with its child's code.
//! 2. **I** (pid 1 of the new pid namespace): builds the new root on a tmpfs, pivots into it,
//!    brings `lo` up, caps `pid_max`, binds the proxy forwarder's listener on `127.0.0.1:0`,
//!    forks the command, makes itself non-dumpable, runs the forwarder on a thread, reaps, and
//!    exits with the command's code (128 + n for signal n). Its exit kills everything left in
//!    the namespace.
//! 3. **C** (the command): rlimits, `no_new_privs`, Landlock (fully enforced or refuse), every
//!    capability dropped, fds ≥ 3 close-on-exec, seccomp, exec.
//!
//! Any failure writes `refuse:<reason>` to the status pipe and exits 126; the parent turns it
//! into a [`crate::Refusal`]. The pipe is close-on-exec, so EOF without a message means the
//! command was exec'd.

use std::ffi::OsString;
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};

use crate::env::proxy_env;
use crate::mounts::Mount;
use crate::rlimits::Resource;
use crate::spec::{HOSTNAME, PROXY_SOCKET, SANDBOX_ID, SandboxSpec};
use crate::sys;

/// argv[1] that selects the trampoline.
pub const TRAMPOLINE_ARG: &str = "__hardclaw-sandbox-trampoline";
/// The descriptor of the status pipe in the trampoline.
pub const STATUS_FD: i32 = 3;

const STAGE: &str = "/tmp";
const OLD: &str = "/oldroot";
const NEW: &str = "/newroot";

type Step<T> = Result<T, String>;

fn step<T, E: std::fmt::Display>(what: &str, r: Result<T, E>) -> Step<T> {
    r.map_err(|e| format!("{what}: {e}"))
}

/// Entry point of the re-executed binary. Never returns.
pub fn main() -> ! {
    let mut status = sys::inherited_file(STATUS_FD);
    let args: Vec<OsString> = std::env::args_os().collect();
    let result = args
        .get(2)
        .and_then(|a| a.to_str())
        .ok_or_else(|| "missing spec argument".to_string())
        .and_then(|s| SandboxSpec::decode(s).map_err(|e| format!("bad spec: {e}")))
        .and_then(|spec| outer(&spec, &mut status));
    match result {
        Ok(code) => sys::exit_now(code),
        Err(reason) => refuse(&mut status, &reason),
    }
}

fn refuse(status: &mut Option<std::fs::File>, reason: &str) -> ! {
    if let Some(f) = status {
        let _ = f.write_all(format!("refuse:{reason}\n").as_bytes());
    }
    sys::exit_now(126)
}

/// T: namespaces and id maps, then fork I and wait.
fn outer(spec: &SandboxSpec, status: &mut Option<std::fs::File>) -> Step<i32> {
    step("die with parent", sys::die_with_parent())?;
    if rustix::process::getppid().is_none() {
        return Err("parent already gone".into());
    }
    if let Some((feature, detail)) = crate::kernel::kernel_support().missing() {
        return Err(format!("the kernel cannot provide {feature}: {detail}"));
    }
    let uid = rustix::process::geteuid().as_raw();
    let gid = rustix::process::getegid().as_raw();
    step(
        "unshare user/mount/pid/ipc/uts/net namespaces",
        sys::unshare(
            libc::CLONE_NEWUSER
                | libc::CLONE_NEWNS
                | libc::CLONE_NEWPID
                | libc::CLONE_NEWIPC
                | libc::CLONE_NEWUTS
                | libc::CLONE_NEWNET,
        ),
    )?;
    step(
        "setgroups deny",
        std::fs::write("/proc/self/setgroups", "deny"),
    )?;
    step(
        "uid_map",
        std::fs::write("/proc/self/uid_map", format!("{SANDBOX_ID} {uid} 1\n")),
    )?;
    step(
        "gid_map",
        std::fs::write("/proc/self/gid_map", format!("{SANDBOX_ID} {gid} 1\n")),
    )?;
    match step("fork (pid 1)", sys::fork())? {
        None => match init(spec, status, uid == 0) {
            Ok(code) => sys::exit_now(code),
            Err(reason) => refuse(status, &reason),
        },
        Some(pid) => {
            // Only the command may hold the status pipe from here on.
            drop(status.take());
            let (_, st) = step("wait", sys::waitpid(pid))?;
            Ok(sys::exit_code(st))
        }
    }
}

/// I: pid 1 of the new pid namespace.
fn init(spec: &SandboxSpec, status: &mut Option<std::fs::File>, host_root: bool) -> Step<i32> {
    step("die with parent", sys::die_with_parent())?;
    build_root(spec)?;
    step(
        "sethostname",
        rustix::system::sethostname(HOSTNAME.as_bytes()),
    )?;
    step("bring lo up", sys::loopback_up())?;
    // The process limit: RLIMIT_NPROC does not bind a caller that is root on the host (the
    // kernel exempts INIT_USER), so pid_max of the new pid namespace must then hold.
    let pid_max = spec.pid_max.max(300) + 1;
    let capped = std::fs::write("/proc/sys/kernel/pid_max", pid_max.to_string());
    if host_root {
        step("pid_max (process limit for a root caller)", capped)?;
    }
    // memfds of this pid namespace can never be executed; where the sysctl cannot be set,
    // seccomp refuses memfd_create without MFD_NOEXEC_SEAL instead.
    let memfd_noexec = std::fs::write("/proc/sys/vm/memfd_noexec", "2").is_ok();
    let listener = match &spec.proxy_socket {
        Some(_) => Some(step(
            "proxy forwarder listen",
            TcpListener::bind(("127.0.0.1", 0)),
        )?),
        None => None,
    };
    let port = match &listener {
        Some(l) => Some(step("proxy forwarder address", l.local_addr())?.port()),
        None => None,
    };

    let child = step("fork (command)", sys::fork())?;
    let Some(child) = child else {
        drop(listener);
        let err = command(spec, port, memfd_noexec);
        refuse(status, &err)
    };
    drop(status.take());
    step("not dumpable", sys::set_not_dumpable())?;
    if let Some(listener) = listener {
        std::thread::Builder::new()
            .name("proxy-forwarder".into())
            .spawn(move || {
                let _ = crate::proxy::run_forwarder(listener, Path::new(PROXY_SOCKET));
            })
            .map_err(|e| format!("forwarder thread: {e}"))?;
    }
    loop {
        let (pid, st) = step("wait", sys::waitpid(-1))?;
        if pid == child {
            return Ok(sys::exit_code(st));
        }
    }
}

/// C: the last restrictions, then exec. Returns only on failure.
fn command(spec: &SandboxSpec, port: Option<u16>, memfd_noexec: bool) -> String {
    match restrict(spec, port, memfd_noexec) {
        Err(e) => e,
        Ok(()) => {
            let mut cmd = std::process::Command::new(&spec.argv[0]);
            cmd.args(&spec.argv[1..])
                .env_clear()
                .envs(spec.env.iter().map(|(k, v)| (k, v)))
                .current_dir(&spec.cwd);
            if let Some(p) = port {
                cmd.envs(proxy_env(p));
            }
            let err = cmd.exec();
            // Exec failed after the sandbox was fully applied: report like a shell would.
            let _ = writeln!(
                std::io::stderr(),
                "hardclaw sandbox: {}: {err}",
                spec.argv[0]
            );
            sys::exit_now(if err.kind() == std::io::ErrorKind::NotFound {
                127
            } else {
                126
            })
        }
    }
}

fn restrict(spec: &SandboxSpec, port: Option<u16>, memfd_noexec: bool) -> Step<()> {
    if spec.argv.is_empty() {
        return Err("no command".into());
    }
    for r in &spec.rlimits {
        let res = match r.resource {
            Resource::Cpu => rustix::process::Resource::Cpu,
            Resource::As => rustix::process::Resource::As,
            Resource::Nproc => rustix::process::Resource::Nproc,
            Resource::Fsize => rustix::process::Resource::Fsize,
            Resource::Nofile => rustix::process::Resource::Nofile,
            Resource::Core => rustix::process::Resource::Core,
        };
        let lim = rustix::process::Rlimit {
            current: Some(r.value),
            maximum: Some(r.value),
        };
        step(
            &format!("rlimit {:?}", r.resource),
            rustix::process::setrlimit(res, lim),
        )?;
    }
    step("no_new_privs", rustix::thread::set_no_new_privs(true))?;
    step(
        "landlock",
        crate::landlock_rules::apply(&spec.landlock, port, sys::landlock_abi()),
    )?;
    step("drop capabilities", sys::drop_all_capabilities())?;
    step("close inherited descriptors", sys::cloexec_from(3))?;
    let mut rules = crate::seccomp::deny_rules();
    if !memfd_noexec {
        rules.push(crate::seccomp::memfd_seal_rule());
    }
    let programs = step("seccomp compile", crate::seccomp::compile(&rules))?;
    for p in &programs {
        step("seccomp install", sys::install_seccomp(p))?;
    }
    Ok(())
}

fn old(p: &Path) -> PathBuf {
    Path::new(OLD).join(p.strip_prefix("/").unwrap_or(p))
}

fn new(p: &str) -> PathBuf {
    Path::new(NEW).join(p.trim_start_matches('/'))
}

/// Builds the new root and pivots into it.
fn build_root(spec: &SandboxSpec) -> Step<()> {
    use rustix::mount::{
        MountFlags, MountPropagationFlags, UnmountFlags, mount, mount_bind, mount_bind_recursive,
        mount_change, unmount,
    };
    step(
        "make mounts private",
        mount_change(
            "/",
            MountPropagationFlags::REC | MountPropagationFlags::PRIVATE,
        ),
    )?;
    step(
        "staging tmpfs",
        mount(
            "tmpfs",
            STAGE,
            "tmpfs",
            MountFlags::NOSUID | MountFlags::NODEV,
            c"size=64k,mode=0700",
        ),
    )?;
    for d in ["oldroot", "newroot"] {
        step(
            "staging dirs",
            std::fs::create_dir(Path::new(STAGE).join(d)),
        )?;
    }
    step(
        "pivot to staging",
        rustix::process::pivot_root(STAGE, Path::new(STAGE).join("oldroot")),
    )?;
    step("chdir /", std::env::set_current_dir("/"))?;
    step(
        "root tmpfs",
        mount(
            "tmpfs",
            NEW,
            "tmpfs",
            MountFlags::NOSUID | MountFlags::NODEV,
            c"size=1m,mode=0755",
        ),
    )?;

    const RDONLY: u64 = 0x1;
    const NOSUID: u64 = 0x2;
    const NODEV: u64 = 0x4;
    const NOEXEC: u64 = 0x8;
    for m in &spec.mounts {
        let what = format!("{} {}", kind(m), m.target());
        match m {
            Mount::Bind {
                source,
                target,
                writable,
            } => {
                let src = old(source);
                let dst = new(target);
                ensure(&dst, src.is_dir()).map_err(|e| format!("{what}: {e}"))?;
                step(&what, mount_bind_recursive(&src, &dst))?;
                let attrs = NOSUID | NODEV | if *writable { 0 } else { RDONLY };
                step(&what, sys::mount_setattr(&dst, attrs, true))?;
            }
            Mount::Device { target } => {
                let src = old(Path::new(target));
                if !src.exists() {
                    continue;
                }
                let dst = new(target);
                ensure(&dst, false).map_err(|e| format!("{what}: {e}"))?;
                step(&what, mount_bind(&src, &dst))?;
                step(&what, sys::mount_setattr(&dst, NOSUID | NOEXEC, false))?;
            }
            Mount::Tmpfs { target, size, mode } => {
                let dst = new(target);
                ensure(&dst, true).map_err(|e| format!("{what}: {e}"))?;
                let data = step(
                    &what,
                    std::ffi::CString::new(format!("size={size},mode={mode:o}")),
                )?;
                step(
                    &what,
                    mount(
                        "tmpfs",
                        &dst,
                        "tmpfs",
                        MountFlags::NOSUID | MountFlags::NODEV,
                        data.as_c_str(),
                    ),
                )?;
            }
            Mount::Symlink { target, to } => {
                let dst = new(target);
                if let Some(parent) = dst.parent() {
                    step(&what, std::fs::create_dir_all(parent))?;
                }
                step(&what, std::os::unix::fs::symlink(to, &dst))?;
            }
            Mount::Proc { target } => {
                let dst = new(target);
                ensure(&dst, true).map_err(|e| format!("{what}: {e}"))?;
                step(
                    &what,
                    mount(
                        "proc",
                        &dst,
                        "proc",
                        MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC,
                        c"",
                    ),
                )?;
            }
            Mount::MaskFile { target } => {
                let dst = new(target);
                step(&what, mount_bind(old(Path::new("/dev/null")), &dst))?;
                step(
                    &what,
                    sys::mount_setattr(&dst, RDONLY | NOSUID | NODEV | NOEXEC, false),
                )?;
            }
            Mount::MaskDir { target } => {
                let dst = new(target);
                step(
                    &what,
                    mount(
                        "tmpfs",
                        &dst,
                        "tmpfs",
                        MountFlags::RDONLY
                            | MountFlags::NOSUID
                            | MountFlags::NODEV
                            | MountFlags::NOEXEC,
                        c"size=4k,mode=0555",
                    ),
                )?;
            }
            Mount::ReadOnly { target } => {
                step(&what, sys::mount_setattr(&new(target), RDONLY, false))?;
            }
        }
    }

    step("chdir new root", std::env::set_current_dir(NEW))?;
    step("pivot_root", rustix::process::pivot_root(".", "."))?;
    step("detach old root", unmount(".", UnmountFlags::DETACH))?;
    step("chdir /", std::env::set_current_dir("/"))?;
    Ok(())
}

fn kind(m: &Mount) -> &'static str {
    match m {
        Mount::Bind { .. } => "bind",
        Mount::Device { .. } => "device",
        Mount::Tmpfs { .. } => "tmpfs",
        Mount::Symlink { .. } => "symlink",
        Mount::Proc { .. } => "proc",
        Mount::MaskFile { .. } => "mask file",
        Mount::MaskDir { .. } => "mask dir",
        Mount::ReadOnly { .. } => "read-only",
    }
}

/// Creates the mount point (and its parents) when missing.
fn ensure(path: &Path, dir: bool) -> std::io::Result<()> {
    if std::fs::symlink_metadata(path).is_ok() {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    if dir {
        std::fs::create_dir(path)
    } else {
        std::fs::File::create(path).map(|_| ())
    }
}
