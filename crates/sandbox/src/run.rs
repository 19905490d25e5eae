//! The parent side: spawn the trampoline, wait with a timeout (or until cancelled), cap the
//! output, and turn a setup failure into a [`Refusal`]. Never runs anything on the host.

use std::io::Read;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::error::Refusal;
use crate::spec::SandboxSpec;
use crate::trampoline::{STATUS_FD, TRAMPOLINE_ARG};

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The binary that dispatches [`TRAMPOLINE_ARG`] to [`crate::trampoline::main`]
    /// (normally the running `hardclaw`).
    pub trampoline: PathBuf,
    /// Wall-clock timeout.
    pub timeout: Duration,
    /// Cap of stdout and of stderr, bytes each.
    pub output_cap: usize,
    /// Set to cancel the run (the whole sandbox is killed).
    pub cancel: Option<Arc<AtomicBool>>,
}

/// What happened to the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Exit code (128 + n when killed by signal n).
    pub code: i32,
    /// Captured stdout (at most the cap).
    pub stdout: Vec<u8>,
    /// Captured stderr (at most the cap).
    pub stderr: Vec<u8>,
    /// stdout was cut at the cap.
    pub stdout_truncated: bool,
    /// stderr was cut at the cap.
    pub stderr_truncated: bool,
    /// Killed at the timeout.
    pub timed_out: bool,
    /// Killed on cancel.
    pub cancelled: bool,
    /// Wall-clock time.
    pub elapsed: Duration,
}

fn capped_reader(
    mut r: impl Read + Send + 'static,
    cap: usize,
) -> std::thread::JoinHandle<(Vec<u8>, bool)> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut truncated = false;
        let mut buf = [0u8; 16384];
        loop {
            match r.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let room = cap.saturating_sub(kept.len());
                    if n > room {
                        truncated = true;
                    }
                    kept.extend_from_slice(&buf[..n.min(room)]);
                }
            }
        }
        (kept, truncated)
    })
}

/// Runs the spec's command in the sandbox. `Err` means it did not run.
pub fn run(spec: &SandboxSpec, opts: &RunOptions) -> Result<Outcome, Refusal> {
    if let Some((feature, detail)) = crate::kernel::kernel_support().missing() {
        return Err(Refusal::KernelUnsupported { feature, detail });
    }
    let encoded = spec
        .encode()
        .map_err(|e| Refusal::Plan(format!("cannot encode the spec: {e}")))?;
    let (status_r, status_w) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)
        .map_err(|e| Refusal::Spawn(format!("status pipe: {e}")))?;
    let start = Instant::now();
    let mut cmd = Command::new(&opts.trampoline);
    cmd.arg(TRAMPOLINE_ARG)
        .arg(encoded)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let w = status_w.as_raw_fd();
    // SAFETY: the closure runs between fork and exec in the child and only calls dup2/fcntl,
    // which are async-signal-safe; it touches no memory shared with other threads.
    unsafe {
        cmd.pre_exec(move || {
            if w == STATUS_FD {
                if libc::fcntl(w, libc::F_SETFD, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            } else if libc::dup2(w, STATUS_FD) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| Refusal::Spawn(format!("{}: {e}", opts.trampoline.display())))?;
    drop(status_w);
    let pgid = child.id();
    let out = child
        .stdout
        .take()
        .map(|s| capped_reader(s, opts.output_cap));
    let err = child
        .stderr
        .take()
        .map(|s| capped_reader(s, opts.output_cap));
    let status_reader = std::thread::spawn(move || {
        let mut f = std::fs::File::from(status_r);
        let mut s = String::new();
        let _ = f.read_to_string(&mut s);
        s
    });

    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let deadline = start + opts.timeout;
    let (mut timed_out, mut cancelled) = (false, false);
    let status = loop {
        let now = Instant::now();
        let slice = deadline
            .saturating_duration_since(now)
            .min(Duration::from_millis(50));
        match rx.recv_timeout(slice) {
            Ok(s) => break s,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                break Err(std::io::Error::other("waiter thread vanished"));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        let cancel = opts
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::SeqCst));
        if (Instant::now() >= deadline || cancel) && !(timed_out || cancelled) {
            timed_out = !cancel;
            cancelled = cancel;
            // The trampoline and pid 1 of the sandbox share this group; killing pid 1 kills
            // everything in the sandbox's pid namespace.
            if let Some(pid) = rustix::process::Pid::from_raw(pgid as i32) {
                let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
            }
        }
    };
    let elapsed = start.elapsed();
    let message = status_reader.join().unwrap_or_default();
    let (stdout, stdout_truncated) = out.and_then(|h| h.join().ok()).unwrap_or_default();
    let (stderr, stderr_truncated) = err.and_then(|h| h.join().ok()).unwrap_or_default();
    if let Some(reason) = message.lines().find_map(|l| l.strip_prefix("refuse:")) {
        return Err(Refusal::Setup(reason.to_string()));
    }
    let status = status.map_err(|e| Refusal::Spawn(format!("wait: {e}")))?;
    let code = match (
        status.code(),
        std::os::unix::process::ExitStatusExt::signal(&status),
    ) {
        (Some(c), _) => c,
        (None, Some(s)) => 128 + s,
        (None, None) => 126,
    };
    Ok(Outcome {
        code,
        stdout,
        stderr,
        stdout_truncated,
        stderr_truncated,
        timed_out,
        cancelled,
        elapsed,
    })
}
