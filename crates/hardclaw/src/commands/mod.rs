//! One module per command.

pub mod agent_runtime;
pub mod audit;
pub mod config;
pub mod doctor;
pub mod gateway;
pub mod gateway_approver;
pub mod guard;
pub mod pairing;
pub mod policy;
pub mod sandbox;
