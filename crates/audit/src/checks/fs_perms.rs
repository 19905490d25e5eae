//! Check family `fs_perms`: POSIX permissions of the state dir, the config and its includes, the
//! credentials dir, auth profiles, session stores and the log file (reference
//! `openclaw-audit-checks.md` §1.1, everything except `fs.synced_dir`), plus hardclaw's checks
//! for the files OpenClaw leaves out (§7): `.env`, everything below the credentials dir, session
//! transcripts, config backups and `exec-approvals.json`.
//!
//! Bits come from `lstat`; for a symlink the target is `stat`-ed and the link reported on its
//! own. Paths that do not exist produce no finding. The helpers here ([`inspect`], [`Perms`],
//! [`chmod`]) are shared with the other families that look at files.

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use hardclaw_config::expand_tilde;

use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// The agent every install has, whatever `agents.list` says.
pub(super) const DEFAULT_AGENT_ID: &str = "main";

/// Entries looked at below the credentials dir before giving up (a hostile tree cannot stall
/// the audit).
const MAX_WALK_ENTRIES: usize = 5000;
/// Directory depth walked below the credentials dir.
const MAX_WALK_DEPTH: usize = 8;
/// Paths named in one finding before "and N more".
const MAX_LISTED: usize = 10;

/// Permission facts of one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Perms {
    /// The path itself is a symlink (the other fields describe its target).
    pub is_symlink: bool,
    /// Where the symlink points, as written in the link.
    pub link_target: Option<PathBuf>,
    /// The (target) is a directory.
    pub is_dir: bool,
    /// Permission bits (`mode & 0o7777`).
    pub mode: u32,
}

impl Perms {
    /// `o+w`.
    pub fn world_writable(&self) -> bool {
        self.mode & 0o002 != 0
    }
    /// `g+w`.
    pub fn group_writable(&self) -> bool {
        self.mode & 0o020 != 0
    }
    /// `o+r`.
    pub fn world_readable(&self) -> bool {
        self.mode & 0o004 != 0
    }
    /// `g+r`.
    pub fn group_readable(&self) -> bool {
        self.mode & 0o040 != 0
    }
    /// Group or world writable.
    pub fn writable_by_others(&self) -> bool {
        self.mode & 0o022 != 0
    }
    /// Group or world readable.
    pub fn readable_by_others(&self) -> bool {
        self.mode & 0o044 != 0
    }
    /// The bits as `0644`.
    pub fn mode_text(&self) -> String {
        format!("{:04o}", self.mode & 0o7777)
    }
}

/// `lstat`s `path`; for a symlink, `stat`s the target. `None` when the path (or the target of a
/// symlink) does not exist or cannot be inspected.
pub(super) fn inspect(path: &Path) -> Option<Perms> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if meta.file_type().is_symlink() {
        let target = std::fs::metadata(path).ok()?;
        Some(Perms {
            is_symlink: true,
            link_target: std::fs::read_link(path).ok(),
            is_dir: target.is_dir(),
            mode: target.permissions().mode() & 0o7777,
        })
    } else {
        Some(Perms {
            is_symlink: false,
            link_target: None,
            is_dir: meta.is_dir(),
            mode: meta.permissions().mode() & 0o7777,
        })
    }
}

/// `path` for a shell command line, `~`-shortened, quoted when needed.
pub(super) fn shell_path(ctx: &AuditContext<'_>, path: &Path) -> String {
    let shown = ctx.locations.display(path);
    let safe = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@=%".contains(c))
    };
    if let Some(rest) = shown.strip_prefix("~/") {
        if safe(rest) {
            shown
        } else {
            format!("~/{}", single_quote(rest))
        }
    } else if shown == "~" || safe(&shown) {
        shown
    } else {
        single_quote(&shown)
    }
}

fn single_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `chmod <mode> <path>` with the path shortened and quoted.
pub(super) fn chmod(ctx: &AuditContext<'_>, mode: &str, path: &Path) -> String {
    format!("chmod {mode} {}", shell_path(ctx, path))
}

/// The agent ids whose per-agent files are checked: `main`, then every `agents.list[].id`
/// (trimmed, lower-cased), without repeats.
pub(super) fn agent_ids(ctx: &AuditContext<'_>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    std::iter::once(DEFAULT_AGENT_ID.to_string())
        .chain(
            ctx.config()
                .agent_list()
                .iter()
                .map(|a| a.id.trim().to_ascii_lowercase()),
        )
        .filter(|id| !id.is_empty() && seen.insert(id.clone()))
        .collect()
}

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    state_dir(ctx, out);
    config_file(ctx, out);
    includes(ctx, out);
    credentials_dir(ctx, out);
    for id in agent_ids(ctx) {
        let default = agent_dir(ctx, &id).join("agent").join("auth-profiles.json");
        auth_profiles(ctx, &id, &default, out);
        // hardclaw extra: an `agentDir` override moves the auth profiles out of the state dir.
        if let Some(custom) = custom_agent_dir(ctx, &id) {
            let path = custom.join("auth-profiles.json");
            if path != default {
                auth_profiles(ctx, &id, &path, out);
            }
        }
        sessions_store(ctx, &id, out);
    }
    log_file(ctx, out);
    // hardclaw beyond OpenClaw (§7).
    env_file(ctx, out);
    credentials_subtree(ctx, out);
    for id in agent_ids(ctx) {
        session_transcripts(ctx, &id, out);
    }
    config_backups(ctx, out);
    exec_approvals(ctx, out);
}

fn symlink_note(ctx: &AuditContext<'_>, p: &Perms) -> String {
    match (&p.is_symlink, &p.link_target) {
        (true, Some(t)) => format!(
            " (symlink to {}; mode of the target)",
            ctx.locations.display(t)
        ),
        (true, None) => " (symlink; mode of the target)".to_string(),
        _ => String::new(),
    }
}

fn state_dir(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let path = &ctx.locations.state_dir;
    let Some(p) = inspect(path) else { return };
    let shown = ctx.locations.display(path);
    let fix = chmod(ctx, "700", path);
    if p.is_symlink {
        let target = p
            .link_target
            .as_deref()
            .map(|t| ctx.locations.display(t))
            .unwrap_or_else(|| "?".to_string());
        out.push(
            Finding::new(
                "fs.state_dir.symlink",
                Severity::Warn,
                "State dir is a symlink",
                format!(
                    "{shown} is a symlink to {target}; whoever controls the link or the directory it \
                     points to controls the state (credentials, sessions, config)."
                ),
            )
            .remediation(format!(
                "Use a real directory for the state dir (move {target} to {shown}), or point \
                 the state-dir setting at the real path."
            )),
        );
    }
    let note = symlink_note(ctx, &p);
    let mode = p.mode_text();
    if p.world_writable() {
        out.push(
            Finding::new(
                "fs.state_dir.perms_world_writable",
                Severity::Critical,
                "State dir is world-writable",
                format!(
                    "{shown} has mode {mode}{note}: any local user can replace the config, credentials \
                     and session files."
                ),
            )
            .remediation(fix),
        );
    } else if p.group_writable() {
        out.push(
            Finding::new(
                "fs.state_dir.perms_group_writable",
                Severity::Warn,
                "State dir is group-writable",
                format!(
                    "{shown} has mode {mode}{note}: members of its group can replace the config, \
                     credentials and session files."
                ),
            )
            .remediation(fix),
        );
    } else if p.readable_by_others() {
        out.push(
            Finding::new(
                "fs.state_dir.perms_readable",
                Severity::Warn,
                "State dir is readable by others",
                format!(
                    "{shown} has mode {mode}{note}: other users can list it and read whatever files \
                     inside are not locked down themselves."
                ),
            )
            .remediation(fix),
        );
    }
}

fn config_file(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let path = &ctx.locations.config_path;
    let Some(p) = inspect(path) else { return };
    let shown = ctx.locations.display(path);
    let fix = chmod(ctx, "600", path);
    let product = ctx.locations.product().to_ascii_uppercase();
    if p.is_symlink {
        let target = p
            .link_target
            .as_deref()
            .map(|t| ctx.locations.display(t))
            .unwrap_or_else(|| "?".to_string());
        out.push(
            Finding::new(
                "fs.config.symlink",
                Severity::Warn,
                "Config file is a symlink",
                format!(
                    "{shown} is a symlink to {target}; the config is only as safe as the link and \
                     every directory on the way to its target."
                ),
            )
            .remediation(format!(
                "Point {product}_CONFIG_PATH (or --config) at the real file {target}."
            )),
        );
    }
    let note = symlink_note(ctx, &p);
    let mode = p.mode_text();
    if p.writable_by_others() {
        out.push(
            Finding::new(
                "fs.config.perms_writable",
                Severity::Critical,
                "Config file is writable by others",
                format!(
                    "{shown} has mode {mode}{note}: other users can rewrite the config (open the \
                     gateway, enable tools, add channels)."
                ),
            )
            .remediation(fix),
        );
    } else if p.is_symlink {
        // The readable findings are suppressed for symlinks (E2 behaviour).
    } else if p.world_readable() {
        out.push(
            Finding::new(
                "fs.config.perms_world_readable",
                Severity::Critical,
                "Config file is world-readable",
                format!(
                    "{shown} has mode {mode}: every local user can read it, including any tokens and \
                     keys written in it."
                ),
            )
            .remediation(fix),
        );
    } else if p.group_readable() {
        out.push(
            Finding::new(
                "fs.config.perms_group_readable",
                Severity::Warn,
                "Config file is group-readable",
                format!(
                    "{shown} has mode {mode}: members of its group can read it, including any tokens \
                     and keys written in it."
                ),
            )
            .remediation(fix),
        );
    }
}

fn includes(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let mut seen = BTreeSet::new();
    for path in &ctx.loaded.includes {
        if !seen.insert(path.clone()) {
            continue;
        }
        let Some(p) = inspect(path) else { continue };
        let shown = ctx.locations.display(path);
        let fix = chmod(ctx, "600", path);
        let note = symlink_note(ctx, &p);
        let mode = p.mode_text();
        if p.writable_by_others() {
            out.push(
                Finding::new(
                    "fs.config_include.perms_writable",
                    Severity::Critical,
                    "Included config file is writable by others",
                    format!(
                        "{shown} (reached through $include) has mode {mode}{note}: other users can \
                         change the merged config."
                    ),
                )
                .remediation(fix),
            );
        } else if p.world_readable() {
            out.push(
                Finding::new(
                    "fs.config_include.perms_world_readable",
                    Severity::Critical,
                    "Included config file is world-readable",
                    format!(
                        "{shown} (reached through $include) has mode {mode}{note}: every local user \
                         can read it."
                    ),
                )
                .remediation(fix),
            );
        } else if p.group_readable() {
            out.push(
                Finding::new(
                    "fs.config_include.perms_group_readable",
                    Severity::Warn,
                    "Included config file is group-readable",
                    format!(
                        "{shown} (reached through $include) has mode {mode}{note}: members of its \
                         group can read it."
                    ),
                )
                .remediation(fix),
            );
        }
    }
}

fn credentials_dir(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let path = &ctx.locations.credentials_dir;
    let Some(p) = inspect(path) else { return };
    if !p.is_dir {
        return;
    }
    let shown = ctx.locations.display(path);
    let fix = chmod(ctx, "700", path);
    let note = symlink_note(ctx, &p);
    let mode = p.mode_text();
    if p.writable_by_others() {
        out.push(
            Finding::new(
                "fs.credentials_dir.perms_writable",
                Severity::Critical,
                "Credentials dir is writable by others",
                format!(
                    "{shown} has mode {mode}{note}: other users can plant or replace channel \
                     credentials and allowlists."
                ),
            )
            .remediation(fix),
        );
    } else if p.readable_by_others() {
        out.push(
            Finding::new(
                "fs.credentials_dir.perms_readable",
                Severity::Warn,
                "Credentials dir is readable by others",
                format!(
                    "{shown} has mode {mode}{note}: other users can list the stored credentials."
                ),
            )
            .remediation(fix),
        );
    }
}

fn agent_dir(ctx: &AuditContext<'_>, id: &str) -> PathBuf {
    ctx.locations.state_dir.join("agents").join(id)
}

/// `agents.list[].agentDir` of agent `id`, `~` expanded.
fn custom_agent_dir(ctx: &AuditContext<'_>, id: &str) -> Option<PathBuf> {
    ctx.config()
        .agent_list()
        .iter()
        .find(|a| a.id.trim().eq_ignore_ascii_case(id))
        .and_then(|a| a.agent_dir.as_deref())
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| expand_tilde(Path::new(d), &ctx.locations.home))
}

fn auth_profiles(ctx: &AuditContext<'_>, id: &str, path: &Path, out: &mut Vec<Finding>) {
    let Some(p) = inspect(path) else { return };
    let shown = ctx.locations.display(path);
    let fix = chmod(ctx, "600", path);
    let note = symlink_note(ctx, &p);
    let mode = p.mode_text();
    if p.writable_by_others() {
        out.push(
            Finding::new(
                "fs.auth_profiles.perms_writable",
                Severity::Critical,
                "Auth profiles are writable by others",
                format!(
                    "{shown} (agent `{id}`) has mode {mode}{note}: other users can swap the model \
                     credentials the agent uses."
                ),
            )
            .remediation(fix),
        );
    } else if p.readable_by_others() {
        out.push(
            Finding::new(
                "fs.auth_profiles.perms_readable",
                Severity::Warn,
                "Auth profiles are readable by others",
                format!(
                    "{shown} (agent `{id}`) has mode {mode}{note}: other users can read the model API \
                     keys and OAuth tokens."
                ),
            )
            .remediation(fix),
        );
    }
}

fn sessions_store(ctx: &AuditContext<'_>, id: &str, out: &mut Vec<Finding>) {
    let path = agent_dir(ctx, id).join("sessions").join("sessions.json");
    let Some(p) = inspect(&path) else { return };
    if p.readable_by_others() {
        let shown = ctx.locations.display(&path);
        out.push(
            Finding::new(
                "fs.sessions_store.perms_readable",
                Severity::Warn,
                "Session store is readable by others",
                format!(
                    "{shown} (agent `{id}`) has mode {}{}: other users can see who talks to the agent \
                     and the session routing.",
                    p.mode_text(),
                    symlink_note(ctx, &p)
                ),
            )
            .remediation(chmod(ctx, "600", &path)),
        );
    }
}

fn log_file(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let Some(file) = ctx
        .config()
        .logging
        .as_ref()
        .and_then(|l| l.file.as_deref())
        .map(str::trim)
        .filter(|f| !f.is_empty())
    else {
        return;
    };
    let path = expand_tilde(Path::new(file), &ctx.locations.home);
    let Some(p) = inspect(&path) else { return };
    if p.is_dir || !p.readable_by_others() {
        return;
    }
    let shown = ctx.locations.display(&path);
    out.push(
        Finding::new(
            "fs.log_file.perms_readable",
            Severity::Warn,
            "Log file is readable by others",
            format!(
                "{shown} (logging.file) has mode {}{}: logs can hold message text, tool output and \
                 anything redaction missed.",
                p.mode_text(),
                symlink_note(ctx, &p)
            ),
        )
        .remediation(chmod(ctx, "600", &path))
        .at("logging.file"),
    );
}

fn env_file(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let path = ctx.locations.state_dir.join(".env");
    let Some(p) = inspect(&path) else { return };
    if p.is_dir || !(p.readable_by_others() || p.writable_by_others()) {
        return;
    }
    let shown = ctx.locations.display(&path);
    let mut facts = Vec::new();
    if p.world_readable() {
        facts.push("every local user can read the secrets in it");
    } else if p.group_readable() {
        facts.push("members of its group can read the secrets in it");
    }
    if p.writable_by_others() {
        facts.push("other users can add variables the gateway loads (and its children inherit)");
    }
    let severity = if p.world_readable() || p.writable_by_others() {
        Severity::Critical
    } else {
        Severity::Warn
    };
    out.push(
        Finding::new(
            "fs.env_file.perms_readable",
            severity,
            "State-dir .env file is accessible to others",
            format!(
                "{shown} has mode {}{}: {}.",
                p.mode_text(),
                symlink_note(ctx, &p),
                facts.join("; ")
            ),
        )
        .remediation(chmod(ctx, "600", &path)),
    );
}

/// One path below the credentials dir that others can reach.
struct Exposed {
    path: PathBuf,
    perms: Perms,
}

fn credentials_subtree(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let root = &ctx.locations.credentials_dir;
    match inspect(root) {
        Some(p) if p.is_dir => {}
        _ => return,
    }
    let mut exposed = Vec::new();
    let mut budget = MAX_WALK_ENTRIES;
    let mut truncated = false;
    walk(root, 0, &mut budget, &mut truncated, &mut exposed);
    if exposed.is_empty() {
        return;
    }
    let critical = exposed
        .iter()
        .any(|e| e.perms.world_readable() || e.perms.writable_by_others());
    let severity = if critical {
        Severity::Critical
    } else {
        Severity::Warn
    };
    let mut lines: Vec<String> = exposed
        .iter()
        .take(MAX_LISTED)
        .map(|e| {
            format!(
                "{} ({} {}{})",
                ctx.locations.display(&e.path),
                if e.perms.is_dir { "dir" } else { "file" },
                e.perms.mode_text(),
                if e.perms.is_symlink {
                    ", via symlink"
                } else {
                    ""
                }
            )
        })
        .collect();
    if exposed.len() > MAX_LISTED {
        lines.push(format!("and {} more", exposed.len() - MAX_LISTED));
    }
    let mut detail = format!(
        "{} path(s) below {} are accessible to group or others: {}.",
        exposed.len(),
        ctx.locations.display(root),
        lines.join(", ")
    );
    if truncated {
        detail.push_str(&format!(
            " The walk stopped after {MAX_WALK_ENTRIES} entries or depth {MAX_WALK_DEPTH}; there may be more."
        ));
    }
    out.push(
        Finding::new(
            "fs.credentials_subdir.perms",
            severity,
            "Files below the credentials dir are accessible to others",
            detail,
        )
        .remediation(format!(
            "chmod -R go= {} (directories 700, files 600)",
            shell_path(ctx, root)
        )),
    );
}

fn walk(
    dir: &Path,
    depth: usize,
    budget: &mut usize,
    truncated: &mut bool,
    exposed: &mut Vec<Exposed>,
) {
    if depth >= MAX_WALK_DEPTH {
        *truncated = true;
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if *budget == 0 {
            *truncated = true;
            return;
        }
        *budget -= 1;
        let Some(perms) = inspect(&path) else {
            continue;
        };
        // Never descend through a symlink: it may point anywhere (even back up).
        let descend = perms.is_dir && !perms.is_symlink;
        if perms.mode & 0o077 != 0 {
            exposed.push(Exposed {
                path: path.clone(),
                perms,
            });
        }
        if descend {
            walk(&path, depth + 1, budget, truncated, exposed);
        }
    }
}

fn session_transcripts(ctx: &AuditContext<'_>, id: &str, out: &mut Vec<Finding>) {
    let dir = agent_dir(ctx, id).join("sessions");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut readable: Vec<(PathBuf, Perms)> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.contains(".jsonl"))
        })
        .filter_map(|p| inspect(&p).map(|perms| (p, perms)))
        .filter(|(_, perms)| !perms.is_dir && perms.readable_by_others())
        .collect();
    if readable.is_empty() {
        return;
    }
    readable.sort_by(|a, b| a.0.cmp(&b.0));
    let mut names: Vec<String> = readable
        .iter()
        .take(MAX_LISTED)
        .map(|(p, perms)| {
            format!(
                "{} ({})",
                p.file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default(),
                perms.mode_text()
            )
        })
        .collect();
    if readable.len() > MAX_LISTED {
        names.push(format!("and {} more", readable.len() - MAX_LISTED));
    }
    let severity = if readable.iter().any(|(_, p)| p.world_readable()) {
        Severity::Critical
    } else {
        Severity::Warn
    };
    out.push(
        Finding::new(
            "fs.session_transcripts.perms_readable",
            severity,
            "Session transcripts are readable by others",
            format!(
                "{} transcript(s) of agent `{id}` in {} are readable by group or others: {}. \
                 Transcripts hold the full conversations, tool output and any secret that passed \
                 through them.",
                readable.len(),
                ctx.locations.display(&dir),
                names.join(", ")
            ),
        )
        .remediation(format!("chmod 600 {}/*.jsonl*", shell_path(ctx, &dir))),
    );
}

fn config_backups(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let config = &ctx.locations.config_path;
    let (Some(parent), Some(name)) = (config.parent(), config.file_name().and_then(|n| n.to_str()))
    else {
        return;
    };
    let prefix = format!("{name}.bak");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let mut backups: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix))
        })
        .collect();
    backups.sort();
    for path in backups {
        let Some(p) = inspect(&path) else { continue };
        if p.is_dir || !p.readable_by_others() {
            continue;
        }
        let shown = ctx.locations.display(&path);
        let (severity, who) = if p.world_readable() {
            (Severity::Critical, "every local user")
        } else {
            (Severity::Warn, "members of its group")
        };
        out.push(
            Finding::new(
                "fs.config_backup.perms_readable",
                severity,
                "Config backup is readable by others",
                format!(
                    "{shown} has mode {}{}: {who} can read it, with whatever secrets the config \
                     held when it was copied.",
                    p.mode_text(),
                    symlink_note(ctx, &p)
                ),
            )
            .remediation(format!(
                "{} (or delete the backup if it is no longer needed)",
                chmod(ctx, "600", &path)
            )),
        );
    }
}

fn exec_approvals(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let path = ctx.locations.state_dir.join("exec-approvals.json");
    let Some(p) = inspect(&path) else { return };
    if p.is_dir || !p.writable_by_others() {
        return;
    }
    let shown = ctx.locations.display(&path);
    let who = if p.world_writable() {
        "any local user"
    } else {
        "members of its group"
    };
    out.push(
        Finding::new(
            "fs.exec_approvals.perms",
            Severity::Critical,
            "Exec approvals file is writable by others",
            format!(
                "{shown} has mode {}{}: {who} can add allowlist entries, which grants the agent \
                 commands without an approval prompt.",
                p.mode_text(),
                symlink_note(ctx, &p)
            ),
        )
        .remediation(chmod(ctx, "600", &path)),
    );
}

#[cfg(test)]
mod tests;
