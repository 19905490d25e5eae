//! Regression tests for reviewer-found bypasses, each named after the bypass.

use serde_json::json;

use super::testutil::*;
use crate::Decision;
use crate::guard::Verdict;

fn blocked(d: &Decision, rule: &str) {
    assert_eq!(d.decision, Verdict::Block, "{d:?}");
    assert_eq!(d.rule, rule, "{d:?}");
}

fn asked(d: &Decision, rule: &str) {
    assert_eq!(d.decision, Verdict::Ask, "{d:?}");
    assert_eq!(d.rule, rule, "{d:?}");
}

fn allowed(d: &Decision) {
    assert_eq!(d.decision, Verdict::Allow, "{d:?}");
}

fn read(p: &str) -> Decision {
    tool(&guard(), "read", json!({"file_path": p}))
}

#[test]
fn bypass_read_proc_self_environ() {
    for p in [
        "/proc/self/environ",
        "/proc/1/environ",
        "/proc/thread-self/environ",
        "/proc/self/task/7/environ",
        "/proc/self/mem",
        "/proc/4242/mem",
        "/proc/self/fd/3",
        "/proc/1/fd/0",
        "/proc/self/map_files/55d0-55d1",
        "/proc/self/../self/environ",
    ] {
        blocked(&read(p), "process-secrets");
    }
    // Harmless neighbours stay readable.
    for p in [
        "/proc/self/status",
        "/proc/cpuinfo",
        "/proc/self/maps",
        "/proc/1/cmdline",
    ] {
        allowed(&read(p));
    }
    // Through the shell too.
    let f = facts(vec![prog("cat", &[l("/proc/self/environ")], &[], &[])]);
    blocked(&shell(&guard(), &f), "process-secrets");
}

#[test]
fn bypass_unknown_program_writes_read_only_file() {
    let g = guard();
    for (p, args) in [
        ("sponge", vec!["~/.bashrc"]),
        ("patch", vec!["~/.bashrc", "p"]),
        ("ed", vec!["-s", "~/.bashrc"]),
        ("unknownwriter", vec!["--out=~/.bashrc"]),
        ("unknownwriter", vec!["/Users/test/.gitconfig"]),
        ("unknownwriter", vec!["~/.config/git/config"]),
        ("unknownwriter", vec!["~/.config/systemd/user/evil.service"]),
    ] {
        let f = facts(vec![unknown(p, &args)]);
        asked(&shell(&g, &f), "shell-startup");
    }
    // Identity files keep their rule.
    let f = facts(vec![unknown(
        "sponge",
        &["/Users/test/.hardclaw/workspace/SOUL.md"],
    )]);
    let d = check_in(
        &g,
        "exec",
        json!({"command": "…"}),
        CWD,
        None,
        Some(&f),
        &crate::guard::NoFilesystem,
    );
    asked(&d, "identity-files");
    // no_access stays a block.
    let f = facts(vec![unknown("sponge", &["~/.ssh/id_rsa"])]);
    blocked(&shell(&g, &f), "credentials");
    // An unknown program on ordinary files is still allowed.
    let f = facts(vec![unknown("sponge", &["out.txt"])]);
    allowed(&shell(&g, &f));
    let f = facts(vec![unknown("unknownwriter", &["--out=notes.md", "-v"])]);
    allowed(&shell(&g, &f));
}

#[test]
fn bypass_crontab_spool_and_persistence_writes() {
    let g = guard();
    for p in [
        "/var/spool/cron/crontabs/test",
        "/var/spool/cron/test",
        "/etc/cron.d/evil",
        "~/.gitconfig",
        "~/.config/git/config",
        "~/.config/systemd/user/x.service",
    ] {
        blocked(
            &tool(&g, "write", json!({"file_path": p, "content": "x"})),
            "shell-startup",
        );
        allowed(&tool(&g, "read", json!({"file_path": p})));
    }
    allowed(&tool(
        &g,
        "write",
        json!({"file_path": "~/project/.gitconfig.example", "content": "x"}),
    ));
}

#[test]
fn bypass_read_missing_credential_locations() {
    let attacks = [
        ("~/.config/gh/hosts.yml", "~/.config/gh/config.yml"),
        ("~/.pgpass", "~/.pgpass.example"),
        (
            "~/.password-store/email/gmail.gpg",
            "~/password-store-notes.md",
        ),
        (
            "~/.local/share/keyrings/login.keyring",
            "~/.local/share/applications/x.desktop",
        ),
        (
            "~/.mozilla/firefox/abcd.default/logins.json",
            "~/.mozilla/firefox/abcd.default/prefs.js",
        ),
        (
            "~/.mozilla/firefox/abcd.default/key4.db",
            "~/.mozilla/firefox/profiles.ini",
        ),
        (
            "~/.config/google-chrome/Default/Login Data",
            "~/.config/google-chrome/Default/Preferences",
        ),
        (
            "~/.config/chromium/Default/Cookies",
            "~/.config/chromium/Default/Bookmarks",
        ),
        ("~/.config/hub", "~/.config/hubble.toml"),
        (
            "~/.terraform.d/credentials.tfrc.json",
            "~/.terraform.d/plugins/x",
        ),
        ("~/.azure/accessTokens.json", "~/azure-notes.md"),
        ("~/.config/op/config", "~/.config/opera/x"),
        ("/home/other/.pgpass", "/home/other/notes.txt"),
    ];
    for (attack, benign) in attacks {
        blocked(&read(attack), "credentials");
        allowed(&read(benign));
    }
}

#[test]
fn bypass_read_malformed_params() {
    let g = guard();
    for (t, params) in [
        ("read", json!({"file_path": ["/Users/test/.ssh/id_rsa"]})),
        ("read", json!({"file_path": null})),
        ("read", json!({})),
        ("read", json!("~/.ssh/id_rsa")),
        ("write", json!({"file_path": 3, "content": "x"})),
        ("edit", json!({"path": {"p": "~/.bashrc"}})),
        (
            "read",
            json!({"path": "ok.txt", "file_path": ["~/.ssh/id_rsa"]}),
        ),
        ("apply_patch", json!({"input": "garbage"})),
        ("apply_patch", json!({})),
        (
            "apply_patch",
            json!({"input": ["*** Update File: ~/.bashrc"]}),
        ),
    ] {
        blocked(&tool(&g, t, params.clone()), "invalid-input");
    }
    allowed(&tool(&g, "read", json!({"file_path": "src/main.rs"})));
}

#[test]
fn bypass_apply_patch_loose_header() {
    let g = guard();
    for header in [
        "***  Update File: /Users/test/.bashrc",
        "*** update file: /Users/test/.bashrc",
        "***\tAdd  File: /Users/test/.bashrc",
    ] {
        let patch = format!("*** Begin Patch\n{header}\n@@\n+x\n*** End Patch\n");
        blocked(
            &tool(&g, "apply_patch", json!({"input": patch})),
            "shell-startup",
        );
    }
    let patch = "*** Begin Patch\n***  Update File: src/main.rs\n@@\n+x\n*** End Patch\n";
    allowed(&tool(&g, "apply_patch", json!({"input": patch})));
    // A second text parameter is judged too, and a plain `file_path` is a write of it.
    let evil = "*** Begin Patch\n*** Update File: /Users/test/.bashrc\n@@\n+x\n*** End Patch\n";
    blocked(
        &tool(&g, "apply_patch", json!({"input": patch, "patch": evil})),
        "shell-startup",
    );
    blocked(
        &tool(
            &g,
            "apply_patch",
            json!({"input": patch, "file_path": "/Users/test/.bashrc"}),
        ),
        "shell-startup",
    );
}

#[test]
fn bypass_image_and_message_upload_local_files() {
    let g = guard();
    blocked(
        &tool(&g, "image", json!({"image": "~/.ssh/id_rsa"})),
        "credentials",
    );
    for key in ["media", "filePath", "path"] {
        blocked(
            &tool(&g, "message", json!({key: "/Users/test/.aws/credentials"})),
            "credentials",
        );
    }
    blocked(&tool(&g, "message", json!({"media": 42})), "invalid-input");
    allowed(&tool(&g, "image", json!({"image": "screenshots/a.png"})));
    allowed(&tool(&g, "message", json!({"text": "hello"})));
    allowed(&tool(&g, "message", json!({"media": "out/report.pdf"})));
}

#[test]
fn bypass_missing_explicit_pattern_file_ignored() {
    let c = with_fg(json!({"configPath": "/nope/file-guard.json"}));
    let g = super::FileGuard::from_config(&c, &env(), None);
    blocked(
        &tool(&g, "read", json!({"file_path": "src/app.ts"})),
        "config-error",
    );
    assert!(super::FileGuard::pattern_file_is_explicit(&c));
    assert!(!super::FileGuard::pattern_file_is_explicit(&config(json!(
        {}
    ))));
}
