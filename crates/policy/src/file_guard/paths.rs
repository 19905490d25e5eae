//! Path normalisation for the file guard (pure: the filesystem is reached only through
//! [`PathResolver`]).
//!
//! A path the model wrote is turned into every form it could mean, and the guard matches all of
//! them (the strictest verdict wins):
//!
//! * the text as written and, when it starts with `@`, without that `@` (LLMs often prefix
//!   paths with `@`; reference `openclaw-runtime-security.md` §4.2 step 1);
//! * Unicode spaces (U+00A0, U+2000–U+200A, U+202F, U+205F, U+3000) mapped to ASCII space
//!   (§4.2 step 2), `file://` URLs mapped to local paths and `/workspace/…` mapped to the agent
//!   workspace (§4.2 step 4);
//! * `~` / `~/…` expanded to the home directory, made absolute against the request's cwd and
//!   `.`/`..` removed lexically, never above `/` ([`lexical_normalize`]);
//! * the canonical form of that path, and of the un-normalised joined path (so
//!   `link/../x` resolves the way the kernel does), through [`PathResolver`]; when the leaf does
//!   not exist, its nearest existing ancestor is canonicalised and the rest appended, so a
//!   not-yet-existing file under a symlinked directory is judged by where it would land.

use std::path::{Component, Path, PathBuf};

use crate::guard::PathResolver;

/// Removes `.` and `..` lexically from an absolute path; `..` at `/` stays at `/`. A relative
/// input is treated as relative to `/`. The result is absolute and has no `.`/`..` component
/// and no trailing slash (except `/` itself).
pub fn lexical_normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for comp in path.components() {
        match comp {
            Component::Normal(c) => out.push(c),
            Component::ParentDir => {
                out.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out
}

/// Expands a leading `~` or `~/` with `home`; anything else (including `~user`) is returned
/// as is.
pub fn expand_tilde(text: &str, home: &Path) -> PathBuf {
    if text == "~" {
        home.to_path_buf()
    } else if let Some(rest) = text.strip_prefix("~/") {
        home.join(rest.trim_start_matches('/'))
    } else {
        PathBuf::from(text)
    }
}

/// `~`-expands `text` and joins it onto `cwd` without normalising (the physical form, for
/// canonicalisation).
pub fn joined(text: &str, cwd: &Path, home: &Path) -> PathBuf {
    let expanded = expand_tilde(text, home);
    if expanded.is_absolute() {
        expanded
    } else {
        cwd.join(expanded)
    }
}

/// `~`-expands `text`, makes it absolute against `cwd` and normalises it lexically.
pub fn absolutize(text: &str, cwd: &Path, home: &Path) -> PathBuf {
    // A relative cwd would make the result depend on the process; anchor it at `/`.
    lexical_normalize(&joined(text, cwd, home))
}

/// Whether `c` is one of the Unicode spaces OpenClaw maps to ASCII space.
fn is_unicode_space(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// Where relative paths and aliases resolve.
#[derive(Debug, Clone, Copy)]
pub struct PathContext<'a> {
    /// The request's working directory.
    pub cwd: &'a Path,
    /// The home directory (`~`).
    pub home: &'a Path,
    /// The agent workspace (target of the sandbox alias `/workspace`).
    pub workspace: Option<&'a Path>,
}

/// The textual spellings `raw` may stand for: as written, without a leading `@`, with Unicode
/// spaces mapped, with `file://` stripped, with `/workspace` mapped. Deduplicated, as written
/// first.
pub fn spellings(raw: &str, ctx: &PathContext<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(2);
    let add = |s: String, out: &mut Vec<String>| {
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    };
    add(raw.to_string(), &mut out);
    let mut i = 0;
    while i < out.len() {
        let s = out[i].clone();
        if let Some(rest) = s.strip_prefix('@') {
            add(rest.to_string(), &mut out);
        }
        if s.chars().any(is_unicode_space) {
            let mapped: String = s
                .chars()
                .map(|c| if is_unicode_space(c) { ' ' } else { c })
                .collect();
            add(mapped, &mut out);
        }
        if let Some(rest) = s.strip_prefix("file://") {
            // file:///x → /x; file://localhost/x → /x.
            let rest = rest.strip_prefix("localhost").unwrap_or(rest);
            add(rest.to_string(), &mut out);
        }
        if let Some(mapped) = proc_alias(&s, ctx.cwd) {
            add(mapped, &mut out);
        }
        if let Some(ws) = ctx.workspace {
            if s == "/workspace" {
                add(ws.to_string_lossy().into_owned(), &mut out);
            } else if let Some(rest) = s.strip_prefix("/workspace/") {
                add(ws.join(rest).to_string_lossy().into_owned(), &mut out);
            }
        }
        i += 1;
        if out.len() > 16 {
            break;
        }
    }
    out
}

/// `/proc/<pid>/root/x` → `/x` and `/proc/<pid>/cwd/x` → `<cwd>/x` (kernel magic links,
/// seen lexically so that a resolver without a filesystem still catches them).
fn proc_alias(s: &str, cwd: &Path) -> Option<String> {
    let rest = s.strip_prefix("/proc/")?;
    let (_pid, rest) = rest.split_once('/')?;
    if let Some(after) = rest.strip_prefix("root") {
        if after.is_empty() {
            return Some("/".into());
        }
        return after.starts_with('/').then(|| after.to_string());
    }
    if let Some(after) = rest.strip_prefix("cwd") {
        if after.is_empty() {
            return Some(cwd.to_string_lossy().into_owned());
        }
        let tail = after.strip_prefix('/')?;
        return Some(cwd.join(tail).to_string_lossy().into_owned());
    }
    None
}

/// The one spelling a tool would open: one leading `@` stripped, Unicode spaces mapped,
/// `file://` stripped, `/workspace` mapped.
pub fn primary_spelling(raw: &str, ctx: &PathContext<'_>) -> String {
    let s = raw.strip_prefix('@').unwrap_or(raw);
    let mut s: String = s
        .chars()
        .map(|c| if is_unicode_space(c) { ' ' } else { c })
        .collect();
    if let Some(rest) = s.strip_prefix("file://") {
        s = rest.strip_prefix("localhost").unwrap_or(rest).to_string();
    }
    if let Some(ws) = ctx.workspace {
        if s == "/workspace" {
            s = ws.to_string_lossy().into_owned();
        } else if let Some(rest) = s.strip_prefix("/workspace/") {
            s = ws.join(rest).to_string_lossy().into_owned();
        }
    }
    s
}

/// The canonical form of `path` (physical, through `fs`): the path itself when it exists,
/// else its nearest existing ancestor's canonical form with the missing rest appended (and
/// normalised lexically). `None` when no ancestor resolves (e.g. [`crate::NoFilesystem`]).
pub fn canonical(path: &Path, fs: &dyn PathResolver) -> Option<PathBuf> {
    if let Some(real) = fs.canonicalize(path) {
        return Some(lexical_normalize(&real));
    }
    // A resolver that cannot even resolve `/` knows no files: skip the ancestor walk.
    fs.canonicalize(Path::new("/"))?;
    let mut cursor = path.to_path_buf();
    let mut suffix: Vec<std::ffi::OsString> = Vec::new();
    loop {
        if let Some(real) = fs.canonicalize(&cursor) {
            let mut out = real;
            for part in suffix.iter().rev() {
                out.push(part);
            }
            return Some(lexical_normalize(&out));
        }
        let name = cursor.file_name().map(|n| n.to_os_string());
        match name {
            Some(n) => {
                suffix.push(n);
                if !cursor.pop() {
                    return None;
                }
            }
            None => {
                // `..`-terminated or root: drop the last component literally.
                if !cursor.pop() {
                    return None;
                }
                suffix.push("..".into());
            }
        }
    }
}

/// Every absolute form of one path: lexical forms of every spelling, then canonical forms
/// (deduplicated, each absolute and free of `.`/`..`).
pub fn forms(raw: &str, ctx: &PathContext<'_>, fs: &dyn PathResolver) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::with_capacity(4);
    for spelling in spellings(raw, ctx) {
        let lexical = absolutize(&spelling, ctx.cwd, ctx.home);
        let physical = joined(&spelling, ctx.cwd, ctx.home);
        for candidate in [
            Some(lexical.clone()),
            canonical(&lexical, fs),
            if physical == lexical {
                None
            } else {
                canonical(&lexical_keep_parents(&physical), fs)
            },
        ]
        .into_iter()
        .flatten()
        {
            if !out.contains(&candidate) {
                out.push(candidate);
            }
        }
    }
    out
}

/// Removes only `.` components (keeps `..` for the kernel-like resolution of symlinks).
fn lexical_keep_parents(path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for comp in path.components() {
        match comp {
            Component::Normal(c) => out.push(c),
            Component::ParentDir => out.push(".."),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out
}

/// Why a path is refused by [`contain`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainError {
    /// The lexical path leaves the root (`Path escapes sandbox root (<root>): <input>`).
    Escapes {
        /// The root.
        root: PathBuf,
        /// The path as written.
        input: String,
    },
    /// An existing component (symlink) resolves outside the canonical root.
    AliasEscape {
        /// The root.
        root: PathBuf,
        /// The path as written.
        input: String,
    },
}

impl std::fmt::Display for ContainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ContainError::Escapes { root, input } => {
                write!(f, "Path escapes sandbox root ({}): {input}", root.display())
            }
            ContainError::AliasEscape { root, input } => write!(
                f,
                "Path alias escapes sandbox root ({}): {input}",
                root.display()
            ),
        }
    }
}

/// Workspace containment (reference `openclaw-runtime-security.md` §4.2–4.3): the lexical
/// path of `raw` (after `@`, Unicode-space, `file://`, `/workspace` mapping) must be inside
/// `root`, and so must its canonical form (nearest existing ancestor canonicalised, the rest
/// appended) inside the canonical root. Returns the lexical absolute path. Hardlink and
/// final-symlink checks need `lstat` and happen where the file is opened.
pub fn contain(
    raw: &str,
    root: &Path,
    cwd: &Path,
    home: &Path,
    fs: &dyn PathResolver,
) -> Result<PathBuf, ContainError> {
    let ctx = PathContext {
        cwd,
        home,
        workspace: Some(root),
    };
    let root_lex = lexical_normalize(root);
    let root_real = canonical(&root_lex, fs).unwrap_or_else(|| root_lex.clone());
    let mut chosen = primary_spelling(raw, &ctx);
    // Legacy container alias: `/home/node/.openclaw/…` is the root when the root is an
    // `.openclaw` directory (reference §4.6 row 12).
    if root.file_name().is_some_and(|n| n == ".openclaw") {
        if chosen == "/home/node/.openclaw" {
            chosen = root.to_string_lossy().into_owned();
        } else if let Some(rest) = chosen.strip_prefix("/home/node/.openclaw/") {
            chosen = root.join(rest).to_string_lossy().into_owned();
        }
    }
    let lexical = absolutize(&chosen, cwd, home);
    if !lexical.starts_with(&root_lex) {
        return Err(ContainError::Escapes {
            root: root.to_path_buf(),
            input: raw.to_string(),
        });
    }
    let physical = lexical_keep_parents(&joined(&chosen, cwd, home));
    for candidate in [canonical(&lexical, fs), canonical(&physical, fs)]
        .into_iter()
        .flatten()
    {
        if !candidate.starts_with(&root_real) {
            return Err(ContainError::AliasEscape {
                root: root.to_path_buf(),
                input: raw.to_string(),
            });
        }
    }
    Ok(lexical)
}
