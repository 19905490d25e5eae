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
        "rm" | "unlink" | "shred" | "rmdir" | "srm" => {
            let o = scan(args, "nsu", &["iterations", "size", "remove"], false);
            for a in &o.operands {
                push(&mut fact.deletes, a);
            }
        }
        "cp" | "mv" | "install" | "ln" | "link" => {
            let o = scan(
                args,
                "tSmogb",
                &[
                    "target-directory",
                    "suffix",
                    "mode",
                    "owner",
                    "group",
                    "backup",
                    "reflink",
                    "sparse",
                    "preserve",
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
        | "wc" | "uniq" | "cut" | "base64" | "base32" | "xxd" | "md5sum" | "sha1sum"
        | "sha256sum" | "sha512sum" | "file" | "stat" | "diff" | "cmp" | "jq" | "bat" | "view"
        | "tr" | "column" | "paste" | "comm" | "join" | "fold" | "iconv" | "source" | "."
        | "sort" => {
            let o = scan(
                args,
                match program {
                    "head" | "tail" => "nc",
                    "cut" => "bcdf",
                    "xxd" => "clsgo",
                    "od" | "hexdump" => "AjNtwse",
                    "jq" => "",
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
                "jq" if o.value('f', &["from-file"]).is_none() => {
                    o.operands.iter().skip(1).copied().collect()
                }
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
                    "context",
                    "include",
                    "exclude",
                    "exclude-dir",
                    "glob",
                    "type",
                    "type-not",
                    "exclude-from",
                    "color",
                    "colour",
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
            let o = scan(
                args,
                "dtrmZ",
                &["date", "reference", "mode", "context"],
                false,
            );
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
        _ => {}
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
        if program == "rsync" {
            "eTfB"
        } else {
            "cFiJloPSDBs"
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
    // Skip global options to the subcommand.
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let t = a.text();
        if matches!(
            t,
            "-C" | "-c" | "--git-dir" | "--work-tree" | "--namespace" | "--exec-path"
        ) {
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
    let o = scan(
        rest,
        "obuj",
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
        _ => {}
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
