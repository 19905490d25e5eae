//! Prompt-injection defenses that run before the agent sees anything: the deterministic
//! [`detector`], channel-guard ([`channel_guard`]) on inbound channel messages,
//! content-guard ([`content_guard`]) at agent-to-agent boundaries, and [`taint`] tracking
//! of sessions that took in untrusted content.

pub mod corpus;
pub mod detector;
pub mod encoded;
mod fold_pass;
pub mod normalize;
mod patterns;
mod raw;

pub use detector::{Detection, Signal, score};
pub mod channel_guard;
pub mod classifier;

pub use channel_guard::{ChannelCheck, ChannelGuard, ChannelGuardConfig, ChannelVerdict};
pub use classifier::{
    DeterministicClassifier, InjectionClassifier, ModelClassifierSettings,
    build_classifier_request, parse_classifier_reply,
};
pub mod content_guard;

pub use content_guard::{ContentGuard, ContentStage, HttpOutcome, extract_content};
pub mod taint;
mod windows;

pub use taint::{EgressContext, SessionTaint, Taint, TaintPolicy, TaintSource};

#[cfg(test)]
mod equivalence;
#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;
