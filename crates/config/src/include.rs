//! `$include` resolution (OpenClaw `src/config/includes.ts`, hardened).
//!
//! `$include` may appear in any object. Its value is a path or an array of paths, relative to the
//! file that contains it. Each file is JSON5; the included documents are deep-merged in order,
//! then the object's other keys are merged over them ([`crate::tree::merge`]: objects merge,
//! arrays concatenate, anything else: later wins). When `$include` is the only key, the object is
//! replaced by the included value, whatever its type.
//!
//! Refused, each as a [`ConfigError::Include`] at the `$include` key: nesting deeper than
//! `max_include_depth` files, cycles, a path that leaves the directory of the main config
//! (checked lexically and again after resolving symbolic links), anything but a regular file,
//! hard-linked files, files over `max_file_bytes`.
//!
//! Errors raised while reading a file (syntax, duplicate keys, includes) carry the JSON path
//! *inside that file* (`origin.file`), since the merged position is not known yet.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use crate::error::ConfigError;
use crate::load::{LoadOptions, Located};
use crate::parse::parse_json5;
use crate::read::{ReadError, read_config_file};
use crate::tree::{Entry, MAX_NESTING, Node, ObjectNode, merge, too_deep};

/// The key that pulls in other files.
pub(crate) const INCLUDE_KEY: &str = "$include";

/// Resolves every `$include` reachable from one main file.
#[derive(Debug)]
pub(crate) struct Resolver<'a> {
    opts: &'a LoadOptions,
    /// Absolute, lexically normalised directory of the main config.
    root_dir: PathBuf,
    /// The same after resolving symbolic links (`None`: it does not exist).
    root_dir_real: Option<PathBuf>,
    /// Files reached, in the order first reached (lexical absolute paths).
    pub includes: Vec<PathBuf>,
    /// Duplicate keys found in included files (each file reported once).
    pub duplicates: Vec<ConfigError>,
    parsed_once: HashSet<PathBuf>,
}

/// The file whose tree is being resolved.
#[derive(Debug)]
struct Frame {
    /// Absolute, normalised path (relative includes resolve against its directory).
    path: PathBuf,
    /// Number of `$include` hops from the main file.
    depth: usize,
    /// Real paths of the files on the way here, main file first (cycle detection).
    chain: Vec<PathBuf>,
}

impl<'a> Resolver<'a> {
    /// `main_abs`: the main config's absolute, normalised path.
    pub fn new(opts: &'a LoadOptions, main_abs: &Path) -> Self {
        let root_dir = main_abs
            .parent()
            .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
        let root_dir_real = std::fs::canonicalize(&root_dir).ok();
        Self {
            opts,
            root_dir,
            root_dir_real,
            includes: Vec::new(),
            duplicates: Vec::new(),
            parsed_once: HashSet::new(),
        }
    }

    /// Resolves the includes of the main file's tree. `main_abs` is its absolute path.
    pub fn resolve_main(&mut self, root: Node, main_abs: &Path) -> Result<Node, ConfigError> {
        let chain = std::fs::canonicalize(main_abs).into_iter().collect();
        let frame = Frame {
            path: main_abs.to_path_buf(),
            depth: 0,
            chain,
        };
        self.resolve(root, &frame, 0)
    }

    /// `nesting`: depth of `node` in the merged document.
    fn resolve(&mut self, node: Node, frame: &Frame, nesting: usize) -> Result<Node, ConfigError> {
        match node {
            Node::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for entry in items {
                    check_nesting(&entry.at, nesting + 1)?;
                    out.push(Entry {
                        node: self.resolve(entry.node, frame, nesting + 1)?,
                        at: entry.at,
                    });
                }
                Ok(Node::Array(out))
            }
            Node::Object(mut object) => {
                let include = object.remove(INCLUDE_KEY);
                let mut siblings = ObjectNode::default();
                for (key, entry) in object.into_entries() {
                    check_nesting(&entry.at, nesting + 1)?;
                    let node = self.resolve(entry.node, frame, nesting + 1)?;
                    siblings.insert(key, Entry { node, at: entry.at });
                }
                let Some(include) = include else {
                    return Ok(Node::Object(siblings));
                };
                let mut included: Option<Node> = None;
                for target in targets(&include)? {
                    let node = self.load(&target, &include.at, frame, nesting)?;
                    included = Some(match included {
                        Some(acc) => merge(acc, node),
                        None => node,
                    });
                }
                Ok(match included {
                    None => Node::Object(siblings),
                    Some(acc) if siblings.is_empty() => acc,
                    Some(acc) => merge(acc, Node::Object(siblings)),
                })
            }
            other => Ok(other),
        }
    }

    fn load(
        &mut self,
        target: &str,
        at: &Located,
        frame: &Frame,
        nesting: usize,
    ) -> Result<Node, ConfigError> {
        let fail = |reason: String| include_error(at, reason);
        if frame.depth >= self.opts.max_include_depth {
            return Err(fail(format!(
                "`{target}` is nested too deeply: at most {} levels of includes are allowed",
                self.opts.max_include_depth
            )));
        }
        if target.is_empty() {
            return Err(fail("path is empty".to_string()));
        }
        if target.contains('\0') {
            return Err(fail("path contains a NUL character".to_string()));
        }
        let base = frame.path.parent().unwrap_or(&self.root_dir);
        let path = normalize(&base.join(target));
        if !path.starts_with(&self.root_dir) {
            return Err(fail(format!(
                "`{target}` points outside the config directory {} (to {})",
                self.root_dir.display(),
                path.display()
            )));
        }
        let real = std::fs::canonicalize(&path).map_err(|e| {
            fail(match e.kind() {
                std::io::ErrorKind::NotFound => {
                    format!("`{target}` does not exist ({})", path.display())
                }
                _ => format!("`{target}` cannot be resolved: {e}"),
            })
        })?;
        let Some(root_real) = &self.root_dir_real else {
            return Err(fail(format!(
                "`{target}`: the config directory {} cannot be resolved",
                self.root_dir.display()
            )));
        };
        if !real.starts_with(root_real) {
            return Err(fail(format!(
                "`{target}` resolves through a symbolic link to {}, outside the config directory {}",
                real.display(),
                root_real.display()
            )));
        }
        if frame.chain.contains(&real) {
            let cycle: Vec<String> = frame
                .chain
                .iter()
                .chain(std::iter::once(&real))
                .map(|p| p.display().to_string())
                .collect();
            return Err(fail(format!(
                "`{target}` forms a cycle: {}",
                cycle.join(" -> ")
            )));
        }
        let text = read_config_file(&real, self.opts.max_file_bytes, true).map_err(|e| {
            fail(match e {
                ReadError::Io(e) => format!("`{target}` cannot be read: {e}"),
                other => format!("`{target}` {other}"),
            })
        })?;
        let parsed = parse_json5(&text, &path)?;
        if self.parsed_once.insert(real.clone()) {
            self.duplicates.extend(parsed.duplicates);
        }
        if !self.includes.contains(&path) {
            self.includes.push(path.clone());
        }
        let mut chain = frame.chain.clone();
        chain.push(real);
        let next = Frame {
            path,
            depth: frame.depth + 1,
            chain,
        };
        self.resolve(parsed.root, &next, nesting)
    }
}

fn check_nesting(at: &Located, nesting: usize) -> Result<(), ConfigError> {
    if nesting > MAX_NESTING {
        return Err(ConfigError::Syntax {
            origin: at.origin.clone(),
            message: too_deep(),
        });
    }
    Ok(())
}

fn include_error(at: &Located, reason: String) -> ConfigError {
    ConfigError::Include {
        origin: at.origin.clone(),
        json_path: at.local_path.to_string(),
        reason,
    }
}

/// The paths named by an `$include` value.
fn targets(include: &Entry) -> Result<Vec<String>, ConfigError> {
    let wrong = || {
        include_error(
            &include.at,
            "must be a path string or an array of path strings".to_string(),
        )
    };
    match &include.node {
        Node::String(s) => Ok(vec![s.clone()]),
        Node::Array(items) => items
            .iter()
            .map(|item| match &item.node {
                Node::String(s) => Ok(s.clone()),
                _ => Err(wrong()),
            })
            .collect(),
        _ => Err(wrong()),
    }
}

/// Removes `.` and resolves `..` without touching the file system (`..` at the root stays there).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Prefix(_) | Component::RootDir | Component::Normal(_) => {
                out.push(component.as_os_str());
            }
            Component::CurDir => {}
            Component::ParentDir => {
                if out.file_name().is_some() {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
