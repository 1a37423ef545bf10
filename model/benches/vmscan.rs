//! Benchmarks of reclaim and mlock: pages reclaimed per second (clean file pages dropped, anon
//! pages swapped out) and mlock/munlock of a populated 1 GiB range.
//!
//! Run with `cargo bench -p mmlab-model --bench vmscan`. Throughput is in pages.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use mmlab_model::*;

/// 64 MiB.
const RECLAIM_PAGES: u64 = 16384;
/// 1 GiB.
const MLOCK_PAGES: u64 = 262144;

fn ok(m: &mut Machine, op: Op) -> Outcome {
    m.apply(&op).unwrap_or_else(|e| panic!("{op:?}: {e:?}"))
}

fn spawn(m: &mut Machine) -> Pid {
    match ok(m, Op::Spawn) {
        Outcome::Pid(p) => p,
        r => panic!("spawn: {r:?}"),
    }
}

fn mmap(m: &mut Machine, pid: Pid, pages: u64, flags: MapFlags, fd: Fd) -> u64 {
    let prot = Prot::READ | Prot::WRITE;
    match ok(m, Op::Mmap { pid, addr: 0, len: pages * PAGE_SIZE, prot, flags, fd, offset: 0 }) {
        Outcome::Addr(a) => a,
        r => panic!("mmap: {r:?}"),
    }
}

/// A machine whose process has `pages` resident anon pages (swap room for all of them).
fn anon_resident(pages: u64) -> Machine {
    let mut m =
        Machine::new(MachineConfig { swap_bytes: 2 * pages * PAGE_SIZE, ..MachineConfig::default() }).expect("config");
    let pid = spawn(&mut m);
    let a = mmap(&mut m, pid, pages, MapFlags::PRIVATE | MapFlags::ANONYMOUS, -1);
    ok(&mut m, Op::Touch { pid, addr: a, len: pages * PAGE_SIZE, access: Access::Write });
    m
}

/// A machine whose process maps `pages` clean page-cache pages of a regular file.
fn file_resident(pages: u64) -> Machine {
    let mut m = Machine::new(MachineConfig::default()).expect("config");
    let pid = spawn(&mut m);
    let fd = match ok(&mut m, Op::Open { pid, path: "/bench".into(), flags: OpenFlags::RDWR | OpenFlags::CREAT }) {
        Outcome::Fd(fd) => fd,
        r => panic!("open: {r:?}"),
    };
    ok(&mut m, Op::Ftruncate { pid, fd, len: pages * PAGE_SIZE });
    let a = mmap(&mut m, pid, pages, MapFlags::SHARED, fd);
    ok(&mut m, Op::Touch { pid, addr: a, len: pages * PAGE_SIZE, access: Access::Read });
    m
}

fn reclaim(c: &mut Criterion) {
    let mut g = c.benchmark_group("reclaim");
    g.sample_size(10).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(RECLAIM_PAGES));
    let run = |mut m: Machine| {
        let r = m.apply(&Op::Reclaim { nid: 0, pages: RECLAIM_PAGES });
        assert_eq!(r, Ok(Outcome::Count(RECLAIM_PAGES)));
        black_box(m)
    };
    g.bench_function("clean_file_64MiB", |b| {
        b.iter_batched(|| file_resident(RECLAIM_PAGES), run, BatchSize::PerIteration)
    });
    g.bench_function("anon_to_swap_64MiB", |b| {
        b.iter_batched(|| anon_resident(RECLAIM_PAGES), run, BatchSize::PerIteration)
    });
    g.finish();
}

fn mlock_1gib(c: &mut Criterion) {
    let mut g = c.benchmark_group("mlock_1GiB");
    g.sample_size(10).measurement_time(Duration::from_secs(6)).warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(MLOCK_PAGES));
    let config = MachineConfig { node_bytes: 2 << 30, ..MachineConfig::default() };
    let mut m = Machine::new(config).expect("config");
    let pid = spawn(&mut m);
    ok(&mut m, Op::SetCapIpcLock { pid, on: true });
    let a = mmap(&mut m, pid, MLOCK_PAGES, MapFlags::PRIVATE | MapFlags::ANONYMOUS, -1);
    ok(&mut m, Op::Touch { pid, addr: a, len: MLOCK_PAGES * PAGE_SIZE, access: Access::Write });
    let len = MLOCK_PAGES * PAGE_SIZE;
    g.bench_function("mlock_then_munlock_populated", |b| {
        b.iter(|| {
            ok(&mut m, Op::Mlock { pid, addr: a, len });
            ok(&mut m, Op::Munlock { pid, addr: a, len });
        })
    });
    assert_eq!(m.meminfo().mlocked, 0);
    g.finish();
}

criterion_group!(benches, reclaim, mlock_1gib);
criterion_main!(benches);
