//! A test world: temp home, state dir, workspace, config (loaded like the runtime loads it,
//! with the key as `${TEST_KEY}`), a store, and a scripted model server.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hardclaw_agent::scripted::{ScriptedServer, ScriptedTurn};
use hardclaw_agent::{
    Agent, AgentSettings, Api, ApprovalRequest, Approver, Dns, HostPaths, KeySource, ModelClient,
    ProviderSettings, ToolExecutor, ToolExecutorOptions, ToolLimits, resolve_chain,
};
use hardclaw_config::{Config, EnvMap, LoadOptions, load_str};
use hardclaw_store::Store;
use serde_json::{Value, json};

pub const KEY: &str = "sk-test-SECRET-0123456789abcdef";
pub const SESSION: &str = "agent:main:main";

pub struct World {
    pub _dir: tempfile::TempDir,
    pub home: PathBuf,
    pub state: PathBuf,
    pub workspace: PathBuf,
    pub config_path: PathBuf,
    pub config: Arc<Config>,
    pub keys: KeySource,
    pub store: Arc<Mutex<Store>>,
    pub server: ScriptedServer,
}

pub fn wire_name(api: Api) -> &'static str {
    match api {
        Api::OpenAiCompletions => "openai-completions",
        Api::AnthropicMessages => "anthropic-messages",
    }
}

/// Options for [`World::new`].
pub struct Setup {
    pub api: Api,
    pub model: Value,
    pub sandbox: &'static str,
    pub extra: Value,
    /// Extra environment variables the config is loaded with (tool keys).
    pub env: Vec<(String, String)>,
}

impl Setup {
    pub fn new(api: Api) -> Setup {
        Setup {
            api,
            model: json!({"primary": "p/m1", "fallbacks": ["p/m2"]}),
            sandbox: "off",
            extra: json!({}),
            env: Vec::new(),
        }
    }
}

fn merge(a: &mut Value, b: Value) {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k).or_insert(Value::Null), v);
            }
        }
        (a, b) => *a = b,
    }
}

impl World {
    pub async fn new(setup: Setup, turns: Vec<ScriptedTurn>) -> World {
        let server = ScriptedServer::start(turns).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let state = dir.path().join("home/.hardclaw");
        let workspace = dir.path().join("home/ws");
        std::fs::create_dir_all(home.join(".ssh")).unwrap();
        std::fs::write(home.join(".ssh/id_rsa"), "-----BEGIN FAKE KEY-----").unwrap();
        std::fs::create_dir_all(&state).unwrap();
        std::fs::create_dir_all(&workspace).unwrap();
        let workspace = std::fs::canonicalize(&workspace).unwrap();
        let base = match setup.api {
            Api::OpenAiCompletions => server.openai_base_url(),
            Api::AnthropicMessages => server.anthropic_base_url(),
        };
        let mut cfg = json!({
            "models": {"providers": {"p": {
                "baseUrl": base, "apiKey": "${TEST_KEY}", "api": wire_name(setup.api),
                "models": [{"id": "m1"}, {"id": "m2"}]
            }}},
            "agents": {
                "defaults": {"model": setup.model, "workspace": workspace.to_string_lossy(),
                             "sandbox": {"mode": setup.sandbox}},
                "list": [{"id": "main", "default": true}]
            },
            "plugins": {"entries": {"network-guard": {"config": {"allowedDomains": ["allowed.example"]}}}}
        });
        if setup.model.is_null() {
            cfg["agents"]["defaults"]
                .as_object_mut()
                .unwrap()
                .remove("model");
        }
        merge(&mut cfg, setup.extra);
        let config_path = state.join("hardclaw.json");
        let text = serde_json::to_string_pretty(&cfg).unwrap();
        std::fs::write(&config_path, &text).unwrap();
        let mut env = EnvMap::new();
        env.insert("TEST_KEY".into(), KEY.into());
        env.extend(setup.env);
        let opts = LoadOptions {
            env: env.clone(),
            ..LoadOptions::default()
        };
        let loaded = load_str(&text, &config_path, &opts).unwrap();
        let keys = KeySource::from_loaded(&loaded, env);
        let store = Arc::new(Mutex::new(Store::open(&state).unwrap()));
        World {
            _dir: dir,
            home,
            state,
            workspace,
            config_path,
            config: Arc::new(loaded.config),
            keys,
            store,
            server,
        }
    }

    pub fn provider_settings(&self) -> ProviderSettings {
        ProviderSettings {
            request_timeout: Duration::from_secs(20),
            max_retries: 2,
            backoff_base: Duration::from_millis(5),
            backoff_max: Duration::from_millis(40),
            ..ProviderSettings::default()
        }
    }

    pub fn executor(&self, tweak: impl FnOnce(&mut ToolExecutorOptions)) -> ToolExecutor {
        let mut opts = ToolExecutorOptions {
            agent_id: "main".into(),
            session_key: SESSION.into(),
            paths: HostPaths {
                home: self.home.clone(),
                state_dir: self.state.clone(),
                config_path: self.config_path.clone(),
                includes: vec![],
            },
            dns: None,
            approver: None,
            backend: None,
            limits: ToolLimits {
                exec_timeout: Duration::from_secs(10),
                ..ToolLimits::default()
            },
            ..ToolExecutorOptions::default()
        };
        tweak(&mut opts);
        ToolExecutor::new(Arc::clone(&self.config), Arc::clone(&self.store), opts)
            .unwrap()
            .with_keys(&self.keys)
    }

    pub fn agent_with(
        &self,
        provider: ProviderSettings,
        settings: AgentSettings,
        tweak: impl FnOnce(&mut ToolExecutorOptions),
    ) -> Agent {
        let chain = resolve_chain(&self.config, "main", &self.keys).unwrap();
        let model = ModelClient::new(chain, provider).unwrap();
        Agent::new(
            &self.config,
            Arc::clone(&self.store),
            model,
            self.executor(tweak),
            "main",
            SESSION,
            settings,
        )
        .unwrap()
    }

    pub fn agent(&self) -> Agent {
        self.agent_with(self.provider_settings(), AgentSettings::default(), |_| {})
    }

    /// A runtime over this world's store, keys and locations (fast provider retries, short
    /// exec and fetch limits); `tweak` adjusts the options.
    pub fn runtime(
        &self,
        tweak: impl FnOnce(&mut hardclaw_agent::RuntimeOptions),
    ) -> hardclaw_agent::Runtime {
        let mut opts = hardclaw_agent::RuntimeOptions {
            keys: self.keys.clone(),
            paths: HostPaths {
                home: self.home.clone(),
                state_dir: self.state.clone(),
                config_path: self.config_path.clone(),
                includes: vec![],
            },
            limits: ToolLimits {
                exec_timeout: Duration::from_secs(10),
                fetch: hardclaw_agent::tools::fetch::FetchLimits {
                    timeout: Duration::from_secs(2),
                    ..Default::default()
                },
                ..ToolLimits::default()
            },
            provider: self.provider_settings(),
            ..hardclaw_agent::RuntimeOptions::default()
        };
        tweak(&mut opts);
        hardclaw_agent::Runtime::new(Arc::clone(&self.store), opts)
    }

    /// Decisions logged for `tool`.
    pub fn decisions(&self, tool: &str) -> Vec<hardclaw_store::DecisionRecord> {
        let s = self.store.lock().unwrap();
        s.decisions(1000)
            .unwrap()
            .into_iter()
            .filter(|d| d.tool.as_deref() == Some(tool))
            .collect()
    }
}

/// The tool results the model was sent in request `n` (either wire format), in order:
/// `(content, is_error)`.
pub fn tool_results(req: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for m in req["messages"].as_array().unwrap() {
        if m["role"] == "tool" {
            out.push(m["content"].as_str().unwrap().to_string());
        }
        if let Some(blocks) = m["content"].as_array() {
            for b in blocks {
                if b["type"] == "tool_result" {
                    out.push(b["content"].as_str().unwrap().to_string());
                }
            }
        }
    }
    out
}

/// An approver that says yes and counts.
#[derive(Debug, Default)]
pub struct Yes(pub std::sync::atomic::AtomicUsize);

impl Approver for Yes {
    fn approve<'a>(
        &'a self,
        _request: &'a ApprovalRequest,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + 'a>> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Box::pin(async { true })
    }
}

/// An approver that never answers.
#[derive(Debug, Default)]
pub struct Silent;

impl Approver for Silent {
    fn approve<'a>(
        &'a self,
        _request: &'a ApprovalRequest,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + 'a>> {
        Box::pin(std::future::pending())
    }
}

/// A table DNS.
#[derive(Debug)]
pub struct TableDns(pub Vec<(String, Vec<std::net::IpAddr>)>);

impl hardclaw_policy::DnsResolver for TableDns {
    fn resolve(&self, host: &str) -> Result<Vec<std::net::IpAddr>, String> {
        self.0
            .iter()
            .find(|(h, _)| h == host)
            .map(|(_, a)| a.clone())
            .ok_or_else(|| format!("no such host {host}"))
    }
}

pub fn table_dns(entries: &[(&str, std::net::IpAddr)]) -> Dns {
    Dns(Arc::new(TableDns(
        entries
            .iter()
            .map(|(h, a)| (h.to_string(), vec![*a]))
            .collect(),
    )))
}

/// The tool names offered in a recorded model request (either wire format).
pub fn offered(req: &Value) -> Vec<String> {
    req["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["function"]["name"].as_str().or(t["name"].as_str()))
        .map(str::to_string)
        .collect()
}

/// A tool call for [`ToolExecutor::run`].
pub fn call(name: &str, arguments: Value) -> hardclaw_agent::ToolCall {
    hardclaw_agent::ToolCall {
        id: "t1".into(),
        name: name.into(),
        arguments,
    }
}

pub const BOTH: [Api; 2] = [Api::OpenAiCompletions, Api::AnthropicMessages];
