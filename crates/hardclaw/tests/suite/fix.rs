//! `security audit --fix`: comment-preserving edits, backups, modes, permissions, dry run.

use std::os::unix::fs::PermissionsExt;

use predicates::prelude::*;

use super::common::{Home, mode};

const BEFORE: &str = r#"// my gateway config — comments must survive
{
  /* logging block */
  logging: {
    redactSensitive: 'off',   // TODO turn back on
    file: "~/.hardclaw/logs/gateway.log",
  },
  gateway: { auth: { token: "${HARDCLAW_GATEWAY_TOKEN}" } },

  channels: {
    telegram: {
      groupPolicy: "open", // anyone's groups
      groups: { "-100123": { requireMention: true } },
    },
  },
}
"#;

const AFTER: &str = r#"// my gateway config — comments must survive
{
  /* logging block */
  logging: {
    redactSensitive: "tools",   // TODO turn back on
    file: "~/.hardclaw/logs/gateway.log",
  },
  gateway: { auth: { token: "${HARDCLAW_GATEWAY_TOKEN}" } },

  channels: {
    telegram: {
      groupPolicy: "allowlist", // anyone's groups
      groups: { "-100123": { requireMention: true } },
    },
  },
}
"#;

#[test]
fn fix_edits_values_and_keeps_everything_else_byte_for_byte() {
    let home = Home::new();
    let path = home.write_config(BEFORE);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    std::fs::set_permissions(home.state(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = home
        .cmd()
        .env("HARDCLAW_GATEWAY_TOKEN", "x".repeat(40))
        .args(["security", "audit", "--fix", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(std::fs::read_to_string(&path).expect("read"), AFTER);
    assert_eq!(
        std::fs::read_to_string(path.with_extension("json.bak")).expect("backup"),
        BEFORE
    );
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&home.state()), 0o700);
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(v["fix"]["configWritten"], true);
    let changes: Vec<&str> = v["fix"]["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    assert!(
        changes.contains(&"logging.redactSensitive=off -> \"tools\""),
        "{changes:?}"
    );
    assert!(
        changes.contains(&"channels.telegram.groupPolicy=open -> allowlist"),
        "{changes:?}"
    );
    // The report reflects the fixed state.
    let ids: Vec<&str> = v["report"]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["checkId"].as_str())
        .collect();
    assert!(!ids.contains(&"logging.redact_off"), "{ids:?}");
    assert!(
        !ids.iter().any(|i| i.starts_with("fs.state_dir.perms")),
        "{ids:?}"
    );
    assert!(
        !ids.iter().any(|i| i.starts_with("fs.config.perms")),
        "{ids:?}"
    );
}

#[test]
fn second_fix_changes_nothing_and_writes_no_backup() {
    let home = Home::new();
    let path = home.write_config(AFTER);
    home.cmd()
        .env("HARDCLAW_GATEWAY_TOKEN", "x".repeat(40))
        .args(["security", "audit", "--fix"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Fixes: no changes applied"));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), AFTER);
    assert!(!path.with_extension("json.bak").exists());
}

#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let home = Home::new();
    let path = home.write_config(BEFORE);
    std::fs::set_permissions(home.state(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    home.cmd()
        .env("HARDCLAW_GATEWAY_TOKEN", "x".repeat(40))
        .args(["security", "audit", "--fix", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "-    redactSensitive: 'off',   // TODO turn back on",
        ))
        .stdout(predicate::str::contains(
            "+    redactSensitive: \"tools\",   // TODO turn back on",
        ));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), BEFORE);
    assert_eq!(mode(&home.state()), 0o755);
}
