//! Check family `skills` (reference §1.12, non-deep): workspace `SKILL.md` files that resolve
//! outside their workspace (symlink escape), and a truncated scan.
//!
//! Workspaces: `agents.defaults.workspace` (default `<state>/workspace`) and each agent's
//! `workspace` (default `<state>/workspace-<id>`); skills under `<workspace>/skills/**/SKILL.md`
//! (breadth-first, skipping dot-dirs and `node_modules`, following directory symlinks once per
//! real path). A target under `skills.load.allowSymlinkTargets` is accepted (E3).

use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// Scan caps (E3 skills workspace audit helper).
const MAX_FILES: usize = 2000;
const MAX_DIR_VISITS: usize = 40_000;

struct Scan {
    escapes: Vec<(PathBuf, PathBuf)>,
    truncated: bool,
}

fn scan_workspace(workspace: &Path, allowed: &[PathBuf], caps: (usize, usize)) -> Scan {
    let mut scan = Scan {
        escapes: Vec::new(),
        truncated: false,
    };
    let Ok(root_real) = std::fs::canonicalize(workspace) else {
        return scan;
    };
    let skills = workspace.join("skills");
    if !skills.is_dir() {
        return scan;
    }
    let mut queue = VecDeque::from([skills]);
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    let (mut files, mut visits) = (0usize, 0usize);
    while let Some(dir) = queue.pop_front() {
        if let Ok(real) = std::fs::canonicalize(&dir)
            && !seen.insert(real)
        {
            continue;
        }
        visits += 1;
        if visits > caps.1 {
            scan.truncated = true;
            break;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let path = entry.path();
            if path.is_dir() {
                if !name.starts_with('.') && name != "node_modules" {
                    queue.push_back(path);
                }
                continue;
            }
            if name != "SKILL.md" {
                continue;
            }
            files += 1;
            if files > caps.0 {
                scan.truncated = true;
                return scan;
            }
            let Ok(real) = std::fs::canonicalize(&path) else {
                continue;
            };
            if !real.starts_with(&root_real) && !allowed.iter().any(|a| real.starts_with(a)) {
                scan.escapes.push((path, real));
            }
        }
    }
    scan
}

fn workspaces(ctx: &AuditContext<'_>) -> Vec<(PathBuf, String)> {
    let config = ctx.config();
    let home = &ctx.locations.home;
    let state = &ctx.locations.state_dir;
    let expand = |p: &str| hardclaw_config::expand_tilde(Path::new(p), home);
    let mut out = vec![(
        config
            .agent_defaults()
            .and_then(|d| d.workspace.as_deref())
            .map(expand)
            .unwrap_or_else(|| state.join("workspace")),
        "agents.defaults.workspace".to_string(),
    )];
    for (i, a) in config.agent_list().iter().enumerate() {
        let ws = a
            .workspace
            .as_deref()
            .map(expand)
            .unwrap_or_else(|| state.join(format!("workspace-{}", a.id)));
        if !out.iter().any(|(w, _)| *w == ws) {
            out.push((ws, format!("agents.list[{i}].workspace")));
        }
    }
    out
}

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    collect_with_caps(ctx, out, (MAX_FILES, MAX_DIR_VISITS));
}

fn collect_with_caps(ctx: &AuditContext<'_>, out: &mut Vec<Finding>, caps: (usize, usize)) {
    let allowed: Vec<PathBuf> = ctx
        .config()
        .skills
        .as_ref()
        .and_then(|s| s.load.as_ref())
        .and_then(|l| l.allow_symlink_targets.as_ref())
        .into_iter()
        .flatten()
        .map(|p| hardclaw_config::expand_tilde(Path::new(p), &ctx.locations.home))
        .map(|p| std::fs::canonicalize(&p).unwrap_or(p))
        .collect();
    let mut escapes = Vec::new();
    let mut truncated = Vec::new();
    for (ws, path) in workspaces(ctx) {
        let scan = scan_workspace(&ws, &allowed, caps);
        if scan.truncated {
            truncated.push((ws.clone(), path.clone()));
        }
        escapes.extend(scan.escapes.into_iter().map(|e| (e, path.clone())));
    }
    if let Some((_, path)) = escapes.first() {
        let lines: Vec<String> = escapes
            .iter()
            .take(20)
            .map(|((link, real), _)| {
                format!(
                    "- {} → {}",
                    ctx.locations.display(link),
                    ctx.locations.display(real)
                )
            })
            .collect();
        out.push(
            Finding::new(
                "skills.workspace.symlink_escape",
                Severity::Warn,
                "Workspace skill files resolve outside the workspace root",
                format!(
                    "Detected workspace `skills/**/SKILL.md` paths whose realpath escapes their workspace root:\n{}",
                    lines.join("\n")
                ),
            )
            .remediation("Keep workspace skills inside the workspace root (replace symlinked escapes with real in-workspace files), or move trusted shared skills to managed/bundled skill locations or skills.load.allowSymlinkTargets.")
            .at(path.clone()),
        );
    }
    if let Some((_, path)) = truncated.first() {
        out.push(
            Finding::new(
                "skills.workspace.scan_truncated",
                Severity::Warn,
                "Workspace skill scan was truncated",
                format!(
                    "The skill scan stopped at its cap ({} SKILL.md files / {} directories) in: {}. Skills beyond the cap were not checked for symlink escapes.",
                    caps.0,
                    caps.1,
                    truncated.iter().map(|(w, _)| ctx.locations.display(w)).collect::<Vec<_>>().join(", ")
                ),
            )
            .remediation("Remove stale skill directories (or vendored trees) from the workspace so the scan can cover everything.")
            .at(path.clone()),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{collect, collect_with_caps};
    use crate::finding::Severity;
    use crate::test_support::{Fixture, find, ids};

    fn skill(dir: &std::path::Path) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("SKILL.md"), "# s").unwrap();
    }

    #[test]
    fn symlinked_skill_outside_workspace_is_reported() {
        let state = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        skill(&outside.path().join("evil"));
        let ws = state.path().join("workspace");
        skill(&ws.join("skills/good"));
        std::os::unix::fs::symlink(outside.path().join("evil"), ws.join("skills/evil")).unwrap();
        let f = Fixture::with_state(json!({}), state.path()).run(collect);
        let x = find(&f, "skills.workspace.symlink_escape");
        assert_eq!(x.severity, Severity::Warn);
        assert_eq!(x.json_path.as_deref(), Some("agents.defaults.workspace"));
        assert!(x.detail.contains("evil"));
        assert!(!x.detail.contains("good"));
        // Neighbour: the same target allowed by skills.load.allowSymlinkTargets.
        let allowed = json!({"skills": {"load": {"allowSymlinkTargets": [outside.path().to_str().unwrap()]}}});
        let ok = Fixture::with_state(allowed, state.path()).run(collect);
        assert!(ids(&ok).is_empty());
    }

    #[test]
    fn in_workspace_skills_and_hidden_dirs_are_fine() {
        let state = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        skill(&outside.path().join("x"));
        let ws = state.path().join("workspace");
        skill(&ws.join("skills/a/b"));
        std::fs::create_dir_all(ws.join("skills/.hidden")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("x"), ws.join("skills/.hidden/x")).unwrap();
        let f = Fixture::with_state(json!({}), state.path()).run(collect);
        assert!(ids(&f).is_empty());
    }

    #[test]
    fn scan_cap_reports_truncation() {
        let state = tempfile::tempdir().unwrap();
        let ws = state.path().join("workspace");
        for i in 0..3 {
            skill(&ws.join(format!("skills/s{i}")));
        }
        let fx = Fixture::with_state(json!({}), state.path());
        let mut out = Vec::new();
        collect_with_caps(&fx.ctx(), &mut out, (2, 100));
        let x = find(&out, "skills.workspace.scan_truncated");
        assert_eq!(x.severity, Severity::Warn);
        let mut ok = Vec::new();
        collect_with_caps(&fx.ctx(), &mut ok, (10, 100));
        assert!(ids(&ok).is_empty());
    }
}
