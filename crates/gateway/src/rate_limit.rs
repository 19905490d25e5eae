//! Failed-authentication rate limiting (reference `openclaw-runtime-security.md` §7.6).
//!
//! A sliding window keyed by `(scope, client IP)`: the `max_attempts`-th failure inside
//! `window` locks the key for `lockout`; a success resets it. Missing credentials are not
//! failures. hardclaw deviation: loopback clients are **not** exempt unless
//! `gateway.auth.rateLimit.exemptLoopback` is true (a local process is also an attacker).
//! IPv4-mapped IPv6 addresses count as their IPv4 address.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hardclaw_config::schema::RateLimit;

/// Which credential a failure was about; each scope has its own counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Gateway token / password.
    SharedSecret,
    /// Webhook signatures.
    WebhookAuth,
}

/// Effective limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Failures allowed inside the window (the last one locks).
    pub max_attempts: u32,
    /// Sliding window.
    pub window: Duration,
    /// Lockout length.
    pub lockout: Duration,
    /// Loopback clients are never limited.
    pub exempt_loopback: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_attempts: 10,
            window: Duration::from_millis(60_000),
            lockout: Duration::from_millis(300_000),
            exempt_loopback: false,
        }
    }
}

impl Limits {
    /// `gateway.auth.rateLimit` over the defaults (0 attempts is treated as 1).
    pub fn from_config(config: Option<&RateLimit>) -> Limits {
        let d = Limits::default();
        let Some(c) = config else { return d };
        Limits {
            max_attempts: c.max_attempts.map_or(d.max_attempts, |n| n.max(1)),
            window: c.window_ms.map_or(d.window, Duration::from_millis),
            lockout: c.lockout_ms.map_or(d.lockout, Duration::from_millis),
            exempt_loopback: c.exempt_loopback.unwrap_or(d.exempt_loopback),
        }
    }
}

#[derive(Debug, Default)]
struct Entry {
    failures: VecDeque<Instant>,
    locked_until: Option<Instant>,
}

/// The limiter. Cheap to check; one mutex (contention only on failures and lockouts).
#[derive(Debug)]
pub struct RateLimiter {
    entries: Mutex<HashMap<(Scope, IpAddr), Entry>>,
    last_prune: Mutex<Instant>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new()
    }
}

/// Canonical form: mapped v6 → v4.
pub fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

impl RateLimiter {
    /// An empty limiter.
    pub fn new() -> RateLimiter {
        RateLimiter {
            entries: Mutex::new(HashMap::new()),
            last_prune: Mutex::new(Instant::now()),
        }
    }

    fn exempt(limits: &Limits, ip: IpAddr) -> bool {
        limits.exempt_loopback && ip.is_loopback()
    }

    /// `Err(retry_after)` while the key is locked.
    pub fn check(&self, limits: &Limits, scope: Scope, ip: IpAddr) -> Result<(), Duration> {
        let ip = canonical_ip(ip);
        if Self::exempt(limits, ip) {
            return Ok(());
        }
        let now = Instant::now();
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = map.get_mut(&(scope, ip))
            && let Some(until) = entry.locked_until
        {
            if until > now {
                return Err(until - now);
            }
            entry.locked_until = None;
            entry.failures.clear();
        }
        Ok(())
    }

    /// Records a failure; `Err(retry_after)` when this failure locked the key.
    pub fn record_failure(
        &self,
        limits: &Limits,
        scope: Scope,
        ip: IpAddr,
    ) -> Result<(), Duration> {
        let ip = canonical_ip(ip);
        if Self::exempt(limits, ip) {
            return Ok(());
        }
        let now = Instant::now();
        self.maybe_prune(limits, now);
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map.entry((scope, ip)).or_default();
        if let Some(until) = entry.locked_until
            && until > now
        {
            return Err(until - now);
        }
        while entry
            .failures
            .front()
            .is_some_and(|t| now.duration_since(*t) > limits.window)
        {
            entry.failures.pop_front();
        }
        entry.failures.push_back(now);
        if entry.failures.len() >= limits.max_attempts as usize {
            entry.locked_until = Some(now + limits.lockout);
            entry.failures.clear();
            return Err(limits.lockout);
        }
        Ok(())
    }

    /// A success resets the key.
    pub fn record_success(&self, scope: Scope, ip: IpAddr) {
        let ip = canonical_ip(ip);
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map
            .get(&(scope, ip))
            .is_some_and(|e| e.locked_until.is_none())
        {
            map.remove(&(scope, ip));
        }
    }

    /// Drops stale entries at most once a minute (bounded memory under address spraying).
    fn maybe_prune(&self, limits: &Limits, now: Instant) {
        let mut last = self.last_prune.lock().unwrap_or_else(|e| e.into_inner());
        if now.duration_since(*last) < Duration::from_secs(60) {
            return;
        }
        *last = now;
        drop(last);
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, e| {
            e.locked_until.is_some_and(|u| u > now)
                || e.failures
                    .back()
                    .is_some_and(|t| now.duration_since(*t) <= limits.window)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    // Reference §7.9 #8: 10 wrong tokens from 203.0.113.5 → locked, ~300 s.
    #[test]
    fn tenth_failure_locks_for_the_lockout() {
        let l = RateLimiter::new();
        let limits = Limits::default();
        for _ in 0..9 {
            assert!(
                l.record_failure(&limits, Scope::SharedSecret, ip("203.0.113.5"))
                    .is_ok()
            );
        }
        let locked = l
            .record_failure(&limits, Scope::SharedSecret, ip("203.0.113.5"))
            .unwrap_err();
        assert_eq!(locked, Duration::from_secs(300));
        let left = l
            .check(&limits, Scope::SharedSecret, ip("203.0.113.5"))
            .unwrap_err();
        assert!(left > Duration::from_secs(299));
        // Other clients and other scopes are unaffected.
        assert!(
            l.check(&limits, Scope::SharedSecret, ip("203.0.113.6"))
                .is_ok()
        );
        assert!(
            l.check(&limits, Scope::WebhookAuth, ip("203.0.113.5"))
                .is_ok()
        );
    }

    // Reference §7.9 #9 is OpenClaw's default; hardclaw limits loopback unless exempted.
    #[test]
    fn loopback_is_limited_unless_exempt() {
        let l = RateLimiter::new();
        let limits = Limits::default();
        for _ in 0..10 {
            let _ = l.record_failure(&limits, Scope::SharedSecret, ip("127.0.0.1"));
        }
        assert!(
            l.check(&limits, Scope::SharedSecret, ip("127.0.0.1"))
                .is_err()
        );
        let exempt = Limits {
            exempt_loopback: true,
            ..limits
        };
        let l = RateLimiter::new();
        for _ in 0..50 {
            assert!(
                l.record_failure(&exempt, Scope::SharedSecret, ip("127.0.0.1"))
                    .is_ok()
            );
        }
    }

    #[test]
    fn mapped_v6_counts_as_v4_and_success_resets() {
        let l = RateLimiter::new();
        let limits = Limits::default();
        for _ in 0..9 {
            let _ = l.record_failure(&limits, Scope::SharedSecret, ip("::ffff:198.51.100.7"));
        }
        l.record_success(Scope::SharedSecret, ip("198.51.100.7"));
        assert!(
            l.record_failure(&limits, Scope::SharedSecret, ip("198.51.100.7"))
                .is_ok()
        );
    }

    #[test]
    fn config_overrides_defaults() {
        let limits = Limits::from_config(Some(&RateLimit {
            max_attempts: Some(3),
            window_ms: Some(1000),
            lockout_ms: Some(2000),
            exempt_loopback: Some(true),
        }));
        assert_eq!(
            limits,
            Limits {
                max_attempts: 3,
                window: Duration::from_secs(1),
                lockout: Duration::from_secs(2),
                exempt_loopback: true
            }
        );
    }
}
