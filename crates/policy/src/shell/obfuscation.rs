//! Obfuscation signs that span several programs (§2.6): decoders feeding a shell or `eval`,
//! encoded payloads run by interpreters, variable-built command names. Signs visible in a
//! single word (ANSI-C escapes, `$IFS`, quote splitting, brace expansion) are noted by the
//! walker.

use super::facts::{Arg, ExecFact, ObfuscationFact};
use super::programs::{is_interpreter, is_shell};

/// Whether `f` turns encoded text into bytes (`base64 -d`, `xxd -r`, `printf '\x..'`, ...).
fn decoder(f: &ExecFact) -> Option<&'static str> {
    let p = f.program.as_deref()?;
    let args: Vec<&str> = f.argv.iter().skip(1).map(Arg::text).collect();
    let has = |s: &[&str]| {
        args.iter().any(|a| {
            s.contains(a)
                || a.starts_with('-')
                    && !a.starts_with("--")
                    && s.iter().any(|x| x.len() == 2 && a.contains(&x[1..]))
        })
    };
    match p {
        "base64" | "base32" | "basenc" if has(&["-d", "--decode", "-D"]) => Some("base64"),
        "xxd" if has(&["-r", "--revert"]) => Some("hex"),
        "openssl" if args.iter().any(|a| *a == "base64" || *a == "enc") && has(&["-d"]) => {
            Some("base64")
        }
        "uudecode" => Some("base64"),
        "printf" | "echo" if args.iter().any(|a| a.contains("\\x") || has_octal(a)) => {
            Some("printf")
        }
        "rev" => Some("rev"),
        _ => None,
    }
}

fn has_octal(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(4)
        .any(|w| w[0] == b'\\' && w[1..].iter().all(|c| (b'0'..=b'7').contains(c)))
}

fn runs_code(name: &str) -> bool {
    is_shell(name) || is_interpreter(name) || matches!(name, "eval" | "source" | ".")
}

/// Adds cross-program obfuscation signs to `out`.
pub(crate) fn detect(facts: &[ExecFact], in_subst: &[bool], out: &mut Vec<ObfuscationFact>) {
    let mut add = |rule: &str, detail: String| {
        if !out.iter().any(|o| o.rule == rule && o.detail == detail) {
            out.push(ObfuscationFact {
                rule: rule.to_string(),
                detail,
            });
        }
    };
    let code_runner_exists = facts.iter().any(|f| match f.program.as_deref() {
        Some(p) => runs_code(p),
        None => !f.argv.is_empty(),
    });
    for (i, f) in facts.iter().enumerate() {
        if let Some(kind) = decoder(f) {
            if let Some(target) = f
                .pipes_to
                .iter()
                .find(|t| runs_code(t) || t.starts_with('$'))
            {
                add(
                    &format!("{kind}-pipe-exec"),
                    format!("decoded {kind} data is piped into `{target}`"),
                );
            }
            if in_subst.get(i).copied().unwrap_or(false) && code_runner_exists {
                add(
                    "decode-substitution-exec",
                    format!("decoded {kind} data is substituted into code that runs"),
                );
            }
        }
        if let Some(p) = f.program.as_deref()
            && is_interpreter(p)
            && !is_shell(p)
        {
            let code: String = f
                .argv
                .iter()
                .skip(1)
                .map(Arg::text)
                .collect::<Vec<_>>()
                .join(" ");
            let lower = code.to_ascii_lowercase();
            let decodes = [
                "b64decode",
                "base64",
                "fromcharcode",
                "atob(",
                "unhexlify",
                "decode(",
                "frombase64",
                "pack(",
                "\\x",
            ]
            .iter()
            .any(|k| lower.contains(k));
            let runs = ["exec", "eval", "system", "popen", "spawn", "compile("]
                .iter()
                .any(|k| lower.contains(k));
            if decodes && runs {
                add(
                    "interpreter-exec-encoded",
                    format!("`{p}` decodes and runs an encoded payload"),
                );
            }
        }
    }
    // `c=cat; p=/etc/passwd; $c $p`: short assignments then a variable-built command.
    let assignments = facts
        .iter()
        .filter(|f| f.argv.is_empty() && !f.env.is_empty())
        .count();
    if assignments >= 1
        && let Some(f) = facts
            .iter()
            .find(|f| f.program.is_none() && !f.argv.is_empty())
    {
        add(
            "var-expansion-obfuscation",
            format!(
                "command name `{}` is built from variables",
                f.argv[0].text()
            ),
        );
    }
}
