mod harness;
mod multi_agent;
mod netns;
mod providers;
mod redteam;
mod turns;
