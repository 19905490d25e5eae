//! Check family `synced`: `fs.synced_dir`, a state dir or config file inside a cloud-synced
//! folder (reference §1.1). A pure string check: nothing is read from disk.

use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// Path fragments of iCloud / Dropbox / Google Drive / OneDrive folders (lower-case).
const SYNCED_MARKERS: &[&str] = &[
    "icloud",
    "dropbox",
    "google drive",
    "googledrive",
    "onedrive",
];

fn looks_synced(path: &str) -> bool {
    let lower = path.to_lowercase();
    SYNCED_MARKERS.iter().any(|m| lower.contains(m))
}

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let state = ctx.locations.state_dir.to_string_lossy();
    let config = ctx.locations.config_path.to_string_lossy();
    if !looks_synced(&state) && !looks_synced(&config) {
        return;
    }
    let product = ctx.locations.product();
    let var = format!("{}_STATE_DIR", product.to_uppercase());
    out.push(
        Finding::new(
            "fs.synced_dir",
            Severity::Warn,
            "State/config path looks like a synced folder",
            format!(
                "stateDir={state}, configPath={config}. Synced folders (iCloud/Dropbox/OneDrive/Google Drive) \
                 can leak tokens and transcripts onto other devices."
            ),
        )
        .remediation(format!(
            "Keep {var} on a local-only volume and re-run \"{product} security audit --fix\"."
        )),
    );
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::collect;
    use crate::finding::Severity;
    use crate::test_support::{Fixture, find};

    #[test]
    fn synced_state_dir_is_reported() {
        let f = Fixture::with_state(
            json!({}),
            Path::new("/Users/me/Library/Mobile Documents/com~apple~CloudDocs/iCloud/.hardclaw"),
        );
        let out = f.run(collect);
        let x = find(&out, "fs.synced_dir");
        assert_eq!(x.severity, Severity::Warn);
        assert!(
            x.remediation
                .as_deref()
                .unwrap_or("")
                .contains("HARDCLAW_STATE_DIR")
        );
    }

    #[test]
    fn synced_config_path_is_reported() {
        let mut f = Fixture::new(json!({}));
        f.locations.config_path = "/home/me/Google Drive/hardclaw.json".into();
        find(&f.run(collect), "fs.synced_dir");
        let mut f = Fixture::new(json!({}));
        f.locations.config_path = "/home/me/OneDrive - Corp/x.json".into();
        find(&f.run(collect), "fs.synced_dir");
    }

    #[test]
    fn local_paths_are_clean() {
        let f = Fixture::with_state(json!({}), Path::new("/home/me/.hardclaw"));
        assert!(f.run(collect).is_empty());
        // "drop" alone is not Dropbox.
        let f = Fixture::with_state(json!({}), Path::new("/srv/dropzone/.hardclaw"));
        assert!(f.run(collect).is_empty());
    }
}
