//! Copying bytes between two sockets: both directions at once (tunnels, the forwarder) or one
//! (a response), with half-close propagation and an idle timeout shared by both directions.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// A stream socket the relay can split and shut down.
pub(crate) trait Duplex: Read + Write + Send + Sized + 'static {
    fn try_clone_stream(&self) -> io::Result<Self>;
    fn shutdown_stream(&self, how: Shutdown) -> io::Result<()>;
    fn set_read_timeout_stream(&self, d: Option<Duration>) -> io::Result<()>;
}

impl Duplex for TcpStream {
    fn try_clone_stream(&self) -> io::Result<Self> {
        self.try_clone()
    }
    fn shutdown_stream(&self, how: Shutdown) -> io::Result<()> {
        self.shutdown(how)
    }
    fn set_read_timeout_stream(&self, d: Option<Duration>) -> io::Result<()> {
        self.set_read_timeout(d)
    }
}

impl Duplex for UnixStream {
    fn try_clone_stream(&self) -> io::Result<Self> {
        self.try_clone()
    }
    fn shutdown_stream(&self, how: Shutdown) -> io::Result<()> {
        self.shutdown(how)
    }
    fn set_read_timeout_stream(&self, d: Option<Duration>) -> io::Result<()> {
        self.set_read_timeout(d)
    }
}

const BUF: usize = 64 * 1024;

/// When a byte last moved, in milliseconds since `start`.
struct Activity {
    start: Instant,
    last_ms: AtomicU64,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
        }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        let now = self.start.elapsed();
        now.saturating_sub(Duration::from_millis(self.last_ms.load(Ordering::Relaxed)))
    }
}

/// How one direction ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// The source closed its sending side: pass the half-close on.
    Eof,
    /// Error or idle timeout: tear both sockets down.
    Abort,
}

fn pump<R: Duplex, W: Duplex>(
    src: &mut R,
    dst: &mut W,
    activity: &Activity,
    idle: Duration,
) -> End {
    let mut buf = vec![0u8; BUF];
    if src.set_read_timeout_stream(Some(idle)).is_err() {
        return End::Abort;
    }
    loop {
        match src.read(&mut buf) {
            Ok(0) => return End::Eof,
            Ok(n) => {
                activity.touch();
                let Some(chunk) = buf.get(..n) else {
                    return End::Abort;
                };
                if dst.write_all(chunk).is_err() {
                    return End::Abort;
                }
                activity.touch();
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                // Quiet this way; only idle when the other way is quiet too.
                if activity.idle_for() >= idle {
                    return End::Abort;
                }
            }
            Err(_) => return End::Abort,
        }
    }
}

/// Copies `a` → `b` and `b` → `a` until both directions end (one extra thread). `a_prefix`
/// is sent to `b` first (bytes already read from `a`).
pub(crate) fn pipe<A: Duplex, B: Duplex>(
    a: A,
    b: B,
    a_prefix: &[u8],
    idle: Duration,
) -> io::Result<()> {
    let mut b_w = b.try_clone_stream()?;
    if !a_prefix.is_empty() {
        b_w.write_all(a_prefix)?;
    }
    let activity = Arc::new(Activity::new());
    let mut a_r = a.try_clone_stream()?;
    let mut a_w = a;
    let mut b_r = b;
    let act = Arc::clone(&activity);
    let back = thread::Builder::new()
        .name("hardclaw-relay".into())
        .spawn(move || {
            let end = pump(&mut b_r, &mut a_w, &act, idle);
            finish(end, &b_r, &a_w);
            end
        })?;
    let end = pump(&mut a_r, &mut b_w, &activity, idle);
    finish(end, &a_r, &b_w);
    let _ = back.join();
    Ok(())
}

fn finish<R: Duplex, W: Duplex>(end: End, src: &R, dst: &W) {
    match end {
        End::Eof => {
            let _ = dst.shutdown_stream(Shutdown::Write);
        }
        End::Abort => {
            let _ = src.shutdown_stream(Shutdown::Both);
            let _ = dst.shutdown_stream(Shutdown::Both);
        }
    }
}

/// Copies `src` → `dst` until `src` ends or nothing moves for `idle`.
pub(crate) fn copy_until_eof<R: Duplex, W: Duplex>(
    src: &mut R,
    dst: &mut W,
    idle: Duration,
) -> bool {
    let activity = Activity::new();
    pump(src, dst, &activity, idle) == End::Eof
}
