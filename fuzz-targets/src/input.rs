//! Input decoding: fuzzer bytes → a machine configuration and a sequence of concrete operations.
//!
//! The bytes are read through [`arbitrary::Unstructured`]. The first few bytes choose the
//! machine (1–4 nodes of 64 KiB–4 MiB, swap, RLIMIT_MEMLOCK, THP mode); the rest is a sequence
//! of abstract steps ("write page j of mapping #i of process #p", "fork process #p", ...) that
//! [`Driver`] resolves against the live machine: pids come from earlier spawns and forks,
//! mappings from /proc/PID/maps and from earlier mmap/mremap results, fds from earlier opens.
//! Lengths favour whole pages and 2 MiB multiples. A few fully arbitrary [`Op`]s (with a live
//! pid most of the time) are mixed in so that invalid arguments are exercised too.
//!
//! Decoding is total: every byte string gives a sequence (running out of bytes ends it).

use std::collections::BTreeMap;

use arbitrary::{Arbitrary, Result, Unstructured};
use mmlab_model::*;

/// Most steps a sequence has (each step is one or two operations).
pub const MAX_STEPS: usize = 48;
/// Most pages a structured range covers.
const MAX_SPAN: u64 = 64;
/// 2 MiB in pages.
const HUGE_PAGES: u64 = 512;
/// Largest length a raw mmap or mremap keeps: valid larger lengths are taken modulo it, so that
/// populating a raw mapping stays cheap.
const MAX_RAW_MAP: u64 = 4 << 20;
/// Longest range a raw touch or madvise keeps.
const MAX_RAW_RANGE: u64 = 256 * PAGE_SIZE;
/// Most addresses a raw move_pages keeps.
const MAX_RAW_ADDRS: usize = 16;
/// `mm->mmap_base` of the model.
pub const MMAP_BASE: u64 = 0x7f00_0000_0000;
/// TASK_SIZE on x86_64.
pub const TASK_SIZE: u64 = 0x7fff_ffff_f000;
/// Regular file paths the structured steps use.
const PATHS: [&str; 3] = ["/r0", "/r1", "/r2"];

/// What the generator may produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GenOptions {
    /// Include `reclaim` operations and MADV_PAGEOUT (a differential run against a swap machine
    /// leaves them out: reclaim is the memory pressure under which the two may legitimately
    /// differ, and a swapped-out page is absent to move_pages).
    pub reclaim: bool,
    /// Include kernel tasks and their steps (the `interleave` target).
    pub tasks: bool,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions { reclaim: true, tasks: false }
    }
}

/// Picks one of `choices` from one byte.
fn pick<T: Copy>(u: &mut Unstructured, choices: &[T]) -> Result<T> {
    Ok(choices[usize::from(u8::arbitrary(u)?) % choices.len()])
}

/// Decodes the machine configuration (the quirks are given, not decoded).
pub fn config(u: &mut Unstructured, quirks: &[String]) -> Result<MachineConfig> {
    let nodes = 1 + u32::from(u8::arbitrary(u)? % 4);
    let node_bytes = pick(u, &[64 << 10, 256 << 10, 1 << 20, 2 << 20, 4 << 20])?;
    let swap_bytes = pick(u, &[0, 0, 1 << 20, 16 << 20])?;
    let memlock_bytes = pick(u, &[8 << 20, 8 << 20, 0, 4 * PAGE_SIZE, 64 << 10, u64::MAX])?;
    let thp = ThpMode::arbitrary(u)?;
    // khugepaged's max_ptes_* keep their defaults: decoding them would shift every committed
    // input's meaning.
    Ok(MachineConfig {
        nodes,
        node_bytes,
        swap_bytes,
        memlock_bytes,
        thp,
        quirks: quirks.to_vec(),
        ..MachineConfig::default()
    })
}

/// The kinds of abstract step, with their weights.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Spawn,
    Fork,
    Exit,
    Mmap,
    Write,
    Read,
    Touch,
    Munmap,
    Mprotect,
    Mremap,
    Madvise,
    Memfd,
    Ftruncate,
    Punch,
    Preallocate,
    Close,
    OpenWrite,
    Pwrite,
    Pread,
    Mlock,
    Munlock,
    Mlockall,
    Munlockall,
    MemlockLimit,
    CapIpcLock,
    MovePages,
    Reclaim,
    Swapout,
    Khugepaged,
    Raw,
    /// Kernel tasks (the `interleave` target only): start a fault or writer task, step one,
    /// complete a read, run them all.
    Task,
}

const WEIGHTS: &[(Kind, u32)] = &[
    (Kind::Spawn, 5),
    (Kind::Fork, 7),
    (Kind::Exit, 4),
    (Kind::Mmap, 22),
    (Kind::Write, 26),
    (Kind::Read, 8),
    (Kind::Touch, 12),
    (Kind::Munmap, 8),
    (Kind::Mprotect, 8),
    (Kind::Mremap, 9),
    (Kind::Madvise, 12),
    (Kind::Memfd, 7),
    (Kind::Ftruncate, 8),
    (Kind::Punch, 5),
    (Kind::Preallocate, 3),
    (Kind::Close, 3),
    (Kind::OpenWrite, 4),
    (Kind::Pwrite, 5),
    (Kind::Pread, 2),
    (Kind::Mlock, 12),
    (Kind::Munlock, 5),
    (Kind::Mlockall, 4),
    (Kind::Munlockall, 2),
    (Kind::MemlockLimit, 2),
    (Kind::CapIpcLock, 2),
    (Kind::MovePages, 7),
    (Kind::Reclaim, 5),
    (Kind::Swapout, 10),
    (Kind::Khugepaged, 3),
    (Kind::Raw, 8),
];

/// The `interleave` target's weights: every kind of [`WEIGHTS`], and tasks.
const TASK_WEIGHTS: &[(Kind, u32)] = &[
    (Kind::Spawn, 3),
    (Kind::Fork, 3),
    (Kind::Exit, 2),
    (Kind::Mmap, 12),
    (Kind::Write, 14),
    (Kind::Read, 4),
    (Kind::Touch, 6),
    (Kind::Munmap, 4),
    (Kind::Mprotect, 4),
    (Kind::Mremap, 4),
    (Kind::Madvise, 6),
    (Kind::Memfd, 3),
    (Kind::Ftruncate, 3),
    (Kind::Punch, 3),
    (Kind::Preallocate, 1),
    (Kind::Close, 1),
    (Kind::OpenWrite, 2),
    (Kind::Pwrite, 2),
    (Kind::Pread, 1),
    (Kind::Mlock, 5),
    (Kind::Munlock, 2),
    (Kind::Mlockall, 1),
    (Kind::Munlockall, 1),
    (Kind::MemlockLimit, 1),
    (Kind::CapIpcLock, 1),
    (Kind::MovePages, 3),
    (Kind::Reclaim, 3),
    (Kind::Swapout, 12),
    (Kind::Khugepaged, 1),
    (Kind::Raw, 3),
    (Kind::Task, 60),
];

/// Swarm testing (Groce et al., ISSTA 2012): each input enables a subset of the step kinds, so
/// that a run can spend all its steps on the few kinds a deep bug needs instead of spreading
/// them over every kind. A quarter of the inputs keep every kind.
#[derive(Clone, Copy, Debug)]
struct Swarm(u32);

impl Swarm {
    const ALL: Swarm = Swarm(u32::MAX);

    fn decode(u: &mut Unstructured) -> Result<Swarm> {
        if u8::arbitrary(u)? < 64 {
            return Ok(Swarm::ALL);
        }
        // Mmap and Write stay on: without them nothing else has memory to act on.
        let always = (1 << Kind::Mmap as u32) | (1 << Kind::Write as u32);
        Ok(Swarm(u32::arbitrary(u)? | always))
    }

    fn enabled(self, k: Kind) -> bool {
        self.0 & (1 << k as u32) != 0
    }
}

fn kind(u: &mut Unstructured, swarm: Swarm, tasks: bool) -> Result<Kind> {
    let table = if tasks { TASK_WEIGHTS } else { WEIGHTS };
    let on = || table.iter().filter(|(k, _)| swarm.enabled(*k));
    let total: u32 = on().map(|(_, w)| w).sum();
    let mut x = u.int_in_range(0..=total - 1)?;
    for &(k, w) in on() {
        if x < w {
            return Ok(k);
        }
        x -= w;
    }
    Ok(Kind::Spawn)
}

/// What the driver tracks about one live process.
#[derive(Clone, Debug, Default)]
struct ProcState {
    /// (addr, len) of every mapping an mmap or mremap returned (stale ones stay).
    regions: Vec<(u64, u64)>,
    /// Fds returned by memfd_create or open and not closed.
    fds: Vec<Fd>,
}

/// Something that applies concrete operations: the driver calls it for each one it generates.
/// It returns the operation's result, or `Err(())` to stop the sequence (a failure was found).
pub trait Apply {
    fn machine(&self) -> &Machine;
    #[allow(clippy::result_unit_err)]
    fn apply(&mut self, op: Op) -> std::result::Result<OpResult, ()>;
}

/// Resolves abstract steps against the live machine.
pub struct Driver<'a, A: Apply> {
    pub target: &'a mut A,
    opts: GenOptions,
    live: Vec<Pid>,
    procs: BTreeMap<Pid, ProcState>,
    memfds: u32,
    swarm: Swarm,
    /// Ids of the tasks started so far.
    tasks: Vec<TaskId>,
}

/// Stop: the input ran out or the target asked to stop.
enum Stop {
    Input,
    Target,
}

impl From<arbitrary::Error> for Stop {
    fn from(_: arbitrary::Error) -> Stop {
        Stop::Input
    }
}

type Step = std::result::Result<(), Stop>;

fn pages_of(len: u64) -> u64 {
    len.div_ceil(PAGE_SIZE).max(1)
}

impl<'a, A: Apply> Driver<'a, A> {
    pub fn new(target: &'a mut A, opts: GenOptions) -> Self {
        Driver {
            target,
            opts,
            live: Vec::new(),
            procs: BTreeMap::new(),
            memfds: 0,
            swarm: Swarm::ALL,
            tasks: Vec::new(),
        }
    }

    /// Decodes the swarm (which step kinds this input uses), then applies steps until the input
    /// runs out, [`MAX_STEPS`] are done, or the target stops the run.
    pub fn run(&mut self, u: &mut Unstructured) {
        let Ok(swarm) = Swarm::decode(u) else { return };
        self.swarm = swarm;
        for _ in 0..MAX_STEPS {
            if u.is_empty() || self.step(u).is_err() {
                return;
            }
        }
    }

    fn exec(&mut self, op: Op) -> std::result::Result<OpResult, Stop> {
        let r = self.target.apply(op.clone()).map_err(|()| Stop::Target)?;
        self.track(&op, &r);
        Ok(r)
    }

    /// Updates the tracked pids, regions and fds from an operation's result.
    fn track(&mut self, op: &Op, r: &OpResult) {
        match (op, r) {
            (Op::TaskStart { .. }, Ok(Outcome::Task(t))) => self.tasks.push(*t),
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
            (Op::Mmap { pid, len, .. }, Ok(Outcome::Addr(a)))
            | (Op::Mremap { pid, new_len: len, .. }, Ok(Outcome::Addr(a))) => {
                if let Some(st) = self.procs.get_mut(pid) {
                    st.regions.push((*a, *len));
                }
            }
            (Op::MemfdCreate { pid, .. } | Op::Open { pid, .. }, Ok(Outcome::Fd(fd))) => {
                if let Some(st) = self.procs.get_mut(pid) {
                    st.fds.push(*fd);
                }
            }
            (Op::Close { pid, fd }, Ok(_)) => {
                if let Some(st) = self.procs.get_mut(pid) {
                    st.fds.retain(|f| f != fd);
                }
            }
            _ => {}
        }
    }

    /// A live pid chosen by one byte, if any process lives.
    fn pid(&self, u: &mut Unstructured) -> Result<Option<Pid>> {
        let i = usize::from(u8::arbitrary(u)?);
        Ok((!self.live.is_empty()).then(|| self.live[i % self.live.len()]))
    }

    /// Mapping #m of a process: three times in four one of its current VMAs, otherwise a region
    /// an earlier mmap or mremap returned (possibly stale).
    fn region(&self, pid: Pid, m: u8) -> Option<(u64, u64)> {
        let vmas: Vec<(u64, u64)> = self
            .target
            .machine()
            .maps(pid)
            .map(|v| v.iter().map(|e| (e.start, e.end - e.start)).collect())
            .unwrap_or_default();
        let tracked = self.procs.get(&pid).map(|s| s.regions.as_slice()).unwrap_or_default();
        let pool = if (!m.is_multiple_of(4) && !vmas.is_empty()) || tracked.is_empty() { &vmas[..] } else { tracked };
        (!pool.is_empty()).then(|| pool[usize::from(m / 4) % pool.len()])
    }

    /// One of the process's private file mappings, chosen by `m`.
    fn private_file_vma(&self, pid: Pid, m: u8) -> Option<(u64, u64)> {
        let maps = self.target.machine().maps(pid).ok()?;
        let cows: Vec<(u64, u64)> =
            maps.iter().filter(|e| e.inode != 0 && !e.shared).map(|e| (e.start, e.end - e.start)).collect();
        (!cows.is_empty()).then(|| cows[usize::from(m) % cows.len()])
    }

    /// A page range inside a mapping: (start, pages). The length is a few pages, the rest of the
    /// mapping, or 2 MiB, chosen by one byte.
    fn span(&self, u: &mut Unstructured, pid: Pid) -> Result<Option<(u64, u64)>> {
        let (m, first, n) = (u8::arbitrary(u)?, u8::arbitrary(u)?, u8::arbitrary(u)?);
        let Some((addr, len)) = self.region(pid, m) else { return Ok(None) };
        let pages = pages_of(len);
        let first = u64::from(first) % pages;
        let n = match n {
            0..=199 => 1 + u64::from(n) % (pages - first).min(MAX_SPAN),
            200..=239 => pages - first,
            _ => HUGE_PAGES,
        };
        Ok(Some((addr.wrapping_add(first * PAGE_SIZE), n)))
    }

    fn fd(&self, u: &mut Unstructured, pid: Pid) -> Result<Option<Fd>> {
        let i = usize::from(u8::arbitrary(u)?);
        let Some(fds) = self.procs.get(&pid).map(|s| &s.fds) else { return Ok(None) };
        Ok((!fds.is_empty()).then(|| fds[i % fds.len()]))
    }

    /// A mapping length in pages: mostly small, sometimes 2 MiB or around it.
    fn map_pages(u: &mut Unstructured) -> Result<u64> {
        let b = u8::arbitrary(u)?;
        Ok(match b {
            0..=219 => 1 + u64::from(b % 32),
            220..=239 => HUGE_PAGES,
            240..=247 => HUGE_PAGES - 1 + u64::from(b % 3),
            _ => 2 * HUGE_PAGES,
        })
    }

    /// An advice: half the time one that moves pages (frees, swaps, ages or populates them),
    /// otherwise any named advice or an unknown one.
    fn advice(u: &mut Unstructured) -> Result<Advice> {
        const MOVING: [Advice; 8] = [
            Advice::DONTNEED,
            Advice::FREE,
            Advice::PAGEOUT,
            Advice::COLD,
            Advice::WILLNEED,
            Advice::REMOVE,
            Advice::POPULATE_READ,
            Advice::POPULATE_WRITE,
        ];
        let i = usize::from(u8::arbitrary(u)?);
        if i < 128 {
            return Ok(MOVING[i % MOVING.len()]);
        }
        Ok(Advice::NAMED.get(i % (Advice::NAMED.len() + 1)).map_or(Advice(7), |(a, _)| *a))
    }

    /// MADV_PAGEOUT becomes MADV_COLD when the options leave reclaim out.
    fn reclaiming(&self, advice: Advice) -> Advice {
        if advice == Advice::PAGEOUT && !self.opts.reclaim { Advice::COLD } else { advice }
    }

    fn prot(u: &mut Unstructured) -> Result<Prot> {
        Ok(Prot::from_bits_retain(pick(u, &[3, 3, 3, 3, 3, 3, 1, 1, 0, 7, 2, 5])?))
    }

    /// One abstract step. With no live process, a spawn comes first (it costs no input).
    fn step(&mut self, u: &mut Unstructured) -> Step {
        if self.live.is_empty() {
            self.exec(Op::Spawn)?.ok();
        }
        let k = kind(u, self.swarm, self.opts.tasks)?;
        match k {
            Kind::Spawn => self.exec(Op::Spawn).map(drop),
            Kind::Fork | Kind::Exit | Kind::Munlockall => self.process_step(u, k),
            Kind::Mmap => self.mmap(u),
            Kind::Write | Kind::Read | Kind::Touch => self.access(u, k),
            Kind::Munmap | Kind::Mprotect | Kind::Madvise | Kind::Mlock | Kind::Munlock => self.range_step(u, k),
            Kind::Mremap => self.mremap(u),
            Kind::Memfd | Kind::OpenWrite => self.create_file(u, k),
            Kind::Ftruncate | Kind::Punch | Kind::Preallocate | Kind::Close | Kind::Pwrite | Kind::Pread => {
                self.file_step(u, k)
            }
            Kind::Mlockall | Kind::MemlockLimit | Kind::CapIpcLock => self.mlock_setup(u, k),
            Kind::MovePages => self.move_pages(u),
            Kind::Reclaim => self.reclaim(u),
            Kind::Swapout => self.swapout(u),
            Kind::Khugepaged => self.exec(Op::Khugepaged).map(drop),
            Kind::Raw => self.raw(u),
            Kind::Task => self.task(u),
        }
    }

    fn process_step(&mut self, u: &mut Unstructured, k: Kind) -> Step {
        let Some(pid) = self.pid(u)? else { return Ok(()) };
        let op = match k {
            Kind::Fork => Op::Fork { pid },
            Kind::Exit => Op::Exit { pid },
            _ => Op::Munlockall { pid },
        };
        self.exec(op).map(drop)
    }

    fn mmap(&mut self, u: &mut Unstructured) -> Step {
        let Some(pid) = self.pid(u)? else { return Ok(()) };
        let pages = Self::map_pages(u)?;
        let prot = Self::prot(u)?;
        let (shape, place, m, page, extra) =
            (u8::arbitrary(u)?, u8::arbitrary(u)?, u8::arbitrary(u)?, u8::arbitrary(u)?, u8::arbitrary(u)?);
        let mut flags = if shape & 1 == 0 { MapFlags::PRIVATE } else { MapFlags::SHARED };
        let (mut fd, mut offset) = (-1, 0);
        match (shape >> 1) % 3 {
            0 => flags |= MapFlags::ANONYMOUS,
            _ => match self.fd(u, pid)? {
                Some(f) => (fd, offset) = (f, u64::from(extra % 8) * PAGE_SIZE),
                None => flags |= MapFlags::ANONYMOUS,
            },
        }
        if extra >= 232 {
            flags |= MapFlags::POPULATE;
        } else if extra >= 224 {
            flags |= MapFlags::LOCKED;
        }
        let at = self.region(pid, m).map(|(a, len)| a.wrapping_add((u64::from(page) % pages_of(len)) * PAGE_SIZE));
        let addr = match (place % 8, at) {
            (0..=3, _) | (_, None) => 0,
            (4, Some(a)) => a,
            (5, Some(a)) => {
                flags |= MapFlags::FIXED;
                a
            }
            (6, Some(a)) => {
                flags |= MapFlags::FIXED_NOREPLACE;
                a
            }
            (_, Some(a)) => {
                // A 2 MiB-aligned fixed address near the mapping.
                flags |= MapFlags::FIXED;
                (a & !((HUGE_PAGES * PAGE_SIZE) - 1)).wrapping_sub(HUGE_PAGES * PAGE_SIZE)
            }
        };
        self.exec(Op::Mmap { pid, addr, len: pages * PAGE_SIZE, prot, flags, fd, offset }).map(drop)
    }

    fn access(&mut self, u: &mut Unstructured, k: Kind) -> Step {
        let Some(pid) = self.pid(u)? else { return Ok(()) };
        let Some((addr, n)) = self.span(u, pid)? else { return Ok(()) };
        let op = match k {
            Kind::Write => Op::Write { pid, addr, value: u64::from(u16::arbitrary(u)?) },
            Kind::Read => Op::Read { pid, addr },
            _ => {
                let access = if bool::arbitrary(u)? { Access::Write } else { Access::Read };
                Op::Touch { pid, addr, len: n * PAGE_SIZE, access }
            }
        };
        self.exec(op).map(drop)
    }

    fn range_step(&mut self, u: &mut Unstructured, k: Kind) -> Step {
        match self.range_op(u, k)? {
            Some(op) => self.exec(op).map(drop),
            None => Ok(()),
        }
    }

    fn range_op(&mut self, u: &mut Unstructured, k: Kind) -> std::result::Result<Option<Op>, Stop> {
        let Some(pid) = self.pid(u)? else { return Ok(None) };
        let Some((addr, n)) = self.span(u, pid)? else { return Ok(None) };
        let len = n * PAGE_SIZE;
        let op = match k {
            Kind::Munmap => Op::Munmap { pid, addr, len },
            Kind::Mprotect => Op::Mprotect { pid, addr, len, prot: Self::prot(u)? },
            Kind::Madvise => Op::Madvise { pid, addr, len, advice: self.reclaiming(Self::advice(u)?) },
            Kind::Munlock => Op::Munlock { pid, addr, len },
            _ => match u8::arbitrary(u)? % 3 {
                0 => Op::Mlock { pid, addr, len },
                1 => Op::Mlock2 { pid, addr, len, flags: MlockFlags::ONFAULT },
                _ => Op::Mlock2 { pid, addr, len, flags: MlockFlags::empty() },
            },
        };
        Ok(Some(op))
    }

    /// A task step: start a fault, an mmap_lock writer, a reclaim, a truncation or a migration, step a
    /// started task, complete its read, or run every task.
    fn task(&mut self, u: &mut Unstructured) -> Step {
        let which = u8::arbitrary(u)?;
        let started = |u: &mut Unstructured, tasks: &[TaskId]| -> Result<Option<TaskId>> {
            if tasks.is_empty() {
                return Ok(None);
            }
            Ok(Some(tasks[usize::from(u8::arbitrary(u)?) % tasks.len()]))
        };
        let op = match which % 11 {
            0 | 1 => {
                let Some(pid) = self.pid(u)? else { return Ok(()) };
                let Some((addr, _)) = self.span(u, pid)? else { return Ok(()) };
                let access = if bool::arbitrary(u)? { Access::Write } else { Access::Read };
                Op::TaskStart { task: TaskKind::Fault { pid, addr, access } }
            }
            2 => {
                let k = pick(u, &[Kind::Mprotect, Kind::Munmap, Kind::Mlock, Kind::Munlock])?;
                let Some(op) = self.range_op(u, k)? else { return Ok(()) };
                Op::TaskStart { task: TaskKind::Writer(Box::new(op)) }
            }
            3..=5 => match started(u, &self.tasks)? {
                Some(task) => Op::TaskStep { task },
                None => return Ok(()),
            },
            6 => match started(u, &self.tasks)? {
                Some(task) => Op::IoComplete { task },
                None => return Ok(()),
            },
            7 => {
                let Some(pid) = self.pid(u)? else { return Ok(()) };
                let Some((addr, _)) = self.span(u, pid)? else { return Ok(()) };
                Op::TaskStart { task: TaskKind::Reclaim { pid, addr } }
            }
            8 => {
                let k = if bool::arbitrary(u)? { Kind::Ftruncate } else { Kind::Punch };
                let Some(op) = self.file_op(u, k)? else { return Ok(()) };
                Op::TaskStart { task: TaskKind::Writer(Box::new(op)) }
            }
            9 => {
                let Some(pid) = self.pid(u)? else { return Ok(()) };
                let Some((addr, _)) = self.span(u, pid)? else { return Ok(()) };
                let node = u32::from(u8::arbitrary(u)? % 3);
                Op::TaskStart { task: TaskKind::Migrate { pid, addr, node } }
            }
            _ => Op::RunUntilIdle,
        };
        self.exec(op).map(drop)
    }

    fn mremap(&mut self, u: &mut Unstructured) -> Step {
        let Some(pid) = self.pid(u)? else { return Ok(()) };
        let Some((old_addr, n)) = self.span(u, pid)? else { return Ok(()) };
        let (how, more, m2, page) = (u8::arbitrary(u)?, u8::arbitrary(u)? % 64, u8::arbitrary(u)?, u8::arbitrary(u)?);
        let old_len = n * PAGE_SIZE;
        let grow = (n + 1 + u64::from(more)) * PAGE_SIZE;
        let (new_len, flags, new_addr) = match how % 5 {
            0 => ((u64::from(more) % n).max(1) * PAGE_SIZE, MremapFlags::empty(), 0),
            1 => (grow, MremapFlags::empty(), 0),
            2 => (grow, MremapFlags::MAYMOVE, 0),
            3 => {
                let new_len = (1 + u64::from(more)) * PAGE_SIZE;
                let (dest, len2) = self.region(pid, m2).unwrap_or((MMAP_BASE, 0));
                let mut dest = dest.wrapping_add((u64::from(page) % pages_of(len2)) * PAGE_SIZE);
                let overlap = dest < old_addr.saturating_add(old_len) && old_addr < dest.saturating_add(new_len);
                if overlap && !page.is_multiple_of(4) {
                    dest = old_addr.saturating_sub((256 + u64::from(page)) * PAGE_SIZE);
                }
                (new_len, MremapFlags::MAYMOVE | MremapFlags::FIXED, dest)
            }
            _ => (old_len, MremapFlags::MAYMOVE | MremapFlags::DONTUNMAP, 0),
        };
        self.exec(Op::Mremap { pid, old_addr, old_len, new_len, flags, new_addr }).map(drop)
    }

    fn create_file(&mut self, u: &mut Unstructured, k: Kind) -> Step {
        let Some(pid) = self.pid(u)? else { return Ok(()) };
        let (a, b) = (u8::arbitrary(u)?, u8::arbitrary(u)?);
        if let Kind::Memfd = k {
            self.memfds += 1;
            let name = format!("m{}", self.memfds);
            let flags = if a & 1 == 1 { MemfdFlags::ALLOW_SEALING | MemfdFlags::CLOEXEC } else { MemfdFlags::empty() };
            if let Ok(Outcome::Fd(fd)) = self.exec(Op::MemfdCreate { pid, name, flags })? {
                self.exec(Op::Ftruncate { pid, fd, len: u64::from(b % 33) * PAGE_SIZE })?.ok();
            }
            return Ok(());
        }
        let path = PATHS[usize::from(a) % PATHS.len()].to_string();
        let flags = OpenFlags::from_bits_retain(pick(u, &[0o102, 0o102, 0o102, 0o1102, 0o100, 0o101, 0o2, 0o0])?);
        if let Ok(Outcome::Fd(fd)) = self.exec(Op::Open { pid, path, flags })? {
            for i in 0..u64::from(b % 4) {
                self.exec(Op::Pwrite { pid, fd, offset: ((u64::from(b) + i * 7) % 24) * PAGE_SIZE, value: i + 1 })?
                    .ok();
            }
        }
        Ok(())
    }

    fn file_step(&mut self, u: &mut Unstructured, k: Kind) -> Step {
        match self.file_op(u, k)? {
            Some(op) => self.exec(op).map(drop),
            None => Ok(()),
        }
    }

    /// A file operation of kind `k` on an open fd of a live process.
    fn file_op(&mut self, u: &mut Unstructured, k: Kind) -> Result<Option<Op>> {
        let Some(pid) = self.pid(u)? else { return Ok(None) };
        let Some(fd) = self.fd(u, pid)? else { return Ok(None) };
        let (a, b) = (u64::from(u8::arbitrary(u)?), u64::from(u8::arbitrary(u)?));
        let op = match k {
            Kind::Ftruncate => {
                let len = if b & 1 == 0 { (a % 41) * PAGE_SIZE } else { a * 613 % (40 * PAGE_SIZE) };
                Op::Ftruncate { pid, fd, len }
            }
            Kind::Punch => Op::Fallocate {
                pid,
                fd,
                mode: FallocMode::PUNCH_HOLE | FallocMode::KEEP_SIZE,
                offset: a * 641 % (40 * PAGE_SIZE),
                len: 1 + b * 331 % (20 * PAGE_SIZE),
            },
            Kind::Preallocate => {
                let mode = if b & 1 == 0 { FallocMode::KEEP_SIZE } else { FallocMode::empty() };
                Op::Fallocate { pid, fd, mode, offset: (a % 40) * PAGE_SIZE, len: (1 + b % 16) * PAGE_SIZE }
            }
            Kind::Close => Op::Close { pid, fd },
            Kind::Pwrite => Op::Pwrite { pid, fd, offset: (a % 40) * PAGE_SIZE, value: b + 1 },
            _ => Op::Pread { pid, fd, offset: (a % 40) * PAGE_SIZE },
        };
        Ok(Some(op))
    }

    fn mlock_setup(&mut self, u: &mut Unstructured, k: Kind) -> Step {
        let Some(pid) = self.pid(u)? else { return Ok(()) };
        let op = match k {
            Kind::Mlockall => Op::Mlockall { pid, flags: MclFlags::from_bits_retain(pick(u, &[1, 2, 3, 5, 6, 7])?) },
            Kind::MemlockLimit => {
                Op::SetMemlockLimit { pid, bytes: pick(u, &[0, PAGE_SIZE, 16 * PAGE_SIZE, 8 << 20, u64::MAX])? }
            }
            _ => Op::SetCapIpcLock { pid, on: bool::arbitrary(u)? },
        };
        self.exec(op).map(drop)
    }

    fn move_pages(&mut self, u: &mut Unstructured) -> Step {
        let Some(pid) = self.pid(u)? else { return Ok(()) };
        let Some((addr, n)) = self.span(u, pid)? else { return Ok(()) };
        let (mode, nodes_byte) = (u8::arbitrary(u)?, u8::arbitrary(u)?);
        let n = n.min(8);
        let addrs: Vec<u64> = (0..n).map(|i| addr + i * PAGE_SIZE).collect();
        let query = mode % 4 == 0;
        let nodes = if query { Vec::new() } else { (0..n).map(|i| (u32::from(nodes_byte) >> i) % 4).collect() };
        let flags = MpolFlags::from_bits_retain([0, 2, 4][usize::from(mode / 4) % 3]);
        self.exec(Op::MovePages { pid, addrs, nodes, flags }).map(drop)
    }

    fn reclaim(&mut self, u: &mut Unstructured) -> Step {
        let (nid, pages) = (u32::from(u8::arbitrary(u)? % 4), u8::arbitrary(u)?);
        if !self.opts.reclaim {
            return Ok(());
        }
        let pages = if pages >= 224 { u64::MAX } else { u64::from(pages % 32) };
        self.exec(Op::Reclaim { nid, pages }).map(drop)
    }

    /// A write to the first page of a span, then MADV_PAGEOUT of the span: the shortest way to a
    /// swap entry, including a swapped-out private COW copy in a file mapping (what the zap and
    /// truncate paths must not skip).
    /// Half the time the span is in a private file mapping, where the written page is a COW copy.
    fn swapout(&mut self, u: &mut Unstructured) -> Step {
        let Some(pid) = self.pid(u)? else { return Ok(()) };
        let (cow, first) = (u8::arbitrary(u)?, u8::arbitrary(u)?);
        let span = match self.private_file_vma(pid, cow) {
            Some((start, len)) if cow < 128 => Some((start + (u64::from(first) % pages_of(len)) * PAGE_SIZE, 1)),
            _ => self.span(u, pid)?,
        };
        let Some((addr, n)) = span else { return Ok(()) };
        let value = u64::from(u16::arbitrary(u)?);
        self.exec(Op::Write { pid, addr, value })?.ok();
        let advice = self.reclaiming(Advice::PAGEOUT);
        self.exec(Op::Madvise { pid, addr, len: n * PAGE_SIZE, advice }).map(drop)
    }

    /// A fully arbitrary operation; its pid is a live one unless the selector byte says not.
    fn raw(&mut self, u: &mut Unstructured) -> Step {
        let keep_pid = u8::arbitrary(u)? >= 224;
        let live = self.pid(u)?;
        let mut op = Op::arbitrary(u)?;
        if let (false, Some(p)) = (keep_pid, live) {
            set_pid(&mut op, p);
        }
        bound(&mut op);
        let pageout = matches!(op, Op::Madvise { advice: Advice::PAGEOUT, .. });
        if (pageout || matches!(op, Op::Reclaim { .. })) && !self.opts.reclaim {
            return Ok(());
        }
        self.exec(op).map(drop)
    }
}

/// Replaces the pid an operation acts in.
fn set_pid(op: &mut Op, p: Pid) {
    if let Some(pid) = op.pid_mut() {
        *pid = p;
    }
}

/// Keeps a raw operation cheap: valid huge mapping lengths are taken modulo [`MAX_RAW_MAP`],
/// touched and advised ranges are cut to [`MAX_RAW_RANGE`], move_pages lists to
/// [`MAX_RAW_ADDRS`]. Invalid lengths stay as they are (they must get their errno).
fn bound(op: &mut Op) {
    let map_len = |len: &mut u64| {
        if *len > MAX_RAW_MAP && *len <= TASK_SIZE {
            *len %= MAX_RAW_MAP;
        }
    };
    match op {
        Op::Mmap { len, .. } => map_len(len),
        Op::Mremap { old_len, new_len, .. } => {
            map_len(old_len);
            map_len(new_len);
        }
        Op::Touch { len, .. } | Op::Madvise { len, .. } if *len > MAX_RAW_RANGE && *len <= TASK_SIZE => {
            *len %= MAX_RAW_RANGE;
        }
        Op::MovePages { addrs, nodes, .. } => {
            addrs.truncate(MAX_RAW_ADDRS);
            nodes.truncate(MAX_RAW_ADDRS);
        }
        Op::TaskStart { task: TaskKind::Writer(op) } => bound(op),
        _ => {}
    }
}
