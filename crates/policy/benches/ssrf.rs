//! Classifying one URL without I/O (target ≤ 2 µs): parse, hostname rules, IP
//! classification, and a DNS answer served from memory.

use std::hint::black_box;
use std::net::IpAddr;

use criterion::{Criterion, criterion_group, criterion_main};
use hardclaw_policy::DnsResolver;
use hardclaw_policy::net::{NetworkGuard, SsrfPolicy, check_url, classify};

/// One fixed answer, no I/O.
struct Fixed(Vec<IpAddr>);

impl DnsResolver for Fixed {
    fn resolve(&self, _host: &str) -> Result<Vec<IpAddr>, String> {
        Ok(self.0.clone())
    }
}

fn bench(c: &mut Criterion) {
    let policy = SsrfPolicy::default();
    let dns = Fixed(vec![IpAddr::from([140, 82, 112, 6])]);
    c.bench_function("check_url domain (parse + rules + 1 answer)", |b| {
        b.iter(|| {
            check_url(
                black_box("https://api.github.com/repos/x/y?page=2"),
                &policy,
                &dns,
            )
        })
    });
    c.bench_function("check_url obfuscated loopback literal", |b| {
        b.iter(|| check_url(black_box("http://0x7f.1:18789/api"), &policy, &dns))
    });
    c.bench_function("check_url IPv6 6to4 metadata literal", |b| {
        b.iter(|| check_url(black_box("http://[2002:a9fe:a9fe::]/latest"), &policy, &dns))
    });
    let ip: IpAddr = IpAddr::from([0x2001, 0, 0x4136, 0xe378, 0x8000, 0x63bf, 0x80ff, 0xfffe]);
    c.bench_function("classify teredo", |b| b.iter(|| classify(black_box(ip))));
    let guard = NetworkGuard::from_entry(None, None);
    c.bench_function("network-guard check_fetch (default config)", |b| {
        b.iter(|| guard.check_fetch(black_box("https://api.github.com/repos"), None, &dns))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
