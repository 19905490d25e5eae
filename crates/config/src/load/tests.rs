//! End-to-end tests of the loader. The schema is still empty (`{}` is the only valid document),
//! so documents with keys are checked with [`load_document`] (every stage but the schema).

use std::fs;

use serde_json::json;

use super::*;

fn env(pairs: &[(&str, &str)]) -> EnvMap {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn opts_with(pairs: &[(&str, &str)]) -> LoadOptions {
    LoadOptions {
        env: env(pairs),
        ..LoadOptions::default()
    }
}

fn doc(text: &str, opts: &LoadOptions) -> Result<Document, ConfigError> {
    load_document(text, Path::new("/nonexistent/openclaw.json"), opts)
}

#[test]
fn missing_file_gives_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openclaw.json");
    let loaded = load(&path, &LoadOptions::default()).unwrap();
    assert!(!loaded.exists);
    assert_eq!(loaded.raw, json!({}));
    assert_eq!(loaded.resolved, json!({}));
    assert!(loaded.includes.is_empty() && loaded.origins.is_empty());
    assert_eq!(loaded.path, path);
}

#[test]
fn empty_object_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openclaw.json");
    fs::write(&path, "// hardclaw\n{\n}\n").unwrap();
    let loaded = load(&path, &LoadOptions::default()).unwrap();
    assert!(loaded.exists);
    assert_eq!(loaded.raw, json!({}));
    assert!(loaded.ensure_no_duplicates().is_ok());
}

#[test]
fn empty_file_and_non_object_root_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openclaw.json");
    fs::write(&path, "").unwrap();
    match load(&path, &LoadOptions::default()) {
        Err(ConfigError::Syntax { message, origin }) => {
            assert!(message.contains("empty"), "{message}");
            assert_eq!((origin.line, origin.column), (1, 1));
        }
        other => panic!("{other:?}"),
    }
    fs::write(&path, "\n  [1, 2]").unwrap();
    match load(&path, &LoadOptions::default()) {
        Err(ConfigError::Syntax { message, origin }) => {
            assert!(message.contains("must be an object"), "{message}");
            assert_eq!((origin.line, origin.column), (2, 3));
        }
        other => panic!("{other:?}"),
    }
    // An include that turns the root into an array is caught too.
    fs::write(dir.path().join("list.json5"), "[1]").unwrap();
    fs::write(&path, "{ $include: 'list.json5' }").unwrap();
    assert!(matches!(
        load(&path, &LoadOptions::default()),
        Err(ConfigError::Syntax { .. })
    ));
}

#[test]
fn unreadable_and_oversize_main_file_are_io_errors() {
    let dir = tempfile::tempdir().unwrap();
    match load(dir.path(), &LoadOptions::default()) {
        Err(ConfigError::Io { path, source, .. }) => {
            assert_eq!(path, dir.path());
            assert!(
                source.to_string().contains("not a regular file"),
                "{source}"
            );
        }
        other => panic!("{other:?}"),
    }
    let path = dir.path().join("openclaw.json");
    fs::write(&path, "{                         }").unwrap();
    let opts = LoadOptions {
        max_file_bytes: 10,
        ..LoadOptions::default()
    };
    match load(&path, &opts) {
        Err(ConfigError::Io { source, .. }) => {
            assert!(source.to_string().contains("larger than"), "{source}")
        }
        other => panic!("{other:?}"),
    }
    fs::write(&path, [b'{', 0xff, b'}']).unwrap();
    assert!(matches!(
        load(&path, &LoadOptions::default()),
        Err(ConfigError::Io { .. })
    ));
}

#[test]
fn schema_errors_are_located() {
    let text = "{\n  gateway: {\n    auth: { mode: 'tokn' },\n  },\n  channels: { whatsapp: {\n      requireMention: true } },\n}";
    let err = load_str(text, Path::new("/x/openclaw.json"), &LoadOptions::default()).unwrap_err();
    match err {
        ConfigError::Schema {
            origin,
            json_path,
            suggestion,
            ..
        } => {
            assert_eq!(json_path, "gateway.auth.mode");
            assert_eq!((origin.line, origin.column), (3, 13));
            assert_eq!(origin.file, Path::new("/x/openclaw.json"));
            assert_eq!(suggestion.as_deref(), Some("did you mean `token`?"));
        }
        other => panic!("{other:?}"),
    }
    let text = "{\n  channels: { whatsapp: {\n      requireMention: true } },\n}";
    let err = load_str(text, Path::new("/x/openclaw.json"), &LoadOptions::default()).unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.starts_with(
            "/x/openclaw.json:3:7: channels.whatsapp.requireMention: unknown key `requireMention`"
        ),
        "{shown}"
    );
}

#[test]
fn origin_lookup_falls_back_to_ancestors_then_file_start() {
    let d = doc(
        "{\n  gateway: {\n    auth: { mode: 'x' },\n  },\n  list: [\n    { a: 1 },\n  ],\n}",
        &LoadOptions::default(),
    )
    .unwrap();
    let main = Path::new("/nonexistent/openclaw.json");
    let at = |p: &str| {
        let o = locate(&d.origins, main, p);
        (o.line, o.column)
    };
    assert_eq!(at("gateway.auth.mode"), (3, 13));
    assert_eq!(at("gateway.auth.token"), (3, 5));
    assert_eq!(at("gateway.nope.deeper"), (2, 3));
    assert_eq!(at("list[0].b"), (6, 5));
    assert_eq!(at("list[3]"), (5, 3));
    assert_eq!(at("other"), (1, 1));
    assert_eq!(at(""), (1, 1));
    let loaded = LoadedConfig {
        path: main.to_path_buf(),
        exists: true,
        config: Config::default(),
        raw: d.raw,
        resolved: d.resolved,
        includes: d.includes,
        origins: d.origins,
        duplicate_keys: d.duplicate_keys,
        env_refs: d.env_refs,
    };
    assert_eq!(loaded.origin("gateway.auth.x").line, 3);
    assert_eq!(loaded.origin("zzz").file, main);
}

#[test]
fn duplicates_are_collected_not_fatal() {
    let d = doc(
        "{\n  a: 1,\n  a: 2,\n  b: { c: 1, c: 2 },\n}",
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(d.raw, json!({"a": 2, "b": {"c": 2}}));
    assert_eq!(d.duplicate_keys.len(), 2);
    let loaded = LoadedConfig {
        path: PathBuf::from("/nonexistent/openclaw.json"),
        exists: true,
        config: Config::default(),
        raw: d.raw,
        resolved: d.resolved,
        includes: d.includes,
        origins: d.origins,
        duplicate_keys: d.duplicate_keys,
        env_refs: d.env_refs,
    };
    match loaded.ensure_no_duplicates() {
        Err(ConfigError::DuplicateKey {
            origin,
            json_path,
            key,
            first_line,
        }) => {
            assert_eq!((origin.line, origin.column), (3, 3));
            assert_eq!(
                (json_path.as_str(), key.as_str(), first_line),
                ("a", "a", 2)
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn env_substitution_end_to_end() {
    let opts = opts_with(&[("BASE", "https://api"), ("TOKEN", "t0k")]);
    let text = r#"{
  "${BASE}": "key not substituted",
  url: "${BASE}/v1",
  escaped: "$${TOKEN}",
  lower: "${foo}",
  dollar: "$HOME and $",
  list: ["${TOKEN}", 1],
}"#;
    let d = doc(text, &opts).unwrap();
    assert_eq!(
        d.resolved,
        json!({
            "${BASE}": "key not substituted",
            "url": "https://api/v1",
            "escaped": "${TOKEN}",
            "lower": "${foo}",
            "dollar": "$HOME and $",
            "list": ["t0k", 1],
        })
    );
    assert_eq!(d.raw["url"], "${BASE}/v1");
    assert_eq!(d.raw["escaped"], "$${TOKEN}");
    let refs: Vec<_> = d
        .env_refs
        .iter()
        .map(|r| (r.json_path.as_str(), r.var.as_str()))
        .collect();
    assert_eq!(refs, [("url", "BASE"), ("list[0]", "TOKEN")]);
}

#[test]
fn missing_and_empty_variables_name_var_and_path() {
    let opts = opts_with(&[("EMPTY", "")]);
    let text = "{\n  a: {\n    b: 'x ${NOPE} y',\n  },\n}";
    match doc(text, &opts) {
        Err(err @ ConfigError::MissingEnv { .. }) => {
            let shown = err.to_string();
            let ConfigError::MissingEnv {
                origin,
                json_path,
                var,
                state,
            } = err
            else {
                unreachable!()
            };
            assert_eq!((origin.line, origin.column), (3, 5));
            assert_eq!(
                (json_path.as_str(), var.as_str(), state),
                ("a.b", "NOPE", "not set")
            );
            assert!(shown.contains("NOPE") && shown.contains("a.b"), "{shown}");
        }
        other => panic!("{other:?}"),
    }
    match doc("{ l: ['ok', '${EMPTY}'] }", &opts) {
        Err(ConfigError::MissingEnv {
            json_path,
            var,
            state,
            origin,
        }) => {
            assert_eq!(
                (json_path.as_str(), var.as_str(), state),
                ("l[1]", "EMPTY", "empty")
            );
            assert_eq!((origin.line, origin.column), (1, 13));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn config_env_block_supplies_variables_without_overriding() {
    let opts = opts_with(&[("OUTER", "from-process")]);
    let text = r#"{
  env: {
    vars: { FROM_VARS: "v", OUTER: "from-config" },
    TOP_LEVEL: "t",
    shellEnv: { enabled: false },
  },
  a: "${FROM_VARS}-${TOP_LEVEL}-${OUTER}",
}"#;
    let d = doc(text, &opts).unwrap();
    assert_eq!(d.resolved["a"], "v-t-from-process");
}

#[test]
fn leave_unresolved_mode_neither_substitutes_nor_fails() {
    let opts = LoadOptions {
        env_mode: EnvMode::LeaveUnresolved,
        ..opts_with(&[("SET", "x")])
    };
    let d = doc("{ a: '${SET}', b: '${MISSING}' }", &opts).unwrap();
    assert_eq!(d.resolved, d.raw);
    assert_eq!(d.raw, json!({"a": "${SET}", "b": "${MISSING}"}));
    assert_eq!(d.env_refs.len(), 2);
    // `{}` loads fully in this mode too.
    let loaded = load_str("{}", Path::new("/x/openclaw.json"), &opts).unwrap();
    assert_eq!(loaded.resolved, json!({}));
}

#[test]
fn substitution_happens_after_includes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("inc.json5"), "{\n  token: '${TOKEN}',\n}").unwrap();
    let main = root.join("openclaw.json");
    let text = "{ auth: { $include: 'inc.json5' } }";
    let d = load_document(text, &main, &opts_with(&[("TOKEN", "s3cret")])).unwrap();
    assert_eq!(d.resolved, json!({"auth": {"token": "s3cret"}}));
    assert_eq!(
        d.includes,
        [std::path::absolute(root.join("inc.json5")).unwrap()]
    );
    match load_document(text, &main, &LoadOptions::default()) {
        Err(ConfigError::MissingEnv {
            origin, json_path, ..
        }) => {
            // The error points into the include file, with the merged path.
            assert_eq!(json_path, "auth.token");
            assert_eq!(
                origin.file,
                std::path::absolute(root.join("inc.json5")).unwrap()
            );
            assert_eq!((origin.line, origin.column), (2, 3));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bypass_loaded_config_debug_prints_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openclaw.json");
    fs::write(
        &path,
        r#"{ gateway: { auth: { token: "SECRET-gateway-token-123" } }, env: { OPENAI_API_KEY: "sk-SECRETkey" } }"#,
    )
    .unwrap();
    let loaded = load(&path, &LoadOptions::default()).unwrap();
    let text = format!("{loaded:?}");
    assert!(!text.contains("SECRET"), "{text}");
    assert!(text.contains("top-level keys"), "{text}");
}
