//! Reclaim without swap: the file LRU only (mm/vmscan.c get_scan_count gives anon no share when
//! there is no swap). Lazyfree pages are discarded (pglazyfreed), clean and dirty file pages
//! are dropped after writeback, anon and shmem pages stay. Invariants after every operation.

use mmlab_model::*;

fn apply(m: &mut Machine, op: Op) -> OpResult {
    let r = m.apply(&op);
    let v = m.check_invariants();
    assert!(v.is_empty(), "after {op:?} -> {r:?}: {v:#?}");
    r
}

#[test]
fn reclaim_drops_file_and_lazyfree_pages_only() {
    let mut m = Machine::new(MachineConfig::default()).unwrap();
    let Ok(Outcome::Pid(p)) = apply(&mut m, Op::Spawn) else { panic!() };
    let rw = Prot::READ | Prot::WRITE;
    let Ok(Outcome::Fd(fd)) =
        apply(&mut m, Op::Open { pid: p, path: "/data".into(), flags: OpenFlags::RDWR | OpenFlags::CREAT })
    else {
        panic!()
    };
    apply(&mut m, Op::Ftruncate { pid: p, fd, len: 4 * PAGE_SIZE }).unwrap();
    let map = |flags, fd| Op::Mmap { pid: p, addr: 0, len: 4 * PAGE_SIZE, prot: rw, flags, fd, offset: 0 };
    let Ok(Outcome::Addr(f)) = apply(&mut m, map(MapFlags::SHARED, fd)) else { panic!() };
    let Ok(Outcome::Addr(a)) = apply(&mut m, map(MapFlags::PRIVATE | MapFlags::ANONYMOUS, -1)) else { panic!() };
    for i in 0..4 {
        apply(&mut m, Op::Write { pid: p, addr: f + i * PAGE_SIZE, value: 0x70 + i }).unwrap();
        apply(&mut m, Op::Write { pid: p, addr: a + i * PAGE_SIZE, value: 0x60 + i }).unwrap();
    }
    apply(&mut m, Op::Madvise { pid: p, addr: a, len: 2 * PAGE_SIZE, advice: Advice::FREE }).unwrap();
    assert_eq!(apply(&mut m, Op::Reclaim { nid: 0, pages: 100 }), Ok(Outcome::Count(6)));
    let st = m.status(p).unwrap();
    assert_eq!((st.rss_file, st.rss_anon), (0, 8));
    assert_eq!(m.vmstat().get("pglazyfreed"), Some(2));
    assert_eq!(m.meminfo().cached, 0);
    // Discarded lazyfree pages read back as zero; the file's data went to disk and comes back
    // with a major fault.
    assert_eq!(m.apply(&Op::Read { pid: p, addr: a }), Ok(Outcome::Value(0)));
    assert_eq!(m.apply(&Op::Read { pid: p, addr: a + 2 * PAGE_SIZE }), Ok(Outcome::Value(0x62)));
    let majflt = m.vmstat().get("pgmajfault").unwrap();
    assert_eq!(m.apply(&Op::Read { pid: p, addr: f + 3 * PAGE_SIZE }), Ok(Outcome::Value(0x73)));
    assert_eq!(m.vmstat().get("pgmajfault"), Some(majflt + 1));
    assert_eq!(apply(&mut m, Op::Reclaim { nid: 1, pages: 1 }), Err(Errno::EINVAL));
}
