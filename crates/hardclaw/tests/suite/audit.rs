//! `security audit`: formats, exit codes, the guide's configs, snapshots of the human report.

use predicates::prelude::*;
use serde_json::Value;

use super::common::{GUIDE_ENV, Home, guide_example};

const EXPOSED: &str = r#"{
  // Listening on every interface with no authentication: the worst case.
  gateway: { bind: "lan", auth: { mode: "none" } },
  logging: { redactSensitive: "off" },
  channels: { telegram: { botToken: "123456:literal-bot-token", groupPolicy: "open" } },
}
"#;

fn audit_json(home: &Home, extra: &[&str]) -> Value {
    let mut cmd = home.cmd();
    cmd.envs(GUIDE_ENV.iter().copied())
        .args(["security", "audit", "--json"])
        .args(extra);
    let out = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).expect("audit --json prints JSON")
}

fn check_ids(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["checkId"].as_str().expect("checkId").to_string())
        .collect()
}

#[test]
fn json_report_has_openclaws_shape() {
    let home = Home::new();
    home.write_config(EXPOSED);
    let report = audit_json(&home, &[]);
    assert!(report["ts"].as_u64().is_some());
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings[0]["checkId"], "summary.attack_surface");
    let critical = findings
        .iter()
        .filter(|f| f["severity"] == "critical")
        .count();
    assert_eq!(
        report["summary"]["critical"].as_u64(),
        Some(critical as u64)
    );
    assert!(critical > 0);
    assert!(report.get("deep").is_none());
    for f in findings {
        for key in ["checkId", "severity", "title", "detail"] {
            assert!(f[key].is_string(), "{key} missing in {f}");
        }
    }
    let ids = check_ids(&report);
    for id in [
        "gateway.bind_no_auth",
        "logging.redact_off",
        "config.secrets.channel_token_in_config",
    ] {
        assert!(ids.iter().any(|i| i == id), "{id} not in {ids:?}");
    }
    assert!(!report.to_string().contains("literal-bot-token"));
}

#[test]
fn recommended_guide_config_has_no_critical_finding() {
    let home = Home::new();
    home.write_config(&guide_example("recommended.json5"));
    let report = audit_json(&home, &[]);
    let critical: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "critical")
        .collect();
    assert!(critical.is_empty(), "critical findings: {critical:#?}");
}

#[test]
fn fail_on_sets_exit_code_3() {
    let home = Home::new();
    home.write_config(EXPOSED);
    home.cmd().args(["security", "audit"]).assert().success();
    home.cmd()
        .args(["security", "audit", "--fail-on", "critical"])
        .assert()
        .code(3);
    let clean = Home::new();
    clean
        .cmd()
        .args(["security", "audit", "--fail-on", "critical"])
        .assert()
        .success();
    clean
        .cmd()
        .args(["security", "audit", "--fail-on", "info"])
        .assert()
        .code(3);
}

#[test]
fn invalid_config_exits_1_with_the_validate_error() {
    let home = Home::new();
    let path = home.write_config("{ gateway: { port: 'x' } }");
    home.cmd()
        .args(["security", "audit"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "{}:1:14: gateway.port",
            path.display()
        )));
}

#[test]
fn sarif_locates_the_offending_key() {
    let home = Home::new();
    let path = home.write_config(EXPOSED);
    let out = home
        .cmd()
        .args(["security", "audit", "--sarif"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let sarif: Value = serde_json::from_slice(&out).expect("sarif json");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "hardclaw");
    let results = run["results"].as_array().expect("results");
    let redact = results
        .iter()
        .find(|r| r["ruleId"] == "logging.redact_off")
        .expect("redact_off result");
    assert_eq!(redact["level"], "warning");
    let loc = &redact["locations"][0];
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uri"],
        format!("file://{}", path.display())
    );
    assert_eq!(loc["physicalLocation"]["region"]["startLine"], 4);
    assert_eq!(
        loc["logicalLocations"][0]["fullyQualifiedName"],
        "logging.redactSensitive"
    );
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.iter().any(|r| r["id"] == "gateway.bind_no_auth"));
}

#[test]
fn human_report_snapshot_exposed() {
    let home = Home::new();
    home.write_config(EXPOSED);
    let out = home
        .cmd()
        .args(["security", "audit"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!("human_exposed", home.scrub(&String::from_utf8_lossy(&out)));
}

#[test]
fn human_report_snapshot_recommended() {
    let home = Home::new();
    home.write_config(&guide_example("recommended.json5"));
    let out = home
        .cmd()
        .envs(GUIDE_ENV.iter().copied())
        .args(["security", "audit"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!(
        "human_recommended",
        home.scrub(&String::from_utf8_lossy(&out))
    );
}

#[test]
fn human_report_snapshot_default_install() {
    let home = Home::new();
    let out = home
        .cmd()
        .args(["security", "audit"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!("human_default", home.scrub(&String::from_utf8_lossy(&out)));
}

#[test]
fn deep_probe_reports_no_gateway() {
    let home = Home::new();
    // Port 9 on loopback: nothing listens there in tests.
    let report = {
        let out = home
            .cmd()
            .env("HARDCLAW_GATEWAY_PORT", "9")
            .args(["security", "audit", "--json", "--deep"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice::<Value>(&out).expect("json")
    };
    assert_eq!(report["deep"]["gateway"]["attempted"], true);
    assert_eq!(report["deep"]["gateway"]["ok"], false);
    assert!(
        check_ids(&report)
            .iter()
            .any(|i| i == "gateway.probe_failed")
    );
}

#[test]
fn duplicate_keys_are_critical_findings_with_their_lines() {
    let home = Home::new();
    home.write_config("{\n  gateway: { bind: 'loopback' },\n  gateway: { bind: 'lan' },\n}\n");
    let report = audit_json(&home, &[]);
    let dup = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["checkId"] == "config.duplicate_keys")
        .expect("duplicate finding");
    assert_eq!(dup["severity"], "critical");
    assert!(
        dup["detail"].as_str().expect("detail").contains(":3:"),
        "{dup}"
    );
}

#[test]
fn include_files_are_permission_checked_and_fixed() {
    use std::os::unix::fs::PermissionsExt;
    let home = Home::new();
    let inc = home.state().join("channels.json5");
    std::fs::write(&inc, "{ telegram: { groupPolicy: 'open' } }").expect("write");
    std::fs::set_permissions(&inc, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    home.write_config("{ channels: { $include: './channels.json5' } }");
    let ids = check_ids(&audit_json(&home, &[]));
    assert!(
        ids.iter().any(|i| i == "fs.config_include.perms_writable"),
        "{ids:?}"
    );
    let fixed = audit_json(&home, &["--fix"]);
    let ids = check_ids(&fixed["report"]);
    assert!(
        !ids.iter().any(|i| i.starts_with("fs.config_include")),
        "{ids:?}"
    );
    assert_eq!(super::common::mode(&inc), 0o600);
    // The open group policy lived in the include: the edit went there.
    let text = std::fs::read_to_string(&inc).expect("read");
    assert_eq!(text, "{ telegram: { groupPolicy: \"allowlist\" } }");
}
