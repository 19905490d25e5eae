mod audit;
mod browser;
mod common;
mod config;
mod fix;
mod gateway;
mod policy;
