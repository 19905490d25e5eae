use super::*;

fn ws() -> (tempfile::TempDir, Workspace) {
    let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let w = Workspace::open(&d.path().join("ws"), d.path()).unwrap_or_else(|e| panic!("{e}"));
    (d, w)
}

fn put(w: &Workspace, p: &str, text: &str) {
    w.write(p, text.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
}

fn json_of(s: Result<String, MemoryError>) -> Value {
    serde_json::from_str(&s.unwrap_or_else(|e| panic!("{e}"))).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn memory_paths() {
    for yes in [
        "MEMORY.md",
        "memory.md",
        "memory/a.md",
        "memory/2024/05/x.md",
    ] {
        assert!(is_memory_path(Path::new(yes)), "{yes}");
    }
    for no in [
        "memory",
        "memory/a.txt",
        "notes/memory.md",
        "SOUL.md",
        "Memory/a.md",
        "MEMORY.md.bak",
    ] {
        assert!(!is_memory_path(Path::new(no)), "{no}");
    }
}

#[test]
fn search_ranks_and_reports_lines() {
    let (_d, w) = ws();
    put(
        &w,
        "MEMORY.md",
        "# Long-term memory\n\nThe user prefers tea over coffee.\n",
    );
    put(
        &w,
        "memory/2024-05-01.md",
        "Standup notes.\n\nDecided: migrate billing to Postgres 16.\nPostgres runs on db2.\n",
    );
    put(&w, "memory/deep/old.md", "Coffee machine broke.\n");
    put(
        &w,
        "notes/postgres.md",
        "Not memory: postgres postgres postgres.\n",
    );
    let v = json_of(search(
        &w,
        &json!({"query": "postgres migration"}),
        &MemoryLimits::default(),
    ));
    let results = v["results"].as_array().cloned().unwrap_or_default();
    assert_eq!(results.len(), 1, "{v}");
    assert_eq!(results[0]["path"], "memory/2024-05-01.md");
    assert_eq!(results[0]["startLine"], 1);
    assert_eq!(results[0]["endLine"], 4);
    assert!(
        results[0]["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("Postgres 16"))
    );
    let v = json_of(search(
        &w,
        &json!({"query": "coffee", "maxResults": 5}),
        &MemoryLimits::default(),
    ));
    let paths: Vec<&str> = v["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["path"].as_str())
        .collect();
    assert_eq!(paths.len(), 2, "{v}");
    assert!(paths.contains(&"MEMORY.md") && paths.contains(&"memory/deep/old.md"));
    assert!(v.get("skipped").is_none(), "{v}");
    assert!(matches!(
        search(&w, &json!({"query": "  "}), &MemoryLimits::default()),
        Err(MemoryError::Input(_))
    ));
    assert!(matches!(
        search(
            &w,
            &json!({"query": "the and of"}),
            &MemoryLimits::default()
        ),
        Err(MemoryError::Input(_))
    ));
}

#[test]
fn search_skips_links_and_oversized_files_and_says_so() {
    let (d, w) = ws();
    std::fs::write(d.path().join("secret.md"), "password hunter2\n")
        .unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink(d.path().join("secret.md"), w.root().join("MEMORY.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    put(&w, "memory/big.md", &"password ".repeat(200));
    put(&w, "memory/ok.md", "the wifi password is on the fridge\n");
    std::fs::hard_link(d.path().join("secret.md"), w.root().join("memory/hard.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink(d.path().join("secret.md"), w.root().join("memory/link.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    let limits = MemoryLimits {
        max_file_bytes: 1000,
        ..MemoryLimits::default()
    };
    let v = json_of(search(&w, &json!({"query": "password"}), &limits));
    let text = v.to_string();
    assert!(!text.contains("hunter2"), "{text}");
    assert_eq!(v["results"][0]["path"], "memory/ok.md");
    assert_eq!(v["results"].as_array().map(Vec::len), Some(1));
    let skipped: Vec<(String, String)> = v["skipped"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            (
                s["path"].as_str().unwrap_or("").to_string(),
                s["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        skipped,
        vec![
            ("MEMORY.md".into(), "symlinks are refused here".into()),
            (
                "memory/big.md".into(),
                "file is larger than 1000 bytes".into()
            ),
            (
                "memory/hard.md".into(),
                "hardlinked files are refused".into()
            ),
        ],
        "the symlink inside memory/ is not even listed"
    );
}

#[test]
fn get_reads_ranges_of_memory_files_only() {
    let (d, w) = ws();
    put(&w, "memory/log.md", "l1\nl2\nl3\nl4\n");
    let v = json_of(get(
        &w,
        &json!({"path": "memory/log.md", "from": 2, "lines": 2}),
        &MemoryLimits::default(),
    ));
    assert_eq!(
        v,
        json!({"path": "memory/log.md", "startLine": 2, "endLine": 3, "totalLines": 4, "text": "l2\nl3\n"})
    );
    let v = json_of(get(
        &w,
        &json!({"path": "memory/log.md"}),
        &MemoryLimits::default(),
    ));
    assert_eq!(v["text"], "l1\nl2\nl3\nl4\n");
    let small = MemoryLimits {
        max_get_bytes: 7,
        ..MemoryLimits::default()
    };
    let v = json_of(get(&w, &json!({"path": "memory/log.md"}), &small));
    assert_eq!(
        (v["text"].clone(), v["truncated"].clone()),
        (json!("l1\nl2\n"), json!(true))
    );
    for bad in ["SOUL.md", "memory/log.txt", "../memory/x.md", "memory"] {
        assert!(
            matches!(
                get(&w, &json!({"path": bad}), &MemoryLimits::default()),
                Err(MemoryError::Input(_))
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        get(
            &w,
            &json!({"path": "memory/log.md", "from": 0}),
            &MemoryLimits::default()
        ),
        Err(MemoryError::Input(_))
    ));
    std::fs::write(d.path().join("s.md"), "secret\n").unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink(d.path(), w.root().join("memory/out"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        get(
            &w,
            &json!({"path": "memory/out/s.md"}),
            &MemoryLimits::default()
        ),
        Err(MemoryError::File {
            path: "memory/out/s.md".into(),
            error: FsError::Symlink
        })
    );
}

#[test]
fn check_get_blocks_outside_and_non_memory_paths() {
    let (_d, w) = ws();
    let rule =
        |p: &str| check_get(&w, &json!({ "path": p })).map(|d| format!("{}/{}", d.guard, d.rule));
    assert_eq!(rule("memory/a.md"), None);
    assert_eq!(rule("MEMORY.md"), None);
    assert_eq!(
        rule("../MEMORY.md").as_deref(),
        Some("workspace/outside-workspace")
    );
    assert_eq!(
        rule("~/.ssh/id_rsa").as_deref(),
        Some("workspace/outside-workspace")
    );
    assert_eq!(rule("SOUL.md").as_deref(), Some("memory/not-a-memory-file"));
    assert_eq!(
        rule("memory/../SOUL.md").as_deref(),
        Some("memory/not-a-memory-file")
    );
}
