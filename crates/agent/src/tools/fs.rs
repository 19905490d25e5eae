//! `read`, `write`, `edit`: every operation through the contained [`Workspace`]
//! (`openat2(RESOLVE_BENEATH)`, hardlinks refused); a kernel refusal the lexical check let
//! through (a symlink or hardlink out) is logged as a `workspace` decision.

use std::sync::Arc;

use serde_json::Value;

use super::workspace::FsError;
use super::{Builtin, Permit, ToolExecutor, ToolResult};

impl ToolExecutor {
    pub(super) async fn fs(&self, permit: &Permit) -> ToolResult {
        let p = &permit.params;
        let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let path = s("path");
        let ws = Arc::clone(&self.workspace);
        let cap = self.limits.max_file_bytes;
        let tool = permit.tool;
        let (content, old, new) = (
            s("content"),
            p.get("oldText")
                .or(p.get("old_string"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            p.get("newText")
                .or(p.get("new_string"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        );
        let path2 = path.clone();
        let out = tokio::task::spawn_blocking(move || match tool {
            Builtin::Read => ws
                .read(&path2, cap)
                .map(|b| String::from_utf8_lossy(&b).into_owned()),
            Builtin::Write => ws
                .write(&path2, content.as_bytes())
                .map(|()| format!("wrote {} bytes to {path2}", content.len())),
            _ => ws
                .edit(&path2, &old, &new, cap)
                .map(|()| format!("edited {path2}")),
        })
        .await
        .unwrap_or_else(|_| Err(FsError::Io("file task failed".into())));
        match out {
            Ok(text) => ToolResult::ok(text),
            // The kernel refused what the lexical check let through (symlink, hardlink).
            Err(e) if e.is_policy() => self.refused(tool, &path, &e),
            Err(e) => ToolResult::error(format!("error: {e}")),
        }
    }
}
