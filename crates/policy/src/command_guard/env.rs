//! Environment variables that change what a program runs (§2.8): loader hooks, shell startup
//! files, interpreter options, git helpers. Setting them on a command is blocked; the executor
//! strips them with [`sanitize_exec_env`].

use std::collections::BTreeMap;

/// Names blocked exactly (compared upper-cased).
pub const BLOCKED_ENV: &[&str] = &[
    "BASH_ENV",
    "ENV",
    "SHELLOPTS",
    "BASHOPTS",
    "PS4",
    "PROMPT_COMMAND",
    "HOME",
    "ZDOTDIR",
    "NODE_OPTIONS",
    "NODE_PATH",
    "PYTHONPATH",
    "PYTHONSTARTUP",
    "PYTHONHOME",
    "PERL5OPT",
    "PERL5LIB",
    "PERL5DB",
    "PERL5DBCMD",
    "RUBYOPT",
    "RUBYLIB",
    "GIT_SSH_COMMAND",
    "GIT_SSH",
    "GIT_PROXY_COMMAND",
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "GIT_EXTERNAL_DIFF",
    "GIT_EXEC_PATH",
    "GIT_EDITOR",
    "GIT_PAGER",
    "IFS",
    "GCONV_PATH",
    "SSLKEYLOGFILE",
    "LESSOPEN",
    "LESSCLOSE",
    "PAGER",
    "MANPAGER",
    "EDITOR",
    "VISUAL",
    "SUDO_EDITOR",
    "FCEDIT",
    "HISTFILE",
    "OPENSSL_CONF",
    "OPENSSL_ENGINES",
    "WGETRC",
    "CURL_HOME",
    "SHELL",
    "KSH_ENV",
    "GLIBC_TUNABLES",
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
    "RUSTC_WRAPPER",
    "PROMPT_COMMAND",
];

/// Name prefixes blocked (compared upper-cased).
pub const BLOCKED_ENV_PREFIXES: &[&str] =
    &["LD_", "DYLD_", "BASH_FUNC_", "GIT_CONFIG_", "NPM_CONFIG_"];

/// Whether setting `name` on a command is dangerous.
pub fn is_dangerous_env(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    BLOCKED_ENV.contains(&upper.as_str())
        || BLOCKED_ENV_PREFIXES.iter().any(|p| upper.starts_with(p))
}

/// Removes dangerous variables, `PATH` overrides (the executor sets `PATH` itself) and names
/// that are not `[A-Za-z_][A-Za-z0-9_]*` from an environment given for a command.
pub fn sanitize_exec_env(env: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    env.iter()
        .filter(|(k, _)| {
            let valid = k
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            valid && !is_dangerous_env(k) && !k.eq_ignore_ascii_case("PATH")
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// §2.9 rows 31–33.
    #[test]
    fn section_2_9_rows_31_to_33() {
        for k in [
            "BASH_ENV",
            "bash_env",
            "BASH_FUNC_echo%%",
            "ld_preload",
            "DYLD_INSERT_LIBRARIES",
            "SHELLOPTS",
            "ps4",
            "HOME",
        ] {
            assert!(is_dangerous_env(k), "{k}");
        }
        assert!(!is_dangerous_env("FOO"));
        let env: BTreeMap<String, String> = [
            ("PATH", "/tmp"),
            ("FOO", "1"),
            ("LD_PRELOAD", "x.so"),
            ("BASH_FUNC_ls%%", "() { id; }"),
            ("HOME", "/tmp"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let clean = sanitize_exec_env(&env);
        assert_eq!(clean.keys().collect::<Vec<_>>(), vec!["FOO"]);
    }
}
