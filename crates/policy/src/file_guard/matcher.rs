//! Compiled protections: one [`GlobSet`] over every pattern (built-in and pattern-file), each
//! glob tagged with its level and rule, plus the literal locations ("anchors") used to refuse
//! deleting or overwriting a directory that holds a built-in protected location.

use std::path::{Path, PathBuf};

use globset::{Candidate, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Serialize;

use super::patterns::Level;

/// Where a protection comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Source {
    /// The hardclaw config, its includes and the state directory.
    SelfProtection,
    /// Credentials and auth profiles.
    Credentials,
    /// Secrets of running processes (`/proc/<pid>/environ`, `mem`, `fd/`).
    ProcessSecrets,
    /// The agent workspace's identity files.
    IdentityFiles,
    /// Shell startup and autostart files (persistence).
    ShellStartup,
    /// The pattern file (or its defaults / an agent override).
    Pattern,
}

impl Source {
    /// The rule id for a decision.
    pub fn rule(self, level: Level) -> &'static str {
        match self {
            Source::SelfProtection => "self-protection",
            Source::Credentials => "credentials",
            Source::ProcessSecrets => "process-secrets",
            Source::IdentityFiles => "identity-files",
            Source::ShellStartup => "shell-startup",
            Source::Pattern => level.as_str(),
        }
    }
}

/// One protection rule before compilation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Level.
    pub level: Level,
    /// Source.
    pub source: Source,
    /// Glob (absolute, `**/…`, or relative to the request's cwd).
    pub pattern: String,
    /// Ignored for paths inside one of the matcher's exempt directories (the state
    /// directory's agent workspaces).
    pub exempt_workspaces: bool,
}

/// What protects a path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Protection {
    /// Level.
    pub level: Level,
    /// Source.
    pub source: Source,
    /// The glob (or anchor) that matched.
    pub pattern: String,
}

impl Protection {
    /// The decision's rule id.
    pub fn rule(&self) -> &'static str {
        self.source.rule(self.level)
    }

    /// What the reason shows in parentheses: the level, or `self-protection`.
    pub fn label(&self) -> &'static str {
        match self.source {
            Source::SelfProtection => "self-protection",
            _ => self.level.as_str(),
        }
    }

    /// Strictest first; among equals, built-in before pattern file.
    pub(crate) fn beats(&self, other: &Protection) -> bool {
        (self.level, std::cmp::Reverse(self.source))
            > (other.level, std::cmp::Reverse(other.source))
    }
}

/// Compiled entries.
#[derive(Debug, Clone)]
pub struct Matcher {
    set: GlobSet,
    /// Pattern-file globs that can match a cwd-relative form without matching the absolute
    /// one (neither absolute nor `**/`-led), with their index in `entries`.
    rel_set: Option<(GlobSet, Vec<usize>)>,
    entries: Vec<Entry>,
    exempt: Vec<PathBuf>,
    anchors: Vec<(PathBuf, Level, Source)>,
    case_insensitive: bool,
}

/// Builds one glob the way every file-guard glob is built: `*` never crosses `/`, wildcards
/// match dotfiles, case per setting.
pub fn build_glob(pattern: &str, case_insensitive: bool) -> Result<globset::Glob, String> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .case_insensitive(case_insensitive)
        .backslash_escape(true)
        .build()
        .map_err(|e| format!("invalid pattern `{pattern}`: {e}"))
}

impl Matcher {
    /// Compiles `entries`. `exempt` are directories where `exempt_workspaces` entries do not
    /// apply; `anchors` are literal protected locations.
    pub fn new(
        entries: Vec<Entry>,
        exempt: Vec<PathBuf>,
        anchors: Vec<(PathBuf, Level, Source)>,
        case_insensitive: bool,
    ) -> Result<Matcher, String> {
        let mut builder = GlobSetBuilder::new();
        for e in &entries {
            builder.add(build_glob(&e.pattern, case_insensitive)?);
        }
        let set = builder.build().map_err(|e| e.to_string())?;
        let mut rel_builder = GlobSetBuilder::new();
        let mut rel_index = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            if e.source == Source::Pattern
                && !e.pattern.starts_with('/')
                && !e.pattern.starts_with("**/")
            {
                rel_builder.add(build_glob(&e.pattern, case_insensitive)?);
                rel_index.push(i);
            }
        }
        let rel_set = if rel_index.is_empty() {
            None
        } else {
            Some((rel_builder.build().map_err(|e| e.to_string())?, rel_index))
        };
        Ok(Matcher {
            set,
            rel_set,
            entries,
            exempt,
            anchors,
            case_insensitive,
        })
    }

    /// Whether globs compare case-insensitively.
    pub fn case_insensitive(&self) -> bool {
        self.case_insensitive
    }

    /// The entries.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Literal protected locations.
    pub fn anchors(&self) -> &[(PathBuf, Level, Source)] {
        &self.anchors
    }

    /// The strictest protection of one absolute, normalised form (also tried relative to
    /// `cwd` for pattern-file entries). With `ancestors`, a form that is a directory holding
    /// an anchor is protected like the anchor.
    pub fn protection(&self, form: &Path, cwd: &Path, ancestors: bool) -> Option<Protection> {
        let mut best: Option<Protection> = None;
        let consider = |p: Protection, best: &mut Option<Protection>| {
            if best.as_ref().is_none_or(|b| p.beats(b)) {
                *best = Some(p);
            }
        };
        let exempt = self.exempt.iter().any(|w| is_within(form, w));
        let mut hits: Vec<usize> = Vec::new();
        self.set
            .matches_candidate_into(&Candidate::new(form), &mut hits);
        for i in hits.drain(..) {
            if let Some(e) = self.entries.get(i) {
                if e.exempt_workspaces && exempt {
                    continue;
                }
                consider(
                    Protection {
                        level: e.level,
                        source: e.source,
                        pattern: e.pattern.clone(),
                    },
                    &mut best,
                );
            }
        }
        // A `**/`-led glob matching the relative form matches the absolute one too, so only
        // the other pattern-file globs are tried on the form relative to cwd.
        if let Some((rel_set, index)) = &self.rel_set
            && let Ok(rel) = form.strip_prefix(cwd)
            && !rel.as_os_str().is_empty()
        {
            rel_set.matches_candidate_into(&Candidate::new(rel), &mut hits);
            for i in hits.drain(..) {
                if let Some(e) = index.get(i).and_then(|&j| self.entries.get(j)) {
                    consider(
                        Protection {
                            level: e.level,
                            source: e.source,
                            pattern: e.pattern.clone(),
                        },
                        &mut best,
                    );
                }
            }
        }
        if ancestors {
            for (anchor, level, source) in &self.anchors {
                if is_within(anchor, form) && anchor.as_os_str() != form.as_os_str() {
                    consider(
                        Protection {
                            level: *level,
                            source: *source,
                            pattern: format!("{} (inside)", anchor.display()),
                        },
                        &mut best,
                    );
                }
            }
        }
        best
    }
}

/// `path` is `base` or below it (byte-wise on normalised absolute paths; faster than
/// [`Path::starts_with`]).
fn is_within(path: &Path, base: &Path) -> bool {
    let p = path.as_os_str().as_encoded_bytes();
    let b = base.as_os_str().as_encoded_bytes();
    if b == b"/" {
        return p.first() == Some(&b'/');
    }
    p.len() >= b.len()
        && &p[..b.len()] == b
        && (p.len() == b.len() || p.get(b.len()) == Some(&b'/'))
}
