//! One module per command.

pub mod audit;
pub mod config;
pub mod doctor;
pub mod policy;
pub mod sandbox;
