//! End-to-end tests through the real `hardclaw` binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod suite;
