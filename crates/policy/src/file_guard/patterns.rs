//! Protection levels and the pattern file (`file-guard.json`).
//!
//! Two shapes are accepted (reference `openclaw-guide-spec.md` §1.3 and §6 item 6):
//!
//! ```json
//! {"protection_levels": {"no_access": {"description": "…", "patterns": ["**/.env"]}, …}}
//! {"no_access": ["**/.env"], "read_only": […], "no_delete": […]}
//! ```
//!
//! In the first shape a level may also be a bare array. Unknown levels, non-string patterns
//! or a document that is neither shape are "malformed" (the caller then applies `failOpen`).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// How strongly a path is protected: `no_access` > `read_only` > `no_delete`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Deletion refused; reads and writes allowed.
    NoDelete,
    /// Writes and deletion refused.
    ReadOnly,
    /// Every access refused.
    NoAccess,
}

impl Level {
    /// All levels, strictest first.
    pub const ALL: [Level; 3] = [Level::NoAccess, Level::ReadOnly, Level::NoDelete];

    /// The name used in files and reasons.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::NoAccess => "no_access",
            Level::ReadOnly => "read_only",
            Level::NoDelete => "no_delete",
        }
    }

    fn from_name(name: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == name)
    }
}

/// The guide's default patterns, plus hardclaw's fixes (§6 item 5): `.git` itself and every
/// path below it are no_delete, and `.ssh` is protected at any depth.
pub fn default_patterns(level: Level) -> &'static [&'static str] {
    match level {
        Level::NoAccess => &[
            "**/.env",
            "**/.env.*",
            "**/.ssh/*",
            "**/.ssh/**",
            "**/.aws/credentials",
            "**/.aws/config",
            "**/credentials.json",
            "**/credentials.yaml",
            "**/*.pem",
            "**/*.key",
            "**/.kube/config",
            "**/secrets.yml",
            "**/secrets.yaml",
        ],
        Level::ReadOnly => &[
            "**/package-lock.json",
            "**/yarn.lock",
            "**/pnpm-lock.yaml",
            "**/Cargo.lock",
            "**/poetry.lock",
            "**/go.sum",
        ],
        Level::NoDelete => &[
            "**/.git",
            "**/.git/*",
            "**/.git/**",
            "**/LICENSE",
            "**/README.md",
        ],
    }
}

/// Patterns per level (deduplicated, in first-seen order) with optional descriptions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatternSet {
    /// Level → patterns.
    pub levels: BTreeMap<Level, Vec<String>>,
    /// Level → description.
    pub descriptions: BTreeMap<Level, String>,
}

impl PatternSet {
    /// The defaults.
    pub fn defaults() -> PatternSet {
        let mut set = PatternSet::default();
        for level in Level::ALL {
            for p in default_patterns(level) {
                set.add(level, p);
            }
        }
        set
    }

    /// Adds one pattern (ignored when already present at that level, or blank).
    pub fn add(&mut self, level: Level, pattern: &str) {
        let pattern = pattern.trim();
        if pattern.is_empty() {
            return;
        }
        let list = self.levels.entry(level).or_default();
        if !list.iter().any(|p| p == pattern) {
            list.push(pattern.to_string());
        }
    }

    /// Additive merge (agentOverrides): patterns unioned and deduplicated, the other set's
    /// descriptions win.
    pub fn merge(&mut self, other: &PatternSet) {
        for (level, patterns) in &other.levels {
            for p in patterns {
                self.add(*level, p);
            }
        }
        for (level, d) in &other.descriptions {
            self.descriptions.insert(*level, d.clone());
        }
    }

    /// Patterns of one level.
    pub fn patterns(&self, level: Level) -> &[String] {
        self.levels.get(&level).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Parses a pattern file's text (JSON; either shape). The file replaces the defaults
    /// (levels it does not mention are empty), as in the guide.
    pub fn parse(text: &str) -> Result<PatternSet, String> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
        let Value::Object(top) = &value else {
            return Err("the pattern file must be a JSON object".into());
        };
        let mut set = PatternSet::default();
        if let Some(levels) = top.get("protection_levels") {
            let Value::Object(levels) = levels else {
                return Err("`protection_levels` must be an object".into());
            };
            if let Some(extra) = top
                .keys()
                .find(|k| *k != "protection_levels" && *k != "$schema")
            {
                return Err(format!("unknown key `{extra}` next to `protection_levels`"));
            }
            for (name, body) in levels {
                let level = Level::from_name(name)
                    .ok_or_else(|| format!("unknown protection level `{name}`"))?;
                match body {
                    Value::Array(_) => set.add_list(level, body, name)?,
                    Value::Object(obj) => {
                        for (key, v) in obj {
                            match key.as_str() {
                                "patterns" => set.add_list(level, v, name)?,
                                "description" => {
                                    let d = v.as_str().ok_or_else(|| {
                                        format!("`{name}.description` must be a string")
                                    })?;
                                    set.descriptions.insert(level, d.to_string());
                                }
                                other => {
                                    return Err(format!("unknown key `{name}.{other}`"));
                                }
                            }
                        }
                    }
                    _ => return Err(format!("`{name}` must be an object or an array")),
                }
            }
            return Ok(set);
        }
        // The flat shape of the pragmatic guide.
        let mut any = false;
        for (name, body) in top {
            if name == "$schema" {
                continue;
            }
            let level = Level::from_name(name).ok_or_else(|| {
                format!(
                    "unknown key `{name}` (expected `protection_levels` or no_access/read_only/no_delete)"
                )
            })?;
            set.add_list(level, body, name)?;
            any = true;
        }
        if !any {
            return Err("no protection levels found".into());
        }
        Ok(set)
    }

    fn add_list(&mut self, level: Level, list: &Value, name: &str) -> Result<(), String> {
        let Value::Array(items) = list else {
            return Err(format!("`{name}` patterns must be an array of strings"));
        };
        // Present-but-empty still marks the level as configured.
        self.levels.entry(level).or_default();
        for item in items {
            let p = item
                .as_str()
                .ok_or_else(|| format!("`{name}` patterns must be strings"))?;
            self.add(level, p);
        }
        Ok(())
    }
}
