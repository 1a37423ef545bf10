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
