mod audit;
mod common;
mod config;
mod fix;
mod policy;
mod sandbox;
