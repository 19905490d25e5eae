//! hardclaw store (skeleton; see the gateway issue).
