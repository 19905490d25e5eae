//! The sandbox-side half: a loopback TCP port inside the sandbox's network namespace whose
//! connections are relayed, byte for byte, to the proxy's Unix socket on the host. It judges
//! nothing; the proxy does.

use std::io::{self, ErrorKind};
use std::net::TcpListener;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use super::relay;
use super::{IDLE_TIMEOUT, MAX_FORWARDED_CONNECTIONS};

/// Gives the connection slot back when the relay thread ends.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Whether an `accept` error is worth retrying (the listener itself is fine).
fn transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::Interrupted | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) || matches!(
        e.raw_os_error(),
        Some(code) if code == rustix::io::Errno::MFILE.raw_os_error()
            || code == rustix::io::Errno::NFILE.raw_os_error()
            || code == rustix::io::Errno::NOBUFS.raw_os_error()
            || code == rustix::io::Errno::NOMEM.raw_os_error()
            || code == rustix::io::Errno::PROTO.raw_os_error()
    )
}

/// Accepts connections on `listener` forever, relaying each to the Unix socket `upstream`
/// (two threads per connection, half-closes passed on, [`IDLE_TIMEOUT`] when nothing moves).
/// At most [`MAX_FORWARDED_CONNECTIONS`] at once; further connections are closed at once.
/// Returns only when accepting fails for good.
pub fn run_forwarder(listener: TcpListener, upstream: &Path) -> io::Result<()> {
    let active = Arc::new(AtomicUsize::new(0));
    loop {
        let client = match listener.accept() {
            Ok((c, _)) => c,
            Err(e) if transient(&e) => {
                thread::sleep(Duration::from_millis(20));
                continue;
            }
            Err(e) => return Err(e),
        };
        if active.fetch_add(1, Ordering::AcqRel) >= MAX_FORWARDED_CONNECTIONS {
            active.fetch_sub(1, Ordering::AcqRel);
            drop(client);
            continue;
        }
        let slot = Slot(Arc::clone(&active));
        let upstream = upstream.to_path_buf();
        // On spawn failure the closure is dropped: the client is closed, the slot returned.
        let _ = thread::Builder::new()
            .name("hardclaw-forward".into())
            .spawn(move || {
                let _slot = slot;
                let _ = client.set_nodelay(true);
                if let Ok(proxy) = UnixStream::connect(&upstream) {
                    let _ = relay::pipe(client, proxy, &[], IDLE_TIMEOUT);
                }
            });
    }
}
