mod audit;
mod common;
mod config;
mod fix;
mod guard;
mod pairing;
mod policy;
mod sandbox;
