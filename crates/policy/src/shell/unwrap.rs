//! Programs that run other programs: wrappers (`env`, `sudo`, `xargs`, `find -exec`, ...),
//! shells and interpreters with inline code (`sh -c`, `eval`, `python -c`, ...), and programs
//! that execute commands given through options (`sort --compress-program`, `tar
//! --to-command`, `git -c core.sshCommand`, `rsync -e`, `ssh -o ProxyCommand`, `socat
//! EXEC:`, `awk system()`, `sed s///e`).

use super::facts::Arg;
use super::opts::scan;
use super::programs::{is_interpreter, is_shell};

/// Something a program runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Inner {
    /// A command run by a wrapper.
    Command {
        /// The wrapper (`env`, `sudo`, ...).
        wrapper: String,
        /// The command's argv.
        argv: Vec<Arg>,
        /// Assignments the wrapper adds (`env A=B cmd`).
        env: Vec<(String, Arg)>,
    },
    /// Shell code, re-analysed as shell.
    ShellCode {
        /// Who runs it.
        interpreter: String,
        /// The code.
        code: Arg,
    },
    /// Code in another language, scanned heuristically.
    Foreign {
        /// The interpreter.
        interpreter: String,
        /// The code.
        code: String,
    },
    /// A shell or interpreter reading its program from stdin.
    Stdin,
    /// Code that runs but whose text cannot be known (`awk` building a command, `sed e`).
    Unknown {
        /// Who runs it.
        interpreter: String,
        /// What was seen.
        text: String,
    },
}

fn join(args: &[&Arg]) -> Arg {
    let text = args.iter().map(|a| a.text()).collect::<Vec<_>>().join(" ");
    if args.iter().all(|a| matches!(a, Arg::Literal(_))) {
        Arg::Literal(text)
    } else {
        Arg::Dynamic(text)
    }
}

fn command(wrapper: &str, argv: Vec<Arg>, env: Vec<(String, Arg)>) -> Vec<Inner> {
    if argv.is_empty() {
        return Vec::new();
    }
    vec![Inner::Command {
        wrapper: wrapper.to_string(),
        argv,
        env,
    }]
}

fn rest(args: &[Arg], from: Option<usize>) -> Vec<Arg> {
    from.map(|i| args[i..].to_vec()).unwrap_or_default()
}

/// Splits leading `NAME=VALUE` words off `args`.
fn assignments(args: &[Arg]) -> (Vec<(String, Arg)>, Vec<Arg>) {
    let mut env = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let Some((name, value)) = a.text().split_once('=') else {
            break;
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '%')
        {
            break;
        }
        let value = match a {
            Arg::Literal(_) => Arg::Literal(value.to_string()),
            Arg::Dynamic(_) => Arg::Dynamic(value.to_string()),
        };
        env.push((name.to_string(), value));
        i += 1;
    }
    (env, args[i..].to_vec())
}

/// What `program` (a base name) with `args` (argv without argv[0]) runs.
pub(crate) fn inner(program: &str, args: &[Arg]) -> Vec<Inner> {
    match program {
        "env" => {
            let o = scan(
                args,
                "uCPS",
                &[
                    "unset",
                    "chdir",
                    "split-string",
                    "default-signal",
                    "ignore-signal",
                    "block-signal",
                ],
                true,
            );
            let mut out = Vec::new();
            if let Some(s) = o.value('S', &["split-string"]) {
                out.push(Inner::ShellCode {
                    interpreter: "env".into(),
                    code: s.clone(),
                });
            }
            let (env, argv) = assignments(&rest(args, o.first_operand));
            out.extend(command("env", argv, env));
            out
        }
        "sudo" => {
            let o = scan(
                args,
                "ugpCDrtUTh",
                &[
                    "user",
                    "group",
                    "prompt",
                    "close-from",
                    "chdir",
                    "role",
                    "type",
                    "other-user",
                    "command-timeout",
                    "host",
                ],
                true,
            );
            let (env, argv) = assignments(&rest(args, o.first_operand));
            if o.has('e', &["edit"]) {
                return Vec::new();
            }
            if argv.is_empty() && o.has('s', &["shell"])
                || o.has('i', &["login"]) && argv.is_empty()
            {
                return command("sudo", vec![Arg::Literal("sh".into())], env);
            }
            command("sudo", argv, env)
        }
        "doas" => {
            let o = scan(args, "uC", &[], true);
            command("doas", rest(args, o.first_operand), Vec::new())
        }
        "nice" => {
            let o = scan(args, "n", &["adjustment"], true);
            command("nice", rest(args, o.first_operand), Vec::new())
        }
        "nohup" | "builtin" | "unbuffer" | "setsid" | "catchsegv" => {
            let o = scan(args, "", &[], true);
            command(program, rest(args, o.first_operand), Vec::new())
        }
        "timeout" => {
            let o = scan(args, "ks", &["kill-after", "signal"], true);
            command(
                "timeout",
                rest(args, o.first_operand.map(|i| i + 1))
                    .into_iter()
                    .collect(),
                Vec::new(),
            )
            .into_iter()
            .collect()
        }
        "time" => {
            let o = scan(args, "fo", &["format", "output"], true);
            command("time", rest(args, o.first_operand), Vec::new())
        }
        "stdbuf" => {
            let o = scan(args, "ioe", &["input", "output", "error"], true);
            command("stdbuf", rest(args, o.first_operand), Vec::new())
        }
        "ionice" => {
            let o = scan(
                args,
                "cnpPu",
                &["class", "classdata", "pid", "pgid", "uid"],
                true,
            );
            command("ionice", rest(args, o.first_operand), Vec::new())
        }
        "chrt" | "taskset" => {
            let o = scan(args, "p", &["pid"], true);
            command(
                program,
                rest(args, o.first_operand.map(|i| i + 1)),
                Vec::new(),
            )
        }
        "chroot" => {
            let o = scan(args, "", &["userspec", "groups"], true);
            let argv = rest(args, o.first_operand.map(|i| i + 1));
            if argv.is_empty() {
                return command("chroot", vec![Arg::Literal("sh".into())], Vec::new());
            }
            command("chroot", argv, Vec::new())
        }
        "flock" => {
            let o = scan(args, "wE", &["timeout", "conflict-exit-code"], true);
            let after = rest(args, o.first_operand.map(|i| i + 1));
            match after.first().map(Arg::text) {
                Some("-c" | "--command") => after
                    .get(1)
                    .map(|c| {
                        vec![Inner::ShellCode {
                            interpreter: "flock".into(),
                            code: c.clone(),
                        }]
                    })
                    .unwrap_or_default(),
                _ => command("flock", after, Vec::new()),
            }
        }
        "strace" | "ltrace" => {
            let o = scan(args, "oepusEIbPaA", &["output"], true);
            command(program, rest(args, o.first_operand), Vec::new())
        }
        "watch" => {
            let o = scan(args, "nqd", &["interval", "differences"], true);
            let ops: Vec<&Arg> = o.operands.clone();
            if ops.is_empty() {
                return Vec::new();
            }
            vec![Inner::ShellCode {
                interpreter: "watch".into(),
                code: join(&ops),
            }]
        }
        "script" => {
            let o = scan(
                args,
                "cEIOBT",
                &["command", "log-in", "log-out", "log-io", "log-timing"],
                false,
            );
            match o.value('c', &["command"]) {
                Some(c) => vec![Inner::ShellCode {
                    interpreter: "script".into(),
                    code: c.clone(),
                }],
                // Without `-c` it starts an interactive shell.
                None => command("script", vec![Arg::Literal("sh".into())], Vec::new()),
            }
        }
        "command" => {
            let o = scan(args, "", &[], true);
            if o.has('v', &[]) || o.has('V', &[]) {
                return Vec::new();
            }
            command("command", rest(args, o.first_operand), Vec::new())
        }
        "exec" => {
            let o = scan(args, "a", &[], true);
            command("exec", rest(args, o.first_operand), Vec::new())
        }
        "xargs" => {
            let o = scan(
                args,
                "IiLlnPsdEea",
                &[
                    "replace",
                    "max-lines",
                    "max-args",
                    "max-procs",
                    "max-chars",
                    "delimiter",
                    "eof",
                    "arg-file",
                    "process-slot-var",
                ],
                true,
            );
            let argv = rest(args, o.first_operand);
            if argv.is_empty() {
                return command("xargs", vec![Arg::Literal("echo".into())], Vec::new());
            }
            command("xargs", argv, Vec::new())
        }
        "find" => find_exec(args),
        "busybox" | "toybox" => {
            let o = scan(args, "", &[], true);
            command(program, rest(args, o.first_operand), Vec::new())
        }
        "npx" | "bunx" => {
            let o = scan(args, "pc", &["package", "call"], true);
            if let Some(c) = o.value('c', &["call"]) {
                return vec![Inner::ShellCode {
                    interpreter: program.into(),
                    code: c.clone(),
                }];
            }
            command(program, rest(args, o.first_operand), Vec::new())
        }
        "pnpm" | "npm" | "yarn" => {
            let sub = args.first().map(Arg::text);
            match sub {
                Some("dlx" | "exec" | "x") => {
                    let o = scan(&args[1..], "pc", &["package", "call"], true);
                    if let Some(c) = o.value('c', &["call"]) {
                        return vec![Inner::ShellCode {
                            interpreter: program.into(),
                            code: c.clone(),
                        }];
                    }
                    command(program, rest(&args[1..], o.first_operand), Vec::new())
                }
                _ => Vec::new(),
            }
        }
        "su" => {
            let o = scan(
                args,
                "cgGsw",
                &[
                    "command",
                    "group",
                    "supp-group",
                    "shell",
                    "whitelist-environment",
                ],
                false,
            );
            match o.value('c', &["command"]) {
                Some(c) => vec![Inner::ShellCode {
                    interpreter: "su".into(),
                    code: c.clone(),
                }],
                None => command("su", vec![Arg::Literal("sh".into())], Vec::new()),
            }
        }
        "eval" => {
            if args.is_empty() {
                return Vec::new();
            }
            let all: Vec<&Arg> = args.iter().collect();
            vec![Inner::ShellCode {
                interpreter: "eval".into(),
                code: join(&all),
            }]
        }
        "sort" => {
            let o = scan(
                args,
                "koStT",
                &[
                    "key",
                    "output",
                    "buffer-size",
                    "field-separator",
                    "temporary-directory",
                    "compress-program",
                    "files0-from",
                    "random-source",
                    "parallel",
                    "batch-size",
                ],
                false,
            );
            o.all('\0', &["compress-program"])
                .flat_map(|p| command("sort", vec![p.clone()], Vec::new()))
                .collect()
        }
        "tar" => tar_exec(args),
        "rsync" => {
            let o = scan(
                args,
                "eTf",
                &[
                    "rsh",
                    "rsync-path",
                    "temp-dir",
                    "filter",
                    "exclude",
                    "include",
                    "exclude-from",
                    "include-from",
                    "files-from",
                    "password-file",
                    "log-file",
                    "out-format",
                    "chmod",
                    "chown",
                    "backup-dir",
                    "suffix",
                    "partial-dir",
                    "port",
                ],
                false,
            );
            o.all('e', &["rsh"])
                .map(|c| Inner::ShellCode {
                    interpreter: "rsync".into(),
                    code: c.clone(),
                })
                .collect()
        }
        "ssh" | "scp" | "sftp" => ssh_exec(program, args),
        "git" => git_exec(args),
        "nc" | "ncat" | "netcat" => {
            let o = scan(
                args,
                "ecpswiqOIxXTbPgGMmo",
                &[
                    "exec", "sh-exec", "lua-exec", "proxy", "source", "wait", "output",
                ],
                false,
            );
            let mut out: Vec<Inner> = o
                .all('c', &["sh-exec"])
                .map(|c| Inner::ShellCode {
                    interpreter: program.into(),
                    code: c.clone(),
                })
                .collect();
            for e in o.all('e', &["exec", "lua-exec"]) {
                out.push(Inner::ShellCode {
                    interpreter: program.into(),
                    code: e.clone(),
                });
            }
            out
        }
        "socat" => args
            .iter()
            .filter_map(|a| {
                let t = a.text();
                let lower = t.to_ascii_lowercase();
                let body = if lower.starts_with("exec:") || lower.starts_with("system:") {
                    t.split_once(':').map(|(_, b)| b)?
                } else {
                    return None;
                };
                let cmd = body
                    .split(',')
                    .next()
                    .unwrap_or("")
                    .trim_matches(['\'', '"']);
                Some(Inner::ShellCode {
                    interpreter: "socat".into(),
                    code: match a {
                        Arg::Literal(_) => Arg::Literal(cmd.to_string()),
                        Arg::Dynamic(_) => Arg::Dynamic(cmd.to_string()),
                    },
                })
            })
            .collect(),
        "setpriv" => {
            let o = scan(
                args,
                "",
                &[
                    "reuid",
                    "regid",
                    "ruid",
                    "rgid",
                    "euid",
                    "egid",
                    "groups",
                    "inh-caps",
                    "ambient-caps",
                    "bounding-set",
                    "securebits",
                    "pdeathsig",
                    "selinux-label",
                    "apparmor-profile",
                    "landlock-access",
                    "landlock-rule",
                    "reset-env",
                ],
                true,
            );
            command(program, rest(args, o.first_operand), Vec::new())
        }
        "unshare" | "firejail" | "pkexec" | "nsenter" | "bwrap" | "systemd-run"
        | "sandbox-exec" => {
            let o = match program {
                "unshare" => scan(
                    args,
                    "SGRwl",
                    &[
                        "map-user",
                        "map-group",
                        "map-users",
                        "map-groups",
                        "propagation",
                        "setuid",
                        "setgid",
                        "root",
                        "wd",
                        "kill-child",
                    ],
                    true,
                ),
                "nsenter" => scan(args, "tSGrwe", &["target", "setuid", "setgid"], true),
                "pkexec" => scan(args, "", &["user"], true),
                "systemd-run" => scan(
                    args,
                    "upEMH",
                    &[
                        "unit",
                        "property",
                        "setenv",
                        "machine",
                        "host",
                        "uid",
                        "gid",
                        "nice",
                        "working-directory",
                        "description",
                        "slice",
                        "on-calendar",
                        "on-active",
                        "on-boot",
                        "on-startup",
                        "on-unit-active",
                        "on-unit-inactive",
                        "timer-property",
                        "path-property",
                        "socket-property",
                        "service-type",
                        "expand-environment",
                    ],
                    true,
                ),
                "bwrap" => {
                    // bwrap options take one or two values; the command follows the last.
                    return bwrap_exec(args);
                }
                "sandbox-exec" => scan(args, "fpD", &[], true),
                _ => scan(args, "", &[], true),
            };
            let argv = rest(args, o.first_operand);
            if argv.is_empty() && program != "systemd-run" {
                // Without a command they start a shell.
                return command(program, vec![Arg::Literal("sh".into())], Vec::new());
            }
            command(program, argv, Vec::new())
        }
        "runuser" => {
            let o = scan(
                args,
                "ugGcswl",
                &[
                    "user",
                    "group",
                    "supp-group",
                    "command",
                    "session-command",
                    "shell",
                    "whitelist-environment",
                ],
                true,
            );
            if let Some(c) = o.value('c', &["command", "session-command"]) {
                return vec![Inner::ShellCode {
                    interpreter: "runuser".into(),
                    code: c.clone(),
                }];
            }
            if o.value('u', &["user"]).is_some() {
                return command("runuser", rest(args, o.first_operand), Vec::new());
            }
            command("runuser", vec![Arg::Literal("sh".into())], Vec::new())
        }
        "sg" | "newgrp" => {
            let ops: Vec<&Arg> = args.iter().filter(|a| a.text() != "-").collect();
            let code: Vec<&Arg> = ops
                .iter()
                .skip(1)
                .filter(|a| a.text() != "-c")
                .copied()
                .collect();
            if code.is_empty() {
                return command(program, vec![Arg::Literal("sh".into())], Vec::new());
            }
            vec![Inner::ShellCode {
                interpreter: program.into(),
                code: join(&code),
            }]
        }
        "parallel" | "sem" => parallel_exec(program, args),
        "tmux" => tmux_exec(args),
        "screen" => {
            let o = scan(args, "SceHhpTtsX", &["Logfile"], true);
            if o.has('X', &[]) {
                let x: Vec<&Arg> = o.all('X', &[]).chain(o.operands.iter().copied()).collect();
                return vec![Inner::Unknown {
                    interpreter: "screen".into(),
                    text: join(&x).text().to_string(),
                }];
            }
            command("screen", rest(args, o.first_operand), Vec::new())
        }
        "at" | "batch" => {
            let o = scan(args, "qfmMtvlrdcbo", &[], false);
            if o.has('l', &[]) || o.has('r', &[]) || o.has('d', &[]) || o.has('c', &[]) {
                return Vec::new();
            }
            // The job (stdin or `-f FILE`) runs later, unseen.
            vec![Inner::Unknown {
                interpreter: program.into(),
                text: "job read from stdin or a file".into(),
            }]
        }
        "expect" => {
            let o = scan(args, "cfD", &[], false);
            match o.value('c', &[]) {
                Some(c) => vec![Inner::Unknown {
                    interpreter: "expect".into(),
                    text: c.text().to_string(),
                }],
                None if o.operands.is_empty() && o.value('f', &[]).is_none() => {
                    vec![Inner::Stdin]
                }
                None => Vec::new(),
            }
        }
        "vi" | "vim" | "nvim" | "ex" | "view" | "gvim" | "rvim" | "vimdiff" => {
            let mut out = Vec::new();
            let mut i = 0;
            while let Some(a) = args.get(i) {
                let t = a.text();
                if matches!(t, "-c" | "--cmd" | "-S" | "-u" | "-s" | "-W" | "-w") {
                    if let Some(v) = args.get(i + 1) {
                        out.push(Inner::Unknown {
                            interpreter: program.into(),
                            text: format!("{t} {}", v.text()),
                        });
                    }
                    i += 2;
                    continue;
                }
                if let Some(cmd) = t.strip_prefix('+')
                    && !cmd.chars().all(|c| c.is_ascii_digit())
                {
                    out.push(Inner::Unknown {
                        interpreter: program.into(),
                        text: t.to_string(),
                    });
                }
                i += 1;
            }
            out
        }
        "less" | "more" => args
            .iter()
            .filter(|a| {
                let t = a.text();
                t.starts_with('+') && t.contains(['!', '|', 'v', 's', 'o', 'O', 'E'])
                    || t.starts_with("--init")
                    || t.starts_with("--lesskey")
            })
            .map(|a| Inner::Unknown {
                interpreter: program.into(),
                text: a.text().to_string(),
            })
            .collect(),
        "make" | "gmake" => {
            let o = scan(
                args,
                "fCIoWjlEO",
                &["eval", "file", "makefile", "directory"],
                false,
            );
            o.all('E', &["eval"])
                .map(|e| Inner::Unknown {
                    interpreter: program.into(),
                    text: e.text().to_string(),
                })
                .collect()
        }
        "zip" => {
            let o = scan(
                args,
                "bnxitP",
                &["unzip-command", "exclude", "include", "password"],
                false,
            );
            let mut out: Vec<Inner> = o
                .all('\0', &["unzip-command"])
                .map(|e| Inner::Unknown {
                    interpreter: "zip".into(),
                    text: e.text().to_string(),
                })
                .collect();
            if let Some(pos) = args.iter().position(|a| a.text() == "-TT")
                && let Some(c) = args.get(pos + 1)
            {
                out.push(Inner::Unknown {
                    interpreter: "zip".into(),
                    text: c.text().to_string(),
                });
            }
            out
        }
        "man" => {
            let o = scan(
                args,
                "CMPHLmSsTIElp",
                &["pager", "html", "config-file"],
                false,
            );
            o.all('P', &["pager", "html"])
                .chain(o.all('H', &[]))
                .map(|e| Inner::Unknown {
                    interpreter: "man".into(),
                    text: e.text().to_string(),
                })
                .collect()
        }
        "trap" => {
            let o = scan(args, "", &[], true);
            let ops = &o.operands;
            match ops.first() {
                Some(code) if ops.len() > 1 && !matches!(code.text(), "" | "-") => {
                    vec![Inner::ShellCode {
                        interpreter: "trap".into(),
                        code: (*code).clone(),
                    }]
                }
                _ => Vec::new(),
            }
        }
        "alias" => args
            .iter()
            .filter_map(|a| {
                let (_, body) = a.text().split_once('=')?;
                Some(Inner::ShellCode {
                    interpreter: "alias".into(),
                    code: match a {
                        Arg::Literal(_) => Arg::Literal(body.to_string()),
                        Arg::Dynamic(_) => Arg::Dynamic(body.to_string()),
                    },
                })
            })
            .collect(),
        "awk" | "gawk" | "mawk" | "nawk" => awk_exec(program, args),
        "sed" => sed_exec(args),
        _ if is_shell(program) => shell_exec(program, args),
        _ if is_interpreter(program) => interpreter_exec(program, args),
        _ => Vec::new(),
    }
}

/// `sh [opts] -c CODE`, `sh script`, or `sh` reading stdin.
fn shell_exec(program: &str, args: &[Arg]) -> Vec<Inner> {
    let mut inline = false;
    let mut stdin = false;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let t = a.text();
        if t == "--" {
            i += 1;
            break;
        }
        if t == "-" {
            stdin = true;
            i += 1;
            break;
        }
        if matches!(t, "--version" | "--help") {
            return Vec::new();
        }
        if let Some(long) = t.strip_prefix("--") {
            if matches!(
                long.to_ascii_lowercase().as_str(),
                "command" | "init-file" | "rcfile"
            ) {
                if long.eq_ignore_ascii_case("command") {
                    inline = true;
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        if (t.starts_with('-') || t.starts_with('+')) && t.len() > 1 {
            let body = &t[1..];
            let lower = body.to_ascii_lowercase();
            // pwsh: -Command / -EncodedCommand / -File.
            let pwsh_inline = program.starts_with("pw")
                && matches!(
                    lower.as_str(),
                    "command" | "c" | "encodedcommand" | "enc" | "e" | "ec"
                );
            if pwsh_inline || body.contains('c') && t.starts_with('-') {
                inline = true;
            }
            if body.contains('s') && t.starts_with('-') {
                stdin = true;
            }
            if body.ends_with('o') || body.ends_with('O') {
                i += 1;
            }
            i += 1;
            continue;
        }
        break;
    }
    if inline {
        return match args.get(i) {
            Some(code) => vec![Inner::ShellCode {
                interpreter: program.to_string(),
                code: code.clone(),
            }],
            None => Vec::new(),
        };
    }
    if stdin || args.get(i).is_none_or(|a| is_stdin_path(a.text())) {
        return vec![Inner::Stdin];
    }
    match args.get(i) {
        Some(Arg::Dynamic(s)) => vec![Inner::ShellCode {
            interpreter: program.to_string(),
            code: Arg::Dynamic(s.clone()),
        }],
        _ => Vec::new(),
    }
}

/// A "script file" that is the program's own standard input (`sh /dev/stdin` reads its code
/// from stdin exactly like `sh -s`).
fn is_stdin_path(path: &str) -> bool {
    matches!(
        path,
        "/dev/stdin" | "/dev/fd/0" | "/proc/self/fd/0" | "/proc/thread-self/fd/0"
    )
}

/// `python -c`, `node -e`, `perl -e`, `ruby -e`, `php -r`, `osascript -e`, ...
fn interpreter_exec(program: &str, args: &[Arg]) -> Vec<Inner> {
    let stem = program.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    let code_flags: &[&str] = match stem {
        "python" | "pypy" => &["-c"],
        "node" | "nodejs" => &["-e", "--eval", "-p", "--print", "-pe"],
        "deno" => &["eval"],
        "bun" => &["-e", "--eval", "-p", "--print"],
        "php" => &["-r"],
        "osascript" | "lua" | "luajit" | "Rscript" | "julia" => &["-e"],
        "perl" | "ruby" => &[],
        _ => &["-e", "-c"],
    };
    let mut i = 0;
    let mut out = Vec::new();
    let mut reads_stdin = true;
    while let Some(a) = args.get(i) {
        let t = a.text();
        let perlish = matches!(stem, "perl" | "ruby")
            && t.starts_with('-')
            && !t.starts_with("--")
            && (t.ends_with('e') || t.ends_with('E'))
            && t[1..].chars().all(|c| c.is_ascii_alphabetic());
        if code_flags.contains(&t) || perlish {
            if let Some(code) = args.get(i + 1) {
                out.push(Inner::Foreign {
                    interpreter: program.to_string(),
                    code: code.text().to_string(),
                });
            }
            reads_stdin = false;
            i += 2;
            continue;
        }
        if matches!(t, "-v" | "-V" | "--version" | "-h" | "--help" | "-VV") {
            reads_stdin = false;
        }
        if stem == "python" && t.starts_with("-c") && t.len() > 2 {
            out.push(Inner::Foreign {
                interpreter: program.to_string(),
                code: t[2..].to_string(),
            });
            reads_stdin = false;
        } else if !t.starts_with('-') || t == "-" {
            if t != "-" && !is_stdin_path(t) {
                reads_stdin = false;
            }
            break;
        } else if stem == "python" && t == "-m" {
            reads_stdin = false;
            break;
        }
        i += 1;
    }
    if out.is_empty()
        && reads_stdin
        && !matches!(
            stem,
            "awk" | "gawk" | "mawk" | "nawk" | "busybox" | "toybox"
        )
    {
        out.push(Inner::Stdin);
    }
    out
}

/// `bwrap [options] CMD ...`: options take 0–2 values; the command is the first word that is
/// not an option or an option's value.
fn bwrap_exec(args: &[Arg]) -> Vec<Inner> {
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let t = a.text();
        if t == "--" {
            i += 1;
            break;
        }
        if !t.starts_with("--") {
            break;
        }
        let n = match t {
            "--bind" | "--ro-bind" | "--dev-bind" | "--bind-try" | "--ro-bind-try"
            | "--dev-bind-try" | "--symlink" | "--setenv" | "--file" | "--bind-data"
            | "--ro-bind-data" | "--chmod" => 2,
            "--unshare-all"
            | "--share-net"
            | "--unshare-user"
            | "--unshare-ipc"
            | "--unshare-pid"
            | "--unshare-net"
            | "--unshare-uts"
            | "--unshare-cgroup"
            | "--die-with-parent"
            | "--new-session"
            | "--as-pid-1"
            | "--clearenv"
            | "--unshare-user-try"
            | "--unshare-cgroup-try"
            | "--disable-userns"
            | "--assert-userns-disabled" => 0,
            _ => 1,
        };
        i += 1 + n;
    }
    command("bwrap", args.get(i..).unwrap_or(&[]).to_vec(), Vec::new())
}

/// `parallel [opts] CMD ::: ARGS`: the command (with the arguments) is shell code; without
/// one, commands come from stdin; a command built from `{}` placeholders is unknown.
fn parallel_exec(program: &str, args: &[Arg]) -> Vec<Inner> {
    let sep = args
        .iter()
        .position(|a| a.text().starts_with(":::"))
        .unwrap_or(args.len());
    let o = scan(
        &args[..sep],
        "jSaIEdnNLlCPs",
        &[
            "jobs",
            "sshlogin",
            "arg-file",
            "delimiter",
            "colsep",
            "results",
            "joblog",
            "tmpdir",
            "workdir",
            "timeout",
            "retries",
        ],
        true,
    );
    let cmd: Vec<&Arg> = o.operands.clone();
    let inputs: Vec<&Arg> = args
        .get(sep..)
        .unwrap_or(&[])
        .iter()
        .filter(|a| !a.text().starts_with(":::"))
        .collect();
    if cmd.is_empty() || cmd.first().is_some_and(|c| c.text().contains('{')) {
        return vec![Inner::Unknown {
            interpreter: program.into(),
            text: join(&args.iter().collect::<Vec<_>>()).text().to_string(),
        }];
    }
    let mut all = cmd.clone();
    all.extend(inputs);
    vec![Inner::ShellCode {
        interpreter: program.into(),
        code: join(&all),
    }]
}

/// `tmux new-session/new-window/split-window/respawn-pane/run-shell/display-popup/pipe-pane
/// CMD` (shell code), `send-keys KEYS` (typed into a shell), `if-shell CMD`.
fn tmux_exec(args: &[Arg]) -> Vec<Inner> {
    let Some(pos) = args.iter().position(|a| !a.text().starts_with('-')) else {
        return Vec::new();
    };
    // Global options with a value (`-L sock`, `-S path`, `-f file`) come before.
    let mut i = 0;
    while i < pos {
        if matches!(args[i].text(), "-L" | "-S" | "-f" | "-T") {
            i += 2;
        } else {
            i += 1;
        }
    }
    let Some(sub) = args.get(i) else {
        return Vec::new();
    };
    let rest = &args[i + 1..];
    match sub.text() {
        "new" | "new-session" | "neww" | "new-window" | "splitw" | "split-window" | "respawnp"
        | "respawn-pane" | "respawnw" | "respawn-window" | "run" | "run-shell" | "popup"
        | "display-popup" | "pipep" | "pipe-pane" | "if" | "if-shell" | "send" | "send-keys" => {
            let o = scan(rest, "censtxyFlLfT", &[], true);
            let ops: Vec<&Arg> = o.operands.clone();
            if ops.is_empty() {
                return Vec::new();
            }
            let code = if matches!(sub.text(), "if" | "if-shell") {
                join(&ops[..1])
            } else {
                join(&ops)
            };
            vec![Inner::ShellCode {
                interpreter: "tmux".into(),
                code,
            }]
        }
        _ => Vec::new(),
    }
}

/// `find ... -exec CMD {} ;` / `+`, `-execdir`, `-ok`, `-okdir`.
fn find_exec(args: &[Arg]) -> Vec<Inner> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if matches!(args[i].text(), "-exec" | "-execdir" | "-ok" | "-okdir") {
            let start = i + 1;
            let mut end = start;
            while end < args.len() && !matches!(args[end].text(), ";" | "+" | "\\;") {
                end += 1;
            }
            out.extend(command("find", args[start..end].to_vec(), Vec::new()));
            i = end + 1;
        } else {
            i += 1;
        }
    }
    out
}

fn tar_exec(args: &[Arg]) -> Vec<Inner> {
    let o = scan(
        args,
        "fICbHKgLTVNX",
        &[
            "file",
            "to-command",
            "use-compress-program",
            "checkpoint-action",
            "rsh-command",
            "info-script",
            "new-volume-script",
            "directory",
            "exclude",
            "files-from",
            "blocking-factor",
            "format",
            "owner",
            "group",
            "mode",
            "transform",
            "xform",
        ],
        false,
    );
    let mut out = Vec::new();
    for c in o.all(
        'I',
        &[
            "to-command",
            "use-compress-program",
            "rsh-command",
            "info-script",
            "new-volume-script",
        ],
    ) {
        out.push(Inner::ShellCode {
            interpreter: "tar".into(),
            code: c.clone(),
        });
    }
    for c in o.all('\0', &["checkpoint-action"]) {
        if let Some(code) = c.text().strip_prefix("exec=") {
            out.push(Inner::ShellCode {
                interpreter: "tar".into(),
                code: match c {
                    Arg::Literal(_) => Arg::Literal(code.to_string()),
                    Arg::Dynamic(_) => Arg::Dynamic(code.to_string()),
                },
            });
        }
    }
    out
}

fn ssh_exec(program: &str, args: &[Arg]) -> Vec<Inner> {
    let o = scan(args, "BbcDEeFIiJLlmOoPpQRSWw", &[], program == "ssh");
    let mut out = Vec::new();
    for opt in o.all('o', &[]) {
        let t = opt.text();
        let (k, v) = t.split_once(['=', ' ']).unwrap_or((t, ""));
        if matches!(
            k.to_ascii_lowercase().as_str(),
            "proxycommand" | "localcommand" | "knownhostscommand" | "remotecommand"
        ) {
            out.push(Inner::ShellCode {
                interpreter: program.to_string(),
                code: Arg::Literal(v.trim().to_string()),
            });
        }
    }
    if program == "scp"
        && let Some(p) = o.value('S', &[])
    {
        out.extend(command("scp", vec![p.clone()], Vec::new()));
    }
    if program == "ssh" && o.operands.len() > 1 {
        out.push(Inner::ShellCode {
            interpreter: "ssh".into(),
            code: join(&o.operands[1..]),
        });
    }
    out
}

/// Config keys whose value git runs as a command.
const GIT_EXEC_KEYS: &[&str] = &[
    "core.sshcommand",
    "core.pager",
    "core.editor",
    "core.fsmonitor",
    "core.askpass",
    "diff.external",
    "sequence.editor",
    "gpg.program",
    "gpg.ssh.program",
    "pager.log",
    "pager.diff",
    "pager.show",
    "credential.helper",
    "uploadpack.packobjectshook",
    "core.gitproxy",
    "merge.tool",
    "diff.tool",
];

fn git_exec(args: &[Arg]) -> Vec<Inner> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let t = a.text();
        if t == "-c" {
            if let Some(kv) = args.get(i + 1) {
                let text = kv.text();
                let (k, v) = text.split_once('=').unwrap_or((text, ""));
                let k = k.to_ascii_lowercase();
                let v = v.strip_prefix('!').unwrap_or(v);
                if GIT_EXEC_KEYS.contains(&k.as_str())
                    || k.starts_with("alias.") && text.contains("=!")
                    || k.starts_with("filter.")
                        && (k.ends_with(".clean")
                            || k.ends_with(".smudge")
                            || k.ends_with(".process"))
                    || k.starts_with("pager.")
                {
                    out.push(Inner::ShellCode {
                        interpreter: "git".into(),
                        code: match kv {
                            Arg::Literal(_) => Arg::Literal(v.to_string()),
                            Arg::Dynamic(_) => Arg::Dynamic(v.to_string()),
                        },
                    });
                } else if k == "core.hookspath" {
                    out.push(Inner::Unknown {
                        interpreter: "git".into(),
                        text: format!("hooks from {v}"),
                    });
                }
            }
            i += 2;
            continue;
        }
        for prefix in ["--upload-pack=", "--receive-pack=", "--exec="] {
            if let Some(v) = t.strip_prefix(prefix) {
                out.push(Inner::ShellCode {
                    interpreter: "git".into(),
                    code: Arg::Literal(v.to_string()),
                });
            }
        }
        if matches!(t, "--upload-pack" | "--receive-pack" | "-u")
            && let Some(v) = args.get(i + 1)
        {
            out.push(Inner::ShellCode {
                interpreter: "git".into(),
                code: v.clone(),
            });
        }
        if let Some(cmd) = t.strip_prefix("ext::") {
            out.push(Inner::ShellCode {
                interpreter: "git".into(),
                code: Arg::Literal(cmd.replace("%S", "git-upload-pack").to_string()),
            });
        }
        i += 1;
    }
    out
}

/// awk `system("...")`, `"cmd" | getline`, `print | "cmd"`.
fn awk_exec(program: &str, args: &[Arg]) -> Vec<Inner> {
    let o = scan(
        args,
        "fvFE",
        &[
            "file",
            "assign",
            "field-separator",
            "exec",
            "include",
            "load",
        ],
        false,
    );
    if o.value('f', &["file"]).is_some() {
        return Vec::new();
    }
    let Some(code) = o.operands.first() else {
        return Vec::new();
    };
    let text = code.text();
    let mut out: Vec<Inner> = string_calls(text, &["system("])
        .into_iter()
        .map(|c| match c {
            Arg::Literal(_) => Inner::ShellCode {
                interpreter: program.to_string(),
                code: c,
            },
            Arg::Dynamic(text) => Inner::Unknown {
                interpreter: program.to_string(),
                text,
            },
        })
        .collect();
    if text.contains('|')
        && (text.contains("getline") || text.contains("| \"") || text.contains("|\""))
    {
        out.push(Inner::Unknown {
            interpreter: program.to_string(),
            text: text.to_string(),
        });
    }
    out
}

/// GNU sed's `e` command and `s///e` flag run shell code.
fn sed_exec(args: &[Arg]) -> Vec<Inner> {
    let o = scan(args, "efl", &["expression", "file", "line-length"], false);
    let mut scripts: Vec<&Arg> = o.all('e', &["expression"]).collect();
    if scripts.is_empty() && o.value('f', &["file"]).is_none() {
        scripts.extend(o.operands.first().copied());
    }
    scripts
        .into_iter()
        .filter(|s| sed_script_executes(s.text()))
        .map(|s| Inner::Unknown {
            interpreter: "sed".into(),
            text: s.text().to_string(),
        })
        .collect()
}

/// Whether a sed script uses `e` (as a command or an `s` flag).
pub(crate) fn sed_script_executes(script: &str) -> bool {
    let b: Vec<char> = script.chars().collect();
    let mut i = 0;
    while i < b.len() {
        // Skip addresses and separators.
        while i < b.len() && (b[i].is_ascii_digit() || " \t\n;,$!{}~".contains(b[i])) {
            i += 1;
        }
        if i < b.len() && b[i] == '/' {
            i += 1;
            while i < b.len() && b[i] != '/' {
                if b[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        let Some(&c) = b.get(i) else { break };
        match c {
            'e' => return true,
            's' | 'y' => {
                let Some(&delim) = b.get(i + 1) else { break };
                i += 2;
                let mut seen = 0;
                while i < b.len() && seen < 2 {
                    if b[i] == '\\' {
                        i += 1;
                    } else if b[i] == delim {
                        seen += 1;
                    }
                    i += 1;
                }
                while i < b.len() && b[i].is_ascii_alphanumeric() {
                    if b[i] == 'e' && c == 's' {
                        return true;
                    }
                    if b[i] == 'w' {
                        break;
                    }
                    i += 1;
                }
                while i < b.len() && b[i] != ';' && b[i] != '\n' {
                    i += 1;
                }
            }
            _ => {
                while i < b.len() && b[i] != ';' && b[i] != '\n' {
                    i += 1;
                }
            }
        }
    }
    false
}

/// String literals passed to calls like `system("...")` in code of another language; a call
/// with a non-literal argument yields a dynamic entry.
pub(crate) fn string_calls(code: &str, calls: &[&str]) -> Vec<Arg> {
    let mut out = Vec::new();
    for call in calls {
        let mut rest = code;
        while let Some(pos) = rest.find(call) {
            let after = rest[pos + call.len()..].trim_start();
            let after = after.trim_start_matches('[').trim_start();
            let quote = after.chars().next();
            match quote {
                Some(q @ ('"' | '\'' | '`')) => {
                    let body = &after[1..];
                    match body.find(q) {
                        Some(end) => out.push(Arg::Literal(body[..end].to_string())),
                        None => out.push(Arg::Dynamic(after.to_string())),
                    }
                }
                _ => out.push(Arg::Dynamic(after.chars().take(80).collect())),
            }
            rest = &rest[pos + call.len()..];
        }
    }
    out
}

/// Calls that run shell commands in common scripting languages.
pub(crate) const FOREIGN_EXEC_CALLS: &[&str] = &[
    "system(",
    "popen(",
    "execSync(",
    "exec(",
    "spawnSync(",
    "spawn(",
    "execFileSync(",
    "check_output(",
    "check_call(",
    "subprocess.run(",
    "subprocess.call(",
    "Popen(",
    "%x(",
    "shell_exec(",
    "passthru(",
    "proc_open(",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(s: &[&str]) -> Vec<Arg> {
        s.iter().map(|x| Arg::Literal((*x).to_string())).collect()
    }

    #[test]
    fn sed_e_detection() {
        assert!(sed_script_executes("s/a/b/e"));
        assert!(sed_script_executes("1e id"));
        assert!(!sed_script_executes("s/e/E/g"));
        assert!(!sed_script_executes("s/foo/bar/g"));
    }

    #[test]
    fn wrappers() {
        let got = inner("timeout", &lits(&["-s", "KILL", "5", "rm", "-rf", "/"]));
        assert_eq!(
            got,
            vec![Inner::Command {
                wrapper: "timeout".into(),
                argv: lits(&["rm", "-rf", "/"]),
                env: Vec::new()
            }]
        );
        let got = inner("env", &lits(&["-i", "A=1", "sh", "-c", "id"]));
        assert!(matches!(&got[0], Inner::Command { env, .. } if env.len() == 1));
        let got = inner("python3", &lits(&["-c", "import os; os.system('id')"]));
        assert!(matches!(&got[0], Inner::Foreign { .. }));
    }
}
