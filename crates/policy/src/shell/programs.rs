//! What the analyser knows about program names: shells, interpreters, downloaders, decoders
//! and the programs whose file and network effects are modelled.

/// Shells that run code given with `-c`, from a script file, or from stdin.
pub const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "ash",
    "fish",
    "mksh",
    "yash",
    "tcsh",
    "csh",
    "rbash",
    "pwsh",
    "powershell",
];

/// Interpreters of other languages.
pub const INTERPRETERS: &[&str] = &[
    "python",
    "python2",
    "python3",
    "pypy",
    "pypy3",
    "node",
    "nodejs",
    "deno",
    "bun",
    "perl",
    "ruby",
    "php",
    "lua",
    "luajit",
    "tclsh",
    "wish",
    "osascript",
    "Rscript",
    "R",
    "julia",
    "irb",
    "jshell",
    "groovy",
    "awk",
    "gawk",
    "mawk",
    "nawk",
    "busybox",
    "toybox",
];

/// Programs that fetch data from the network (their output is untrusted code when piped on).
pub const DOWNLOADERS: &[&str] = &[
    "curl",
    "wget",
    "fetch",
    "aria2c",
    "http",
    "https",
    "xh",
    "nc",
    "ncat",
    "netcat",
    "socat",
    "telnet",
    "openssl",
    "lwp-request",
    "GET",
    "tftp",
    "ftp",
];

/// Programs that turn encoded text back into bytes.
pub const DECODERS: &[&str] = &[
    "base64", "base32", "basenc", "xxd", "uudecode", "openssl", "gzip", "gunzip", "zcat", "rev",
];

/// The guide's safe pipe targets (`xargs`, `sed`, `awk` deliberately excluded).
pub const SAFE_PIPE_TARGETS: &[&str] = &[
    "jq", "grep", "sort", "wc", "head", "tail", "less", "cat", "tee", "tr", "uniq",
];

/// Programs with no file effects beyond their redirections (which are facts of their own).
/// Together with the programs whose effects `effects.rs` models, these are the *known*
/// programs; every other program is unknown, and the guards check each of its arguments.
/// Wrappers whose only effect is running another command are here (that command is a fact of
/// its own); a program belongs here only if no argument of it names a file it opens.
pub const NO_FILE_EFFECTS: &[&str] = &[
    // effect-free builtins and utilities
    "echo",
    "printf",
    "pwd",
    "true",
    "false",
    ":",
    "whoami",
    "id",
    "uname",
    "sleep",
    "seq",
    "yes",
    "basename",
    "dirname",
    "which",
    "type",
    "nproc",
    "arch",
    "tty",
    "logname",
    "groups",
    "uptime",
    "free",
    "ps",
    "pgrep",
    "kill",
    "export",
    "set",
    "unset",
    "declare",
    "typeset",
    "local",
    "readonly",
    "read",
    "printenv",
    "exit",
    "return",
    "shift",
    "wait",
    "jobs",
    "unalias",
    "umask",
    "tput",
    "clear",
    "popd",
    "dirs",
    "hash",
    "getopts",
    "let",
    // test / [ only stat their operands
    "test",
    "[",
    // bodies re-analysed as shell code (walk.rs)
    "eval",
    "alias",
    "trap",
    // wrappers: the wrapped command is analysed as a fact of its own
    "env",
    "sudo",
    "doas",
    "nice",
    "nohup",
    "timeout",
    "stdbuf",
    "setsid",
    "ionice",
    "command",
    "builtin",
    "exec",
    "su",
    "watch",
    "chrt",
    "taskset",
    "unbuffer",
    "catchsegv",
    "busybox",
    "toybox",
];

/// Whether `name` is a shell.
pub fn is_shell(name: &str) -> bool {
    SHELLS.contains(&name)
}

/// Whether `name` runs code of some language (shell included): `python3.12` counts.
pub fn is_interpreter(name: &str) -> bool {
    if is_shell(name) || INTERPRETERS.contains(&name) {
        return true;
    }
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    !stem.is_empty() && stem != name && INTERPRETERS.contains(&stem)
}

/// Whether the analyser knows `name`: its file effects are modelled in `effects.rs`, or it
/// has none ([`NO_FILE_EFFECTS`]). Shells and interpreters are not known: their operands are a
/// script and its arguments, with unknown effects.
pub fn is_known(name: &str) -> bool {
    NO_FILE_EFFECTS.contains(&name) || super::effects::is_modelled(name)
}

/// The base name of a program path (`/usr/bin/rm` → `rm`).
pub fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}
