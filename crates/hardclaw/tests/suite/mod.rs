mod audit;
mod common;
mod config;
mod fix;
mod pairing;
mod policy;
