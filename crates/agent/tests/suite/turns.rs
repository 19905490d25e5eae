//! The loop: tool results fed back, the tool-round limit, cancellation, trimming, the
//! system prompt from the workspace.

use std::sync::Arc;

use hardclaw_agent::scripted::ScriptedTurn;
use hardclaw_agent::{
    AgentError, AgentSettings, Api, CancelToken, ExecBackend, ExecError, ExecOutput, ExecRequest,
};
use serde_json::json;

use super::harness::{BOTH, Setup, World, tool_results};

#[tokio::test]
async fn tool_call_runs_and_its_result_is_sent_back() {
    for api in BOTH {
        let w = World::new(
            Setup::new(api),
            vec![
                ScriptedTurn::tool("read", json!({"path": "notes.txt"})),
                ScriptedTurn::Text("the note says hi".into()),
            ],
        )
        .await;
        std::fs::write(w.workspace.join("notes.txt"), "NOTE-CONTENT-42").unwrap();
        let out = w
            .agent()
            .run_turn("read my note", &CancelToken::new())
            .await
            .unwrap();
        assert_eq!(out.reply, "the note says hi");
        assert_eq!(out.tool_rounds, 1);
        assert_eq!(out.usage.input_tokens, 22, "usage summed over both calls");
        let reqs = w.server.requests();
        assert_eq!(reqs.len(), 2);
        assert_eq!(tool_results(&reqs[1].body), ["NOTE-CONTENT-42"], "{api:?}");
        let tools: Vec<String> = match api {
            Api::OpenAiCompletions => reqs[0].body["tools"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["function"]["name"].as_str().unwrap().to_string())
                .collect(),
            Api::AnthropicMessages => reqs[0].body["tools"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["name"].as_str().unwrap().to_string())
                .collect(),
        };
        assert!(tools.contains(&"read".to_string()), "{tools:?}");
        let roles: Vec<String> = {
            let s = w.store.lock().unwrap();
            s.history(super::harness::SESSION, 10)
                .unwrap()
                .into_iter()
                .map(|m| m.role)
                .collect()
        };
        assert_eq!(roles, ["user", "assistant", "tool", "assistant"]);
        let allowed = w.decisions("read");
        assert_eq!(allowed.len(), 1);
        assert_eq!(allowed[0].decision, "allow");
    }
}

#[tokio::test]
async fn max_tool_rounds_stops_the_turn() {
    for api in BOTH {
        let turns = (0..5)
            .map(|_| ScriptedTurn::tool("read", json!({"path": "x.txt"})))
            .collect();
        let w = World::new(Setup::new(api), turns).await;
        let settings = AgentSettings {
            max_tool_rounds: 2,
            ..AgentSettings::default()
        };
        let agent = w.agent_with(w.provider_settings(), settings, |_| {});
        let err = agent
            .run_turn("loop", &CancelToken::new())
            .await
            .unwrap_err();
        assert!(
            matches!(err, AgentError::MaxToolRounds { limit: 2 }),
            "{err}"
        );
        assert_eq!(
            w.server.requests().len(),
            3,
            "two rounds, then the third call is refused"
        );
    }
}

/// A backend that cancels the turn while "running" a command.
#[derive(Debug)]
struct CancellingBackend(CancelToken);

impl ExecBackend for CancellingBackend {
    fn run(
        &self,
        _req: ExecRequest,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<ExecOutput, ExecError>> + Send + '_>,
    > {
        self.0.cancel();
        Box::pin(async {
            Ok(ExecOutput {
                code: Some(0),
                stdout: "ok".into(),
                stderr: String::new(),
                timed_out: false,
                truncated: false,
            })
        })
    }
}

#[tokio::test]
async fn cancellation_stops_between_steps() {
    for api in BOTH {
        let mut setup = Setup::new(api);
        setup.sandbox = "all";
        let w = World::new(
            setup,
            vec![
                ScriptedTurn::ToolCalls {
                    text: String::new(),
                    calls: vec![
                        ("exec".into(), json!({"command": "ls"})),
                        ("read".into(), json!({"path": "a.txt"})),
                    ],
                },
                ScriptedTurn::Text("never".into()),
            ],
        )
        .await;
        let cancel = CancelToken::new();
        let backend = Arc::new(CancellingBackend(cancel.clone()));
        let agent = w.agent_with(w.provider_settings(), AgentSettings::default(), |o| {
            o.backend = Some(backend)
        });
        let err = agent.run_turn("go", &cancel).await.unwrap_err();
        assert!(matches!(err, AgentError::Cancelled), "{err}");
        assert_eq!(w.server.requests().len(), 1, "no model call after cancel");
        assert!(
            w.decisions("read").is_empty(),
            "the second call never started"
        );
        // Cancelled before the turn: no model call at all.
        let err = agent.run_turn("again", &cancel).await.unwrap_err();
        assert!(matches!(err, AgentError::Cancelled));
        assert_eq!(w.server.requests().len(), 1);
    }
}

#[tokio::test]
async fn sandboxed_exec_fails_closed_until_the_backend_is_wired() {
    let mut setup = Setup::new(Api::OpenAiCompletions);
    setup.sandbox = "all";
    let w = World::new(
        setup,
        vec![
            ScriptedTurn::tool("exec", json!({"command": "echo hi"})),
            ScriptedTurn::Text("ok".into()),
        ],
    )
    .await;
    w.agent().run_turn("go", &CancelToken::new()).await.unwrap();
    let results = tool_results(&w.server.requests()[1].body);
    assert_eq!(
        results,
        ["error: sandbox backend not wired yet: exec refused (sandbox.mode is not \"off\")"]
    );
}

#[tokio::test]
async fn workspace_files_form_the_system_prompt_and_old_turns_are_trimmed() {
    let w = World::new(
        Setup::new(Api::OpenAiCompletions),
        vec![
            ScriptedTurn::Text("one".into()),
            ScriptedTurn::Text("two".into()),
            ScriptedTurn::Text("three".into()),
        ],
    )
    .await;
    std::fs::write(w.workspace.join("SOUL.md"), "SOUL-MARKER be kind").unwrap();
    std::fs::write(w.workspace.join("AGENTS.md"), "AGENTS-MARKER").unwrap();
    std::fs::write(w.workspace.join("USER.md"), "USER-MARKER").unwrap();
    let system_len = {
        let agent = w.agent();
        agent
            .run_turn(&"a".repeat(300), &CancelToken::new())
            .await
            .unwrap();
        let sys = w.server.requests()[0].body["messages"][0]["content"]
            .as_str()
            .unwrap()
            .to_string();
        for m in ["SOUL-MARKER", "AGENTS-MARKER", "USER-MARKER"] {
            assert!(sys.contains(m), "{sys}");
        }
        sys.len()
    };
    let settings = AgentSettings {
        context_budget_chars: Some(system_len + 200),
        ..AgentSettings::default()
    };
    let agent = w.agent_with(w.provider_settings(), settings, |_| {});
    agent.run_turn("second", &CancelToken::new()).await.unwrap();
    // system + 300 + 3 ("one") + 6 ("second") > system + 200: the first turn is dropped, the current one kept.
    let msgs = w.server.requests()[1].body["messages"]
        .as_array()
        .unwrap()
        .clone();
    let contents: Vec<&str> = msgs
        .iter()
        .skip(1)
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents, ["second"]);
    // With room, history is sent.
    let agent = w.agent();
    agent.run_turn("third", &CancelToken::new()).await.unwrap();
    let n = w.server.requests()[2].body["messages"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        n,
        1 + 5,
        "system + two earlier turns + the new user message"
    );
}
