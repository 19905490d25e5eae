//! Whether `process write` may feed a background command's stdin.
//!
//! Text written to a program's stdin is only data if the program treats it as data: a shell,
//! an interpreter, `ed` (`!cmd`), `dc`, `xargs`, `sqlite3` (`.shell`), a pager or an editor
//! runs it. Guessing which programs run their input is a deny list, and deny lists miss
//! things, so hardclaw fails closed with an allowlist: `write` is allowed only when the shell
//! analyser understood the command and **every** program in it (nested, piped, wrapped)
//! is one that reads stdin as plain data (`cat`, `grep`, `sort`, `read` in a `while` loop, ...).
//! Anything else — a shell or interpreter (`sh -s`, `python3`), an unknown program, a
//! program whose name is only known at run time, an analysis failure — refuses the write.
//!
//! This is a second layer: the guards already judge the written `data` as shell text
//! (`command_input` for `process`), so `cat ~/.ssh/id_rsa` is refused whatever it is written
//! to, and this check refuses even harmless-looking text to a program that would run it.

use hardclaw_policy::shell::{CommandFacts, Limits, analyze};

/// Programs that only ever treat their stdin as data (whatever their arguments, which the
/// guards judged when the command was started).
pub const STDIN_DATA_PROGRAMS: &[&str] = &[
    "cat",
    "tac",
    "head",
    "tail",
    "wc",
    "sort",
    "uniq",
    "tr",
    "cut",
    "nl",
    "rev",
    "fold",
    "fmt",
    "expand",
    "unexpand",
    "paste",
    "column",
    "od",
    "hexdump",
    "base64",
    "base32",
    "md5sum",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "cksum",
    "grep",
    "egrep",
    "fgrep",
    "tee",
    "jq",
    "read",
    "echo",
    "printf",
    "true",
    "false",
    "test",
    "[",
    ":",
    "sleep",
    "break",
    "continue",
    "exit",
    "date",
];

/// `Ok` when writing to `command`'s stdin is data only; `Err` says why not.
pub fn judge(command: &str) -> Result<(), String> {
    judge_facts(&analyze(command, &Limits::default()))
}

/// [`judge`] over already analysed facts.
pub fn judge_facts(facts: &CommandFacts) -> Result<(), String> {
    if let Some(e) = &facts.parse_error {
        return Err(format!("the command could not be analysed ({e})"));
    }
    if facts.commands.is_empty() {
        return Err("the command runs no program that reads input".into());
    }
    for c in &facts.commands {
        if c.argv.is_empty() {
            // Only assignments / redirections: nothing reads stdin.
            continue;
        }
        match c.program.as_deref() {
            None => {
                return Err("a program's name is only known at run time".into());
            }
            Some(p) if !STDIN_DATA_PROGRAMS.contains(&p) => {
                return Err(format!("`{p}` may run what it reads as commands"));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (command, may receive input) — each refused command next to an allowed neighbour.
    const CASES: &[(&str, bool)] = &[
        // Shells and interpreters reading code from stdin.
        ("sh /dev/stdin", false),
        ("cat", true),
        ("bash", false),
        ("while read l; do echo \"got:$l\"; done", true),
        ("python3", false),
        ("grep --line-buffered err", true),
        // Programs with a command escape.
        ("ed", false),
        ("sort", true),
        ("dc", false),
        ("wc -l", true),
        ("sqlite3", false),
        ("tee log.txt", true),
        // stdin becomes argv.
        ("xargs -n1", false),
        ("head -n 3", true),
        // Program-driven filters whose script could run its input.
        ("awk '{print}'", false),
        ("sed -u s/a/b/", false),
        // A program name known only at run time.
        ("while read l; do $l; done", false),
        ("while read l; do echo $l; done", true),
        // Nested or wrapped shells.
        ("cat | sh", false),
        ("cat | tr a-z A-Z", true),
        ("timeout 100 sh /dev/stdin", false),
        // Unknown programs fail closed.
        ("./my-repl", false),
        ("sleep 100", true),
        // Analysis failure.
        ("cat 'unterminated", false),
    ];

    #[test]
    fn only_commands_that_read_data_may_receive_input() {
        for (cmd, ok) in CASES {
            assert_eq!(judge(cmd).is_ok(), *ok, "{cmd}: {:?}", judge(cmd));
        }
    }

    #[test]
    fn the_reason_names_the_program() {
        assert_eq!(
            judge("sh /dev/stdin"),
            Err("`sh` may run what it reads as commands".into())
        );
    }
}
