//! `cargo +nightly fuzz run analyze`: the shell analyser and command guard must never panic
//! or abort (stack overflow) on any input within the limits.
#![no_main]

use hardclaw_policy::command_guard::evaluate;
use hardclaw_policy::shell::{Limits, analyze};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let facts = analyze(s, &Limits::default());
        let _ = evaluate(&facts);
    }
});
