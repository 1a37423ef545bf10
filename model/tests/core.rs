//! Core behaviour of the model, with the invariant checker run after every operation.
//! Expected values come from Linux (kernel-oracle.md §2.1, §2.3, II.1, II.3 on 6.18.44).

use mmlab_model::*;

mod common;
use common::*;

#[test]
fn fork_halves_pss_and_cow_splits_it() {
    let mut m = M::new();
    let p = m.spawn();
    let a = m.anon(p, 16);
    for i in 0..10 {
        m.write(p, a + i * PAGE_SIZE, i + 1);
    }
    assert_eq!(m.smaps_at(p, a).mss.resident >> 10, 40);
    let c = m.fork(p);
    assert_eq!(pss_kb(m.smaps_at(p, a).mss.pss), 20);
    assert_eq!(m.smaps_at(c, a).mss.referenced, 0);
    assert_eq!(m.smaps_at(p, a).mss.referenced >> 10, 40);
    for i in 0..4 {
        m.write(c, a + i * PAGE_SIZE, 100 + i);
    }
    // kernel-oracle §2.1: Rss=40 Pss=28 Shared_Dirty=24 Private_Dirty=16 in both.
    for pid in [p, c] {
        let e = m.smaps_at(pid, a);
        assert_eq!((e.mss.resident >> 10, pss_kb(e.mss.pss)), (40, 28));
        assert_eq!((e.mss.shared_dirty >> 10, e.mss.private_dirty >> 10), (24, 16));
    }
    assert_eq!(m.read(p, a), Ok(Outcome::Value(1)));
    assert_eq!(m.read(c, a), Ok(Outcome::Value(100)));
    // The parent's page 0 is exclusive again: its write reuses the page.
    let before = m.0.pagemap(p, a, 1).unwrap()[0];
    assert!(before.exclusive());
    m.write(p, a, 7);
    assert_eq!(m.0.pagemap(p, a, 1).unwrap()[0].pfn(), before.pfn());
    m.op(Op::Exit { pid: c }).unwrap();
    assert_eq!(pss_kb(m.smaps_at(p, a).mss.pss), 40);
    m.op(Op::Exit { pid: p }).unwrap();
    assert_eq!(m.0.meminfo().anon_pages, 0);
}

#[test]
fn zero_page_reads_are_not_rss() {
    let mut m = M::new();
    let p = m.spawn();
    let a = m.anon(p, 4);
    assert_eq!(m.read(p, a), Ok(Outcome::Value(0)));
    let e = m.0.pagemap(p, a, 1).unwrap()[0];
    assert!(e.present() && !e.exclusive() && !e.file_shared());
    assert_eq!(m.smaps_at(p, a).mss.resident, 0);
    let k = m.0.kpage(e.pfn());
    assert_eq!(k.count, 0);
    assert!(k.flags.contains(KpageFlags::ZERO_PAGE));
    m.write(p, a, 5);
    assert_eq!(m.0.status(p).unwrap().rss_anon, 4);
    assert_eq!(m.0.vmstat().get("pgfault"), Some(2));
}

#[test]
fn memfd_punch_keeps_private_cows_and_truncate_removes_them() {
    let mut m = M::new();
    let p = m.spawn();
    let fd = match m.op(Op::MemfdCreate { pid: p, name: "x".into(), flags: MemfdFlags::empty() }) {
        Ok(Outcome::Fd(fd)) => fd,
        r => panic!("{r:?}"),
    };
    m.op(Op::Ftruncate { pid: p, fd, len: 16 * PAGE_SIZE }).unwrap();
    let map =
        |flags| Op::Mmap { pid: p, addr: 0, len: 16 * PAGE_SIZE, prot: Prot::READ | Prot::WRITE, flags, fd, offset: 0 };
    let Ok(Outcome::Addr(s)) = m.op(map(MapFlags::SHARED)) else { panic!() };
    let Ok(Outcome::Addr(q)) = m.op(map(MapFlags::PRIVATE)) else { panic!() };
    for i in 0..16 {
        m.write(p, s + i * PAGE_SIZE, 0x50);
    }
    let st = m.0.status(p).unwrap();
    assert_eq!(st.rss_shmem, 64);
    m.write(p, q, 0x51);
    assert_eq!(m.0.status(p).unwrap().rss_anon, 4);
    let punch = FallocMode::PUNCH_HOLE | FallocMode::KEEP_SIZE;
    m.op(Op::Fallocate { pid: p, fd, mode: punch, offset: 0, len: 8 * PAGE_SIZE }).unwrap();
    assert_eq!(m.0.status(p).unwrap().rss_shmem, 32);
    assert_eq!(m.0.meminfo().shmem, 32);
    assert_eq!(m.read(p, q), Ok(Outcome::Value(0x51)));
    assert_eq!(m.read(p, s), Ok(Outcome::Value(0)));
    m.op(Op::Ftruncate { pid: p, fd, len: 0 }).unwrap();
    assert_eq!(m.0.status(p).unwrap().rss_anon, 0);
    assert_eq!(m.read(p, q), Ok(Outcome::Signal(Signal::Bus)));
    m.op(Op::Exit { pid: p }).unwrap();
    assert_eq!(m.0.meminfo().shmem, 0);
    assert_eq!(m.0.meminfo().mem_free, m.0.meminfo().mem_total);
}

#[test]
fn mprotect_splits_and_merges_back() {
    let mut m = M::new();
    let p = m.spawn();
    let a = m.anon(p, 16);
    m.write(p, a, 1);
    let mp = |prot| Op::Mprotect { pid: p, addr: a + 4 * PAGE_SIZE, len: 4 * PAGE_SIZE, prot };
    m.op(mp(Prot::READ)).unwrap();
    assert_eq!(m.0.maps(p).unwrap().len(), 3);
    m.op(mp(Prot::READ | Prot::WRITE)).unwrap();
    assert_eq!(m.0.maps(p).unwrap().len(), 1);
    assert_eq!(m.op(Op::Write { pid: p, addr: a + 5 * PAGE_SIZE, value: 1 }), Ok(Outcome::Done));
    assert_eq!(m.op(Op::Munmap { pid: p, addr: a + 1, len: 4096 }), Err(Errno::EINVAL));
}

/// MREMAP_DONTUNMAP of part of a VMA moves its pages but leaves the source VMA whole (checked on
/// Linux 6.18.44: the 2-page source stays one VMA whichever page moves).
#[test]
fn dontunmap_of_part_of_a_vma_does_not_split_it() {
    let mut m = M::new();
    let p = m.spawn();
    let a = m.anon(p, 2);
    m.touch(p, a, 2);
    m.write(p, a, 0x11);
    let flags = MremapFlags::MAYMOVE | MremapFlags::DONTUNMAP;
    let op = Op::Mremap { pid: p, old_addr: a, old_len: PAGE_SIZE, new_len: PAGE_SIZE, flags, new_addr: 0 };
    let Ok(Outcome::Addr(b)) = m.op(op) else { panic!() };
    let maps = m.0.maps(p).unwrap();
    assert_eq!(maps.len(), 2);
    assert!(maps.iter().any(|e| e.start == a && e.end == a + 2 * PAGE_SIZE));
    assert_eq!(m.read(p, b), Ok(Outcome::Value(0x11)));
    assert_eq!(m.read(p, a), Ok(Outcome::Value(0)));
}
