//! Cost of keeping a background command's output: one 8 KiB chunk pushed into a full 1 MiB
//! stream ring (what the reader threads do per read), and one `poll`-sized read (24 KiB).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hardclaw_agent::BackgroundIo;
use hardclaw_agent::tools::process::POLL_BYTES;
use hardclaw_agent::tools::process::io::Stream;

fn bench(c: &mut Criterion) {
    let io = BackgroundIo::new(1 << 20);
    let chunk = vec![b'x'; 8192];
    for _ in 0..200 {
        io.push(Stream::Stdout, &chunk);
    }
    c.bench_function("push 8 KiB into a full 1 MiB ring", |b| {
        b.iter(|| io.push(Stream::Stdout, black_box(&chunk)));
    });
    c.bench_function("read 24 KiB from a 1 MiB ring", |b| {
        b.iter(|| {
            io.with_ring(Stream::Stdout, |r| {
                black_box(r.read_from(r.start() + 4096, POLL_BYTES))
            })
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
