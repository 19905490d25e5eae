//! `hardclaw pairing list|approve|reject` through the real binary, against real pairing files.

use std::time::{Duration, SystemTime};

use hardclaw_store::{PairingOutcome, PairingStore};
use predicates::prelude::*;
use predicates::str::contains;

use super::common::{Home, mode};

fn request(
    home: &Home,
    channel: &str,
    account: Option<&str>,
    sender: &str,
    at: SystemTime,
) -> String {
    let store = PairingStore::new(home.state().join("credentials"));
    match store
        .request(channel, account, sender, at)
        .expect("request")
    {
        PairingOutcome::NewCode(c) => c,
        other => panic!("expected a code, got {other:?}"),
    }
}

#[test]
fn list_approve_and_the_allow_from_file() {
    let home = Home::new();
    let code = request(&home, "telegram", None, "tg:123", SystemTime::now());
    home.cmd()
        .args(["pairing", "list"])
        .assert()
        .success()
        .stdout(
            contains("telegram")
                .and(contains("123"))
                .and(contains(code.as_str())),
        );
    let out = home
        .cmd()
        .args(["pairing", "list", "telegram", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json[0]["code"], code.as_str());
    assert_eq!(json[0]["sender"], "123");

    home.cmd()
        .args(["pairing", "approve", "telegram", &code.to_lowercase()])
        .assert()
        .success()
        .stdout(contains("Approved 123 on telegram"));
    let allow = home.state().join("credentials/telegram-allowFrom.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&allow).expect("allowFrom")).expect("json");
    assert_eq!(
        json,
        serde_json::json!({"version": 1, "allowFrom": ["123"]})
    );
    assert_eq!(mode(&allow), 0o600);
    assert_eq!(mode(&home.state().join("credentials")), 0o700);
    home.cmd()
        .args(["pairing", "list", "telegram"])
        .assert()
        .success()
        .stdout(contains("No pending pairing requests on telegram."));
}

#[test]
fn unknown_or_expired_codes_exit_1_naming_the_channel() {
    let home = Home::new();
    home.cmd()
        .args(["pairing", "approve", "whatsapp", "ABCD2345"])
        .assert()
        .code(1)
        .stderr(contains(
            "no pending whatsapp pairing request with code ABCD2345",
        ));
    let old = SystemTime::now() - Duration::from_secs(61 * 60);
    let code = request(&home, "whatsapp", None, "+1555", old);
    home.cmd()
        .args(["pairing", "approve", "whatsapp", &code])
        .assert()
        .code(1)
        .stderr(contains("whatsapp").and(contains("expired")));
    assert!(
        !home
            .state()
            .join("credentials/whatsapp-allowFrom.json")
            .exists()
    );
}

#[test]
fn reject_deletes_the_request() {
    let home = Home::new();
    let code = request(&home, "signal", Some("work"), "+4670", SystemTime::now());
    home.cmd()
        .args(["pairing", "reject", "signal", &code])
        .assert()
        .success()
        .stdout(contains("Rejected"));
    home.cmd()
        .args(["pairing", "approve", "signal", &code])
        .assert()
        .code(1);
}

#[test]
fn traversal_channel_ids_are_refused() {
    let home = Home::new();
    home.cmd()
        .args(["pairing", "approve", "../x", "ABCD2345"])
        .assert()
        .code(1)
        .stderr(contains("invalid channel id"));
    home.cmd().args(["pairing", "list", "a/b"]).assert().code(1);
}

#[test]
fn openclaw_layout_is_read_with_the_flag() {
    let home = Home::new();
    let oc = home.dir.path().join(".openclaw");
    std::fs::create_dir(&oc).expect("mkdir");
    let store = PairingStore::new(oc.join("credentials"));
    let PairingOutcome::NewCode(code) = store
        .request("whatsapp", None, "+1555", SystemTime::now())
        .expect("request")
    else {
        panic!("no code");
    };
    home.cmd()
        .args(["--openclaw", "pairing", "approve", "whatsapp", &code])
        .assert()
        .success();
    assert!(oc.join("credentials/whatsapp-allowFrom.json").exists());
}
