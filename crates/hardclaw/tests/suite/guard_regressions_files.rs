//! Regression tests for reviewer-found file/network guard bypasses, through the real binary.
//! Each test is named after the bypass it closes.

use serde_json::{Value, json};

use super::common::Home;

const CONFIG: &str = r#"{
  tools: { exec: { security: "full", ask: "off" } },
  plugins: { entries: { "network-guard": { config: {
    allowedDomains: ["github.com", "*.github.com"], resolveDns: false,
  } } } },
}"#;

fn home() -> Home {
    let home = Home::new();
    home.write_config(CONFIG);
    std::fs::create_dir_all(home.dir.path().join("ws")).expect("mkdir");
    home
}

fn raw(home: &Home, args: &[&str]) -> std::process::Output {
    home.cmd()
        .args(["guard", "check", "--json"])
        .args(["--cwd", &home.dir.path().join("ws").display().to_string()])
        .args(args)
        .output()
        .expect("run")
}

fn check(home: &Home, tool: &str, params: Value) -> (i32, Value) {
    let out = raw(home, &["--tool", tool, "--params", &params.to_string()]);
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().expect("exit code"), v)
}

fn assert_verdict(home: &Home, tool: &str, params: Value, decision: &str, rule: &str) {
    let (code, v) = check(home, tool, params.clone());
    assert_eq!(v["decision"], decision, "{tool} {params}: {v:#}");
    if decision != "allow" {
        assert_eq!(v["rule"], rule, "{tool} {params}: {v:#}");
    }
    let want = match decision {
        "allow" => 0,
        "ask" => 4,
        _ => 3,
    };
    assert_eq!(code, want, "{tool} {params}: {v:#}");
}

#[test]
fn bypass_read_proc_self_environ() {
    let home = home();
    for p in [
        "/proc/self/environ",
        "/proc/1/environ",
        "/proc/self/mem",
        "/proc/self/fd/0",
    ] {
        assert_verdict(
            &home,
            "read",
            json!({"file_path": p}),
            "block",
            "process-secrets",
        );
    }
    // The command guard (env-disclosure) or the file guard: blocked either way, and the file
    // guard's own decision is process-secrets.
    let (code, v) = check(&home, "exec", json!({"command": "cat /proc/self/environ"}));
    assert_eq!((code, v["decision"].as_str()), (3, Some("block")), "{v:#}");
    let fg = v["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .find(|d| d["guard"] == "file-guard")
        .expect("file-guard decision");
    assert_eq!(fg["rule"], "process-secrets", "{v:#}");
    assert_verdict(
        &home,
        "read",
        json!({"file_path": "/proc/self/status"}),
        "allow",
        "",
    );
}

#[test]
fn bypass_unknown_program_writes_bashrc() {
    let home = home();
    for cmd in [
        "sponge ~/.bashrc",
        "patch ~/.bashrc p",
        "ed -s ~/.bashrc",
        "unknownwriter --out=~/.bashrc",
        "unknownwriter ~/.gitconfig",
    ] {
        let (code, v) = check(&home, "exec", json!({"command": cmd}));
        assert_ne!(v["decision"], "allow", "{cmd}: {v:#}");
        assert_ne!(code, 0, "{cmd}");
        let fg = v["decisions"]
            .as_array()
            .expect("decisions")
            .iter()
            .find(|d| d["guard"] == "file-guard")
            .expect("file-guard decision");
        assert_eq!(fg["decision"], "ask", "{cmd}: {v:#}");
        assert_eq!(fg["rule"], "shell-startup", "{cmd}: {v:#}");
    }
    assert_verdict(
        &home,
        "exec",
        json!({"command": "sponge ~/.ssh/id_rsa"}),
        "block",
        "credentials",
    );
}

#[test]
fn bypass_read_missing_credential_locations() {
    let home = home();
    for p in [
        "~/.config/gh/hosts.yml",
        "~/.pgpass",
        "~/.password-store/x.gpg",
        "~/.local/share/keyrings/login.keyring",
        "~/.mozilla/firefox/a.default/logins.json",
        "~/.mozilla/firefox/a.default/key4.db",
        "~/.config/google-chrome/Default/Login Data",
        "~/.config/chromium/Default/Cookies",
        "~/.config/hub",
        "~/.terraform.d/credentials.tfrc.json",
        "~/.azure/msal_token_cache.json",
        "~/.config/op/config",
    ] {
        assert_verdict(
            &home,
            "read",
            json!({"file_path": p}),
            "block",
            "credentials",
        );
    }
    assert_verdict(
        &home,
        "read",
        json!({"file_path": "~/.config/gh/config.yml"}),
        "allow",
        "",
    );
}

#[test]
fn bypass_malformed_params_fail_open() {
    let home = home();
    let ssh = home.dir.path().join(".ssh/id_rsa").display().to_string();
    assert_verdict(
        &home,
        "read",
        json!({"file_path": [ssh]}),
        "block",
        "invalid-input",
    );
    assert_verdict(&home, "read", json!({}), "block", "invalid-input");
    assert_verdict(&home, "web_fetch", json!({}), "block", "invalid-input");
    assert_verdict(
        &home,
        "web_fetch",
        json!({"URL": "http://127.0.0.1/"}),
        "block",
        "invalid-input",
    );
    assert_verdict(
        &home,
        "apply_patch",
        json!({"input": "garbage"}),
        "block",
        "invalid-input",
    );
    let patch = "*** Begin Patch\n***  Update File: ~/.bashrc\n@@\n+x\n*** End Patch\n";
    assert_verdict(
        &home,
        "apply_patch",
        json!({"input": patch}),
        "block",
        "shell-startup",
    );
}

#[test]
fn bypass_guard_check_usage_errors() {
    let home = home();
    for args in [
        vec!["--tool", "read", "--params", "{not json"],
        vec!["--tool", "exec"],
        vec!["--tool", "", "--params", "{}"],
        vec![
            "--tool",
            "read",
            "--params",
            r#"{"file_path":"a.txt","file_path":"/x/.ssh/id_rsa"}"#,
        ],
    ] {
        let out = raw(&home, &args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = raw(&home, &["--tool", "read", "--params", "{not json"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid JSON"));
    // Unknown tools are for the tool policy to judge.
    let out = raw(&home, &["--tool", "frobnicate", "--params", "{}"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn bypass_batch_duplicate_params_keys() {
    let home = home();
    let input = [
        r#"{"id": 1, "tool": "read", "params": {"file_path": "a.txt", "file_path": "~/.ssh/id_rsa"}}"#,
        r#"{"id": 2, "tool": "", "params": {}}"#,
        r#"{"id": 3, "tool": "read", "params": {"file_path": "a.txt"}}"#,
    ]
    .join("\n");
    let out = home
        .cmd()
        .args(["guard", "check", "--batch", "--cwd"])
        .arg(home.dir.path().join("ws"))
        .write_stdin(input)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3));
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["rule"], "invalid-input", "{:#}", lines[0]);
    assert_eq!(lines[1]["rule"], "invalid-input", "{:#}", lines[1]);
    assert_eq!(lines[2]["decision"], "allow", "{:#}", lines[2]);
}

#[test]
fn bypass_image_and_message_upload_local_files() {
    let home = home();
    assert_verdict(
        &home,
        "image",
        json!({"image": "~/.ssh/id_rsa"}),
        "block",
        "credentials",
    );
    for key in ["media", "filePath", "path"] {
        assert_verdict(
            &home,
            "message",
            json!({key: "~/.aws/credentials"}),
            "block",
            "credentials",
        );
    }
    assert_verdict(&home, "message", json!({"text": "hi"}), "allow", "");
}

#[test]
fn bypass_missing_explicit_pattern_file_ignored() {
    let home = Home::new();
    home.write_config(
        r#"{ plugins: { entries: { "file-guard": { config: { configPath: "/nonexistent/fg.json" } } } } }"#,
    );
    std::fs::create_dir_all(home.dir.path().join("ws")).expect("mkdir");
    assert_verdict(
        &home,
        "read",
        json!({"file_path": "notes.txt"}),
        "block",
        "config-error",
    );
    // Missing at the default location: the defaults.
    let home = self::home();
    assert_verdict(
        &home,
        "read",
        json!({"file_path": "notes.txt"}),
        "allow",
        "",
    );
}

#[test]
fn bypass_web_fetch_loopback_alias_names() {
    let home = home();
    for url in [
        "http://localtest.me/",
        "http://127.0.0.1.nip.io/",
        "http://x.sslip.io/",
        "http://127-0-0-1.github.com/",
        "http://localhost.github.com/",
    ] {
        assert_verdict(
            &home,
            "web_fetch",
            json!({"url": url}),
            "block",
            "blocked-hostname",
        );
    }
    assert_verdict(
        &home,
        "web_fetch",
        json!({"url": "https://api.github.com/"}),
        "allow",
        "",
    );
}
