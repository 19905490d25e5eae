//! One channel's effective settings: `channels.<ch>.accounts.<acct>` over `channels.<ch>` (over
//! `channels.defaults` for `groupPolicy`). Missing blocks are `None`, never a default: the
//! decisions fail closed on them.

use std::collections::BTreeMap;

use hardclaw_config::schema::{Channel, Config, DmPolicy, Group, GroupPolicy};

use super::normalize::normalize_list;

/// The effective settings of one channel account.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChannelView<'a> {
    /// Lower-case channel id.
    pub name: &'a str,
    pub base: Option<&'a Channel>,
    pub account: Option<&'a Channel>,
    pub defaults: Option<&'a Channel>,
}

fn find<'a, T>(map: Option<&'a BTreeMap<String, T>>, key: &str) -> Option<&'a T> {
    map?.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

impl<'a> ChannelView<'a> {
    pub fn new(config: &'a Config, channel: &'a str, account: Option<&str>) -> ChannelView<'a> {
        let channels = config.channels.as_ref();
        let base = find(channels, channel).filter(|_| !channel.eq_ignore_ascii_case("defaults"));
        let account = account
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .and_then(|a| find(base.and_then(|b| b.accounts.as_ref()), a));
        ChannelView {
            name: channel,
            base,
            account,
            defaults: find(channels, "defaults"),
        }
    }

    /// Account value, else channel value.
    pub fn pick<T>(&self, f: impl Fn(&'a Channel) -> Option<T>) -> Option<T> {
        self.account.and_then(&f).or_else(|| self.base.and_then(&f))
    }

    /// `enabled: false` on the channel or the account.
    pub fn disabled(&self) -> bool {
        [self.base, self.account]
            .into_iter()
            .flatten()
            .any(|c| c.enabled == Some(false))
    }

    /// `dmPolicy` (legacy `dm.policy`; `dm.enabled: false` = disabled), default `pairing`.
    pub fn dm_policy(&self) -> DmPolicy {
        if self.pick(|c| c.dm.as_ref()?.enabled) == Some(false) {
            return DmPolicy::Disabled;
        }
        self.pick(|c| c.dm_policy)
            .or_else(|| self.pick(|c| c.dm.as_ref()?.policy))
            .unwrap_or(DmPolicy::Pairing)
    }

    /// The config's DM allowFrom (`allowFrom` or legacy `dm.allowFrom`), normalised.
    pub fn allow_from(&self) -> Vec<String> {
        let list = self
            .pick(|c| c.allow_from.as_ref())
            .or_else(|| self.pick(|c| c.dm.as_ref()?.allow_from.as_ref()));
        normalize_list(self.name, list.into_iter().flatten().map(|i| i.as_str()))
    }

    /// `groupPolicy`: account → channel → `channels.defaults` → `allowlist` (fail closed, also
    /// when the channel block is missing or carries no value).
    pub fn group_policy(&self) -> GroupPolicy {
        self.pick(|c| c.group_policy)
            .or_else(|| self.defaults.and_then(|d| d.group_policy))
            .unwrap_or(GroupPolicy::Allowlist)
    }

    /// `groupAllowFrom`, normalised (empty when unset).
    pub fn group_allow_from(&self) -> Vec<String> {
        let list = self.pick(|c| c.group_allow_from.as_ref());
        normalize_list(self.name, list.into_iter().flatten().map(|i| i.as_str()))
    }

    /// The group allowlist map: `groups` (or Slack/Mattermost `channels`, Matrix `rooms`).
    pub fn groups(&self) -> Option<&'a BTreeMap<String, Group>> {
        self.pick(|c| c.groups.as_ref())
            .or_else(|| self.pick(|c| c.channels.as_ref()))
            .or_else(|| self.pick(|c| c.rooms.as_ref()))
            .filter(|m| !m.is_empty())
    }
}
