//! hardclaw gateway (skeleton; see the gateway issue).
