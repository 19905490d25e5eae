//! A rule: a stable id, a category, the message shown when it blocks, its own attack and
//! benign-neighbour examples (tested for every rule), and a test over [`CommandFacts`].

use serde::Serialize;

use crate::shell::{Arg, CommandFacts, ExecFact, Nesting};

/// What kind of harm a rule prevents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Deleting data.
    Destructive,
    /// Damaging the system (devices, filesystems, permissions, fork bombs).
    SystemDamage,
    /// Running downloaded code.
    PipeToShell,
    /// Losing git history or changing global git config.
    GitDestructive,
    /// Running code that escapes review (`sh -c`, `eval`, `python -c`).
    InterpreterEscape,
    /// Exposing environment variables (secrets).
    InfoDisclosure,
    /// Hiding what a command does.
    Obfuscation,
    /// Environment variables that hijack execution.
    Environment,
    /// Giving a remote party a shell.
    ReverseShell,
    /// The command could not be understood.
    Analysis,
}

/// One command-guard rule.
#[derive(Debug)]
pub struct Rule {
    /// Stable id (the `rule` of a [`crate::Decision`]).
    pub id: &'static str,
    /// Category.
    pub category: Category,
    /// Reason shown when it blocks (the guide's wording for the guide's 17 patterns).
    pub message: &'static str,
    /// Commands this rule must block.
    pub attacks: &'static [&'static str],
    /// Close neighbours the whole guard must allow.
    pub benign: &'static [&'static str],
    /// `Some(detail)` when the rule matches (`detail` may be empty).
    pub(crate) test: fn(&CommandFacts) -> Option<String>,
}

impl Rule {
    /// Whether the rule matches, with a detail for the reason.
    pub fn matches(&self, facts: &CommandFacts) -> Option<String> {
        (self.test)(facts)
    }
}

/// The first fact (with its index) satisfying `pred`, as a detail string.
pub(crate) fn any_fact(
    facts: &CommandFacts,
    pred: impl Fn(&CommandFacts, usize, &ExecFact) -> bool,
) -> Option<String> {
    facts
        .commands
        .iter()
        .enumerate()
        .find(|(i, f)| pred(facts, *i, f))
        .map(|(_, f)| f.argv.iter().map(Arg::text).collect::<Vec<_>>().join(" "))
}

/// The wrappers around fact `i`, innermost first (`sudo nice rm` → `[nice, sudo]`).
pub(crate) fn wrappers(facts: &CommandFacts, i: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut cur = i;
    while let Nesting::Wrapped { wrapper } = &facts.commands[cur].nesting {
        out.push(wrapper.as_str());
        match (0..cur)
            .rev()
            .find(|&j| facts.commands[j].program.as_deref() == Some(wrapper.as_str()))
        {
            Some(j) => cur = j,
            None => break,
        }
    }
    out
}

/// The arguments after argv[0].
pub(crate) fn args(f: &ExecFact) -> &[Arg] {
    f.argv.get(1..).unwrap_or(&[])
}

/// Whether short option letter `c` (in any cluster) or one of `long` is present, before `--`.
pub(crate) fn has_opt(args: &[Arg], c: char, long: &[&str]) -> bool {
    for a in args {
        let t = a.text();
        if t == "--" {
            break;
        }
        if let Some(l) = t.strip_prefix("--") {
            let name = l.split('=').next().unwrap_or(l);
            if long.contains(&name) {
                return true;
            }
        } else if t.len() > 1 && t.starts_with('-') && t[1..].contains(c) {
            return true;
        }
    }
    false
}

/// `git` subcommand and its arguments, after global options.
pub(crate) fn git_sub(f: &ExecFact) -> Option<(&str, &[Arg])> {
    if f.program.as_deref() != Some("git") {
        return None;
    }
    let a = args(f);
    let mut i = 0;
    while let Some(x) = a.get(i) {
        let t = x.text();
        if matches!(t, "-C" | "-c" | "--git-dir" | "--work-tree" | "--namespace") {
            i += 2;
        } else if t.starts_with('-') {
            i += 1;
        } else {
            return Some((t, &a[i + 1..]));
        }
    }
    None
}

/// Operands (not starting with `-`) of `args`.
pub(crate) fn operands(args: &[Arg]) -> impl Iterator<Item = &Arg> {
    let mut after_dashes = false;
    args.iter().filter(move |a| {
        if after_dashes {
            return true;
        }
        if a.text() == "--" {
            after_dashes = true;
            return false;
        }
        !a.text().starts_with('-')
    })
}
