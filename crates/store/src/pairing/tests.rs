use std::os::unix::fs::PermissionsExt;
use std::time::UNIX_EPOCH;

use super::*;

fn t(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_767_000_000 + secs)
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0)
}

fn store() -> (tempfile::TempDir, PairingStore) {
    let tmp = tempfile::tempdir().unwrap();
    let s = PairingStore::new(tmp.path().join("credentials"));
    (tmp, s)
}

fn code(o: PairingOutcome) -> String {
    match o {
        PairingOutcome::NewCode(c) => c,
        other => panic!("expected a code, got {other:?}"),
    }
}

#[test]
fn codes_use_the_unambiguous_alphabet() {
    for _ in 0..200 {
        let c = new_code(&[]).unwrap();
        assert_eq!(c.len(), CODE_LEN);
        assert!(c.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{c}");
        assert!(!c.contains(['0', 'O', '1', 'I', 'L']), "{c}");
    }
}

#[test]
fn section_5_7_row_1_unknown_sender_gets_a_code_in_openclaw_shape() {
    let (_tmp, s) = store();
    let c = code(s.request("whatsapp", None, "+1 555 0001", t(0)).unwrap());
    let path = s.pairing_path("whatsapp").unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["requests"][0]["id"], "+15550001");
    assert_eq!(json["requests"][0]["code"], c.as_str());
    assert!(
        json["requests"][0]["createdAt"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(s.dir()), 0o700);
}

#[test]
fn section_5_7_row_7_fourth_sender_gets_no_code() {
    let (_tmp, s) = store();
    for i in 0..3 {
        code(s.request("telegram", None, &format!("{i}"), t(i)).unwrap());
    }
    assert_eq!(
        s.request("telegram", None, "99", t(10)).unwrap(),
        PairingOutcome::LimitReached
    );
    // Another channel has its own limit.
    code(s.request("signal", None, "+4670", t(10)).unwrap());
    // After the first ones expire, a new sender gets a code again.
    code(s.request("telegram", None, "99", t(3600 + 5)).unwrap());
}

#[test]
fn section_5_7_row_8_repeat_sender_refreshes_without_a_new_code() {
    let (_tmp, s) = store();
    let c = code(s.request("telegram", None, "123", t(0)).unwrap());
    assert_eq!(
        s.request("telegram", None, "tg:123", t(60)).unwrap(),
        PairingOutcome::AlreadyPending
    );
    let list = s.list(Some("telegram"), t(61)).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].code, c);
    assert_eq!(list[0].last_seen_at, format_rfc3339(t(60)));
}

#[test]
fn section_5_7_row_9_approval_is_case_insensitive() {
    let (_tmp, s) = store();
    let c = code(s.request("telegram", None, "123", t(0)).unwrap());
    let approved = s
        .approve("telegram", &format!("  {}  ", c.to_lowercase()), t(1))
        .unwrap();
    assert_eq!(
        approved,
        Approved {
            sender: "123".into(),
            account: None
        }
    );
    assert_eq!(s.read_approved("telegram", None).unwrap(), ["123"]);
    let allow = s.allow_from_path("telegram", None).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&allow).unwrap()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"version": 1, "allowFrom": ["123"]})
    );
    assert_eq!(mode(&allow), 0o600);
    assert!(s.list(Some("telegram"), t(2)).unwrap().is_empty());
    // A used code cannot be approved twice.
    assert!(matches!(
        s.approve("telegram", &c, t(3)),
        Err(PairingError::UnknownCode { .. })
    ));
}

#[test]
fn section_5_7_row_10_expired_code_is_not_approvable() {
    let (_tmp, s) = store();
    let c = code(s.request("telegram", None, "123", t(0)).unwrap());
    assert!(s.list(Some("telegram"), t(61 * 60)).unwrap().is_empty());
    let err = s.approve("telegram", &c, t(61 * 60)).unwrap_err();
    assert!(err.to_string().contains("telegram"), "{err}");
    assert!(s.read_approved("telegram", None).unwrap().is_empty());
}

#[test]
fn section_5_7_row_11_traversal_ids_are_refused() {
    // OpenClaw rewrites `../x` to `__x`; hardclaw refuses it outright.
    let (_tmp, s) = store();
    for bad in ["../x", "a/b", "..", ".hidden", "a\0b", "", "a\\b", "x:y"] {
        assert!(
            matches!(
                s.request(bad, None, "1", t(0)),
                Err(PairingError::InvalidId { .. })
            ),
            "{bad:?}"
        );
        assert!(s.pairing_path(bad).is_err(), "{bad:?}");
        assert!(
            s.allow_from_path("telegram", Some(bad)).is_err() || bad.is_empty(),
            "{bad:?}"
        );
    }
    assert!(!s.dir().exists(), "nothing was written");
}

#[test]
fn accounts_have_their_own_allow_from_files() {
    let (_tmp, s) = store();
    let c = code(s.request("whatsapp", Some("Work"), "+1555", t(0)).unwrap());
    // Same sender on the default account is a separate request.
    code(s.request("whatsapp", None, "+1555", t(1)).unwrap());
    let a = s.approve("whatsapp", &c, t(2)).unwrap();
    assert_eq!(a.account.as_deref(), Some("work"));
    assert_eq!(
        s.read_approved("whatsapp", Some("work")).unwrap(),
        ["+1555"]
    );
    assert!(s.read_approved("whatsapp", None).unwrap().is_empty());
    assert!(s.dir().join("whatsapp-work-allowFrom.json").exists());
    assert_eq!(
        s.allow_from_path("whatsapp", Some("default")).unwrap(),
        s.dir().join("whatsapp-allowFrom.json")
    );
}

#[test]
fn reject_removes_the_request() {
    let (_tmp, s) = store();
    let c = code(s.request("telegram", None, "5", t(0)).unwrap());
    assert_eq!(s.reject("telegram", &c.to_lowercase()).unwrap(), "5");
    assert!(s.list(None, t(1)).unwrap().is_empty());
    assert!(s.read_approved("telegram", None).unwrap().is_empty());
    assert!(matches!(
        s.reject("telegram", &c),
        Err(PairingError::UnknownCode { .. })
    ));
}

#[test]
fn wildcard_senders_are_never_stored_or_returned() {
    let (_tmp, s) = store();
    assert!(s.request("telegram", None, "*", t(0)).is_err());
    let path = s.allow_from_path("telegram", None).unwrap();
    std::fs::create_dir_all(s.dir()).unwrap();
    std::fs::write(&path, r#"{"version":1,"allowFrom":["*","7"]}"#).unwrap();
    assert_eq!(s.approved_senders("telegram", None), ["7"]);
}

#[test]
fn an_unreadable_store_approves_no_one() {
    let (_tmp, s) = store();
    std::fs::create_dir_all(s.dir()).unwrap();
    std::fs::write(s.allow_from_path("telegram", None).unwrap(), "not json").unwrap();
    assert!(s.approved_senders("telegram", None).is_empty());
    assert!(s.read_approved("telegram", None).is_err());
}

#[test]
fn entries_without_a_timestamp_are_expired() {
    let (_tmp, s) = store();
    std::fs::create_dir_all(s.dir()).unwrap();
    std::fs::write(
        s.pairing_path("telegram").unwrap(),
        r#"{"version":1,"requests":[{"id":"1","code":"ABCDEFGH","createdAt":"garbage","lastSeenAt":"","meta":{}}]}"#,
    )
    .unwrap();
    assert!(s.list(Some("telegram"), t(0)).unwrap().is_empty());
    assert!(s.approve("telegram", "abcdefgh", t(0)).is_err());
}
