//! move_pages on a two-node machine, invariants checked after every operation. Status codes as
//! Linux 6.18 reports them (kernel-oracle.md II.4, kernel-semantics.md §5); migration counters
//! from mm/migrate.c and mm/mlock.c (__munlock_folio of an isolated folio counts "stranded").

use mmlab_model::*;

mod common;
use common::*;

#[test]
fn move_pages_statuses_and_mlocked_migration() {
    let cfg = MachineConfig { nodes: 2, node_bytes: 64 << 20, ..MachineConfig::default() };
    let mut m = M::with(cfg);
    let Ok(Outcome::Pid(p)) = m.op(Op::Spawn) else { panic!() };
    let rw = Prot::READ | Prot::WRITE;
    let map = Op::Mmap {
        pid: p,
        addr: 0,
        len: 8 * PAGE_SIZE,
        prot: rw,
        flags: MapFlags::PRIVATE | MapFlags::ANONYMOUS,
        fd: -1,
        offset: 0,
    };
    let Ok(Outcome::Addr(a)) = m.op(map) else { panic!() };
    for i in 0..4 {
        m.op(Op::Write { pid: p, addr: a + i * PAGE_SIZE, value: 0x40 + i }).unwrap();
    }
    m.op(Op::Read { pid: p, addr: a + 4 * PAGE_SIZE }).unwrap();
    m.op(Op::Mlock { pid: p, addr: a, len: 2 * PAGE_SIZE }).unwrap();
    let pages = |n: u64| (0..n).map(|i| a + i * PAGE_SIZE).collect::<Vec<_>>();
    // Query: present pages on node 0, the zero page -EFAULT, untouched -ENOENT, unmapped -EFAULT.
    let mut addrs = pages(6);
    addrs.push(0x1000);
    let q = m.op(Op::MovePages { pid: p, addrs: addrs.clone(), nodes: vec![], flags: MpolFlags::empty() });
    assert_eq!(q, Ok(Outcome::Statuses(vec![0, 0, 0, 0, -14, -2, -14])));
    let before = m.0.vmstat();
    let mv = Op::MovePages { pid: p, addrs: pages(4), nodes: vec![1; 4], flags: MpolFlags::MOVE };
    assert_eq!(m.op(mv), Ok(Outcome::Statuses(vec![1, 1, 1, 1])));
    let after = m.0.vmstat();
    let delta = |n: &str| after.get(n).unwrap() - before.get(n).unwrap();
    assert_eq!(delta("pgmigrate_success"), 4);
    assert_eq!((delta("unevictable_pgs_stranded"), delta("unevictable_pgs_mlocked")), (2, 2));
    assert_eq!((delta("unevictable_pgs_rescued"), delta("unevictable_pgs_culled")), (2, 2));
    assert_eq!(m.0.meminfo().mlocked, 8);
    assert_eq!(m.0.node_meminfo(1).unwrap().anon_pages, 16);
    assert_eq!(m.0.node_meminfo(0).unwrap().anon_pages, 0);
    for i in 0..4 {
        assert_eq!(m.0.apply(&Op::Read { pid: p, addr: a + i * PAGE_SIZE }), Ok(Outcome::Value(0x40 + i)));
    }
    // Shared after fork: -EACCES without MOVE_ALL; already on the target node: the node.
    let Ok(Outcome::Pid(c)) = m.op(Op::Fork { pid: p }) else { panic!() };
    let mv = |flags| Op::MovePages { pid: c, addrs: pages(4), nodes: vec![0, 0, 0, 1], flags };
    assert_eq!(m.op(mv(MpolFlags::MOVE)), Ok(Outcome::Statuses(vec![-13, -13, -13, 1])));
    assert_eq!(m.op(mv(MpolFlags::MOVE_ALL)), Ok(Outcome::Statuses(vec![0, 0, 0, 1])));
    let bad = Op::MovePages { pid: p, addrs: pages(1), nodes: vec![2], flags: MpolFlags::MOVE };
    assert_eq!(m.op(bad), Err(Errno::ENODEV));
    m.op(Op::Exit { pid: c }).unwrap();
    m.op(Op::Exit { pid: p }).unwrap();
    assert_eq!(m.0.meminfo().mlocked, 0);
    assert_eq!(m.0.meminfo().mem_free, m.0.meminfo().mem_total);
}

/// A swapped-in page still in the swap cache (its slot is shared with a child) migrates with
/// its swap-cache entry: the slot points at the new page, NR_FILE_PAGES and NR_SWAPCACHE move
/// with it (folio_migrate_mapping). Found by thp_random (seed 1554 of 1..3000).
#[test]
fn a_swap_cache_page_migrates_with_its_slot() {
    let text = "machine nodes=2 node_mem=64M swap=32M\n\
                p = spawn\n\
                a = mmap p 0x600000600000 2M rw private,fixed,anonymous\n\
                write p a+1p 0x5\n\
                madvise p a+1p 1p pageout\n\
                c = fork p\n\
                read p a+1p => 0x5\n\
                expect meminfo SwapCached == 4 kB\n\
                move_pages p a+1p nodes=1 move => [1]\n\
                expect invariants violations == 0\n\
                expect meminfo node=1 FilePages == 4 kB\n\
                read c a+1p => 0x5\n\
                exit c\n\
                exit p\n\
                expect meminfo SwapFree == 32764 kB\n\
                expect invariants violations == 0\n";
    let script = script::parse(text).unwrap();
    let report = script::run(&script, &script::RunOptions::default());
    assert!(report.passed(), "{}", report.lines.join("\n"));
}
