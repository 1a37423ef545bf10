//! Random operation sequences on 2 MiB-aligned mappings, where THPs form, split and go away:
//! every invariant holds after every operation, teardown leaves nothing behind, and what
//! userspace sees (results and page values) is the same with THP "always" as with "never", and
//! the same again with THP reservations on (a promotion threshold that varies by seed).
//! Deterministic: a fixed list of seeds drives a small xorshift generator.

use mmlab_model::*;

/// Where the test's mappings live: 8 huge-page slots from here.
const BASE: u64 = 0x6000_0000_0000;
const HPAGE: u64 = 2 << 20;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// An address in the slots, page-aligned, biased to 2 MiB boundaries and their neighbours.
    fn addr(&mut self) -> u64 {
        let slot = BASE + self.below(8) * HPAGE;
        match self.below(4) {
            0 => slot,
            1 => slot + self.below(512) * PAGE_SIZE,
            2 => slot + HPAGE - PAGE_SIZE,
            _ => slot + (self.below(4) + 1) * PAGE_SIZE,
        }
    }
    fn len(&mut self) -> u64 {
        match self.below(4) {
            0 => HPAGE,
            1 => 2 * HPAGE,
            2 => (self.below(16) + 1) * PAGE_SIZE,
            _ => self.below(1024) * PAGE_SIZE + PAGE_SIZE,
        }
    }
}

fn op(r: &mut Rng, pids: &[Pid]) -> Op {
    let pid = pids[r.below(pids.len() as u64) as usize];
    let advices = [
        Advice::HUGEPAGE,
        Advice::NOHUGEPAGE,
        Advice::DONTNEED,
        Advice::FREE,
        Advice::COLD,
        Advice::PAGEOUT,
        Advice::POPULATE_WRITE,
        Advice::POPULATE_READ,
        Advice::WILLNEED,
        Advice::COLLAPSE,
    ];
    match r.below(18) {
        17 => Op::Khugepaged,
        0 | 16 => Op::Mmap {
            pid,
            addr: BASE + r.below(8) * HPAGE,
            len: r.len(),
            prot: Prot::READ | Prot::WRITE,
            flags: MapFlags::PRIVATE | MapFlags::ANONYMOUS | MapFlags::FIXED,
            fd: -1,
            offset: 0,
        },
        1 => Op::Munmap { pid, addr: r.addr(), len: r.len() },
        2 => Op::Mprotect {
            pid,
            addr: r.addr(),
            len: r.len(),
            prot: [Prot::READ, Prot::READ | Prot::WRITE][r.below(2) as usize],
        },
        3 | 4 => {
            Op::Madvise { pid, addr: r.addr(), len: r.len(), advice: advices[r.below(advices.len() as u64) as usize] }
        }
        5..=7 => Op::Write { pid, addr: r.addr(), value: r.next() },
        8 => Op::Read { pid, addr: r.addr() },
        9 => {
            Op::Touch { pid, addr: r.addr(), len: r.len(), access: [Access::Read, Access::Write][r.below(2) as usize] }
        }
        10 => Op::Fork { pid },
        11 => Op::Mlock { pid, addr: r.addr(), len: r.len() },
        12 => Op::Munlock { pid, addr: r.addr(), len: r.len() },
        13 => Op::Mremap {
            pid,
            old_addr: r.addr(),
            old_len: r.len(),
            new_len: r.len(),
            flags: MremapFlags::MAYMOVE | MremapFlags::FIXED,
            new_addr: BASE + r.below(8) * HPAGE,
        },
        14 => Op::MovePages { pid, addrs: vec![r.addr(), r.addr()], nodes: vec![1, 0], flags: MpolFlags::MOVE },
        // No `reclaim`: which pages a page-count-limited reclaim takes depends on the page
        // sizes, and MADV_FREE of a swapped page drops its data, so the two machines may
        // rightly differ after it (MADV_PAGEOUT reclaims by range and stays comparable).
        _ => Op::Exit { pid },
    }
}

fn config(thp: ThpMode) -> MachineConfig {
    MachineConfig { nodes: 2, node_bytes: 64 << 20, swap_bytes: 32 << 20, thp, ..MachineConfig::default() }
}

/// The THP machine of a seed, with khugepaged limits that vary by seed (Linux defaults, none
/// allowed, or tight ones).
fn thp_config(seed: u64) -> MachineConfig {
    let (max_ptes_none, max_ptes_swap, max_ptes_shared) = [(511, 64, 256), (0, 0, 0), (480, 8, 1)][seed as usize % 3];
    MachineConfig { max_ptes_none, max_ptes_swap, max_ptes_shared, ..config(ThpMode::Always) }
}

/// The THP machine of a seed with reservations on: thresholds 2, 64, 256, 512 and 1 (plain
/// THP), and every seventh seed with the RFC's reserve-on-read-fault quirk.
fn reserved_config(seed: u64) -> MachineConfig {
    let threshold = [2, 64, 256, 512, 1][seed as usize % 5];
    let quirks = if seed.is_multiple_of(7) {
        vec![mmlab_model::config::QUIRK_THP_RESERVE_ON_READ_FAULT.to_string()]
    } else {
        Vec::new()
    };
    MachineConfig { promotion_threshold: Some(threshold), quirks, ..thp_config(seed) }
}

fn live(m: &Machine) -> Vec<Pid> {
    m.pids()
}

fn script(log: &[Op]) -> String {
    log.iter().map(|o| script::print_op(o) + "\n").collect()
}

#[test]
fn random_thp_sequences_keep_invariants_and_userspace_results() {
    // THP_RANDOM_SEEDS=A..B runs seeds A to B (a longer hunt); the default is the CI set.
    let seeds: Vec<u64> = match std::env::var("THP_RANDOM_SEEDS") {
        Ok(s) => {
            let (a, b) = s.split_once("..").expect("THP_RANDOM_SEEDS=A..B");
            (a.parse().expect("seed")..=b.parse().expect("seed")).collect()
        }
        Err(_) => (1..=40).collect(),
    };
    for seed in seeds {
        let mut r = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let mut never = Machine::new(config(ThpMode::Never)).unwrap();
        let mut always = Machine::new(thp_config(seed)).unwrap();
        let mut reserved = Machine::new(reserved_config(seed)).unwrap();
        let mut log = Vec::new();
        // khugepaged runs only with THP on: it runs on the THP machine alone, and only before
        // any MADV_FREE (a collapse makes lazyfree pages dirty anon memory, which reclaim keeps
        // where the other machine would drop them).
        let mut lazyfree = false;
        for _ in 0..120 {
            if live(&always).is_empty() {
                let s = Op::Spawn;
                let r = never.apply(&s);
                assert_eq!(r, always.apply(&s));
                assert_eq!(r, reserved.apply(&s));
                log.push(s);
            }
            let o = op(&mut r, &live(&always));
            lazyfree |= matches!(o, Op::Madvise { advice: Advice::FREE, .. });
            if o == Op::Khugepaged {
                if !lazyfree {
                    log.push(o.clone());
                    for m in [&mut always, &mut reserved] {
                        assert!(m.apply(&o).is_ok());
                        let v = m.check_invariants();
                        assert!(v.is_empty(), "seed {seed} after khugepaged: {v:#?}\n{}", script(&log));
                    }
                }
                continue;
            }
            let a = never.apply(&o);
            log.push(o.clone());
            let b = always.apply(&o);
            same_for_userspace(seed, &o, &a, &b, "always", &log);
            let c = reserved.apply(&o);
            same_for_userspace(seed, &o, &a, &c, "reserved", &log);
            for m in [&never, &always, &reserved] {
                let v = m.check_invariants();
                assert!(v.is_empty(), "seed {seed} after {o:?}: {v:#?}\n{}", script(&log));
            }
        }
        for pid in live(&always) {
            for v in always.maps(pid).unwrap() {
                for addr in (v.start..v.end).step_by(PAGE_SIZE as usize) {
                    let a = never.peek(pid, addr);
                    assert_eq!(a, always.peek(pid, addr), "seed {seed} pid {pid} {addr:#x}:\n{}", script(&log));
                    assert_eq!(
                        a,
                        reserved.peek(pid, addr),
                        "seed {seed} pid {pid} {addr:#x} reserved:\n{}",
                        script(&log)
                    );
                }
            }
        }
        for mut m in [never, always, reserved] {
            teardown_is_clean(seed, &mut m, &log);
        }
    }
}

/// What userspace sees of one operation on the THP machine `b` (named `name`) matches THP
/// "never" (`a`).
fn same_for_userspace(seed: u64, o: &Op, a: &OpResult, b: &OpResult, name: &str, log: &[Op]) {
    match o {
        // How much reclaim frees depends on the page sizes; that it succeeds does not.
        Op::Reclaim { .. } => assert_eq!(a.is_ok(), b.is_ok(), "seed {seed} {name}:\n{}", script(log)),
        // A THP fault populates 2 MiB and the huge zero page answers -EFAULT: which pages
        // move_pages finds resident follows the page size.
        Op::MovePages { .. } => assert_eq!(a.is_ok(), b.is_ok(), "seed {seed} {name}:\n{}", script(log)),
        // Whether MADV_COLLAPSE finds a range collapsed already, a huge page free or a
        // page table there follows the page sizes; what userspace reads after does not.
        Op::Madvise { advice: Advice::COLLAPSE, .. } => {
            let fine = |r: &OpResult| {
                r.as_ref().map_or_else(|e| [Errno::EINVAL, Errno::ENOMEM, Errno::EAGAIN].contains(e), |_| true)
            };
            assert!(fine(a) && fine(b), "seed {seed} {name}: {a:?} {b:?}\n{}", script(log));
        }
        _ => assert_eq!(a, b, "seed {seed} {name}: {o:?} differs:\n{}", script(log)),
    }
}

/// After teardown nothing is left: no invariant violation, every frame and swap slot free,
/// every nr_* counter (nr_thp_reserved too) zero.
fn teardown_is_clean(seed: u64, m: &mut Machine, log: &[Op]) {
    m.teardown();
    let v = m.check_invariants();
    assert!(v.is_empty(), "seed {seed} teardown: {v:#?}\n{}", script(log));
    let mi = m.meminfo();
    assert_eq!((mi.anon_huge_pages, mi.anon_pages, mi.mlocked), (0, 0, 0), "seed {seed}");
    assert_eq!(mi.mem_free, mi.mem_total, "seed {seed}: frames leaked\n{}", script(log));
    assert_eq!(mi.swap_free, mi.swap_total, "seed {seed}: swap slots leaked\n{}", script(log));
    for (name, value) in m.vmstat().items {
        if name.starts_with("nr_") && name != "nr_free_pages" {
            assert_eq!(value, 0, "seed {seed}: vmstat {name} after teardown\n{}", script(log));
        }
    }
}

/// Whether `ops` show a difference between THP never and always (results, invariants, values).
fn differs(ops: &[Op]) -> bool {
    let mut never = Machine::new(config(ThpMode::Never)).unwrap();
    let mut always = Machine::new(config(ThpMode::Always)).unwrap();
    for o in ops {
        let (a, b) = (never.apply(o), always.apply(o));
        let same = match o {
            Op::Reclaim { .. } | Op::MovePages { .. } => a.is_ok() == b.is_ok(),
            Op::Madvise { advice: Advice::COLLAPSE, .. } | Op::Khugepaged => true,
            _ => a == b,
        };
        if !same || !always.check_invariants().is_empty() {
            return true;
        }
    }
    always.pids().iter().any(|&pid| {
        always
            .maps(pid)
            .unwrap()
            .iter()
            .any(|v| (v.start..v.end).step_by(PAGE_SIZE as usize).any(|a| never.peek(pid, a) != always.peek(pid, a)))
    })
}

/// THP_MINIMIZE=FILE: shrinks the .mms operations in FILE (one per line) while they still
/// differ, and prints the result.
#[test]
fn minimize_from_env() {
    let Ok(path) = std::env::var("THP_MINIMIZE") else { return };
    let text = std::fs::read_to_string(path).unwrap();
    let mut ops: Vec<Op> =
        text.lines().filter(|l| !l.trim().is_empty()).filter_map(|l| script::parse_op(l).ok()).collect();
    assert!(differs(&ops));
    let mut i = ops.len();
    while i > 0 {
        i -= 1;
        let mut fewer = ops.clone();
        fewer.remove(i);
        if differs(&fewer) {
            ops = fewer;
            i = i.min(ops.len());
        }
    }
    eprintln!("MINIMIZED:\n{}", script(&ops));
}
