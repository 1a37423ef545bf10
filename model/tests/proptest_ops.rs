//! Random operation sequences against the model.
//!
//! The generator produces abstract operations ("write to mapping #i page j", "fork process #p",
//! ...) that an interpreter resolves against the live state of the machine: pids, mapping
//! addresses and fds are taken from the results of earlier operations (and from /proc/PID/maps),
//! indices are taken modulo the live set. A few fully random raw operations with arbitrary
//! addresses, lengths and flags are mixed in to check that nothing panics.
//!
//! `ops_keep_invariants` checks every invariant after every operation and a clean teardown at the
//! end; `ops_are_deterministic` applies the same sequence to two fresh machines and compares
//! everything observable.

use std::collections::BTreeMap;

use mmlab_model::*;
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Longest generated sequence of abstract operations.
const MAX_OPS: usize = 60;
/// Most pages a structured operation covers.
const MAX_SPAN: u64 = 64;
/// Longest range a raw operation may touch or populate with madvise.
const MAX_FAULT_RANGE: u64 = 256 * PAGE_SIZE;
/// Largest mapping a raw mmap or mremap may create: lengths between this and TASK_SIZE are taken
/// modulo it. Read faults of private anonymous memory map the zero page and allocate no frame, so
/// populating (MAP_POPULATE, mlock, mlockall, MAP_LOCKED, ...) a huge read-only mapping would
/// only be bounded by page-table memory and cost minutes; invalid huge lengths stay as they are.
const MAX_RAW_MAP: u64 = 4 << 20;
/// `mm->mmap_base` of the model: top-down mmaps end just below it.
const MMAP_BASE: u64 = 0x7f00_0000_0000;
/// TASK_SIZE on x86_64.
const TASK_SIZE: u64 = 0x7fff_ffff_f000;

// ---------------------------------------------------------------------------------------------
// Abstract operations.

/// Where an mmap goes.
#[derive(Clone, Debug)]
enum Place {
    /// addr 0: the kernel picks.
    Any,
    /// A hint at page `page` of mapping `m`.
    Hint { m: usize, page: u64 },
    /// MAP_FIXED at page `page` of mapping `m` (replacing what is there).
    Fixed { m: usize, page: u64 },
    /// MAP_FIXED_NOREPLACE at page `page` of mapping `m`.
    NoReplace { m: usize, page: u64 },
}

/// What an mmap maps.
#[derive(Clone, Copy, Debug)]
enum Kind {
    PrivateAnon,
    SharedAnon,
    /// A private mapping of tracked fd #f (memfd or regular file).
    PrivateFile {
        f: usize,
    },
    /// A shared mapping of tracked fd #f.
    SharedFile {
        f: usize,
    },
}

#[derive(Clone, Copy, Debug)]
enum Remap {
    Shrink,
    /// Grow without MREMAP_MAYMOVE (in place or ENOMEM).
    GrowInPlace,
    /// Grow with MREMAP_MAYMOVE.
    GrowMove,
    /// MREMAP_MAYMOVE|MREMAP_FIXED to page `page` of mapping `m2`, or far away when `m2` is
    /// the same mapping (the ranges must not overlap).
    Fixed {
        m2: usize,
        page: u64,
    },
    /// MREMAP_MAYMOVE|MREMAP_DONTUNMAP, same length.
    DontUnmap,
}

#[derive(Clone, Debug)]
enum AOp {
    Spawn,
    Fork {
        p: usize,
    },
    Exit {
        p: usize,
    },
    Mmap {
        p: usize,
        kind: Kind,
        pages: u64,
        prot: u32,
        populate: bool,
        place: Place,
        off_pages: u64,
    },
    Write {
        p: usize,
        m: usize,
        page: u64,
        value: u64,
    },
    Read {
        p: usize,
        m: usize,
        page: u64,
    },
    Touch {
        p: usize,
        m: usize,
        first: u64,
        n: u64,
        write: bool,
    },
    Munmap {
        p: usize,
        m: usize,
        first: u64,
        n: u64,
    },
    Mprotect {
        p: usize,
        m: usize,
        first: u64,
        n: u64,
        prot: u32,
    },
    Mremap {
        p: usize,
        m: usize,
        first: u64,
        n: u64,
        new_pages: u64,
        how: Remap,
    },
    Madvise {
        p: usize,
        m: usize,
        first: u64,
        n: u64,
        advice: usize,
    },
    /// memfd_create followed by ftruncate to `pages` pages.
    Memfd {
        p: usize,
        pages: u64,
        sealing: bool,
    },
    /// ftruncate of tracked fd #f to `bytes`.
    Ftruncate {
        p: usize,
        f: usize,
        bytes: u64,
    },
    /// fallocate(PUNCH_HOLE|KEEP_SIZE) of `len` bytes at `offset`.
    Punch {
        p: usize,
        f: usize,
        offset: u64,
        len: u64,
    },
    /// fallocate mode 0 or KEEP_SIZE.
    Preallocate {
        p: usize,
        f: usize,
        first: u64,
        n: u64,
        keep_size: bool,
    },
    Close {
        p: usize,
        f: usize,
    },
    /// open of a regular file, then pwrite of a few pages through the new fd.
    OpenWrite {
        p: usize,
        path: usize,
        flags: u32,
        writes: Vec<(u64, u64)>,
    },
    Pwrite {
        p: usize,
        f: usize,
        page: u64,
        value: u64,
    },
    Pread {
        p: usize,
        f: usize,
        page: u64,
    },
    /// mlock (`how` 0), mlock2(MLOCK_ONFAULT) (1) or mlock2(0) (2) of part of mapping #m.
    Mlock {
        p: usize,
        m: usize,
        first: u64,
        n: u64,
        how: u8,
    },
    Munlock {
        p: usize,
        m: usize,
        first: u64,
        n: u64,
    },
    Mlockall {
        p: usize,
        flags: u32,
    },
    Munlockall {
        p: usize,
    },
    SetMemlockLimit {
        p: usize,
        bytes: u64,
    },
    SetCapIpcLock {
        p: usize,
        on: bool,
    },
    /// move_pages of `n` pages of mapping #m to `nodes` modulo the node count (a status query
    /// when `query`).
    MovePages {
        p: usize,
        m: usize,
        first: u64,
        n: u64,
        nodes: Vec<u32>,
        query: bool,
        flags: u32,
    },
    /// Reclaim on node `nid` modulo the node count.
    Reclaim {
        nid: u32,
        pages: u64,
    },
    /// One full khugepaged scan.
    Khugepaged,
    Raw(RawOp),
}

/// A pid for a raw operation.
#[derive(Clone, Copy, Debug)]
enum PidSel {
    Live(usize),
    Any(Pid),
}

/// An fd for a raw operation.
#[derive(Clone, Copy, Debug)]
enum FdSel {
    Live(usize),
    Any(Fd),
}

/// An address for a raw operation.
#[derive(Clone, Copy, Debug)]
enum AddrSel {
    Any(u64),
    /// `delta` bytes from the start of mapping #m (wrapping).
    Near {
        m: usize,
        delta: i64,
    },
}

/// A fully random operation: arbitrary addresses, lengths, flags and values.
#[derive(Clone, Debug)]
enum RawOp {
    Spawn,
    Fork(PidSel),
    Exit(PidSel),
    Mmap { p: PidSel, addr: AddrSel, len: u64, prot: u32, flags: u32, fd: FdSel, offset: u64 },
    Munmap { p: PidSel, addr: AddrSel, len: u64 },
    Mprotect { p: PidSel, addr: AddrSel, len: u64, prot: u32 },
    Mremap { p: PidSel, addr: AddrSel, old_len: u64, new_len: u64, flags: u32, new_addr: AddrSel },
    Madvise { p: PidSel, addr: AddrSel, len: u64, advice: i32 },
    Read { p: PidSel, addr: AddrSel },
    Write { p: PidSel, addr: AddrSel, value: u64 },
    Touch { p: PidSel, addr: AddrSel, len: u64, write: bool },
    MemfdCreate { p: PidSel, name: String, flags: u32 },
    Open { p: PidSel, path: String, flags: u32 },
    Pwrite { p: PidSel, fd: FdSel, offset: u64, value: u64 },
    Pread { p: PidSel, fd: FdSel, offset: u64 },
    Ftruncate { p: PidSel, fd: FdSel, len: u64 },
    Fallocate { p: PidSel, fd: FdSel, mode: u32, offset: u64, len: u64 },
    Close { p: PidSel, fd: FdSel },
    Mlock { p: PidSel, addr: AddrSel, len: u64 },
    Mlock2 { p: PidSel, addr: AddrSel, len: u64, flags: u32 },
    Munlock { p: PidSel, addr: AddrSel, len: u64 },
    Mlockall { p: PidSel, flags: u32 },
    Munlockall(PidSel),
    SetMemlockLimit { p: PidSel, bytes: u64 },
    SetCapIpcLock { p: PidSel, on: bool },
    MovePages { p: PidSel, addrs: Vec<AddrSel>, nodes: Vec<u32>, flags: u32 },
    Reclaim { nid: u32, pages: u64 },
}

// ---------------------------------------------------------------------------------------------
// Strategies.

fn idx() -> impl Strategy<Value = usize> {
    0usize..64
}

fn page_no() -> impl Strategy<Value = u64> {
    0u64..128
}

fn prot_bits() -> impl Strategy<Value = u32> {
    prop_oneof![
        12 => Just(3u32),
        2 => Just(1u32),
        1 => Just(0u32),
        1 => 0u32..8,
    ]
}

/// Byte counts a raw operation uses: mostly page-ish, sometimes anything.
fn raw_len() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => (0u64..=64).prop_map(|p| p * PAGE_SIZE),
        2 => 0u64..(64 * PAGE_SIZE),
        1 => prop::sample::select(vec![
            0,
            1,
            PAGE_SIZE - 1,
            1 << 21,
            1 << 30,
            1 << 47,
            TASK_SIZE,
            i64::MAX as u64,
            u64::MAX - PAGE_SIZE + 2,
            u64::MAX,
        ]),
        1 => any::<u64>(),
    ]
}

/// Arbitrary addresses, biased towards interesting ones.
fn raw_addr_value() -> impl Strategy<Value = u64> {
    prop_oneof![
        2 => prop::sample::select(vec![
            0,
            1,
            PAGE_SIZE,
            0x10000 - PAGE_SIZE,
            0x10000,
            MMAP_BASE - 64 * PAGE_SIZE,
            MMAP_BASE,
            TASK_SIZE - PAGE_SIZE,
            TASK_SIZE,
            TASK_SIZE + PAGE_SIZE,
            1 << 63,
            u64::MAX - PAGE_SIZE + 1,
            u64::MAX,
        ]),
        2 => (0u64..512).prop_map(|p| MMAP_BASE - p * PAGE_SIZE),
        1 => any::<u64>(),
    ]
}

fn addr_sel() -> impl Strategy<Value = AddrSel> {
    prop_oneof![
        3 => (idx(), -32i64..96, 0i64..3).prop_map(|(m, pages, odd)| AddrSel::Near {
            m,
            delta: pages * PAGE_SIZE as i64 + [0, 1, PAGE_SIZE as i64 - 1][odd as usize],
        }),
        1 => raw_addr_value().prop_map(AddrSel::Any),
    ]
}

fn pid_sel() -> impl Strategy<Value = PidSel> {
    prop_oneof![
        6 => idx().prop_map(PidSel::Live),
        1 => prop::sample::select(vec![0u32, 1, 2, 1000, u32::MAX]).prop_map(PidSel::Any),
    ]
}

fn fd_sel() -> impl Strategy<Value = FdSel> {
    prop_oneof![
        6 => idx().prop_map(FdSel::Live),
        1 => prop::sample::select(vec![-1i32, 0, 1, 2, 3, 4, 1023, 1024, i32::MAX, i32::MIN]).prop_map(FdSel::Any),
    ]
}

fn raw_flags() -> impl Strategy<Value = u32> {
    prop_oneof![
        3 => prop::sample::subsequence(
            vec![0x01u32, 0x02, 0x03, 0x10, 0x20, 0x100, 0x2000, 0x4000, 0x8000, 0x10000, 0x40000, 0x80000, 0x100000],
            0..5
        )
        .prop_map(|v| v.into_iter().fold(0, |a, b| a | b)),
        1 => any::<u32>(),
    ]
}

fn raw_op() -> impl Strategy<Value = RawOp> {
    prop_oneof![
        Just(RawOp::Spawn),
        pid_sel().prop_map(RawOp::Fork),
        pid_sel().prop_map(RawOp::Exit),
        (pid_sel(), addr_sel(), raw_len(), prop_oneof![prot_bits(), any::<u32>()], raw_flags(), fd_sel(), raw_len())
            .prop_map(|(p, addr, len, prot, flags, fd, offset)| RawOp::Mmap { p, addr, len, prot, flags, fd, offset }),
        (pid_sel(), addr_sel(), raw_len()).prop_map(|(p, addr, len)| RawOp::Munmap { p, addr, len }),
        (pid_sel(), addr_sel(), raw_len(), prop_oneof![prot_bits(), any::<u32>()])
            .prop_map(|(p, addr, len, prot)| RawOp::Mprotect { p, addr, len, prot }),
        (pid_sel(), addr_sel(), raw_len(), raw_len(), prop_oneof![0u32..8, any::<u32>()], addr_sel()).prop_map(
            |(p, addr, old_len, new_len, flags, new_addr)| RawOp::Mremap { p, addr, old_len, new_len, flags, new_addr }
        ),
        (pid_sel(), addr_sel(), raw_len(), prop_oneof![-2i32..30, any::<i32>()])
            .prop_map(|(p, addr, len, advice)| RawOp::Madvise { p, addr, len, advice }),
        (pid_sel(), addr_sel()).prop_map(|(p, addr)| RawOp::Read { p, addr }),
        (pid_sel(), addr_sel(), any::<u64>()).prop_map(|(p, addr, value)| RawOp::Write { p, addr, value }),
        (pid_sel(), addr_sel(), raw_len(), any::<bool>()).prop_map(|(p, addr, len, write)| RawOp::Touch {
            p,
            addr,
            len,
            write
        }),
        (
            pid_sel(),
            prop::sample::select(
                ["", "x", "a/b", "nul\0"]
                    .map(String::from)
                    .into_iter()
                    .chain(["n".repeat(249), "n".repeat(250)])
                    .collect::<Vec<_>>()
            ),
            prop_oneof![0u32..32, any::<u32>()]
        )
            .prop_map(|(p, name, flags)| RawOp::MemfdCreate { p, name, flags }),
        (
            pid_sel(),
            prop::sample::select(vec!["", "/r0", "/r1", "/new"]),
            prop_oneof![0u32..4, Just(0o102u32), any::<u32>()]
        )
            .prop_map(|(p, path, flags)| RawOp::Open { p, path: path.to_string(), flags }),
        (pid_sel(), fd_sel(), raw_len(), any::<u64>()).prop_map(|(p, fd, offset, value)| RawOp::Pwrite {
            p,
            fd,
            offset,
            value
        }),
        (pid_sel(), fd_sel(), raw_len()).prop_map(|(p, fd, offset)| RawOp::Pread { p, fd, offset }),
        (pid_sel(), fd_sel(), raw_len()).prop_map(|(p, fd, len)| RawOp::Ftruncate { p, fd, len }),
        (pid_sel(), fd_sel(), prop_oneof![0u32..0x80, any::<u32>()], raw_len(), raw_len())
            .prop_map(|(p, fd, mode, offset, len)| RawOp::Fallocate { p, fd, mode, offset, len }),
        (pid_sel(), fd_sel()).prop_map(|(p, fd)| RawOp::Close { p, fd }),
        raw_mlock_op(),
    ]
}

fn raw_mlock_op() -> impl Strategy<Value = RawOp> {
    let node = || prop_oneof![4 => 0u32..4, 1 => any::<u32>()];
    prop_oneof![
        (pid_sel(), addr_sel(), raw_len()).prop_map(|(p, addr, len)| RawOp::Mlock { p, addr, len }),
        (pid_sel(), addr_sel(), raw_len(), prop_oneof![0u32..3, any::<u32>()])
            .prop_map(|(p, addr, len, flags)| RawOp::Mlock2 { p, addr, len, flags }),
        (pid_sel(), addr_sel(), raw_len()).prop_map(|(p, addr, len)| RawOp::Munlock { p, addr, len }),
        (pid_sel(), prop_oneof![0u32..16, any::<u32>()]).prop_map(|(p, flags)| RawOp::Mlockall { p, flags }),
        pid_sel().prop_map(RawOp::Munlockall),
        (pid_sel(), prop_oneof![raw_len(), Just(u64::MAX)]).prop_map(|(p, bytes)| RawOp::SetMemlockLimit { p, bytes }),
        (pid_sel(), any::<bool>()).prop_map(|(p, on)| RawOp::SetCapIpcLock { p, on }),
        (
            pid_sel(),
            prop::collection::vec(addr_sel(), 0..6),
            prop::collection::vec(node(), 0..6),
            prop_oneof![Just(0u32), Just(2), Just(4), any::<u32>()]
        )
            .prop_map(|(p, addrs, nodes, flags)| RawOp::MovePages { p, addrs, nodes, flags }),
        (node(), raw_len()).prop_map(|(nid, pages)| RawOp::Reclaim { nid, pages }),
    ]
}

fn place() -> impl Strategy<Value = Place> {
    prop_oneof![
        6 => Just(Place::Any),
        1 => (idx(), page_no()).prop_map(|(m, page)| Place::Hint { m, page }),
        3 => (idx(), page_no()).prop_map(|(m, page)| Place::Fixed { m, page }),
        1 => (idx(), page_no()).prop_map(|(m, page)| Place::NoReplace { m, page }),
    ]
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        5 => Just(Kind::PrivateAnon),
        2 => Just(Kind::SharedAnon),
        2 => idx().prop_map(|f| Kind::PrivateFile { f }),
        2 => idx().prop_map(|f| Kind::SharedFile { f }),
    ]
}

fn remap() -> impl Strategy<Value = Remap> {
    prop_oneof![
        Just(Remap::Shrink),
        Just(Remap::GrowInPlace),
        Just(Remap::GrowMove),
        (idx(), page_no()).prop_map(|(m2, page)| Remap::Fixed { m2, page }),
        Just(Remap::DontUnmap),
    ]
}

fn aop() -> impl Strategy<Value = AOp> {
    let span = || 0u64..MAX_SPAN;
    prop_oneof![
        2 => Just(AOp::Spawn),
        3 => idx().prop_map(|p| AOp::Fork { p }),
        2 => idx().prop_map(|p| AOp::Exit { p }),
        10 => (idx(), kind(), 1u64..=48, prot_bits(), prop::bool::weighted(0.15), place(), 0u64..8).prop_map(
            |(p, kind, pages, prot, populate, place, off_pages)| AOp::Mmap {
                p,
                kind,
                pages,
                prot,
                populate,
                place,
                off_pages
            }
        ),
        12 => (idx(), idx(), page_no(), any::<u64>()).prop_map(|(p, m, page, value)| AOp::Write { p, m, page, value }),
        4 => (idx(), idx(), page_no()).prop_map(|(p, m, page)| AOp::Read { p, m, page }),
        5 => (idx(), idx(), page_no(), span(), any::<bool>())
            .prop_map(|(p, m, first, n, write)| AOp::Touch { p, m, first, n, write }),
        4 => (idx(), idx(), page_no(), span()).prop_map(|(p, m, first, n)| AOp::Munmap { p, m, first, n }),
        4 => (idx(), idx(), page_no(), span(), prot_bits())
            .prop_map(|(p, m, first, n, prot)| AOp::Mprotect { p, m, first, n, prot }),
        4 => (idx(), idx(), page_no(), span(), 0u64..=96, remap())
            .prop_map(|(p, m, first, n, new_pages, how)| AOp::Mremap { p, m, first, n, new_pages, how }),
        5 => (idx(), idx(), page_no(), span(), 0usize..Advice::NAMED.len() + 1)
            .prop_map(|(p, m, first, n, advice)| AOp::Madvise { p, m, first, n, advice }),
        3 => (idx(), 0u64..=32, any::<bool>()).prop_map(|(p, pages, sealing)| AOp::Memfd { p, pages, sealing }),
        2 => (idx(), idx(), prop_oneof![(0u64..=40).prop_map(|p| p * PAGE_SIZE), 0u64..(40 * PAGE_SIZE)])
            .prop_map(|(p, f, bytes)| AOp::Ftruncate { p, f, bytes }),
        2 => (idx(), idx(), 0u64..(40 * PAGE_SIZE), 1u64..(20 * PAGE_SIZE))
            .prop_map(|(p, f, offset, len)| AOp::Punch { p, f, offset, len }),
        1 => (idx(), idx(), 0u64..40, 1u64..16, any::<bool>())
            .prop_map(|(p, f, first, n, keep_size)| AOp::Preallocate { p, f, first, n, keep_size }),
        2 => (idx(), idx()).prop_map(|(p, f)| AOp::Close { p, f }),
        2 => (
            idx(),
            0usize..3,
            prop::sample::select(vec![0o102u32, 0o102, 0o102, 0o1102, 0o100, 0o101, 0o2, 0o0]),
            prop::collection::vec((0u64..24, any::<u64>()), 0..4)
        )
            .prop_map(|(p, path, flags, writes)| AOp::OpenWrite { p, path, flags, writes }),
        2 => (idx(), idx(), 0u64..40, any::<u64>()).prop_map(|(p, f, page, value)| AOp::Pwrite { p, f, page, value }),
        1 => (idx(), idx(), 0u64..40).prop_map(|(p, f, page)| AOp::Pread { p, f, page }),
        3 => raw_op().prop_map(AOp::Raw),
        6 => mlock_aop(),
    ]
}

/// The mlock family, move_pages and reclaim.
fn mlock_aop() -> impl Strategy<Value = AOp> {
    let span = || 0u64..MAX_SPAN;
    prop_oneof![
        4 => (idx(), idx(), page_no(), span(), 0u8..3)
            .prop_map(|(p, m, first, n, how)| AOp::Mlock { p, m, first, n, how }),
        2 => (idx(), idx(), page_no(), span()).prop_map(|(p, m, first, n)| AOp::Munlock { p, m, first, n }),
        1 => (idx(), prop::sample::select(vec![1u32, 2, 3, 5, 6, 7])).prop_map(|(p, flags)| AOp::Mlockall { p, flags }),
        1 => idx().prop_map(|p| AOp::Munlockall { p }),
        1 => (idx(), prop::sample::select(vec![0u64, PAGE_SIZE, 16 * PAGE_SIZE, 8 << 20, u64::MAX]))
            .prop_map(|(p, bytes)| AOp::SetMemlockLimit { p, bytes }),
        1 => (idx(), any::<bool>()).prop_map(|(p, on)| AOp::SetCapIpcLock { p, on }),
        3 => (
            idx(),
            idx(),
            page_no(),
            0u64..8,
            prop::collection::vec(0u32..4, 8),
            prop::bool::weighted(0.3),
            prop::sample::select(vec![0u32, 2, 4])
        )
            .prop_map(|(p, m, first, n, nodes, query, flags)| AOp::MovePages { p, m, first, n, nodes, query, flags }),
        2 => (0u32..4, prop_oneof![0u64..32, Just(u64::MAX)]).prop_map(|(nid, pages)| AOp::Reclaim { nid, pages }),
        2 => Just(AOp::Khugepaged),
    ]
}

/// A machine configuration: small memory so that OOM paths are reachable, 1-3 nodes, and no
/// swap, a little (so that it fills up) or plenty.
fn config() -> impl Strategy<Value = MachineConfig> {
    (
        1u32..=3,
        prop::sample::select(vec![64u64 << 10, 1 << 20, 2 << 20, 4 << 20]),
        0usize..3,
        prop::sample::select(vec![0u64, 8 * PAGE_SIZE, 4 << 20]),
        prop::sample::select(vec![(511u32, 64u32, 256u32), (0, 0, 0), (480, 8, 1)]),
        // THP reservations off (twice as likely), plain-THP threshold 1, and thresholds that
        // promote after 2 and 64 mapped pages.
        prop::sample::select(vec![None, None, Some(1u32), Some(2), Some(64)]),
        prop::bool::weighted(0.2),
        // Readahead off, a 4-page window, Linux's default and this VM's disk.
        prop::sample::select(vec![0u32, 16, 128, 8192]),
    )
        .prop_map(
            |(
                nodes,
                node_bytes,
                thp,
                swap_bytes,
                (max_ptes_none, max_ptes_swap, max_ptes_shared),
                promotion_threshold,
                read_quirk,
                read_ahead_kb,
            )| {
                let quirks = if read_quirk && promotion_threshold.is_some() {
                    vec![mmlab_model::config::QUIRK_THP_RESERVE_ON_READ_FAULT.to_string()]
                } else {
                    Vec::new()
                };
                MachineConfig {
                    promotion_threshold,
                    quirks,
                    nodes,
                    node_bytes,
                    swap_bytes,
                    thp: [ThpMode::Never, ThpMode::Madvise, ThpMode::Always][thp],
                    max_ptes_none,
                    max_ptes_swap,
                    max_ptes_shared,
                    read_ahead_kb,
                    ..MachineConfig::default()
                }
            },
        )
}

fn scenario() -> impl Strategy<Value = (MachineConfig, Vec<AOp>)> {
    (config(), prop::collection::vec(aop(), 1..=MAX_OPS))
}

// ---------------------------------------------------------------------------------------------
// The interpreter.

/// What the interpreter knows about one live process.
#[derive(Clone, Debug, Default)]
struct ProcState {
    /// (addr, len) of every mapping an mmap or mremap returned, in order (stale ones stay).
    regions: Vec<(u64, u64)>,
    /// Every fd memfd_create or open returned and not closed.
    fds: Vec<Fd>,
}

/// Applies operations to a machine and keeps the log.
struct Run {
    m: Machine,
    live: Vec<Pid>,
    procs: BTreeMap<Pid, ProcState>,
    ops: Vec<Op>,
    results: Vec<OpResult>,
    check: bool,
    memfds: u32,
}

/// A raw mmap or mremap length: valid lengths above [`MAX_RAW_MAP`] are taken modulo it.
fn bound_map_len(len: u64) -> u64 {
    if len > MAX_RAW_MAP && len <= TASK_SIZE { len % MAX_RAW_MAP } else { len }
}

/// An operation as Rust source.
fn rust(op: &Op) -> String {
    match op {
        Op::Spawn => "Op::Spawn".to_string(),
        Op::Fork { pid } => format!("Op::Fork {{ pid: {pid} }}"),
        Op::Exit { pid } => format!("Op::Exit {{ pid: {pid} }}"),
        Op::Mmap { pid, addr, len, prot, flags, fd, offset } => format!(
            "Op::Mmap {{ pid: {pid}, addr: {addr:#x}, len: {len:#x}, prot: Prot::from_bits_retain({:#x}), \
             flags: MapFlags::from_bits_retain({:#x}), fd: {fd}, offset: {offset:#x} }}",
            prot.bits(),
            flags.bits()
        ),
        Op::Munmap { pid, addr, len } => format!("Op::Munmap {{ pid: {pid}, addr: {addr:#x}, len: {len:#x} }}"),
        Op::Mprotect { pid, addr, len, prot } => format!(
            "Op::Mprotect {{ pid: {pid}, addr: {addr:#x}, len: {len:#x}, prot: Prot::from_bits_retain({:#x}) }}",
            prot.bits()
        ),
        Op::Mremap { pid, old_addr, old_len, new_len, flags, new_addr } => format!(
            "Op::Mremap {{ pid: {pid}, old_addr: {old_addr:#x}, old_len: {old_len:#x}, new_len: {new_len:#x}, \
             flags: MremapFlags::from_bits_retain({:#x}), new_addr: {new_addr:#x} }}",
            flags.bits()
        ),
        Op::Madvise { pid, addr, len, advice } => {
            format!("Op::Madvise {{ pid: {pid}, addr: {addr:#x}, len: {len:#x}, advice: Advice({}) }}", advice.0)
        }
        Op::Read { pid, addr } => format!("Op::Read {{ pid: {pid}, addr: {addr:#x} }}"),
        Op::Write { pid, addr, value } => format!("Op::Write {{ pid: {pid}, addr: {addr:#x}, value: {value:#x} }}"),
        Op::Touch { pid, addr, len, access } => {
            format!("Op::Touch {{ pid: {pid}, addr: {addr:#x}, len: {len:#x}, access: Access::{access:?} }}")
        }
        Op::MemfdCreate { pid, name, flags } => format!(
            "Op::MemfdCreate {{ pid: {pid}, name: {name:?}.into(), flags: MemfdFlags::from_bits_retain({:#x}) }}",
            flags.bits()
        ),
        Op::Open { pid, path, flags } => format!(
            "Op::Open {{ pid: {pid}, path: {path:?}.into(), flags: OpenFlags::from_bits_retain({:#o}) }}",
            flags.bits()
        ),
        Op::Pwrite { pid, fd, offset, value } => {
            format!("Op::Pwrite {{ pid: {pid}, fd: {fd}, offset: {offset:#x}, value: {value:#x} }}")
        }
        Op::Pread { pid, fd, offset } => format!("Op::Pread {{ pid: {pid}, fd: {fd}, offset: {offset:#x} }}"),
        Op::Ftruncate { pid, fd, len } => format!("Op::Ftruncate {{ pid: {pid}, fd: {fd}, len: {len:#x} }}"),
        Op::Fallocate { pid, fd, mode, offset, len } => format!(
            "Op::Fallocate {{ pid: {pid}, fd: {fd}, mode: FallocMode::from_bits_retain({:#x}), offset: {offset:#x}, \
             len: {len:#x} }}",
            mode.bits()
        ),
        Op::Close { pid, fd } => format!("Op::Close {{ pid: {pid}, fd: {fd} }}"),
        Op::Mlock { pid, addr, len } => format!("Op::Mlock {{ pid: {pid}, addr: {addr:#x}, len: {len:#x} }}"),
        Op::Mlock2 { pid, addr, len, flags } => format!(
            "Op::Mlock2 {{ pid: {pid}, addr: {addr:#x}, len: {len:#x}, flags: MlockFlags::from_bits_retain({:#x}) }}",
            flags.bits()
        ),
        Op::Munlock { pid, addr, len } => format!("Op::Munlock {{ pid: {pid}, addr: {addr:#x}, len: {len:#x} }}"),
        Op::Mlockall { pid, flags } => {
            format!("Op::Mlockall {{ pid: {pid}, flags: MclFlags::from_bits_retain({:#x}) }}", flags.bits())
        }
        Op::Munlockall { pid } => format!("Op::Munlockall {{ pid: {pid} }}"),
        Op::SetMemlockLimit { pid, bytes } => format!("Op::SetMemlockLimit {{ pid: {pid}, bytes: {bytes:#x} }}"),
        Op::SetCapIpcLock { pid, on } => format!("Op::SetCapIpcLock {{ pid: {pid}, on: {on} }}"),
        Op::MovePages { pid, addrs, nodes, flags } => {
            let addrs: Vec<String> = addrs.iter().map(|a| format!("{a:#x}")).collect();
            format!(
                "Op::MovePages {{ pid: {pid}, addrs: vec![{}], nodes: vec!{nodes:?}, \
                 flags: MpolFlags::from_bits_retain({:#x}) }}",
                addrs.join(", "),
                flags.bits()
            )
        }
        Op::Reclaim { nid, pages } => format!("Op::Reclaim {{ nid: {nid}, pages: {pages:#x} }}"),
        Op::Khugepaged => "Op::Khugepaged".to_string(),
        Op::TaskStart { task: TaskKind::Fault { pid, addr, access } } => format!(
            "Op::TaskStart {{ task: TaskKind::Fault {{ pid: {pid}, addr: {addr:#x}, access: Access::{access:?} }} }}"
        ),
        Op::TaskStart { task: TaskKind::Reclaim { pid, addr } } => {
            format!("Op::TaskStart {{ task: TaskKind::Reclaim {{ pid: {pid}, addr: {addr:#x} }} }}")
        }
        Op::TaskStart { task: TaskKind::Migrate { pid, addr, node } } => {
            format!("Op::TaskStart {{ task: TaskKind::Migrate {{ pid: {pid}, addr: {addr:#x}, node: {node} }} }}")
        }
        Op::TaskStart { task: TaskKind::Writer(op) } => {
            format!("Op::TaskStart {{ task: TaskKind::Writer(Box::new({})) }}", rust(op))
        }
        Op::TaskStep { task } => format!("Op::TaskStep {{ task: {task} }}"),
        Op::IoComplete { task } => format!("Op::IoComplete {{ task: {task} }}"),
        Op::RunUntilIdle => "Op::RunUntilIdle".to_string(),
    }
}

const PATHS: [&str; 3] = ["/r0", "/r1", "/r2"];

fn pages_of(len: u64) -> u64 {
    len.div_ceil(PAGE_SIZE).max(1)
}

impl Run {
    fn new(config: MachineConfig, check: bool) -> Run {
        let m = Machine::new(config).expect("valid config");
        Run { m, live: Vec::new(), procs: BTreeMap::new(), ops: Vec::new(), results: Vec::new(), check, memfds: 0 }
    }

    /// The operations applied so far with their results, then the same sequence (plus `extra`,
    /// an operation that did not complete) as Rust code for a regression test.
    fn log_with(&self, extra: Option<&Op>) -> String {
        let mut s = String::new();
        for (i, (op, r)) in self.ops.iter().zip(&self.results).enumerate() {
            s += &format!("  {i:3}: {op:?}\n        -> {r:?}\n");
        }
        s += &format!("replay on {:?}:\n", self.m.config());
        for op in self.ops.iter().chain(extra) {
            s += &format!("        {},\n", rust(op));
        }
        s
    }

    fn log(&self) -> String {
        self.log_with(None)
    }

    /// Applies one concrete operation, updates the tracked state from its result, and checks the
    /// invariants when asked to.
    fn apply(&mut self, op: Op) -> Result<OpResult, TestCaseError> {
        let r = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.m.apply(&op))) {
            Ok(r) => r,
            Err(e) => {
                let what = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                return Err(TestCaseError::fail(format!(
                    "the model panicked ({what}) applying op #{}: {op:?}\nops before it:\n{}",
                    self.ops.len(),
                    self.log_with(Some(&op))
                )));
            }
        };
        match (&op, &r) {
            (Op::Spawn, Ok(Outcome::Pid(c))) => {
                self.live.push(*c);
                self.procs.insert(*c, ProcState::default());
            }
            (Op::Fork { pid }, Ok(Outcome::Pid(c))) => {
                self.live.push(*c);
                let st = self.procs.get(pid).cloned().unwrap_or_default();
                self.procs.insert(*c, st);
            }
            (Op::Exit { pid }, Ok(_)) => {
                self.live.retain(|p| p != pid);
                self.procs.remove(pid);
            }
            (Op::Mmap { pid, len, .. }, Ok(Outcome::Addr(a))) => {
                self.procs.entry(*pid).or_default().regions.push((*a, *len));
            }
            (Op::Mremap { pid, new_len, .. }, Ok(Outcome::Addr(a))) => {
                self.procs.entry(*pid).or_default().regions.push((*a, *new_len));
            }
            (Op::MemfdCreate { pid, .. } | Op::Open { pid, .. }, Ok(Outcome::Fd(fd))) => {
                self.procs.entry(*pid).or_default().fds.push(*fd);
            }
            (Op::Close { pid, fd }, Ok(_)) => {
                if let Some(st) = self.procs.get_mut(pid) {
                    st.fds.retain(|f| f != fd);
                }
            }
            _ => {}
        }
        self.ops.push(op);
        self.results.push(r.clone());
        if self.check {
            let v = self.m.check_invariants();
            if !v.is_empty() {
                let text: Vec<String> = v.iter().map(|v| format!("  {v}")).collect();
                return Err(TestCaseError::fail(format!(
                    "invariants broken after op #{}:\n{}\nops so far:\n{}",
                    self.ops.len() - 1,
                    text.join("\n"),
                    self.log()
                )));
            }
        }
        Ok(r)
    }

    /// [`Run::apply`] for an operation whose result only matters to the tracked state.
    fn exec(&mut self, op: Op) -> Result<(), TestCaseError> {
        self.apply(op).map(drop)
    }

    fn pid(&self, p: usize) -> Option<Pid> {
        (!self.live.is_empty()).then(|| self.live[p % self.live.len()])
    }

    /// Mapping #m of a process: three times in four one of its current VMAs (/proc/PID/maps),
    /// otherwise one of the regions earlier mmaps and mremaps returned (possibly stale since).
    fn region(&self, pid: Pid, m: usize) -> Option<(u64, u64)> {
        let vmas: Vec<(u64, u64)> =
            self.m.maps(pid).map(|v| v.iter().map(|e| (e.start, e.end - e.start)).collect()).unwrap_or_default();
        let tracked = self.procs.get(&pid).map(|s| s.regions.as_slice()).unwrap_or_default();
        let pool = if (!m.is_multiple_of(4) && !vmas.is_empty()) || tracked.is_empty() { &vmas[..] } else { tracked };
        (!pool.is_empty()).then(|| pool[(m / 4) % pool.len()])
    }

    /// A page range inside mapping #m: (start address, pages), at most `MAX_SPAN` pages.
    fn span(&self, pid: Pid, m: usize, first: u64, n: u64) -> Option<(u64, u64)> {
        let (addr, len) = self.region(pid, m)?;
        let pages = pages_of(len);
        let first = first % pages;
        let n = 1 + n % (pages - first).min(MAX_SPAN);
        Some((addr.wrapping_add(first * PAGE_SIZE), n))
    }

    fn fd(&self, pid: Pid, f: usize) -> Option<Fd> {
        let fds = &self.procs.get(&pid)?.fds;
        (!fds.is_empty()).then(|| fds[f % fds.len()])
    }

    fn raw_pid(&self, p: PidSel) -> Pid {
        match p {
            PidSel::Live(i) => self.pid(i).unwrap_or(1),
            PidSel::Any(p) => p,
        }
    }

    fn raw_fd(&self, pid: Pid, f: FdSel) -> Fd {
        match f {
            FdSel::Live(i) => self.fd(pid, i).unwrap_or(3),
            FdSel::Any(fd) => fd,
        }
    }

    fn raw_addr(&self, pid: Pid, a: AddrSel) -> u64 {
        match a {
            AddrSel::Any(a) => a,
            AddrSel::Near { m, delta } => {
                self.region(pid, m).map_or(MMAP_BASE, |(addr, _)| addr).wrapping_add_signed(delta)
            }
        }
    }

    /// Interprets one abstract operation (one or more concrete ones, or none when it names
    /// nothing live).
    fn step(&mut self, a: &AOp) -> Result<(), TestCaseError> {
        match a {
            AOp::Spawn => {
                self.exec(Op::Spawn)?;
            }
            AOp::Fork { p } => {
                if let Some(pid) = self.pid(*p) {
                    self.exec(Op::Fork { pid })?;
                }
            }
            AOp::Exit { p } => {
                if let Some(pid) = self.pid(*p) {
                    self.exec(Op::Exit { pid })?;
                }
            }
            AOp::Mmap { p, kind, pages, prot, populate, place, off_pages } => {
                let Some(pid) = self.pid(*p) else { return Ok(()) };
                let mut flags = match kind {
                    Kind::PrivateAnon => MapFlags::PRIVATE | MapFlags::ANONYMOUS,
                    Kind::SharedAnon => MapFlags::SHARED | MapFlags::ANONYMOUS,
                    Kind::PrivateFile { .. } => MapFlags::PRIVATE,
                    Kind::SharedFile { .. } => MapFlags::SHARED,
                };
                let (fd, offset) = match kind {
                    Kind::PrivateFile { f } | Kind::SharedFile { f } => match self.fd(pid, *f) {
                        Some(fd) => (fd, off_pages * PAGE_SIZE),
                        None => {
                            flags |= MapFlags::ANONYMOUS;
                            (-1, 0)
                        }
                    },
                    _ => (-1, 0),
                };
                if *populate {
                    flags |= MapFlags::POPULATE;
                }
                let at = |m: usize, page: u64| {
                    self.region(pid, m).map(|(a, len)| a.wrapping_add((page % pages_of(len)) * PAGE_SIZE))
                };
                let addr = match *place {
                    Place::Any => 0,
                    Place::Hint { m, page } => at(m, page).unwrap_or(0),
                    Place::Fixed { m, page } => match at(m, page) {
                        Some(a) => {
                            flags |= MapFlags::FIXED;
                            a
                        }
                        None => 0,
                    },
                    Place::NoReplace { m, page } => match at(m, page) {
                        Some(a) => {
                            flags |= MapFlags::FIXED_NOREPLACE;
                            a
                        }
                        None => 0,
                    },
                };
                let prot = Prot::from_bits_retain(*prot);
                self.exec(Op::Mmap { pid, addr, len: pages * PAGE_SIZE, prot, flags, fd, offset })?;
            }
            AOp::Write { p, m, page, value } => {
                let Some(pid) = self.pid(*p) else { return Ok(()) };
                if let Some((addr, _)) = self.span(pid, *m, *page, 0) {
                    self.exec(Op::Write { pid, addr: addr + (value % 3) * 8, value: *value })?;
                }
            }
            AOp::Read { p, m, page } => {
                let Some(pid) = self.pid(*p) else { return Ok(()) };
                if let Some((addr, _)) = self.span(pid, *m, *page, 0) {
                    self.exec(Op::Read { pid, addr })?;
                }
            }
            AOp::Touch { p, m, first, n, write } => {
                let Some(pid) = self.pid(*p) else { return Ok(()) };
                if let Some((addr, n)) = self.span(pid, *m, *first, *n) {
                    let access = if *write { Access::Write } else { Access::Read };
                    self.exec(Op::Touch { pid, addr, len: n * PAGE_SIZE, access })?;
                }
            }
            AOp::Munmap { p, m, first, n } => {
                let Some(pid) = self.pid(*p) else { return Ok(()) };
                if let Some((addr, n)) = self.span(pid, *m, *first, *n) {
                    self.exec(Op::Munmap { pid, addr, len: n * PAGE_SIZE })?;
                }
            }
            AOp::Mprotect { p, m, first, n, prot } => {
                let Some(pid) = self.pid(*p) else { return Ok(()) };
                if let Some((addr, n)) = self.span(pid, *m, *first, *n) {
                    let prot = Prot::from_bits_retain(*prot);
                    self.exec(Op::Mprotect { pid, addr, len: n * PAGE_SIZE, prot })?;
                }
            }
            AOp::Mremap { p, m, first, n, new_pages, how } => {
                let Some(pid) = self.pid(*p) else { return Ok(()) };
                let Some((old_addr, n)) = self.span(pid, *m, *first, *n) else { return Ok(()) };
                let old_len = n * PAGE_SIZE;
                let (new_len, flags, new_addr) = match *how {
                    Remap::Shrink => ((new_pages % n).max(1) * PAGE_SIZE, MremapFlags::empty(), 0),
                    Remap::GrowInPlace => ((n + 1 + new_pages) * PAGE_SIZE, MremapFlags::empty(), 0),
                    Remap::GrowMove => ((n + 1 + new_pages) * PAGE_SIZE, MremapFlags::MAYMOVE, 0),
                    Remap::Fixed { m2, page } => {
                        let new_len = (1 + new_pages) * PAGE_SIZE;
                        let (dest, len2) = self.region(pid, m2).unwrap_or((MMAP_BASE, 0));
                        let mut dest = dest.wrapping_add((page % pages_of(len2)) * PAGE_SIZE);
                        if dest < old_addr.saturating_add(old_len) && old_addr < dest.saturating_add(new_len) {
                            // Overlap gives EINVAL; go well below instead, most of the time.
                            if page % 4 != 0 {
                                dest = old_addr.saturating_sub((256 + page) * PAGE_SIZE);
                            }
                        }
                        (new_len, MremapFlags::MAYMOVE | MremapFlags::FIXED, dest)
                    }
                    Remap::DontUnmap => (old_len, MremapFlags::MAYMOVE | MremapFlags::DONTUNMAP, 0),
                };
                self.exec(Op::Mremap { pid, old_addr, old_len, new_len, flags, new_addr })?;
            }
            AOp::Madvise { p, m, first, n, advice } => {
                let Some(pid) = self.pid(*p) else { return Ok(()) };
                if let Some((addr, n)) = self.span(pid, *m, *first, *n) {
                    let advice = Advice::NAMED.get(*advice).map_or(Advice(7), |(a, _)| *a);
                    self.exec(Op::Madvise { pid, addr, len: n * PAGE_SIZE, advice })?;
                }
            }
            AOp::Memfd { p, pages, sealing } => {
                let Some(pid) = self.pid(*p) else { return Ok(()) };
                self.memfds += 1;
                let name = format!("m{}", self.memfds);
                let flags =
                    if *sealing { MemfdFlags::ALLOW_SEALING | MemfdFlags::CLOEXEC } else { MemfdFlags::empty() };
                if let Ok(Outcome::Fd(fd)) = self.apply(Op::MemfdCreate { pid, name, flags })? {
                    self.exec(Op::Ftruncate { pid, fd, len: pages * PAGE_SIZE })?;
                }
            }
            AOp::Ftruncate { p, f, bytes } => {
                let Some(pid) = self.pid(*p) else { return Ok(()) };
                if let Some(fd) = self.fd(pid, *f) {
                    self.exec(Op::Ftruncate { pid, fd, len: *bytes })?;
                }
            }
            AOp::Punch { p, f, offset, len } => {
                let Some(pid) = self.pid(*p) else { return Ok(()) };
                if let Some(fd) = self.fd(pid, *f) {
                    let mode = FallocMode::PUNCH_HOLE | FallocMode::KEEP_SIZE;
                    self.exec(Op::Fallocate { pid, fd, mode, offset: *offset, len: *len })?;
                }
            }
            AOp::Preallocate { p, f, first, n, keep_size } => {
                let Some(pid) = self.pid(*p) else { return Ok(()) };
                if let Some(fd) = self.fd(pid, *f) {
                    let mode = if *keep_size { FallocMode::KEEP_SIZE } else { FallocMode::empty() };
                    let (offset, len) = (first * PAGE_SIZE, n * PAGE_SIZE);
                    self.exec(Op::Fallocate { pid, fd, mode, offset, len })?;
                }
            }
            AOp::Close { p, f } => {
                let Some(pid) = self.pid(*p) else { return Ok(()) };
                if let Some(fd) = self.fd(pid, *f) {
                    self.exec(Op::Close { pid, fd })?;
                }
            }
            AOp::OpenWrite { p, path, flags, writes } => {
                let Some(pid) = self.pid(*p) else { return Ok(()) };
                let op = Op::Open {
                    pid,
                    path: PATHS[path % PATHS.len()].to_string(),
                    flags: OpenFlags::from_bits_retain(*flags),
                };
                if let Ok(Outcome::Fd(fd)) = self.apply(op)? {
                    for &(page, value) in writes {
                        self.exec(Op::Pwrite { pid, fd, offset: page * PAGE_SIZE, value })?;
                    }
                }
            }
            AOp::Pwrite { p, f, page, value } => {
                let Some(pid) = self.pid(*p) else { return Ok(()) };
                if let Some(fd) = self.fd(pid, *f) {
                    self.exec(Op::Pwrite { pid, fd, offset: page * PAGE_SIZE, value: *value })?;
                }
            }
            AOp::Pread { p, f, page } => {
                let Some(pid) = self.pid(*p) else { return Ok(()) };
                if let Some(fd) = self.fd(pid, *f) {
                    self.exec(Op::Pread { pid, fd, offset: page * PAGE_SIZE })?;
                }
            }
            AOp::Mlock { p, m, first, n, how } => {
                let Some(pid) = self.pid(*p) else { return Ok(()) };
                if let Some((addr, n)) = self.span(pid, *m, *first, *n) {
                    let len = n * PAGE_SIZE;
                    self.exec(match how {
                        0 => Op::Mlock { pid, addr, len },
                        1 => Op::Mlock2 { pid, addr, len, flags: MlockFlags::ONFAULT },
                        _ => Op::Mlock2 { pid, addr, len, flags: MlockFlags::empty() },
                    })?;
                }
            }
            AOp::Munlock { p, m, first, n } => {
                let Some(pid) = self.pid(*p) else { return Ok(()) };
                if let Some((addr, n)) = self.span(pid, *m, *first, *n) {
                    self.exec(Op::Munlock { pid, addr, len: n * PAGE_SIZE })?;
                }
            }
            AOp::Mlockall { p, flags } => {
                if let Some(pid) = self.pid(*p) {
                    self.exec(Op::Mlockall { pid, flags: MclFlags::from_bits_retain(*flags) })?;
                }
            }
            AOp::Munlockall { p } => {
                if let Some(pid) = self.pid(*p) {
                    self.exec(Op::Munlockall { pid })?;
                }
            }
            AOp::SetMemlockLimit { p, bytes } => {
                if let Some(pid) = self.pid(*p) {
                    self.exec(Op::SetMemlockLimit { pid, bytes: *bytes })?;
                }
            }
            AOp::SetCapIpcLock { p, on } => {
                if let Some(pid) = self.pid(*p) {
                    self.exec(Op::SetCapIpcLock { pid, on: *on })?;
                }
            }
            AOp::MovePages { p, m, first, n, nodes, query, flags } => {
                let Some(pid) = self.pid(*p) else { return Ok(()) };
                if let Some((addr, n)) = self.span(pid, *m, *first, *n) {
                    let addrs: Vec<u64> = (0..n).map(|i| addr + i * PAGE_SIZE).collect();
                    let count = self.m.config().nodes;
                    let nodes =
                        if *query { Vec::new() } else { nodes[..n as usize].iter().map(|x| x % count).collect() };
                    self.exec(Op::MovePages { pid, addrs, nodes, flags: MpolFlags::from_bits_retain(*flags) })?;
                }
            }
            AOp::Reclaim { nid, pages } => {
                let nid = nid % self.m.config().nodes;
                self.exec(Op::Reclaim { nid, pages: *pages })?;
            }
            AOp::Khugepaged => {
                self.exec(Op::Khugepaged)?;
            }
            AOp::Raw(r) => {
                let op = self.raw(r);
                self.exec(op)?;
            }
        }
        Ok(())
    }

    /// Resolves a raw operation. Valid mapping lengths above `MAX_RAW_MAP` are reduced (see
    /// there), and touch and populate lengths that would fault in more than `MAX_FAULT_RANGE` are
    /// cut: everything else is passed on as generated.
    fn raw(&self, r: &RawOp) -> Op {
        let clamp = |addr: u64, len: u64| if addr.checked_add(len).is_some() { len.min(MAX_FAULT_RANGE) } else { len };
        match r {
            RawOp::Spawn => Op::Spawn,
            RawOp::Fork(p) => Op::Fork { pid: self.raw_pid(*p) },
            RawOp::Exit(p) => Op::Exit { pid: self.raw_pid(*p) },
            RawOp::Mmap { p, addr, len, prot, flags, fd, offset } => {
                let pid = self.raw_pid(*p);
                Op::Mmap {
                    pid,
                    addr: self.raw_addr(pid, *addr),
                    len: bound_map_len(*len),
                    prot: Prot::from_bits_retain(*prot),
                    flags: MapFlags::from_bits_retain(*flags),
                    fd: self.raw_fd(pid, *fd),
                    offset: *offset,
                }
            }
            RawOp::Munmap { p, addr, len } => {
                let pid = self.raw_pid(*p);
                Op::Munmap { pid, addr: self.raw_addr(pid, *addr), len: *len }
            }
            RawOp::Mprotect { p, addr, len, prot } => {
                let pid = self.raw_pid(*p);
                Op::Mprotect { pid, addr: self.raw_addr(pid, *addr), len: *len, prot: Prot::from_bits_retain(*prot) }
            }
            RawOp::Mremap { p, addr, old_len, new_len, flags, new_addr } => {
                let pid = self.raw_pid(*p);
                Op::Mremap {
                    pid,
                    old_addr: self.raw_addr(pid, *addr),
                    old_len: *old_len,
                    new_len: bound_map_len(*new_len),
                    flags: MremapFlags::from_bits_retain(*flags),
                    new_addr: self.raw_addr(pid, *new_addr),
                }
            }
            RawOp::Madvise { p, addr, len, advice } => {
                let pid = self.raw_pid(*p);
                let addr = self.raw_addr(pid, *addr);
                let advice = Advice(*advice);
                let len = if advice == Advice::POPULATE_READ || advice == Advice::POPULATE_WRITE {
                    clamp(addr, *len)
                } else {
                    *len
                };
                Op::Madvise { pid, addr, len, advice }
            }
            RawOp::Read { p, addr } => {
                let pid = self.raw_pid(*p);
                Op::Read { pid, addr: self.raw_addr(pid, *addr) }
            }
            RawOp::Write { p, addr, value } => {
                let pid = self.raw_pid(*p);
                Op::Write { pid, addr: self.raw_addr(pid, *addr), value: *value }
            }
            RawOp::Touch { p, addr, len, write } => {
                let pid = self.raw_pid(*p);
                let addr = self.raw_addr(pid, *addr);
                let access = if *write { Access::Write } else { Access::Read };
                Op::Touch { pid, addr, len: clamp(addr, *len), access }
            }
            RawOp::MemfdCreate { p, name, flags } => Op::MemfdCreate {
                pid: self.raw_pid(*p),
                name: name.clone(),
                flags: MemfdFlags::from_bits_retain(*flags),
            },
            RawOp::Open { p, path, flags } => {
                Op::Open { pid: self.raw_pid(*p), path: path.clone(), flags: OpenFlags::from_bits_retain(*flags) }
            }
            RawOp::Pwrite { p, fd, offset, value } => {
                let pid = self.raw_pid(*p);
                Op::Pwrite { pid, fd: self.raw_fd(pid, *fd), offset: *offset, value: *value }
            }
            RawOp::Pread { p, fd, offset } => {
                let pid = self.raw_pid(*p);
                Op::Pread { pid, fd: self.raw_fd(pid, *fd), offset: *offset }
            }
            RawOp::Ftruncate { p, fd, len } => {
                let pid = self.raw_pid(*p);
                Op::Ftruncate { pid, fd: self.raw_fd(pid, *fd), len: *len }
            }
            RawOp::Fallocate { p, fd, mode, offset, len } => {
                let pid = self.raw_pid(*p);
                let fd = self.raw_fd(pid, *fd);
                Op::Fallocate { pid, fd, mode: FallocMode::from_bits_retain(*mode), offset: *offset, len: *len }
            }
            RawOp::Close { p, fd } => {
                let pid = self.raw_pid(*p);
                Op::Close { pid, fd: self.raw_fd(pid, *fd) }
            }
            RawOp::Mlock { p, addr, len } => {
                let pid = self.raw_pid(*p);
                Op::Mlock { pid, addr: self.raw_addr(pid, *addr), len: *len }
            }
            RawOp::Mlock2 { p, addr, len, flags } => {
                let pid = self.raw_pid(*p);
                Op::Mlock2 {
                    pid,
                    addr: self.raw_addr(pid, *addr),
                    len: *len,
                    flags: MlockFlags::from_bits_retain(*flags),
                }
            }
            RawOp::Munlock { p, addr, len } => {
                let pid = self.raw_pid(*p);
                Op::Munlock { pid, addr: self.raw_addr(pid, *addr), len: *len }
            }
            RawOp::Mlockall { p, flags } => {
                Op::Mlockall { pid: self.raw_pid(*p), flags: MclFlags::from_bits_retain(*flags) }
            }
            RawOp::Munlockall(p) => Op::Munlockall { pid: self.raw_pid(*p) },
            RawOp::SetMemlockLimit { p, bytes } => Op::SetMemlockLimit { pid: self.raw_pid(*p), bytes: *bytes },
            RawOp::SetCapIpcLock { p, on } => Op::SetCapIpcLock { pid: self.raw_pid(*p), on: *on },
            RawOp::MovePages { p, addrs, nodes, flags } => {
                let pid = self.raw_pid(*p);
                Op::MovePages {
                    pid,
                    addrs: addrs.iter().map(|a| self.raw_addr(pid, *a)).collect(),
                    nodes: nodes.clone(),
                    flags: MpolFlags::from_bits_retain(*flags),
                }
            }
            RawOp::Reclaim { nid, pages } => Op::Reclaim { nid: *nid, pages: *pages },
        }
    }

    /// Runs a whole scenario: one process to start with, then every abstract operation.
    fn execute(config: MachineConfig, aops: &[AOp], check: bool) -> Result<Run, TestCaseError> {
        let mut run = Run::new(config, check);
        run.exec(Op::Spawn)?;
        for a in aops {
            run.step(a)?;
        }
        Ok(run)
    }

    /// Everything observable at the end: per-pid views, then the machine-wide ones.
    fn observe(&self) -> String {
        let mut s = String::new();
        for pid in self.m.pids() {
            s += &format!("pid {pid}\n  status {:?}\n  rollup {:?}\n", self.m.status(pid), self.m.smaps_rollup(pid));
            s += &format!("  smaps {:?}\n", self.m.smaps(pid));
        }
        s += &format!("meminfo {:?}\nvmstat {:?}\n", self.m.meminfo(), self.m.vmstat());
        for nid in 0..self.m.config().nodes {
            s += &format!("node {nid} {:?}\n", self.m.node_meminfo(nid));
        }
        s
    }
}

fn proptest_config() -> Config {
    Config {
        // PROPTEST_CASES still overrides the default of 256 for longer hunts.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        // Failures are reported with their minimal op list; known ones are pinned as plain tests
        // below rather than in a regressions file.
        failure_persistence: None,
        max_shrink_iters: 20_000,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(proptest_config())]

    /// Every invariant holds after every operation, and a teardown leaves nothing behind.
    #[test]
    fn ops_keep_invariants((config, aops) in scenario()) {
        let mut run = Run::execute(config, &aops, true)?;
        run.m.teardown();
        let v = run.m.check_invariants();
        prop_assert!(v.is_empty(), "invariants broken after teardown: {v:#?}\nops:\n{}", run.log());
        let mi = run.m.meminfo();
        let leak = |what: &str| format!("{what} after teardown: {mi:#?}\nops:\n{}", run.log());
        prop_assert_eq!(mi.anon_pages, 0, "{}", leak("anon_pages"));
        prop_assert_eq!(mi.shmem, 0, "{}", leak("shmem"));
        prop_assert_eq!(mi.mapped, 0, "{}", leak("mapped"));
        prop_assert_eq!(mi.mem_free, mi.mem_total, "{}", leak("mem_free"));
        for (name, value) in run.m.vmstat().items {
            if name.starts_with("nr_") && name != "nr_free_pages" {
                prop_assert_eq!(value, 0, "vmstat {} after teardown\nops:\n{}", name, run.log());
            }
        }
    }

    /// The same sequence applied to two fresh machines gives the same results and views.
    #[test]
    fn ops_are_deterministic((config, aops) in scenario()) {
        let a = Run::execute(config.clone(), &aops, false)?;
        let b = Run::execute(config, &aops, false)?;
        prop_assert_eq!(&a.ops, &b.ops);
        prop_assert_eq!(&a.results, &b.results, "ops:\n{}", a.log());
        prop_assert_eq!(a.m.pids(), b.m.pids());
        prop_assert_eq!(a.observe(), b.observe(), "ops:\n{}", a.log());
        prop_assert!(format!("{:?}", a.m) == format!("{:?}", b.m), "internal state differs\nops:\n{}", a.log());
    }
}

// ---------------------------------------------------------------------------------------------
// Minimal reproducers of model bugs the proptests found, pinned as plain tests so that they fail
// on every run while the bug exists (the proptests themselves draw new cases each run).

const RW: Prot = Prot::READ.union(Prot::WRITE);
const PRIVATE_ANON: MapFlags = MapFlags::PRIVATE.union(MapFlags::ANONYMOUS);
const SHARED_ANON: MapFlags = MapFlags::SHARED.union(MapFlags::ANONYMOUS);
/// Where the first one-page mmap of a fresh process lands (just below `mmap_base`).
const TOP: u64 = MMAP_BASE - PAGE_SIZE;

/// A machine with one 16-page node, so that memory is easy to fill.
fn tiny() -> Machine {
    Machine::new(MachineConfig { node_bytes: 16 * PAGE_SIZE, ..MachineConfig::default() }).expect("tiny config")
}

/// Applies `ops`, checking the invariants after each; returns the results.
fn replay(m: &mut Machine, ops: &[Op]) -> Vec<OpResult> {
    let mut results = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let r = m.apply(op);
        let v = m.check_invariants();
        assert!(v.is_empty(), "after op #{i} {op:?} -> {r:?}: {v:#?}");
        results.push(r);
    }
    results
}

/// munmap of part of a MAP_SHARED|MAP_ANONYMOUS mapping freed the shmem inode the rest still
/// mapped: VMA splits did not count in i_mmap (fixed in 816e4a7).
#[test]
fn munmap_part_of_shared_anon_keeps_its_inode() {
    let mut m = Machine::new(MachineConfig::default()).expect("default config");
    let a = TOP - PAGE_SIZE;
    let r = replay(
        &mut m,
        &[
            Op::Spawn,
            Op::Mmap { pid: 1, addr: 0, len: 2 * PAGE_SIZE, prot: RW, flags: SHARED_ANON, fd: -1, offset: 0 },
            Op::Write { pid: 1, addr: a + PAGE_SIZE, value: 5 },
            Op::Munmap { pid: 1, addr: a, len: PAGE_SIZE },
            Op::Read { pid: 1, addr: a + PAGE_SIZE },
        ],
    );
    assert_eq!(r[1], Ok(Outcome::Addr(a)));
    assert_eq!(r[4], Ok(Outcome::Value(5)));
}

/// Two adjacent shared mappings of consecutive memfd pages merge into one VMA, and an mprotect
/// splits one: the inode's map count must follow both (fixed in 816e4a7).
#[test]
fn memfd_mapping_merge_and_split_keep_map_count() {
    let mut m = Machine::new(MachineConfig::default()).expect("default config");
    let map =
        |offset| Op::Mmap { pid: 1, addr: 0, len: 2 * PAGE_SIZE, prot: RW, flags: MapFlags::SHARED, fd: 3, offset };
    replay(
        &mut m,
        &[
            Op::Spawn,
            Op::MemfdCreate { pid: 1, name: "m".into(), flags: MemfdFlags::empty() },
            Op::Ftruncate { pid: 1, fd: 3, len: 4 * PAGE_SIZE },
            map(2 * PAGE_SIZE),
            map(0),
            Op::Mprotect { pid: 1, addr: TOP - 3 * PAGE_SIZE, len: PAGE_SIZE, prot: Prot::READ },
            Op::Close { pid: 1, fd: 3 },
            Op::Munmap { pid: 1, addr: TOP - 3 * PAGE_SIZE, len: 4 * PAGE_SIZE },
        ],
    );
    m.teardown();
    assert!(m.check_invariants().is_empty());
    assert_eq!(m.meminfo().mem_free, m.meminfo().mem_total);
}

/// A write to a zero-page PTE with memory full. `do_wp_page` cleared the PTE before allocating:
/// when it was the only entry of its page table, the table was freed, the new page took its
/// place and a new table was allocated beyond the node's capacity. The write succeeded with no
/// free page and the next fork panicked in `Frames::table_room` (subtract with overflow).
/// Linux allocates the copy first (`wp_page_copy`), so the fault fails with VM_FAULT_OOM.
/// (Fixed in 9da38d4.)
#[test]
fn zero_page_cow_with_memory_full_fails_instead_of_overcommitting() {
    let mut m = tiny();
    let far = 0x7e00_0000_0000;
    let r = replay(
        &mut m,
        &[
            Op::Spawn,
            Op::Mmap { pid: 1, addr: 0, len: PAGE_SIZE, prot: RW, flags: PRIVATE_ANON, fd: -1, offset: 0 },
            Op::Read { pid: 1, addr: TOP },
            // Another 2 MiB region: one more page table and 14 anon pages fill the node.
            Op::Mmap { pid: 1, addr: far, len: 16 * PAGE_SIZE, prot: RW, flags: PRIVATE_ANON, fd: -1, offset: 0 },
            Op::Touch { pid: 1, addr: far, len: 16 * PAGE_SIZE, access: Access::Write },
            Op::Write { pid: 1, addr: TOP, value: 1 },
            Op::Fork { pid: 1 },
        ],
    );
    // Since the OOM killer: nothing is reclaimable, so the only process is the victim.
    assert_eq!(r[4], Ok(Outcome::Signal(Signal::Kill)), "the node holds 2 page tables and 14 pages");
    assert_eq!(r[5], Err(Errno::ESRCH));
    assert_eq!(m.vmstat().get("oom_kill"), Some(1));
}

/// A COW write after fork with memory full. `wp_page_copy` unmapped the shared page before
/// allocating the copy: on OOM the write failed but the page was gone from the writer's page
/// table, and the next read saw a fresh zero page instead of the data; when the page was alone
/// in its table, the table was freed and reallocated beyond capacity instead (as above).
/// (Fixed in 9da38d4.)
#[test]
fn cow_after_fork_with_memory_full_keeps_the_original_page() {
    let mut m = tiny();
    let a = TOP - PAGE_SIZE;
    let r = replay(
        &mut m,
        &[
            Op::Spawn,
            Op::Mmap { pid: 1, addr: 0, len: 2 * PAGE_SIZE, prot: RW, flags: PRIVATE_ANON, fd: -1, offset: 0 },
            Op::Write { pid: 1, addr: a, value: 7 },
            Op::Write { pid: 1, addr: a + PAGE_SIZE, value: 8 },
            Op::Fork { pid: 1 },
            Op::MemfdCreate { pid: 1, name: "fill".into(), flags: MemfdFlags::empty() },
            Op::Fallocate { pid: 1, fd: 3, mode: FallocMode::empty(), offset: 0, len: 16 * PAGE_SIZE },
            Op::Write { pid: 1, addr: a, value: 9 },
            Op::Read { pid: 1, addr: a },
        ],
    );
    // Since the OOM killer: parent and child score the same, the newer (the child) is killed,
    // and the parent's page is then its own: the write reuses it.
    assert_eq!(r[7], Ok(Outcome::Done));
    assert_eq!(r[8], Ok(Outcome::Value(9)));
    assert_eq!(m.pids(), vec![1]);
    let mut m = tiny();
    replay(
        &mut m,
        &[
            Op::Spawn,
            Op::MemfdCreate { pid: 1, name: "fill".into(), flags: MemfdFlags::empty() },
            Op::Mmap { pid: 1, addr: 0, len: PAGE_SIZE, prot: RW, flags: PRIVATE_ANON, fd: -1, offset: 0 },
            Op::Write { pid: 1, addr: TOP, value: 1 },
            Op::Fork { pid: 1 },
            Op::Fallocate { pid: 1, fd: 3, mode: FallocMode::empty(), offset: 0, len: 16 * PAGE_SIZE },
            Op::Write { pid: 1, addr: TOP, value: 2 },
            Op::Fork { pid: 1 },
        ],
    );
}

/// A write fault on a private file mapping whose page is not cached needs three pages (the page
/// cache page, the private copy and a page table), but `handle_fault` only checks for two: with
/// two free pages the write succeeded and left node 0 one page over capacity, and the next fork
/// panicked in `Frames::table_room`. (Fixed in 9da38d4.)
#[test]
fn private_file_cow_fault_with_two_free_pages_fails() {
    let mut m = tiny();
    let r = replay(
        &mut m,
        &[
            Op::Spawn,
            Op::Open { pid: 1, path: "/f".into(), flags: OpenFlags::RDWR | OpenFlags::CREAT },
            Op::Ftruncate { pid: 1, fd: 3, len: PAGE_SIZE },
            Op::MemfdCreate { pid: 1, name: "fill".into(), flags: MemfdFlags::empty() },
            Op::Fallocate { pid: 1, fd: 4, mode: FallocMode::empty(), offset: 0, len: 14 * PAGE_SIZE },
            Op::Mmap { pid: 1, addr: 0, len: PAGE_SIZE, prot: RW, flags: MapFlags::PRIVATE, fd: 3, offset: 0 },
            Op::Write { pid: 1, addr: TOP, value: 1 },
            Op::Fork { pid: 1 },
        ],
    );
    // Since the OOM killer: reclaim keeps dropping the clean cache page the retried fault reads
    // again, so after MAX_RECLAIM_RETRIES the only process is killed.
    assert_eq!(r[6], Ok(Outcome::Signal(Signal::Kill)));
    assert_eq!(r[7], Err(Errno::ESRCH));
}

/// mremap with old_len 0 of a shared mapping makes a second mapping of the same object and keeps
/// the first (checked on Linux 6.18.44); the model moved a zero-length VMA, removed the source
/// and panicked ("moved vma") growing it. (Fixed in 9da38d4.)
#[test]
fn mremap_old_len_zero_duplicates_a_shared_mapping() {
    let mut m = Machine::new(MachineConfig::default()).expect("default config");
    let r = replay(
        &mut m,
        &[
            Op::Spawn,
            Op::Mmap { pid: 1, addr: 0, len: PAGE_SIZE, prot: RW, flags: SHARED_ANON, fd: -1, offset: 0 },
            Op::Write { pid: 1, addr: TOP, value: 0x78 },
            Op::Mremap {
                pid: 1,
                old_addr: TOP,
                old_len: 0,
                new_len: 2 * PAGE_SIZE,
                flags: MremapFlags::MAYMOVE,
                new_addr: 0,
            },
        ],
    );
    let Ok(Outcome::Addr(d)) = r[3] else { panic!("mremap: {:?}", r[3]) };
    assert_ne!(d, TOP);
    let r = replay(
        &mut m,
        &[Op::Read { pid: 1, addr: d }, Op::Write { pid: 1, addr: d, value: 0x79 }, Op::Read { pid: 1, addr: TOP }],
    );
    assert_eq!(r[0], Ok(Outcome::Value(0x78)));
    assert_eq!(r[2], Ok(Outcome::Value(0x79)));
    assert_eq!(m.maps(1).expect("maps").len(), 2);
}

/// Swap readahead around a shared anon entry also read a neighbouring slot that belonged to a
/// shmem file into the swap cache; truncating the file then dropped the slot's reference without
/// reclaiming that copy, so a swap-cache page and its slot outlived every process and file.
/// `shmem_free_swap` goes through `free_swap_and_cache_nr` in Linux, and so does the model now.
#[test]
fn readahead_copy_of_a_shmem_slot_is_freed_with_the_file() {
    let config = MachineConfig { node_bytes: 64 << 10, swap_bytes: 4 << 20, ..MachineConfig::default() };
    let mut m = Machine::new(config).expect("config");
    let ops = [
        Op::Spawn,
        Op::Mmap { pid: 1, addr: 0, len: 0xd000, prot: RW, flags: PRIVATE_ANON, fd: -1, offset: 0 },
        Op::MemfdCreate { pid: 1, name: "m1".into(), flags: MemfdFlags::empty() },
        Op::Ftruncate { pid: 1, fd: 3, len: 0 },
        Op::Mremap {
            pid: 1,
            old_addr: 0x7eff_ffff_5000,
            old_len: 0x7000,
            new_len: 0x7000,
            flags: MremapFlags::MAYMOVE | MremapFlags::DONTUNMAP,
            new_addr: 0,
        },
        Op::Fallocate { pid: 1, fd: 3, mode: FallocMode::empty(), offset: 0, len: 0x4000 },
        Op::Fork { pid: 1 },
        Op::Mmap {
            pid: 2,
            addr: 0x7eff_fffe_e000,
            len: 0x3000,
            prot: RW,
            flags: PRIVATE_ANON | MapFlags::FIXED | MapFlags::POPULATE,
            fd: -1,
            offset: 0,
        },
        Op::Madvise { pid: 1, addr: 0x7eff_ffff_3000, len: 0x1000, advice: Advice(0) },
        Op::Reclaim { nid: 0, pages: 7 },
        Op::Fork { pid: 2 },
        Op::Touch { pid: 2, addr: 0x7eff_fffe_c000, len: 0x5000, access: Access::Read },
        Op::Mmap { pid: 2, addr: 0, len: 0x1000, prot: RW, flags: PRIVATE_ANON, fd: -1, offset: 0 },
        Op::Fork { pid: 2 },
        Op::Exit { pid: 1 },
        Op::Reclaim { nid: 0, pages: 1 },
        Op::Read { pid: 4, addr: 0x7eff_ffff_0000 },
    ];
    let r = replay(&mut m, &ops);
    assert_eq!(r[9], Ok(Outcome::Count(7)));
    assert!(m.vmstat().get("swap_ra").unwrap() > 0, "the scenario needs a readahead");
    m.teardown();
    assert_eq!(m.check_invariants(), vec![]);
    assert_eq!(m.meminfo().swap_free, m.meminfo().swap_total);
}
