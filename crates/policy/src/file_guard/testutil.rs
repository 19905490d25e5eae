//! Test helpers: the guide's environment, a fake filesystem with symlinks, command facts by
//! hand.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use hardclaw_config::schema::Config;
use serde_json::{Value, json};

use super::FileGuard;
use crate::guard::{Decision, GuardEnv, GuardRequest, NoFilesystem, PathResolver};
use crate::shell::{Arg, CommandFacts, ExecFact, Nesting, RedirectFact, RedirectOp};

pub const HOME: &str = "/Users/test";
pub const CWD: &str = "/Users/test/project";
pub const STATE: &str = "/Users/test/.hardclaw";
pub const CONFIG: &str = "/Users/test/.hardclaw/hardclaw.json";
pub const INCLUDE: &str = "/Users/test/.hardclaw/agents.json5";
pub const WORKSPACE: &str = "/Users/test/.hardclaw/workspace";

pub fn env() -> GuardEnv {
    GuardEnv {
        home: HOME.into(),
        state_dir: STATE.into(),
        config_path: CONFIG.into(),
        includes: vec![INCLUDE.into()],
        workspace: Some(WORKSPACE.into()),
    }
}

pub fn config(v: Value) -> Config {
    Config::from_value(&v).unwrap()
}

pub fn with_fg(fg: Value) -> Config {
    config(json!({"plugins": {"entries": {"file-guard": {"config": fg}}}}))
}

/// The guard with the default patterns (no pattern file).
pub fn guard() -> FileGuard {
    FileGuard::from_config(&Config::default(), &env(), None)
}

pub fn check_in(
    g: &FileGuard,
    tool: &str,
    params: Value,
    cwd: &str,
    agent: Option<&str>,
    facts: Option<&CommandFacts>,
    fs: &dyn PathResolver,
) -> Decision {
    let req = GuardRequest {
        tool,
        params: &params,
        agent_id: agent,
        session_key: None,
        cwd: Path::new(cwd),
    };
    g.check(&req, facts, fs)
}

pub fn tool(g: &FileGuard, tool: &str, params: Value) -> Decision {
    check_in(g, tool, params, CWD, None, None, &NoFilesystem)
}

pub fn shell(g: &FileGuard, facts: &CommandFacts) -> Decision {
    check_in(
        g,
        "bash",
        json!({"command": "(by hand)"}),
        CWD,
        None,
        Some(facts),
        &NoFilesystem,
    )
}

pub fn l(s: &str) -> Arg {
    Arg::Literal(s.to_string())
}

pub fn d(s: &str) -> Arg {
    Arg::Dynamic(s.to_string())
}

/// One program with the given path roles; argv is program + reads + writes + deletes.
pub fn prog(program: &str, reads: &[Arg], writes: &[Arg], deletes: &[Arg]) -> ExecFact {
    let mut argv = vec![l(program)];
    argv.extend(reads.iter().chain(writes).chain(deletes).cloned());
    ExecFact {
        argv,
        program: Some(program.to_string()),
        env: vec![],
        redirects: vec![],
        segment: 0,
        pipes_to: vec![],
        nesting: Nesting::Top,
        reads: reads.to_vec(),
        writes: writes.to_vec(),
        deletes: deletes.to_vec(),
        network: vec![],
        known_program: true,
    }
}

/// An unknown program with literal arguments (no path roles known).
pub fn unknown(program: &str, args: &[&str]) -> ExecFact {
    let mut f = prog(program, &[], &[], &[]);
    f.argv.extend(args.iter().map(|a| l(a)));
    f.known_program = false;
    f
}

pub fn redirect(mut f: ExecFact, op: RedirectOp, target: Arg) -> ExecFact {
    f.redirects.push(RedirectFact { op, target });
    f
}

pub fn facts(commands: Vec<ExecFact>) -> CommandFacts {
    let segments = commands.len();
    CommandFacts {
        commands,
        segments,
        ..CommandFacts::default()
    }
}

/// A fake filesystem: a set of existing files (their ancestors exist too) and symlinks
/// (link path → target, absolute or relative to the link's directory), resolved like
/// `realpath(3)`.
#[derive(Debug, Default, Clone)]
pub struct FakeFs {
    pub files: BTreeSet<PathBuf>,
    pub links: Vec<(PathBuf, PathBuf)>,
}

impl FakeFs {
    pub fn new() -> FakeFs {
        FakeFs::default()
    }

    pub fn file(mut self, p: &str) -> FakeFs {
        self.files.insert(p.into());
        self
    }

    pub fn link(mut self, from: &str, to: &str) -> FakeFs {
        self.links.push((from.into(), to.into()));
        self
    }

    fn exists(&self, p: &Path) -> bool {
        p == Path::new("/")
            || self.files.iter().any(|f| f.starts_with(p))
            || self.links.iter().any(|(l, _)| l.starts_with(p))
    }

    fn resolve(&self, path: &Path, depth: usize) -> Option<PathBuf> {
        if depth > 40 {
            return None;
        }
        let mut cur = PathBuf::from("/");
        let comps: Vec<Component<'_>> = path.components().collect();
        for comp in comps {
            match comp {
                Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
                Component::ParentDir => {
                    cur.pop();
                }
                Component::Normal(c) => {
                    cur.push(c);
                    if let Some((_, target)) = self.links.iter().find(|(l, _)| *l == cur) {
                        let parent = cur.parent().unwrap_or(Path::new("/")).to_path_buf();
                        let target = if target.is_absolute() {
                            target.clone()
                        } else {
                            parent.join(target)
                        };
                        cur = self.resolve(&target, depth + 1)?;
                    } else if !self.exists(&cur) {
                        return None;
                    }
                }
            }
        }
        self.exists(&cur).then_some(cur)
    }
}

impl PathResolver for FakeFs {
    fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        self.resolve(path, 0)
    }
}
