//! The real [`DnsResolver`]: the system resolver (`getaddrinfo` through std's
//! `ToSocketAddrs`) bounded by a timeout. `getaddrinfo` cannot be cancelled, so each lookup
//! runs on a helper thread that is abandoned on timeout; the number of lookups in flight is
//! capped so a stream of slow names cannot pile up threads.

use std::net::{IpAddr, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use hardclaw_policy::guard::DnsResolver;

/// Lookups (including abandoned, timed-out ones) one resolver runs at once.
pub const MAX_LOOKUPS_IN_FLIGHT: usize = 32;

/// The system resolver with a timeout; a timeout or an error is an `Err` (the guard blocks).
#[derive(Debug, Clone)]
pub struct SystemDns {
    timeout: Duration,
    in_flight: Arc<AtomicUsize>,
}

impl SystemDns {
    /// A resolver whose lookups fail after `timeout` (use the guard's `dns_timeout()`).
    pub fn new(timeout: Duration) -> SystemDns {
        SystemDns {
            timeout,
            in_flight: Arc::new(AtomicUsize::new(0)),
        }
    }
}

/// Gives the in-flight slot back when the lookup thread ends, however it ends.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl DnsResolver for SystemDns {
    fn resolve(&self, host: &str) -> Result<Vec<IpAddr>, String> {
        if self.in_flight.fetch_add(1, Ordering::AcqRel) >= MAX_LOOKUPS_IN_FLIGHT {
            self.in_flight.fetch_sub(1, Ordering::AcqRel);
            return Err("too many DNS lookups in flight".to_string());
        }
        let slot = Slot(Arc::clone(&self.in_flight));
        let (tx, rx) = mpsc::channel();
        let name = host.to_string();
        let spawned = thread::Builder::new()
            .name("hardclaw-dns".into())
            .spawn(move || {
                let _slot = slot;
                let answer = (name.as_str(), 0u16)
                    .to_socket_addrs()
                    .map(|addrs| addrs.map(|a| a.ip()).collect::<Vec<_>>())
                    .map_err(|e| e.to_string());
                // The receiver is gone after a timeout; nothing to do then.
                let _ = tx.send(answer);
            });
        if let Err(e) = spawned {
            return Err(format!("cannot start a DNS lookup: {e}"));
        }
        match rx.recv_timeout(self.timeout) {
            Ok(answer) => answer,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
                "DNS lookup timed out after {} ms",
                self.timeout.as_millis()
            )),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err("DNS lookup failed".to_string()),
        }
    }
}
