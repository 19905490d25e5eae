//! End-to-end tests of `apply_fixes` on real temp files (the loader is not used: `LoadedConfig`
//! values are built by hand, with origins pointing at the files written here).

use std::collections::BTreeMap;
use std::fs::{self, Permissions};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use hardclaw_config::{Config, Flavor, JsonPath, LoadedConfig, Located, Locations, Origin};

use super::{ChmodAction, FixOptions, FixResult, apply_fixes};

const MAIN: &str = r#"// openclaw.json — hand-written, keep the comments
{
  channels: { $include: './channels.json5' },

  /* logging */
  logging: {
    redactSensitive: 'off', // TODO turn on
    file: '~/oc.log',
  },
  gateway: {
    auth: { token: "${OPENCLAW_GATEWAY_TOKEN}" },
    bind: 'loopback',
  },
}
"#;

const MAIN_FIXED: &str = r#"// openclaw.json — hand-written, keep the comments
{
  channels: { $include: './channels.json5' },

  /* logging */
  logging: {
    redactSensitive: "tools", // TODO turn on
    file: '~/oc.log',
  },
  gateway: {
    auth: { token: "${OPENCLAW_GATEWAY_TOKEN}" },
    bind: 'loopback',
  },
}
"#;

const CHANNELS: &str = r#"// channels (included)
{
  whatsapp: {
    groupPolicy: 'open', // everyone

    dmPolicy: "pairing",
  },
  telegram: { botToken: "${TELEGRAM_BOT_TOKEN}", groupPolicy: "open" },
}
"#;

const CHANNELS_FIXED: &str = r#"// channels (included)
{
  whatsapp: {
    groupPolicy: "allowlist", // everyone

    dmPolicy: "pairing",
    "groupAllowFrom": ["+15550001", "+15550002"],
  },
  telegram: { botToken: "${TELEGRAM_BOT_TOKEN}", groupPolicy: "allowlist" },
}
"#;

struct Fixture {
    _dir: tempfile::TempDir,
    home: PathBuf,
    state: PathBuf,
    config: PathBuf,
    include: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = dir.path().join("home");
        let state = home.join(".openclaw");
        fs::create_dir_all(state.join("credentials")).expect("mkdir");
        let config = state.join("openclaw.json");
        let include = state.join("channels.json5");
        fs::write(&config, MAIN).expect("write");
        fs::write(&include, CHANNELS).expect("write");
        fs::write(
            state.join("credentials/whatsapp-allowFrom.json"),
            r#"{"version":1,"allowFrom":["+15550001","+15550002"]}"#,
        )
        .expect("write");
        Fixture {
            _dir: dir,
            home,
            state,
            config,
            include,
        }
    }

    fn locations(&self) -> Locations {
        Locations {
            flavor: Flavor::OpenClaw,
            home: self.home.clone(),
            state_dir: self.state.clone(),
            config_path: self.config.clone(),
            credentials_dir: self.state.join("credentials"),
        }
    }

    /// What the loader would produce for `MAIN` + `CHANNELS`.
    fn loaded(&self) -> LoadedConfig {
        let raw = json!({
            "channels": {
                "whatsapp": {"groupPolicy": "open", "dmPolicy": "pairing"},
                "telegram": {"botToken": "${TELEGRAM_BOT_TOKEN}", "groupPolicy": "open"}
            },
            "logging": {"redactSensitive": "off", "file": "~/oc.log"},
            "gateway": {"auth": {"token": "${OPENCLAW_GATEWAY_TOKEN}"}, "bind": "loopback"}
        });
        let origins = [
            ("channels", &self.config, "channels"),
            ("channels.whatsapp", &self.include, "whatsapp"),
            (
                "channels.whatsapp.groupPolicy",
                &self.include,
                "whatsapp.groupPolicy",
            ),
            (
                "channels.whatsapp.dmPolicy",
                &self.include,
                "whatsapp.dmPolicy",
            ),
            ("channels.telegram", &self.include, "telegram"),
            (
                "channels.telegram.botToken",
                &self.include,
                "telegram.botToken",
            ),
            (
                "channels.telegram.groupPolicy",
                &self.include,
                "telegram.groupPolicy",
            ),
            ("logging", &self.config, "logging"),
            (
                "logging.redactSensitive",
                &self.config,
                "logging.redactSensitive",
            ),
            ("logging.file", &self.config, "logging.file"),
        ];
        loaded_config(&self.config, raw, vec![self.include.clone()], &origins)
    }
}

fn loaded_config(
    path: &Path,
    raw: Value,
    includes: Vec<PathBuf>,
    origins: &[(&str, &PathBuf, &str)],
) -> LoadedConfig {
    let origins: BTreeMap<String, Located> = origins
        .iter()
        .map(|(merged, file, local)| {
            (
                merged.to_string(),
                Located {
                    origin: Origin {
                        file: (*file).clone(),
                        line: 1,
                        column: 1,
                    },
                    local_path: JsonPath::parse(local),
                },
            )
        })
        .collect();
    LoadedConfig {
        path: path.to_path_buf(),
        exists: true,
        config: Config::default(),
        resolved: raw.clone(),
        raw,
        includes,
        origins,
        duplicate_keys: Vec::new(),
        env_refs: Vec::new(),
    }
}

fn mode_of(p: &Path) -> u32 {
    fs::symlink_metadata(p).expect("stat").permissions().mode() & 0o777
}

fn set_mode(p: &Path, mode: u32) {
    fs::set_permissions(p, Permissions::from_mode(mode)).expect("chmod");
}

fn bak(p: &Path, n: usize) -> PathBuf {
    let name = p.file_name().expect("name").to_string_lossy().into_owned();
    if n == 0 {
        p.with_file_name(format!("{name}.bak"))
    } else {
        p.with_file_name(format!("{name}.bak.{n}"))
    }
}

fn action<'a>(result: &'a FixResult, path: &Path) -> &'a ChmodAction {
    let text = path.display().to_string();
    result
        .actions
        .iter()
        .find(|a| a.path == text)
        .unwrap_or_else(|| panic!("no action for {text}: {:#?}", result.actions))
}

#[test]
fn edits_go_to_the_defining_file_and_keep_everything_else() {
    let fx = Fixture::new();
    set_mode(&fx.config, 0o640);
    let result = apply_fixes(
        Some(&fx.loaded()),
        &fx.locations(),
        FixOptions { dry_run: false },
    );
    assert!(result.ok, "{:#?}", result.errors);
    assert!(result.config_written);
    assert_eq!(fs::read_to_string(&fx.config).expect("read"), MAIN_FIXED);
    assert_eq!(
        fs::read_to_string(&fx.include).expect("read"),
        CHANNELS_FIXED
    );
    assert_eq!(
        result.changes,
        vec![
            "logging.redactSensitive=off -> \"tools\"",
            "channels.whatsapp.groupPolicy=open -> allowlist",
            "channels.telegram.groupPolicy=open -> allowlist",
            "channels.whatsapp.groupAllowFrom=pairing-store",
        ]
    );
    // each written file got a private backup of its previous content
    assert_eq!(fs::read_to_string(bak(&fx.config, 0)).expect("bak"), MAIN);
    assert_eq!(
        fs::read_to_string(bak(&fx.include, 0)).expect("bak"),
        CHANNELS
    );
    assert_eq!(mode_of(&bak(&fx.config, 0)), 0o600);
    // the write kept 0640; the permission pass then tightened it, as its own action
    let a = action(&result, &fx.config);
    assert_eq!((a.ok, a.skipped.as_deref(), a.mode), (true, None, 0o600));
    assert_eq!(mode_of(&fx.config), 0o600);
    // the diff names both files
    let diff = result.diff.as_deref().expect("diff");
    assert!(
        diff.contains(&format!("--- {}", fx.config.display())),
        "{diff}"
    );
    assert!(
        diff.contains(&format!("+++ {}", fx.include.display())),
        "{diff}"
    );
    assert!(
        diff.contains("-    redactSensitive: 'off', // TODO turn on\n"),
        "{diff}"
    );
    assert!(
        diff.contains("+    redactSensitive: \"tools\", // TODO turn on\n"),
        "{diff}"
    );

    // a second run finds nothing to change: no write, no new backup
    let mut loaded = fx.loaded();
    loaded.raw = json!({
        "channels": {"whatsapp": {"groupPolicy": "allowlist", "groupAllowFrom": ["+15550001"]}},
        "logging": {"redactSensitive": "tools"}
    });
    let again = apply_fixes(
        Some(&loaded),
        &fx.locations(),
        FixOptions { dry_run: false },
    );
    assert!(again.ok && !again.config_written && again.changes.is_empty() && again.diff.is_none());
    assert!(!bak(&fx.config, 1).exists());
}

#[test]
fn dry_run_writes_nothing_but_returns_the_diff() {
    let fx = Fixture::new();
    set_mode(&fx.config, 0o644);
    set_mode(&fx.state, 0o755);
    let result = apply_fixes(
        Some(&fx.loaded()),
        &fx.locations(),
        FixOptions { dry_run: true },
    );
    assert!(result.ok && result.dry_run, "{:#?}", result.errors);
    assert!(!result.config_written);
    assert_eq!(result.changes.len(), 4);
    assert_eq!(fs::read_to_string(&fx.config).expect("read"), MAIN);
    assert_eq!(fs::read_to_string(&fx.include).expect("read"), CHANNELS);
    assert!(!bak(&fx.config, 0).exists() && !bak(&fx.include, 0).exists());
    let diff = result.diff.as_deref().expect("diff");
    assert!(
        diff.contains("+    \"groupAllowFrom\": [\"+15550001\", \"+15550002\"],\n"),
        "{diff}"
    );
    // permissions are reported as to-do, not changed
    let a = action(&result, &fx.state);
    assert_eq!(
        (a.ok, a.skipped.as_deref(), a.error.as_deref()),
        (true, None, None)
    );
    assert_eq!(mode_of(&fx.state), 0o755);
    assert_eq!(mode_of(&fx.config), 0o644);
    // serialises as OpenClaw's shape plus hardclaw's fields
    let v = serde_json::to_value(&result).expect("json");
    assert_eq!(v["configWritten"], json!(false));
    assert_eq!(v["dryRun"], json!(true));
}

#[test]
fn backups_rotate_through_apply_fixes() {
    let fx = Fixture::new();
    for n in 0..=4 {
        fs::write(bak(&fx.config, n), format!("old{n}")).expect("write");
        set_mode(&bak(&fx.config, n), 0o644);
    }
    let result = apply_fixes(
        Some(&fx.loaded()),
        &fx.locations(),
        FixOptions { dry_run: false },
    );
    assert!(result.ok, "{:#?}", result.errors);
    assert_eq!(fs::read_to_string(bak(&fx.config, 0)).expect("read"), MAIN);
    for n in 1..=4 {
        let want = format!("old{}", n - 1);
        assert_eq!(fs::read_to_string(bak(&fx.config, n)).expect("read"), want);
        assert_eq!(mode_of(&bak(&fx.config, n)), 0o600);
    }
    assert!(!bak(&fx.config, 5).exists(), "old4 must be dropped");
}

#[test]
fn invalid_config_changes_nothing_but_fixes_permissions() {
    let fx = Fixture::new();
    set_mode(&fx.config, 0o644);
    let result = apply_fixes(None, &fx.locations(), FixOptions::default());
    assert!(result.ok, "{:#?}", result.errors);
    assert!(result.changes.is_empty() && result.diff.is_none() && !result.config_written);
    assert_eq!(fs::read_to_string(&fx.config).expect("read"), MAIN);
    assert_eq!(mode_of(&fx.config), 0o600);
    assert_eq!(result.config_path, fx.config.display().to_string());
    assert_eq!(result.state_dir, fx.state.display().to_string());
}

#[test]
fn single_file_config_without_origins_is_edited_in_place() {
    let fx = Fixture::new();
    let text = "{\n  // c\n  logging: { redactSensitive: 'off' },\n}\n";
    fs::write(&fx.config, text).expect("write");
    let loaded = loaded_config(
        &fx.config,
        json!({"logging": {"redactSensitive": "off"}}),
        vec![],
        &[],
    );
    let result = apply_fixes(Some(&loaded), &fx.locations(), FixOptions::default());
    assert!(result.ok, "{:#?}", result.errors);
    assert_eq!(
        fs::read_to_string(&fx.config).expect("read"),
        "{\n  // c\n  logging: { redactSensitive: \"tools\" },\n}\n"
    );
}

#[test]
fn unknown_origin_with_includes_is_an_error_not_a_guess() {
    let fx = Fixture::new();
    let mut loaded = fx.loaded();
    loaded.origins.clear();
    let result = apply_fixes(Some(&loaded), &fx.locations(), FixOptions::default());
    assert!(!result.ok);
    assert!(
        result.errors[0].contains("cannot tell which file"),
        "{:#?}",
        result.errors
    );
    assert_eq!(fs::read_to_string(&fx.config).expect("read"), MAIN);
}

#[test]
fn origin_outside_config_files_is_refused() {
    let fx = Fixture::new();
    let mut loaded = fx.loaded();
    let elsewhere = fx.state.join("other.json5");
    fs::write(&elsewhere, "{ logging: { redactSensitive: 'off' } }").expect("write");
    if let Some(loc) = loaded.origins.get_mut("logging.redactSensitive") {
        loc.origin.file = elsewhere.clone();
    }
    let result = apply_fixes(Some(&loaded), &fx.locations(), FixOptions::default());
    assert!(!result.ok);
    assert!(
        result.errors.iter().any(|e| e.contains("not the config")),
        "{:#?}",
        result.errors
    );
    assert_eq!(
        fs::read_to_string(&elsewhere).expect("read"),
        "{ logging: { redactSensitive: 'off' } }"
    );
}

#[test]
fn permission_pass_reports_every_skip_reason() {
    let fx = Fixture::new();
    let st = &fx.state;
    let creds = st.join("credentials");
    set_mode(st, 0o755);
    set_mode(&fx.config, 0o644);
    set_mode(&creds, 0o700); // already
    let oauth = creds.join("oauth.json");
    fs::write(&oauth, "{}").expect("write");
    set_mode(&oauth, 0o600); // already
    set_mode(&creds.join("whatsapp-allowFrom.json"), 0o644); // chmod
    symlink("/etc/hostname", creds.join("link.json")).expect("symlink"); // symlink
    let acct = creds.join("whatsapp/biz");
    fs::create_dir_all(&acct).expect("mkdir");
    set_mode(&creds.join("whatsapp"), 0o755);
    fs::write(acct.join("creds.json"), "{}").expect("write");
    set_mode(&acct.join("creds.json"), 0o644);
    fs::create_dir_all(st.join("agents")).expect("mkdir");
    fs::write(st.join("agents/main"), "").expect("write"); // not-a-directory
    fs::create_dir_all(st.join("agents/work/sessions")).expect("mkdir");
    fs::write(st.join("agents/work/sessions/a.jsonl"), "").expect("write");
    set_mode(&st.join("agents/work/sessions/a.jsonl"), 0o644);
    fs::create_dir(st.join(".env")).expect("mkdir"); // not-a-file
    fs::write(bak(&fx.config, 7), "").expect("write");
    set_mode(&bak(&fx.config, 7), 0o644);
    fs::create_dir_all(st.join("identity")).expect("mkdir");
    fs::write(st.join("identity/device.json"), "").expect("write");
    set_mode(&st.join("identity/device.json"), 0o644);
    let log = fx.home.join("oc.log");
    fs::write(&log, "").expect("write");
    set_mode(&log, 0o644);

    let mut loaded = fx.loaded();
    loaded.raw["agents"] = json!({"list": [{"id": " WORK "}]});
    let result = apply_fixes(Some(&loaded), &fx.locations(), FixOptions::default());
    assert!(result.ok, "{:#?}", result.errors);

    let check = |p: &Path, skipped: Option<&str>, mode: u32| {
        let a = action(&result, p);
        assert_eq!(
            (a.skipped.as_deref(), a.mode, a.ok),
            (skipped, mode, true),
            "{a:?}"
        );
    };
    check(st, None, 0o700);
    check(&fx.config, None, 0o600);
    check(&fx.include, None, 0o600);
    check(&creds, Some("already"), 0o700);
    check(&oauth, Some("already"), 0o600);
    check(&creds.join("whatsapp-allowFrom.json"), None, 0o600);
    check(&creds.join("link.json"), Some("symlink"), 0o600);
    check(&st.join("agents/main"), Some("not-a-directory"), 0o700);
    check(&st.join("agents/main/agent"), Some("missing"), 0o700);
    check(&st.join("agents/work"), None, 0o700);
    check(
        &st.join("agents/work/agent/auth-profiles.json"),
        Some("missing"),
        0o600,
    );
    check(&st.join("agents/work/sessions/a.jsonl"), None, 0o600);
    // hardclaw's extras
    check(&log, None, 0o600);
    check(&creds.join("whatsapp"), None, 0o700);
    check(&acct, None, 0o700);
    check(&acct.join("creds.json"), None, 0o600);
    check(&st.join(".env"), Some("not-a-file"), 0o600);
    check(&st.join("exec-approvals.json"), Some("missing"), 0o600);
    check(&bak(&fx.config, 7), None, 0o600);
    check(&st.join("identity"), None, 0o700);
    check(&st.join("identity/device.json"), None, 0o600);
    check(&st.join("logs"), Some("missing"), 0o700);

    assert_eq!(mode_of(st), 0o700);
    assert_eq!(mode_of(&acct.join("creds.json")), 0o600);
    assert_eq!(mode_of(&log), 0o600);
    assert_eq!(mode_of(&bak(&fx.config, 7)), 0o600);
    assert_eq!(mode_of(&st.join("agents/work/sessions/a.jsonl")), 0o600);
    // the symlink's target was not touched through the link
    assert!(
        fs::symlink_metadata(creds.join("link.json"))
            .expect("lstat")
            .file_type()
            .is_symlink()
    );

    // order: state dir, config, include, credentials dir first
    let first: Vec<&str> = result
        .actions
        .iter()
        .take(4)
        .map(|a| a.path.as_str())
        .collect();
    let want = [&fx.state, &fx.config, &fx.include, &creds].map(|p| p.display().to_string());
    assert_eq!(first, want.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn symlinked_state_dir_is_skipped() {
    let fx = Fixture::new();
    let real = fx.home.join("real-state");
    fs::create_dir(&real).expect("mkdir");
    set_mode(&real, 0o755);
    let link = fx.home.join("linked-state");
    symlink(&real, &link).expect("symlink");
    let mut locations = fx.locations();
    locations.state_dir = link.clone();
    locations.credentials_dir = link.join("credentials");
    let result = apply_fixes(None, &locations, FixOptions::default());
    let a = action(&result, &link);
    assert_eq!((a.ok, a.skipped.as_deref()), (true, Some("symlink")));
    assert_eq!(
        mode_of(&real),
        0o755,
        "the target must not be chmod-ed through the link"
    );
}
