//! Per-program file and network effects: which paths a program reads, writes or deletes and
//! which hosts it contacts. Flags are dropped, option values that name files are kept.

use super::facts::{Arg, ExecFact, NetDest};
use super::net;
use super::opts::{Opts, scan};

fn push(v: &mut Vec<Arg>, a: &Arg) {
    if !v.contains(a) {
        v.push(a.clone());
    }
}

fn lit_with(a: &Arg, text: &str) -> Arg {
    match a {
        Arg::Literal(_) => Arg::Literal(text.to_string()),
        Arg::Dynamic(_) => Arg::Dynamic(text.to_string()),
    }
}

/// Fills `fact.reads/writes/deletes/network` for `program` (a base name) and `args`.
pub(crate) fn apply(program: &str, args: &[Arg], fact: &mut ExecFact) {
    match program {
        "rm" | "unlink" | "rmdir" | "srm" => {
            // No short option of rm/rmdir takes a value; long ones only in `=` form.
            let o = scan(args, "", &[], false);
            for a in &o.operands {
                push(&mut fact.deletes, a);
            }
        }
        "shred" => {
            // Only `-n N` / `-s N` take a value (`--remove[=HOW]` only in `=` form).
            let o = scan(args, "ns", &["iterations", "size", "random-source"], false);
            for a in &o.operands {
                push(&mut fact.deletes, a);
            }
        }
        "cp" | "mv" | "install" | "ln" | "link" => {
            // `-b`, `--backup[=C]`, `--reflink[=W]`, `--preserve[=A]` take no separate value.
            let o = scan(
                args,
                if program == "install" { "tSmog" } else { "tS" },
                &[
                    "target-directory",
                    "suffix",
                    "mode",
                    "owner",
                    "group",
                    "sparse",
                    "no-preserve",
                ],
                false,
            );
            let target = o.value('t', &["target-directory"]).cloned();
            let (sources, dest): (&[&Arg], Option<Arg>) = match &target {
                Some(t) => (&o.operands[..], Some(t.clone())),
                None if o.operands.len() > 1 => (
                    &o.operands[..o.operands.len() - 1],
                    o.operands.last().map(|a| (*a).clone()),
                ),
                None => (&o.operands[..], None),
            };
            for s in sources {
                push(&mut fact.reads, s);
                if program == "mv" && dest.is_some() {
                    push(&mut fact.deletes, s);
                }
            }
            if let Some(d) = dest {
                push(&mut fact.writes, &d);
            }
        }
        "sed" => {
            let o = scan(args, "efl", &["expression", "file", "line-length"], false);
            let in_place = o.short.contains(&'i') || o.long.contains(&"in-place");
            let has_script_opt =
                o.value('e', &["expression"]).is_some() || o.value('f', &["file"]).is_some();
            if let Some(f) = o.value('f', &["file"]) {
                push(&mut fact.reads, f);
            }
            let files = if has_script_opt {
                &o.operands[..]
            } else {
                o.operands.get(1..).unwrap_or(&[])
            };
            for f in files {
                push(&mut fact.reads, f);
                if in_place {
                    push(&mut fact.writes, f);
                }
            }
        }
        "tee" => {
            for a in &scan(args, "", &["output-error"], false).operands {
                push(&mut fact.writes, a);
            }
        }
        "cat" | "head" | "tail" | "less" | "more" | "nl" | "tac" | "od" | "hexdump" | "strings"
        | "wc" | "uniq" | "cut" | "base64" | "base32" | "basenc" | "xxd" | "md5sum" | "sha1sum"
        | "sha224sum" | "sha256sum" | "sha384sum" | "sha512sum" | "b2sum" | "cksum" | "sum"
        | "shasum" | "file" | "stat" | "diff" | "diff3" | "sdiff" | "cmp" | "bat" | "view"
        | "tr" | "column" | "paste" | "comm" | "join" | "fold" | "fmt" | "expand" | "unexpand"
        | "pr" | "rev" | "tsort" | "iconv" | "source" | "." | "sort" | "ls" | "dir" | "du"
        | "tree" | "realpath" | "readlink" | "df" | "zcat" | "bzcat" | "xzcat" | "zstdcat"
        | "zless" | "zmore" | "lzcat" | "look" | "cd" | "pushd" | "lsattr" | "getfacl" => {
            let o = scan(
                args,
                match program {
                    "head" | "tail" => "nc",
                    "cut" => "bcdf",
                    "xxd" => "clsgo",
                    "od" => "AjNtS",
                    "hexdump" => "efns",
                    "sort" => "koStT",
                    "uniq" => "fsw",
                    "diff" => "CUIFLxX",
                    _ => "",
                },
                &[
                    "lines",
                    "bytes",
                    "arg",
                    "argjson",
                    "key",
                    "output",
                    "field-separator",
                    "temporary-directory",
                    "compress-program",
                    "files0-from",
                    "label",
                    "from-file",
                    "rawfile",
                    "slurpfile",
                    "argfile",
                ],
                false,
            );
            let ops: Vec<&Arg> = match program {
                "tr" => Vec::new(),
                "source" | "." => o.operands.iter().take(1).copied().collect(),
                _ => o.operands.clone(),
            };
            for a in ops {
                if a.text() != "-" {
                    push(&mut fact.reads, a);
                }
            }
            if program == "sort"
                && let Some(out) = o.value('o', &["output"])
            {
                push(&mut fact.writes, out);
            }
            // `uniq IN OUT` writes OUT.
            if program == "uniq"
                && o.operands.len() > 1
                && let Some(out) = o.operands.last()
            {
                push(&mut fact.writes, out);
            }
            for key in ["rawfile", "slurpfile", "argfile", "files0-from"] {
                for v in o.all('\0', &[key]) {
                    push(&mut fact.reads, v);
                }
            }
            if program == "xxd"
                && o.short.contains(&'r')
                && o.operands.len() > 1
                && let Some(out) = o.operands.last()
            {
                push(&mut fact.writes, out);
            }
        }
        "grep" | "egrep" | "fgrep" | "rg" | "ag" | "ack" => {
            let o = scan(
                args,
                "efmABCdDg",
                &[
                    "regexp",
                    "file",
                    "max-count",
                    "after-context",
                    "before-context",
                    "include",
                    "exclude",
                    "exclude-dir",
                    "glob",
                    "type",
                    "type-not",
                    "exclude-from",
                    "label",
                ],
                false,
            );
            let explicit = o.value('e', &["regexp"]).is_some() || o.value('f', &["file"]).is_some();
            for f in o.all('f', &["file", "exclude-from"]) {
                push(&mut fact.reads, f);
            }
            let files = if explicit {
                &o.operands[..]
            } else {
                o.operands.get(1..).unwrap_or(&[])
            };
            for f in files {
                push(&mut fact.reads, f);
            }
        }
        "tar" | "bsdtar" | "gtar" => tar(args, fact),
        "zip" => {
            let o = scan(args, "bnxitP", &["exclude", "include", "password"], false);
            if let Some((first, rest)) = o.operands.split_first() {
                push(&mut fact.writes, first);
                for r in rest {
                    push(&mut fact.reads, r);
                }
            }
        }
        "unzip" => {
            let o = scan(args, "dxP", &[], false);
            if let Some(first) = o.operands.first() {
                push(&mut fact.reads, first);
            }
            match o.value('d', &[]) {
                Some(d) => push(&mut fact.writes, d),
                None => push(&mut fact.writes, &Arg::Literal(".".into())),
            }
        }
        "dd" => {
            for a in args {
                let t = a.text();
                if let Some(p) = t.strip_prefix("if=") {
                    push(&mut fact.reads, &lit_with(a, p));
                } else if let Some(p) = t.strip_prefix("of=") {
                    push(&mut fact.writes, &lit_with(a, p));
                }
            }
        }
        "chmod" | "chown" | "chgrp" | "chattr" | "setfacl" => {
            let o = scan(args, "", &["reference"], false);
            let skip = usize::from(o.value('\0', &["reference"]).is_none());
            for a in o.operands.iter().skip(skip) {
                push(&mut fact.writes, a);
            }
        }
        "touch" | "mkdir" | "mkfifo" | "mknod" => {
            // touch: -d/-t/-r take values (`-m` is "modification time"); mkdir & co: -m.
            let o = if program == "touch" {
                scan(args, "dtr", &["date", "reference", "time"], false)
            } else {
                scan(args, "m", &["mode"], false)
            };
            if let Some(r) = o.value('r', &["reference"]) {
                push(&mut fact.reads, r);
            }
            for a in &o.operands {
                push(&mut fact.writes, a);
            }
        }
        "truncate" => {
            let o = scan(args, "sr", &["size", "reference"], false);
            for a in &o.operands {
                push(&mut fact.writes, a);
            }
        }
        "curl" => curl(args, fact),
        "wget" => wget(args, fact),
        "nc" | "ncat" | "netcat" | "telnet" => {
            let o = scan(
                args,
                "ecpswiqOIxXTbPgGMmo",
                &[
                    "exec", "sh-exec", "lua-exec", "proxy", "source", "wait", "output",
                ],
                false,
            );
            let port = o
                .operands
                .get(1)
                .and_then(|p| p.text().parse().ok())
                .or_else(|| o.value('p', &[]).and_then(|p| p.text().parse().ok()));
            if let Some(h) = o.operands.first() {
                fact.network.push(NetDest {
                    raw: o
                        .operands
                        .iter()
                        .map(|a| a.text())
                        .collect::<Vec<_>>()
                        .join(" "),
                    host: Some(h.text().to_string()),
                    port,
                    sends_data: true,
                });
            }
        }
        "socat" => {
            for a in args {
                let t = a.text();
                let lower = t.to_ascii_lowercase();
                for p in [
                    "tcp:",
                    "tcp4:",
                    "tcp6:",
                    "udp:",
                    "udp4:",
                    "udp6:",
                    "openssl:",
                    "ssl:",
                    "tcp-connect:",
                    "udp-connect:",
                    "socks4:",
                    "socks4a:",
                    "proxy:",
                ] {
                    if let Some(rest) = lower.strip_prefix(p) {
                        let hp = rest.split(',').next().unwrap_or("");
                        let (h, port) = hp
                            .rsplit_once(':')
                            .map_or((hp, None), |(h, p)| (h, p.parse().ok()));
                        let orig_host = &t[p.len()..p.len() + h.len()];
                        fact.network.push(NetDest {
                            raw: t.to_string(),
                            host: Some(orig_host.to_string()),
                            port,
                            sends_data: true,
                        });
                    }
                }
            }
        }
        "ssh" => {
            let o = scan(args, "BbcDEeFIiJLlmOoPpQRSWw", &[], true);
            let port = o.value('p', &[]).and_then(|p| p.text().parse().ok());
            if let Some(i) = o.value('i', &[]) {
                push(&mut fact.reads, i);
            }
            if let Some(h) = o.operands.first() {
                if h.text().contains("://") {
                    fact.network.extend(net::from_url(h.text(), true));
                } else {
                    fact.network.push(net::from_user_host(h.text(), port, true));
                }
            }
            if let Some(f) = o.value('F', &[]) {
                // A config file can send the connection anywhere.
                push(&mut fact.reads, f);
                fact.network.push(NetDest {
                    raw: f.text().to_string(),
                    host: None,
                    port: None,
                    sends_data: true,
                });
            }
            if let Some(j) = o.value('J', &[]) {
                fact.network.push(net::from_user_host(j.text(), None, true));
            }
        }
        "scp" | "sftp" | "rsync" => copy_remote(program, args, fact),
        "git" => git(args, fact),
        "find" => {
            let starts: Vec<&Arg> = args
                .iter()
                .take_while(|a| {
                    !a.text().starts_with('-') && !matches!(a.text(), "(" | "!" | "\\(")
                })
                .collect();
            let has = |f: &str| args.iter().any(|a| a.text() == f);
            if has("-delete") {
                for s in &starts {
                    push(&mut fact.deletes, s);
                }
            }
            for (i, a) in args.iter().enumerate() {
                if matches!(a.text(), "-fprint" | "-fprint0" | "-fprintf" | "-fls")
                    && let Some(f) = args.get(i + 1)
                {
                    push(&mut fact.writes, f);
                }
            }
        }
        "jq" | "gojq" | "jaq" => jq(args, fact),
        "awk" | "gawk" | "mawk" | "nawk" => awk(args, fact),
        "gzip" | "gunzip" | "bzip2" | "bunzip2" | "xz" | "unxz" | "lzma" | "unlzma" | "zstd"
        | "unzstd" | "lz4" | "compress" | "uncompress" | "pigz" | "pbzip2" | "lzip" => {
            compressor(program, args, fact)
        }
        "openssl" => openssl(args, fact),
        "make" | "gmake" => make(args, fact),
        "gcc" | "cc" | "c++" | "g++" | "clang" | "clang++" | "cpp" | "ld" | "as" => cc(args, fact),
        "man" => {
            let o = scan(
                args,
                "CMPLmSsEp",
                &["config-file", "manpath", "pager"],
                false,
            );
            for c in o.all('C', &["config-file"]) {
                push(&mut fact.reads, c);
            }
            let local = o.has('l', &["local-file"]);
            for a in &o.operands {
                if local || a.text().contains('/') {
                    push(&mut fact.reads, a);
                }
            }
        }
        "docker" | "podman" | "nerdctl" => container(args, fact),
        "mktemp" => {
            let o = scan(args, "p", &["tmpdir", "suffix"], false);
            for a in o.operands.iter().copied().chain(o.all('p', &["tmpdir"])) {
                push(&mut fact.writes, a);
            }
        }
        // Wrappers: the wrapped command is a fact of its own; only the wrapper's own files here.
        "time" | "strace" | "ltrace" => {
            let o = scan(args, "fo", &["format", "output"], true);
            for f in o.all('o', &["output"]) {
                push(&mut fact.writes, f);
            }
        }
        "flock" => {
            let o = scan(args, "wE", &["timeout", "conflict-exit-code"], true);
            if let Some(f) = o.operands.first() {
                push(&mut fact.writes, f);
            }
        }
        "script" => {
            let o = scan(
                args,
                "cEIOBT",
                &["command", "log-in", "log-out", "log-io", "log-timing"],
                false,
            );
            for f in o
                .operands
                .iter()
                .copied()
                .chain(o.all('I', &["log-in", "log-out", "log-io", "log-timing"]))
                .chain(o.all('O', &[]))
                .chain(o.all('B', &[]))
                .chain(o.all('T', &[]))
            {
                push(&mut fact.writes, f);
            }
        }
        "xargs" => {
            let o = scan(args, "IiLlnPsdEea", &["arg-file"], true);
            for f in o.all('a', &["arg-file"]) {
                push(&mut fact.reads, f);
            }
        }
        "chroot" => {
            let o = scan(args, "", &["userspec", "groups"], true);
            if let Some(d) = o.operands.first() {
                push(&mut fact.reads, d);
            }
        }
        _ => {}
    }
}

/// Programs whose path arguments are all recorded by [`apply`] (as reads, writes or deletes),
/// or which are wrappers whose own file arguments are recorded (the wrapped command is a fact
/// of its own), or network programs whose file options are recorded.
pub(crate) const MODELLED: &[&str] = &[
    "rm",
    "unlink",
    "rmdir",
    "srm",
    "shred",
    "cp",
    "mv",
    "install",
    "ln",
    "link",
    "sed",
    "tee",
    "cat",
    "head",
    "tail",
    "less",
    "more",
    "nl",
    "tac",
    "od",
    "hexdump",
    "strings",
    "wc",
    "uniq",
    "cut",
    "base64",
    "base32",
    "basenc",
    "xxd",
    "md5sum",
    "sha1sum",
    "sha224sum",
    "sha256sum",
    "sha384sum",
    "sha512sum",
    "b2sum",
    "cksum",
    "sum",
    "shasum",
    "file",
    "stat",
    "diff",
    "diff3",
    "sdiff",
    "cmp",
    "bat",
    "view",
    "tr",
    "column",
    "paste",
    "comm",
    "join",
    "fold",
    "fmt",
    "expand",
    "unexpand",
    "pr",
    "rev",
    "tsort",
    "iconv",
    "source",
    ".",
    "sort",
    "ls",
    "dir",
    "du",
    "tree",
    "realpath",
    "readlink",
    "df",
    "zcat",
    "bzcat",
    "xzcat",
    "zstdcat",
    "zless",
    "zmore",
    "lzcat",
    "look",
    "cd",
    "pushd",
    "lsattr",
    "getfacl",
    "grep",
    "egrep",
    "fgrep",
    "rg",
    "ag",
    "ack",
    "tar",
    "bsdtar",
    "gtar",
    "zip",
    "unzip",
    "dd",
    "chmod",
    "chown",
    "chgrp",
    "chattr",
    "setfacl",
    "touch",
    "mkdir",
    "mkfifo",
    "mknod",
    "truncate",
    "curl",
    "wget",
    "nc",
    "ncat",
    "netcat",
    "telnet",
    "socat",
    "ssh",
    "scp",
    "sftp",
    "rsync",
    "git",
    "find",
    "jq",
    "gojq",
    "jaq",
    "awk",
    "gawk",
    "mawk",
    "nawk",
    "gzip",
    "gunzip",
    "bzip2",
    "bunzip2",
    "xz",
    "unxz",
    "lzma",
    "unlzma",
    "zstd",
    "unzstd",
    "lz4",
    "compress",
    "uncompress",
    "pigz",
    "pbzip2",
    "lzip",
    "openssl",
    "make",
    "gmake",
    "gcc",
    "cc",
    "c++",
    "g++",
    "clang",
    "clang++",
    "cpp",
    "ld",
    "as",
    "man",
    "docker",
    "podman",
    "nerdctl",
    "mktemp",
    "time",
    "strace",
    "ltrace",
    "flock",
    "script",
    "xargs",
    "chroot",
];

/// Whether `program`'s file effects are modelled by [`apply`].
pub(crate) fn is_modelled(program: &str) -> bool {
    MODELLED.contains(&program)
}

/// `jq [opts] FILTER [FILES]`: `--rawfile/--slurpfile NAME FILE` and `--arg/--argjson NAME V`
/// take two arguments; `-f/--from-file FILE` replaces the filter; `--args`/`--jsonargs` end
/// the files.
fn jq(args: &[Arg], fact: &mut ExecFact) {
    let mut operands: Vec<&Arg> = Vec::new();
    let mut from_file = false;
    let mut i = 0;
    let mut positional_args = false;
    while let Some(a) = args.get(i) {
        let t = a.text();
        if positional_args {
            i += 1;
            continue;
        }
        match t {
            "--rawfile" | "--slurpfile" => {
                if let Some(f) = args.get(i + 2) {
                    push(&mut fact.reads, f);
                }
                i += 3;
                continue;
            }
            "--arg" | "--argjson" => {
                i += 3;
                continue;
            }
            "-f" | "--from-file" => {
                if let Some(f) = args.get(i + 1) {
                    push(&mut fact.reads, f);
                }
                from_file = true;
                i += 2;
                continue;
            }
            "-L" | "--indent" => {
                i += 2;
                continue;
            }
            "--args" | "--jsonargs" => {
                positional_args = true;
                i += 1;
                continue;
            }
            "--" => {
                operands.extend(args[i + 1..].iter());
                break;
            }
            _ => {}
        }
        if let Some(f) = t.strip_prefix("--from-file=") {
            push(&mut fact.reads, &lit_with(a, f));
            from_file = true;
        } else if t.starts_with('-') && t.len() > 1 {
            // A flag cluster; `-f` inside one (`-rf prog.jq`) reads the next word.
            if !t.starts_with("--") && t[1..].contains('f') {
                if let Some(f) = args.get(i + 1) {
                    push(&mut fact.reads, f);
                }
                from_file = true;
                i += 1;
            }
        } else {
            operands.push(a);
        }
        i += 1;
    }
    for f in operands.iter().skip(usize::from(!from_file)) {
        if f.text() != "-" {
            push(&mut fact.reads, f);
        }
    }
}

/// `awk [-F s] [-v a=b] [-f prog]... 'prog' [files | a=b]...`: files and program files are
/// read; path-like string literals in the program are read (and written when it redirects).
fn awk(args: &[Arg], fact: &mut ExecFact) {
    let o = scan(
        args,
        "fvFEil",
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
    let mut from_file = false;
    for f in o.all('f', &["file"]).chain(o.all('E', &["exec"])) {
        push(&mut fact.reads, f);
        from_file = true;
    }
    for f in o.all('i', &["include"]).chain(o.all('l', &["load"])) {
        push(&mut fact.reads, f);
    }
    let skip = usize::from(!from_file);
    if !from_file && let Some(prog) = o.operands.first() {
        let mut probe = ExecFact {
            reads: Vec::new(),
            ..fact_shell(fact)
        };
        scan_foreign(prog.text(), &mut probe);
        let writes = prog.text().contains('>');
        for r in probe.reads {
            push(&mut fact.reads, &r);
            if writes {
                push(&mut fact.writes, &r);
            }
        }
    }
    for a in o.operands.iter().skip(skip) {
        let t = a.text();
        let assignment = t.split_once('=').is_some_and(|(n, _)| {
            !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if !assignment && t != "-" {
            push(&mut fact.reads, a);
        }
    }
}

/// An empty fact shaped like `f` (for heuristic scans into a scratch fact).
fn fact_shell(f: &ExecFact) -> ExecFact {
    ExecFact {
        argv: Vec::new(),
        program: f.program.clone(),
        env: Vec::new(),
        redirects: Vec::new(),
        segment: f.segment,
        pipes_to: Vec::new(),
        nesting: f.nesting.clone(),
        reads: Vec::new(),
        writes: Vec::new(),
        deletes: Vec::new(),
        network: Vec::new(),
        known_program: f.known_program,
    }
}

/// gzip & co: inputs are read; unless writing to stdout (`-c`, `-t`, `-l`), each input is
/// replaced (deleted) by an output next to it (`f` → `f.gz`, or `f.gz` → `f`).
fn compressor(program: &str, args: &[Arg], fact: &mut ExecFact) {
    let o = scan(
        args,
        "SoDbTLMF",
        &[
            "suffix",
            "output",
            "dict",
            "threads",
            "memlimit",
            "format",
            "files0-from",
        ],
        false,
    );
    for f in o.all('o', &["output"]) {
        push(&mut fact.writes, f);
    }
    for f in o.all('D', &["dict"]).chain(o.all('\0', &["files0-from"])) {
        push(&mut fact.reads, f);
    }
    let to_stdout =
        o.has('c', &["stdout", "to-stdout"]) || o.has('t', &["test"]) || o.has('l', &["list"]);
    let keeps = matches!(program, "zstd" | "unzstd" | "lz4") && !o.has('\0', &["rm"])
        || o.has('k', &["keep"]);
    let decompress = o.has('d', &["decompress", "uncompress"])
        || matches!(
            program,
            "gunzip" | "bunzip2" | "unxz" | "unlzma" | "unzstd" | "uncompress"
        );
    let ext = match program {
        "bzip2" | "bunzip2" | "pbzip2" => ".bz2",
        "xz" | "unxz" => ".xz",
        "lzma" | "unlzma" => ".lzma",
        "zstd" | "unzstd" => ".zst",
        "lz4" => ".lz4",
        "compress" | "uncompress" => ".Z",
        "lzip" => ".lz",
        _ => ".gz",
    };
    for a in &o.operands {
        let t = a.text();
        if t == "-" {
            continue;
        }
        push(&mut fact.reads, a);
        if to_stdout {
            continue;
        }
        if !keeps {
            push(&mut fact.deletes, a);
        }
        let out = if decompress {
            t.rsplit_once('.')
                .map_or(t.to_string(), |(stem, _)| stem.to_string())
        } else {
            format!("{t}{ext}")
        };
        push(&mut fact.writes, &lit_with(a, &out));
    }
}

/// `openssl SUB ...`: every non-option word after the subcommand may be a file and counts as
/// a read (option values included); `-out`/`-keyout` values are writes; `-connect host:port`
/// is a destination.
fn openssl(args: &[Arg], fact: &mut ExecFact) {
    let mut prev: Option<&str> = None;
    for a in args.iter().skip(1) {
        let t = a.text();
        match prev {
            Some("-out" | "-keyout" | "-sess_out" | "-msgfile") => push(&mut fact.writes, a),
            Some("-connect" | "-proxy") => {
                let fields = split_colon_fields(t);
                let (h, port) = match fields.as_slice() {
                    [h, p] => (h.to_string(), p.parse().ok()),
                    _ => (t.to_string(), None),
                };
                fact.network.push(NetDest {
                    raw: t.to_string(),
                    host: Some(h),
                    port,
                    sends_data: true,
                });
            }
            _ => {}
        }
        if !t.starts_with('-') && !t.is_empty() {
            let v = t
                .strip_prefix("file:")
                .or_else(|| t.strip_prefix("env:").map(|_| ""))
                .unwrap_or(t);
            if !v.is_empty() {
                push(&mut fact.reads, &lit_with(a, v));
            }
        }
        prev = Some(t);
    }
}

/// `make [-f FILE] [-C DIR] [-I DIR] [-o FILE] [-W FILE] ...`.
fn make(args: &[Arg], fact: &mut ExecFact) {
    let o = scan(
        args,
        "fCIoWjlEO",
        &[
            "file",
            "makefile",
            "directory",
            "include-dir",
            "old-file",
            "assume-old",
            "what-if",
            "new-file",
            "assume-new",
            "jobs",
            "load-average",
            "eval",
            "output-sync",
        ],
        false,
    );
    for f in o
        .all('f', &["file", "makefile"])
        .chain(o.all('C', &["directory"]))
        .chain(o.all('I', &["include-dir"]))
        .chain(o.all('o', &["old-file", "assume-old"]))
        .chain(o.all('W', &["what-if", "new-file", "assume-new"]))
    {
        push(&mut fact.reads, f);
    }
}

/// C compilers and binutils: inputs and `@file`s are read, `-o`/`-MF` written.
fn cc(args: &[Arg], fact: &mut ExecFact) {
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let t = a.text();
        let next = args.get(i + 1);
        if let Some(f) = t.strip_prefix('@') {
            push(&mut fact.reads, &lit_with(a, f));
        } else if matches!(t, "-o" | "-MF") {
            if let Some(n) = next {
                push(&mut fact.writes, n);
            }
            i += 1;
        } else if matches!(
            t,
            "-include"
                | "-imacros"
                | "-T"
                | "-I"
                | "-L"
                | "-isystem"
                | "-iquote"
                | "-idirafter"
                | "-specs"
                | "--sysroot"
                | "-B"
                | "-Xlinker"
        ) {
            if let Some(n) = next {
                push(&mut fact.reads, n);
            }
            i += 1;
        } else if matches!(t, "-D" | "-U" | "-x" | "-MT" | "-MQ" | "-e" | "-arch") {
            i += 1;
        } else if let Some(f) = t.strip_prefix("-o") {
            push(&mut fact.writes, &lit_with(a, f));
        } else if t.starts_with('-') {
            if let Some((_, v)) = t.split_once(['=', ',']) {
                for part in v.split(',') {
                    let part = part.strip_prefix('@').unwrap_or(part);
                    if part.starts_with('/') || part.starts_with('~') {
                        push(&mut fact.reads, &lit_with(a, part));
                    }
                }
            }
            for p in ["-I", "-L", "-T", "-B"] {
                if let Some(f) = t.strip_prefix(p).filter(|f| !f.is_empty()) {
                    push(&mut fact.reads, &lit_with(a, f));
                }
            }
        } else {
            push(&mut fact.reads, a);
        }
        i += 1;
    }
}

/// `docker run -v SRC:DST`, `--mount type=bind,source=SRC`, `--env-file F`, `cp`, `build -f`:
/// a mounted host path is read and written.
fn container(args: &[Arg], fact: &mut ExecFact) {
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let t = a.text();
        let (name, inline) = match t.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v)),
            _ => (t, None),
        };
        let value = |i: usize| -> Option<Arg> {
            match inline {
                Some(v) => Some(lit_with(a, v)),
                None => args.get(i + 1).cloned(),
            }
        };
        let step = usize::from(inline.is_none());
        match name {
            "-v" | "--volume" => {
                if let Some(v) = value(i) {
                    let src = v.text().split(':').next().unwrap_or("").to_string();
                    if src.starts_with('/') || src.starts_with('~') || src.starts_with('.') {
                        let s = lit_with(&v, &src);
                        push(&mut fact.reads, &s);
                        push(&mut fact.writes, &s);
                    }
                }
                i += step;
            }
            "--mount" => {
                if let Some(v) = value(i) {
                    for kv in v.text().split(',') {
                        if let Some((k, p)) = kv.split_once('=')
                            && matches!(k, "source" | "src")
                        {
                            let s = lit_with(&v, p);
                            push(&mut fact.reads, &s);
                            push(&mut fact.writes, &s);
                        }
                    }
                }
                i += step;
            }
            "--env-file" | "-f" | "--file" | "--secret" | "--label-file" => {
                if let Some(v) = value(i) {
                    let t = v.text();
                    let p = t
                        .split(',')
                        .find_map(|kv| {
                            kv.strip_prefix("src=")
                                .or_else(|| kv.strip_prefix("source="))
                        })
                        .unwrap_or(t)
                        .to_string();
                    push(&mut fact.reads, &lit_with(&v, &p));
                }
                i += step;
            }
            _ => {}
        }
        i += 1;
    }
    // `docker cp SRC DST`, `docker build CONTEXT`: host operands.
    let sub = args
        .iter()
        .find(|a| !a.text().starts_with('-'))
        .map(Arg::text);
    if matches!(sub, Some("cp" | "build")) {
        for a in args
            .iter()
            .skip_while(|a| a.text() != sub.unwrap_or(""))
            .skip(1)
        {
            let t = a.text();
            if !t.starts_with('-') && !t.contains(':') {
                push(&mut fact.reads, a);
                if sub == Some("cp") {
                    push(&mut fact.writes, a);
                }
            }
        }
    }
}

fn tar(args: &[Arg], fact: &mut ExecFact) {
    // `tar cvf x.tar dir`: the first word may be a bundled mode without a dash.
    let mut norm: Vec<Arg> = args.to_vec();
    if let Some(first) = norm.first() {
        let t = first.text();
        if !t.starts_with('-') && !t.is_empty() && t.chars().all(|c| c.is_ascii_alphabetic()) {
            norm[0] = lit_with(first, &format!("-{t}"));
        }
    }
    let o: Opts<'_> = scan(
        &norm,
        "fCbITXgKLNV",
        &[
            "file",
            "directory",
            "exclude",
            "files-from",
            "exclude-from",
            "to-command",
            "use-compress-program",
            "checkpoint-action",
            "transform",
            "format",
            "owner",
            "group",
            "mode",
        ],
        false,
    );
    let create = o.has('c', &["create"]) || o.has('r', &["append"]) || o.has('u', &["update"]);
    let extract = o.has('x', &["extract", "get"]);
    if let Some(f) = o.value('f', &["file"])
        && f.text() != "-"
    {
        if create {
            push(&mut fact.writes, f);
        } else {
            push(&mut fact.reads, f);
        }
    }
    for f in o.all('T', &["files-from", "exclude-from"]) {
        push(&mut fact.reads, f);
    }
    if create {
        for a in &o.operands {
            push(&mut fact.reads, a);
        }
    }
    if extract {
        match o.value('C', &["directory"]) {
            Some(d) => push(&mut fact.writes, d),
            None => push(&mut fact.writes, &Arg::Literal(".".into())),
        }
    }
}

fn curl(args: &[Arg], fact: &mut ExecFact) {
    let o = scan(
        args,
        "dFTuoHAXeEbcCKmrwxyYzUQ",
        &[
            "data",
            "data-binary",
            "data-raw",
            "data-ascii",
            "data-urlencode",
            "form",
            "form-string",
            "upload-file",
            "json",
            "output",
            "header",
            "user-agent",
            "request",
            "referer",
            "cookie",
            "cookie-jar",
            "config",
            "max-time",
            "connect-timeout",
            "url",
            "proxy",
            "cert",
            "key",
            "cacert",
            "range",
            "user",
            "proto",
            "proto-redir",
            "resolve",
            "connect-to",
            "write-out",
            "retry",
            "limit-rate",
            "output-dir",
            "interface",
            "dns-servers",
            "doh-url",
            "preproxy",
            "quote",
            "netrc-file",
        ],
        false,
    );
    let mut sends = false;
    for key in ['d', 'F', 'T'] {
        let longs: &[&str] = match key {
            'd' => &[
                "data",
                "data-binary",
                "data-raw",
                "data-ascii",
                "data-urlencode",
                "json",
            ],
            'F' => &["form", "form-string"],
            _ => &["upload-file"],
        };
        for v in o.all(key, longs) {
            sends = true;
            let t = v.text();
            let file = if key == 'T' {
                Some(t)
            } else {
                t.split_once('@')
                    .map(|(_, f)| f)
                    .or_else(|| t.strip_prefix('<'))
                    .map(|f| f.split(';').next().unwrap_or(f))
            };
            if let Some(f) = file
                && !f.is_empty()
                && f != "-"
            {
                push(&mut fact.reads, &lit_with(v, f));
            }
        }
    }
    if o.long
        .iter()
        .any(|l| matches!(*l, "upload-file" | "data" | "json"))
        || o.has('T', &[])
    {
        sends = true;
    }
    if let Some(m) = o.value('X', &["request"])
        && matches!(
            m.text().to_ascii_uppercase().as_str(),
            "POST" | "PUT" | "PATCH"
        )
    {
        sends = true;
    }
    for f in o.all('o', &["output"]) {
        if f.text() != "-" {
            push(&mut fact.writes, f);
        }
    }
    for f in o.all('c', &["cookie-jar"]) {
        push(&mut fact.writes, f);
    }
    for f in o.all('K', &["config", "netrc-file"]) {
        push(&mut fact.reads, f);
    }
    for f in o.all('E', &["cert", "key", "cacert"]) {
        push(&mut fact.reads, f);
    }
    let mut urls: Vec<&Arg> = o.all('\0', &["url"]).collect();
    urls.extend(o.operands.iter().copied());
    for u in urls {
        let t = u.text();
        match net::from_url(t, sends) {
            Some(d) => fact.network.push(d),
            None => fact.network.push(NetDest {
                raw: t.to_string(),
                host: matches!(u, Arg::Literal(_))
                    .then(|| t.split(['/', ':']).next().unwrap_or(t).to_string()),
                port: None,
                sends_data: sends,
            }),
        }
    }
    // `--resolve HOST:PORT:ADDR[,ADDR]` and `--connect-to H1:P1:H2:P2` redirect the
    // connection: the addresses given are destinations.
    for r in o.all('\0', &["resolve"]) {
        let t = r.text().trim_start_matches('+');
        let mut parts = t.splitn(3, ':');
        let (_, port, addrs) = (parts.next(), parts.next(), parts.next().unwrap_or(""));
        for addr in addrs.split(',').filter(|a| !a.is_empty()) {
            fact.network.push(NetDest {
                raw: r.text().to_string(),
                host: Some(
                    addr.trim_start_matches('[')
                        .trim_end_matches(']')
                        .to_string(),
                ),
                port: port.and_then(|p| p.parse().ok()),
                sends_data: sends,
            });
        }
    }
    for c in o.all('\0', &["connect-to"]) {
        let t = c.text();
        // H1:P1:H2:P2, hosts possibly in brackets.
        let fields = split_colon_fields(t);
        if let [_, _, h2, rest @ ..] = fields.as_slice() {
            fact.network.push(NetDest {
                raw: t.to_string(),
                host: (!h2.is_empty()).then(|| h2.to_string()),
                port: rest.first().and_then(|p| p.parse().ok()),
                sends_data: sends,
            });
        } else {
            fact.network.push(NetDest {
                raw: t.to_string(),
                host: None,
                port: None,
                sends_data: sends,
            });
        }
    }
    // A config file can name any destination.
    for k in o.all('K', &["config"]) {
        fact.network.push(NetDest {
            raw: k.text().to_string(),
            host: None,
            port: None,
            sends_data: sends,
        });
    }
    for p in o.all('\0', &["doh-url", "preproxy"]) {
        fact.network.extend(
            net::from_url(p.text(), sends)
                .or_else(|| Some(net::from_user_host(p.text(), None, sends))),
        );
    }
    for p in o.all('x', &["proxy"]) {
        fact.network.extend(
            net::from_url(p.text(), sends)
                .or_else(|| Some(net::from_user_host(p.text(), None, sends))),
        );
    }
}

fn wget(args: &[Arg], fact: &mut ExecFact) {
    let o = scan(
        args,
        "OoaiPUeTtwlADRQ",
        &[
            "output-document",
            "output-file",
            "append-output",
            "input-file",
            "directory-prefix",
            "user-agent",
            "execute",
            "timeout",
            "tries",
            "wait",
            "level",
            "accept",
            "reject",
            "domains",
            "quota",
            "post-data",
            "post-file",
            "body-data",
            "body-file",
            "method",
            "header",
            "user",
            "password",
            "load-cookies",
            "save-cookies",
            "ca-certificate",
            "certificate",
            "private-key",
        ],
        false,
    );
    let mut sends = o.value('\0', &["post-data", "body-data"]).is_some();
    for f in o.all('\0', &["post-file", "body-file"]) {
        sends = true;
        push(&mut fact.reads, f);
    }
    for f in o.all('i', &["input-file", "load-cookies"]) {
        push(&mut fact.reads, f);
    }
    for f in o.all('O', &["output-document", "save-cookies"]) {
        if f.text() != "-" {
            push(&mut fact.writes, f);
        }
    }
    for f in o.all('o', &["output-file", "append-output"]) {
        push(&mut fact.writes, f);
    }
    if let Some(d) = o.value('P', &["directory-prefix"]) {
        push(&mut fact.writes, d);
    }
    // `-i FILE`: URLs from a file; `-e http_proxy=URL`: the proxy is contacted.
    for f in o.all('i', &["input-file"]) {
        fact.network.push(NetDest {
            raw: f.text().to_string(),
            host: None,
            port: None,
            sends_data: sends,
        });
    }
    for e in o.all('e', &["execute"]) {
        let t = e.text();
        if let Some((k, v)) = t.split_once('=') {
            let k = k.trim().to_ascii_lowercase();
            if k.ends_with("_proxy") || k == "proxy" {
                let v = v.trim();
                fact.network.extend(
                    net::from_url(v, sends).or_else(|| Some(net::from_user_host(v, None, sends))),
                );
            } else if matches!(
                k.as_str(),
                "input"
                    | "ca_certificate"
                    | "certificate"
                    | "private_key"
                    | "load_cookies"
                    | "post_file"
                    | "body_file"
            ) {
                push(&mut fact.reads, &lit_with(e, v.trim()));
            } else if matches!(
                k.as_str(),
                "output_document" | "save_cookies" | "logfile" | "dir_prefix"
            ) {
                push(&mut fact.writes, &lit_with(e, v.trim()));
            }
        }
    }
    for u in &o.operands {
        let t = u.text();
        let d = net::from_url(t, sends).unwrap_or_else(|| NetDest {
            raw: t.to_string(),
            host: matches!(u, Arg::Literal(_))
                .then(|| t.split(['/', ':']).next().unwrap_or(t).to_string()),
            port: None,
            sends_data: sends,
        });
        fact.network.push(d);
    }
}

fn copy_remote(program: &str, args: &[Arg], fact: &mut ExecFact) {
    let o = scan(
        args,
        match program {
            "rsync" => "eTfB",
            // scp's -B (batch) and -s (SFTP) are flags; sftp's take values.
            "scp" => "cFiJloPSD",
            _ => "cFiJloPSDBsRb",
        },
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
            "port",
        ],
        false,
    );
    if let Some(i) = o.value('i', &[])
        && program != "rsync"
    {
        push(&mut fact.reads, i);
    }
    let ops = &o.operands;
    let remote = |a: &Arg| net::from_scp_like(a.text(), false);
    let dest_remote = ops.last().is_some_and(|a| remote(a).is_some());
    if program == "sftp" {
        if let Some(h) = ops.first() {
            fact.network
                .push(remote(h).unwrap_or_else(|| net::from_user_host(h.text(), None, true)));
        }
        return;
    }
    for (i, a) in ops.iter().enumerate() {
        let is_last = i + 1 == ops.len();
        match remote(a) {
            Some(mut d) => {
                d.sends_data = is_last && ops.len() > 1;
                fact.network.push(d);
            }
            None if is_last && ops.len() > 1 => push(&mut fact.writes, a),
            None => {
                push(&mut fact.reads, a);
                let _ = dest_remote;
            }
        }
    }
}

fn git(args: &[Arg], fact: &mut ExecFact) {
    // Skip global options to the subcommand; `-C DIR` / `--git-dir` / `--work-tree` are read
    // and relative paths are taken from the last `-C`.
    let mut i = 0;
    let mut dir: Option<Arg> = None;
    let before = (fact.reads.len(), fact.writes.len(), fact.deletes.len());
    while let Some(a) = args.get(i) {
        let t = a.text();
        if let Some(v) = ["--git-dir=", "--work-tree="]
            .iter()
            .find_map(|p| t.strip_prefix(p))
        {
            push(&mut fact.reads, &lit_with(a, v));
            i += 1;
        } else if matches!(
            t,
            "-C" | "-c" | "--git-dir" | "--work-tree" | "--namespace" | "--exec-path"
        ) {
            if let Some(v) = args.get(i + 1)
                && matches!(t, "-C" | "--git-dir" | "--work-tree")
            {
                push(&mut fact.reads, v);
                if t == "-C" {
                    dir = Some(match (&dir, v) {
                        (Some(d), v) if !is_absolute(v.text()) => join_arg(d, v),
                        _ => v.clone(),
                    });
                }
            }
            i += 2;
        } else if t.starts_with('-') {
            i += 1;
        } else {
            break;
        }
    }
    let Some(sub) = args.get(i).map(Arg::text) else {
        return;
    };
    let rest = &args[i + 1..];
    git_sub(sub, rest, fact);
    if let Some(d) = dir {
        let (r, w, x) = before;
        for list in [
            &mut fact.reads[r..],
            &mut fact.writes[w..],
            &mut fact.deletes[x..],
        ] {
            for a in list.iter_mut() {
                if !is_absolute(a.text()) && a.text() != d.text() {
                    *a = join_arg(&d, a);
                }
            }
        }
    }
}

/// `a:b:[::1]:d` → `["a", "b", "::1", "d"]`.
fn split_colon_fields(t: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut bracket = false;
    for c in t.chars() {
        match c {
            '[' => bracket = true,
            ']' => bracket = false,
            ':' if !bracket => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Whether `p` is absolute or home-relative.
pub(crate) fn is_absolute(p: &str) -> bool {
    p.starts_with('/') || p.starts_with('~')
}

/// `dir/rel` (dynamic when either is).
pub(crate) fn join_arg(dir: &Arg, rel: &Arg) -> Arg {
    let d = dir.text();
    let text = if d.ends_with('/') {
        format!("{d}{}", rel.text())
    } else {
        format!("{d}/{}", rel.text())
    };
    match (dir, rel) {
        (Arg::Literal(_), Arg::Literal(_)) => Arg::Literal(text),
        _ => Arg::Dynamic(text),
    }
}

fn git_sub(sub: &str, rest: &[Arg], fact: &mut ExecFact) {
    // Value-taking short options of clone/fetch/pull; elsewhere (`add -u`) they are flags.
    let network_sub = matches!(
        sub,
        "clone" | "fetch" | "pull" | "push" | "ls-remote" | "archive" | "send-pack" | "fetch-pack"
    );
    let o = scan(
        rest,
        if network_sub { "obuj" } else { "" },
        &[
            "origin",
            "branch",
            "upload-pack",
            "receive-pack",
            "depth",
            "reference",
            "config",
            "jobs",
            "template",
            "separate-git-dir",
            "filter",
            "repo",
        ],
        false,
    );
    let sends = matches!(sub, "push" | "send-email" | "send-pack");
    match sub {
        "clone" | "fetch" | "pull" | "push" | "ls-remote" | "archive" | "send-pack"
        | "fetch-pack" => {
            let ops: Vec<&Arg> = o.operands.clone();
            for (n, a) in ops.iter().enumerate() {
                let t = a.text();
                if let Some(d) = net::from_scp_like(t, sends) {
                    fact.network.push(d);
                } else if n == 0
                    && !t.starts_with('/')
                    && !t.starts_with('.')
                    && !t.contains('/')
                    && sub != "clone"
                {
                    // A named remote (`origin`): its URL lives in the repository config.
                    fact.network.push(NetDest {
                        raw: t.to_string(),
                        host: None,
                        port: None,
                        sends_data: sends,
                    });
                } else if sub == "clone" && n > 0 {
                    push(&mut fact.writes, a);
                } else if sub == "clone" {
                    push(&mut fact.reads, a);
                }
            }
            if ops.is_empty() && sub != "clone" {
                fact.network.push(NetDest {
                    raw: String::new(),
                    host: None,
                    port: None,
                    sends_data: sends,
                });
            }
        }
        "remote"
            if rest
                .first()
                .is_some_and(|a| matches!(a.text(), "add" | "set-url")) =>
        {
            for a in &o.operands {
                if let Some(d) = net::from_scp_like(a.text(), false) {
                    fact.network.push(d);
                }
            }
        }
        "rm" => {
            for a in &o.operands {
                push(&mut fact.deletes, a);
            }
        }
        "mv" => {
            if let Some((last, srcs)) = o.operands.split_last() {
                for s in srcs {
                    push(&mut fact.reads, s);
                    push(&mut fact.deletes, s);
                }
                push(&mut fact.writes, last);
            }
        }
        "add" | "apply" | "am" | "send-email" => {
            for a in &o.operands {
                push(&mut fact.reads, a);
            }
        }
        "checkout" | "restore" | "reset" | "clean" => {
            if let Some(pos) = rest.iter().position(|a| a.text() == "--") {
                for a in &rest[pos + 1..] {
                    push(&mut fact.writes, a);
                }
            }
        }
        "config" | "commit-graph" | "gc" | "init" => {}
        _ => {
            // `diff --no-index a b`, `show REV:path`, `blame f`, `cat-file -p REV:path`,
            // `commit -F f`, `grep x -- f`: every operand (and option value) may name a file.
            for a in rest {
                let t = a.text();
                let v = if t.starts_with('-') {
                    t.split_once('=').map(|(_, v)| v)
                } else {
                    Some(t)
                };
                if let Some(v) = v.filter(|v| !v.is_empty() && *v != "-") {
                    let path = v.split_once(':').map_or(v, |(_, p)| p);
                    if !path.is_empty() {
                        push(&mut fact.reads, &lit_with(a, path));
                    }
                }
            }
        }
    }
}

/// Paths and URLs in code of another language, found heuristically.
pub(crate) fn scan_foreign(code: &str, fact: &mut ExecFact) {
    for u in net::urls_in(code) {
        let sends = ["post", "put", "upload", "send", "urlopen(", "request("]
            .iter()
            .any(|k| code.to_ascii_lowercase().contains(k));
        if let Some(d) = net::from_url(&u, sends)
            && !fact.network.contains(&d)
        {
            fact.network.push(d);
        }
    }
    // String literals that look like paths.
    for q in ['"', '\''] {
        let mut parts = code.split(q);
        parts.next();
        while let Some(lit) = parts.next() {
            let looks_like_path = (lit.starts_with('/')
                || lit.starts_with("~/")
                || lit.starts_with("./")
                || lit.starts_with("../")
                || lit.starts_with(".env"))
                && !lit.contains(char::is_whitespace)
                && lit.len() > 1;
            if looks_like_path {
                push(&mut fact.reads, &Arg::Literal(lit.to_string()));
            }
            parts.next();
        }
    }
}
