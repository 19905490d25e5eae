//! hardclaw-agent's integration tests: real sockets on 127.0.0.1, real files, a real SQLite
//! store, and the scripted model server speaking each provider's wire format.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod suite;
