//! Reclaim without swap: the file LRU only (mm/vmscan.c get_scan_count gives anon no share when
//! there is no swap). Lazyfree pages are discarded (pglazyfreed), clean and dirty file pages
//! are dropped after writeback, anon and shmem pages stay. Invariants after every operation.

use mmlab_model::*;

mod common;
use common::*;

#[test]
fn reclaim_drops_file_and_lazyfree_pages_only() {
    let mut m = M::new();
    let Ok(Outcome::Pid(p)) = m.op(Op::Spawn) else { panic!() };
    let rw = Prot::READ | Prot::WRITE;
    let Ok(Outcome::Fd(fd)) =
        m.op(Op::Open { pid: p, path: "/data".into(), flags: OpenFlags::RDWR | OpenFlags::CREAT })
    else {
        panic!()
    };
    m.op(Op::Ftruncate { pid: p, fd, len: 4 * PAGE_SIZE }).unwrap();
    let map = |flags, fd| Op::Mmap { pid: p, addr: 0, len: 4 * PAGE_SIZE, prot: rw, flags, fd, offset: 0 };
    let Ok(Outcome::Addr(f)) = m.op(map(MapFlags::SHARED, fd)) else { panic!() };
    let Ok(Outcome::Addr(a)) = m.op(map(MapFlags::PRIVATE | MapFlags::ANONYMOUS, -1)) else { panic!() };
    for i in 0..4 {
        m.op(Op::Write { pid: p, addr: f + i * PAGE_SIZE, value: 0x70 + i }).unwrap();
        m.op(Op::Write { pid: p, addr: a + i * PAGE_SIZE, value: 0x60 + i }).unwrap();
    }
    m.op(Op::Madvise { pid: p, addr: a, len: 2 * PAGE_SIZE, advice: Advice::FREE }).unwrap();
    assert_eq!(m.op(Op::Reclaim { nid: 0, pages: 100 }), Ok(Outcome::Count(6)));
    let st = m.0.status(p).unwrap();
    assert_eq!((st.rss_file, st.rss_anon), (0, 8));
    assert_eq!(m.0.vmstat().get("pglazyfreed"), Some(2));
    assert_eq!(m.0.meminfo().cached, 0);
    // Discarded lazyfree pages read back as zero; the file's data went to disk and comes back
    // with a major fault.
    assert_eq!(m.0.apply(&Op::Read { pid: p, addr: a }), Ok(Outcome::Value(0)));
    assert_eq!(m.0.apply(&Op::Read { pid: p, addr: a + 2 * PAGE_SIZE }), Ok(Outcome::Value(0x62)));
    let majflt = m.0.vmstat().get("pgmajfault").unwrap();
    assert_eq!(m.0.apply(&Op::Read { pid: p, addr: f + 3 * PAGE_SIZE }), Ok(Outcome::Value(0x73)));
    assert_eq!(m.0.vmstat().get("pgmajfault"), Some(majflt + 1));
    assert_eq!(m.op(Op::Reclaim { nid: 1, pages: 1 }), Err(Errno::EINVAL));
}

/// The allocator's direct reclaim counts as pgscan_direct/pgsteal_direct, never as kswapd's; with
/// a target of SWAP_CLUSTER_MAX it runs priorities 3..0 over 8 use-once page-cache pages (1, 1, 3
/// and 3 pages scanned) and frees them all, so the fault that needed a frame completes.
#[test]
fn direct_reclaim_counts_as_direct() {
    let mut m = M::with(MachineConfig { node_bytes: 256 << 10, ..MachineConfig::default() });
    let p = m.spawn();
    let Ok(Outcome::Fd(fd)) =
        m.op(Op::Open { pid: p, path: "/data".into(), flags: OpenFlags::RDWR | OpenFlags::CREAT })
    else {
        panic!()
    };
    m.op(Op::Ftruncate { pid: p, fd, len: 8 * PAGE_SIZE }).unwrap();
    for i in 0..8 {
        assert_eq!(m.op(Op::Pread { pid: p, fd, offset: i * PAGE_SIZE }), Ok(Outcome::Value(0)));
    }
    let a = m.anon(p, 64);
    let stat = |m: &M, name: &str| m.0.vmstat().get(name).unwrap();
    let mut written = 0;
    while stat(&m, "pgsteal_direct") == 0 {
        assert!(written < 64, "no direct reclaim");
        m.write(p, a + written * PAGE_SIZE, 0x100 + written);
        written += 1;
    }
    assert_eq!(stat(&m, "pgscan_direct"), 8);
    assert_eq!(stat(&m, "pgsteal_direct"), 8);
    assert_eq!(stat(&m, "pgscan_file"), 8);
    assert_eq!((stat(&m, "pgscan_kswapd"), stat(&m, "pgsteal_kswapd")), (0, 0));
    assert_eq!(stat(&m, "oom_kill"), 0);
    assert_eq!(m.0.meminfo().cached, 0);
    assert_eq!(m.read(p, a + (written - 1) * PAGE_SIZE), Ok(Outcome::Value(0x100 + written - 1)));
}

/// Reclaim meeting a page mapped in a VM_LOCKED VMA that was never mlocked (here left so by the
/// `lockonfault_skip_mapped` quirk, the pre-5.18 mlock2 bug) mlocks it: folio_referenced_one finds
/// the VM_LOCKED VMA and calls mlock_vma_folio, folio_check_references returns FOLIOREF_ACTIVATE,
/// activate_locked leaves the mlocked page inactive (no pgactivate) and putback culls it to the
/// unevictable list. Nothing is freed, and the invariants the quirk broke hold again.
#[test]
fn reclaim_mlocks_a_page_found_in_a_locked_vma() {
    let config = MachineConfig { quirks: vec!["lockonfault_skip_mapped".into()], ..MachineConfig::default() };
    let mut m = Machine::new(config).unwrap();
    let op = |m: &mut Machine, op: Op| m.apply(&op).unwrap();
    let Outcome::Pid(p) = op(&mut m, Op::Spawn) else { panic!() };
    let Outcome::Fd(fd) = op(&mut m, Op::Open { pid: p, path: "/f".into(), flags: OpenFlags::RDWR | OpenFlags::CREAT })
    else {
        panic!()
    };
    op(&mut m, Op::Ftruncate { pid: p, fd, len: 2 * PAGE_SIZE });
    let map =
        Op::Mmap { pid: p, addr: 0, len: 2 * PAGE_SIZE, prot: Prot::READ, flags: MapFlags::SHARED, fd, offset: 0 };
    let Outcome::Addr(a) = op(&mut m, map) else { panic!() };
    op(&mut m, Op::Touch { pid: p, addr: a, len: 2 * PAGE_SIZE, access: Access::Read });
    op(&mut m, Op::Mlock2 { pid: p, addr: a, len: 2 * PAGE_SIZE, flags: MlockFlags::ONFAULT });
    let broken: Vec<String> = m.check_invariants().into_iter().map(|v| v.invariant).collect();
    assert_eq!(broken, ["mlock_count", "mlocked-iff-locked-mapping", "mlock_count", "mlocked-iff-locked-mapping"]);
    assert_eq!(m.meminfo().mlocked, 0);
    assert_eq!(op(&mut m, Op::Reclaim { nid: 0, pages: 2 }), Outcome::Count(0));
    let stat = |m: &Machine, name: &str| m.vmstat().get(name).unwrap();
    // One page scanned at priority 1, the other at priority 0; none freed or activated.
    assert_eq!((stat(&m, "pgscan_kswapd"), stat(&m, "pgsteal_kswapd"), stat(&m, "pgactivate")), (2, 0, 0));
    assert_eq!((stat(&m, "unevictable_pgs_mlocked"), stat(&m, "unevictable_pgs_culled")), (2, 2));
    let mi = m.meminfo();
    assert_eq!((mi.mlocked, mi.unevictable, mi.inactive_file), (8, 8, 0));
    assert_eq!(m.check_invariants(), []);
    assert_eq!(m.status(p).unwrap().rss_file, 8);
}
