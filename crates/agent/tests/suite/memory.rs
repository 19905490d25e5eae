//! `memory_search` / `memory_get` through the agent loop (both wire formats) and the executor:
//! ranking over real files, memory-only paths, symlinks and hardlinks out refused and logged.

use hardclaw_agent::scripted::ScriptedTurn;
use hardclaw_agent::{Api, CancelToken};
use serde_json::{Value, json};

use super::harness::{BOTH, Setup, World, call, offered, tool_results};

fn seed(w: &World) {
    let ws = &w.workspace;
    std::fs::create_dir_all(ws.join("memory/2024")).unwrap();
    std::fs::write(
        ws.join("MEMORY.md"),
        "# Memory\n\nThe user is called Ada. She prefers green tea.\n",
    )
    .unwrap();
    std::fs::write(
        ws.join("memory/2024/05-01.md"),
        "Standup.\n\nDecision: the billing service moves to Postgres 16 in June.\nOwner: Grace.\n",
    )
    .unwrap();
    std::fs::write(
        ws.join("memory/2024/05-02.md"),
        "Lunch: tea with the team.\n",
    )
    .unwrap();
    std::fs::write(
        ws.join("notes.md"),
        "Postgres postgres postgres billing billing.\n",
    )
    .unwrap();
}

#[tokio::test]
async fn search_then_get_in_a_turn_ranks_the_right_file() {
    for api in BOTH {
        let w = World::new(Setup::new(api), vec![]).await;
        seed(&w);
        w.server.push(ScriptedTurn::tool(
            "memory_search",
            json!({"query": "billing postgres decision", "maxResults": 3}),
        ));
        w.server.push(ScriptedTurn::tool(
            "memory_get",
            json!({"path": "memory/2024/05-01.md", "from": 3, "lines": 1}),
        ));
        w.server.push(ScriptedTurn::Text("June.".into()));
        let out = w
            .agent()
            .run_turn("when do we move billing?", &CancelToken::new())
            .await
            .unwrap();
        assert_eq!(out.reply, "June.");
        let reqs = w.server.requests();
        let names = offered(&reqs[0].body);
        assert!(
            names.contains(&"memory_search".to_string())
                && names.contains(&"memory_get".to_string())
        );
        let found: Value = serde_json::from_str(&tool_results(&reqs[1].body)[0]).unwrap();
        let results = found["results"].as_array().unwrap();
        assert_eq!(
            results[0]["path"], "memory/2024/05-01.md",
            "{api:?}: {found}"
        );
        assert_eq!(
            (
                results[0]["startLine"].clone(),
                results[0]["endLine"].clone()
            ),
            (json!(1), json!(4))
        );
        assert!(
            results.iter().all(|r| r["path"] != "notes.md"),
            "not a memory file: {found}"
        );
        assert!(
            results
                .iter()
                .all(|r| r["score"].as_f64().is_some_and(|s| s > 0.0 && s <= 1.0))
        );
        let got: Value = serde_json::from_str(&tool_results(&reqs[2].body)[1]).unwrap();
        assert_eq!(
            got["text"],
            "Decision: the billing service moves to Postgres 16 in June.\n"
        );
        assert_eq!(got["startLine"], 3);
    }
}

#[tokio::test]
async fn the_tool_policy_decides() {
    let mut s = Setup::new(Api::AnthropicMessages);
    s.extra = json!({"tools": {"deny": ["group:memory"]}});
    let w = World::new(s, vec![]).await;
    seed(&w);
    w.server
        .push(ScriptedTurn::tool("memory_search", json!({"query": "tea"})));
    w.server.push(ScriptedTurn::Text("ok".into()));
    w.agent()
        .run_turn("tea?", &CancelToken::new())
        .await
        .unwrap();
    let reqs = w.server.requests();
    assert!(
        !offered(&reqs[0].body)
            .iter()
            .any(|n| n.starts_with("memory_"))
    );
    assert!(offered(&reqs[0].body).contains(&"read".to_string()));
    let r = &tool_results(&reqs[1].body)[0];
    assert!(r.starts_with("blocked by policy: tool-policy/"), "{r}");
    assert!(!r.contains("tea"));
    assert_eq!(w.decisions("memory_search")[0].decision, "block");
}

#[tokio::test]
async fn memory_get_refuses_other_files_escapes_and_links() {
    let w = World::new(Setup::new(Api::OpenAiCompletions), vec![]).await;
    seed(&w);
    std::fs::write(w.workspace.join("SOUL.md"), "soul").unwrap();
    std::os::unix::fs::symlink(
        w.home.join(".ssh/id_rsa"),
        w.workspace.join("memory/key.md"),
    )
    .unwrap();
    std::os::unix::fs::symlink(w.home.join(".ssh"), w.workspace.join("memory/ssh")).unwrap();
    std::fs::hard_link(
        w.home.join(".ssh/id_rsa"),
        w.workspace.join("memory/hard.md"),
    )
    .unwrap();
    let exec = w.executor(|_| {});
    let cases = [
        ("SOUL.md", "memory/not-a-memory-file"),
        ("notes.md", "memory/not-a-memory-file"),
        ("memory/../SOUL.md", "memory/not-a-memory-file"),
        ("../.ssh/id_rsa", "workspace/outside-workspace"),
        ("~/.ssh/id_rsa", "workspace/outside-workspace"),
        ("memory/key.md", "workspace/symlink"),
        ("memory/ssh/id_rsa.md", "workspace/symlink"),
        ("memory/hard.md", "workspace/hardlink"),
    ];
    for (path, rule) in cases {
        let r = exec.run(&call("memory_get", json!({ "path": path }))).await;
        assert_eq!(r.content, format!("blocked by policy: {rule}"), "{path}");
        assert!(r.blocked);
    }
    let logged: Vec<String> = w
        .decisions("memory_get")
        .into_iter()
        .filter(|d| d.decision == "block")
        .map(|d| format!("{}/{}", d.guard, d.rule))
        .collect();
    assert_eq!(
        logged,
        cases.iter().map(|(_, r)| r.to_string()).collect::<Vec<_>>()
    );
    // Neighbours.
    let r = exec
        .run(&call("memory_get", json!({"path": "MEMORY.md"})))
        .await;
    assert!(!r.is_error && r.content.contains("green tea"), "{r:?}");
    let r = exec
        .run(&call("memory_search", json!({"query": "fake key begin"})))
        .await;
    assert!(!r.is_error, "{r:?}");
    assert!(!r.content.contains("FAKE KEY"), "{}", r.content);
    let v: Value = serde_json::from_str(&r.content).unwrap();
    assert_eq!(v["results"], json!([]));
    assert_eq!(
        v["skipped"],
        json!([{"path": "memory/hard.md", "reason": "hardlinked files are refused"}]),
        "the symlinks are not even listed"
    );
}
