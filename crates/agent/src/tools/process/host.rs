//! Background commands on the host — only for agents whose `sandbox.mode` is explicitly
//! `"off"`, exactly like foreground host `exec` ([`super::super::exec::run_on_host`]):
//! `/bin/sh -c` in the workspace, the environment cleared and rebuilt from
//! `sanitize_exec_env(env)` + a fixed `PATH` + `HOME` = the workspace, its own process group.
//! A supervisor task kills the whole group at the wall-clock limit, on cancel, and once the
//! shell has exited (children it left behind die with it).

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt;

use super::super::exec::{ExecError, ExecRequest, host_command};
use super::io::{BackgroundIo, Exit, Spawned, Stream};

/// How often the supervisor looks at the cancel flag and the deadline.
const TICK: Duration = Duration::from_millis(50);
/// How long readers may keep draining after the group was killed.
const DRAIN_GRACE: Duration = Duration::from_secs(1);

async fn pump<R: tokio::io::AsyncRead + Unpin>(mut r: R, io: Arc<BackgroundIo>, stream: Stream) {
    let mut buf = [0u8; 8192];
    loop {
        match r.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => io.push(stream, &buf[..n]),
        }
    }
}

fn kill_group(pgid: Option<u32>) {
    if let Some(pid) = pgid.and_then(|p| rustix::process::Pid::from_raw(p as i32)) {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

/// Starts `req` on the host in the background; output and the end go to `io`.
pub async fn spawn_on_host(req: ExecRequest, io: Arc<BackgroundIo>) -> Result<Spawned, ExecError> {
    let mut cmd = host_command(&req, Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| ExecError::Spawn(e.to_string()))?;
    let pgid = child.id();
    let stdin = child
        .stdin
        .take()
        .map(|s| Box::pin(s) as super::io::StdinWriter);
    let out = child
        .stdout
        .take()
        .map(|s| tokio::spawn(pump(s, Arc::clone(&io), Stream::Stdout)));
    let err = child
        .stderr
        .take()
        .map(|s| tokio::spawn(pump(s, Arc::clone(&io), Stream::Stderr)));
    let deadline = Instant::now() + req.timeout;
    tokio::spawn(async move {
        let (mut timed_out, mut cancelled) = (false, false);
        let status = loop {
            tokio::select! {
                s = child.wait() => break s,
                () = tokio::time::sleep(TICK) => {
                    if !(timed_out || cancelled) {
                        cancelled = io.is_cancelled();
                        timed_out = !cancelled && Instant::now() >= deadline;
                        if cancelled || timed_out {
                            kill_group(pgid);
                        }
                    }
                }
            }
        };
        // The shell is reaped but its group may live on: kill it (no orphans).
        kill_group(pgid);
        // Killed directly (the registry was dropped) before a tick saw the flag.
        cancelled |= !timed_out && io.is_cancelled();
        let _ = tokio::time::timeout(DRAIN_GRACE, async {
            for h in [out, err].into_iter().flatten() {
                let _ = h.await;
            }
        })
        .await;
        let exit = match status {
            Ok(s) => Exit {
                code: s.code(),
                signal: std::os::unix::process::ExitStatusExt::signal(&s),
                timed_out,
                cancelled,
                error: None,
            },
            Err(e) => Exit {
                timed_out,
                cancelled,
                error: Some(format!("wait: {e}")),
                ..Exit::default()
            },
        };
        io.finish(exit);
    });
    Ok(Spawned { stdin, pgid })
}
