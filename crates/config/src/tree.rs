//! The annotated document tree used while loading: like `serde_json::Value`, but every object
//! key and array element remembers where it was written ([`Located`]).
//!
//! Parsing produces one tree per file; `$include` merges trees ([`merge`]); [`flatten`] finally
//! turns the merged tree into a `serde_json::Value` plus a map from merged JSON path to origin.
//! Keeping the positions on the nodes (rather than in a side map keyed by path) is what keeps
//! them right when arrays from different files are concatenated and indices shift.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Number, Value};

use crate::json_path::JsonPath;
use crate::load::Located;

/// Maximum nesting of any document, one file or merged through `$include` (a value at the top
/// level is at depth 0). Real configs stay under 10; the limit keeps every recursive stage
/// (conversion, merge, flatten, substitution, serde, drop) far from a stack overflow, even on a
/// 2 MiB thread in a debug build.
pub(crate) const MAX_NESTING: usize = 128;

/// The error message for [`MAX_NESTING`].
pub(crate) fn too_deep() -> String {
    format!(
        "the document is nested more than {MAX_NESTING} levels deep (counting `$include`d files \
         at the place they are included)"
    )
}

/// A value with positions on its children.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Entry>),
    Object(ObjectNode),
}

/// A child of an object or array, with where it was written.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub node: Node,
    pub at: Located,
}

/// An object that keeps key order (first insertion) and finds keys in constant time.
#[derive(Debug, Clone, Default)]
pub(crate) struct ObjectNode {
    entries: Vec<(String, Entry)>,
    index: HashMap<String, usize>,
}

impl ObjectNode {
    /// Inserts or replaces. A replaced key keeps its position (like `serde_json`'s ordered map)
    /// and takes the new value and position. Returns the replaced entry.
    pub fn insert(&mut self, key: String, entry: Entry) -> Option<Entry> {
        match self.index.get(&key) {
            Some(&i) => self
                .entries
                .get_mut(i)
                .map(|slot| std::mem::replace(&mut slot.1, entry)),
            None => {
                self.index.insert(key.clone(), self.entries.len());
                self.entries.push((key, entry));
                None
            }
        }
    }

    /// Removes a key (linear time; used only for `$include`).
    pub fn remove(&mut self, key: &str) -> Option<Entry> {
        let i = self.index.remove(key)?;
        let (_, entry) = self.entries.remove(i);
        for slot in self.index.values_mut() {
            if *slot > i {
                *slot -= 1;
            }
        }
        Some(entry)
    }

    #[cfg(test)]
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.index
            .get(key)
            .and_then(|&i| self.entries.get(i))
            .map(|(_, e)| e)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn into_entries(self) -> Vec<(String, Entry)> {
        self.entries
    }

    #[cfg(test)]
    pub fn from_entries(entries: impl IntoIterator<Item = (String, Entry)>) -> Self {
        let mut out = Self::default();
        for (k, e) in entries {
            out.insert(k, e);
        }
        out
    }
}

/// OpenClaw's deep merge: objects merge key by key (recursively), arrays concatenate, anything
/// else: `over` wins. A key present in both takes `over`'s position.
pub(crate) fn merge(base: Node, over: Node) -> Node {
    match (base, over) {
        (Node::Object(mut base), Node::Object(over)) => {
            for (key, over_entry) in over.into_entries() {
                let merged = match base.remove_for_merge(&key) {
                    Some(base_entry) => Entry {
                        node: merge(base_entry.node, over_entry.node),
                        at: over_entry.at,
                    },
                    None => over_entry,
                };
                base.insert(key, merged);
            }
            Node::Object(base)
        }
        (Node::Array(mut base), Node::Array(over)) => {
            base.extend(over);
            Node::Array(base)
        }
        (_, over) => over,
    }
}

impl ObjectNode {
    /// Takes the entry out while leaving its slot (so a following `insert` keeps the position).
    fn remove_for_merge(&mut self, key: &str) -> Option<Entry> {
        let i = *self.index.get(key)?;
        let slot = self.entries.get_mut(i)?;
        let filler = placeholder(&slot.1.at);
        Some(std::mem::replace(&mut slot.1, filler))
    }
}

fn placeholder(at: &Located) -> Entry {
    Entry {
        node: Node::Null,
        at: at.clone(),
    }
}

/// Converts to a `serde_json::Value`, recording the origin of every key and array element under
/// its merged JSON path (textual form).
pub(crate) fn flatten(
    node: Node,
    path: &JsonPath,
    origins: &mut BTreeMap<String, Located>,
) -> Value {
    match node {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(b),
        Node::Number(n) => Value::Number(n),
        Node::String(s) => Value::String(s),
        Node::Array(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, entry)| {
                    let child = path.index(i);
                    origins.insert(child.to_string(), entry.at);
                    flatten(entry.node, &child, origins)
                })
                .collect(),
        ),
        Node::Object(obj) => {
            let mut map = Map::new();
            for (key, entry) in obj.into_entries() {
                let child = path.key(key.clone());
                origins.insert(child.to_string(), entry.at);
                map.insert(key, flatten(entry.node, &child, origins));
            }
            Value::Object(map)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::json_path::Origin;

    fn at(line: usize) -> Located {
        Located {
            origin: Origin {
                file: PathBuf::from("f"),
                line,
                column: 1,
            },
            local_path: JsonPath::root(),
        }
    }

    fn obj(entries: Vec<(&str, Node)>) -> Node {
        Node::Object(ObjectNode::from_entries(
            entries.into_iter().enumerate().map(|(i, (k, node))| {
                (
                    k.to_string(),
                    Entry {
                        node,
                        at: at(i + 1),
                    },
                )
            }),
        ))
    }

    fn num(n: i64) -> Node {
        Node::Number(n.into())
    }

    #[test]
    fn merge_semantics() {
        let base = obj(vec![
            ("a", num(1)),
            ("o", obj(vec![("x", num(1)), ("y", num(2))])),
            (
                "l",
                Node::Array(vec![Entry {
                    node: num(1),
                    at: at(9),
                }]),
            ),
        ]);
        let over = obj(vec![
            ("o", obj(vec![("y", num(3)), ("z", num(4))])),
            ("a", num(5)),
            (
                "l",
                Node::Array(vec![Entry {
                    node: num(2),
                    at: at(9),
                }]),
            ),
            ("n", Node::Null),
        ]);
        let mut origins = BTreeMap::new();
        let v = flatten(merge(base, over), &JsonPath::root(), &mut origins);
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"a":5,"o":{"x":1,"y":3,"z":4},"l":[1,2],"n":null}"#
        );
        assert!(origins.contains_key("l[1]"));
        assert!(origins.contains_key("o.z"));
    }

    #[test]
    fn remove_keeps_index_consistent() {
        let Node::Object(mut o) = obj(vec![("a", num(1)), ("b", num(2)), ("c", num(3))]) else {
            panic!()
        };
        assert!(o.remove("a").is_some());
        assert!(o.get("c").is_some());
        assert_eq!(o.len(), 2);
        assert!(o.remove("a").is_none());
    }
}
