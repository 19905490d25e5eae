//! hardclaw's gateway: the authenticated HTTP/WebSocket server that drives the agent, the
//! Control UI (webchat) and the webhook channel.
//!
//! Main types: [`Settings`] (resolved and checked config — unsafe setups refuse to start),
//! [`Gateway`] (shared state), [`Authenticated`] (proof of auth that handlers take),
//! [`ApiError`] (the one place failures become responses), the WebSocket
//! [`ClientFrame`]/[`ServerFrame`] protocol, the [`ports`] the binary plugs real stores into,
//! and the [`ApprovalHub`] where tool calls wait for the operator.
#![forbid(unsafe_code)]

pub mod approvals;
pub mod auth;
pub mod classifier;
pub mod client_ip;
pub mod error;
pub mod openai;
pub mod origin;
pub mod outbox;
pub mod ports;
pub mod rate_limit;
pub mod screen;
pub mod secret;
pub mod server;
pub mod settings;
pub mod state;
pub mod store_ports;
pub mod token_file;
pub mod transcripts;
pub mod turns;
pub mod ui;
pub mod webchat;
pub mod webhook;
pub mod ws;

pub use approvals::{ApprovalAsk, ApprovalHub, ApprovalView};
pub use auth::{Authenticated, Principal};
pub use error::ApiError;
pub use ports::{
    Access, AuditRunner, ChannelAccess, DecisionEntry, DenyAll, Inbound, PendingPairing, PortError,
    Responder, Role, SessionSummary, StoredMessage, Transcripts, TurnFuture, TurnOrigin,
    TurnRequest,
};
pub use secret::Secret;
pub use server::{BindError, bind, router, serve};
pub use settings::{AuthSetting, Inputs, Settings, SettingsError, TokenSource};
pub use state::{AppState, Gateway, Ports};
pub use store_ports::{PolicyAccess, StoreTranscripts};
pub use transcripts::MemoryTranscripts;
pub use ws::protocol::{ClientFrame, ServerFrame};
