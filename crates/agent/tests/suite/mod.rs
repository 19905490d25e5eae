mod harness;
mod memory;
mod netns;
mod patch;
mod providers;
mod redteam;
mod search;
mod turns;
