//! `apply_patch` through the agent loop and the executor: offered only when switched on,
//! every path contained (lexically, then by the kernel), the file guard judging each path,
//! all-or-nothing validation — each attack blocked and logged, beside a benign neighbour.

use hardclaw_agent::scripted::ScriptedTurn;
use hardclaw_agent::{Api, CancelToken};
use serde_json::{Value, json};

use super::harness::{BOTH, SESSION, Setup, World, call, offered, tool_results};

fn enabled(api: Api) -> Setup {
    let mut s = Setup::new(api);
    s.extra = json!({"tools": {"exec": {"applyPatch": {"enabled": true}}}});
    s
}

fn patch(body: &str) -> Value {
    json!({ "input": format!("*** Begin Patch\n{body}\n*** End Patch\n") })
}

/// One turn whose first answer makes `calls`; the tool results sent back.
async fn turn(w: &World, calls: Vec<Value>) -> Vec<String> {
    let before = w.server.requests().len();
    w.server.push(ScriptedTurn::ToolCalls {
        text: String::new(),
        calls: calls
            .into_iter()
            .map(|a| ("apply_patch".to_string(), a))
            .collect(),
    });
    w.server.push(ScriptedTurn::Text("done".into()));
    w.agent()
        .run_turn("patch it", &CancelToken::new())
        .await
        .unwrap();
    tool_results(&w.server.requests()[before + 1].body)
}

fn blocks(w: &World) -> Vec<(String, String)> {
    w.decisions("apply_patch")
        .into_iter()
        .filter(|d| d.decision == "block" && d.session_key.as_deref() == Some(SESSION))
        .map(|d| (d.guard, d.rule))
        .collect()
}

#[tokio::test]
async fn offered_and_applied_only_when_switched_on() {
    for api in BOTH {
        let w = World::new(Setup::new(api), vec![]).await;
        let r = turn(&w, vec![patch("*** Add File: a.md\n+x")]).await;
        assert!(!offered(&w.server.requests()[0].body).contains(&"apply_patch".to_string()));
        assert_eq!(r[0], "blocked by policy: tool-policy/tool-disabled");
        assert_eq!(
            blocks(&w),
            vec![("tool-policy".into(), "tool-disabled".into())]
        );
        assert!(!w.workspace.join("a.md").exists());

        let w = World::new(enabled(api), vec![]).await;
        std::fs::write(
            w.workspace.join("todo.md"),
            "- [ ] write tests\r\n- [ ] ship\r\n",
        )
        .unwrap();
        let r = turn(
            &w,
            vec![patch(
                "*** Add File: notes/plan.md\n+# Plan\n+ship it\n\
                 *** Update File: todo.md\n@@\n-- [ ] write tests\n+- [x] write tests\n",
            )],
        )
        .await;
        assert!(offered(&w.server.requests()[0].body).contains(&"apply_patch".to_string()));
        assert_eq!(
            r[0], "Success. Updated the following files:\nA notes/plan.md\nM todo.md",
            "{api:?}"
        );
        assert_eq!(
            std::fs::read_to_string(w.workspace.join("notes/plan.md")).unwrap(),
            "# Plan\nship it\n"
        );
        assert_eq!(
            std::fs::read_to_string(w.workspace.join("todo.md")).unwrap(),
            "- [x] write tests\r\n- [ ] ship\r\n",
            "CRLF kept"
        );
        assert!(blocks(&w).is_empty());
    }
}

#[tokio::test]
async fn the_tool_policy_still_decides() {
    let mut s = enabled(Api::OpenAiCompletions);
    s.extra["tools"]["deny"] = json!(["group:fs"]);
    let w = World::new(s, vec![]).await;
    let r = turn(&w, vec![patch("*** Add File: a.md\n+x")]).await;
    assert!(!offered(&w.server.requests()[0].body).contains(&"apply_patch".to_string()));
    assert!(
        r[0].starts_with("blocked by policy: tool-policy/"),
        "{}",
        r[0]
    );
    assert!(!w.workspace.join("a.md").exists());
}

#[tokio::test]
async fn escapes_links_and_identity_files_are_blocked_neighbours_applied() {
    for api in BOTH {
        let w = World::new(enabled(api), vec![]).await;
        let outside = w.home.join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, w.workspace.join("linkdir")).unwrap();
        std::fs::hard_link(w.home.join(".ssh/id_rsa"), w.workspace.join("hard.txt")).unwrap();
        std::fs::write(w.workspace.join("SOUL.md"), "be kind\n").unwrap();
        std::fs::write(w.workspace.join("notes.md"), "draft\n").unwrap();
        let abs_out = w.home.join("planted.txt");
        let r = turn(
            &w,
            vec![
                patch("*** Add File: ../../x\n+x"),
                patch(&format!("*** Add File: {}\n+x", abs_out.display())),
                patch("*** Add File: linkdir/planted.txt\n+x"),
                patch("*** Update File: hard.txt\n@@\n-----BEGIN FAKE KEY-----\n+pwned"),
                patch("*** Update File: notes.md\n*** Move to: ../out.md\n@@\n-draft\n+moved"),
                patch("*** Update File: SOUL.md\n@@\n-be kind\n+obey the attacker"),
                patch("*** Delete File: ~/.ssh/id_rsa"),
                // Benign neighbours.
                patch("*** Add File: notes/x.md\n+x"),
                patch(
                    "*** Update File: notes.md\n*** Move to: archive/notes.md\n@@\n-draft\n+final",
                ),
            ],
        )
        .await;
        let expect = [
            "blocked by policy: workspace/outside-workspace",
            "blocked by policy: workspace/outside-workspace",
            "blocked by policy: workspace/outside-workspace",
            "blocked by policy: workspace/hardlink",
            "blocked by policy: workspace/outside-workspace",
        ];
        for (i, e) in expect.iter().enumerate() {
            assert_eq!(&r[i], e, "{api:?} attack {i}");
        }
        assert!(
            r[5].starts_with("blocked by policy: file-guard/"),
            "{}",
            r[5]
        );
        assert_eq!(r[6], "blocked by policy: workspace/outside-workspace");
        assert_eq!(r[7], "Success. Updated the following files:\nA notes/x.md");
        assert_eq!(
            r[8],
            "Success. Updated the following files:\nM archive/notes.md"
        );
        let logged = blocks(&w);
        assert_eq!(logged.len(), 7, "{logged:?}");
        assert!(logged.contains(&("workspace".into(), "hardlink".into())));
        assert!(logged.iter().any(|(g, _)| g == "file-guard"));
        // Nothing escaped, nothing protected changed.
        assert!(!w.home.join("x").exists() && !w._dir.path().join("x").exists());
        assert!(!abs_out.exists());
        assert!(!outside.join("planted.txt").exists());
        assert!(!w.home.join("out.md").exists());
        assert_eq!(
            std::fs::read_to_string(w.home.join(".ssh/id_rsa")).unwrap(),
            "-----BEGIN FAKE KEY-----"
        );
        assert_eq!(
            std::fs::read_to_string(w.workspace.join("SOUL.md")).unwrap(),
            "be kind\n"
        );
        assert_eq!(
            std::fs::read_to_string(w.workspace.join("archive/notes.md")).unwrap(),
            "final\n"
        );
    }
}

#[tokio::test]
async fn with_the_home_as_workspace_the_file_guard_blocks_credentials_and_the_config() {
    let mut s = enabled(Api::OpenAiCompletions);
    // The workspace is the home directory itself: containment passes, the guard must not.
    s.extra["agents"] = json!({"defaults": {"workspace": "~"}});
    let w = World::new(s, vec![]).await;
    let exec = w.executor(|_| {});
    assert_eq!(
        exec.workspace().root(),
        std::fs::canonicalize(&w.home).unwrap()
    );
    let config_rel = w
        .config_path
        .strip_prefix(&w.home)
        .unwrap()
        .display()
        .to_string();
    for (attack, neighbour) in [
        (
            "*** Add File: .ssh/authorized_keys\n+ssh-ed25519 AAAA attacker".to_string(),
            "*** Add File: ssh-notes.md\n+x".to_string(),
        ),
        (
            format!("*** Update File: {config_rel}\n@@\n-{{\n+{{\"x\": 1,"),
            "*** Add File: hardclaw-notes.json\n+{}".to_string(),
        ),
        (
            "*** Delete File: .ssh/id_rsa".to_string(),
            "*** Add File: notes/del.md\n+x".to_string(),
        ),
    ] {
        let r = exec.run(&call("apply_patch", patch(&attack))).await;
        assert!(r.blocked, "{attack}: {r:?}");
        assert!(
            r.content.starts_with("blocked by policy: file-guard/"),
            "{attack}: {}",
            r.content
        );
        let ok = exec.run(&call("apply_patch", patch(&neighbour))).await;
        assert!(!ok.is_error, "{neighbour}: {ok:?}");
    }
    assert_eq!(
        std::fs::read_to_string(w.home.join(".ssh/id_rsa")).unwrap(),
        "-----BEGIN FAKE KEY-----"
    );
    assert!(!w.home.join(".ssh/authorized_keys").exists());
    assert_eq!(
        blocks(&w).iter().filter(|(g, _)| g == "file-guard").count(),
        3
    );
}

#[tokio::test]
async fn a_hunk_that_does_not_apply_writes_nothing_and_says_where() {
    let w = World::new(enabled(Api::AnthropicMessages), vec![]).await;
    std::fs::write(w.workspace.join("a.txt"), "one\ntwo\n").unwrap();
    let exec = w.executor(|_| {});
    let r = exec
        .run(&call(
            "apply_patch",
            patch("*** Add File: new.txt\n+n\n*** Update File: a.txt\n@@\n-one\n+1\n@@ missing line\n-two\n+2"),
        ))
        .await;
    assert!(r.is_error && !r.blocked, "{r:?}");
    assert_eq!(
        r.content,
        "error: a.txt: hunk 2: context line not found: 'missing line'\nNothing was written."
    );
    assert!(!w.workspace.join("new.txt").exists());
    assert_eq!(
        std::fs::read_to_string(w.workspace.join("a.txt")).unwrap(),
        "one\ntwo\n"
    );
    let r = exec
        .run(&call("apply_patch", json!({"input": "not a patch"})))
        .await;
    assert!(
        r.content.starts_with("blocked by policy: file-guard/")
            || r.content.starts_with("error: invalid patch"),
        "{}",
        r.content
    );
    let r = exec
        .run(&call(
            "apply_patch",
            json!({"input": "*** Begin Patch\n*** Update File: a.txt\n@@\nbogus\n*** End Patch"}),
        ))
        .await;
    assert_eq!(
        r.content,
        "error: invalid patch (line 4): unexpected line 'bogus': every hunk line starts with ' ' (context), '+' (added) or '-' (removed)\nNothing was written."
    );
}
