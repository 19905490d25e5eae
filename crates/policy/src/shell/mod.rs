//! Shell analysis: a command string → [`CommandFacts`].
//!
//! OWNER: shell helper. Stub with the agreed interface.

mod facts;

pub use facts::{
    Arg, CommandFacts, ExecFact, Nesting, NetDest, ObfuscationFact, RedirectFact, RedirectOp,
};

/// Limits on what the analyser accepts (beyond them it fails closed).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Maximum command length in bytes.
    pub max_bytes: usize,
    /// Maximum nesting of substitutions / inline scripts.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 64 * 1024,
            max_depth: 8,
        }
    }
}

/// Analyses `command`. Never panics; unparseable input yields `parse_error`.
pub fn analyze(command: &str, limits: &Limits) -> CommandFacts {
    let _ = (command, limits);
    CommandFacts {
        parse_error: Some("shell analysis not written yet".into()),
        ..CommandFacts::default()
    }
}
