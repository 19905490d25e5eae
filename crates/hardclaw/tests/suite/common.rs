//! Helpers: a temporary state dir with correct permissions, and the binary with a clean
//! environment (tests never see the developer's or CI's variables).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    /// A fresh home with `<home>/.hardclaw` (0700).
    pub fn new() -> Home {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = dir.path().join(".hardclaw");
        std::fs::create_dir(&state).expect("mkdir state");
        std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        Home { dir }
    }

    pub fn state(&self) -> PathBuf {
        self.dir.path().join(".hardclaw")
    }

    pub fn config(&self) -> PathBuf {
        self.state().join("hardclaw.json")
    }

    /// Writes the config with mode 0600.
    pub fn write_config(&self, text: &str) -> PathBuf {
        let path = self.config();
        std::fs::write(&path, text).expect("write config");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        path
    }

    /// The binary with only PATH and HOME set.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("hardclaw").expect("binary");
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("NO_COLOR", "1");
        cmd
    }

    /// Replaces the temp dir path in `text` with `[HOME]` (for snapshots).
    pub fn scrub(&self, text: &str) -> String {
        text.replace(&self.dir.path().display().to_string(), "[HOME]")
    }
}

pub fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("stat").permissions().mode() & 0o777
}

/// The repository's `examples/guide/<name>.json5`.
pub fn guide_example(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/guide")
        .join(name);
    std::fs::read_to_string(&path).expect("example config")
}

/// Variables the guide's examples reference.
pub const GUIDE_ENV: &[(&str, &str)] = &[
    (
        "OPENCLAW_GATEWAY_TOKEN",
        "a-long-random-token-for-the-gateway-0123456789",
    ),
    ("BRAVE_API_KEY", "brave-test-key"),
    (
        "GOOGLE_CHAT_SERVICE_ACCOUNT_FILE",
        "/etc/hardclaw/gchat.json",
    ),
];
