use super::*;

const LIMITS: PatchLimits = PatchLimits {
    max_input_bytes: 64 * 1024,
    max_file_bytes: 64 * 1024,
};

fn ws() -> (tempfile::TempDir, Workspace) {
    let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let w = Workspace::open(&d.path().join("ws"), d.path()).unwrap_or_else(|e| panic!("{e}"));
    (d, w)
}

fn read(w: &Workspace, p: &str) -> Option<String> {
    std::fs::read_to_string(w.root().join(p)).ok()
}

fn put(w: &Workspace, p: &str, text: &str) {
    w.write(p, text.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn adds_updates_moves_and_deletes() {
    let (_d, w) = ws();
    put(&w, "src/a.rs", "fn main() {\n    println!(\"a\");\n}\n");
    put(&w, "old.txt", "bye\n");
    let patch = "*** Begin Patch\n\
        *** Add File: notes/new.md\n+# New\n+text\n\
        *** Update File: src/a.rs\n*** Move to: src/b.rs\n@@ fn main() {\n-    println!(\"a\");\n+    println!(\"b\");\n\
        *** Delete File: old.txt\n\
        *** End Patch";
    let out = run(&w, Some(patch), LIMITS);
    assert_eq!(
        out.as_deref(),
        Ok("Success. Updated the following files:\nA notes/new.md\nM src/b.rs\nD old.txt")
    );
    assert_eq!(read(&w, "notes/new.md").as_deref(), Some("# New\ntext\n"));
    assert_eq!(
        read(&w, "src/b.rs").as_deref(),
        Some("fn main() {\n    println!(\"b\");\n}\n")
    );
    assert_eq!(read(&w, "src/a.rs"), None);
    assert_eq!(read(&w, "old.txt"), None);
}

#[test]
fn a_failing_hunk_writes_nothing_and_says_where() {
    let (_d, w) = ws();
    put(&w, "a.txt", "one\ntwo\n");
    put(&w, "b.txt", "three\n");
    let patch = "*** Begin Patch\n\
        *** Add File: c.txt\n+new\n\
        *** Update File: a.txt\n@@\n-one\n+ONE\n\
        *** Delete File: b.txt\n\
        *** Update File: a.txt\n@@\n-two\n+TWO\n@@\n-seven\n+SEVEN\n\
        *** End Patch";
    let e = run(&w, Some(patch), LIMITS).err();
    assert_eq!(
        e,
        Some(PatchError::Hunk {
            path: "a.txt".into(),
            hunk: 2,
            message: "expected lines not found:\nseven".into()
        })
    );
    assert!(e.is_some_and(|e| e.nothing_written()));
    assert_eq!(read(&w, "c.txt"), None);
    assert_eq!(read(&w, "a.txt").as_deref(), Some("one\ntwo\n"));
    assert_eq!(read(&w, "b.txt").as_deref(), Some("three\n"));
}

#[test]
fn later_hunks_see_earlier_ones() {
    let (_d, w) = ws();
    let patch = "*** Begin Patch\n\
        *** Add File: x.md\n+a\n+b\n\
        *** Update File: x.md\n@@\n a\n-b\n+c\n\
        *** Update File: x.md\n*** Move to: y.md\n@@\n-a\n+z\n\
        *** End Patch";
    assert!(run(&w, Some(patch), LIMITS).is_ok());
    assert_eq!(read(&w, "x.md"), None);
    assert_eq!(read(&w, "y.md").as_deref(), Some("z\nc\n"));
    let patch =
        "*** Begin Patch\n*** Delete File: y.md\n*** Update File: y.md\n@@\n-z\n+q\n*** End Patch";
    let e = run(&w, Some(patch), LIMITS).err();
    assert!(
        matches!(&e, Some(PatchError::Invalid { path, .. }) if path == "y.md"),
        "{e:?}"
    );
    assert_eq!(read(&w, "y.md").as_deref(), Some("z\nc\n"));
}

#[test]
fn links_out_are_refused_before_anything_is_written() {
    let (d, w) = ws();
    let secret = d.path().join("secret.txt");
    std::fs::write(&secret, "s\n").unwrap_or_else(|e| panic!("{e}"));
    std::fs::hard_link(&secret, w.root().join("hard.txt")).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink(d.path(), w.root().join("out")).unwrap_or_else(|e| panic!("{e}"));
    put(&w, "ok.txt", "fine\n");
    let cases = [
        (
            "*** Update File: hard.txt\n@@\n-s\n+pwned",
            "hard.txt",
            FsError::Hardlinked,
        ),
        ("*** Delete File: hard.txt", "hard.txt", FsError::Hardlinked),
        (
            "*** Add File: out/planted.txt\n+x",
            "out/planted.txt",
            FsError::OutsideWorkspace,
        ),
        (
            "*** Update File: out/secret.txt\n@@\n-s\n+x",
            "out/secret.txt",
            FsError::OutsideWorkspace,
        ),
        (
            "*** Update File: ok.txt\n*** Move to: out/moved.txt\n@@\n-fine\n+x",
            "out/moved.txt",
            FsError::OutsideWorkspace,
        ),
        (
            "*** Update File: ok.txt\n*** Move to: ../moved.txt\n@@\n-fine\n+x",
            "../moved.txt",
            FsError::OutsideWorkspace,
        ),
    ];
    for (body, path, error) in cases {
        // A benign first hunk that must not be written either.
        let patch = format!("*** Begin Patch\n*** Add File: first.txt\n+x\n{body}\n*** End Patch");
        let e = run(&w, Some(&patch), LIMITS).err();
        assert_eq!(
            e,
            Some(PatchError::File {
                path: path.into(),
                error
            }),
            "{body}"
        );
        assert_eq!(read(&w, "first.txt"), None, "{body}");
    }
    assert_eq!(std::fs::read_to_string(&secret).unwrap_or_default(), "s\n");
    assert_eq!(read(&w, "ok.txt").as_deref(), Some("fine\n"));
    assert!(!d.path().join("planted.txt").exists());
    assert!(!d.path().join("moved.txt").exists());
}

#[test]
fn check_paths_blocks_escapes_and_paths_the_guard_did_not_read() {
    let (d, w) = ws();
    let inside = w.root().join("in.txt");
    let outside = d.path().join("x.txt");
    let check = |input: &str| {
        check_paths(&w, &json!({ "input": input })).map(|d| format!("{}/{}", d.guard, d.rule))
    };
    let wrap = |body: &str| format!("*** Begin Patch\n{body}\n*** End Patch");
    for attack in [
        "*** Add File: ../../x".to_string(),
        format!("*** Add File: {}", outside.display()),
        "*** Update File: a.txt\n*** Move to: ../out\n@@\n-a\n+b".into(),
        "*** Delete File: ~/.ssh/id_rsa".into(),
        "*** Add File: @/etc/passwd".into(),
    ] {
        assert_eq!(
            check(&wrap(&attack)).as_deref(),
            Some("workspace/outside-workspace"),
            "{attack}"
        );
    }
    for benign in [
        "*** Add File: notes/x.md\n+x".to_string(),
        format!("*** Add File: {}\n+x", inside.display()),
        "*** Update File: a.txt\n*** Move to: b/../c.txt\n@@\n-a\n+b".into(),
    ] {
        assert_eq!(check(&wrap(&benign)), None, "{benign}");
    }
    // Unparseable: nothing will be written; the tool reports the error.
    assert_eq!(check("garbage"), None);
}

#[test]
fn enablement_follows_apply_patch_config() {
    let cfg = |v: Value| -> Config { serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}")) };
    assert!(
        disabled_reason(&Config::default(), "main").is_some(),
        "off by default"
    );
    let on = cfg(json!({"tools": {"exec": {"applyPatch": {"enabled": true}}}}));
    assert_eq!(disabled_reason(&on, "main"), None);
    // The agent's own block wins whole.
    let agent_off = cfg(json!({
        "tools": {"exec": {"applyPatch": {"enabled": true}}},
        "agents": {"list": [{"id": "main", "tools": {"exec": {"applyPatch": {"enabled": false}}}}]}
    }));
    assert!(disabled_reason(&agent_off, "main").is_some());
    assert_eq!(disabled_reason(&agent_off, "other"), None);
    // allowModels: every model of the chain must be listed.
    let models = |chain: Value, allow: Value| {
        cfg(json!({
            "tools": {"exec": {"applyPatch": {"enabled": true, "allowModels": allow}}},
            "agents": {"defaults": {"model": chain}}
        }))
    };
    let c = models(json!("openai/gpt-5"), json!(["openai/gpt-5"]));
    assert_eq!(disabled_reason(&c, "main"), None);
    let c = models(json!("openai/GPT-5"), json!(["gpt-5"]));
    assert_eq!(disabled_reason(&c, "main"), None);
    let c = models(
        json!({"primary": "openai/gpt-5", "fallbacks": ["anthropic/claude"]}),
        json!(["openai/gpt-5"]),
    );
    assert_eq!(
        disabled_reason(&c, "main").as_deref(),
        Some("model `anthropic/claude` is not in tools.exec.applyPatch.allowModels")
    );
}

#[test]
fn a_move_the_rename_would_refuse_is_caught_before_writing() {
    let (_d, w) = ws();
    put(&w, "real.txt", "r\n");
    std::os::unix::fs::symlink("real.txt", w.root().join("alias.txt"))
        .unwrap_or_else(|e| panic!("{e}"));
    let patch = "*** Begin Patch\n*** Add File: first.txt\n+x\n\
        *** Update File: alias.txt\n*** Move to: moved.txt\n@@\n-r\n+R\n*** End Patch";
    assert_eq!(
        run(&w, Some(patch), LIMITS).err(),
        Some(PatchError::File {
            path: "alias.txt".into(),
            error: FsError::NotRegular
        })
    );
    assert_eq!(read(&w, "first.txt"), None);
    assert_eq!(read(&w, "real.txt").as_deref(), Some("r\n"));
}
