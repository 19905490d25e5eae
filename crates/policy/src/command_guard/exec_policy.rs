//! `tools.exec` security / ask / safe bins (runtime reference §2.1–2.4), per executed program.
//!
//! Implemented:
//! - §2.1 `security` (`deny` | `allowlist` | `full`, default `allowlist` here since the host is
//!   decided elsewhere) and `ask` (`off` | `on-miss` | `always`, default `on-miss`); approval is
//!   required for `always`, or `on-miss` with an allowlist miss or failed analysis; `off` with a
//!   miss blocks (`exec denied: allowlist miss`). Obfuscation makes approval mandatory (M).
//! - §2.2 allowlist patterns against the *resolved* executable path only (patterns without `/`
//!   or `~` are ignored; `**` crosses `/`, `*` and `?` do not; a bare `*` matches everything).
//! - §2.3 every executed program (every segment, pipeline stage, nested and wrapped program)
//!   must be satisfied; leading assignments make a program unsatisfiable (row 20).
//! - §2.4 safe bins: default `jq cut uniq head tail tr wc`; a safe bin must resolve to a file
//!   directly inside a trusted dir (`/bin`, `/usr/bin` plus `safeBinTrustedDirs`, absolute
//!   only; never `PATH`, never relative), and its argv must pass the M profile: no path-like
//!   or glob operands, denied flags refused, positional limits.
//!
//! Not implemented: the approvals store file and socket, `askFallback`/timeouts, skill
//! auto-allow, `safeBinProfiles` from config (custom safe bins without a built-in profile are
//! never safe, as in M), `allow-always` pattern derivation, command rewriting with resolved
//! paths (the executor's job), host selection and elevated mode.

use std::path::{Path, PathBuf};

use hardclaw_config::Config;
use hardclaw_config::schema::{ExecAsk, ExecSecurity};

use crate::guard::{Decision, PathResolver};
use crate::shell::{Arg, CommandFacts, ExecFact};

/// The guard name used in exec-policy decisions.
pub const EXEC_POLICY: &str = "exec-policy";

/// Default safe bins (E2/M).
pub const DEFAULT_SAFE_BINS: &[&str] = &["jq", "cut", "uniq", "head", "tail", "tr", "wc"];

/// Default trusted directories for safe bins (M).
pub const DEFAULT_TRUSTED_DIRS: &[&str] = &["/bin", "/usr/bin"];

/// `tools.exec` settings relevant to per-program decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecPolicy {
    /// Security mode.
    pub security: ExecSecurity,
    /// Ask mode.
    pub ask: ExecAsk,
    /// Safe bin names (lower-cased).
    pub safe_bins: Vec<String>,
    /// Trusted absolute directories.
    pub trusted_dirs: Vec<PathBuf>,
}

impl Default for ExecPolicy {
    fn default() -> Self {
        ExecPolicy {
            security: ExecSecurity::Allowlist,
            ask: ExecAsk::OnMiss,
            safe_bins: DEFAULT_SAFE_BINS.iter().map(|s| (*s).to_string()).collect(),
            trusted_dirs: DEFAULT_TRUSTED_DIRS.iter().map(PathBuf::from).collect(),
        }
    }
}

impl ExecPolicy {
    /// Reads `tools.exec`.
    pub fn from_config(config: &Config) -> ExecPolicy {
        let mut p = ExecPolicy::default();
        let Some(exec) = config.tools.as_ref().and_then(|t| t.exec.as_ref()) else {
            return p;
        };
        if let Some(s) = exec.security {
            p.security = s;
        }
        if let Some(a) = exec.ask {
            p.ask = a;
        }
        if let Some(bins) = &exec.safe_bins {
            p.safe_bins = bins.iter().map(|b| b.trim().to_ascii_lowercase()).collect();
        }
        for d in exec.safe_bin_trusted_dirs.iter().flatten() {
            let path = PathBuf::from(d);
            if path.is_absolute() && !p.trusted_dirs.contains(&path) {
                p.trusted_dirs.push(path);
            }
        }
        p
    }

    /// Decides a command: every program must be a safe-bin use or match `allowlist`.
    pub fn decide(
        &self,
        facts: &CommandFacts,
        allowlist: &[String],
        fs: &dyn PathResolver,
    ) -> Decision {
        if self.security == ExecSecurity::Deny {
            return Decision::block(EXEC_POLICY, "security-deny", "exec denied: security=deny");
        }
        let obfuscated = !facts.obfuscation.is_empty() || !facts.suspicious_unicode.is_empty();
        let analysis_ok = facts.parse_error.is_none();
        let satisfied = analysis_ok
            && !facts.commands.is_empty()
            && facts
                .commands
                .iter()
                .filter(|f| !f.argv.is_empty() || !f.env.is_empty())
                .all(|f| self.program_satisfied(f, allowlist, fs));
        if self.ask == ExecAsk::Always || obfuscated {
            return Decision::ask(EXEC_POLICY, "approval-required", "exec needs approval");
        }
        if self.security == ExecSecurity::Full || satisfied {
            return Decision::allow(EXEC_POLICY);
        }
        match self.ask {
            ExecAsk::Off => {
                Decision::block(EXEC_POLICY, "allowlist-miss", "exec denied: allowlist miss")
            }
            _ => Decision::ask(
                EXEC_POLICY,
                "allowlist-miss",
                "exec needs approval: allowlist miss",
            ),
        }
    }

    fn program_satisfied(&self, f: &ExecFact, allowlist: &[String], fs: &dyn PathResolver) -> bool {
        if !f.env.is_empty() {
            return false;
        }
        let Some(Arg::Literal(argv0)) = f.argv.first() else {
            return false;
        };
        if allowlist.iter().any(|p| p == "*") {
            return true;
        }
        let resolved = self.resolve(argv0, fs);
        if let Some(path) = &resolved {
            let text = path.to_string_lossy();
            if allowlist
                .iter()
                .any(|p| (p.contains('/') || p.starts_with('~')) && glob_match(p, &text))
            {
                return true;
            }
        }
        let name = argv0
            .rsplit('/')
            .next()
            .unwrap_or(argv0)
            .to_ascii_lowercase();
        resolved.is_some()
            && self.safe_bins.contains(&name)
            && safe_bin_argv_ok(&name, f.argv.get(1..).unwrap_or(&[]))
    }

    /// Resolves argv[0] to a file directly inside a trusted dir: an absolute path whose parent
    /// is trusted, or a bare name looked up in the trusted dirs only.
    pub fn resolve(&self, argv0: &str, fs: &dyn PathResolver) -> Option<PathBuf> {
        let candidates: Vec<PathBuf> = if argv0.starts_with('/') {
            vec![PathBuf::from(argv0)]
        } else if argv0.contains('/') {
            return None;
        } else {
            self.trusted_dirs.iter().map(|d| d.join(argv0)).collect()
        };
        candidates.into_iter().find_map(|c| {
            let real = fs.canonicalize(&c)?;
            let parent = real.parent()?;
            self.trusted_dirs
                .iter()
                .any(|d| Path::new(d) == parent)
                .then_some(real)
        })
    }
}

/// §2.2 glob: `**` any characters, `*` any run without `/`, `?` one character but `/`.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    fn go(p: &[char], t: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('*') if p.get(1) == Some(&'*') => (0..=t.len()).any(|i| go(&p[2..], &t[i..])),
            Some('*') => (0..=t.len())
                .take_while(|&i| i == 0 || t[i - 1] != '/')
                .any(|i| go(&p[1..], &t[i..])),
            Some('?') => t.first().is_some_and(|c| *c != '/') && go(&p[1..], &t[1..]),
            Some(c) => t.first() == Some(c) && go(&p[1..], &t[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    go(&p, &t)
}

/// The M safe-bin profiles (§2.4): value flags, denied flags and positional limits.
fn safe_bin_argv_ok(name: &str, args: &[Arg]) -> bool {
    let (max_pos, min_pos, value_flags, denied): (usize, usize, &[&str], &[&str]) = match name {
        "jq" => (
            1,
            0,
            &["--arg", "--argjson", "--argstr"],
            &[
                "--argfile",
                "--rawfile",
                "--slurpfile",
                "--from-file",
                "--library-path",
                "-L",
                "-f",
            ],
        ),
        "grep" => (
            0,
            0,
            &["-e", "--regexp", "-m", "--max-count", "-A", "-B", "-C"],
            &[
                "--file",
                "--exclude-from",
                "--dereference-recursive",
                "--directories",
                "--recursive",
                "-f",
                "-d",
                "-r",
                "-R",
            ],
        ),
        "cut" => (
            0,
            0,
            &[
                "-b",
                "-c",
                "-d",
                "-f",
                "--bytes",
                "--characters",
                "--delimiter",
                "--fields",
                "--output-delimiter",
            ],
            &[],
        ),
        "uniq" => (
            0,
            0,
            &[
                "-f",
                "-s",
                "-w",
                "--skip-fields",
                "--skip-chars",
                "--check-chars",
            ],
            &[],
        ),
        "head" | "tail" => (0, 0, &["-n", "-c", "--lines", "--bytes"], &[]),
        "sort" => (
            0,
            0,
            &["-k", "-t", "--key", "--field-separator"],
            &[
                "--compress-program",
                "--files0-from",
                "--output",
                "--random-source",
                "--temporary-directory",
                "-T",
                "-o",
            ],
        ),
        "tr" => (2, 1, &[], &[]),
        "wc" => (0, 0, &[], &["--files0-from"]),
        _ => return false,
    };
    let mut positional = 0;
    let mut i = 0;
    let mut only_pos = false;
    while let Some(a) = args.get(i) {
        let Arg::Literal(t) = a else { return false };
        let path_like =
            t.starts_with('/') || t.starts_with("./") || t.starts_with("../") || t.starts_with('~');
        let glob = t.contains(['*', '?', '[', ']']);
        if !only_pos && t == "--" {
            only_pos = true;
        } else if !only_pos && t.starts_with("--") {
            let flag = t.split('=').next().unwrap_or(t);
            if denied.contains(&flag) {
                return false;
            }
            if value_flags.contains(&flag) && !t.contains('=') {
                let Some(Arg::Literal(v)) = args.get(i + 1) else {
                    return false;
                };
                if v.starts_with('/')
                    || v.starts_with('~')
                    || v.starts_with("./")
                    || v.contains(['*', '?'])
                {
                    return false;
                }
                i += 1;
            }
        } else if !only_pos && t.starts_with('-') && t.len() > 1 {
            let short = &t[..2];
            if denied.contains(&short) {
                return false;
            }
            if value_flags.contains(&short) {
                if t.len() == 2 {
                    i += 1;
                }
            } else if t.len() > 2 || !value_flags.contains(&short) {
                // M quirk kept: a short cluster without a value flag is refused.
                return false;
            }
        } else {
            if path_like || glob {
                return false;
            }
            positional += 1;
        }
        i += 1;
    }
    positional <= max_pos && positional >= min_pos
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::{Limits, analyze};

    struct Bins;
    impl PathResolver for Bins {
        fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
            let known = [
                "/usr/bin/jq",
                "/usr/bin/echo",
                "/opt/homebrew/bin/rg",
                "/usr/bin/rm",
                "/usr/bin/obsidian-cli",
                "/usr/bin/wc",
            ];
            known.contains(&path.to_str()?).then(|| path.to_path_buf())
        }
    }

    fn decide(p: &ExecPolicy, cmd: &str, allow: &[&str]) -> crate::guard::Verdict {
        let allow: Vec<String> = allow.iter().map(|s| (*s).to_string()).collect();
        p.decide(&analyze(cmd, &Limits::default()), &allow, &Bins)
            .decision
    }

    use crate::guard::Verdict::{Allow, Ask, Block};

    #[test]
    fn section_2_9_rows() {
        let p = ExecPolicy::default();
        // row 10: allowlisted first segment does not carry the second.
        assert_eq!(
            decide(
                &p,
                "/usr/bin/obsidian-cli print-default && /usr/bin/rm -rf /",
                &["/usr/bin/obsidian-cli"]
            ),
            Ask
        );
        // row 12: quoted separator.
        assert_eq!(
            decide(&p, "/usr/bin/echo \"foo && bar\"", &["/usr/bin/echo"]),
            Allow
        );
        // row 13/14: basename patterns ignored; ** crosses /, * does not.
        assert!(!glob_match("RG", "/opt/homebrew/bin/rg"));
        assert!(glob_match("/opt/**/rg", "/opt/homebrew/bin/rg"));
        assert!(!glob_match("/opt/*/rg", "/opt/homebrew/bin/rg"));
        // row 15: bare *.
        assert_eq!(decide(&p, "mybin --flag", &["*"]), Allow);
        // row 19: jq safe bin; a file operand is not safe.
        assert_eq!(decide(&p, "jq .foo", &[]), Allow);
        assert_eq!(decide(&p, "jq .foo secret.json", &[]), Ask);
        assert_eq!(decide(&p, "./jq .foo", &[]), Ask);
        // row 20: assignment prefix is a miss.
        assert_eq!(
            decide(&p, "FOO=1 /usr/bin/echo hi", &["/usr/bin/echo"]),
            Ask
        );
        // M quirk: `wc -l` refused.
        assert_eq!(decide(&p, "wc -l", &[]), Ask);
        // row 21: ask=off + miss → blocked; deny → blocked; full → allowed.
        let off = ExecPolicy {
            ask: ExecAsk::Off,
            ..ExecPolicy::default()
        };
        assert_eq!(decide(&off, "rm x", &[]), Block);
        let deny = ExecPolicy {
            security: ExecSecurity::Deny,
            ..ExecPolicy::default()
        };
        assert_eq!(decide(&deny, "jq .", &[]), Block);
        let full = ExecPolicy {
            security: ExecSecurity::Full,
            ..ExecPolicy::default()
        };
        assert_eq!(decide(&full, "rm x", &[]), Allow);
        let always = ExecPolicy {
            ask: ExecAsk::Always,
            ..ExecPolicy::default()
        };
        assert_eq!(decide(&always, "jq .", &[]), Ask);
        // obfuscation → approval even with full.
        assert_eq!(decide(&full, "$'\\x63\\x61\\x74' x", &[]), Ask);
    }
}
