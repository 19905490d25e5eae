//! The file guard itself: settings + pattern file + built-ins → [`FileGuard`], and
//! [`FileGuard::check`] for one tool call.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::escape;
use hardclaw_config::schema::Config;
use serde_json::Value;

use super::builtins::Builtins;
use super::matcher::{Entry, Matcher, Protection, Source, build_glob};
use super::paths::{PathContext, absolutize, forms, lexical_normalize};
use super::patterns::{Level, PatternSet};
use super::settings::{Settings, resolve_path};
use crate::guard::{Decision, GuardEnv, GuardRequest, PathResolver, Verdict};
use crate::shell::{Arg, CommandFacts, RedirectOp};

/// The parameters naming a local path, per tool. `image` and `message` upload the file
/// they name, so their paths are judged as reads.
pub fn path_keys(tool: &str) -> &'static [&'static str] {
    match tool {
        "image" => &["image", "images", "path", "file_path", "filePath"],
        "message" => &["media", "filePath", "path", "file_path"],
        _ => &["file_path", "path", "filePath"],
    }
}

/// The guard id in decisions.
pub const GUARD: &str = "file-guard";

/// The tools the file guard judges; every other tool is allowed without a look.
pub const GUARDED_TOOLS: &[&str] = &[
    "read",
    "write",
    "edit",
    "apply_patch",
    "image",
    "message",
    "exec",
    "bash",
    "process",
];

/// The guide's reason for a config error.
pub const CONFIG_ERROR_REASON: &str = "File guard config error — blocking as precaution.";

/// What a tool call does to a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Op {
    /// Reads it: refused at `no_access`.
    Read,
    /// Creates, modifies or truncates it: refused at `no_access` and `read_only`.
    Write,
    /// Deletes or moves it away: refused at every level.
    Delete,
}

impl Op {
    fn refused_at(self, level: Level) -> bool {
        match self {
            Op::Read => level == Level::NoAccess,
            Op::Write => level >= Level::ReadOnly,
            Op::Delete => true,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Op::Read => "read",
            Op::Write => "write",
            Op::Delete => "delete",
        }
    }
}

/// The file guard, compiled once per configuration.
#[derive(Debug, Clone)]
pub struct FileGuard {
    settings: Settings,
    config_error: Option<String>,
    warnings: Vec<String>,
    env: GuardEnv,
    builtins: Builtins,
    base_patterns: PatternSet,
    override_patterns: BTreeMap<String, PatternSet>,
    base: Option<Matcher>,
    overrides: BTreeMap<String, Matcher>,
}

impl FileGuard {
    /// Where the pattern file is: `configPath` with `~` expanded (against `home`), absolute
    /// kept, else relative to `base_dir` (the plugin directory).
    pub fn pattern_file_path(config: &Config, base_dir: &Path, home: &Path) -> PathBuf {
        let settings = Settings::from_config(config).unwrap_or_else(|(s, _)| s);
        resolve_path(&settings.config_path, base_dir, home)
    }

    /// Every `agentOverrides` pattern file: agent id → path (resolved like
    /// [`FileGuard::pattern_file_path`]).
    pub fn agent_override_paths(
        config: &Config,
        base_dir: &Path,
        home: &Path,
    ) -> Vec<(String, PathBuf)> {
        let settings = Settings::from_config(config).unwrap_or_else(|(s, _)| s);
        settings
            .agent_overrides
            .iter()
            .map(|(agent, p)| (agent.clone(), resolve_path(p, base_dir, home)))
            .collect()
    }

    /// The default plugin directory under the state directory
    /// (`<state>/plugins/file-guard`); relative `configPath`s resolve against it.
    pub fn default_base_dir(env: &GuardEnv) -> PathBuf {
        env.state_dir.join("plugins").join("file-guard")
    }

    /// Whether the pattern file path was configured explicitly (`configPath`): then a missing
    /// file is a config error rather than "use the defaults".
    pub fn pattern_file_is_explicit(config: &Config) -> bool {
        Settings::from_config(config)
            .unwrap_or_else(|(s, _)| s)
            .config_path_explicit
    }

    /// Builds the guard. `pattern_file_text` is the pattern file's content as read by the
    /// caller: `None` = the file does not exist (the defaults at the default location; a
    /// config error when `configPath` was given explicitly, unless `failOpen`),
    /// `Some(Err(_))` = it exists but could not be read (treated like a malformed file).
    pub fn from_config(
        config: &Config,
        env: &GuardEnv,
        pattern_file_text: Option<Result<String, String>>,
    ) -> FileGuard {
        let mut warnings = Vec::new();
        let (settings, mut config_error) = match Settings::from_config(config) {
            Ok(s) => (s, None),
            Err((s, e)) => {
                let e = format!("file-guard settings: {e}");
                if s.fail_open {
                    warnings.push(format!("{e}; continuing (failOpen)"));
                    (s, None)
                } else {
                    (s, Some(e))
                }
            }
        };
        let base_patterns = match pattern_file_text {
            None if settings.config_path_explicit => {
                let e = format!(
                    "pattern file not found: configPath `{}` is set but does not exist",
                    settings.config_path
                );
                if settings.fail_open {
                    warnings.push(format!("{e}; using the default patterns (failOpen)"));
                } else if config_error.is_none() {
                    config_error = Some(e);
                }
                PatternSet::defaults()
            }
            None => PatternSet::defaults(),
            Some(text) => match text.and_then(|t| PatternSet::parse(&t)) {
                Ok(set) => set,
                Err(e) => {
                    let e = format!("pattern file: {e}");
                    if settings.fail_open {
                        warnings.push(format!("{e}; using the default patterns (failOpen)"));
                    } else if config_error.is_none() {
                        config_error = Some(e);
                    }
                    PatternSet::defaults()
                }
            },
        };
        let base_patterns = if settings.enabled {
            base_patterns
        } else {
            // A disabled plugin entry turns the pattern file off; the built-ins stay.
            config_error = None;
            PatternSet::default()
        };
        // Protect the pattern files we know of (absolute or `~`; relative ones resolve under
        // the default plugin directory, inside the state directory).
        let base_dir = FileGuard::default_base_dir(env);
        let mut protected = vec![resolve_path(&settings.config_path, &base_dir, &env.home)];
        for p in settings.agent_overrides.values() {
            protected.push(resolve_path(p, &base_dir, &env.home));
        }
        let builtins = Builtins::new(config, env, &protected);
        let mut guard = FileGuard {
            settings,
            config_error,
            warnings,
            env: env.clone(),
            builtins,
            base_patterns,
            override_patterns: BTreeMap::new(),
            base: None,
            overrides: BTreeMap::new(),
        };
        guard.compile();
        guard
    }

    /// Adds an agent's override pattern file (read by the caller; see
    /// [`FileGuard::agent_override_paths`]), merged additively with the base patterns. A
    /// missing, unreadable or malformed override only adds a warning: that agent keeps the
    /// base patterns.
    #[must_use]
    pub fn with_agent_override(
        mut self,
        agent_id: &str,
        pattern_file_text: Option<Result<String, String>>,
    ) -> FileGuard {
        match pattern_file_text {
            None => self.warnings.push(format!(
                "agentOverrides.{agent_id}: pattern file not found; using the base patterns"
            )),
            Some(text) => match text.and_then(|t| PatternSet::parse(&t)) {
                Ok(set) => {
                    self.override_patterns.insert(agent_id.to_string(), set);
                    self.compile();
                }
                Err(e) => self.warnings.push(format!(
                    "agentOverrides.{agent_id}: {e}; using the base patterns"
                )),
            },
        }
        self
    }

    /// Protects one more location at the self-protection level (e.g. a pattern file outside
    /// the default plugin directory).
    #[must_use]
    pub fn with_protected_path(mut self, path: &Path) -> FileGuard {
        self.builtins
            .protect_tree(path, Level::NoAccess, Source::SelfProtection, false);
        self.compile();
        self
    }

    fn entries_for(&self, patterns: &PatternSet) -> Vec<Entry> {
        let mut entries = self.builtins.entries.clone();
        for level in Level::ALL {
            for p in patterns.patterns(level) {
                let pattern = if p == "~" {
                    escape(&self.env.home.to_string_lossy())
                } else if let Some(rest) = p.strip_prefix("~/") {
                    format!("{}/{rest}", escape(&self.env.home.to_string_lossy()))
                } else {
                    p.clone()
                };
                entries.push(Entry {
                    level,
                    source: Source::Pattern,
                    pattern,
                    exempt_workspaces: false,
                });
            }
        }
        entries
    }

    fn compile_one(&mut self, patterns: &PatternSet) -> Option<Matcher> {
        let ci = self.settings.case_insensitive;
        let ws = self.builtins.workspaces.clone();
        let anchors = self.builtins.anchors.clone();
        match Matcher::new(self.entries_for(patterns), ws.clone(), anchors.clone(), ci) {
            Ok(m) => Some(m),
            Err(e) => {
                // A bad user glob: like a malformed file.
                if self.settings.fail_open {
                    self.warnings
                        .push(format!("{e}; using the default patterns (failOpen)"));
                    Matcher::new(self.entries_for(&PatternSet::defaults()), ws, anchors, ci).ok()
                } else {
                    if self.config_error.is_none() {
                        self.config_error = Some(e);
                    }
                    None
                }
            }
        }
    }

    fn compile(&mut self) {
        let base_patterns = self.base_patterns.clone();
        self.base = self.compile_one(&base_patterns);
        if self.base.is_none() && self.config_error.is_none() {
            self.config_error = Some("file guard: built-in patterns failed to compile".into());
        }
        let mut overrides = BTreeMap::new();
        for (agent, extra) in self.override_patterns.clone() {
            let mut merged = base_patterns.clone();
            merged.merge(&extra);
            if let Some(m) = self.compile_one(&merged) {
                overrides.insert(agent, m);
            }
        }
        self.overrides = overrides;
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The config error that makes every guarded call block, if any.
    pub fn config_error(&self) -> Option<&str> {
        self.config_error.as_deref()
    }

    /// Problems that did not block (failOpen fallbacks, failed overrides), for the caller to
    /// log.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    fn matcher(&self, agent_id: Option<&str>) -> Option<&Matcher> {
        agent_id
            .and_then(|a| self.overrides.get(a))
            .or(self.base.as_ref())
    }

    fn ctx<'a>(&'a self, cwd: &'a Path) -> PathContext<'a> {
        PathContext {
            cwd,
            home: &self.env.home,
            workspace: self.env.workspace.as_deref(),
        }
    }

    /// The strictest protection of a path as written (every spelling and form), whatever the
    /// operation; `ancestors` also counts directories that hold a built-in location.
    pub fn protection_of(
        &self,
        raw: &str,
        cwd: &Path,
        agent_id: Option<&str>,
        ancestors: bool,
        fs: &dyn PathResolver,
    ) -> Option<Protection> {
        let matcher = self.matcher(agent_id)?;
        let cwd = lexical_normalize(cwd);
        let mut best: Option<Protection> = None;
        for form in forms(raw, &self.ctx(&cwd), fs) {
            if let Some(p) = matcher.protection(&form, &cwd, ancestors)
                && best.as_ref().is_none_or(|b| p.beats(b))
            {
                best = Some(p);
            }
        }
        best
    }

    /// The decision for one `op` on one path as written, by `tool`.
    pub fn check_path(
        &self,
        raw: &str,
        op: Op,
        tool: &str,
        cwd: &Path,
        agent_id: Option<&str>,
        fs: &dyn PathResolver,
    ) -> Decision {
        if self.config_error.is_some() {
            return Decision::block(GUARD, "config-error", CONFIG_ERROR_REASON);
        }
        if raw.trim().is_empty() {
            return Decision::allow(GUARD);
        }
        let ancestors = op != Op::Read;
        match self.protection_of(raw, cwd, agent_id, ancestors, fs) {
            Some(p) if op.refused_at(p.level) => Decision::block(
                GUARD,
                p.rule(),
                format!(
                    "File guard blocked access: {raw} is protected ({}). {tool} access denied.",
                    p.label()
                ),
            ),
            _ => Decision::allow(GUARD),
        }
    }

    /// Judges one tool call. `facts` is the shell analysis of `params.command` for
    /// `exec`/`bash`/`process`; without it a command is refused (it cannot be judged).
    pub fn check(
        &self,
        req: &GuardRequest<'_>,
        facts: Option<&CommandFacts>,
        fs: &dyn PathResolver,
    ) -> Decision {
        if !GUARDED_TOOLS.contains(&req.tool) {
            return Decision::allow(GUARD);
        }
        if self.config_error.is_some() {
            return Decision::block(GUARD, "config-error", CONFIG_ERROR_REASON);
        }
        let invalid = |what: &str| {
            Decision::block(
                GUARD,
                "invalid-input",
                format!("File guard blocked {}: invalid input ({what}).", req.tool),
            )
        };
        let Some(params) = req.params.as_object() else {
            return invalid("params must be an object");
        };
        let mut acc = Acc::default();
        match req.tool {
            "read" | "write" | "edit" | "image" | "message" => {
                let op = if matches!(req.tool, "read" | "image" | "message") {
                    Op::Read
                } else {
                    Op::Write
                };
                let mut seen = false;
                for key in path_keys(req.tool) {
                    match params.get(*key) {
                        None => {}
                        Some(Value::String(p)) => {
                            seen = true;
                            acc.add(self.check_path(p, op, req.tool, req.cwd, req.agent_id, fs));
                        }
                        Some(Value::Array(items))
                            if req.tool == "message" || req.tool == "image" =>
                        {
                            // Several attachments.
                            for item in items {
                                let Some(p) = item.as_str() else {
                                    return invalid("a path must be a string");
                                };
                                seen = true;
                                acc.add(self.check_path(
                                    p,
                                    op,
                                    req.tool,
                                    req.cwd,
                                    req.agent_id,
                                    fs,
                                ));
                            }
                        }
                        Some(_) => return invalid(&format!("`{key}` must be a string")),
                    }
                }
                if !seen && matches!(req.tool, "read" | "write" | "edit") {
                    return invalid("the file path is missing");
                }
            }
            "apply_patch" => {
                // Every text parameter is judged (the tool may read any of them); a plain path
                // in `file_path` is a write of that path.
                let mut texts = Vec::new();
                for key in ["patch", "input", "file_path", "diff"] {
                    match params.get(key) {
                        None => {}
                        Some(Value::String(p)) => texts.push((key, p.as_str())),
                        Some(_) => return invalid(&format!("`{key}` must be a string")),
                    }
                }
                if texts.is_empty() {
                    return invalid("the patch text is missing");
                }
                for (key, text) in texts {
                    let paths = patch_paths(text);
                    if paths.is_empty() && key == "file_path" && !text.contains('\n') {
                        acc.add(self.check_path(
                            text,
                            Op::Write,
                            req.tool,
                            req.cwd,
                            req.agent_id,
                            fs,
                        ));
                        continue;
                    }
                    if paths.is_empty() {
                        return invalid("the patch names no file");
                    }
                    for (path, op) in paths {
                        acc.add(self.check_path(&path, op, req.tool, req.cwd, req.agent_id, fs));
                    }
                }
            }
            _ => match facts {
                Some(facts) => acc.add(self.check_facts(req, facts, fs)),
                None => {
                    let has_command = ["command", "cmd"]
                        .iter()
                        .any(|k| req.params.get(*k).is_some_and(|v| !v.is_null()));
                    if has_command {
                        acc.add(Decision::block(
                            GUARD,
                            "parse-error",
                            "File guard could not analyse the command — blocking as precaution.",
                        ));
                    }
                }
            },
        }
        acc.finish()
    }

    fn check_facts(
        &self,
        req: &GuardRequest<'_>,
        facts: &CommandFacts,
        fs: &dyn PathResolver,
    ) -> Decision {
        if let Some(err) = &facts.parse_error {
            return Decision::block(
                GUARD,
                "parse-error",
                format!(
                    "File guard could not analyse the command ({err}) — blocking as precaution."
                ),
            );
        }
        let mut acc = Acc::default();
        for cmd in &facts.commands {
            let mut ops: Vec<(&Arg, Op)> = Vec::new();
            let is_mv = cmd.program.as_deref() == Some("mv");
            for a in &cmd.reads {
                ops.push((a, Op::Read));
                if is_mv {
                    // Moving a file away deletes it from where it was.
                    ops.push((a, Op::Delete));
                }
            }
            ops.extend(cmd.writes.iter().map(|a| (a, Op::Write)));
            ops.extend(cmd.deletes.iter().map(|a| (a, Op::Delete)));
            for r in &cmd.redirects {
                let op = match r.op {
                    RedirectOp::Read => Op::Read,
                    RedirectOp::Write | RedirectOp::Append | RedirectOp::ReadWrite => Op::Write,
                };
                ops.push((&r.target, op));
            }
            if !cmd.known_program {
                // Unknown programs: every literal argument that is a protected path counts as
                // a read (`xxd ~/.ssh/id_rsa`) and as a possible write or delete
                // (`sponge ~/.bashrc`, `ed -s ~/.bashrc`): approval needed.
                for a in cmd.argv.iter().skip(1) {
                    if let Arg::Literal(text) = a {
                        let value = if text.starts_with('-') {
                            text.split_once('=').map(|(_, v)| v)
                        } else {
                            Some(text.as_str())
                        };
                        if let Some(v) = value.filter(|v| !v.is_empty()) {
                            acc.add(self.check_path(
                                v,
                                Op::Read,
                                req.tool,
                                req.cwd,
                                req.agent_id,
                                fs,
                            ));
                            acc.add(self.check_unknown_write(
                                v,
                                cmd.program.as_deref().unwrap_or("the program"),
                                req,
                                fs,
                            ));
                        }
                    }
                }
            }
            for (arg, op) in ops {
                let d = match arg {
                    Arg::Literal(p) => self.check_path(p, op, req.tool, req.cwd, req.agent_id, fs),
                    Arg::Dynamic(raw) => self.check_dynamic(raw, op, req, fs),
                };
                acc.add(d);
            }
        }
        acc.finish()
    }

    /// An unknown program's literal argument that may be written or deleted: a protected path
    /// (below `no_access`, which the read check blocks) needs approval, under the rule of its
    /// protection.
    fn check_unknown_write(
        &self,
        raw: &str,
        program: &str,
        req: &GuardRequest<'_>,
        fs: &dyn PathResolver,
    ) -> Decision {
        if raw.trim().is_empty() {
            return Decision::allow(GUARD);
        }
        match self.protection_of(raw, req.cwd, req.agent_id, false, fs) {
            Some(p) if p.level < Level::NoAccess => Decision::ask(
                GUARD,
                p.rule(),
                format!(
                    "File guard: {raw} is protected ({}) and {program} is not a program the guard knows; approve {} only if it does not modify the file.",
                    p.label(),
                    req.tool
                ),
            ),
            _ => Decision::allow(GUARD),
        }
    }

    /// A path argument with a dynamic part. `$HOME`/`${HOME}`/`$PWD`/`${PWD}` are substituted.
    /// What remains:
    /// * only globs (`*`, `?`, `[…]`, `{…}`): the glob is tested against probe paths (the
    ///   built-in locations and a concrete instance of every pattern, under cwd and home); a
    ///   probe it matches is judged as if named → block. Otherwise reads are allowed and
    ///   writes/deletes need approval (`dynamic-path`).
    /// * an unknown expansion (`$X`, `$(…)`, backticks): approval needed for every operation
    ///   (`dynamic-path`); a probe hit does not upgrade it to a block, since the value is
    ///   unknown.
    pub fn check_dynamic(
        &self,
        raw: &str,
        op: Op,
        req: &GuardRequest<'_>,
        fs: &dyn PathResolver,
    ) -> Decision {
        let home = self.env.home.to_string_lossy();
        let cwd_norm = lexical_normalize(req.cwd);
        let cwd = cwd_norm.to_string_lossy();
        let text = raw
            .replace("${HOME}", &home)
            .replace("$HOME", &home)
            .replace("${PWD}", &cwd)
            .replace("$PWD", &cwd);
        let unknown = text.contains('$') || text.contains('`');
        let globby = text.contains(['*', '?', '[', '{']);
        if !unknown && !globby {
            return self.check_path(&text, op, req.tool, req.cwd, req.agent_id, fs);
        }
        let ask = || {
            Decision::ask(
                GUARD,
                "dynamic-path",
                format!(
                    "File guard: {raw} is not a literal path; approve this {} by {} or spell the path out.",
                    op.word(),
                    req.tool
                ),
            )
        };
        if unknown {
            return ask();
        }
        let absolute = absolutize(&text, &cwd_norm, &self.env.home);
        let Ok(glob) = build_glob(&absolute.to_string_lossy(), self.settings.case_insensitive)
        else {
            return ask();
        };
        let glob = glob.compile_matcher();
        for probe in self.probes(&cwd_norm, req.agent_id) {
            if glob.is_match(&probe) {
                let d = self.check_path(
                    &probe.to_string_lossy(),
                    op,
                    req.tool,
                    req.cwd,
                    req.agent_id,
                    fs,
                );
                if d.is_block() {
                    return Decision::block(
                        GUARD,
                        &d.rule,
                        format!(
                            "File guard blocked access: {raw} can expand to {} which is protected. {} access denied.",
                            probe.display(),
                            req.tool
                        ),
                    );
                }
            }
        }
        if op == Op::Read {
            Decision::allow(GUARD)
        } else {
            ask()
        }
    }

    /// Concrete paths standing for every protection (for judging globs).
    fn probes(&self, cwd: &Path, agent_id: Option<&str>) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = Vec::new();
        let Some(matcher) = self.matcher(agent_id) else {
            return out;
        };
        let home = self.env.home.clone();
        for (anchor, _, _) in matcher.anchors() {
            out.push(anchor.clone());
            for child in ["id_rsa", "id_ed25519", "credentials", "config", "x"] {
                out.push(anchor.join(child));
            }
        }
        for e in matcher.entries() {
            let concrete = concretize(&e.pattern);
            if let Some(rest) = concrete.strip_prefix("**/") {
                for base in [cwd, home.as_path()] {
                    out.push(base.join(rest));
                }
            } else if concrete.starts_with('/') {
                out.push(PathBuf::from(concrete));
            } else {
                out.push(cwd.join(concrete));
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// A concrete path matched by a simple glob: wildcards replaced by `x`, `**/` kept as a
/// prefix marker only at the start, escapes removed.
fn concretize(pattern: &str) -> String {
    let (prefix, rest) = match pattern.strip_prefix("**/") {
        Some(rest) => ("**/", rest),
        None => ("", pattern),
    };
    let mut out = String::with_capacity(pattern.len());
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '*' => {
                while chars.peek() == Some(&'*') {
                    chars.next();
                }
                out.push('x');
            }
            '?' => out.push('x'),
            '[' => {
                for n in chars.by_ref() {
                    if n == ']' {
                        break;
                    }
                }
                out.push('x');
            }
            _ => out.push(c),
        }
    }
    format!("{prefix}{out}")
}

/// Paths named by a patch, with what the patch does to them: hardclaw/OpenAI headers
/// (`*** Add File:`, `*** Update File:`, `*** Delete File:`, `*** Move to:`, however spaced or
/// cased; a moved file's source counts as deleted) and unified-diff `---`/`+++` lines (with or without `a/`/`b/`:
/// both spellings are returned; `+++ /dev/null` deletes the `---` file).
pub fn patch_paths(patch: &str) -> Vec<(String, Op)> {
    let mut out: Vec<(String, Op)> = Vec::new();
    let push = |p: &str, op: Op, out: &mut Vec<(String, Op)>| {
        let p = p.trim();
        if p.is_empty() || p == "/dev/null" {
            return;
        }
        let mut spellings = vec![p.to_string()];
        if let Some(stripped) = p.strip_prefix("a/").or_else(|| p.strip_prefix("b/")) {
            spellings.push(stripped.to_string());
        }
        for s in spellings {
            if !out.iter().any(|(q, o)| *q == s && *o == op) {
                out.push((s, op));
            }
        }
    };
    let mut current: Option<String> = None;
    let mut minus: Option<String> = None;
    for line in patch.lines() {
        let line = line.trim_end_matches('\r');
        let header = normalize_header(line);
        let line = header.as_deref().unwrap_or(line);
        if let Some(p) = line.strip_prefix("*** Add File:") {
            push(p, Op::Write, &mut out);
        } else if let Some(p) = line.strip_prefix("*** Update File:") {
            push(p, Op::Write, &mut out);
            current = Some(p.trim().to_string());
        } else if let Some(p) = line.strip_prefix("*** Delete File:") {
            push(p, Op::Delete, &mut out);
        } else if let Some(p) = line.strip_prefix("*** Move to:") {
            push(p, Op::Write, &mut out);
            if let Some(src) = current.take() {
                push(&src, Op::Delete, &mut out);
            }
        } else if let Some(rest) = line
            .strip_prefix("--- ")
            .or_else(|| line.strip_prefix("---\t"))
        {
            let p = diff_path(rest);
            push(&p, Op::Write, &mut out);
            minus = Some(p);
        } else if let Some(rest) = line
            .strip_prefix("+++ ")
            .or_else(|| line.strip_prefix("+++\t"))
        {
            let p = diff_path(rest);
            if p == "/dev/null" {
                if let Some(m) = minus.take() {
                    push(&m, Op::Delete, &mut out);
                }
            } else {
                push(&p, Op::Write, &mut out);
            }
        }
    }
    out
}

/// A `***` header spelled loosely (extra spaces or tabs, any case: `***  update file: x`) in
/// its canonical spelling, so that a sloppy header an applier might accept is still judged.
fn normalize_header(line: &str) -> Option<String> {
    let rest = line.trim_start().strip_prefix("***")?;
    let rest = rest.trim_start();
    let (head, path) = rest.split_once(':')?;
    let words: Vec<&str> = head.split_whitespace().collect();
    let canonical = match words
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
        .as_str()
    {
        "add file" => "Add File",
        "update file" => "Update File",
        "delete file" => "Delete File",
        "move to" => "Move to",
        _ => return None,
    };
    Some(format!("*** {canonical}:{path}"))
}

/// The path of a `---`/`+++` line: up to a tab (timestamps), quotes removed.
fn diff_path(rest: &str) -> String {
    let p = rest.split('\t').next().unwrap_or(rest).trim();
    let p = p
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(p);
    p.to_string()
}

/// Keeps the strictest decision (the first of equals).
#[derive(Debug, Default)]
struct Acc {
    best: Option<Decision>,
}

impl Acc {
    fn add(&mut self, d: Decision) {
        self.best = Some(match self.best.take() {
            None => d,
            Some(b) => b.stricter(d),
        });
    }

    fn finish(self) -> Decision {
        match self.best {
            Some(d) if d.decision != Verdict::Allow => d,
            _ => Decision::allow(GUARD),
        }
    }
}
