//! The effective sandbox of an agent and session, resolved from `agents.defaults.sandbox` and
//! `agents.list[].sandbox` (field by field, agent over defaults), and the [`SandboxSpec`] built
//! from it. Pure: the filesystem is only seen through [`HostView`].

use std::path::{Path, PathBuf};

use hardclaw_config::schema::{Config, SandboxMode, SandboxScope, WorkspaceAccess};
use hardclaw_policy::{SessionKey, SessionType, normalize_agent_id};
use serde::Serialize;

use crate::error::Refusal;
use crate::mounts::{HostView, MountInputs, mount_plan};
use crate::spec::{Limits, SandboxSpec, WORKSPACE_DIR};
use crate::{env, landlock_rules, rlimits};

/// How the workspace appears inside the sandbox (`sandbox.workspaceAccess`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkspaceMode {
    /// Not mounted: `/workspace` is an empty private tmpfs.
    None,
    /// Mounted read-only at `/workspace`.
    Ro,
    /// Mounted read-write at `/workspace`.
    Rw,
}

/// The sandbox settings in force for one agent and session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EffectiveSandbox {
    /// Normalised agent id.
    pub agent_id: String,
    /// The session key the decision is for.
    pub session: String,
    /// `off`, `non-main` or `all`.
    pub mode: &'static str,
    /// Whether this session's exec runs sandboxed under `mode`.
    pub session_sandboxed: bool,
    /// `session`, `agent` or `shared` (hardclaw starts a fresh sandbox per command, so scope
    /// only names which workspace is shared; it is reported, not enforced).
    pub scope: &'static str,
    /// Workspace access.
    pub workspace_access: WorkspaceMode,
    /// The agent's workspace on the host (`~` expanded).
    pub workspace: PathBuf,
    /// The JSON path that set the mode (or `default`).
    pub mode_source: String,
}

/// What resolution needs besides the config.
#[derive(Debug, Clone)]
pub struct SandboxInputs {
    /// The state directory.
    pub state_dir: PathBuf,
    /// The config file.
    pub config_path: PathBuf,
    /// The home directory (for `~`).
    pub home: PathBuf,
}

/// Resolves the effective sandbox of `agent_id` in `session` (default: its main session).
pub fn resolve(
    config: &Config,
    agent_id: &str,
    session: Option<&str>,
    inputs: &SandboxInputs,
) -> EffectiveSandbox {
    let id = normalize_agent_id(agent_id);
    let list = config.agent_list();
    let index = list.iter().position(|a| normalize_agent_id(&a.id) == id);
    let agent = index.map(|i| &list[i]);
    let defaults = config.agent_defaults();
    let agent_sb = agent.and_then(|a| a.sandbox.as_ref());
    let default_sb = defaults.and_then(|d| d.sandbox.as_ref());

    let (mode, mode_source) = match (
        agent_sb.and_then(|s| s.mode),
        default_sb.and_then(|s| s.mode),
    ) {
        (Some(m), _) => (
            m,
            format!("agents.list[{}].sandbox.mode", index.unwrap_or(0)),
        ),
        (None, Some(m)) => (m, "agents.defaults.sandbox.mode".to_string()),
        (None, None) => (SandboxMode::Off, "default".to_string()),
    };
    let scope = agent_sb
        .and_then(|s| s.scope)
        .or(default_sb.and_then(|s| s.scope))
        .unwrap_or(SandboxScope::Agent);
    let access = agent_sb
        .and_then(|s| s.workspace_access)
        .or(default_sb.and_then(|s| s.workspace_access))
        .unwrap_or(WorkspaceAccess::None);

    let key = match session {
        Some(raw) => SessionKey::parse(raw, &id),
        None => SessionKey::main(&id),
    };
    let is_main = matches!(key.kind, SessionType::Main);
    let session_sandboxed = match mode {
        SandboxMode::Off => false,
        SandboxMode::NonMain => !is_main,
        SandboxMode::All => true,
    };

    let is_default_agent = match index {
        None => true,
        Some(i) => {
            list[i].default == Some(true)
                || (i == 0 && !list.iter().any(|a| a.default == Some(true)))
        }
    };
    let configured = agent.and_then(|a| a.workspace.clone()).or_else(|| {
        defaults
            .and_then(|d| d.workspace.clone())
            .filter(|_| is_default_agent)
    });
    let workspace = match configured {
        Some(w) => expand_home(&w, &inputs.home),
        None if is_default_agent => inputs.state_dir.join("workspace"),
        None => inputs.state_dir.join(format!("workspace-{id}")),
    };

    EffectiveSandbox {
        agent_id: id,
        session: key.key,
        mode: match mode {
            SandboxMode::Off => "off",
            SandboxMode::NonMain => "non-main",
            SandboxMode::All => "all",
        },
        session_sandboxed,
        scope: match scope {
            SandboxScope::Session => "session",
            SandboxScope::Agent => "agent",
            SandboxScope::Shared => "shared",
        },
        workspace_access: match access {
            WorkspaceAccess::None => WorkspaceMode::None,
            WorkspaceAccess::Ro => WorkspaceMode::Ro,
            WorkspaceAccess::Rw => WorkspaceMode::Rw,
        },
        workspace,
        mode_source,
    }
}

/// `~` and `~/x` against `home`.
pub fn expand_home(path: &str, home: &Path) -> PathBuf {
    if path == "~" {
        home.to_path_buf()
    } else if let Some(rest) = path.strip_prefix("~/") {
        home.join(rest)
    } else {
        PathBuf::from(path)
    }
}

/// Paths that must never be visible in the sandbox even when they sit inside the workspace:
/// the state dir, the config, and the usual credential stores of the home directory.
pub fn protected_paths(inputs: &SandboxInputs) -> Vec<PathBuf> {
    let mut v = vec![inputs.state_dir.clone(), inputs.config_path.clone()];
    for name in [
        ".ssh",
        ".aws",
        ".gnupg",
        ".netrc",
        ".docker",
        ".kube",
        ".config",
        ".npmrc",
        ".pypirc",
        ".git-credentials",
        ".cargo/credentials",
        ".cargo/credentials.toml",
        ".hardclaw",
        ".openclaw",
        ".bash_history",
    ] {
        v.push(inputs.home.join(name));
    }
    v
}

/// Builds the spec for `argv` under `eff`. The workspace must be an existing absolute
/// directory (already canonicalised by the caller); it may not be `/` nor contain the state dir
/// wholesale — protected paths inside it are masked.
pub fn build_spec(
    eff: &EffectiveSandbox,
    inputs: &SandboxInputs,
    argv: Vec<String>,
    host_env: &[(String, String)],
    limits: &Limits,
    proxy_socket: Option<PathBuf>,
    host: &dyn HostView,
) -> Result<SandboxSpec, Refusal> {
    if argv.is_empty() {
        return Err(Refusal::Plan("no command given".into()));
    }
    let ws = &eff.workspace;
    if eff.workspace_access != WorkspaceMode::None {
        if !ws.is_absolute() {
            return Err(Refusal::Plan(format!(
                "workspace {} is not an absolute path",
                ws.display()
            )));
        }
        if ws.parent().is_none() {
            return Err(Refusal::Plan("the workspace may not be `/`".into()));
        }
        if !host.is_dir(ws) {
            return Err(Refusal::Plan(format!(
                "workspace {} does not exist or is not a directory",
                ws.display()
            )));
        }
        if ws == &inputs.state_dir {
            return Err(Refusal::Plan(format!(
                "the workspace is the state directory {}; refusing to expose it",
                ws.display()
            )));
        }
    }
    let mounts = mount_plan(
        &MountInputs {
            workspace: (eff.workspace_access != WorkspaceMode::None).then(|| ws.clone()),
            access: eff.workspace_access,
            protected: protected_paths(inputs),
            proxy_socket: proxy_socket.clone(),
            tmpfs_size: limits.tmpfs_size,
        },
        host,
    );
    let landlock = landlock_rules::rules(&mounts, eff.workspace_access);
    Ok(SandboxSpec {
        mounts,
        landlock,
        rlimits: rlimits::rlimits(limits),
        pid_max: limits.processes,
        env: env::sanitized_env(host_env),
        proxy_socket,
        cwd: WORKSPACE_DIR.to_string(),
        argv,
    })
}

#[cfg(test)]
mod tests;
