//! Zapping swap entries under zap details: Peter Xu's reproducer from "mm: don't skip swap entry
//! even if zap_details specified" (5abfd71d936a), with and without the `zap_details_skip_swap`
//! quirk that restores the code before it.

use mmlab_model::*;

const RW: Prot = Prot::READ.union(Prot::WRITE);

struct Reproducer {
    m: Machine,
    fd: Fd,
    buffer: u64,
}

/// memfd of two pages, MAP_PRIVATE, write the second page (an anon COW copy), MADV_PAGEOUT.
fn paged_out_cow(quirks: &[&str]) -> Reproducer {
    let config = MachineConfig {
        swap_bytes: 16 << 20,
        quirks: quirks.iter().map(|q| q.to_string()).collect(),
        ..MachineConfig::default()
    };
    let mut m = Machine::new(config).unwrap();
    let Ok(Outcome::Pid(p)) = m.apply(&Op::Spawn) else { panic!() };
    let Ok(Outcome::Fd(fd)) = m.apply(&Op::MemfdCreate { pid: p, name: "test".into(), flags: MemfdFlags::empty() })
    else {
        panic!()
    };
    m.apply(&Op::Ftruncate { pid: p, fd, len: 2 * PAGE_SIZE }).unwrap();
    let mmap = Op::Mmap { pid: p, addr: 0, len: 2 * PAGE_SIZE, prot: RW, flags: MapFlags::PRIVATE, fd, offset: 0 };
    let Ok(Outcome::Addr(buffer)) = m.apply(&mmap) else { panic!() };
    m.apply(&Op::Write { pid: p, addr: buffer + PAGE_SIZE, value: 1 }).unwrap();
    m.apply(&Op::Madvise { pid: p, addr: buffer, len: 2 * PAGE_SIZE, advice: Advice::PAGEOUT }).unwrap();
    assert_eq!(m.status(p).unwrap().vm_swap, 4);
    Reproducer { m, fd, buffer }
}

fn shrink_after_pageout(quirks: &[&str]) -> Reproducer {
    let mut r = paged_out_cow(quirks);
    r.m.apply(&Op::Ftruncate { pid: 1, fd: r.fd, len: PAGE_SIZE }).unwrap();
    r
}

fn regrow_and_read(r: &mut Reproducer) -> OpResult {
    r.m.apply(&Op::Ftruncate { pid: 1, fd: r.fd, len: 2 * PAGE_SIZE }).unwrap();
    r.m.apply(&Op::Read { pid: 1, addr: r.buffer + PAGE_SIZE })
}

fn violations(m: &Machine) -> Vec<String> {
    m.check_invariants().into_iter().map(|v| v.invariant).collect()
}

/// Truncation zaps the swapped COW copy (should_zap_cows): "Good".
#[test]
fn truncate_zaps_swapped_private_cow() {
    let mut r = shrink_after_pageout(&[]);
    assert_eq!(violations(&r.m), Vec::<String>::new());
    assert_eq!(r.m.status(1).unwrap().vm_swap, 0);
    assert_eq!(regrow_and_read(&mut r), Ok(Outcome::Value(0)));
}

/// Before 5.18 the swap entry survived the truncation: the checker sees it beyond EOF, and after
/// regrowing the file the old private data reads back ("BUG").
#[test]
fn quirk_zap_details_skip_swap_leaves_the_cow_behind() {
    let mut r = shrink_after_pageout(&["zap_details_skip_swap"]);
    assert_eq!(violations(&r.m), ["pte-beyond-eof"]);
    assert_eq!(r.m.status(1).unwrap().vm_swap, 4);
    assert_eq!(regrow_and_read(&mut r), Ok(Outcome::Value(1)));
}

/// A hole punch keeps private COW copies, swapped or not, with or without the quirk
/// (even_cows = false).
#[test]
fn hole_punch_keeps_swapped_private_cow() {
    for quirks in [&[][..], &["zap_details_skip_swap"][..]] {
        let mut r = paged_out_cow(quirks);
        let punch = Op::Fallocate {
            pid: 1,
            fd: r.fd,
            mode: FallocMode::PUNCH_HOLE | FallocMode::KEEP_SIZE,
            offset: 0,
            len: 2 * PAGE_SIZE,
        };
        r.m.apply(&punch).unwrap();
        assert_eq!(violations(&r.m), Vec::<String>::new());
        assert_eq!(r.m.status(1).unwrap().vm_swap, 4);
        assert_eq!(r.m.apply(&Op::Read { pid: 1, addr: r.buffer + PAGE_SIZE }), Ok(Outcome::Value(1)));
    }
}
