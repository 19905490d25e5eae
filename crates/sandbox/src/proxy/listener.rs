//! The proxy's Unix socket and accept loop.
//!
//! The socket is created safely: its parent must be a real directory owned by this user and
//! closed to group and others (so nobody can swap the path between our steps), nothing may
//! exist at the path but a stale socket (a symlink, file or directory is refused, never
//! followed), and the socket is bound, chmod'ed to 0600, and only then listens, so no one
//! can connect while it is briefly more open.

use std::collections::HashMap;
use std::io::{self, ErrorKind};
use std::net::Shutdown;
use std::os::fd::OwnedFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;
use std::{fmt, fs};

use hardclaw_policy::guard::DnsResolver;
use rustix::fs::Mode;
use rustix::net::{AddressFamily, SocketAddrUnix, SocketFlags, SocketType};

use super::conn::{Ctx, respond};
use super::{MAX_CONNECTIONS, ProxyDecision, ProxySettings};

const BACKLOG: i32 = 128;

/// Live client connections, so dropping the handle can cut them.
#[derive(Debug, Default)]
struct Registry {
    next: AtomicU64,
    live: Mutex<HashMap<u64, UnixStream>>,
    count: AtomicUsize,
}

/// One registered connection; unregisters itself however the handler ends.
struct Registered {
    id: u64,
    registry: Arc<Registry>,
}

impl Drop for Registered {
    fn drop(&mut self) {
        if let Ok(mut live) = self.registry.live.lock() {
            live.remove(&self.id);
        }
        self.registry.count.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The running proxy. Dropping it stops the accept loop, cuts live connections and removes
/// the socket file (when the path still names the socket this proxy created).
pub struct ProxyHandle {
    path: PathBuf,
    ident: (u64, u64),
    stop: Arc<AtomicBool>,
    listener: UnixListener,
    registry: Arc<Registry>,
    thread: Option<JoinHandle<()>>,
}

impl fmt::Debug for ProxyHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyHandle")
            .field("path", &self.path)
            .field(
                "live_connections",
                &self.registry.count.load(Ordering::Relaxed),
            )
            .finish_non_exhaustive()
    }
}

impl ProxyHandle {
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ProxyHandle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        // Wakes the blocked accept() (Linux returns EINVAL to it).
        let _ = rustix::net::shutdown(&self.listener, rustix::net::Shutdown::Read);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if let Ok(live) = self.registry.live.lock() {
            for s in live.values() {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
        if let Ok(m) = fs::symlink_metadata(&self.path)
            && m.file_type().is_socket()
            && (m.dev(), m.ino()) == self.ident
        {
            let _ = fs::remove_file(&self.path);
        }
    }
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(ErrorKind::InvalidInput, msg)
}

/// Checks the parent directory and clears a stale socket; refuses anything else at `path`.
fn prepare_path(path: &Path) -> io::Result<()> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .ok_or_else(|| invalid(format!("{}: socket path has no parent", path.display())))?;
    let meta = fs::symlink_metadata(parent)?;
    if !meta.file_type().is_dir() {
        return Err(invalid(format!(
            "{}: not a directory (symlinks are not followed)",
            parent.display()
        )));
    }
    if meta.uid() != rustix::process::geteuid().as_raw() || meta.mode() & 0o022 != 0 {
        return Err(io::Error::new(
            ErrorKind::PermissionDenied,
            format!(
                "{}: must be owned by this user and not writable by group or others",
                parent.display()
            ),
        ));
    }
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
        Ok(m) if m.file_type().is_socket() => fs::remove_file(path),
        Ok(_) => Err(io::Error::new(
            ErrorKind::AlreadyExists,
            format!(
                "{}: exists and is not a socket (not followed, not replaced)",
                path.display()
            ),
        )),
    }
}

fn bind_0600(path: &Path) -> io::Result<(UnixListener, (u64, u64))> {
    prepare_path(path)?;
    let fd: OwnedFd = rustix::net::socket_with(
        AddressFamily::UNIX,
        SocketType::STREAM,
        SocketFlags::CLOEXEC,
        None,
    )?;
    rustix::net::bind(&fd, &SocketAddrUnix::new(path)?)?;
    let made = (|| {
        rustix::fs::chmod(path, Mode::from_raw_mode(0o600))?;
        let m = fs::symlink_metadata(path)?;
        rustix::net::listen(&fd, BACKLOG)?;
        Ok::<_, io::Error>((m.dev(), m.ino()))
    })();
    match made {
        Ok(ident) => Ok((UnixListener::from(fd), ident)),
        Err(e) => {
            let _ = fs::remove_file(path);
            Err(e)
        }
    }
}

pub(crate) fn start(
    settings: ProxySettings,
    dns: Arc<dyn DnsResolver + Send + Sync>,
) -> io::Result<ProxyHandle> {
    let (listener, ident) = bind_0600(&settings.socket_path)?;
    let ctx = Arc::new(Ctx {
        guard: settings.guard,
        agent_id: settings.agent_id,
        on_decision: settings.on_decision,
        dns,
    });
    let stop = Arc::new(AtomicBool::new(false));
    let registry = Arc::new(Registry::default());
    let accept_on = listener.try_clone()?;
    let thread = {
        let stop = Arc::clone(&stop);
        let registry = Arc::clone(&registry);
        thread::Builder::new()
            .name("hardclaw-proxy".into())
            .spawn(move || accept_loop(&accept_on, &ctx, &stop, &registry))
    };
    let thread = match thread {
        Ok(t) => t,
        Err(e) => {
            let _ = fs::remove_file(&settings.socket_path);
            return Err(e);
        }
    };
    Ok(ProxyHandle {
        path: settings.socket_path,
        ident,
        stop,
        listener,
        registry,
        thread: Some(thread),
    })
}

fn accept_loop(
    listener: &UnixListener,
    ctx: &Arc<Ctx>,
    stop: &AtomicBool,
    registry: &Arc<Registry>,
) {
    loop {
        let accepted = listener.accept();
        if stop.load(Ordering::Acquire) {
            return;
        }
        let mut stream = match accepted {
            Ok((s, _)) => s,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => {
                // Out of descriptors or memory: back off rather than spin.
                thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        if registry.count.fetch_add(1, Ordering::AcqRel) >= MAX_CONNECTIONS {
            registry.count.fetch_sub(1, Ordering::AcqRel);
            let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
            (ctx.on_decision)(&ProxyDecision {
                target: String::new(),
                allowed: false,
                rule: "proxy-busy".into(),
                reason: format!("more than {MAX_CONNECTIONS} concurrent connections"),
            });
            respond(&mut stream, 503, "too many connections");
            continue;
        }
        let id = registry.next.fetch_add(1, Ordering::Relaxed);
        let reg = Registered {
            id,
            registry: Arc::clone(registry),
        };
        if let (Ok(clone), Ok(mut live)) = (stream.try_clone(), registry.live.lock()) {
            live.insert(id, clone);
        }
        let ctx = Arc::clone(ctx);
        // On spawn failure the closure (stream, registration) is dropped: the client sees a
        // closed connection and the slot is given back.
        let _ = thread::Builder::new()
            .name("hardclaw-proxy-conn".into())
            .spawn(move || {
                let _reg = reg;
                ctx.serve(stream);
            });
    }
}
