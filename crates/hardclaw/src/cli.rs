//! Command-line definitions (clap). Help texts are written for people who run the product.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use hardclaw_policy::PluginTool;

/// hardclaw — a security-first personal AI agent gateway that reads OpenClaw's config.
#[derive(Debug, Parser)]
#[command(
    name = "hardclaw",
    version,
    about = "A security-first personal AI agent gateway (OpenClaw-compatible config)",
    long_about = "hardclaw runs a personal AI agent gateway with the OpenClaw hardening guide built \
into the runtime: secure defaults, deterministic guards that fail closed, and an audit that proves \
the posture and fixes it.\n\nIt reads OpenClaw's config format (openclaw.json, JSON5). With \
--openclaw it uses OpenClaw's locations (~/.openclaw, OPENCLAW_STATE_DIR, OPENCLAW_CONFIG_PATH), \
so it can audit an existing OpenClaw install.",
    after_help = "Exit codes: 0 ok · 1 invalid config or runtime error · 2 usage error · \
3 blocked / findings at or above --fail-on"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Config file [default: $HARDCLAW_CONFIG_PATH, else <state-dir>/hardclaw.json]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// State directory [default: $HARDCLAW_STATE_DIR, else ~/.hardclaw]
    #[arg(long, global = true, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Use OpenClaw's locations and variables (~/.openclaw, OPENCLAW_STATE_DIR,
    /// OPENCLAW_CONFIG_PATH, OPENCLAW_HOME, and the legacy clawdbot/moltbot names)
    #[arg(long, global = true)]
    pub openclaw: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Security tooling: the audit
    #[command(subcommand)]
    Security(SecurityCommand),
    /// Validate or show the configuration
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Health checks and helpers
    Doctor(DoctorArgs),
    /// Check a tool call against every guard, as the runtime would
    #[command(subcommand)]
    Guard(GuardCommand),
    /// Explain policy decisions
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Run the gateway in the foreground (HTTP/WebSocket API, Control UI, webhook channel)
    #[command(
        long_about = "Run the gateway in the foreground: the authenticated HTTP/WebSocket API \
(GET /health, /ws), the Control UI at /, and the webhook channel (POST /channels/webhook/<account>).\n\n\
It listens on loopback (127.0.0.1 and ::1) unless gateway.bind says otherwise, and refuses to \
listen beyond loopback without auth. With no token configured, a token is generated at first \
start into <state-dir>/gateway.token (mode 0600) and shown once.\n\n\
Signals: SIGINT/SIGTERM stop it; SIGHUP or SIGUSR1 reload the config (a config that fails to \
load or check is logged and the running one kept)."
    )]
    Gateway(GatewayArgs),
    /// Approve or reject senders who asked for access with a pairing code
    #[command(subcommand)]
    Pairing(PairingCommand),
    /// Run a command in an agent's exec sandbox, or explain that sandbox
    #[command(subcommand)]
    Sandbox(SandboxCommand),
}

#[derive(Debug, Args)]
pub struct GatewayArgs {
    #[command(subcommand)]
    pub command: Option<GatewayCommand>,
    /// Port [default: $HARDCLAW_GATEWAY_PORT, else gateway.port, else 18789]; 0 picks a free
    /// port and prints it
    #[arg(long, global = true, value_name = "PORT")]
    pub port: Option<u16>,
}

#[derive(Debug, Subcommand)]
pub enum GatewayCommand {
    /// Run the gateway in the foreground (the default)
    Run,
}

#[derive(Debug, Subcommand)]
pub enum PairingCommand {
    /// List pending pairing requests (unexpired; codes are valid for 1 hour)
    List(PairingListArgs),
    /// Approve a pairing code: its sender is added to <channel>[-<account>]-allowFrom.json
    Approve(PairingCodeArgs),
    /// Reject a pairing code: the request is deleted, the sender stays unknown
    Reject(PairingCodeArgs),
}

#[derive(Debug, Args)]
pub struct PairingListArgs {
    /// Only this channel (`whatsapp`, `telegram`, ...)
    pub channel: Option<String>,
    /// Print the requests as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PairingCodeArgs {
    /// The channel the request came from (`whatsapp`, `telegram`, ...)
    pub channel: String,
    /// The 8-character pairing code (case-insensitive)
    pub code: String,
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Run one command exactly as the agent's exec would, in the kernel sandbox
    #[command(
        long_about = "Run one command in the agent's exec sandbox: fresh user, mount, pid, ipc, \
uts and network namespaces; the workspace at /workspace per sandbox.workspaceAccess (none: an \
empty scratch tmpfs; ro; rw); system directories read-only; Landlock; a seccomp deny set; no \
capabilities; rlimits; a sanitised environment. The only way out is HTTP(S) through hardclaw's \
allowlisting proxy (network-guard), started for the duration of the command.\n\n\
The command's exit status is passed through (128+N for signal N, 124 on timeout). When the \
sandbox cannot be fully applied the command does not run: exit 126 with the reason on stderr.",
        after_help = "Example: hardclaw sandbox run --agent main -- python3 -m unittest"
    )]
    Run(SandboxRunArgs),
    /// Print the effective mounts, network and syscall policy of an agent's sandbox
    Explain(SandboxExplainArgs),
}

#[derive(Debug, Args)]
pub struct SandboxRunArgs {
    /// Agent id (`agents.list[].id`) [default: the default agent]
    #[arg(long, value_name = "ID")]
    pub agent: Option<String>,
    /// Workspace directory [default: the agent's workspace]
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
    /// Kill the sandbox after this many seconds
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub timeout: u64,
    /// The command and its arguments
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SandboxExplainArgs {
    /// Agent id (`agents.list[].id`)
    #[arg(long, value_name = "ID")]
    pub agent: String,
    /// Session key [default: the agent's main session]
    #[arg(long, value_name = "KEY")]
    pub session: Option<String>,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Show the effective tool set of an agent and session, and what removed each tool
    #[command(
        long_about = "Show the effective tool set of an agent in a session: the tools it gets, \
then every removed tool with the layer (a config path such as `agents.list[0].tools`) and the \
entry that removed it, then warnings.\n\n\
The layers are OpenClaw's, in order: owner-only tools, tools.profile, \
tools.byProvider.<p>.profile, tools, tools.byProvider.<p>, agents.list[i].tools, \
agents.list[i].tools.byProvider.<p>, the group's tools/toolsBySender, the sandbox policy \
(sandboxed sessions), the subagent policy (subagent sessions), and gateway.http (--http). A \
tool survives only if every layer allows it; the first layer that removes it is reported.\n\n\
Without --sender the caller is the local operator (an owner)."
    )]
    Tools(PolicyToolsArgs),
}

#[derive(Debug, Args)]
pub struct PolicyToolsArgs {
    /// Agent id (`agents.list[].id`)
    #[arg(long, value_name = "ID")]
    pub agent: String,
    /// Session key (`agent:main:main`, `agent:main:whatsapp:direct:+1555`,
    /// `agent:main:whatsapp:group:<id>`, `agent:main:subagent:<uuid>`, ...) [default: the
    /// agent's main session]
    #[arg(long, value_name = "KEY")]
    pub session: Option<String>,
    /// Sender id (decides owner-only tools, `toolsBySender` and elevated mode)
    #[arg(long, value_name = "ID")]
    pub sender: Option<String>,
    /// Channel of the conversation [default: from the session key]
    #[arg(long, value_name = "CH")]
    pub channel: Option<String>,
    /// Group id for the group layer [default: from a group session key]
    #[arg(long, value_name = "ID")]
    pub group: Option<String>,
    /// Model provider for `byProvider` [default: from the agent's model]
    #[arg(long, value_name = "P")]
    pub provider: Option<String>,
    /// Model id for `byProvider` [default: the agent's model]
    #[arg(long, value_name = "M")]
    pub model: Option<String>,
    /// As called through the gateway's HTTP API (/tools/invoke)
    #[arg(long)]
    pub http: bool,
    /// Subagent spawn depth (overrides the count of `subagent` segments in the key)
    #[arg(long, value_name = "N")]
    pub depth: Option<u32>,
    /// A plugin-registered tool, `PLUGIN:TOOL` (append `?` for an optional tool); repeatable
    #[arg(long = "plugin-tool", value_name = "PLUGIN:TOOL", value_parser = parse_plugin_tool)]
    pub plugin_tools: Vec<PluginTool>,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum SecurityCommand {
    /// Audit the config and state dir for every known misconfiguration
    #[command(
        long_about = "Audit the config and state dir for every known misconfiguration: \
gateway exposure and auth, channel access, tool and exec policy, sandbox, secrets written in \
the config, dangerous environment, file permissions, plugins and skills.\n\n\
Findings are grouped critical → warn → info. By default the command exits 0 whenever the \
audit ran; use --fail-on to fail CI on findings."
    )]
    Audit(AuditArgs),
}

/// Output format of the audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail on critical findings.
    Critical,
    /// Fail on warnings or worse.
    Warn,
    /// Fail on any finding.
    Info,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Print the report as JSON (OpenClaw's shape: ts, summary, findings, deep)
    #[arg(long, conflicts_with = "sarif")]
    pub json: bool,
    /// Print the report as SARIF 2.1.0 for code-scanning UIs
    #[arg(long)]
    pub sarif: bool,
    /// Apply the safe fixes first (comment-preserving config edits, file permissions), then audit
    #[arg(long)]
    pub fix: bool,
    /// With --fix: print the diff and the permission changes, write nothing
    #[arg(long, requires = "fix")]
    pub dry_run: bool,
    /// Also scan installed plugins and skills for dangerous code, and probe the running gateway
    #[arg(long)]
    pub deep: bool,
    /// Exit 3 when a finding at or above this severity exists
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check the config: syntax, includes, ${VAR} references, schema, duplicate keys
    Validate(ValidateArgs),
    /// Print the config (or the value at a JSON path) with secrets masked
    Get(GetArgs),
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// JSON path such as `gateway.auth` or `agents.list[0].tools` (default: the whole config)
    pub path: Option<String>,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print a new random gateway token (256 bits, URL-safe) and exit
    #[arg(long)]
    pub generate_gateway_token: bool,
}

/// `PLUGIN:TOOL` or `PLUGIN:TOOL?` (optional).
fn parse_plugin_tool(text: &str) -> Result<PluginTool, String> {
    let (plugin, tool) = text
        .split_once(':')
        .filter(|(p, t)| !p.trim().is_empty() && !t.trim().is_empty())
        .ok_or_else(|| format!("expected PLUGIN:TOOL, got `{text}`"))?;
    let tool = tool.trim();
    Ok(match tool.strip_suffix('?') {
        Some(t) => PluginTool::new(plugin.trim(), t).optional(),
        None => PluginTool::new(plugin.trim(), tool),
    })
}

#[derive(Debug, Subcommand)]
pub enum GuardCommand {
    /// Run every guard that applies to one tool call and explain the decision
    #[command(
        long_about = "Run every guard that applies to one tool call — tool policy, \
command-guard, exec policy, file-guard, network-guard — exactly as the runtime would, and print \
the decision, the guard and rule that made it, the reason, and the facts the shell analyser \
saw.\n\nExit codes: 0 allow, 3 block, 4 ask (1 invalid config, 2 usage).\n\n\
--batch reads JSON lines {\"id\", \"tool\", \"params\", \"agent\"?, \"session\"?, \"cwd\"?} \
on stdin and writes one JSON object per line, in order, carrying the input's id; the exit code \
is that of the strictest decision."
    )]
    Check(GuardCheckArgs),
}

#[derive(Debug, Args)]
pub struct GuardCheckArgs {
    /// Tool name (exec, read, write, edit, apply_patch, web_fetch, ...)
    #[arg(long, required_unless_present = "batch")]
    pub tool: Option<String>,
    /// Tool parameters as JSON, e.g. '{"command": "rm -rf /"}'
    #[arg(long, value_name = "JSON")]
    pub params: Option<String>,
    /// Calling agent (enables the tool-policy check and per-agent guard overrides)
    #[arg(long, value_name = "ID")]
    pub agent: Option<String>,
    /// Session key (e.g. agent:main:main; decides sandboxed vs host)
    #[arg(long, value_name = "KEY")]
    pub session: Option<String>,
    /// Working directory relative paths resolve against [default: the current directory]
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<PathBuf>,
    /// Print one JSON object: {decision, guard, rule, reason, decisions, facts}
    #[arg(long)]
    pub json: bool,
    /// Read JSON lines on stdin, write one JSON result per line
    #[arg(long, conflicts_with_all = ["tool", "params", "json"])]
    pub batch: bool,
}
