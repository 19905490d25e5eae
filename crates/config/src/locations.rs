//! Where hardclaw (or, with `--openclaw`, OpenClaw) keeps its state and config.
//!
//! hardclaw: state dir `$HARDCLAW_STATE_DIR` or `~/.hardclaw`; config `$HARDCLAW_CONFIG_PATH` or
//! `<state>/hardclaw.json`. OpenClaw (reference `openclaw-audit-checks.md` §5.1): home
//! `$OPENCLAW_HOME` over `$HOME`; state `$OPENCLAW_STATE_DIR` / `$CLAWDBOT_STATE_DIR`, else
//! `~/.openclaw` if it exists, else the first existing legacy dir (`~/.clawdbot`, `~/.moldbot`,
//! `~/.moltbot`), else `~/.openclaw`; config `$OPENCLAW_CONFIG_PATH` / `$CLAWDBOT_CONFIG_PATH`,
//! else the first existing of `<state>/{openclaw,clawdbot,moldbot,moltbot}.json`.
//! Explicit `--state-dir` / `--config` flags beat every variable.

use std::path::{Path, PathBuf};

use crate::load::EnvMap;

/// Which product's layout to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavor {
    /// `~/.hardclaw`, `HARDCLAW_*`.
    #[default]
    Hardclaw,
    /// `~/.openclaw`, `OPENCLAW_*` and the legacy names.
    OpenClaw,
}

/// Inputs to location resolution (flags and environment), kept explicit for testability.
#[derive(Debug, Clone, Default)]
pub struct LocationInputs {
    /// `--config PATH`.
    pub config_flag: Option<PathBuf>,
    /// `--state-dir DIR`.
    pub state_dir_flag: Option<PathBuf>,
    /// `--openclaw`.
    pub flavor: Flavor,
    /// The process environment.
    pub env: EnvMap,
    /// The current directory (to absolutise relative paths).
    pub cwd: PathBuf,
}

/// Resolved locations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locations {
    /// Which layout.
    pub flavor: Flavor,
    /// The home directory used for `~` (for OpenClaw: `$OPENCLAW_HOME` over `$HOME`).
    pub home: PathBuf,
    /// The state directory.
    pub state_dir: PathBuf,
    /// The config file.
    pub config_path: PathBuf,
    /// The credentials directory (`$OPENCLAW_OAUTH_DIR` / `$HARDCLAW_OAUTH_DIR` or `<state>/credentials`).
    pub credentials_dir: PathBuf,
}

impl Locations {
    /// Resolves locations from flags and environment. Touches the filesystem only to test for
    /// the existence of OpenClaw's legacy directories and files.
    pub fn resolve(inputs: &LocationInputs) -> Locations {
        let env = |k: &str| inputs.env.get(k).filter(|v| !v.trim().is_empty()).cloned();
        let home = match inputs.flavor {
            Flavor::OpenClaw => env("OPENCLAW_HOME").or_else(|| env("HOME")),
            Flavor::Hardclaw => env("HOME"),
        }
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/"));
        let abs = |p: PathBuf| absolutize(&expand_tilde(&p, &home), &inputs.cwd);

        let state_dir = if let Some(dir) = &inputs.state_dir_flag {
            abs(dir.clone())
        } else {
            match inputs.flavor {
                Flavor::Hardclaw => env("HARDCLAW_STATE_DIR")
                    .map(|d| abs(PathBuf::from(d)))
                    .unwrap_or_else(|| home.join(".hardclaw")),
                Flavor::OpenClaw => env("OPENCLAW_STATE_DIR")
                    .or_else(|| env("CLAWDBOT_STATE_DIR"))
                    .map(|d| abs(PathBuf::from(d)))
                    .unwrap_or_else(|| openclaw_default_state_dir(&home)),
            }
        };

        let config_path = if let Some(path) = &inputs.config_flag {
            abs(path.clone())
        } else {
            match inputs.flavor {
                Flavor::Hardclaw => env("HARDCLAW_CONFIG_PATH")
                    .map(|p| abs(PathBuf::from(p)))
                    .unwrap_or_else(|| state_dir.join("hardclaw.json")),
                Flavor::OpenClaw => env("OPENCLAW_CONFIG_PATH")
                    .or_else(|| env("CLAWDBOT_CONFIG_PATH"))
                    .map(|p| abs(PathBuf::from(p)))
                    .unwrap_or_else(|| openclaw_default_config(&state_dir)),
            }
        };

        let oauth_var = match inputs.flavor {
            Flavor::Hardclaw => "HARDCLAW_OAUTH_DIR",
            Flavor::OpenClaw => "OPENCLAW_OAUTH_DIR",
        };
        let credentials_dir = env(oauth_var)
            .map(|d| abs(PathBuf::from(d)))
            .unwrap_or_else(|| state_dir.join("credentials"));

        Locations {
            flavor: inputs.flavor,
            home,
            state_dir,
            config_path,
            credentials_dir,
        }
    }

    /// The product name for messages ("hardclaw" or "openclaw").
    pub fn product(&self) -> &'static str {
        match self.flavor {
            Flavor::Hardclaw => "hardclaw",
            Flavor::OpenClaw => "openclaw",
        }
    }

    /// How to invoke hardclaw on these locations (`hardclaw` or `hardclaw --openclaw`), for
    /// remediation texts that name a hardclaw command.
    pub fn cli(&self) -> &'static str {
        match self.flavor {
            Flavor::Hardclaw => "hardclaw",
            Flavor::OpenClaw => "hardclaw --openclaw",
        }
    }

    /// The environment variable that holds the gateway token for this flavor.
    pub fn gateway_token_vars(&self) -> &'static [&'static str] {
        match self.flavor {
            Flavor::Hardclaw => &["HARDCLAW_GATEWAY_TOKEN", "OPENCLAW_GATEWAY_TOKEN"],
            Flavor::OpenClaw => &["OPENCLAW_GATEWAY_TOKEN", "CLAWDBOT_GATEWAY_TOKEN"],
        }
    }

    /// The environment variable that holds the gateway password for this flavor.
    pub fn gateway_password_vars(&self) -> &'static [&'static str] {
        match self.flavor {
            Flavor::Hardclaw => &["HARDCLAW_GATEWAY_PASSWORD", "OPENCLAW_GATEWAY_PASSWORD"],
            Flavor::OpenClaw => &["OPENCLAW_GATEWAY_PASSWORD", "CLAWDBOT_GATEWAY_PASSWORD"],
        }
    }

    /// The environment variable that overrides the gateway port for this flavor.
    pub fn gateway_port_var(&self) -> &'static str {
        match self.flavor {
            Flavor::Hardclaw => "HARDCLAW_GATEWAY_PORT",
            Flavor::OpenClaw => "OPENCLAW_GATEWAY_PORT",
        }
    }

    /// Shows `path` with the home directory replaced by `~`.
    pub fn display(&self, path: &Path) -> String {
        match path.strip_prefix(&self.home) {
            Ok(rest) if self.home != Path::new("/") => {
                if rest.as_os_str().is_empty() {
                    "~".to_string()
                } else {
                    format!("~/{}", rest.display())
                }
            }
            _ => path.display().to_string(),
        }
    }
}

fn openclaw_default_state_dir(home: &Path) -> PathBuf {
    let primary = home.join(".openclaw");
    if primary.exists() {
        return primary;
    }
    [".clawdbot", ".moldbot", ".moltbot"]
        .iter()
        .map(|n| home.join(n))
        .find(|p| p.exists())
        .unwrap_or(primary)
}

fn openclaw_default_config(state_dir: &Path) -> PathBuf {
    [
        "openclaw.json",
        "clawdbot.json",
        "moldbot.json",
        "moltbot.json",
    ]
    .iter()
    .map(|n| state_dir.join(n))
    .find(|p| p.exists())
    .unwrap_or_else(|| state_dir.join("openclaw.json"))
}

/// Expands a leading `~` or `~/` with `home`.
pub fn expand_tilde(path: &Path, home: &Path) -> PathBuf {
    let Some(text) = path.to_str() else {
        return path.to_path_buf();
    };
    if text == "~" {
        home.to_path_buf()
    } else if let Some(rest) = text.strip_prefix("~/") {
        home.join(rest)
    } else {
        path.to_path_buf()
    }
}

/// Joins a relative path onto `cwd` and removes `.` components (lexically; no symlinks followed).
pub fn absolutize(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for comp in joined.components() {
        match comp {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(flavor: Flavor, env: &[(&str, &str)]) -> LocationInputs {
        LocationInputs {
            flavor,
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            cwd: PathBuf::from("/work"),
            ..Default::default()
        }
    }

    #[test]
    fn hardclaw_defaults() {
        let l = Locations::resolve(&inputs(Flavor::Hardclaw, &[("HOME", "/h")]));
        assert_eq!(l.state_dir, PathBuf::from("/h/.hardclaw"));
        assert_eq!(l.config_path, PathBuf::from("/h/.hardclaw/hardclaw.json"));
        assert_eq!(l.credentials_dir, PathBuf::from("/h/.hardclaw/credentials"));
    }

    #[test]
    fn hardclaw_env_and_flags() {
        let mut i = inputs(
            Flavor::Hardclaw,
            &[
                ("HOME", "/h"),
                ("HARDCLAW_STATE_DIR", "~/s"),
                ("HARDCLAW_CONFIG_PATH", "c.json"),
            ],
        );
        let l = Locations::resolve(&i);
        assert_eq!(l.state_dir, PathBuf::from("/h/s"));
        assert_eq!(l.config_path, PathBuf::from("/work/c.json"));
        i.state_dir_flag = Some(PathBuf::from("/flag/state"));
        i.config_flag = Some(PathBuf::from("./x/../y.json"));
        let l = Locations::resolve(&i);
        assert_eq!(l.state_dir, PathBuf::from("/flag/state"));
        assert_eq!(l.config_path, PathBuf::from("/work/y.json"));
    }

    #[test]
    fn openclaw_home_and_legacy_vars() {
        let l = Locations::resolve(&inputs(
            Flavor::OpenClaw,
            &[
                ("HOME", "/h"),
                ("OPENCLAW_HOME", "/oh"),
                ("CLAWDBOT_STATE_DIR", "/legacy"),
            ],
        ));
        assert_eq!(l.home, PathBuf::from("/oh"));
        assert_eq!(l.state_dir, PathBuf::from("/legacy"));
        assert_eq!(l.config_path, PathBuf::from("/legacy/openclaw.json"));
    }

    #[test]
    fn openclaw_finds_legacy_state_and_config_names() {
        let home = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(home.path().join(".moltbot")).expect("mkdir");
        std::fs::write(home.path().join(".moltbot/clawdbot.json"), "{}").expect("write");
        let h = home.path().to_str().expect("utf8");
        let l = Locations::resolve(&inputs(Flavor::OpenClaw, &[("HOME", h)]));
        assert_eq!(l.state_dir, home.path().join(".moltbot"));
        assert_eq!(l.config_path, home.path().join(".moltbot/clawdbot.json"));
        assert_eq!(l.display(&l.config_path), "~/.moltbot/clawdbot.json");
    }
}
