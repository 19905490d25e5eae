//! hardclaw's built-in protections: always on, not removable by the pattern file.
//!
//! * `self-protection` (no_access): the config file, every `$include`, the pattern files, and
//!   the whole state directory, except the agent workspaces that live inside it.
//! * `credentials` (no_access): auth profiles, credential stores, SSH/cloud/cluster/registry
//!   credentials and shell history, at any depth (so other users' homes and sandbox homes are
//!   covered too), `~/.npmrc` in the home directory, and `/etc/shadow` & co.
//!   Also `gh`/`hub`/Terraform/Azure/1Password CLI tokens, `.pgpass`, `pass` stores, GNOME
//!   keyrings and Firefox/Chrome saved logins and cookies.
//! * `process-secrets` (no_access): `/proc/<pid>/environ`, `mem`, `fd/`, `map_files/` of every
//!   process including the gateway itself (`/proc/self`), whose environment holds API keys.
//! * `identity-files` (read_only): `SOUL.md`, `AGENTS.md`, `USER.md`, `IDENTITY.md`, `TOOLS.md`,
//!   `HEARTBEAT.md` and `BOOTSTRAP.md` directly in every known agent workspace. Memory
//!   (`MEMORY.md`, `memory/`) stays writable: writing it is the agent's job. HEARTBEAT.md is
//!   protected because it is run periodically (a persistence vector); BOOTSTRAP.md because it
//!   is read at session start (the gateway, not the agent, removes it).
//! * `shell-startup` (read_only): shell rc files and user autostart locations in the home
//!   directory, git config (`core.fsmonitor`/aliases run code), systemd user units and the
//!   crontab spool: writing them runs code in the user's next shell, login or schedule.

use std::path::{Path, PathBuf};

use globset::escape;
use hardclaw_config::schema::Config;

use super::matcher::{Entry, Source};
use super::paths::{absolutize, expand_tilde};
use super::patterns::Level;
use crate::guard::GuardEnv;

/// Identity files protected read-only in each agent workspace.
pub const IDENTITY_FILES: &[&str] = &[
    "SOUL.md",
    "AGENTS.md",
    "USER.md",
    "IDENTITY.md",
    "TOOLS.md",
    "HEARTBEAT.md",
    "BOOTSTRAP.md",
];

/// Credential globs at any depth.
const CREDENTIAL_GLOBS: &[&str] = &[
    "**/auth-profiles.json",
    "**/credentials",
    "**/credentials/**",
    "**/.ssh",
    "**/.ssh/**",
    "**/.aws",
    "**/.aws/**",
    "**/.config/gcloud",
    "**/.config/gcloud/**",
    "**/.kube",
    "**/.kube/**",
    "**/.docker/config.json",
    "**/.netrc",
    "**/.git-credentials",
    "**/.config/git/credentials",
    "**/.pypirc",
    "**/.gnupg",
    "**/.gnupg/**",
    "**/.bash_history",
    "**/.zsh_history",
    "**/.zhistory",
    "**/.sh_history",
    "**/.history",
    "**/.python_history",
    "**/.node_repl_history",
    "**/.psql_history",
    "**/.mysql_history",
    "**/.sqlite_history",
    "**/.lesshst",
    "**/.local/share/fish/fish_history",
    "**/.config/gh/hosts.yml",
    "**/.pgpass",
    "**/.password-store",
    "**/.password-store/**",
    "**/.local/share/keyrings",
    "**/.local/share/keyrings/**",
    "**/.mozilla/firefox/*/logins.json",
    "**/.mozilla/firefox/*/key4.db",
    "**/.mozilla/firefox/*/key3.db",
    "**/.mozilla/firefox/*/cookies.sqlite",
    "**/Login Data",
    "**/Login Data For Account",
    "**/Cookies",
    "**/.config/hub",
    "**/.terraform.d/credentials.tfrc.json",
    "**/.azure",
    "**/.azure/**",
    "**/.config/op",
    "**/.config/op/**",
    "/etc/shadow",
    "/etc/gshadow",
    "/etc/sudoers",
    "/etc/sudoers.d/**",
];

/// Credential files and directories relative to the home directory (literal anchors, so
/// deleting or overwriting a directory that holds them is refused too).
const HOME_CREDENTIALS: &[&str] = &[
    ".ssh",
    ".aws",
    ".config/gcloud",
    ".kube",
    ".docker/config.json",
    ".netrc",
    ".git-credentials",
    ".npmrc",
    ".pypirc",
    ".gnupg",
    ".bash_history",
    ".zsh_history",
    ".config/gh/hosts.yml",
    ".pgpass",
    ".password-store",
    ".local/share/keyrings",
    ".config/hub",
    ".terraform.d/credentials.tfrc.json",
    ".azure",
    ".config/op",
];

/// Secrets of running processes (`process-secrets`, no_access): another process's — or the
/// gateway's own — environment (API keys), memory and open files. `/proc/self` and
/// `/proc/<pid>` both match `*`. `maps` and `cmdline` stay readable: they hold no secrets the
/// agent could not already see with `ps`, and tools read them for diagnostics.
const PROCESS_SECRET_GLOBS: &[&str] = &[
    "/proc/*/environ",
    "/proc/*/mem",
    "/proc/*/fd",
    "/proc/*/fd/**",
    "/proc/*/map_files",
    "/proc/*/map_files/**",
    "/proc/*/task/*/environ",
    "/proc/*/task/*/mem",
    "/proc/*/task/*/fd",
    "/proc/*/task/*/fd/**",
    "/proc/*/task/*/map_files/**",
];

/// Shell startup / autostart locations relative to the home directory.
const HOME_STARTUP: &[&str] = &[
    ".bashrc",
    ".bash_profile",
    ".bash_login",
    ".bash_logout",
    ".profile",
    ".zshrc",
    ".zprofile",
    ".zshenv",
    ".zlogin",
    ".config/fish/config.fish",
    ".config/fish/conf.d",
    ".config/autostart",
    ".config/systemd/user",
    ".gitconfig",
    ".config/git/config",
    ".config/environment.d",
    ".xprofile",
    ".xinitrc",
    "Library/LaunchAgents",
];

/// Crontab spool locations (a crontab written there runs on a schedule): read_only under the
/// `shell-startup` rule.
const CRON_SPOOL_GLOBS: &[&str] = &[
    "/var/spool/cron",
    "/var/spool/cron/**",
    "/var/spool/cron/crontabs/**",
    "/etc/crontab",
    "/etc/cron.d/**",
    "/etc/cron.hourly/**",
    "/etc/cron.daily/**",
    "/etc/cron.weekly/**",
    "/etc/cron.monthly/**",
];

/// The built-in entries, the literal anchors and the exempt workspaces.
#[derive(Debug, Clone, Default)]
pub struct Builtins {
    /// Glob entries.
    pub entries: Vec<Entry>,
    /// Literal locations (for "directory that holds a protected location" checks).
    pub anchors: Vec<(PathBuf, Level, Source)>,
    /// Workspaces inside which the state-directory rule does not apply.
    pub workspaces: Vec<PathBuf>,
}

fn lit(path: &Path) -> String {
    escape(&path.to_string_lossy())
}

fn usable(p: &Path) -> bool {
    p.is_absolute() && p != Path::new("/")
}

impl Builtins {
    fn push(&mut self, level: Level, source: Source, pattern: String, exempt: bool) {
        let e = Entry {
            level,
            source,
            pattern,
            exempt_workspaces: exempt,
        };
        if !self.entries.contains(&e) {
            self.entries.push(e);
        }
    }

    /// Protects one literal location (the path itself and everything below it).
    pub fn protect_tree(&mut self, path: &Path, level: Level, source: Source, exempt: bool) {
        if !usable(path) {
            return;
        }
        let path = absolutize(&path.to_string_lossy(), Path::new("/"), Path::new("/"));
        self.push(level, source, lit(&path), exempt);
        self.push(level, source, format!("{}/**", lit(&path)), exempt);
        if !exempt {
            self.anchors.push((path, level, source));
        }
    }

    /// Computes the built-ins for `env` (and the workspaces `config` declares).
    pub fn new(config: &Config, env: &GuardEnv, extra_protected: &[PathBuf]) -> Builtins {
        let mut b = Builtins::default();
        let home = env.home.as_path();

        // Agent workspaces: the caller's, every configured one, and OpenClaw's defaults under
        // the state directory.
        let mut workspaces: Vec<PathBuf> = Vec::new();
        let mut add_ws = |p: PathBuf| {
            let p = absolutize(&p.to_string_lossy(), Path::new("/"), home);
            if usable(&p) && !workspaces.contains(&p) {
                workspaces.push(p);
            }
        };
        if let Some(ws) = &env.workspace {
            add_ws(ws.clone());
        }
        if let Some(agents) = &config.agents {
            if let Some(ws) = agents.defaults.as_ref().and_then(|d| d.workspace.as_ref()) {
                add_ws(expand_tilde(ws, home));
            }
            for agent in agents.list.iter().flatten() {
                if let Some(ws) = &agent.workspace {
                    add_ws(expand_tilde(ws, home));
                }
                if usable(&env.state_dir) {
                    add_ws(env.state_dir.join(format!("workspace-{}", agent.id)));
                }
            }
        }
        if usable(&env.state_dir) {
            add_ws(env.state_dir.join("workspace"));
        }

        // self-protection
        for p in std::iter::once(&env.config_path)
            .chain(env.includes.iter())
            .chain(extra_protected.iter())
        {
            b.protect_tree(p, Level::NoAccess, Source::SelfProtection, false);
        }
        if usable(&env.state_dir) {
            let state = absolutize(&env.state_dir.to_string_lossy(), Path::new("/"), home);
            b.push(Level::NoAccess, Source::SelfProtection, lit(&state), false);
            b.push(
                Level::NoAccess,
                Source::SelfProtection,
                format!("{}/**", lit(&state)),
                true,
            );
            b.anchors
                .push((state, Level::NoAccess, Source::SelfProtection));
        }

        // credentials
        for g in CREDENTIAL_GLOBS {
            b.push(
                Level::NoAccess,
                Source::Credentials,
                (*g).to_string(),
                false,
            );
        }
        for g in PROCESS_SECRET_GLOBS {
            b.push(
                Level::NoAccess,
                Source::ProcessSecrets,
                (*g).to_string(),
                false,
            );
        }
        for g in CRON_SPOOL_GLOBS {
            b.push(
                Level::ReadOnly,
                Source::ShellStartup,
                (*g).to_string(),
                false,
            );
        }
        if usable(home) {
            for rel in HOME_CREDENTIALS {
                b.protect_tree(&home.join(rel), Level::NoAccess, Source::Credentials, false);
            }
            for rel in HOME_STARTUP {
                b.protect_tree(
                    &home.join(rel),
                    Level::ReadOnly,
                    Source::ShellStartup,
                    false,
                );
            }
        }

        // identity files
        for ws in &workspaces {
            for name in IDENTITY_FILES {
                let p = ws.join(name);
                b.push(Level::ReadOnly, Source::IdentityFiles, lit(&p), false);
                b.anchors.push((p, Level::ReadOnly, Source::IdentityFiles));
            }
        }
        b.workspaces = workspaces;
        b
    }
}
