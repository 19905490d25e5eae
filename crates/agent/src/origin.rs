//! Where a turn's message came from, and what follows from it for the tool policy and for
//! taint: a channel sender (owner or not, DM or group, forwarded or not), the operator, the
//! HTTP API, or another agent (`sessions_send` / `sessions_spawn`, carrying its taint and the
//! chain of sessions waiting on this turn).

use hardclaw_policy::injection::{Taint, TaintSource};

/// The sender of a turn's message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Origin {
    /// The local operator (Control UI, CLI): the owner.
    #[default]
    Operator,
    /// The OpenAI-compatible HTTP API (`/v1/chat/completions`): the HTTP tool-policy layer
    /// applies (no `sessions_send` / `sessions_spawn` unless `gateway.tools.allow` says so).
    Http,
    /// A channel message.
    Channel {
        /// Channel id (`webhook`, `whatsapp`, ...).
        channel: String,
        /// Account id, when the channel has accounts.
        account: Option<String>,
        /// Sender id as the channel gave it.
        sender: String,
        /// Group id for group messages (group content is untrusted: it taints).
        group: Option<String>,
        /// The sender forwarded this text from elsewhere (untrusted: it taints).
        forwarded: bool,
    },
    /// Another agent's session (`sessions_send`, or the task of `sessions_spawn`).
    Agent {
        /// The sending agent.
        from_agent: String,
        /// The sending session.
        from_session: String,
        /// The sender's taint at the time of sending (it travels with the message).
        taint: Taint,
        /// The sessions waiting on this turn, outermost first (the sender last).
        chain: Vec<String>,
        /// This turn is a subagent's task (`sessions_spawn`); else a `sessions_send`.
        spawned: bool,
    },
}

impl Origin {
    /// The taint the message brings into the receiving session: group messages and
    /// forwarded text are untrusted; another agent's message carries that agent's taint (and,
    /// when the agent was tainted, marks its output as untrusted too). A clean agent's
    /// message adds nothing: its content was derived from trusted input only.
    pub fn taint_sources(&self) -> Vec<TaintSource> {
        match self {
            Origin::Channel {
                channel,
                group,
                forwarded,
                ..
            } => {
                let mut out = Vec::new();
                if group.is_some() {
                    out.push(TaintSource::GroupMessage {
                        channel: channel.clone(),
                    });
                }
                if *forwarded {
                    out.push(TaintSource::ForwardedText);
                }
                out
            }
            Origin::Agent {
                from_agent, taint, ..
            } if taint.is_tainted() => {
                let mut out: Vec<TaintSource> = taint.sources.iter().cloned().collect();
                out.push(TaintSource::AgentOutput {
                    agent: from_agent.clone(),
                });
                out
            }
            _ => Vec::new(),
        }
    }

    /// Sessions waiting on this turn (for cycle detection), outermost first.
    pub fn chain(&self) -> &[String] {
        match self {
            Origin::Agent { chain, .. } => chain,
            _ => &[],
        }
    }

    /// `(channel, sender)` for the tool policy's group and owner layers.
    pub fn sender(&self) -> Option<(&str, &str)> {
        match self {
            Origin::Channel {
                channel, sender, ..
            } => Some((channel, sender)),
            _ => None,
        }
    }

    /// The channel the conversation is on, when it is a channel conversation.
    pub fn channel(&self) -> Option<&str> {
        match self {
            Origin::Channel { channel, .. } => Some(channel),
            _ => None,
        }
    }

    /// Whether the HTTP API layer applies.
    pub fn is_http(&self) -> bool {
        matches!(self, Origin::Http)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(group: Option<&str>, forwarded: bool) -> Origin {
        Origin::Channel {
            channel: "whatsapp".into(),
            account: None,
            sender: "+1555".into(),
            group: group.map(str::to_string),
            forwarded,
        }
    }

    #[test]
    fn group_and_forwarded_text_taint_a_plain_dm_does_not() {
        assert!(channel(None, false).taint_sources().is_empty());
        assert_eq!(
            channel(Some("g1"), true).taint_sources(),
            vec![
                TaintSource::GroupMessage {
                    channel: "whatsapp".into()
                },
                TaintSource::ForwardedText
            ]
        );
        assert!(Origin::Operator.taint_sources().is_empty());
    }

    #[test]
    fn an_agent_message_carries_its_taint_and_marks_the_agent_output() {
        let clean = Origin::Agent {
            from_agent: "main".into(),
            from_session: "agent:main:main".into(),
            taint: Taint::default(),
            chain: vec!["agent:main:main".into()],
            spawned: false,
        };
        assert!(clean.taint_sources().is_empty());
        let mut t = Taint::default();
        t.sources.insert(TaintSource::ForwardedText);
        let dirty = Origin::Agent {
            from_agent: "main".into(),
            from_session: "agent:main:main".into(),
            taint: t,
            chain: vec![],
            spawned: false,
        };
        assert_eq!(
            dirty.taint_sources(),
            vec![
                TaintSource::ForwardedText,
                TaintSource::AgentOutput {
                    agent: "main".into()
                }
            ]
        );
    }
}
