//! Typed facts about a shell command: what runs, with which arguments, what it reads, writes,
//! deletes and contacts. Produced by [`super::analyze`]; consumed by every guard.

use serde::Serialize;

/// A word after quote removal: literal text, or text with parts the analyser cannot know
/// (parameter expansion, command substitution output, globs, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "text", rename_all = "lowercase")]
pub enum Arg {
    /// Known exactly.
    Literal(String),
    /// Contains a dynamic part; `raw` is the word as written.
    Dynamic(String),
}

impl Arg {
    /// The literal text, if known.
    pub fn literal(&self) -> Option<&str> {
        match self {
            Arg::Literal(s) => Some(s),
            Arg::Dynamic(_) => None,
        }
    }

    /// The text (literal, or raw as written).
    pub fn text(&self) -> &str {
        match self {
            Arg::Literal(s) | Arg::Dynamic(s) => s,
        }
    }
}

/// What a redirection does to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RedirectOp {
    /// `<`, `<<<` file
    Read,
    /// `>`, `>|`, `&>`
    Write,
    /// `>>`, `&>>`
    Append,
    /// `<>`
    ReadWrite,
}

/// One redirection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedirectFact {
    /// Kind.
    pub op: RedirectOp,
    /// Target file (or `/dev/tcp/...`).
    pub target: Arg,
}

/// A network destination a program contacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetDest {
    /// As written (`https://x/y`, `user@host`, `host:port`, `/dev/tcp/h/p`).
    pub raw: String,
    /// Host, when it could be extracted (not yet normalised: the network guard does that).
    pub host: Option<String>,
    /// Port, when given.
    pub port: Option<u16>,
    /// Whether the program sends local data (upload / POST body / push), as far as known.
    pub sends_data: bool,
}

/// Where in the command a program runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Nesting {
    /// A top-level segment.
    Top,
    /// Inside `$(...)`, backticks or `<(...)`.
    Substitution,
    /// Code given to an interpreter or shell (`sh -c`, `eval`, `python -c`, ...), re-analysed.
    Inline {
        /// The interpreter.
        interpreter: String,
    },
    /// Run by a wrapper (`env`, `sudo`, `xargs`, `find -exec`, `timeout`, ...).
    Wrapped {
        /// The wrapper.
        wrapper: String,
    },
}

/// One executed program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExecFact {
    /// argv; `argv[0]` is the program as written (after quote removal).
    pub argv: Vec<Arg>,
    /// The program's base name when literal (`/usr/bin/rm` → `rm`).
    pub program: Option<String>,
    /// Prefix assignments (`FOO=bar cmd`).
    pub env: Vec<(String, Arg)>,
    /// Redirections.
    pub redirects: Vec<RedirectFact>,
    /// Index of the top-level segment (`a; b && c` → 0, 1, 2) this program belongs to.
    pub segment: usize,
    /// Programs that receive this one's stdout through `|` (their base names).
    pub pipes_to: Vec<String>,
    /// How it is nested.
    pub nesting: Nesting,
    /// Paths read.
    pub reads: Vec<Arg>,
    /// Paths written (created, modified, truncated).
    pub writes: Vec<Arg>,
    /// Paths deleted.
    pub deletes: Vec<Arg>,
    /// Network destinations.
    pub network: Vec<NetDest>,
    /// True when the analyser has per-program knowledge; unknown programs are reported as such.
    pub known_program: bool,
}

/// Signs that a command hides what it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObfuscationFact {
    /// Rule id (`base64-to-shell`, `hex-escapes`, `ifs-abuse`, ...).
    pub rule: String,
    /// What was seen.
    pub detail: String,
}

/// Everything known about one command string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CommandFacts {
    /// Every executed program, including nested and unwrapped ones, in source order.
    pub commands: Vec<ExecFact>,
    /// Number of top-level segments.
    pub segments: usize,
    /// Set when the command could not be analysed (too large, too deep, syntax error):
    /// guards must fail closed.
    pub parse_error: Option<String>,
    /// Obfuscation signs.
    pub obfuscation: Vec<ObfuscationFact>,
    /// Invisible, bidi, tag or confusable characters found (as `U+XXXX name` strings).
    pub suspicious_unicode: Vec<String>,
}
