//! The system prompt: a fixed preamble, then `SOUL.md`, `AGENTS.md` and `USER.md` from the
//! agent's workspace (read through the contained [`Workspace`], so a symlink or hardlink in
//! their place is skipped), each capped at `bootstrapMaxChars` (default 20 000).

use crate::tools::workspace::Workspace;

/// The files read, in order.
pub const BOOTSTRAP_FILES: [&str; 3] = ["SOUL.md", "AGENTS.md", "USER.md"];

/// Default per-file cap.
pub const DEFAULT_BOOTSTRAP_MAX_CHARS: usize = 20_000;

/// Builds the system prompt.
pub fn system_prompt(agent_id: &str, workspace: &Workspace, max_chars: usize) -> String {
    let mut out = format!(
        "You are the hardclaw agent `{agent_id}`. Your workspace is {}. Tool calls are checked by policy; a blocked call returns \"blocked by policy\".\n",
        workspace.root().display()
    );
    for name in BOOTSTRAP_FILES {
        if let Ok(bytes) = workspace.read(name, (max_chars as u64).saturating_mul(4)) {
            let text = String::from_utf8_lossy(&bytes);
            let text: String = text.chars().take(max_chars).collect();
            out.push_str(&format!("\n## {name}\n\n{}\n", text.trim_end()));
        }
    }
    out
}
