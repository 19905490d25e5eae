//! The result: every tool with its decision, the layer and entry that removed it, and warnings.

use serde::{Serialize, Serializer};

use super::context::SessionInfo;
use super::elevated::ElevatedStatus;
use crate::guard::Decision;

/// Where a tool comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolSource {
    /// A built-in tool.
    Core,
    /// Registered by a plugin (its id).
    Plugin(String),
}

impl std::fmt::Display for ToolSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ToolSource::Core => f.write_str("core"),
            ToolSource::Plugin(id) => write!(f, "plugin:{id}"),
        }
    }
}

impl Serialize for ToolSource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One tool and its fate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolEntry {
    /// Canonical tool name.
    pub name: String,
    /// Survived every layer.
    pub allowed: bool,
    /// The first layer that removed it (a config path, `owner-only`, `plugins`, `gateway.http`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// The entry in that layer (`deny \`web_search\``, `not in allow list`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    /// `core` or `plugin:<id>`.
    pub source: ToolSource,
}

impl ToolEntry {
    pub(super) fn allowed(name: &str, source: ToolSource) -> ToolEntry {
        ToolEntry {
            name: name.to_string(),
            allowed: true,
            layer: None,
            entry: None,
            source,
        }
    }

    pub(super) fn removed(
        name: &str,
        layer: &str,
        entry: impl Into<String>,
        source: ToolSource,
    ) -> ToolEntry {
        ToolEntry {
            name: name.to_string(),
            allowed: false,
            layer: Some(layer.to_string()),
            entry: Some(entry.into()),
            source,
        }
    }

    /// As a guard decision: allow, or `Decision::block("tool-policy", <layer>, reason)`.
    pub fn decision(&self) -> Decision {
        match (&self.layer, &self.entry) {
            (Some(layer), Some(entry)) if !self.allowed => Decision::block(
                "tool-policy",
                layer,
                format!("tool `{}` removed by {layer}: {entry}", self.name),
            ),
            _ => Decision::allow("tool-policy"),
        }
    }
}

/// The effective tool set of one context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EffectiveTools {
    /// The agent id.
    pub agent: String,
    /// The session as resolved.
    pub session: SessionInfo,
    /// The catalogue version the decisions use.
    pub catalog: &'static str,
    /// The layers that applied, in order.
    pub layers: Vec<String>,
    /// Every tool: core in catalogue order, then plugin tools in registration order.
    pub tools: Vec<ToolEntry>,
    /// Elevated mode for this caller.
    pub elevated: ElevatedStatus,
    /// Things the user should know (stripped allowlists, collisions, unknown entries).
    pub warnings: Vec<String>,
}

impl EffectiveTools {
    /// Names of the tools that survived.
    pub fn allowed(&self) -> Vec<&str> {
        self.tools
            .iter()
            .filter(|t| t.allowed)
            .map(|t| t.name.as_str())
            .collect()
    }

    /// Whether `name` survived.
    pub fn is_allowed(&self, name: &str) -> bool {
        let name = crate::tool_groups::normalize_tool_name(name);
        self.tools.iter().any(|t| t.allowed && t.name == name)
    }

    /// The entry for `name` (the first, when a plugin tool collided with it).
    pub fn get(&self, name: &str) -> Option<&ToolEntry> {
        let name = crate::tool_groups::normalize_tool_name(name);
        self.tools.iter().find(|t| t.name == name)
    }

    /// The guard decision for a call to `name`; a tool nobody registered is blocked.
    pub fn decision(&self, name: &str) -> Decision {
        match self.tools.iter().find(|t| t.allowed && t.name == name) {
            Some(t) => t.decision(),
            None => match self.get(name) {
                Some(t) => t.decision(),
                None => Decision::block(
                    "tool-policy",
                    "unknown-tool",
                    format!("no tool named `{name}` is registered"),
                ),
            },
        }
    }
}
