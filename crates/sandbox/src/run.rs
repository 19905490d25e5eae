//! The parent side: spawn the trampoline, wait with a timeout (or until cancelled), cap the
//! output, and turn a setup failure into a [`Refusal`]. Never runs anything on the host.
//!
//! [`run`] is [`spawn`] then [`Running::wait`]. `spawn` returns once the command was exec'd
//! inside the sandbox (the status pipe reached EOF without a refusal), so a background caller
//! knows the sandbox was fully applied before it reports the command as running; output can
//! be streamed as it arrives ([`RunOptions::on_output`]) and the command may get a stdin pipe
//! ([`RunOptions::stdin`]).

use std::io::Read;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{ChildStdin, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::error::Refusal;
use crate::spec::SandboxSpec;
use crate::trampoline::{STATUS_FD, TRAMPOLINE_ARG};

/// One of the command's output streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputStream {
    /// stdout.
    Stdout,
    /// stderr.
    Stderr,
}

/// A callback for output chunks.
pub type OutputFn = dyn Fn(OutputStream, &[u8]) + Send + Sync;

/// Receives every chunk of output as it arrives, from the reader threads.
#[derive(Clone)]
pub struct OutputSink(pub Arc<OutputFn>);

impl std::fmt::Debug for OutputSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OutputSink")
    }
}

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The binary that dispatches [`TRAMPOLINE_ARG`] to [`crate::trampoline::main`]
    /// (normally the running `hardclaw`).
    pub trampoline: PathBuf,
    /// Wall-clock timeout.
    pub timeout: Duration,
    /// Cap of stdout and of stderr kept in the [`Outcome`], bytes each.
    pub output_cap: usize,
    /// Set to cancel the run (the whole sandbox is killed).
    pub cancel: Option<Arc<AtomicBool>>,
    /// Every chunk of output also goes here as it arrives (not capped by `output_cap`).
    pub on_output: Option<OutputSink>,
    /// Give the command a pipe as stdin ([`Running::take_stdin`]) instead of `/dev/null`.
    pub stdin: bool,
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
    sink: Option<(OutputSink, OutputStream)>,
) -> JoinHandle<(Vec<u8>, bool)> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut truncated = false;
        let mut buf = [0u8; 16384];
        loop {
            match r.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if let Some((sink, stream)) = &sink {
                        (sink.0)(*stream, &buf[..n]);
                    }
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

/// A sandboxed command that was exec'd and has not been waited for. Dropping it without
/// [`Running::wait`] kills the sandbox.
#[derive(Debug)]
pub struct Running {
    pgid: u32,
    start: Instant,
    deadline: Instant,
    cancel: Option<Arc<AtomicBool>>,
    exited: Option<mpsc::Receiver<std::io::Result<ExitStatus>>>,
    out: Option<JoinHandle<(Vec<u8>, bool)>>,
    err: Option<JoinHandle<(Vec<u8>, bool)>>,
    stdin: Option<ChildStdin>,
    timed_out: bool,
    cancelled: bool,
}

/// Starts the spec's command in the sandbox and returns once it was exec'd there. `Err` means
/// it did not run.
pub fn spawn(spec: &SandboxSpec, opts: &RunOptions) -> Result<Running, Refusal> {
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
        .stdin(if opts.stdin {
            Stdio::piped()
        } else {
            Stdio::null()
        })
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
    let sink = |s| opts.on_output.clone().map(|o| (o, s));
    let out = child
        .stdout
        .take()
        .map(|s| capped_reader(s, opts.output_cap, sink(OutputStream::Stdout)));
    let err = child
        .stderr
        .take()
        .map(|s| capped_reader(s, opts.output_cap, sink(OutputStream::Stderr)));
    let stdin = child.stdin.take();
    let (status_tx, status_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut f = std::fs::File::from(status_r);
        let mut s = String::new();
        let _ = f.read_to_string(&mut s);
        let _ = status_tx.send(s);
    });
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let mut running = Running {
        pgid,
        start,
        deadline: start + opts.timeout,
        cancel: opts.cancel.clone(),
        exited: Some(rx),
        out,
        err,
        stdin,
        timed_out: false,
        cancelled: false,
    };
    // EOF on the status pipe: the command was exec'd (or everything holding the pipe died).
    let message = loop {
        match status_rx.recv_timeout(running.slice()) {
            Ok(m) => break m,
            Err(mpsc::RecvTimeoutError::Disconnected) => break String::new(),
            Err(mpsc::RecvTimeoutError::Timeout) => running.enforce(),
        }
    };
    if let Some(reason) = message.lines().find_map(|l| l.strip_prefix("refuse:")) {
        running.kill();
        let _ = running.finish();
        return Err(Refusal::Setup(reason.to_string()));
    }
    Ok(running)
}

/// Runs the spec's command in the sandbox. `Err` means it did not run.
pub fn run(spec: &SandboxSpec, opts: &RunOptions) -> Result<Outcome, Refusal> {
    spawn(spec, opts)?.wait()
}

impl Running {
    /// The process group of the trampoline and the sandbox's pid 1 (killing it ends the
    /// sandbox and everything in it).
    pub fn pgid(&self) -> u32 {
        self.pgid
    }

    /// The write end of the command's stdin, when [`RunOptions::stdin`] was set.
    pub fn take_stdin(&mut self) -> Option<ChildStdin> {
        self.stdin.take()
    }

    /// Waits for the command (killing the sandbox at the timeout or on cancel).
    pub fn wait(mut self) -> Result<Outcome, Refusal> {
        // A stdin the caller did not take would keep a reading command waiting forever.
        drop(self.stdin.take());
        let status = self.finish();
        let elapsed = self.start.elapsed();
        let (stdout, stdout_truncated) = self
            .out
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        let (stderr, stderr_truncated) = self
            .err
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
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
            timed_out: self.timed_out,
            cancelled: self.cancelled,
            elapsed,
        })
    }

    /// How long to block before checking the deadline and the cancel flag again.
    fn slice(&self) -> Duration {
        let step = Duration::from_millis(50);
        if self.timed_out || self.cancelled {
            return step;
        }
        self.deadline
            .saturating_duration_since(Instant::now())
            .clamp(Duration::from_millis(1), step)
    }

    /// Kills the sandbox once the deadline passed or the cancel flag was set.
    fn enforce(&mut self) {
        if self.timed_out || self.cancelled {
            return;
        }
        let cancel = self
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::SeqCst));
        if Instant::now() >= self.deadline || cancel {
            self.timed_out = !cancel;
            self.cancelled = cancel;
            self.kill();
        }
    }

    fn kill(&self) {
        // The trampoline and pid 1 of the sandbox share this group; killing pid 1 kills
        // everything in the sandbox's pid namespace.
        if let Some(pid) = rustix::process::Pid::from_raw(self.pgid as i32) {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    }

    /// Waits for the trampoline to exit, enforcing the deadline and the cancel flag.
    fn finish(&mut self) -> std::io::Result<ExitStatus> {
        let Some(rx) = self.exited.take() else {
            return Err(std::io::Error::other("already waited"));
        };
        loop {
            match rx.recv_timeout(self.slice()) {
                Ok(s) => return s,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(std::io::Error::other("waiter thread vanished"));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => self.enforce(),
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Not waited for: nothing may outlive the handle.
        if self.exited.is_some() {
            self.kill();
        }
    }
}
