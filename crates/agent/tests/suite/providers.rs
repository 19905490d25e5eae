//! Both wire formats against the scripted server: streaming, JSON, retries, fallbacks, key
//! errors.

use hardclaw_agent::scripted::ScriptedTurn;
use hardclaw_agent::{
    AgentError, AgentEvent, AgentSettings, Api, CancelToken, ProviderError, Usage, resolve_chain,
};
use serde_json::{Value, json};

use super::harness::{BOTH, KEY, Setup, World};

#[tokio::test]
async fn plain_reply_is_streamed_with_usage_and_stored() {
    for api in BOTH {
        let w = World::new(
            Setup::new(api),
            vec![ScriptedTurn::Text("Hello from the model".into())],
        )
        .await;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let agent = w.agent().with_events(tx);
        let out = agent.run_turn("hi", &CancelToken::new()).await.unwrap();
        assert_eq!(out.reply, "Hello from the model", "{api:?}");
        assert_eq!(
            out.usage,
            Usage {
                input_tokens: 11,
                output_tokens: 7
            }
        );
        assert_eq!(out.model, "p/m1");
        let mut pieces = Vec::new();
        while let Ok(e) = rx.try_recv() {
            if let AgentEvent::Text(t) = e {
                pieces.push(t);
            }
        }
        assert!(pieces.len() >= 2, "text arrived in deltas: {pieces:?}");
        assert_eq!(pieces.concat(), "Hello from the model");
        let reqs = w.server.requests();
        assert_eq!(reqs.len(), 1);
        assert_eq!(reqs[0].body["stream"], json!(true));
        assert_eq!(reqs[0].body["model"], json!("m1"));
        match api {
            Api::OpenAiCompletions => {
                assert_eq!(reqs[0].path, "/v1/chat/completions");
                assert_eq!(
                    reqs[0].header("authorization"),
                    Some(format!("Bearer {KEY}").as_str())
                );
                assert_eq!(reqs[0].body["messages"][0]["role"], json!("system"));
            }
            Api::AnthropicMessages => {
                assert_eq!(reqs[0].path, "/v1/messages");
                assert_eq!(reqs[0].header("x-api-key"), Some(KEY));
                assert_eq!(reqs[0].header("anthropic-version"), Some("2023-06-01"));
                assert!(
                    reqs[0].body["system"]
                        .as_str()
                        .unwrap()
                        .contains("hardclaw agent")
                );
            }
        }
        let s = w.store.lock().unwrap();
        let h = s.history(super::harness::SESSION, 10).unwrap();
        let roles: Vec<&str> = h.iter().map(|m| m.role.as_str()).collect();
        assert_eq!(roles, ["user", "assistant"]);
    }
}

#[tokio::test]
async fn plain_reply_as_json_without_streaming() {
    for api in BOTH {
        let w = World::new(
            Setup::new(api),
            vec![ScriptedTurn::Text("json answer".into())],
        )
        .await;
        let mut p = w.provider_settings();
        p.stream = false;
        let agent = w.agent_with(p, AgentSettings::default(), |_| {});
        let out = agent.run_turn("hi", &CancelToken::new()).await.unwrap();
        assert_eq!(out.reply, "json answer");
        assert_eq!(
            out.usage,
            Usage {
                input_tokens: 11,
                output_tokens: 7
            }
        );
        assert_eq!(w.server.requests()[0].body.get("stream"), None);
    }
}

#[tokio::test]
async fn retries_429_then_succeeds() {
    for api in BOTH {
        let w = World::new(
            Setup::new(api),
            vec![
                ScriptedTurn::Status {
                    code: 429,
                    body: "slow down".into(),
                    retry_after: Some(0),
                },
                ScriptedTurn::status(503, "overloaded"),
                ScriptedTurn::Text("finally".into()),
            ],
        )
        .await;
        let out = w.agent().run_turn("hi", &CancelToken::new()).await.unwrap();
        assert_eq!(out.reply, "finally");
        assert_eq!(out.model, "p/m1", "no fallback needed");
        assert_eq!(w.server.requests().len(), 3);
    }
}

#[tokio::test]
async fn falls_back_to_the_second_model_on_500s() {
    for api in BOTH {
        let w = World::new(Setup::new(api), vec![]).await;
        for _ in 0..3 {
            w.server.push_for("m1", ScriptedTurn::status(500, "boom"));
        }
        w.server
            .push_for("m2", ScriptedTurn::Text("from the fallback".into()));
        let out = w.agent().run_turn("hi", &CancelToken::new()).await.unwrap();
        assert_eq!(out.reply, "from the fallback");
        assert_eq!(out.model, "p/m2");
        let models: Vec<Value> = w
            .server
            .requests()
            .iter()
            .map(|r| r.body["model"].clone())
            .collect();
        assert_eq!(
            models,
            [json!("m1"), json!("m1"), json!("m1"), json!("m2")],
            "bounded: 1 + 2 retries"
        );
    }
}

#[tokio::test]
async fn every_model_failing_names_each() {
    let w = World::new(Setup::new(Api::OpenAiCompletions), vec![]).await;
    let err = w
        .agent()
        .run_turn("hi", &CancelToken::new())
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("every configured model failed: p/m1: provider `p` model `m1` failed after 3 attempts (last: HTTP 500)"), "{text}");
    assert!(text.contains("p/m2:"), "{text}");
}

#[tokio::test]
async fn rejected_key_is_a_clear_error_without_the_key() {
    for api in BOTH {
        let mut setup = Setup::new(api);
        setup.model = json!("p/m1");
        let w = World::new(
            setup,
            vec![ScriptedTurn::status(
                401,
                &format!("Incorrect API key provided: {KEY}"),
            )],
        )
        .await;
        let err = w
            .agent()
            .run_turn("hi", &CancelToken::new())
            .await
            .unwrap_err();
        let (text, debug) = (err.to_string(), format!("{err:?}"));
        assert!(
            matches!(
                err,
                AgentError::Provider(ProviderError::KeyRejected { status: 401, .. })
            ),
            "{debug}"
        );
        assert!(
            text.starts_with("provider `p` rejected the API key (HTTP 401)"),
            "{text}"
        );
        for shown in [&text, &debug] {
            assert!(!shown.contains("0123456789abcdef"), "key leaked: {shown}");
            assert!(!shown.contains("sk-test-"), "key prefix leaked: {shown}");
        }
        assert_eq!(w.server.requests().len(), 1, "401 is not retried");
        // The chain's Debug does not show the key either.
        let chain = resolve_chain(&w.config, "main", &w.keys).unwrap();
        assert!(!format!("{chain:?}").contains("SECRET"));
    }
}

#[tokio::test]
async fn no_model_configured_is_a_clear_error() {
    let mut setup = Setup::new(Api::OpenAiCompletions);
    setup.model = Value::Null;
    let w = World::new(setup, vec![]).await;
    let err = resolve_chain(&w.config, "main", &w.keys).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no model configured for agent `main`: set agents.defaults.model or agents.list[].model to \"provider/model\""
    );
}

#[tokio::test]
async fn a_key_written_in_the_config_is_refused() {
    let mut setup = Setup::new(Api::OpenAiCompletions);
    setup.extra = json!({"models": {"providers": {"p": {"apiKey": "sk-literal"}}}});
    let w = World::new(setup, vec![]).await;
    let err = resolve_chain(&w.config, "main", &w.keys).unwrap_err();
    assert!(matches!(err, ProviderError::InlineKey { .. }), "{err}");
    assert!(!err.to_string().contains("sk-literal"));
}
