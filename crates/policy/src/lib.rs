//! hardclaw's policy engine: pure, synchronous security decisions with no I/O.
//!
//! This first cut holds what the audit needs: the tool groups and profiles and the effective
//! tool set of an agent context.
#![forbid(unsafe_code)]
