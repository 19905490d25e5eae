//! End-to-end tests through the real `hardclaw` binary.

mod suite;
