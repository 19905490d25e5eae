//! `apply_patch {input}`: the OpenAI/Codex patch format ([`parse`]) applied to the agent
//! workspace, all or nothing as far as validation goes:
//!
//! 1. the policy step ([`check_paths`]): every path, move targets included, must be inside the
//!    workspace lexically, and must be one the file guard read from the same text (the guard
//!    then judges each: `SOUL.md`, credentials, the config …);
//! 2. [`plan`]: the whole patch is parsed, every file it reads is read through the contained
//!    [`Workspace`] (kernel-checked, hardlinks and symlinks out refused), every new content is
//!    computed in memory, and every write, removal and rename target is probed — nothing is
//!    written yet; the first failure names the file and hunk;
//! 3. [`Plan::commit`]: the writes, removals (`unlinkat`) and renames (`renameat`), each
//!    relative to a directory opened beneath the workspace.
//!
//! Enablement follows OpenClaw's `tools.exec.applyPatch {enabled, allowModels}` (see
//! [`disabled_reason`]); `workspaceOnly: false` is not honoured — apply_patch never leaves the
//! workspace.

mod apply;
pub mod parse;

use std::collections::HashMap;
use std::path::PathBuf;

use hardclaw_config::Config;
use hardclaw_policy::Decision;
use hardclaw_policy::file_guard::patch_paths;
use serde_json::{Value, json};

use super::settings;
use super::workspace::{FsError, Workspace};
use parse::{Hunk, ParseError};

/// The spec's description and JSON schema.
pub fn spec() -> (&'static str, Value) {
    (
        "Apply a patch to files in the workspace. `input` is the whole patch: '*** Begin Patch', \
         then per file '*** Add File: <path>' (lines prefixed '+'), '*** Delete File: <path>' or \
         '*** Update File: <path>' (optionally '*** Move to: <path>') followed by hunks starting \
         with '@@' (optionally '@@ <a line to find first>') whose lines start with ' ' (context), \
         '-' (remove) or '+' (add), then '*** End Patch'. Nothing is written unless every hunk \
         applies.",
        json!({
            "type": "object",
            "properties": {"input": {"type": "string", "description": "The patch, from '*** Begin Patch' to '*** End Patch'."}},
            "required": ["input"]
        }),
    )
}

/// Why apply_patch is not available to this agent, or `None` when it is: it must be
/// switched on (`tools.exec.applyPatch.enabled: true`, the first layer that has an
/// `applyPatch` block wins), and with `allowModels` every model of the agent's chain must be
/// listed (as `provider/model` or `model`) — the executor cannot tell which model of the chain
/// will answer.
pub(crate) fn disabled_reason(config: &Config, agent_id: &str) -> Option<String> {
    let block = settings::first(config, agent_id, |t| t.exec.as_ref()?.apply_patch.as_ref());
    if block.and_then(|b| b.enabled) != Some(true) {
        return Some("apply_patch is off (tools.exec.applyPatch.enabled is not true)".into());
    }
    let allow = block
        .and_then(|b| b.allow_models.as_ref())
        .filter(|a| !a.is_empty())?;
    let models = settings::model_ids(config, agent_id);
    if models.is_empty() {
        return Some("tools.exec.applyPatch.allowModels is set and the agent has no model".into());
    }
    let listed = |id: &str| {
        let id = id.trim().to_lowercase();
        let bare = id.split_once('/').map_or(id.as_str(), |(_, m)| m);
        allow.iter().any(|a| {
            let a = a.trim().to_lowercase();
            a == id || a == bare
        })
    };
    models
        .iter()
        .find(|m| !listed(m))
        .map(|m| format!("model `{m}` is not in tools.exec.applyPatch.allowModels"))
}

/// The policy step's part: `None` when every path of a parseable patch is inside the
/// workspace and was read by the file guard; else the blocking decision. An unparseable patch
/// passes here (nothing will be written; the tool reports the parse error).
pub(crate) fn check_paths(ws: &Workspace, params: &Value) -> Option<Decision> {
    let input = params.get("input").and_then(Value::as_str)?;
    let hunks = parse::parse(input).ok()?;
    let judged = patch_paths(input);
    for path in hunks.iter().flat_map(Hunk::paths) {
        if ws.relative(path).is_none() {
            return Some(Decision::block(
                "workspace",
                "outside-workspace",
                format!("`{path}` is outside the agent workspace"),
            ));
        }
        if !judged.iter().any(|(p, _)| p == path) {
            return Some(Decision::block(
                "input",
                "invalid-patch",
                format!("the patch names `{path}` in a form the file guard did not read"),
            ));
        }
    }
    None
}

/// Limits of one patch.
#[derive(Debug, Clone, Copy)]
pub struct PatchLimits {
    /// The patch text.
    pub max_input_bytes: usize,
    /// Each file read or written.
    pub max_file_bytes: u64,
}

/// Why a patch was not (fully) applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatchError {
    /// `input` is missing or not a string.
    #[error("`input` (the patch text) is required")]
    MissingInput,
    /// Larger than the cap.
    #[error("the patch is larger than {limit} bytes")]
    TooLarge {
        /// The cap.
        limit: usize,
    },
    /// The text is not a patch.
    #[error("{0}")]
    Parse(#[from] ParseError),
    /// A chunk did not apply.
    #[error("{path}: hunk {hunk}: {message}")]
    Hunk {
        /// The file.
        path: String,
        /// 1-based chunk of that file.
        hunk: usize,
        /// What was not found.
        message: String,
    },
    /// A file could not be read, probed or written.
    #[error("{path}: {error}")]
    File {
        /// The file.
        path: String,
        /// Why.
        error: FsError,
    },
    /// A file op that contradicts the patch's own earlier ops, or bad content.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// Validation passed but a write failed (a race or I/O error): earlier steps are done.
    #[error("{path}: {error} — while writing; already applied: {applied}")]
    Partial {
        /// The file that failed.
        path: String,
        /// Why.
        error: FsError,
        /// The summary of what was done before.
        applied: String,
    },
}

impl PatchError {
    /// A containment refusal by the kernel check (`(path, error)`), logged as a decision.
    pub fn policy(&self) -> Option<(&str, &FsError)> {
        match self {
            PatchError::File { path, error } | PatchError::Partial { path, error, .. }
                if error.is_policy() =>
            {
                Some((path, error))
            }
            _ => None,
        }
    }

    /// Whether nothing was written.
    pub fn nothing_written(&self) -> bool {
        !matches!(self, PatchError::Partial { .. })
    }
}

/// One change to make.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Write {
        path: String,
        content: String,
    },
    Remove {
        path: String,
    },
    Move {
        from: String,
        to: String,
        content: String,
    },
}

/// A validated patch: every new content computed, every target probed.
#[derive(Debug)]
pub struct Plan {
    steps: Vec<Step>,
    /// `A path` / `M path` / `D path` per step.
    lines: Vec<String>,
}

fn fs_err(path: &str) -> impl Fn(FsError) -> PatchError + '_ {
    move |error| PatchError::File {
        path: path.to_string(),
        error,
    }
}

/// Parses and validates `input` against the workspace without writing anything.
pub fn plan(ws: &Workspace, input: &str, limits: PatchLimits) -> Result<Plan, PatchError> {
    if input.len() > limits.max_input_bytes {
        return Err(PatchError::TooLarge {
            limit: limits.max_input_bytes,
        });
    }
    let hunks = parse::parse(input)?;
    // What each touched path holds after the steps so far (`None`: removed).
    let mut overlay: HashMap<PathBuf, Option<String>> = HashMap::new();
    let mut steps = Vec::new();
    let mut lines = Vec::new();
    let too_big = |path: &str, content: &str| {
        (content.len() as u64 > limits.max_file_bytes).then(|| PatchError::File {
            path: path.to_string(),
            error: FsError::TooLarge {
                limit: limits.max_file_bytes,
            },
        })
    };
    let rel = |path: &str| {
        ws.relative(path)
            .ok_or_else(|| fs_err(path)(FsError::OutsideWorkspace))
    };
    for hunk in hunks {
        match hunk {
            Hunk::Add { path, contents } => {
                let r = rel(&path)?;
                if !overlay.contains_key(&r) {
                    ws.probe_write(&path).map_err(fs_err(&path))?;
                }
                if let Some(e) = too_big(&path, &contents) {
                    return Err(e);
                }
                overlay.insert(r, Some(contents.clone()));
                lines.push(format!("A {path}"));
                steps.push(Step::Write {
                    path,
                    content: contents,
                });
            }
            Hunk::Delete { path } => {
                let r = rel(&path)?;
                match overlay.get(&r) {
                    Some(Some(_)) => {}
                    Some(None) => {
                        return Err(PatchError::Invalid {
                            path,
                            message: "already deleted or moved earlier in this patch".into(),
                        });
                    }
                    None => ws.probe_remove(&path).map_err(fs_err(&path))?,
                }
                overlay.insert(r, None);
                lines.push(format!("D {path}"));
                steps.push(Step::Remove { path });
            }
            Hunk::Update {
                path,
                move_to,
                chunks,
            } => {
                let r = rel(&path)?;
                let original = match overlay.get(&r) {
                    Some(Some(text)) => text.clone(),
                    Some(None) => {
                        return Err(PatchError::Invalid {
                            path,
                            message: "deleted or moved earlier in this patch".into(),
                        });
                    }
                    None => {
                        let bytes = ws
                            .read(&path, limits.max_file_bytes)
                            .map_err(fs_err(&path))?;
                        String::from_utf8(bytes).map_err(|_| PatchError::Invalid {
                            path: path.clone(),
                            message: "not UTF-8 text".into(),
                        })?
                    }
                };
                let content = if chunks.is_empty() {
                    original
                } else {
                    apply::apply_chunks(&original, &chunks).map_err(|e| PatchError::Hunk {
                        path: path.clone(),
                        hunk: e.hunk,
                        message: e.message,
                    })?
                };
                if let Some(e) = too_big(&path, &content) {
                    return Err(e);
                }
                match move_to {
                    Some(to) if rel(&to)? != r => {
                        let to_rel = rel(&to)?;
                        if !overlay.contains_key(&r) {
                            // A source on disk must be one the rename accepts (a regular file
                            // with one link, no symlink on the path), or it would fail after
                            // the first writes.
                            ws.probe_rename_source(&path).map_err(fs_err(&path))?;
                        }
                        if !overlay.contains_key(&to_rel) {
                            ws.probe_write(&to).map_err(fs_err(&to))?;
                        }
                        overlay.insert(r, None);
                        overlay.insert(to_rel, Some(content.clone()));
                        lines.push(format!("M {to}"));
                        steps.push(Step::Move {
                            from: path,
                            to,
                            content,
                        });
                    }
                    _ => {
                        overlay.insert(r, Some(content.clone()));
                        lines.push(format!("M {path}"));
                        steps.push(Step::Write { path, content });
                    }
                }
            }
        }
    }
    Ok(Plan { steps, lines })
}

impl Plan {
    /// Makes the changes, in patch order. The summary on success.
    pub fn commit(self, ws: &Workspace) -> Result<String, PatchError> {
        for (i, step) in self.steps.iter().enumerate() {
            let done = match step {
                Step::Write { path, content } => {
                    ws.write(path, content.as_bytes()).map_err(|e| (path, e))
                }
                Step::Remove { path } => ws.remove(path).map_err(|e| (path, e)),
                Step::Move { from, to, content } => ws
                    .write(from, content.as_bytes())
                    .map_err(|e| (from, e))
                    .and_then(|()| ws.rename(from, to).map_err(|e| (to, e))),
            };
            if let Err((path, error)) = done {
                let applied = self.lines[..i].join(", ");
                return Err(PatchError::Partial {
                    path: path.clone(),
                    error,
                    applied: if applied.is_empty() {
                        "nothing".into()
                    } else {
                        applied
                    },
                });
            }
        }
        Ok(format!(
            "Success. Updated the following files:\n{}",
            self.lines.join("\n")
        ))
    }
}

/// Validates, then applies `input`.
pub fn run(ws: &Workspace, input: Option<&str>, limits: PatchLimits) -> Result<String, PatchError> {
    let input = input.ok_or(PatchError::MissingInput)?;
    plan(ws, input, limits)?.commit(ws)
}

impl super::ToolExecutor {
    /// Runs a permitted `apply_patch` on the blocking pool.
    pub(super) async fn apply_patch(&self, permit: &super::Permit) -> super::ToolResult {
        let input = permit
            .params()
            .get("input")
            .and_then(Value::as_str)
            .map(str::to_string);
        let ws = std::sync::Arc::clone(&self.workspace);
        let limits = PatchLimits {
            max_input_bytes: usize::try_from(self.limits.max_file_bytes).unwrap_or(usize::MAX),
            max_file_bytes: self.limits.max_file_bytes,
        };
        let out = tokio::task::spawn_blocking(move || run(&ws, input.as_deref(), limits))
            .await
            .unwrap_or_else(|_| {
                Err(PatchError::Invalid {
                    path: "apply_patch".into(),
                    message: "the patch task failed".into(),
                })
            });
        match out {
            Ok(summary) => super::ToolResult::ok(summary),
            Err(e) => {
                if let Some((path, fs)) = e.policy() {
                    // The kernel refused what the lexical check let through.
                    let mut r = self.refused(super::Builtin::ApplyPatch, path, fs);
                    if !e.nothing_written() {
                        r.content.push_str(&format!(" ({e})"));
                    }
                    return r;
                }
                super::ToolResult::error(if e.nothing_written() {
                    format!("error: {e}\nNothing was written.")
                } else {
                    format!("error: {e}")
                })
            }
        }
    }
}

#[cfg(test)]
mod tests;
