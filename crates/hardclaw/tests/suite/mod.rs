mod audit;
mod common;
mod config;
mod fix;
mod gateway;
mod policy;
