//! Benchmarks of the apply loop: fresh write faults, mmap/touch/munmap cycles, fork+exit, and the
//! host memory one resident modeled page costs.
//!
//! Run with `cargo bench -p mmlab-model --bench apply`. Criterion reports faults/s, cycles/s and
//! forks/s through `Throughput::Elements`; the host bytes per modeled page are printed once, before
//! the first benchmark, outside any timing.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use mmlab_model::*;

/// 64 MiB of anonymous memory.
const FAULT_PAGES: u64 = 16384;
/// 1 GiB of modeled anonymous memory, for the host-bytes report.
const REPORT_PAGES: u64 = 262144;

fn machine() -> Machine {
    Machine::new(MachineConfig::default()).expect("default config")
}

/// A machine with room for [`REPORT_PAGES`] anon pages plus their page tables (page tables take
/// frames from node 0 too, so the default 1 GiB node is just too small).
fn report_machine() -> Machine {
    Machine::new(MachineConfig { node_bytes: 2 << 30, ..MachineConfig::default() }).expect("2 GiB config")
}

fn spawn(m: &mut Machine) -> Pid {
    match m.apply(&Op::Spawn) {
        Ok(Outcome::Pid(p)) => p,
        r => panic!("spawn: {r:?}"),
    }
}

fn mmap_anon(m: &mut Machine, pid: Pid, pages: u64) -> u64 {
    let op = Op::Mmap {
        pid,
        addr: 0,
        len: pages * PAGE_SIZE,
        prot: Prot::READ | Prot::WRITE,
        flags: MapFlags::PRIVATE | MapFlags::ANONYMOUS,
        fd: -1,
        offset: 0,
    };
    match m.apply(&op) {
        Ok(Outcome::Addr(a)) => a,
        r => panic!("mmap: {r:?}"),
    }
}

fn touch_write(m: &mut Machine, pid: Pid, addr: u64, pages: u64) {
    let r = m.apply(&Op::Touch { pid, addr, len: pages * PAGE_SIZE, access: Access::Write });
    assert_eq!(r, Ok(Outcome::Done));
}

/// A machine with one process and one untouched anonymous mapping of `pages` pages.
fn fresh_mapping(pages: u64) -> (Machine, Pid, u64) {
    fresh_mapping_in(machine(), pages)
}

fn fresh_mapping_in(mut m: Machine, pages: u64) -> (Machine, Pid, u64) {
    let pid = spawn(&mut m);
    let addr = mmap_anon(&mut m, pid, pages);
    (m, pid, addr)
}

/// Resident set size of this process in bytes, from VmRSS in /proc/self/status.
fn host_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Host bytes per resident modeled page, measured two ways: the model's own `host_bytes()` and
/// the growth of this process's RSS while building the machine. Runs before any benchmark so that
/// the allocator has no freed memory to hand back.
fn report_host_bytes(_c: &mut Criterion) {
    let empty = report_machine().host_bytes();
    let rss_before = host_rss_bytes();
    let (mut m, pid, addr) = fresh_mapping_in(report_machine(), REPORT_PAGES);
    touch_write(&mut m, pid, addr, REPORT_PAGES);
    let rss_after = host_rss_bytes();
    assert_eq!(m.status(pid).expect("status").rss_anon, REPORT_PAGES * PAGE_SIZE / 1024);
    let model = (m.host_bytes() - empty) as f64 / REPORT_PAGES as f64;
    eprintln!(
        "host bytes per resident modeled page ({REPORT_PAGES} anon pages = {} MiB modeled):",
        (REPORT_PAGES * PAGE_SIZE) >> 20
    );
    eprintln!("  Machine::host_bytes(): {model:.1} B/page ({} B total, empty machine {empty} B)", m.host_bytes());
    match (rss_before, rss_after) {
        (Some(b), Some(a)) => {
            let rss = a.saturating_sub(b) as f64 / REPORT_PAGES as f64;
            eprintln!("  process VmRSS growth:  {rss:.1} B/page ({b} B -> {a} B)");
        }
        _ => eprintln!("  process VmRSS growth:  unavailable (no /proc/self/status)"),
    }
    drop(black_box(m));
}

fn write_fault_fresh(c: &mut Criterion) {
    let mut g = c.benchmark_group("write_fault_fresh");
    g.sample_size(10).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(FAULT_PAGES));
    g.bench_function("write_each_page_64MiB", |b| {
        b.iter_batched(
            || fresh_mapping(FAULT_PAGES),
            |(mut m, pid, addr)| {
                for i in 0..FAULT_PAGES {
                    let r = m.apply(&Op::Write { pid, addr: addr + i * PAGE_SIZE, value: i });
                    debug_assert_eq!(r, Ok(Outcome::Done));
                    black_box(r).ok();
                }
                m
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("touch_write_64MiB", |b| {
        b.iter_batched(
            || fresh_mapping(FAULT_PAGES),
            |(mut m, pid, addr)| {
                touch_write(&mut m, pid, addr, FAULT_PAGES);
                m
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn mmap_touch_munmap(c: &mut Criterion) {
    let mut g = c.benchmark_group("mmap_touch_munmap");
    g.sample_size(10).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(1));
    g.bench_function("16_pages", |b| {
        let mut m = machine();
        let pid = spawn(&mut m);
        b.iter(|| {
            let addr = mmap_anon(&mut m, pid, 16);
            touch_write(&mut m, pid, addr, 16);
            let r = m.apply(&Op::Munmap { pid, addr, len: 16 * PAGE_SIZE });
            debug_assert_eq!(r, Ok(Outcome::Done));
            black_box(r).ok();
        })
    });
    g.finish();
}

fn fork_exit(c: &mut Criterion) {
    let mut g = c.benchmark_group("fork_exit");
    g.sample_size(10).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(1));
    for pages in [1024u64, 16384] {
        g.bench_function(format!("{pages}_resident_pages"), |b| {
            let (mut m, parent, addr) = fresh_mapping(pages);
            touch_write(&mut m, parent, addr, pages);
            b.iter(|| {
                let child = match m.apply(&Op::Fork { pid: parent }) {
                    Ok(Outcome::Pid(c)) => c,
                    r => panic!("fork: {r:?}"),
                };
                let r = m.apply(&Op::Exit { pid: child });
                debug_assert_eq!(r, Ok(Outcome::Done));
                black_box(r).ok();
            });
            assert_eq!(m.status(parent).expect("status").rss_anon, pages * PAGE_SIZE / 1024);
        });
    }
    g.finish();
}

criterion_group!(benches, report_host_bytes, write_fault_fresh, mmap_touch_munmap, fork_exit);
criterion_main!(benches);
