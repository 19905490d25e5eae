//! Include tests: real file trees in a temporary directory.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::*;
use crate::json_path::{JsonPath, Origin};
use crate::tree::flatten;

struct Tree {
    _dir: tempfile::TempDir,
    /// The config directory (`<tmp>/cfg`), canonical so paths compare simply.
    root: PathBuf,
}

impl Tree {
    fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(dir.path()).unwrap();
        let root = base.join("cfg");
        fs::create_dir_all(&root).unwrap();
        let tree = Tree { _dir: dir, root };
        for (name, text) in files {
            tree.write(name, text);
        }
        tree
    }

    fn write(&self, name: &str, text: &str) {
        let path = self.root.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn main(&self) -> PathBuf {
        self.root.join("openclaw.json")
    }
}

struct Resolved {
    value: Value,
    origins: BTreeMap<String, Located>,
    includes: Vec<PathBuf>,
    duplicates: Vec<ConfigError>,
}

fn resolve_with(tree: &Tree, opts: &LoadOptions) -> Result<Resolved, ConfigError> {
    let main = tree.main();
    let text = fs::read_to_string(&main).unwrap();
    let parsed = parse_json5(&text, &main)?;
    let mut resolver = Resolver::new(opts, &main);
    let node = resolver.resolve_main(parsed.root, &main)?;
    let mut origins = BTreeMap::new();
    let value = flatten(node, &JsonPath::root(), &mut origins);
    Ok(Resolved {
        value,
        origins,
        includes: resolver.includes,
        duplicates: resolver.duplicates,
    })
}

fn resolve(tree: &Tree) -> Result<Resolved, ConfigError> {
    resolve_with(tree, &LoadOptions::default())
}

fn include_reason(result: Result<Resolved, ConfigError>) -> (Origin, String, String) {
    match result {
        Err(ConfigError::Include {
            origin,
            json_path,
            reason,
        }) => (origin, json_path, reason),
        Err(other) => panic!("expected an include error, got {other}"),
        Ok(r) => panic!("expected an include error, got {}", r.value),
    }
}

#[test]
fn merge_semantics_objects_arrays_siblings() {
    let tree = Tree::new(&[
        (
            "openclaw.json",
            r#"{
  $include: ["a.json5", "b.json5"],
  gateway: { port: 2 },
  list: ["main"],
  keep: "main",
}"#,
        ),
        (
            "a.json5",
            "{ gateway: { port: 1, bind: 'lan' }, list: ['a'], keep: 'a', onlyA: true }",
        ),
        (
            "b.json5",
            "{ gateway: { auth: { mode: 'token' } }, list: ['b1', 'b2'], onlyA: false }",
        ),
    ]);
    let r = resolve(&tree).unwrap();
    assert_eq!(
        r.value,
        json!({
            "gateway": {"port": 2, "bind": "lan", "auth": {"mode": "token"}},
            "list": ["a", "b1", "b2", "main"],
            "keep": "main",
            "onlyA": false,
        })
    );
    assert_eq!(
        r.includes,
        vec![tree.root.join("a.json5"), tree.root.join("b.json5")]
    );
    // Key order: included content first, then the siblings' new keys.
    let keys: Vec<_> = r.value.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["gateway", "list", "keep", "onlyA"]);
}

#[test]
fn origins_point_into_included_files_with_local_paths() {
    let tree = Tree::new(&[
        (
            "openclaw.json",
            "{\n  agents: {\n    $include: 'sub/agents.json5',\n    list: [{ id: 'main' }],\n  },\n}",
        ),
        (
            "sub/agents.json5",
            "{\n  defaults: { model: 'x' },\n  list: [\n    { id: 'a' },\n    { id: 'b' },\n  ],\n}",
        ),
    ]);
    let r = resolve(&tree).unwrap();
    assert_eq!(
        r.value["agents"]["list"],
        json!([{"id": "a"}, {"id": "b"}, {"id": "main"}])
    );
    let inc = tree.root.join("sub/agents.json5");
    let main = tree.main();
    let at = |p: &str| {
        let l = &r.origins[p];
        (
            l.origin.file.clone(),
            l.origin.line,
            l.origin.column,
            l.local_path.to_string(),
        )
    };
    assert_eq!(
        at("agents.defaults.model"),
        (inc.clone(), 2, 15, "defaults.model".into())
    );
    assert_eq!(at("agents.list[1]"), (inc.clone(), 5, 5, "list[1]".into()));
    assert_eq!(
        at("agents.list[1].id"),
        (inc.clone(), 5, 7, "list[1].id".into())
    );
    // The main file's element moved from local index 0 to merged index 2.
    assert_eq!(
        at("agents.list[2]"),
        (main.clone(), 4, 12, "agents.list[0]".into())
    );
    assert_eq!(
        at("agents.list[2].id"),
        (main.clone(), 4, 14, "agents.list[0].id".into())
    );
    // `list` is written in both; the sibling (main file) wins.
    assert_eq!(
        at("agents.list"),
        (main.clone(), 4, 5, "agents.list".into())
    );
    assert!(!r.origins.contains_key("agents.$include"));
}

#[test]
fn nested_includes_and_include_only_object() {
    let tree = Tree::new(&[
        ("openclaw.json", "{ a: { $include: 'x/one.json5' }, b: 1 }"),
        // Relative to x/, not to the main file's directory.
        (
            "x/one.json5",
            "{ fromOne: 1, deeper: { $include: 'two.json5' } }",
        ),
        ("x/two.json5", "[1, 2]"),
    ]);
    let r = resolve(&tree).unwrap();
    assert_eq!(
        r.value,
        json!({"a": {"fromOne": 1, "deeper": [1, 2]}, "b": 1})
    );
    assert_eq!(
        r.includes,
        vec![tree.root.join("x/one.json5"), tree.root.join("x/two.json5")]
    );
    assert_eq!(
        r.origins["a.deeper[1]"].origin.file,
        tree.root.join("x/two.json5")
    );
    assert_eq!(r.origins["a.deeper[1]"].local_path.to_string(), "[1]");
}

#[test]
fn include_in_array_element_and_empty_list() {
    let tree = Tree::new(&[
        (
            "openclaw.json",
            "{ l: [{ $include: 'e.json5', n: 2 }], m: { $include: [], k: 1 } }",
        ),
        ("e.json5", "{ n: 1, o: 3 }"),
    ]);
    let r = resolve(&tree).unwrap();
    assert_eq!(r.value, json!({"l": [{"n": 2, "o": 3}], "m": {"k": 1}}));
}

#[test]
fn diamond_include_is_not_a_cycle() {
    let tree = Tree::new(&[
        ("openclaw.json", "{ $include: ['a.json5', 'b.json5'] }"),
        ("a.json5", "{ $include: 'c.json5', a: 1 }"),
        ("b.json5", "{ $include: 'c.json5', b: 1 }"),
        ("c.json5", "{ c: 1, c: 2 }"),
    ]);
    let r = resolve(&tree).unwrap();
    assert_eq!(r.value, json!({"c": 2, "a": 1, "b": 1}));
    assert_eq!(r.includes.len(), 3);
    // c.json5's duplicate is reported once, with the path inside c.json5.
    assert_eq!(r.duplicates.len(), 1);
    assert_eq!(r.duplicates[0].json_path(), Some("c"));
    assert_eq!(
        r.duplicates[0].origin().unwrap().file,
        tree.root.join("c.json5")
    );
}

fn chain(n: usize) -> Tree {
    let tree = Tree::new(&[("openclaw.json", "{ $include: 'f1.json5' }")]);
    for i in 1..=n {
        if i == n {
            tree.write(&format!("f{i}.json5"), &format!("{{ level: {i} }}"));
        } else {
            tree.write(
                &format!("f{i}.json5"),
                &format!("{{ $include: 'f{}.json5' }}", i + 1),
            );
        }
    }
    tree
}

#[test]
fn depth_ten_allowed_eleven_rejected() {
    let r = resolve(&chain(10)).unwrap();
    assert_eq!(r.value, json!({"level": 10}));
    let tree = chain(11);
    let (origin, json_path, reason) = include_reason(resolve(&tree));
    assert_eq!(origin.file, tree.root.join("f10.json5"));
    assert_eq!(json_path, "$include");
    assert!(reason.contains("nested too deeply"), "{reason}");
    // The limit is configurable.
    let opts = LoadOptions {
        max_include_depth: 2,
        ..LoadOptions::default()
    };
    assert!(resolve_with(&chain(2), &opts).is_ok());
    include_reason(resolve_with(&chain(3), &opts));
}

#[test]
fn cycles_rejected() {
    let tree = Tree::new(&[
        ("openclaw.json", "{ x: { $include: 'a.json5' } }"),
        ("a.json5", "{ $include: 'b.json5' }"),
        ("b.json5", "{\n  y: {\n    $include: './a.json5' } }"),
    ]);
    let (origin, json_path, reason) = include_reason(resolve(&tree));
    assert_eq!(
        (origin.file, origin.line, origin.column),
        (tree.root.join("b.json5"), 3, 5)
    );
    assert_eq!(json_path, "y.$include");
    assert!(reason.contains("cycle"), "{reason}");
    // Including the main file itself is a cycle too.
    let tree = Tree::new(&[("openclaw.json", "{ $include: 'openclaw.json' }")]);
    assert!(include_reason(resolve(&tree)).2.contains("cycle"));
}

#[test]
fn paths_outside_the_config_dir_rejected() {
    let tree = Tree::new(&[("openclaw.json", "{\n  $include: '../outside.json' }")]);
    fs::write(tree.root.parent().unwrap().join("outside.json"), "{}").unwrap();
    let (origin, json_path, reason) = include_reason(resolve(&tree));
    assert_eq!((origin.line, origin.column), (2, 3));
    assert_eq!(json_path, "$include");
    assert!(reason.contains("outside the config directory"), "{reason}");

    let tree = Tree::new(&[("openclaw.json", "{ $include: '/etc/hostname' }")]);
    assert!(include_reason(resolve(&tree)).2.contains("outside"));

    // Down and back up again stays inside: allowed.
    let tree = Tree::new(&[
        ("openclaw.json", "{ $include: 'sub/../ok.json5' }"),
        ("ok.json5", "{ ok: 1 }"),
    ]);
    fs::create_dir_all(tree.root.join("sub")).unwrap();
    assert_eq!(resolve(&tree).unwrap().value, json!({"ok": 1}));
}

#[cfg(unix)]
#[test]
fn symlink_to_outside_rejected_symlink_inside_allowed() {
    let tree = Tree::new(&[
        ("openclaw.json", "{ $include: 'link.json5' }"),
        ("real.json5", "{ real: 1 }"),
    ]);
    let outside = tree.root.parent().unwrap().join("secret.json5");
    fs::write(&outside, "{ secret: 1 }").unwrap();
    std::os::unix::fs::symlink(&outside, tree.root.join("link.json5")).unwrap();
    let (_, _, reason) = include_reason(resolve(&tree));
    assert!(reason.contains("symbolic link"), "{reason}");

    // A symlinked directory pointing outside is caught the same way.
    std::os::unix::fs::symlink(tree.root.parent().unwrap(), tree.root.join("up")).unwrap();
    tree.write("openclaw.json", "{ $include: 'up/secret.json5' }");
    assert!(include_reason(resolve(&tree)).2.contains("symbolic link"));

    fs::remove_file(tree.root.join("link.json5")).unwrap();
    std::os::unix::fs::symlink("real.json5", tree.root.join("link.json5")).unwrap();
    tree.write("openclaw.json", "{ $include: 'link.json5' }");
    assert_eq!(resolve(&tree).unwrap().value, json!({"real": 1}));
}

#[cfg(unix)]
#[test]
fn hardlinked_include_rejected() {
    let tree = Tree::new(&[
        ("openclaw.json", "{ $include: 'inc.json5' }"),
        ("inc.json5", "{ a: 1 }"),
    ]);
    fs::hard_link(tree.root.join("inc.json5"), tree.root.join("other.json5")).unwrap();
    let (_, _, reason) = include_reason(resolve(&tree));
    assert!(reason.contains("hard-linked"), "{reason}");
}

#[test]
fn oversize_and_non_regular_rejected() {
    let tree = Tree::new(&[
        ("openclaw.json", "{ $include: 'big.json5' }"),
        (
            "big.json5",
            "{ a: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }",
        ),
    ]);
    let opts = LoadOptions {
        max_file_bytes: 20,
        ..LoadOptions::default()
    };
    let (_, _, reason) = include_reason(resolve_with(&tree, &opts));
    assert!(
        reason.contains("larger than the limit of 20 bytes"),
        "{reason}"
    );

    fs::create_dir_all(tree.root.join("dir.json5")).unwrap();
    tree.write("openclaw.json", "{ $include: 'dir.json5' }");
    assert!(
        include_reason(resolve(&tree))
            .2
            .contains("not a regular file")
    );
}

#[test]
fn bad_include_values_and_missing_files() {
    for text in [
        "{ $include: 1 }",
        "{ $include: ['a', 2] }",
        "{ $include: { a: 1 } }",
    ] {
        let tree = Tree::new(&[("openclaw.json", text)]);
        assert!(
            include_reason(resolve(&tree))
                .2
                .contains("must be a path string"),
            "{text}"
        );
    }
    let tree = Tree::new(&[("openclaw.json", "{ $include: '' }")]);
    assert!(include_reason(resolve(&tree)).2.contains("empty"));
    let tree = Tree::new(&[("openclaw.json", "{ $include: 'nope.json5' }")]);
    assert!(include_reason(resolve(&tree)).2.contains("does not exist"));
}

#[test]
fn syntax_error_in_include_points_into_it() {
    let tree = Tree::new(&[
        ("openclaw.json", "{ $include: 'bad.json5' }"),
        ("bad.json5", "{\n  a: 1\n  b: 2 }"),
    ]);
    match resolve(&tree) {
        Err(ConfigError::Syntax { origin, .. }) => {
            assert_eq!(
                (origin.file, origin.line, origin.column),
                (tree.root.join("bad.json5"), 2, 7)
            );
        }
        other => panic!("{:?}", other.err()),
    }
}

#[test]
fn normalize_is_lexical() {
    assert_eq!(
        normalize(Path::new("/a/b/../c/./d")),
        PathBuf::from("/a/c/d")
    );
    assert_eq!(normalize(Path::new("/../../x")), PathBuf::from("/x"));
    assert_eq!(normalize(Path::new("a/../../x")), PathBuf::from("../x"));
}

#[test]
fn merged_nesting_is_limited() {
    let deep = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
    // 100 + 100 levels: each file is fine on its own, together they are too deep.
    let main = format!(
        "{{ a: {} }}",
        deep(99).replacen('1', "{ $include: 'd.json5' }", 1)
    );
    let tree = Tree::new(&[("openclaw.json", &main), ("d.json5", &deep(100))]);
    match resolve(&tree) {
        Err(ConfigError::Syntax { origin, message }) => {
            assert_eq!(origin.file, tree.root.join("d.json5"));
            assert!(message.contains("nested more than 128"), "{message}");
        }
        other => panic!("{:?}", other.err()),
    }
    let tree = Tree::new(&[("openclaw.json", &main), ("d.json5", &deep(20))]);
    assert!(resolve(&tree).is_ok());
}
