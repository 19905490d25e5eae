//! The permission pass of `--fix` (reference §2.5), plus the targets OpenClaw misses (§7).
//!
//! Every target is `lstat`-ed first and never followed: a symlink is reported as skipped, a
//! wrong file type as `not-a-directory` / `not-a-file`, a missing path as `missing`, a path
//! already at the wanted mode as `already`; otherwise it is chmod-ed (only the 0o777 bits are
//! compared and set).

use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use hardclaw_config::{LoadedConfig, Locations, expand_tilde};

use super::ChmodAction;

const DIR_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;
/// How deep the recursive passes (credentials, identity) descend.
const MAX_DEPTH: usize = 16;
/// At most this many entries are read from one directory.
const MAX_ENTRIES: usize = 10_000;
/// OpenClaw's default agent id.
const DEFAULT_AGENT_ID: &str = "main";

/// What a target must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A directory.
    Dir,
    /// A regular file.
    File,
}

/// One path to chmod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// The path.
    pub path: PathBuf,
    /// What it must be.
    pub kind: Kind,
    /// The wanted mode.
    pub mode: u32,
}

#[derive(Default)]
struct Targets(Vec<Target>);

impl Targets {
    fn dir(&mut self, path: PathBuf) {
        self.push(path, Kind::Dir, DIR_MODE);
    }
    fn file(&mut self, path: PathBuf) {
        self.push(path, Kind::File, FILE_MODE);
    }
    fn push(&mut self, path: PathBuf, kind: Kind, mode: u32) {
        if !self.0.iter().any(|t| t.path == path) {
            self.0.push(Target { path, kind, mode });
        }
    }
}

/// Normalises an agent id as OpenClaw does: trimmed, lower-cased, runs of characters other than
/// `a-z0-9_-` replaced by `-`, leading/trailing `-` dropped, at most 64 characters. This also
/// keeps `../` out of the paths built from it. `None` when nothing is left.
pub(crate) fn normalize_agent_id(id: &str) -> Option<String> {
    let mut out = String::new();
    for c in id.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_matches('-').chars().take(64).collect();
    (!out.is_empty()).then_some(out)
}

/// The agent ids whose directories are fixed: `main` plus every `agents.list[].id`.
pub(crate) fn agent_ids(raw: Option<&Value>) -> Vec<String> {
    let mut ids = vec![DEFAULT_AGENT_ID.to_string()];
    let list = raw
        .and_then(|r| r.pointer("/agents/list"))
        .and_then(Value::as_array);
    for entry in list.into_iter().flatten() {
        if let Some(id) = entry
            .get("id")
            .and_then(Value::as_str)
            .and_then(normalize_agent_id)
            && !ids.contains(&id)
        {
            ids.push(id);
        }
    }
    ids
}

/// Entries of `dir` (sorted by name) when `dir` itself is a real directory (not a symlink).
fn list_dir(dir: &Path) -> Vec<(PathBuf, fs::FileType)> {
    match fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_dir() => {}
        _ => return Vec::new(),
    }
    let Ok(read) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut entries: Vec<(PathBuf, fs::FileType)> = read
        .filter_map(Result::ok)
        .take(MAX_ENTRIES)
        .filter_map(|e| e.file_type().ok().map(|t| (e.path(), t)))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries
}

/// Everything below `dir`: directories 0700, files and symlinks (reported, not followed) 0600.
fn walk(targets: &mut Targets, dir: &Path, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    for (path, ty) in list_dir(dir) {
        if ty.is_dir() {
            targets.dir(path.clone());
            walk(targets, &path, depth + 1);
        } else if ty.is_file() || ty.is_symlink() {
            targets.file(path);
        }
    }
}

/// Files next to `file` whose name starts with `<name>.bak`.
fn backups_of(targets: &mut Targets, file: &Path) {
    let (Some(dir), Some(name)) = (file.parent(), file.file_name()) else {
        return;
    };
    let prefix = format!("{}.bak", name.to_string_lossy());
    for (path, ty) in list_dir(dir) {
        let matches = path
            .file_name()
            .map(|n| n.to_string_lossy().starts_with(&prefix))
            .unwrap_or(false);
        if matches && (ty.is_file() || ty.is_symlink()) {
            targets.file(path);
        }
    }
}

/// The configured log file (`logging.file`, `~` expanded), when it is an absolute path.
fn log_file(loaded: &LoadedConfig, home: &Path) -> Option<PathBuf> {
    let text = loaded
        .resolved
        .pointer("/logging/file")
        .and_then(Value::as_str)
        .or_else(|| loaded.raw.pointer("/logging/file").and_then(Value::as_str))?;
    if text.trim().is_empty() || text.contains("${") {
        return None;
    }
    let path = expand_tilde(Path::new(text.trim()), home);
    path.is_absolute().then_some(path)
}

/// Every target, in order: OpenClaw's (state dir, config, includes, credentials dir and its
/// top-level `*.json`, agents) and then hardclaw's extras (log file, credentials
/// sub-directories, `.env`, `exec-approvals.json`, config/include backups, `identity/`, `logs/`).
pub(crate) fn collect_targets(loaded: Option<&LoadedConfig>, locations: &Locations) -> Vec<Target> {
    let mut t = Targets::default();
    let state = &locations.state_dir;
    let config_path = loaded
        .map(|l| l.path.clone())
        .unwrap_or_else(|| locations.config_path.clone());

    // OpenClaw parity.
    t.dir(state.clone());
    t.file(config_path.clone());
    let includes: Vec<PathBuf> = loaded.map(|l| l.includes.clone()).unwrap_or_default();
    for inc in &includes {
        t.file(inc.clone());
    }
    let creds = &locations.credentials_dir;
    t.dir(creds.clone());
    for (path, ty) in list_dir(creds) {
        let is_json = path.extension().is_some_and(|e| e == "json");
        if is_json && (ty.is_file() || ty.is_symlink()) {
            t.file(path);
        }
    }
    for id in agent_ids(loaded.map(|l| &l.raw)) {
        let agent_dir = state.join("agents").join(&id);
        t.dir(agent_dir.clone());
        t.dir(agent_dir.join("agent"));
        t.file(agent_dir.join("agent").join("auth-profiles.json"));
        let sessions = agent_dir.join("sessions");
        t.dir(sessions.clone());
        t.file(sessions.join("sessions.json"));
        for (path, ty) in list_dir(&sessions) {
            let is_jsonl = path.extension().is_some_and(|e| e == "jsonl");
            if is_jsonl && (ty.is_file() || ty.is_symlink()) {
                t.file(path);
            }
        }
    }

    // hardclaw's extras (OpenClaw's gaps, reference §7).
    if let Some(log) = loaded.and_then(|l| log_file(l, &locations.home)) {
        t.file(log);
    }
    for (path, ty) in list_dir(creds) {
        if ty.is_dir() {
            t.dir(path.clone());
            walk(&mut t, &path, 1);
        }
    }
    t.file(state.join(".env"));
    t.file(state.join("exec-approvals.json"));
    backups_of(&mut t, &config_path);
    for inc in &includes {
        backups_of(&mut t, inc);
    }
    let identity = state.join("identity");
    t.dir(identity.clone());
    walk(&mut t, &identity, 1);
    t.dir(state.join("logs"));
    t.0
}

/// Checks and (unless `dry_run`) chmods one target.
pub(crate) fn fix_target(target: &Target, dry_run: bool) -> ChmodAction {
    let mut action = ChmodAction {
        kind: "chmod".to_string(),
        path: target.path.display().to_string(),
        mode: target.mode,
        ok: true,
        skipped: None,
        error: None,
    };
    let skip = |mut a: ChmodAction, why: &str| {
        a.skipped = Some(why.to_string());
        a
    };
    let meta = match fs::symlink_metadata(&target.path) {
        Ok(m) => m,
        // ENOTDIR: a parent is not a directory (reported on its own), so this path cannot exist.
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
            return skip(action, "missing");
        }
        Err(e) => {
            action.ok = false;
            action.error = Some(e.to_string());
            return action;
        }
    };
    let ty = meta.file_type();
    if ty.is_symlink() {
        return skip(action, "symlink");
    }
    match target.kind {
        Kind::Dir if !ty.is_dir() => return skip(action, "not-a-directory"),
        Kind::File if !ty.is_file() => return skip(action, "not-a-file"),
        _ => {}
    }
    if meta.permissions().mode() & 0o777 == target.mode {
        return skip(action, "already");
    }
    if dry_run {
        return action;
    }
    // Never by path: a symlink swapped in since the lstat above would be followed.
    let expect_dir = Some(matches!(target.kind, Kind::Dir));
    if let Err(e) = hardclaw_config::chmod_nofollow(&target.path, target.mode, expect_dir) {
        action.ok = false;
        action.error = Some(e.to_string());
    }
    action
}

/// Runs the whole pass; returns the actions and the errors (`chmod <path>: <error>`).
pub(crate) fn run_permission_pass(
    loaded: Option<&LoadedConfig>,
    locations: &Locations,
    dry_run: bool,
) -> (Vec<ChmodAction>, Vec<String>) {
    let actions: Vec<ChmodAction> = collect_targets(loaded, locations)
        .iter()
        .map(|t| fix_target(t, dry_run))
        .collect();
    let errors = actions
        .iter()
        .filter_map(|a| a.error.as_ref().map(|e| format!("chmod {}: {e}", a.path)))
        .collect();
    (actions, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn agent_ids_are_normalised_and_cannot_escape() {
        let raw = json!({"agents": {"list": [
            {"id": " Work "}, {"id": "main"}, {"id": "../../etc"}, {"id": "//"}, {"name": "x"}
        ]}});
        assert_eq!(agent_ids(Some(&raw)), vec!["main", "work", "etc"]);
        assert_eq!(agent_ids(None), vec!["main"]);
        assert_eq!(normalize_agent_id("A b!c"), Some("a-b-c".to_string()));
    }
}
