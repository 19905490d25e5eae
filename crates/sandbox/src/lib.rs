//! hardclaw's exec sandbox (skeleton; see the sandbox issue).
