//! The built-in tools hardclaw implements, their names and the specs offered to the model.

use serde_json::{Value, json};

use crate::message::ToolSpec;

/// A built-in tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// Read a workspace file.
    Read,
    /// Write a workspace file.
    Write,
    /// Replace text in a workspace file.
    Edit,
    /// Run a shell command.
    Exec,
    /// Fetch a URL.
    WebFetch,
    /// List the sessions this session may see.
    SessionsList,
    /// Read another (visible) session's transcript.
    SessionsHistory,
    /// Send a message to another session (another agent) and wait for its reply.
    SessionsSend,
    /// Run a task in a new subagent session and wait for its reply.
    SessionsSpawn,
    /// This (or a visible) session's status: model, usage, taint.
    SessionStatus,
    /// Send a message to a channel recipient.
    Message,
    /// Apply a Codex-format patch to workspace files.
    ApplyPatch,
    /// Keyword search over the memory files.
    MemorySearch,
    /// Read lines of a memory file.
    MemoryGet,
    /// Search the web (Brave).
    WebSearch,
    /// Manage background commands started by `exec`.
    Process,
}

impl Builtin {
    /// Every implemented built-in.
    pub const ALL: [Builtin; 16] = [
        Builtin::Read,
        Builtin::Write,
        Builtin::Edit,
        Builtin::Exec,
        Builtin::WebFetch,
        Builtin::SessionsList,
        Builtin::SessionsHistory,
        Builtin::SessionsSend,
        Builtin::SessionsSpawn,
        Builtin::SessionStatus,
        Builtin::Message,
        Builtin::ApplyPatch,
        Builtin::MemorySearch,
        Builtin::MemoryGet,
        Builtin::WebSearch,
        Builtin::Process,
    ];

    /// The normalised name.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Read => "read",
            Builtin::Write => "write",
            Builtin::Edit => "edit",
            Builtin::Exec => "exec",
            Builtin::WebFetch => "web_fetch",
            Builtin::SessionsList => "sessions_list",
            Builtin::SessionsHistory => "sessions_history",
            Builtin::SessionsSend => "sessions_send",
            Builtin::SessionsSpawn => "sessions_spawn",
            Builtin::SessionStatus => "session_status",
            Builtin::Message => "message",
            Builtin::ApplyPatch => "apply_patch",
            Builtin::MemorySearch => "memory_search",
            Builtin::MemoryGet => "memory_get",
            Builtin::WebSearch => "web_search",
            Builtin::Process => "process",
        }
    }

    /// The built-in called `name` (already normalised).
    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| b.name() == name)
    }

    /// Whether the tool works on a workspace path given as `path`.
    pub fn takes_workspace_path(self) -> bool {
        matches!(self, Builtin::Read | Builtin::Write | Builtin::Edit)
    }

    /// The spec offered to the model.
    pub fn spec(self) -> ToolSpec {
        let (description, parameters) = self.description_and_schema();
        ToolSpec {
            name: self.name().to_string(),
            description: description.to_string(),
            parameters,
        }
    }

    fn description_and_schema(self) -> (&'static str, Value) {
        let object = |props: Value, required: &[&str]| json!({"type": "object", "properties": props, "required": required});
        match self {
            Builtin::Read => (
                "Read a UTF-8 file in the workspace.",
                object(json!({"path": {"type": "string"}}), &["path"]),
            ),
            Builtin::Write => (
                "Create or overwrite a file in the workspace.",
                object(
                    json!({"path": {"type": "string"}, "content": {"type": "string"}}),
                    &["path", "content"],
                ),
            ),
            Builtin::Edit => (
                "Replace the one occurrence of oldText with newText in a workspace file.",
                object(
                    json!({"path": {"type": "string"}, "oldText": {"type": "string"}, "newText": {"type": "string"}}),
                    &["path", "oldText", "newText"],
                ),
            ),
            Builtin::Exec => (
                "Run a shell command in the workspace.",
                object(
                    json!({"command": {"type": "string"}, "timeout": {"type": "integer"},
                           "background": {"type": "boolean"}, "yieldMs": {"type": "integer"}}),
                    &["command"],
                ),
            ),
            Builtin::WebFetch => (
                "Fetch an http(s) URL and return its text.",
                object(json!({"url": {"type": "string"}}), &["url"]),
            ),
            Builtin::SessionsList => (
                "List the sessions you may see (your own and those you spawned, per the visibility policy).",
                object(
                    json!({"limit": {"type": "integer"}, "kinds": {"type": "array", "items": {"type": "string"}}}),
                    &[],
                ),
            ),
            Builtin::SessionsHistory => (
                "Read the recent messages of a session you may see.",
                object(
                    json!({"sessionKey": {"type": "string"}, "limit": {"type": "integer"}, "includeTools": {"type": "boolean"}}),
                    &["sessionKey"],
                ),
            ),
            Builtin::SessionsSend => (
                "Send a message to another agent's session (e.g. agent:search:main, or agentId) and wait for its reply.",
                object(
                    json!({"sessionKey": {"type": "string"}, "agentId": {"type": "string"}, "message": {"type": "string"}, "timeoutSeconds": {"type": "integer"}}),
                    &["message"],
                ),
            ),
            Builtin::SessionsSpawn => (
                "Run a task in a new subagent session (of this agent, or of an agent you may delegate to) and wait for its result.",
                object(
                    json!({"task": {"type": "string"}, "agentId": {"type": "string"}, "label": {"type": "string"}, "runTimeoutSeconds": {"type": "integer"}}),
                    &["task"],
                ),
            ),
            Builtin::SessionStatus => (
                "Show this session's status (agent, model, token usage, whether it has taken in untrusted content).",
                object(json!({"sessionKey": {"type": "string"}}), &[]),
            ),
            Builtin::Message => (
                "Send a text message to a recipient on a channel (only recipients the channel's access rules allow).",
                object(
                    json!({"channel": {"type": "string"}, "to": {"type": "string"}, "accountId": {"type": "string"}, "text": {"type": "string"}}),
                    &["to", "text"],
                ),
            ),
            Builtin::ApplyPatch => super::patch::spec(),
            Builtin::MemorySearch => super::memory::search_spec(),
            Builtin::MemoryGet => super::memory::get_spec(),
            Builtin::WebSearch => super::search::spec(),
            Builtin::Process => (
                "Manage background commands started by exec (background or yieldMs): list, poll, log, write, kill, clear, remove.",
                super::process::spec_parameters(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_is_in_the_policy_catalogue_and_round_trips() {
        for b in Builtin::ALL {
            assert!(
                hardclaw_policy::BUILTIN_TOOLS.contains(&b.name()),
                "{} unknown to the tool policy",
                b.name()
            );
            assert_eq!(Builtin::from_name(b.name()), Some(b));
            assert_eq!(b.spec().parameters["type"], "object");
        }
        assert_eq!(Builtin::from_name("bash"), None);
    }
}
