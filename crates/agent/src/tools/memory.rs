//! `memory_search {query, maxResults?, minScore?}` and `memory_get {path, from?, lines?}` over
//! the agent's memory files, as OpenClaw defines them: `MEMORY.md` (and `memory.md`) and
//! `memory/**/*.md` in the workspace.
//!
//! Every file is listed and read through the contained [`Workspace`] with no symlink
//! followed anywhere on the path (a symlinked `MEMORY.md` or `memory/` is skipped by the
//! search and refused by `memory_get`), hardlinked files refused, sizes capped. The search is
//! keyword ranking ([`rank`]) — hardclaw has no embedding provider, and nothing leaves the
//! machine. Results are JSON text.
//!
//! Both are governed by the tool policy alone (`group:memory`); OpenClaw's `memorySearch`
//! block (embedding provider, sync, `enabled`) is not interpreted — the audit says so.

pub mod rank;

use std::path::{Component, Path, PathBuf};

use hardclaw_policy::Decision;
use serde_json::{Value, json};

use super::workspace::{FsError, Workspace};

/// `memory_search`'s description and schema.
pub fn search_spec() -> (&'static str, Value) {
    (
        "Search the agent's memory files (MEMORY.md and memory/**/*.md) by keywords before \
         answering questions about earlier work, decisions, dates, people, preferences or \
         todos. Returns JSON {results: [{path, startLine, endLine, score, snippet}]}; use \
         memory_get to read more lines.",
        json!({
            "type": "object",
            "properties": {
                "query": {"type": "string"},
                "maxResults": {"type": "integer", "minimum": 1, "maximum": 50},
                "minScore": {"type": "number", "minimum": 0, "maximum": 1}
            },
            "required": ["query"]
        }),
    )
}

/// `memory_get`'s description and schema.
pub fn get_spec() -> (&'static str, Value) {
    (
        "Read lines of one memory file (MEMORY.md, memory.md or memory/**/*.md). `from` is the \
         1-based first line (default 1), `lines` how many (default: to the end).",
        json!({
            "type": "object",
            "properties": {
                "path": {"type": "string"},
                "from": {"type": "integer", "minimum": 1},
                "lines": {"type": "integer", "minimum": 1}
            },
            "required": ["path"]
        }),
    )
}

/// Whether `rel` (normalised, relative to the workspace) is a memory file.
pub fn is_memory_path(rel: &Path) -> bool {
    if rel == Path::new("MEMORY.md") || rel == Path::new("memory.md") {
        return true;
    }
    let mut parts = rel.components();
    parts.next() == Some(Component::Normal("memory".as_ref()))
        && parts.next().is_some()
        && rel.extension().is_some_and(|e| e == "md")
}

/// The policy step's part for `memory_get`: the path must be inside the workspace and a
/// memory file. `None` when it is.
pub(crate) fn check_get(ws: &Workspace, params: &Value) -> Option<Decision> {
    let path = params.get("path").and_then(Value::as_str).unwrap_or("");
    match ws.relative(path) {
        None => Some(Decision::block(
            "workspace",
            "outside-workspace",
            format!("`{path}` is outside the agent workspace"),
        )),
        Some(rel) if !is_memory_path(&rel) => Some(Decision::block(
            "memory",
            "not-a-memory-file",
            format!("`{path}` is not a memory file (MEMORY.md, memory.md, memory/**/*.md)"),
        )),
        Some(_) => None,
    }
}

/// Caps of the memory tools.
#[derive(Debug, Clone, Copy)]
pub struct MemoryLimits {
    /// Files searched.
    pub max_files: usize,
    /// Each file (larger ones are skipped by the search, refused by `memory_get`).
    pub max_file_bytes: u64,
    /// All files of one search together.
    pub max_total_bytes: u64,
    /// Directory levels below `memory/`.
    pub max_depth: usize,
    /// Lines per chunk.
    pub chunk_lines: usize,
    /// Lines shared by neighbouring chunks.
    pub chunk_overlap: usize,
    /// Characters of a snippet.
    pub snippet_chars: usize,
    /// Bytes of `memory_get` text (whole lines; the rest is marked truncated).
    pub max_get_bytes: usize,
}

impl Default for MemoryLimits {
    fn default() -> Self {
        MemoryLimits {
            max_files: 500,
            max_file_bytes: 1024 * 1024,
            max_total_bytes: 16 * 1024 * 1024,
            max_depth: 8,
            chunk_lines: 20,
            chunk_overlap: 5,
            snippet_chars: 700,
            max_get_bytes: 60_000,
        }
    }
}

/// Default `maxResults`.
pub const DEFAULT_MAX_RESULTS: usize = 6;
/// Default `minScore`.
pub const DEFAULT_MIN_SCORE: f64 = 0.1;

/// Why a memory call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MemoryError {
    /// A parameter is missing or malformed.
    #[error("{0}")]
    Input(String),
    /// A file could not be read.
    #[error("{path}: {error}")]
    File {
        /// The file.
        path: String,
        /// Why.
        error: FsError,
    },
}

/// A file as the result names it.
fn display(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// The memory files present (`MEMORY.md`, `memory.md`, then `memory/**/*.md`), and the
/// problems met while listing.
fn memory_files(ws: &Workspace, limits: &MemoryLimits) -> (Vec<PathBuf>, Vec<Value>) {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    // Read (or found missing) with the others; a symlink is refused there.
    files.extend(["MEMORY.md", "memory.md"].map(PathBuf::from));
    match ws.list_files(
        Path::new("memory"),
        limits.max_depth,
        limits.max_files.saturating_sub(files.len()),
    ) {
        Ok(listing) => {
            files.extend(
                listing
                    .files
                    .into_iter()
                    .filter(|p| p.extension().is_some_and(|e| e == "md")),
            );
            if listing.truncated {
                skipped.push(json!({"path": "memory/", "reason": format!("more than {} files; the rest were not searched", limits.max_files)}));
            }
        }
        Err(e) => skipped.push(json!({"path": "memory/", "reason": e.to_string()})),
    }
    (files, skipped)
}

/// `memory_search`: JSON `{results: [...], skipped?: [...]}`.
pub fn search(
    ws: &Workspace,
    params: &Value,
    limits: &MemoryLimits,
) -> Result<String, MemoryError> {
    let query = params
        .get("query")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .ok_or_else(|| MemoryError::Input("`query` is required".into()))?;
    if rank::words(query).is_empty() {
        return Err(MemoryError::Input(
            "the query has no searchable words".into(),
        ));
    }
    let max_results = params
        .get("maxResults")
        .and_then(Value::as_u64)
        .map_or(DEFAULT_MAX_RESULTS, |n| n.clamp(1, 50) as usize);
    let min_score = params
        .get("minScore")
        .and_then(Value::as_f64)
        .map_or(DEFAULT_MIN_SCORE, |s| s.clamp(0.0, 1.0));
    let (files, mut skipped) = memory_files(ws, limits);
    let mut total = 0u64;
    let mut chunks = Vec::new();
    for file in files {
        let name = display(&file);
        if total >= limits.max_total_bytes {
            skipped
                .push(json!({"path": name, "reason": "the search's total size cap was reached"}));
            continue;
        }
        match ws.read_no_symlinks(&file, limits.max_file_bytes) {
            Ok(bytes) => {
                total += bytes.len() as u64;
                let text = String::from_utf8_lossy(&bytes);
                chunks.extend(rank::chunks(
                    &name,
                    &text,
                    limits.chunk_lines,
                    limits.chunk_overlap,
                ));
            }
            Err(FsError::NotFound) => {}
            Err(e) => skipped.push(json!({"path": name, "reason": e.to_string()})),
        }
    }
    let results: Vec<Value> = rank::rank(chunks, query, min_score, max_results)
        .into_iter()
        .map(|h| {
            let mut snippet: String = h.chunk.text.chars().take(limits.snippet_chars).collect();
            if snippet.len() < h.chunk.text.len() {
                snippet.push('…');
            }
            json!({
                "path": h.chunk.path,
                "startLine": h.chunk.start_line,
                "endLine": h.chunk.end_line,
                "score": (h.score * 1000.0).round() / 1000.0,
                "snippet": snippet,
            })
        })
        .collect();
    let mut out = json!({ "results": results });
    if !skipped.is_empty() {
        out["skipped"] = Value::Array(skipped);
    }
    Ok(out.to_string())
}

/// `memory_get`: JSON `{path, startLine, endLine, totalLines, text, truncated?}`.
pub fn get(ws: &Workspace, params: &Value, limits: &MemoryLimits) -> Result<String, MemoryError> {
    let raw = params.get("path").and_then(Value::as_str).unwrap_or("");
    let rel = ws
        .relative(raw)
        .filter(|r| is_memory_path(r))
        .ok_or_else(|| MemoryError::Input(format!("`{raw}` is not a memory file")))?;
    let positive = |key: &str| -> Result<Option<usize>, MemoryError> {
        match params.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .filter(|n| *n >= 1)
                .map(|n| Some(usize::try_from(n).unwrap_or(usize::MAX)))
                .ok_or_else(|| MemoryError::Input(format!("`{key}` must be a whole number ≥ 1"))),
        }
    };
    let from = positive("from")?.unwrap_or(1);
    let count = positive("lines")?;
    let name = display(&rel);
    let bytes = ws
        .read_no_symlinks(&rel, limits.max_file_bytes)
        .map_err(|error| MemoryError::File {
            path: name.clone(),
            error,
        })?;
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    let start = from.min(lines.len() + 1);
    let end = count.map_or(lines.len(), |c| {
        (start - 1).saturating_add(c).min(lines.len())
    });
    let mut out = String::new();
    let mut last = start.saturating_sub(1);
    let mut truncated = false;
    for (i, line) in lines.iter().enumerate().take(end).skip(start - 1) {
        if out.len() + line.len() + 1 > limits.max_get_bytes {
            truncated = true;
            break;
        }
        out.push_str(line);
        out.push('\n');
        last = i + 1;
    }
    let mut v = json!({
        "path": name,
        "startLine": start,
        "endLine": last,
        "totalLines": lines.len(),
        "text": out,
    });
    if truncated {
        v["truncated"] = json!(true);
    }
    Ok(v.to_string())
}

impl super::ToolExecutor {
    /// Runs a permitted `memory_search` or `memory_get` on the blocking pool.
    pub(super) async fn memory(&self, permit: &super::Permit) -> super::ToolResult {
        let tool = permit.tool();
        let params = permit.params().clone();
        let ws = std::sync::Arc::clone(&self.workspace);
        let limits = self.limits.memory;
        let out = tokio::task::spawn_blocking(move || match tool {
            super::Builtin::MemoryGet => get(&ws, &params, &limits),
            _ => search(&ws, &params, &limits),
        })
        .await
        .unwrap_or_else(|_| Err(MemoryError::Input("the memory task failed".into())));
        match out {
            Ok(json) => super::ToolResult::ok(json),
            Err(MemoryError::File { path, error }) if error.is_policy() => {
                self.refused(tool, &path, &error)
            }
            Err(e) => super::ToolResult::error(format!("error: {e}")),
        }
    }
}

#[cfg(test)]
mod tests;
