mod harness;
mod netns;
mod providers;
mod redteam;
mod turns;
