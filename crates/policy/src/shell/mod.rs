//! Shell analysis: a command string → [`CommandFacts`], understanding the command the way bash
//! will run it.
//!
//! - [`analyze`] checks [`Limits`] first ([`limits`]), then parses with brush-parser — on the
//!   caller's stack when the code is certainly shallow (≤ 16 openers in total, ≤ 4 KiB),
//!   otherwise on a dedicated thread with a 64 MiB stack (a stack overflow would abort the
//!   process); a panic or error becomes `parse_error` — then walks the AST ([`walk`]): every simple command in any
//!   construct, quote removal per word ([`word`]), redirections, substitutions re-parsed.
//! - Wrappers and inline code are unwrapped ([`unwrap`]); per-program file and network effects
//!   come from [`effects`]; obfuscation ([`obfuscation`]) and Unicode ([`unicode`]) signs are
//!   collected.
//!
//! Conventions the guards rely on:
//! - A program whose name is not literal (`$X -rf`, `$(echo rm)`) has `program: None`.
//! - A command made only of assignments and/or redirections (`X=1`, `> /dev/sda`) is an
//!   [`ExecFact`] with an empty `argv` and `program: None`; its assignments are in `env`.
//! - Redirection targets are also listed in `reads` / `writes`; `/dev/tcp/h/p` becomes a
//!   [`NetDest`].
//! - `pipes_to` lists every program downstream in the pipeline (not only the next one).
//! - A leading `~` is kept as written in literal words (the file guard expands it).
//! - Code whose text is unknown (`sh -c "$X"`, `awk` building a command) is an [`ExecFact`]
//!   with `program: None`, `argv: [Dynamic(code)]`, nested [`Nesting::Inline`].

mod effects;
mod facts;
mod limits;
mod net;
mod obfuscation;
mod opts;
pub mod programs;
mod unicode;
mod unwrap;
mod walk;
mod word;

#[cfg(test)]
mod regressions;
#[cfg(test)]
mod tests;

pub use facts::{
    Arg, CommandFacts, ExecFact, Nesting, NetDest, ObfuscationFact, RedirectFact, RedirectOp,
};
pub use unicode::invisible as invisible_char_name;

/// Where a shell or interpreter takes the code it runs from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeSource {
    /// Not a code runner, or it runs a script file.
    NoInlineCode,
    /// Code given on the command line (`sh -c`, `python -c`, `eval`, `perl -e`, ...).
    Inline,
    /// Code read from stdin (a pipe, heredoc or here-string).
    Stdin,
}

/// Where `fact`'s program takes its code from.
pub fn code_source(fact: &ExecFact) -> CodeSource {
    let Some(p) = fact.program.as_deref() else {
        return CodeSource::NoInlineCode;
    };
    if !(programs::is_interpreter(p) || p == "eval") {
        return CodeSource::NoInlineCode;
    }
    let inner = unwrap::inner(p, fact.argv.get(1..).unwrap_or(&[]));
    if inner.iter().any(|i| {
        matches!(
            i,
            unwrap::Inner::ShellCode { .. }
                | unwrap::Inner::Foreign { .. }
                | unwrap::Inner::Unknown { .. }
        )
    }) {
        CodeSource::Inline
    } else if inner.contains(&unwrap::Inner::Stdin) {
        CodeSource::Stdin
    } else {
        CodeSource::NoInlineCode
    }
}

/// Stack for the parser thread: brush-parser recurses per nesting level.
const PARSER_STACK_BYTES: usize = 64 * 1024 * 1024;

/// Limits on what the analyser accepts (beyond them it fails closed).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Maximum command length in bytes.
    pub max_bytes: usize,
    /// Maximum nesting of substitutions / inline scripts (bracket nesting may be 8× this).
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
    let mut facts = CommandFacts::default();
    unicode::scan_text(command, &mut facts.suspicious_unicode);
    if let Err(e) = limits::prescan(command, limits) {
        facts.parse_error = Some(e);
        return facts;
    }
    // Certainly-shallow commands (the common case) are walked on the caller's stack; deep or
    // long ones on a dedicated thread with a large stack. A panic becomes a parse error.
    let inline = limits::fits_small_stack(command)
        .then(|| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                walk::run(command, limits, true)
            }))
            .map_err(|_| "the analyser failed on this input".to_string())
        })
        .filter(|w| !matches!(w, Ok(w) if w.needs_big_stack));
    let walked = match inline {
        Some(w) => w,
        None => {
            let owned = command.to_string();
            let lim = *limits;
            std::thread::Builder::new()
                .name("hardclaw-shell".into())
                .stack_size(PARSER_STACK_BYTES)
                .spawn(move || walk::run(&owned, &lim, false))
                .map_err(|e| format!("could not start the analyser: {e}"))
                .and_then(|h| {
                    h.join()
                        .map_err(|_| "the analyser failed on this input".to_string())
                })
        }
    };
    let walk = match walked {
        Ok(w) => w,
        Err(e) => {
            facts.parse_error = Some(e);
            return facts;
        }
    };
    facts.parse_error = walk.error;
    facts.segments = walk.segments;
    facts.obfuscation = walk.obfuscation;
    obfuscation::detect(&walk.facts, &walk.in_subst, &mut facts.obfuscation);
    unicode::scan_words(&walk.facts, &mut facts.suspicious_unicode);
    facts.commands = walk.facts;
    facts
}
