//! Walking a plugin or skill directory and running the rules on every scannable file.
//!
//! Walk (reference §3.2): skip names starting with `.` and `node_modules`; scan
//! `.js .ts .mjs .cjs .mts .cts .jsx .tsx` (and, for skills, markdown); at most 500 files per
//! directory and 1 MiB per file. Unlike OpenClaw nothing is skipped silently: truncation, large
//! files, unreadable entries and symlinks pointing out of the directory are reported as warn hits.
//! Symlinks are followed only when their target stays inside the scanned directory.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::rules::{ScanHit, scan_code, scan_skill_text};
use crate::finding::Severity;

/// Extensions of files the code rules run on.
pub const CODE_EXTENSIONS: [&str; 8] = ["js", "ts", "mjs", "cjs", "mts", "cts", "jsx", "tsx"];
/// Maximum scannable files per directory.
pub const MAX_FILES: usize = 500;
/// Maximum size of a scanned file.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Knobs for [`scan_dir`].
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Maximum scannable files (code + markdown) per directory.
    pub max_files: usize,
    /// Maximum bytes per file.
    pub max_file_bytes: u64,
    /// Also run the skill-text rules on `.md` files.
    pub markdown: bool,
    /// Files to scan even if the walk would skip them (plugin entry points in hidden dirs or
    /// `node_modules`). Must be inside the directory; others are ignored.
    pub forced: Vec<PathBuf>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_files: MAX_FILES,
            max_file_bytes: MAX_FILE_BYTES,
            markdown: false,
            forced: Vec::new(),
        }
    }
}

/// Result of scanning one directory.
#[derive(Debug, Clone, Default)]
pub struct DirScan {
    /// Every hit, in file order.
    pub hits: Vec<ScanHit>,
    /// Files actually scanned.
    pub files_scanned: usize,
    /// First network call in a code file: (relative path, line).
    pub network_call: Option<(String, usize)>,
}

impl DirScan {
    /// The worst severity among the hits.
    pub fn max_severity(&self) -> Option<Severity> {
        self.hits.iter().map(|h| h.severity).max()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Code,
    Markdown,
}

fn kind_of(name: &str, markdown: bool) -> Option<Kind> {
    let ext = Path::new(name).extension()?.to_str()?.to_ascii_lowercase();
    if CODE_EXTENSIONS.contains(&ext.as_str()) {
        Some(Kind::Code)
    } else if markdown && (ext == "md" || ext == "markdown") {
        Some(Kind::Markdown)
    } else {
        None
    }
}

/// The subdirectories among `entries` that the walk does not skip, sorted (symlinks to
/// directories included).
pub fn visible_subdirs(entries: fs::ReadDir) -> io::Result<Vec<PathBuf>> {
    let mut dirs = Vec::new();
    for entry in entries {
        let entry = entry?;
        if is_skipped_name(&entry.file_name().to_string_lossy()) {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            dirs.push(path);
        }
    }
    dirs.sort();
    Ok(dirs)
}

/// The last component of `dir` for messages (the whole path when there is none).
pub fn dir_name(dir: &Path) -> String {
    dir.file_name().map_or_else(
        || dir.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Whether the walk skips an entry of this name.
pub fn is_skipped_name(name: &str) -> bool {
    name.starts_with('.') || name == "node_modules"
}

fn rel_string(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

struct Walk<'a> {
    root_canon: PathBuf,
    opts: &'a ScanOptions,
    files: Vec<(PathBuf, String, Kind)>,
    seen_files: HashSet<PathBuf>,
    hits: Vec<ScanHit>,
    truncated: bool,
}

impl Walk<'_> {
    fn push_file(&mut self, path: PathBuf, rel: String, kind: Kind) {
        let key = fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if !self.seen_files.insert(key) {
            return;
        }
        if self.files.len() >= self.opts.max_files {
            self.truncated = true;
            return;
        }
        self.files.push((path, rel, kind));
    }

    fn walk(&mut self, dir: &Path, rel: &Path, visited: &mut HashSet<PathBuf>) -> io::Result<()> {
        let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<io::Result<Vec<_>>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            if self.truncated {
                return Ok(());
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_skipped_name(&name) {
                continue;
            }
            let path = entry.path();
            let child_rel = rel.join(&name);
            let rel_s = rel_string(&child_rel);
            let ft = match entry.file_type() {
                Ok(ft) => ft,
                Err(e) => {
                    self.hits.push(unreadable(&rel_s, &e));
                    continue;
                }
            };
            let (is_dir, is_file, canon) = if ft.is_symlink() {
                let Ok(target) = fs::canonicalize(&path) else {
                    continue;
                }; // dangling
                if !target.starts_with(&self.root_canon) {
                    self.hits.push(ScanHit::new(
                        "symlink-escape",
                        Severity::Warn,
                        format!(
                            "symlink points outside the scanned directory (to {}); its target was not scanned",
                            target.display()
                        ),
                        &rel_s,
                        0,
                    ));
                    continue;
                }
                (target.is_dir(), target.is_file(), target)
            } else {
                (ft.is_dir(), ft.is_file(), path.clone())
            };
            if is_dir {
                let key = fs::canonicalize(&canon).unwrap_or(canon);
                if !visited.insert(key) {
                    continue;
                }
                if let Err(e) = self.walk(&path, &child_rel, visited) {
                    self.hits.push(unreadable(&rel_s, &e));
                }
            } else if is_file && let Some(kind) = kind_of(&name, self.opts.markdown) {
                self.push_file(path, rel_s, kind);
            }
        }
        Ok(())
    }
}

fn unreadable(rel: &str, e: &io::Error) -> ScanHit {
    ScanHit::new(
        "scan-error",
        Severity::Warn,
        format!("could not be read: {e}"),
        rel,
        0,
    )
}

/// Scans `root`. Errors only when `root` itself cannot be read; every other problem becomes a hit.
pub fn scan_dir(root: &Path, opts: &ScanOptions) -> io::Result<DirScan> {
    let root_canon = fs::canonicalize(root)?;
    let mut walk = Walk {
        root_canon: root_canon.clone(),
        opts,
        files: Vec::new(),
        seen_files: HashSet::new(),
        hits: Vec::new(),
        truncated: false,
    };
    for forced in &opts.forced {
        let Ok(canon) = fs::canonicalize(forced) else {
            continue;
        };
        let Ok(rel) = canon.strip_prefix(&root_canon) else {
            continue;
        };
        if !canon.is_file() {
            continue;
        }
        let rel = rel_string(rel);
        let kind = kind_of(&rel, opts.markdown).unwrap_or(Kind::Code);
        walk.push_file(canon, rel, kind);
    }
    let mut visited = HashSet::from([root_canon.clone()]);
    walk.walk(&root_canon, Path::new(""), &mut visited)?;

    let mut scan = DirScan {
        hits: std::mem::take(&mut walk.hits),
        ..DirScan::default()
    };
    for (path, rel, kind) in &walk.files {
        scan_one(path, rel, *kind, opts, &mut scan);
    }
    if walk.truncated {
        scan.hits.push(ScanHit::new(
            "scan-truncated",
            Severity::Warn,
            format!(
                "more than {} scannable files; only the first {} were scanned",
                opts.max_files, opts.max_files
            ),
            ".",
            0,
        ));
    }
    Ok(scan)
}

fn scan_one(path: &Path, rel: &str, kind: Kind, opts: &ScanOptions, scan: &mut DirScan) {
    let len = match fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) => {
            scan.hits.push(unreadable(rel, &e));
            return;
        }
    };
    if len > opts.max_file_bytes {
        scan.hits.push(ScanHit::new(
            "file-too-large",
            Severity::Warn,
            format!(
                "file is {len} bytes (limit {}) and was not scanned",
                opts.max_file_bytes
            ),
            rel,
            0,
        ));
        return;
    }
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            scan.hits.push(unreadable(rel, &e));
            return;
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    scan.files_scanned += 1;
    match kind {
        Kind::Code => {
            let res = scan_code(&text, rel);
            scan.hits.extend(res.hits);
            if scan.network_call.is_none()
                && let Some(line) = res.network_call_line
            {
                scan.network_call = Some((rel.to_string(), line));
            }
        }
        Kind::Markdown => scan.hits.extend(scan_skill_text(&text, rel)),
    }
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

    fn hit_keys(scan: &DirScan) -> Vec<(String, String)> {
        scan.hits
            .iter()
            .map(|h| (h.rule_id.to_string(), h.file.clone()))
            .collect()
    }

    #[test]
    fn walk_skips_hidden_node_modules_and_other_extensions() {
        let d = tempfile::tempdir().expect("tempdir");
        write(d.path(), "src/bad.ts", "eval(x)");
        write(d.path(), "lib/ok.js", "console.log(1)");
        write(d.path(), ".hidden/bad.js", "eval(x)");
        write(d.path(), "node_modules/dep/bad.js", "eval(x)");
        write(d.path(), "notes.txt", "eval(x)");
        write(d.path(), "README.md", "curl https://x | sh");
        let scan = scan_dir(d.path(), &ScanOptions::default()).expect("scan");
        assert_eq!(
            hit_keys(&scan),
            [("dynamic-code-execution".into(), "src/bad.ts".into())]
        );
        assert_eq!(scan.files_scanned, 2);
        let md = ScanOptions {
            markdown: true,
            ..ScanOptions::default()
        };
        let scan = scan_dir(d.path(), &md).expect("scan");
        assert_eq!(scan.files_scanned, 3);
        assert!(scan.hits.iter().any(|h| h.rule_id == "shell-pipe-to-shell"));
    }

    #[test]
    fn forced_files_are_scanned_even_when_hidden() {
        let d = tempfile::tempdir().expect("tempdir");
        write(d.path(), "node_modules/x/index.js", "eval(x)");
        let opts = ScanOptions {
            forced: vec![d.path().join("node_modules/x/index.js")],
            ..ScanOptions::default()
        };
        let scan = scan_dir(d.path(), &opts).expect("scan");
        assert_eq!(
            hit_keys(&scan),
            [(
                "dynamic-code-execution".into(),
                "node_modules/x/index.js".into()
            )]
        );
    }

    #[test]
    fn truncation_and_large_files_are_reported() {
        let d = tempfile::tempdir().expect("tempdir");
        for i in 0..4 {
            write(d.path(), &format!("f{i}.js"), "ok()");
        }
        let opts = ScanOptions {
            max_files: 3,
            ..ScanOptions::default()
        };
        let scan = scan_dir(d.path(), &opts).expect("scan");
        assert_eq!(scan.files_scanned, 3);
        assert_eq!(hit_keys(&scan), [("scan-truncated".into(), ".".into())]);
        assert_eq!(scan.max_severity(), Some(Severity::Warn));
        // Exactly at the limit: no truncation hit.
        let opts = ScanOptions {
            max_files: 4,
            ..ScanOptions::default()
        };
        assert!(scan_dir(d.path(), &opts).expect("scan").hits.is_empty());

        let d = tempfile::tempdir().expect("tempdir");
        write(d.path(), "big.js", &"a".repeat(2048));
        write(d.path(), "small.js", &"a".repeat(1024));
        let opts = ScanOptions {
            max_file_bytes: 1024,
            ..ScanOptions::default()
        };
        let scan = scan_dir(d.path(), &opts).expect("scan");
        assert_eq!(
            hit_keys(&scan),
            [("file-too-large".into(), "big.js".into())]
        );
        assert_eq!(scan.files_scanned, 1);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_inside_are_followed_outside_are_reported() {
        use std::os::unix::fs::symlink;
        let outside = tempfile::tempdir().expect("tempdir");
        write(outside.path(), "evil.js", "eval(x)");
        let d = tempfile::tempdir().expect("tempdir");
        write(d.path(), "real/inner.js", "eval(y)");
        symlink(outside.path().join("evil.js"), d.path().join("link.js")).expect("symlink");
        symlink(outside.path(), d.path().join("linkdir")).expect("symlink");
        symlink(d.path().join("real"), d.path().join("alias")).expect("symlink");
        symlink(d.path(), d.path().join("real/loop")).expect("symlink");
        symlink(d.path().join("missing.js"), d.path().join("dangling.js")).expect("symlink");
        let scan = scan_dir(d.path(), &ScanOptions::default()).expect("scan");
        let keys = hit_keys(&scan);
        assert!(
            keys.contains(&("symlink-escape".into(), "link.js".into())),
            "{keys:?}"
        );
        assert!(
            keys.contains(&("symlink-escape".into(), "linkdir".into())),
            "{keys:?}"
        );
        let evals: Vec<_> = keys
            .iter()
            .filter(|(r, _)| r == "dynamic-code-execution")
            .collect();
        // inner.js once, whether reached through `alias` or `real`; never evil.js.
        assert_eq!(evals.len(), 1, "{keys:?}");
        assert_eq!(scan.files_scanned, 1);
    }

    #[test]
    fn missing_root_is_an_error() {
        let d = tempfile::tempdir().expect("tempdir");
        assert!(scan_dir(&d.path().join("nope"), &ScanOptions::default()).is_err());
    }

    #[test]
    fn network_call_is_recorded() {
        let d = tempfile::tempdir().expect("tempdir");
        write(d.path(), "a.js", "const x = 1;");
        write(d.path(), "b.js", "\nawait fetch(u)");
        let scan = scan_dir(d.path(), &ScanOptions::default()).expect("scan");
        assert_eq!(scan.network_call, Some(("b.js".into(), 2)));
    }
}
