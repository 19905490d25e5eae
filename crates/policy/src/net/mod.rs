//! Network decisions: host parsing, IP classification, the SSRF check with DNS pinning, and
//! the network guard. Pure: DNS answers come through [`crate::guard::DnsResolver`].

pub mod host;
pub mod ip_class;
pub mod network_guard;
pub mod settings;
pub mod ssrf;

pub use host::{BareHost, Host, HostError, ParsedUrl, parse_bare_host, parse_url};
pub use ip_class::{Embedding, IpClass, RangeKind, SpecialRange, classify};
pub use network_guard::{GUARDED_TOOLS, NetworkGuard};
pub use settings::NetworkGuardSettings;
pub use ssrf::{PinnedTarget, SsrfPolicy, check_redirect, check_url};

#[cfg(test)]
mod test_support;

#[cfg(test)]
mod ssrf_tests;

#[cfg(test)]
mod guide_vectors;

#[cfg(test)]
mod corpus;

#[cfg(test)]
mod prop_tests;

#[cfg(test)]
mod regressions;
