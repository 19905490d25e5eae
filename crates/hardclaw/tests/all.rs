//! End-to-end tests through the real `hardclaw` binary.
// Helpers outside `#[test]` functions (setup, JSON lookups) fail loudly, like the tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod suite;
