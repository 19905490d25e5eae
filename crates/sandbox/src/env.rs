//! The command's environment: an allowlist, never the host's environment. Nothing like
//! `LD_PRELOAD`, `BASH_ENV`, tokens or the host's `PATH`/`HOME` crosses into the sandbox.

use crate::spec::WORKSPACE_DIR;

/// `PATH` inside the sandbox (fixed: the host's may name directories that are not mounted).
pub const SANDBOX_PATH: &str = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";

/// Host variables copied when their value is plain (`[A-Za-z0-9._@-]`, ≤ 64 bytes).
const PASSED_THROUGH: &[&str] = &["LANG", "LC_ALL", "LC_CTYPE", "TERM", "TZ"];

/// The proxy variables, all pointing at the in-sandbox forwarder.
pub const PROXY_VARS: &[&str] = &[
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
];

/// The sanitised environment (without the proxy variables; see [`proxy_env`]).
pub fn sanitized_env(host: &[(String, String)]) -> Vec<(String, String)> {
    let mut env = vec![
        ("PATH".to_string(), SANDBOX_PATH.to_string()),
        ("HOME".to_string(), "/tmp".to_string()),
        ("TMPDIR".to_string(), "/tmp".to_string()),
        ("PWD".to_string(), WORKSPACE_DIR.to_string()),
        ("HARDCLAW_SANDBOX".to_string(), "1".to_string()),
    ];
    for name in PASSED_THROUGH {
        if let Some((_, v)) = host.iter().find(|(k, _)| k == name)
            && is_plain(v)
        {
            env.push(((*name).to_string(), v.clone()));
        }
    }
    if !env.iter().any(|(k, _)| k == "LANG") {
        env.push(("LANG".to_string(), "C.UTF-8".to_string()));
    }
    env
}

/// The proxy variables for a forwarder on `127.0.0.1:port`; `NO_PROXY` is empty so even
/// loopback goes through the proxy.
pub fn proxy_env(port: u16) -> Vec<(String, String)> {
    let url = format!("http://127.0.0.1:{port}");
    let mut v: Vec<(String, String)> = PROXY_VARS
        .iter()
        .map(|k| ((*k).to_string(), url.clone()))
        .collect();
    v.push(("NO_PROXY".to_string(), String::new()));
    v.push(("no_proxy".to_string(), String::new()));
    v
}

fn is_plain(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 64
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@' | b'/'))
        && !v.contains("..")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn nothing_dangerous_crosses() {
        let env = sanitized_env(&host(&[
            ("LD_PRELOAD", "/tmp/evil.so"),
            ("BASH_ENV", "/tmp/x"),
            ("PATH", "/root/bin:/usr/bin"),
            ("HOME", "/root"),
            ("OPENAI_API_KEY", "sk-123"),
            ("NODE_OPTIONS", "--require /tmp/x"),
            ("LANG", "en_US.UTF-8"),
            ("TERM", "xterm-256color"),
        ]));
        let keys: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "PATH",
                "HOME",
                "TMPDIR",
                "PWD",
                "HARDCLAW_SANDBOX",
                "LANG",
                "TERM"
            ]
        );
        assert_eq!(env[0].1, SANDBOX_PATH);
        assert_eq!(env[1].1, "/tmp");
        assert_eq!(env[5].1, "en_US.UTF-8");
    }

    #[test]
    fn odd_values_are_dropped_and_lang_defaults() {
        let env = sanitized_env(&host(&[("LANG", "$(reboot)"), ("TERM", "x\ny")]));
        assert!(env.contains(&("LANG".into(), "C.UTF-8".into())));
        assert!(!env.iter().any(|(k, _)| k == "TERM"));
    }

    #[test]
    fn proxy_vars_point_at_the_forwarder() {
        let env = proxy_env(4242);
        assert_eq!(env.len(), 8);
        assert!(env.contains(&("https_proxy".into(), "http://127.0.0.1:4242".into())));
        assert!(env.contains(&("NO_PROXY".into(), String::new())));
    }
}
