//! Classification of IP addresses against the special-purpose registries (IANA IPv4 and IPv6
//! special-purpose address registries, plus cloud metadata endpoints).
//!
//! IPv6 addresses that embed an IPv4 address (IPv4-mapped, SIIT, IPv4-compatible, NAT64, 6to4,
//! Teredo client, ISATAP) are classified by the embedded IPv4 address, so `::ffff:127.0.0.1`,
//! `64:ff9b::7f00:1` and `2002:7f00:1::` are all loopback. Reference:
//! `openclaw-runtime-security.md` §3.3–§3.4 (M ranges plus L's additions: documentation,
//! discard, benchmarking, ORCHID, cloud-metadata literals).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};
use serde::Serialize;

/// What kind of special range an address falls in; policies re-allow some kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RangeKind {
    /// A cloud instance-metadata endpoint: blocked under every policy.
    Metadata,
    /// Loopback (the gateway and everything else on this host).
    Loopback,
    /// Unspecified / "this network" (`0.0.0.0` and `::` reach this host on Linux).
    Unspecified,
    /// Private networks: RFC 1918, CGNAT, link-local, site-local.
    Private,
    /// IPv6 unique local `fc00::/7` (re-allowable on its own).
    UniqueLocal,
    /// RFC 2544 benchmarking `198.18.0.0/15` (re-allowable on its own, for fake-IP proxies).
    Benchmark,
    /// Everything else that is not global unicast: documentation, multicast, broadcast,
    /// reserved, discard, protocol assignments.
    Reserved,
}

/// One special-purpose range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialRange {
    /// Human name (`loopback`, `TEST-NET-1`, ...).
    pub name: &'static str,
    /// The CIDR as text.
    pub cidr: &'static str,
    /// Its kind.
    pub kind: RangeKind,
}

const fn r(name: &'static str, cidr: &'static str, kind: RangeKind) -> SpecialRange {
    SpecialRange { name, cidr, kind }
}

/// How an IPv4 address is embedded in an IPv6 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Embedding {
    /// `::ffff:a.b.c.d` (the kernel connects to the IPv4 address).
    Mapped,
    /// `::ffff:0:a.b.c.d` (SIIT, RFC 6145).
    Siit,
    /// `::a.b.c.d` (deprecated IPv4-compatible).
    Compatible,
    /// `64:ff9b::a.b.c.d` (NAT64 well-known prefix, RFC 6052).
    Nat64,
    /// `64:ff9b:1::/48` (NAT64 local use, RFC 8215); the last 32 bits.
    Nat64Local,
    /// `2002:AABB:CCDD::/48` (6to4, RFC 3056).
    SixToFour,
    /// `2001:0::/32` Teredo; the client address is the inverted last 32 bits.
    Teredo,
    /// ISATAP interface identifier `::0:5efe:a.b.c.d` (or `::200:5efe:...`).
    Isatap,
}

impl Embedding {
    /// Name used in reasons.
    pub fn name(self) -> &'static str {
        match self {
            Embedding::Mapped => "IPv4-mapped",
            Embedding::Siit => "SIIT IPv4-translated",
            Embedding::Compatible => "IPv4-compatible",
            Embedding::Nat64 => "NAT64",
            Embedding::Nat64Local => "NAT64 local-use",
            Embedding::SixToFour => "6to4",
            Embedding::Teredo => "Teredo",
            Embedding::Isatap => "ISATAP",
        }
    }
}

/// The classification of one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpClass {
    /// The address as given.
    pub addr: IpAddr,
    /// The IPv4 address embedded in an IPv6 address, and how.
    pub embedded: Option<(Embedding, Ipv4Addr)>,
    /// The special range it falls in (of the embedded address when there is one, unless the
    /// IPv6 prefix itself is special); `None` = global unicast.
    pub range: Option<&'static SpecialRange>,
}

impl IpClass {
    /// Global unicast (no special range).
    pub fn is_global(&self) -> bool {
        self.range.is_none()
    }

    /// A cloud metadata endpoint (directly or embedded).
    pub fn is_metadata(&self) -> bool {
        self.kind() == Some(RangeKind::Metadata)
    }

    /// The kind of the special range, if any.
    pub fn kind(&self) -> Option<RangeKind> {
        self.range.map(|r| r.kind)
    }
}

impl fmt::Display for IpClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.range {
            None => write!(f, "global unicast")?,
            Some(range) => write!(f, "{} {}", range.name, range.cidr)?,
        }
        if let Some((how, v4)) = self.embedded {
            write!(f, ", via {v4} embedded {}", how.name())?;
        }
        Ok(())
    }
}

const V4_METADATA: &[(Ipv4Addr, SpecialRange)] = &[
    (
        Ipv4Addr::new(169, 254, 169, 254),
        r(
            "cloud metadata (AWS/GCP/Azure/OCI/DO IMDS)",
            "169.254.169.254/32",
            RangeKind::Metadata,
        ),
    ),
    (
        Ipv4Addr::new(169, 254, 169, 253),
        r(
            "cloud metadata (AWS VPC DNS)",
            "169.254.169.253/32",
            RangeKind::Metadata,
        ),
    ),
    (
        Ipv4Addr::new(169, 254, 170, 2),
        r(
            "cloud metadata (AWS ECS task)",
            "169.254.170.2/32",
            RangeKind::Metadata,
        ),
    ),
    (
        Ipv4Addr::new(169, 254, 170, 23),
        r(
            "cloud metadata (AWS EKS pod identity)",
            "169.254.170.23/32",
            RangeKind::Metadata,
        ),
    ),
    (
        Ipv4Addr::new(100, 100, 100, 200),
        r(
            "cloud metadata (Alibaba Cloud)",
            "100.100.100.200/32",
            RangeKind::Metadata,
        ),
    ),
    (
        Ipv4Addr::new(192, 0, 0, 192),
        r(
            "cloud metadata (Oracle Cloud)",
            "192.0.0.192/32",
            RangeKind::Metadata,
        ),
    ),
];

const V6_METADATA: &[(Ipv6Addr, SpecialRange)] = &[
    (
        Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254),
        r(
            "cloud metadata (AWS IMDS IPv6)",
            "fd00:ec2::254/128",
            RangeKind::Metadata,
        ),
    ),
    (
        Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23),
        r(
            "cloud metadata (AWS EKS pod identity IPv6)",
            "fd00:ec2::23/128",
            RangeKind::Metadata,
        ),
    ),
];

const fn v4(a: u8, b: u8, c: u8, d: u8, len: u8) -> Ipv4Net {
    Ipv4Net::new_assert(Ipv4Addr::new(a, b, c, d), len)
}

/// IPv4 special ranges, most specific first.
static V4_RANGES: &[(Ipv4Net, SpecialRange)] = &[
    (
        v4(0, 0, 0, 0, 8),
        r("this network", "0.0.0.0/8", RangeKind::Unspecified),
    ),
    (
        v4(10, 0, 0, 0, 8),
        r("private", "10.0.0.0/8", RangeKind::Private),
    ),
    (
        v4(100, 64, 0, 0, 10),
        r("carrier-grade NAT", "100.64.0.0/10", RangeKind::Private),
    ),
    (
        v4(127, 0, 0, 0, 8),
        r("loopback", "127.0.0.0/8", RangeKind::Loopback),
    ),
    (
        v4(169, 254, 0, 0, 16),
        r("link-local", "169.254.0.0/16", RangeKind::Private),
    ),
    (
        v4(172, 16, 0, 0, 12),
        r("private", "172.16.0.0/12", RangeKind::Private),
    ),
    (
        v4(192, 0, 0, 0, 24),
        r(
            "IETF protocol assignments",
            "192.0.0.0/24",
            RangeKind::Reserved,
        ),
    ),
    (
        v4(192, 0, 2, 0, 24),
        r("TEST-NET-1", "192.0.2.0/24", RangeKind::Reserved),
    ),
    (
        v4(192, 88, 99, 0, 24),
        r("6to4 relay anycast", "192.88.99.0/24", RangeKind::Reserved),
    ),
    (
        v4(192, 168, 0, 0, 16),
        r("private", "192.168.0.0/16", RangeKind::Private),
    ),
    (
        v4(198, 18, 0, 0, 15),
        r("benchmarking", "198.18.0.0/15", RangeKind::Benchmark),
    ),
    (
        v4(198, 51, 100, 0, 24),
        r("TEST-NET-2", "198.51.100.0/24", RangeKind::Reserved),
    ),
    (
        v4(203, 0, 113, 0, 24),
        r("TEST-NET-3", "203.0.113.0/24", RangeKind::Reserved),
    ),
    (
        v4(224, 0, 0, 0, 4),
        r("multicast", "224.0.0.0/4", RangeKind::Reserved),
    ),
    (
        v4(255, 255, 255, 255, 32),
        r(
            "limited broadcast",
            "255.255.255.255/32",
            RangeKind::Reserved,
        ),
    ),
    (
        v4(240, 0, 0, 0, 4),
        r("reserved", "240.0.0.0/4", RangeKind::Reserved),
    ),
];

const fn v6(segs: [u16; 8], len: u8) -> Ipv6Net {
    Ipv6Net::new_assert(
        Ipv6Addr::new(
            segs[0], segs[1], segs[2], segs[3], segs[4], segs[5], segs[6], segs[7],
        ),
        len,
    )
}

const UNSPECIFIED_V6: SpecialRange = r("unspecified", "::/128", RangeKind::Unspecified);
const LOOPBACK_V6: SpecialRange = r("loopback", "::1/128", RangeKind::Loopback);
const NAT64_LOCAL: SpecialRange = r("NAT64 local-use", "64:ff9b:1::/48", RangeKind::Reserved);
const OUTSIDE_GLOBAL: SpecialRange = r(
    "not global unicast (outside 2000::/3)",
    "::/0 minus 2000::/3",
    RangeKind::Reserved,
);

/// IPv6 special ranges checked after the embeddings.
static V6_RANGES: &[(Ipv6Net, SpecialRange)] = &[
    (
        v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64),
        r("discard-only", "100::/64", RangeKind::Reserved),
    ),
    (
        v6([0x2001, 2, 0, 0, 0, 0, 0, 0], 48),
        r("benchmarking", "2001:2::/48", RangeKind::Reserved),
    ),
    (
        v6([0x2001, 0x10, 0, 0, 0, 0, 0, 0], 28),
        r("ORCHID", "2001:10::/28", RangeKind::Reserved),
    ),
    (
        v6([0x2001, 0x20, 0, 0, 0, 0, 0, 0], 28),
        r("ORCHIDv2", "2001:20::/28", RangeKind::Reserved),
    ),
    (
        v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32),
        r("documentation", "2001:db8::/32", RangeKind::Reserved),
    ),
    (
        v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20),
        r("documentation", "3fff::/20", RangeKind::Reserved),
    ),
    (
        v6([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16),
        r("SRv6 SIDs", "5f00::/16", RangeKind::Reserved),
    ),
    (
        v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7),
        r("unique local", "fc00::/7", RangeKind::UniqueLocal),
    ),
    (
        v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10),
        r("link-local", "fe80::/10", RangeKind::Private),
    ),
    (
        v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10),
        r("site-local (deprecated)", "fec0::/10", RangeKind::Private),
    ),
    (
        v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8),
        r("multicast", "ff00::/8", RangeKind::Reserved),
    ),
];

/// Classifies any address.
pub fn classify(ip: IpAddr) -> IpClass {
    match ip {
        IpAddr::V4(a) => IpClass {
            addr: ip,
            embedded: None,
            range: classify_v4(a),
        },
        IpAddr::V6(a) => classify_v6(a),
    }
}

/// The special range of an IPv4 address (`None` = global unicast).
pub fn classify_v4(a: Ipv4Addr) -> Option<&'static SpecialRange> {
    if let Some((_, range)) = V4_METADATA.iter().find(|(m, _)| *m == a) {
        return Some(range);
    }
    V4_RANGES
        .iter()
        .find(|(net, _)| net.contains(&a))
        .map(|(_, range)| range)
}

/// The IPv4 address embedded in an IPv6 address, if any (see [`Embedding`]).
pub fn embedded_v4(a: Ipv6Addr) -> Option<(Embedding, Ipv4Addr)> {
    let s = a.segments();
    let bits = a.to_bits();
    let low32 = Ipv4Addr::from_bits(bits as u32);
    if s[..5] == [0; 5] && s[5] == 0xffff {
        return Some((Embedding::Mapped, low32));
    }
    if s[..4] == [0; 4] && s[4] == 0xffff && s[5] == 0 {
        return Some((Embedding::Siit, low32));
    }
    if s[..6] == [0; 6] && bits > 1 {
        return Some((Embedding::Compatible, low32));
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some((Embedding::Nat64, low32));
    }
    if s[..3] == [0x64, 0xff9b, 1] {
        return Some((Embedding::Nat64Local, low32));
    }
    if s[0] == 0x2002 {
        let v = (u32::from(s[1]) << 16) | u32::from(s[2]);
        return Some((Embedding::SixToFour, Ipv4Addr::from_bits(v)));
    }
    if s[0] == 0x2001 && s[1] == 0 {
        return Some((Embedding::Teredo, Ipv4Addr::from_bits(!(bits as u32))));
    }
    if s[4] & 0xfcff == 0 && s[5] == 0x5efe {
        return Some((Embedding::Isatap, low32));
    }
    None
}

/// Classifies an IPv6 address (embedded IPv4 addresses are classified as IPv4).
pub fn classify_v6(a: Ipv6Addr) -> IpClass {
    let addr = IpAddr::V6(a);
    let class = |range, embedded| IpClass {
        addr,
        embedded,
        range,
    };
    if let Some((_, range)) = V6_METADATA.iter().find(|(m, _)| *m == a) {
        return class(Some(range), None);
    }
    if a.is_unspecified() {
        return class(Some(&UNSPECIFIED_V6), None);
    }
    if a.is_loopback() {
        return class(Some(&LOOPBACK_V6), None);
    }
    if let Some((how, inner)) = embedded_v4(a) {
        let inner_range = classify_v4(inner);
        // The local-use NAT64 prefix is not globally reachable whatever it embeds; a
        // metadata address embedded there is still reported as metadata.
        let range = match (how, inner_range) {
            (Embedding::Nat64Local, Some(r)) if r.kind == RangeKind::Metadata => Some(r),
            (Embedding::Nat64Local, _) => Some(&NAT64_LOCAL),
            (Embedding::Isatap, None) => v6_range(a),
            _ => inner_range,
        };
        return class(range, Some((how, inner)));
    }
    class(v6_range(a), None)
}

fn v6_range(a: Ipv6Addr) -> Option<&'static SpecialRange> {
    if let Some((_, range)) = V6_RANGES.iter().find(|(net, _)| net.contains(&a)) {
        return Some(range);
    }
    // Only 2000::/3 is allocated as global unicast.
    if a.segments()[0] & 0xe000 != 0x2000 {
        return Some(&OUTSIDE_GLOBAL);
    }
    None
}
