//! channel-guard on every inbound path (webhook, webchat, `/v1/chat/completions`).
//!
//! With the default `classifier: "deterministic"` this is the detector alone
//! ([`crate::webchat::screen`]). With `classifier: "model"` every chunk the detector does not
//! already block is sent to the model classifier first — the chunks of one message
//! concurrently, all within one `timeoutMs` — and then channel-guard decides with its own
//! semantics (`ChannelGuard::check_detailed`: each chunk's score is the maximum of the
//! detector and the classifier; a classifier error blocks with "Channel guard unavailable —
//! blocking as a precaution." unless `failOpen`). A chunk whose classification did not
//! finish in time counts as a classifier error.

use std::collections::HashMap;
use std::sync::Arc;

use hardclaw_policy::injection::channel_guard::chunks;
use hardclaw_policy::injection::{ChannelGuard, InjectionClassifier, score};

use crate::classifier::ModelClassifier;
use crate::settings::Settings;
use crate::webchat::{self, Screened};

/// Classifier answers gathered before channel-guard decides, keyed by chunk text.
struct Answers(HashMap<String, Result<f32, String>>);

impl InjectionClassifier for Answers {
    fn classify(&self, chunk: &str) -> Result<f32, String> {
        self.0
            .get(chunk)
            .cloned()
            .unwrap_or_else(|| Err("classifier did not answer in time".into()))
    }
}

/// The model classifier when channel-guard will use it (on, valid config, `classifier:
/// "model"`); `None` means the deterministic detector alone decides ([`webchat::screen`],
/// synchronous — callers on a blocking thread already may run it there).
pub fn model_in_use(settings: &Settings) -> Option<Arc<ModelClassifier>> {
    let guard = &settings.channel_guard;
    settings
        .classifier
        .clone()
        .filter(|_| guard.enabled() && guard.config_error().is_none())
}

/// Screens `text` as channel-guard is configured. Never fails: an internal error blocks.
pub async fn screen(settings: &Settings, text: String) -> Screened {
    let guard = settings.channel_guard.clone();
    let Some(classifier) = model_in_use(settings) else {
        return tokio::task::spawn_blocking(move || webchat::screen(&guard, &text))
            .await
            .unwrap_or_else(|_| Screened::Blocked(internal_error()));
    };
    screen_with_model(guard, classifier, text).await
}

fn internal_error() -> String {
    hardclaw_policy::injection::channel_guard::UNAVAILABLE.to_string()
}

async fn screen_with_model(
    guard: Arc<ChannelGuard>,
    classifier: Arc<ModelClassifier>,
    text: String,
) -> Screened {
    // The chunks the detector does not already block (channel-guard skips the model for those).
    let (g, t) = (guard.clone(), text.clone());
    let Ok(todo) = tokio::task::spawn_blocking(move || {
        let c = g.config();
        let mut seen = std::collections::HashSet::new();
        chunks(&t, c.chunk_size, c.chunk_overlap)
            .into_iter()
            .filter(|chunk| score(chunk).score < c.block_threshold)
            .filter(|chunk| seen.insert(*chunk))
            .map(str::to_string)
            .collect::<Vec<String>>()
    })
    .await
    else {
        return Screened::Blocked(internal_error());
    };
    let mut answers = HashMap::new();
    let mut calls = tokio::task::JoinSet::new();
    for chunk in todo {
        let classifier = classifier.clone();
        calls.spawn(async move {
            let r = classifier.classify(&chunk).await;
            (chunk, r)
        });
    }
    // Each call has its own timeout; this bounds the whole message as well.
    let deadline = tokio::time::Instant::now() + classifier.timeout();
    let fail_open = guard.config().fail_open;
    while let Ok(Some(joined)) = tokio::time::timeout_at(deadline, calls.join_next()).await {
        let Ok((chunk, result)) = joined else {
            continue;
        };
        if let Err(e) = &result {
            tracing::warn!(error = %e, fail_open, "channel-guard classifier failed");
            if !fail_open {
                // Decided already: blocked. The other calls are not needed.
                answers.insert(chunk, result);
                break;
            }
        }
        answers.insert(chunk, result);
    }
    calls.abort_all();
    let answers = Answers(answers);
    tokio::task::spawn_blocking(move || {
        let check = guard.check_detailed(&text, &answers);
        if let Some(e) = &check.error {
            tracing::debug!(error = %e, "channel-guard decided with a classifier error");
        }
        webchat::screened(check.verdict, &text)
    })
    .await
    .unwrap_or_else(|_| Screened::Blocked(internal_error()))
}
