//! `fs_perms`: every check id with a triggering setup (real files, real modes, real symlinks)
//! and a benign neighbour.

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use tempfile::TempDir;

use super::collect;
use crate::finding::{Finding, Severity};
use crate::test_support::{Fixture, find, ids};

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

fn dir(path: &Path, mode: u32) {
    fs::create_dir_all(path).expect("mkdir");
    chmod(path, mode);
}

fn file(path: &Path, mode: u32) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir parent");
    }
    fs::write(path, "{}").expect("write");
    chmod(path, mode);
}

/// A home in a tempdir with a locked-down state dir `~/.hardclaw` and config.
struct Home {
    tmp: TempDir,
}

impl Home {
    fn new() -> Home {
        let tmp = tempfile::tempdir().expect("tempdir");
        let h = Home { tmp };
        dir(&h.state(), 0o700);
        file(&h.state().join("hardclaw.json"), 0o600);
        h
    }
    fn home(&self) -> PathBuf {
        self.tmp.path().to_path_buf()
    }
    fn state(&self) -> PathBuf {
        self.tmp.path().join(".hardclaw")
    }
    fn fixture(&self, raw: Value) -> Fixture {
        let mut fx = Fixture::with_state(raw, &self.state());
        fx.locations.home = self.home();
        fx
    }
    fn run(&self, raw: Value) -> Vec<Finding> {
        self.fixture(raw).run(collect)
    }
}

fn only(findings: &[Finding], id: &str) -> usize {
    findings.iter().filter(|f| f.check_id == id).count()
}

#[test]
fn locked_down_install_is_clean() {
    let h = Home::new();
    dir(&h.state().join("credentials/whatsapp/default"), 0o700);
    chmod(&h.state().join("credentials"), 0o700);
    chmod(&h.state().join("credentials/whatsapp"), 0o700);
    file(
        &h.state().join("credentials/whatsapp/default/creds.json"),
        0o600,
    );
    file(
        &h.state().join("agents/main/agent/auth-profiles.json"),
        0o600,
    );
    file(&h.state().join("agents/main/sessions/sessions.json"), 0o600);
    file(&h.state().join("agents/main/sessions/abc.jsonl"), 0o600);
    file(&h.state().join(".env"), 0o600);
    file(&h.state().join("hardclaw.json.bak"), 0o600);
    file(&h.state().join("exec-approvals.json"), 0o600);
    file(&h.state().join("gateway.log"), 0o600);
    let f = h.run(json!({"logging": {"file": "~/.hardclaw/gateway.log"}}));
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn missing_paths_produce_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let fx = Fixture::with_state(
        json!({"logging": {"file": "/nonexistent/x.log"}, "agents": {"list": [{"id": "work"}]}}),
        &tmp.path().join("absent"),
    );
    assert!(fx.run(collect).is_empty());
}

#[test]
fn state_dir_world_writable_is_critical_with_chmod_700() {
    let h = Home::new();
    chmod(&h.state(), 0o777);
    let f = h.run(json!({}));
    let x = find(&f, "fs.state_dir.perms_world_writable");
    assert_eq!(x.severity, Severity::Critical);
    assert_eq!(x.remediation.as_deref(), Some("chmod 700 ~/.hardclaw"));
    assert!(x.detail.contains("0777"), "{}", x.detail);
    // else-if chain: only one state-dir perms finding.
    assert_eq!(only(&f, "fs.state_dir.perms_group_writable"), 0);
    assert_eq!(only(&f, "fs.state_dir.perms_readable"), 0);
}

#[test]
fn state_dir_group_writable_is_warn() {
    let h = Home::new();
    chmod(&h.state(), 0o770);
    let f = h.run(json!({}));
    let x = find(&f, "fs.state_dir.perms_group_writable");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(only(&f, "fs.state_dir.perms_world_writable"), 0);
    assert_eq!(only(&f, "fs.state_dir.perms_readable"), 0);
}

#[test]
fn state_dir_readable_is_warn_and_700_is_clean() {
    for mode in [0o750, 0o705, 0o755] {
        let h = Home::new();
        chmod(&h.state(), mode);
        let f = h.run(json!({}));
        assert_eq!(
            find(&f, "fs.state_dir.perms_readable").severity,
            Severity::Warn
        );
    }
    let h = Home::new();
    chmod(&h.state(), 0o700);
    assert!(h.run(json!({})).is_empty());
}

#[test]
fn state_dir_symlink_is_reported_with_target_perms() {
    let h = Home::new();
    let real = h.home().join("real-state");
    dir(&real, 0o755);
    let link = h.home().join("link-state");
    symlink(&real, &link).expect("symlink");
    let mut fx = Fixture::with_state(json!({}), &link);
    fx.locations.home = h.home();
    let f = fx.run(collect);
    let s = find(&f, "fs.state_dir.symlink");
    assert_eq!(s.severity, Severity::Warn);
    assert!(s.detail.contains("~/real-state"), "{}", s.detail);
    // Perms come from the target (0755 → readable), reported in addition.
    assert_eq!(
        find(&f, "fs.state_dir.perms_readable").severity,
        Severity::Warn
    );

    // Benign neighbour: a symlink to a 0700 dir still gets the symlink warning only.
    chmod(&real, 0o700);
    assert_eq!(ids(&fx.run(collect)), vec!["fs.state_dir.symlink"]);
}

#[test]
fn config_writable_is_critical() {
    for mode in [0o620, 0o602, 0o666] {
        let h = Home::new();
        chmod(&h.state().join("hardclaw.json"), mode);
        let f = h.run(json!({}));
        let x = find(&f, "fs.config.perms_writable");
        assert_eq!(x.severity, Severity::Critical);
        assert_eq!(
            x.remediation.as_deref(),
            Some("chmod 600 ~/.hardclaw/hardclaw.json")
        );
        assert_eq!(only(&f, "fs.config.perms_world_readable"), 0);
        assert_eq!(only(&f, "fs.config.perms_group_readable"), 0);
    }
}

#[test]
fn config_world_then_group_readable() {
    let h = Home::new();
    chmod(&h.state().join("hardclaw.json"), 0o644);
    let f = h.run(json!({}));
    assert_eq!(
        find(&f, "fs.config.perms_world_readable").severity,
        Severity::Critical
    );
    assert_eq!(only(&f, "fs.config.perms_group_readable"), 0);

    chmod(&h.state().join("hardclaw.json"), 0o640);
    let f = h.run(json!({}));
    assert_eq!(
        find(&f, "fs.config.perms_group_readable").severity,
        Severity::Warn
    );
    assert_eq!(only(&f, "fs.config.perms_world_readable"), 0);

    chmod(&h.state().join("hardclaw.json"), 0o600);
    assert!(h.run(json!({})).is_empty());
}

#[test]
fn config_symlink_suppresses_only_readable_findings() {
    let h = Home::new();
    let real = h.home().join("real.json");
    file(&real, 0o644);
    let cfg = h.state().join("hardclaw.json");
    fs::remove_file(&cfg).expect("rm");
    symlink(&real, &cfg).expect("symlink");
    let f = h.run(json!({}));
    let s = find(&f, "fs.config.symlink");
    assert_eq!(s.severity, Severity::Warn);
    assert!(
        s.remediation
            .as_deref()
            .unwrap_or("")
            .contains("HARDCLAW_CONFIG_PATH")
    );
    assert_eq!(only(&f, "fs.config.perms_world_readable"), 0);
    assert_eq!(only(&f, "fs.config.perms_group_readable"), 0);

    // Writable is still reported through the link.
    chmod(&real, 0o666);
    let f = h.run(json!({}));
    assert_eq!(
        find(&f, "fs.config.perms_writable").severity,
        Severity::Critical
    );
    assert_eq!(only(&f, "fs.config.symlink"), 1);
}

#[test]
fn include_files_are_checked() {
    let h = Home::new();
    let a = h.state().join("inc/a.json5");
    let b = h.state().join("inc/b.json5");
    let c = h.state().join("inc/c.json5");
    let d = h.state().join("inc/d.json5");
    file(&a, 0o660);
    file(&b, 0o604);
    file(&c, 0o640);
    file(&d, 0o600);
    chmod(&h.state().join("inc"), 0o700);
    let mut fx = h.fixture(json!({}));
    fx.loaded.includes = vec![
        a.clone(),
        b.clone(),
        c.clone(),
        d,
        h.state().join("gone.json5"),
    ];
    let f = fx.run(collect);
    assert_eq!(
        ids(&f),
        vec![
            "fs.config_include.perms_writable",
            "fs.config_include.perms_world_readable",
            "fs.config_include.perms_group_readable",
        ]
    );
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[1].severity, Severity::Critical);
    assert_eq!(f[2].severity, Severity::Warn);
    assert_eq!(
        f[0].remediation.as_deref(),
        Some("chmod 600 ~/.hardclaw/inc/a.json5")
    );
    assert!(f[1].detail.contains("b.json5"));
}

#[test]
fn credentials_dir_writable_then_readable() {
    let h = Home::new();
    let creds = h.state().join("credentials");
    dir(&creds, 0o770);
    let f = h.run(json!({}));
    let x = find(&f, "fs.credentials_dir.perms_writable");
    assert_eq!(x.severity, Severity::Critical);
    assert_eq!(
        x.remediation.as_deref(),
        Some("chmod 700 ~/.hardclaw/credentials")
    );
    chmod(&creds, 0o750);
    let f = h.run(json!({}));
    assert_eq!(
        find(&f, "fs.credentials_dir.perms_readable").severity,
        Severity::Warn
    );
    assert_eq!(only(&f, "fs.credentials_dir.perms_writable"), 0);
    chmod(&creds, 0o700);
    assert!(h.run(json!({})).is_empty());
}

#[test]
fn credentials_dir_from_override_location() {
    let h = Home::new();
    let oauth = h.home().join("oauth");
    dir(&oauth, 0o755);
    let mut fx = h.fixture(json!({}));
    fx.locations.credentials_dir = oauth;
    let f = fx.run(collect);
    assert_eq!(
        find(&f, "fs.credentials_dir.perms_readable")
            .remediation
            .as_deref(),
        Some("chmod 700 ~/oauth")
    );
}

#[test]
fn auth_profiles_for_main_and_listed_agents() {
    let h = Home::new();
    file(
        &h.state().join("agents/main/agent/auth-profiles.json"),
        0o644,
    );
    file(
        &h.state().join("agents/work/agent/auth-profiles.json"),
        0o622,
    );
    file(
        &h.state().join("agents/other/agent/auth-profiles.json"),
        0o644,
    );
    let f = h.run(json!({"agents": {"list": [{"id": " Work "}]}}));
    let readable: Vec<&Finding> = f
        .iter()
        .filter(|x| x.check_id == "fs.auth_profiles.perms_readable")
        .collect();
    assert_eq!(
        readable.len(),
        1,
        "only main and the listed agent are checked"
    );
    assert_eq!(readable[0].severity, Severity::Warn);
    assert!(readable[0].detail.contains("`main`"));
    let w = find(&f, "fs.auth_profiles.perms_writable");
    assert_eq!(w.severity, Severity::Critical);
    assert!(w.detail.contains("`work`"));
    assert_eq!(
        w.remediation.as_deref(),
        Some("chmod 600 ~/.hardclaw/agents/work/agent/auth-profiles.json")
    );
}

#[test]
fn sessions_store_readable() {
    let h = Home::new();
    let p = h.state().join("agents/main/sessions/sessions.json");
    file(&p, 0o640);
    let f = h.run(json!({}));
    let x = find(&f, "fs.sessions_store.perms_readable");
    assert_eq!(x.severity, Severity::Warn);
    chmod(&p, 0o600);
    assert_eq!(
        only(&h.run(json!({})), "fs.sessions_store.perms_readable"),
        0
    );
}

#[test]
fn log_file_tilde_expanded() {
    let h = Home::new();
    let log = h.home().join("logs/hc.log");
    file(&log, 0o644);
    let raw = json!({"logging": {"file": "~/logs/hc.log"}});
    let f = h.run(raw.clone());
    let x = find(&f, "fs.log_file.perms_readable");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(x.json_path.as_deref(), Some("logging.file"));
    assert_eq!(x.remediation.as_deref(), Some("chmod 600 ~/logs/hc.log"));
    chmod(&log, 0o600);
    assert!(h.run(raw).is_empty());
    // No logging.file: nothing even though the file is there.
    chmod(&log, 0o644);
    assert!(h.run(json!({})).is_empty());
}

#[test]
fn env_file_readable() {
    let h = Home::new();
    let env = h.state().join(".env");
    file(&env, 0o640);
    let f = h.run(json!({}));
    assert_eq!(
        find(&f, "fs.env_file.perms_readable").severity,
        Severity::Warn
    );
    chmod(&env, 0o644);
    let f = h.run(json!({}));
    let x = find(&f, "fs.env_file.perms_readable");
    assert_eq!(x.severity, Severity::Critical);
    assert_eq!(x.remediation.as_deref(), Some("chmod 600 ~/.hardclaw/.env"));
    chmod(&env, 0o620);
    assert_eq!(
        find(&h.run(json!({})), "fs.env_file.perms_readable").severity,
        Severity::Critical
    );
    chmod(&env, 0o600);
    assert!(h.run(json!({})).is_empty());
}

#[test]
fn credentials_subtree_walk() {
    let h = Home::new();
    let creds = h.state().join("credentials");
    dir(&creds, 0o700);
    dir(&creds.join("whatsapp/acct"), 0o700);
    chmod(&creds.join("whatsapp"), 0o700);
    let creds_json = creds.join("whatsapp/acct/creds.json");
    file(&creds_json, 0o640);
    let f = h.run(json!({}));
    let x = find(&f, "fs.credentials_subdir.perms");
    assert_eq!(x.severity, Severity::Warn);
    assert!(
        x.detail.contains("whatsapp/acct/creds.json"),
        "{}",
        x.detail
    );
    assert_eq!(
        x.remediation.as_deref(),
        Some("chmod -R go= ~/.hardclaw/credentials (directories 700, files 600)")
    );

    // World access or group write escalates.
    chmod(&creds.join("whatsapp"), 0o755);
    chmod(&creds_json, 0o600);
    let f = h.run(json!({}));
    let x = find(&f, "fs.credentials_subdir.perms");
    assert_eq!(x.severity, Severity::Critical);
    assert!(x.detail.contains("whatsapp (dir 0755)"), "{}", x.detail);

    chmod(&creds.join("whatsapp"), 0o700);
    assert!(h.run(json!({})).is_empty());
}

#[test]
fn credentials_subtree_does_not_follow_symlinked_dirs() {
    let h = Home::new();
    let creds = h.state().join("credentials");
    dir(&creds, 0o700);
    let outside = h.home().join("outside");
    dir(&outside, 0o700);
    file(&outside.join("leak.json"), 0o644);
    symlink(&outside, creds.join("linked")).expect("symlink");
    // A loop back to the credentials dir must not hang.
    symlink(&creds, creds.join("loop")).expect("symlink");
    assert!(h.run(json!({})).is_empty());
    // A symlinked file whose target is readable is reported.
    let target = h.home().join("token.txt");
    file(&target, 0o644);
    symlink(&target, creds.join("token")).expect("symlink");
    let f = h.run(json!({}));
    assert!(
        find(&f, "fs.credentials_subdir.perms")
            .detail
            .contains("via symlink")
    );
}

#[test]
fn session_transcripts_readable() {
    let h = Home::new();
    let sessions = h.state().join("agents/work/sessions");
    file(&sessions.join("a.jsonl"), 0o640);
    file(&sessions.join("b.jsonl"), 0o600);
    file(&sessions.join("notes.txt"), 0o644);
    let raw = json!({"agents": {"list": [{"id": "work"}]}});
    let f = h.run(raw.clone());
    assert_eq!(only(&f, "fs.session_transcripts.perms_readable"), 1);
    let x = find(&f, "fs.session_transcripts.perms_readable");
    assert_eq!(x.severity, Severity::Warn);
    assert!(x.detail.contains("a.jsonl") && !x.detail.contains("b.jsonl"));
    assert!(x.detail.contains("`work`"));
    assert_eq!(
        x.remediation.as_deref(),
        Some("chmod 600 ~/.hardclaw/agents/work/sessions/*.jsonl*")
    );
    chmod(&sessions.join("a.jsonl"), 0o644);
    assert_eq!(
        find(&h.run(raw.clone()), "fs.session_transcripts.perms_readable").severity,
        Severity::Critical
    );
    chmod(&sessions.join("a.jsonl"), 0o600);
    assert!(h.run(raw).is_empty());
}

#[test]
fn config_backups_readable() {
    let h = Home::new();
    file(&h.state().join("hardclaw.json.bak"), 0o644);
    file(&h.state().join("hardclaw.json.bak.1"), 0o640);
    file(&h.state().join("hardclaw.json.bak.2"), 0o600);
    file(&h.state().join("other.json.bak"), 0o644);
    let f = h.run(json!({}));
    let backups: Vec<&Finding> = f
        .iter()
        .filter(|x| x.check_id == "fs.config_backup.perms_readable")
        .collect();
    assert_eq!(backups.len(), 2, "{f:#?}");
    assert_eq!(backups[0].severity, Severity::Critical);
    assert!(backups[0].detail.contains("hardclaw.json.bak "));
    assert_eq!(backups[1].severity, Severity::Warn);
    assert!(
        backups[1]
            .remediation
            .as_deref()
            .unwrap_or("")
            .starts_with("chmod 600 ~/.hardclaw/hardclaw.json.bak.1")
    );
}

#[test]
fn exec_approvals_writable_is_critical() {
    let h = Home::new();
    let p = h.state().join("exec-approvals.json");
    file(&p, 0o664);
    let f = h.run(json!({}));
    let x = find(&f, "fs.exec_approvals.perms");
    assert_eq!(x.severity, Severity::Critical);
    assert!(x.detail.contains("members of its group"));
    chmod(&p, 0o646);
    assert!(
        find(&h.run(json!({})), "fs.exec_approvals.perms")
            .detail
            .contains("any local user")
    );
    // Readable but not writable: not this check.
    chmod(&p, 0o644);
    assert!(h.run(json!({})).is_empty());
}

#[test]
fn remediation_paths_are_quoted() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = tmp.path().join("my state");
    dir(&state, 0o755);
    let mut fx = Fixture::with_state(json!({}), &state);
    fx.locations.home = tmp.path().to_path_buf();
    let f = fx.run(collect);
    assert_eq!(
        find(&f, "fs.state_dir.perms_readable")
            .remediation
            .as_deref(),
        Some("chmod 700 ~/'my state'")
    );
}

#[test]
fn auth_profiles_in_custom_agent_dir() {
    let h = Home::new();
    file(
        &h.home().join("agents-elsewhere/ops/auth-profiles.json"),
        0o644,
    );
    let raw = json!({"agents": {"list": [{"id": "ops", "agentDir": "~/agents-elsewhere/ops"}]}});
    let f = h.run(raw);
    let x = find(&f, "fs.auth_profiles.perms_readable");
    assert!(x.detail.contains("`ops`"));
    assert_eq!(
        x.remediation.as_deref(),
        Some("chmod 600 ~/agents-elsewhere/ops/auth-profiles.json")
    );
    chmod(
        &h.home().join("agents-elsewhere/ops/auth-profiles.json"),
        0o600,
    );
    let raw = json!({"agents": {"list": [{"id": "ops", "agentDir": "~/agents-elsewhere/ops"}]}});
    assert!(h.run(raw).is_empty());
}
