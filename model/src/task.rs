//! Kernel paths in flight as interleavable tasks: the page fault that sleeps on swap-in I/O
//! (mm/memory.c `do_swap_page`, `lock_vma_under_rcu`; include/linux/mm.h `vma_start_read`,
//! `vma_end_read`; mm/filemap.c `folio_lock_or_retry`; mm/page_io.c `swap_read_folio`; the
//! VM_FAULT_RETRY handling of arch/x86/mm/fault.c `do_user_addr_fault`) and the mmap_lock writers
//! (mm/mmap.c, mm/mprotect.c, mm/mremap.c, mm/mlock.c: `mmap_write_lock`, `vma_start_write`,
//! `mmap_write_unlock`), the reclaim of one page (mm/vmscan.c `shrink_folio_list`: folio
//! trylock, then mm/rmap.c `try_to_unmap` one VMA a step, `try_to_unmap_one` mlocking the page
//! under the pte lock when a VMA is VM_LOCKED) and truncation (mm/truncate.c
//! `truncate_pagecache`: the unmap pass, then `truncate_inode_pages_range` locking each folio;
//! mm/shmem.c `shmem_fallocate` PUNCH_HOLE the same way), and page migration (mm/migrate.c
//! `migrate_folio_unmap`: folio lock, `try_to_migrate` installing migration entries; then
//! `move_to_new_folio` + `remove_migration_ptes`).
//!
//! A task is started, then stepped; one step advances it by one phase and costs one modeled time
//! unit. A step that cannot advance reports what it waits on and costs nothing. What a task holds
//! between steps is real state: mmap_lock of its mm, the VMA lock of the VMA it faults in, the
//! lock of the swap-cache folio whose read it started. The page-table work itself (the fault's
//! mapping, the writer's syscall) happens in the task's last step, atomically, through the same
//! code as the plain operation, so a task run alone gives exactly the plain operation's result;
//! mlock, munlock and munmap walk their page tables in steps (below), with the same result.
//! A plain operation is a task run to completion: it first lets the tasks run (in
//! `run_until_idle`'s order) while they hold the mmap_lock it needs (`Machine::wait_for_mm_locks`).
//! Page locks do not stop it: a plain fault maps a page a reclaim holds.
//!
//! A swap-in fault that finds the folio locked by another task's read follows the machine's
//! [`SwapinPolicy`]; under mmap_lock it drops the lock and waits on the first try and waits
//! holding it on the retry (`fault_flag_allow_retry_first`, FAULT_FLAG_TRIED).
//!
//! Reclaim holds the folio lock and a reference on its page from its first step to its last;
//! truncation's locked pass waits for that lock. With the `rmap_mlock_trylock` quirk the walk
//! drops the pte lock before mlocking and mlocks after a trylock of mmap_lock, as before 2015.
//! Faults do not take page locks here: a page in the page cache maps at once.
//!
//! A migration holds its page locked from its first step; its second replaces every PTE
//! mapping the page by a migration entry (which a zap may remove, and which a fault and a writer
//! of that mm wait on); its third copies the page to the target node and restores the entries
//! still there. A plain operation first completes the migrations whose entries are installed.
//!
//! mlock, munlock and munmap walk their page tables one PMD (512 PTEs) a step after they have
//! changed the VMAs, as `mlock_vma_pages_range` and `unmap_region` walk them one page table
//! under its pte lock at a time (mm/mlock.c `mlock_pte_range`, mm/memory.c `zap_pmd_range`):
//! mlock sets VM_LOCKED|VM_IO first and clears VM_IO after the walk, so a reclaim or a
//! migration meeting a page the walk has not reached does not mlock it a second time; munlock
//! clears VM_LOCKED first, so the pages not yet walked hold a count no VM_LOCKED mapping
//! accounts for (the model's stale mlock) until the walk reaches them. A plain operation first
//! completes the walks in flight: they hold mmap_lock for write and never wait.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::config::{QUIRK_MLOCK_WALK_WITHOUT_VM_IO, QUIRK_RMAP_MLOCK_TRYLOCK};
use crate::errno::Errno;
use crate::lockdep::{self, WaitFor};
use crate::machine::Machine;
use crate::mm_types::{PMD_SIZE, Pte, VmFlags};
use crate::mmap_lock::{Acquire, Mode, RwSem, VmaLock};
use crate::ops::{Access, FallocMode, Op, OpResult, Outcome, PAGE_SIZE, Pid};
use crate::page_alloc::{PageFlags, Pfn, ZERO_PFN};
use crate::shmem::Truncation;
use crate::swapfile::Slot;
use crate::vmscan::Reclaimer;
use crate::vmstat::Event;

pub use crate::mmap_lock::TaskId;

/// What a swap-in fault does under a VMA lock when the swap-cache folio is locked by another
/// task's read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum SwapinPolicy {
    /// Drop the VMA lock and retry under mmap_lock (`vma_lock_retry`): the behaviour before the
    /// 2023 discussion.
    #[default]
    Retry,
    /// Wait for the folio while holding the VMA lock (the proposal in the thread).
    Wait,
}

impl SwapinPolicy {
    pub fn name(self) -> &'static str {
        match self {
            SwapinPolicy::Retry => "retry",
            SwapinPolicy::Wait => "wait",
        }
    }

    pub fn from_name(s: &str) -> Option<SwapinPolicy> {
        [SwapinPolicy::Retry, SwapinPolicy::Wait].into_iter().find(|p| p.name() == s)
    }
}

/// What a task started by [`Op::TaskStart`] does.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum TaskKind {
    /// A page fault by a thread of `pid` at `addr` (a swap-in when the PTE holds a swap entry).
    Fault { pid: Pid, addr: u64, access: Access },
    /// An operation in steps. An mmap_lock writer (mmap, munmap, mprotect, mremap, the mlock
    /// family) runs once mmap_lock is held for write and every VMA it changes is write-locked;
    /// a truncation (ftruncate, fallocate PUNCH_HOLE|KEEP_SIZE) unmaps the cut in its first step
    /// and frees one page a step after locking it.
    Writer(#[cfg_attr(feature = "arbitrary", arbitrary(with = arbitrary_writer))] Box<Op>),
    /// Reclaim of the page mapped at `addr` in `pid`, isolated from its LRU list when the task
    /// starts: one VMA of its rmap walk a step, then the page is freed or kept.
    Reclaim { pid: Pid, addr: u64 },
    /// Migration of the page mapped at `addr` in `pid` to `node` (one page of move_pages with
    /// MPOL_MF_MOVE_ALL).
    Migrate { pid: Pid, addr: u64, node: u32 },
}

impl TaskKind {
    /// The process the task runs in.
    pub fn pid(&self) -> Option<Pid> {
        match self {
            TaskKind::Fault { pid, .. } | TaskKind::Reclaim { pid, .. } | TaskKind::Migrate { pid, .. } => Some(*pid),
            TaskKind::Writer(op) => op.pid(),
        }
    }

    /// The process the task runs in, for retargeting it.
    pub fn pid_mut(&mut self) -> Option<&mut Pid> {
        match self {
            TaskKind::Fault { pid, .. } | TaskKind::Reclaim { pid, .. } | TaskKind::Migrate { pid, .. } => Some(pid),
            TaskKind::Writer(op) => op.pid_mut(),
        }
    }
}

/// What a task waits on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Blocked {
    /// mmap_lock of its mm (for read or write).
    MmapLock,
    /// A VMA lock's readers to leave (a writer's `vma_start_write`).
    VmaLock,
    /// A folio locked by another task.
    Folio,
    /// Its own read I/O to complete ([`Op::IoComplete`]).
    Io,
}

impl Blocked {
    pub const ALL: [Blocked; 4] = [Blocked::MmapLock, Blocked::VmaLock, Blocked::Folio, Blocked::Io];
    pub fn name(self) -> &'static str {
        match self {
            Blocked::MmapLock => "mmap_lock",
            Blocked::VmaLock => "vma_lock",
            Blocked::Folio => "folio",
            Blocked::Io => "io",
        }
    }
    pub fn from_name(s: &str) -> Option<Blocked> {
        Blocked::ALL.into_iter().find(|b| b.name() == s)
    }
}

/// What one step did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StepState {
    /// The task advanced and is still in flight.
    Ran,
    /// The task cannot advance until what it waits on is released or delivered.
    Waits(Blocked),
    /// The task finished with this step.
    Done,
}

/// A VMA lock's identity: the mm and the VMA's start when the lock was taken.
type VmaKey = (Pid, u64);

/// What lock a fault holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Held {
    Nothing,
    Vma(VmaKey),
    Mmap,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Wait {
    MmapLock,
    VmaLock(VmaKey),
    /// A swap-cache folio locked while its read is in flight.
    Folio(Slot),
    /// A page locked by a reclaim or a migration.
    Page(Pfn),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Phase {
    /// A fault: `lock_vma_under_rcu`, or mmap_lock after a failure or a retry.
    Lock {
        vma_first: bool,
        tried: bool,
    },
    /// A fault holding its lock: look at the PTE and the swap cache, and map the page when no
    /// read is in flight.
    Lookup {
        tried: bool,
    },
    /// A writer: `mmap_write_lock`.
    MmapWrite,
    /// A writer holding mmap_lock: `vma_start_write` on the next VMA of its range.
    VmaWrite,
    /// A writer holding every lock: the operation, then `mmap_write_unlock`.
    Apply,
    /// A truncation: check, set the size, unmap the cut (`unmap_mapping_range`).
    TruncUnmap,
    /// A truncation's locked pass at the first cached page at or after `from`.
    TruncPages {
        cut: Truncation,
        from: u64,
    },
    /// A reclaim: find and isolate the page, `folio_trylock`.
    ReclaimIsolate,
    /// A reclaim holding the page: the rmap walk at the first mapping after `after`.
    ReclaimWalk {
        after: Option<(Pid, u64)>,
    },
    /// A reclaim that met a VM_LOCKED VMA of `pid` and dropped the pte lock (the quirk): trylock
    /// mmap_lock, then mlock the page.
    ReclaimMlock {
        at: (Pid, u64),
    },
    /// A migration: find and lock the page (`folio_lock`, waiting for a holder).
    MigrateLock,
    /// A migration holding the page: `try_to_migrate`.
    MigrateUnmap,
    /// A migration with its entries installed: copy, restore, unlock.
    MigrateMove,
    /// A writer holding every lock, its VMAs changed: the page walk of its `walk` range number
    /// `range` at the page table holding `addr`.
    PageWalk {
        range: usize,
        addr: u64,
    },
    Done,
}

/// What a writer's page walk does to its range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum WalkKind {
    /// mlock_pte_range on a VMA that gained VM_LOCKED.
    Mlock,
    /// mlock_pte_range on a VMA that lost it.
    Munlock,
    /// munmap's zap.
    Zap,
}

/// One range of a writer's page walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct WalkRange {
    pub start: u64,
    pub end: u64,
    pub kind: WalkKind,
}

/// What a writer task's operation leaves for its page walk: set on the machine while the
/// operation runs, so that `mlock_fixup` records its walks instead of doing them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct DeferredWalk {
    pub ranges: Vec<WalkRange>,
    /// `__mm_populate(start, end, ignore_errors)` after the walk (mlock, mlockall).
    pub populate: Option<(u64, u64, bool)>,
}

/// One task, as the `tasks` view reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInfo {
    pub id: TaskId,
    /// `fault`, or the name of the writer's operation.
    pub kind: String,
    pub done: bool,
    /// What it waits on now, if anything.
    pub waits: Option<Blocked>,
    /// Time units from its start to the step that finished it (or to now).
    pub latency: u64,
    /// Time units it could not advance while other tasks did.
    pub waited: u64,
    /// The errno its operation returned (0 on success, or while in flight).
    pub errno: i32,
}

/// Machine-wide task figures, in modeled time units (one unit = one step of any task).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TaskStats {
    pub started: u64,
    pub completed: u64,
    pub steps: u64,
    pub faults_completed: u64,
    pub fault_latency_total: u64,
    pub fault_latency_max: u64,
    pub writers_completed: u64,
    /// Time units writers could not advance (waiting for mmap_lock or VMA readers).
    pub writer_wait_total: u64,
    pub writer_wait_max: u64,
    /// Faults that queued on mmap_lock behind a writer.
    pub faults_blocked_behind_writer: u64,
    /// Steps the pre-5.18 munlock would have walked for the same munlocks: per PG_mlocked page,
    /// the VMAs `try_to_munlock`'s rmap walk visits up to the first VM_LOCKED one mapping it
    /// (`Machine::munlock_walk_steps`).
    pub munlock_rmap_steps: u64,
    /// Pages `munlock_folio` handled: the reworked design's munlock cost (one mlock_count
    /// decrement or PG_mlocked clear per page per unlocking mapping).
    pub mlock_count_updates: u64,
}

impl TaskStats {
    pub const FIELDS: &'static [&'static str] = &[
        "started",
        "completed",
        "steps",
        "faults_completed",
        "fault_latency_total",
        "fault_latency_max",
        "writers_completed",
        "writer_wait_total",
        "writer_wait_max",
        "faults_blocked_behind_writer",
        "munlock_rmap_steps",
        "mlock_count_updates",
    ];

    /// The figure a `tasks FIELD` expectation names.
    pub fn field(&self, name: &str) -> Option<u64> {
        Some(match name {
            "started" => self.started,
            "completed" => self.completed,
            "steps" => self.steps,
            "faults_completed" => self.faults_completed,
            "fault_latency_total" => self.fault_latency_total,
            "fault_latency_max" => self.fault_latency_max,
            "writers_completed" => self.writers_completed,
            "writer_wait_total" => self.writer_wait_total,
            "writer_wait_max" => self.writer_wait_max,
            "faults_blocked_behind_writer" => self.faults_blocked_behind_writer,
            "munlock_rmap_steps" => self.munlock_rmap_steps,
            "mlock_count_updates" => self.mlock_count_updates,
            _ => return None,
        })
    }
}

/// How long a swap read takes, in time units (steps of other tasks): a completion delivered
/// sooner leaves the CPU idle until then, every waiting task waiting the while.
pub const SWAP_READ_UNITS: u64 = 10;

/// Most tasks a machine keeps: a start beyond it forgets the oldest finished task, or is EAGAIN
/// when all of them are in flight.
pub const MAX_TASKS: usize = 4096;

/// The tasks of one machine and the locks they hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Tasks {
    mmap_locks: BTreeMap<Pid, RwSem>,
    vma_locks: BTreeMap<VmaKey, VmaLock>,
    /// Swap-cache folios under read, by slot, with the task holding the folio lock.
    folio_locks: BTreeMap<Slot, TaskId>,
    /// Swap slots whose read completed and whose page no fault has mapped yet.
    read_done: BTreeSet<Slot>,
    /// Pages a reclaim or a migration holds locked (and referenced), with the task.
    page_locks: BTreeMap<Pfn, TaskId>,
    tasks: BTreeMap<TaskId, Task>,
    next_id: TaskId,
    now: u64,
    pub stats: TaskStats,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Task {
    kind: TaskKind,
    pid: Pid,
    phase: Phase,
    held: Held,
    wait: Option<Wait>,
    /// The swap slot whose folio lock this task holds while its read is in flight.
    reading: Option<Slot>,
    io_pending: bool,
    /// When the task's read was submitted.
    io_started: u64,
    /// The page a reclaim or a migration holds.
    page: Option<Pfn>,
    /// The migration entries a migration installed.
    entries: Vec<(Pid, u64)>,
    /// VMA locks a writer still has to take, and those it holds.
    vma_todo: Vec<VmaKey>,
    vma_held: Vec<VmaKey>,
    /// A writer's page walk, once its operation changed the VMAs.
    walk: DeferredWalk,
    started: u64,
    finished: Option<u64>,
    /// Time units this task could not advance while others did.
    waited: u64,
    result: Option<Result<(), Errno>>,
}

impl Task {
    fn done(&self) -> bool {
        self.phase == Phase::Done
    }
}

impl Tasks {
    /// Whether any task is still in flight.
    pub fn busy(&self) -> bool {
        self.tasks.values().any(|t| !t.done())
    }

    /// The tasks one step would advance, ascending.
    pub fn runnable(&self) -> Vec<TaskId> {
        self.tasks.iter().filter(|&(&i, t)| !t.done() && !self.waiting(i, t)).map(|(&i, _)| i).collect()
    }

    /// Whether a plain operation of `pid` would block on its mmap_lock: a writer holds or
    /// awaits it, or (for an operation that takes it for write) anyone holds it or a VMA lock.
    fn mm_busy(&self, pid: Pid, writer: bool) -> bool {
        let sem = self.mmap_locks.get(&pid);
        if sem.is_some_and(|l| l.write_pending()) {
            return true;
        }
        writer
            && (sem.is_some_and(|l| !l.holders().is_empty() || !l.waiters().is_empty())
                || self.vma_locks.iter().any(|(&(p, _), l)| p == pid && !l.idle()))
    }

    /// The tasks whose read is in flight, ascending.
    pub fn io_pending(&self) -> Vec<TaskId> {
        self.tasks.iter().filter(|(_, t)| t.io_pending).map(|(&i, _)| i).collect()
    }

    fn waiting(&self, id: TaskId, t: &Task) -> bool {
        match t.wait {
            None => false,
            Some(Wait::MmapLock) => !self.mmap_locks.get(&t.pid).is_some_and(|l| l.held_by(id)),
            Some(Wait::VmaLock(key)) => self.vma_locks.get(&key).is_some_and(|l| l.holders() != [id]),
            Some(Wait::Folio(slot)) => self.folio_locks.contains_key(&slot),
            Some(Wait::Page(pfn)) => self.page_locks.get(&pfn).is_some_and(|&h| h != id),
        }
    }

    /// The wait-for graph of the tasks that wait: each waits for the holders of what it waits on
    /// (and, on mmap_lock, for the waiters queued ahead of it: the rwsem is fair).
    pub fn wait_for(&self) -> WaitFor {
        let mut g = WaitFor::new();
        for (&id, t) in self.tasks.iter().filter(|&(&i, t)| self.waiting(i, t)) {
            let holders: BTreeSet<TaskId> = match t.wait {
                Some(Wait::MmapLock) => self.mmap_lock_blockers(t.pid, id),
                Some(Wait::VmaLock(key)) => {
                    self.vma_locks.get(&key).map(|l| l.holders()).unwrap_or_default().into_iter().collect()
                }
                Some(Wait::Folio(slot)) => self.folio_locks.get(&slot).copied().into_iter().collect(),
                Some(Wait::Page(pfn)) => self.page_locks.get(&pfn).copied().into_iter().collect(),
                _ => BTreeSet::new(),
            };
            g.insert(id, holders.into_iter().filter(|&h| h != id).collect());
        }
        g
    }

    /// What a waiting task waits on, as scripts see it: a folio under the task's own read is
    /// `io`.
    fn blocked_on(&self, id: TaskId, w: Wait) -> Blocked {
        match w {
            Wait::MmapLock => Blocked::MmapLock,
            Wait::VmaLock(_) => Blocked::VmaLock,
            Wait::Folio(slot) if self.folio_locks.get(&slot) == Some(&id) => Blocked::Io,
            Wait::Folio(_) | Wait::Page(_) => Blocked::Folio,
        }
    }

    fn mmap_lock_blockers(&self, pid: Pid, id: TaskId) -> BTreeSet<TaskId> {
        let Some(l) = self.mmap_locks.get(&pid) else { return BTreeSet::new() };
        let ahead = l.waiters().into_iter().take_while(|&(t, _)| t != id).map(|(t, _)| t);
        l.holders().into_iter().chain(ahead).collect()
    }

    /// Lock violations: a wait-for cycle (deadlock), a task nothing can wake, a lock held or a
    /// folio left locked once every task has finished.
    pub fn violations(&self) -> Vec<String> {
        let g = self.wait_for();
        let mut v = Vec::new();
        if let Some(c) = lockdep::find_cycle(&g) {
            v.push(format!("deadlock: tasks {c:?} wait for each other"));
        }
        let live: BTreeSet<TaskId> = self.tasks.iter().filter(|(_, t)| !t.done()).map(|(&i, _)| i).collect();
        let io = |t: TaskId| self.tasks.get(&t).is_some_and(|t| t.io_pending);
        for t in lockdep::never_woken(&g, &live, io) {
            v.push(format!("task {t} can never be woken"));
        }
        if live.is_empty() {
            let mmap = self.mmap_locks.values().any(|l| !l.holders().is_empty() || !l.waiters().is_empty());
            let vma = self.vma_locks.values().any(|l| !l.holders().is_empty());
            if mmap || vma || !self.folio_locks.is_empty() || !self.page_locks.is_empty() {
                v.push("a lock is held after every task finished".to_string());
            }
        }
        v
    }

    /// What the `tasks` view shows of task `id`.
    pub fn info(&self, id: TaskId) -> Option<TaskInfo> {
        let t = self.tasks.get(&id)?;
        let kind = match &t.kind {
            TaskKind::Fault { .. } => "fault",
            TaskKind::Writer(op) => op.name(),
            TaskKind::Reclaim { .. } => "reclaim",
            TaskKind::Migrate { .. } => "migrate",
        };
        let waits = t.wait.filter(|_| self.waiting(id, t)).map(|w| self.blocked_on(id, w));
        let errno = match t.result {
            Some(Err(e)) => e.number(),
            _ => 0,
        };
        let latency = t.finished.unwrap_or(self.now) - t.started;
        Some(TaskInfo { id, kind: kind.to_string(), done: t.done(), waits, latency, waited: t.waited, errno })
    }

    /// Every task, ascending ids.
    pub fn infos(&self) -> Vec<TaskInfo> {
        self.tasks.keys().filter_map(|&i| self.info(i)).collect()
    }

    fn mmap_lock(&mut self, pid: Pid) -> &mut RwSem {
        self.mmap_locks.entry(pid).or_default()
    }

    fn vma_lock(&mut self, key: VmaKey) -> &mut VmaLock {
        self.vma_locks.entry(key).or_default()
    }

    /// Advances the clock to `due` with no task running; the waiting tasks wait the while.
    fn idle_until(&mut self, due: u64) {
        let Some(idle) = due.checked_sub(self.now).filter(|&d| d > 0) else { return };
        self.now = due;
        let waiting: Vec<TaskId> =
            self.tasks.iter().filter(|&(&i, t)| !t.done() && self.waiting(i, t)).map(|(&i, _)| i).collect();
        for i in waiting {
            if let Some(t) = self.tasks.get_mut(&i) {
                t.waited += idle;
            }
        }
    }

    /// Clears what only counts time (the clock, latencies, waits, the figures), so that two
    /// schedules reaching the same locks and tasks compare equal (the explorer's state hash).
    pub(crate) fn forget_timing(&mut self) {
        self.now = 0;
        self.stats = TaskStats::default();
        for t in self.tasks.values_mut() {
            (t.started, t.finished, t.waited, t.io_started) = (0, None, 0, 0);
        }
    }

    /// A page a migration in flight of `pid`'s pages has replaced by migration entries.
    fn migration_in(&self, pid: Pid) -> Option<Pfn> {
        self.tasks.values().find(|t| t.pid == pid && t.phase == Phase::MigrateMove).and_then(|t| t.page)
    }

    /// Whether a migration in flight holds `pfn` (its migration entries may be in page tables).
    pub(crate) fn migrating(&self, pfn: Pfn) -> bool {
        self.page_locks
            .get(&pfn)
            .and_then(|id| self.tasks.get(id))
            .is_some_and(|t| matches!(t.kind, TaskKind::Migrate { .. }))
    }

    /// Inside the range of an mlock walk in flight in `pid`: whether the walk has reached
    /// `addr` (a mapping there counts in its page's mlock_count once it has). Outside: `None`.
    pub(crate) fn mlock_walk_reached(&self, pid: Pid, addr: u64) -> Option<bool> {
        self.tasks.values().filter(|t| t.pid == pid).find_map(|t| {
            let Phase::PageWalk { range, addr: at } = t.phase else { return None };
            t.walk.ranges.iter().enumerate().find_map(|(i, r)| {
                (r.kind == WalkKind::Mlock && r.start <= addr && addr < r.end)
                    .then_some(i < range || (i == range && addr < at))
            })
        })
    }

    /// The references reclaims in flight hold on `pfn` (the refcount invariant counts them).
    pub(crate) fn page_pins(&self, pfn: Pfn) -> u32 {
        self.page_locks.contains_key(&pfn) as u32
    }

    /// Drops the records of locks nobody holds or waits on.
    fn tidy(&mut self) {
        self.mmap_locks.retain(|_, l| !l.holders().is_empty() || !l.waiters().is_empty());
        self.vma_locks.retain(|_, l| !l.idle());
    }
}

/// Whether a writer task runs `op` as a truncation (unmap pass, then a locked pass).
fn is_truncation_op(op: &Op) -> bool {
    matches!(op, Op::Ftruncate { .. })
        || matches!(op, Op::Fallocate { mode, .. } if *mode == FallocMode::PUNCH_HOLE | FallocMode::KEEP_SIZE)
}

/// An arbitrary writer operation for [`TaskKind::Writer`]: any other operation would print as
/// a script line that means something else (`task reclaim NID PAGES` is the reclaim task).
#[cfg(feature = "arbitrary")]
fn arbitrary_writer(u: &mut arbitrary::Unstructured) -> arbitrary::Result<Box<Op>> {
    use arbitrary::Arbitrary;
    let op = Op::arbitrary(u)?;
    if is_writer_op(&op) {
        return Ok(Box::new(op));
    }
    let (addr, len) = (u64::arbitrary(u)?, u64::arbitrary(u)?);
    Ok(Box::new(Op::Munmap { pid: op.pid().unwrap_or(1), addr, len }))
}

/// The operations a writer task runs (`task OP ARGS...` in scripts): the mmap_lock writers and
/// the truncations (`fallocate` only with PUNCH_HOLE|KEEP_SIZE, which [`is_writer_op`] checks).
pub const WRITER_OP_NAMES: [&str; 11] = [
    "mmap",
    "munmap",
    "mprotect",
    "mremap",
    "mlock",
    "mlock2",
    "munlock",
    "mlockall",
    "munlockall",
    "ftruncate",
    "fallocate",
];

/// Whether a writer task may run `op`: a truncation, or an operation that takes mmap_lock for
/// write in Linux.
fn is_writer_op(op: &Op) -> bool {
    is_truncation_op(op) || is_mmap_writer_op(op)
}

fn is_mmap_writer_op(op: &Op) -> bool {
    matches!(
        op,
        Op::Mmap { .. }
            | Op::Munmap { .. }
            | Op::Mprotect { .. }
            | Op::Mremap { .. }
            | Op::Mlock { .. }
            | Op::Mlock2 { .. }
            | Op::Munlock { .. }
            | Op::Mlockall { .. }
            | Op::Munlockall { .. }
    )
}

/// Whether a writer task runs `op` with mlock's page walk in steps.
fn is_mlock_op(op: &Op) -> bool {
    matches!(
        op,
        Op::Mlock { .. } | Op::Mlock2 { .. } | Op::Munlock { .. } | Op::Mlockall { .. } | Op::Munlockall { .. }
    )
}

/// The range of VMAs a writer write-locks (`None`: every VMA of the mm).
fn writer_range(op: &Op) -> Option<(u64, u64)> {
    let span = |a: u64, l: u64| Some((a, a.saturating_add(l)));
    match *op {
        Op::Mmap { addr, len, .. } => span(addr, len),
        Op::Munmap { addr, len, .. } | Op::Mprotect { addr, len, .. } => span(addr, len),
        Op::Mremap { old_addr, old_len, .. } => span(old_addr, old_len.max(PAGE_SIZE)),
        Op::Mlock { addr, len, .. } | Op::Mlock2 { addr, len, .. } | Op::Munlock { addr, len, .. } => span(addr, len),
        _ => None,
    }
}

impl Machine {
    /// Starts a task. Returns [`Outcome::Task`].
    pub(crate) fn task_start(&mut self, kind: &TaskKind) -> OpResult {
        let pid = kind.pid().ok_or(Errno::EINVAL)?;
        if let TaskKind::Writer(op) = kind
            && !is_writer_op(op)
        {
            return Err(Errno::EINVAL);
        }
        self.proc(pid)?;
        let t = &mut self.tasks;
        if t.tasks.len() >= MAX_TASKS {
            // The oldest finished task makes room; with every task in flight there is none.
            let oldest = t.tasks.iter().find(|(_, x)| x.done()).map(|(&i, _)| i).ok_or(Errno::EAGAIN)?;
            t.tasks.remove(&oldest);
        }
        t.next_id = t.next_id.checked_add(1).ok_or(Errno::EAGAIN)?;
        let phase = match kind {
            TaskKind::Fault { .. } => Phase::Lock { vma_first: true, tried: false },
            TaskKind::Writer(op) if is_truncation_op(op) => Phase::TruncUnmap,
            TaskKind::Writer(_) => Phase::MmapWrite,
            TaskKind::Reclaim { .. } => Phase::ReclaimIsolate,
            TaskKind::Migrate { .. } => Phase::MigrateLock,
        };
        let task = Task {
            kind: kind.clone(),
            pid,
            phase,
            held: Held::Nothing,
            wait: None,
            reading: None,
            io_pending: false,
            io_started: 0,
            page: None,
            entries: Vec::new(),
            vma_todo: Vec::new(),
            vma_held: Vec::new(),
            walk: DeferredWalk::default(),
            started: t.now,
            finished: None,
            waited: 0,
            result: None,
        };
        t.tasks.insert(t.next_id, task);
        t.stats.started += 1;
        Ok(Outcome::Task(t.next_id))
    }

    /// Delivers the completion of task `id`'s read.
    pub(crate) fn task_io_complete(&mut self, id: TaskId) -> OpResult {
        let t = self.tasks.tasks.get_mut(&id).ok_or(Errno::ESRCH)?;
        if !t.io_pending {
            return Err(Errno::EINVAL);
        }
        t.io_pending = false;
        let due = t.io_started + SWAP_READ_UNITS;
        self.tasks.idle_until(due);
        let Some(t) = self.tasks.tasks.get_mut(&id) else { return Err(Errno::ESRCH) };
        // end_swap_bio_read: the folio is up to date and unlocked.
        if let Some(slot) = t.reading.take() {
            self.tasks.folio_locks.remove(&slot);
            self.tasks.read_done.insert(slot);
        }
        Ok(Outcome::Done)
    }

    /// One step of task `id`. Returns [`Outcome::Step`].
    pub(crate) fn task_step(&mut self, id: TaskId) -> OpResult {
        let mut t = self.tasks.tasks.get(&id).cloned().ok_or(Errno::ESRCH)?;
        if t.done() {
            return Err(Errno::EINVAL);
        }
        if let Some(w) = t.wait.filter(|_| self.tasks.waiting(id, &t)) {
            return Ok(Outcome::Step(StepState::Waits(self.tasks.blocked_on(id, w))));
        }
        self.tasks.now += 1;
        self.tasks.stats.steps += 1;
        t.wait = None;
        match t.phase {
            Phase::Lock { vma_first, tried } => self.fault_lock(id, &mut t, vma_first, tried),
            Phase::Lookup { tried } => self.fault_lookup(id, &mut t, tried),
            Phase::MmapWrite => self.writer_lock(id, &mut t),
            Phase::VmaWrite => self.writer_vma_lock(id, &mut t),
            Phase::Apply => self.writer_apply(id, &mut t),
            Phase::TruncUnmap => self.truncate_unmap(&mut t),
            Phase::TruncPages { cut, from } => self.truncate_locked_page(&mut t, cut, from),
            Phase::ReclaimIsolate => self.reclaim_isolate(id, &mut t),
            Phase::ReclaimWalk { after } => self.reclaim_walk(&mut t, after),
            Phase::ReclaimMlock { at } => self.reclaim_trylock_mlock(&mut t, at),
            Phase::MigrateLock => self.migrate_lock(id, &mut t),
            Phase::MigrateUnmap => self.migrate_unmap(&mut t),
            Phase::MigrateMove => self.migrate_move(&mut t),
            Phase::PageWalk { range, addr } => self.page_walk(id, &mut t, range, addr),
            Phase::Done => {}
        }
        if t.done() {
            t.finished = Some(self.tasks.now);
            self.task_finished(&t);
        }
        let state = match t.wait {
            _ if t.done() => StepState::Done,
            Some(w) if self.tasks.waiting(id, &t) => StepState::Waits(self.tasks.blocked_on(id, w)),
            _ => StepState::Ran,
        };
        self.tasks.tasks.insert(id, t);
        self.tasks.tidy();
        self.count_waits(id);
        Ok(Outcome::Step(state))
    }

    /// Every other task that could not advance during this step waited one time unit.
    fn count_waits(&mut self, stepped: TaskId) {
        let waiting: Vec<TaskId> = self
            .tasks
            .tasks
            .iter()
            .filter(|&(&i, t)| i != stepped && !t.done() && self.tasks.waiting(i, t))
            .map(|(&i, _)| i)
            .collect();
        for i in waiting {
            if let Some(t) = self.tasks.tasks.get_mut(&i) {
                t.waited += 1;
            }
        }
    }

    fn task_finished(&mut self, t: &Task) {
        let s = &mut self.tasks.stats;
        let latency = t.finished.unwrap_or(t.started) - t.started;
        s.completed += 1;
        match t.kind {
            TaskKind::Fault { .. } => {
                s.faults_completed += 1;
                s.fault_latency_total += latency;
                s.fault_latency_max = s.fault_latency_max.max(latency);
            }
            TaskKind::Writer(_) => {
                s.writers_completed += 1;
                s.writer_wait_total += t.waited;
                s.writer_wait_max = s.writer_wait_max.max(t.waited);
            }
            TaskKind::Reclaim { .. } | TaskKind::Migrate { .. } => {}
        }
    }

    /// Steps every runnable task in ascending order, round after round, completing the oldest
    /// pending read whenever none can advance, until every task is done or none can progress.
    /// Returns [`Outcome::Count`] of steps taken.
    pub(crate) fn task_run_until_idle(&mut self) -> OpResult {
        let mut steps = 0;
        while let Some(n) = self.task_round()? {
            steps += n;
        }
        Ok(Outcome::Count(steps))
    }

    /// One round of [`Machine::task_run_until_idle`]: a step of every runnable task, or the
    /// oldest pending read's completion when none is. Returns the steps taken, `None` when
    /// nothing could progress.
    fn task_round(&mut self) -> Result<Option<u64>, Errno> {
        let runnable = self.tasks.runnable();
        if runnable.is_empty() {
            let Some(&id) = self.tasks.io_pending().first() else { return Ok(None) };
            self.task_io_complete(id)?;
            return Ok(Some(0));
        }
        let mut steps = 0;
        for id in runnable {
            if !self.tasks.tasks.get(&id).is_some_and(|t| !t.done() && !self.tasks.waiting(id, t)) {
                continue;
            }
            self.task_step(id)?;
            steps += 1;
        }
        Ok(Some(steps))
    }

    /// A plain operation is a task run to completion: before it runs, the tasks run (in
    /// [`Machine::task_run_until_idle`]'s order) for as long as its process's mmap_lock is
    /// held or wanted for write, or, for an operation that takes it for write (the mmap_lock
    /// writers, fork, exit), held at all or any of its VMAs locked. With tasks that can never
    /// release the lock (a deadlock) it runs anyway, as it always did.
    pub(crate) fn wait_for_mm_locks(&mut self, op: &Op) {
        let Some(pid) = op.pid() else { return };
        let writer = is_mmap_writer_op(op) || matches!(op, Op::Fork { .. } | Op::Exit { .. });
        while self.tasks.mm_busy(pid, writer) {
            if !matches!(self.task_round(), Ok(Some(_))) {
                break;
            }
        }
    }

    // --- the fault ---

    fn fault_lock(&mut self, id: TaskId, t: &mut Task, vma_first: bool, tried: bool) {
        let TaskKind::Fault { addr, .. } = t.kind else { return };
        let Some(proc) = self.procs.get(&t.pid) else {
            t.phase = Phase::Done;
            return;
        };
        if vma_first {
            // lock_vma_under_rcu: no VMA, or an anonymous one without an anon_vma yet, aborts.
            let vma = proc.mm.vma_at(addr).filter(|v| !(v.is_anonymous() && v.anon_vma.is_none()));
            if let Some(key) = vma.map(|v| (t.pid, v.start))
                && self.tasks.vma_lock(key).try_read(id)
            {
                t.held = Held::Vma(key);
                t.phase = Phase::Lookup { tried };
                return;
            }
            self.k.stats.count(Event::VmaLockAbort, 1);
        }
        self.fault_mmap_read_lock(id, t, tried);
    }

    fn fault_mmap_read_lock(&mut self, id: TaskId, t: &mut Task, tried: bool) {
        t.held = Held::Mmap;
        t.phase = Phase::Lookup { tried };
        let writer_ahead = self.tasks.mmap_locks.get(&t.pid).is_some_and(|l| l.write_pending());
        if self.tasks.mmap_lock(t.pid).down(id, Mode::Read) == Ok(Acquire::Queued) {
            if writer_ahead {
                self.tasks.stats.faults_blocked_behind_writer += 1;
            }
            t.wait = Some(Wait::MmapLock);
        }
    }

    fn fault_lookup(&mut self, id: TaskId, t: &mut Task, tried: bool) {
        let TaskKind::Fault { addr, .. } = t.kind else { return };
        let pte = self.procs.get(&t.pid).map(|p| p.mm.pt.get(addr & !(PAGE_SIZE - 1)));
        if let Some(pte) = pte.filter(|p| p.is_migration() && self.tasks.page_locks.contains_key(&p.pfn())) {
            // migration_entry_wait: sleep on the folio, holding the fault's lock, then look again.
            t.wait = Some(Wait::Page(pte.pfn()));
            t.phase = Phase::Lookup { tried };
            return;
        }
        let slot = match pte {
            Some(pte) if pte.is_swap() => pte.swap_offset(),
            _ => return self.fault_map(id, t),
        };
        if self.tasks.folio_locks.contains_key(&slot) {
            self.fault_folio_locked(id, t, slot, tried);
        } else if self.tasks.read_done.contains(&slot) || self.k.swap.slot(slot).and_then(|s| s.cache).is_some() {
            self.fault_map(id, t);
        } else {
            // swapin_readahead: the new swap-cache folio stays locked until its read completes,
            // and the fault then waits for it like any other (folio_lock_or_retry).
            self.tasks.folio_locks.insert(slot, id);
            t.reading = Some(slot);
            t.io_pending = true;
            t.io_started = self.tasks.now;
            self.fault_folio_locked(id, t, slot, tried);
        }
    }

    /// `folio_lock_or_retry` on a folio whose read is in flight.
    fn fault_folio_locked(&mut self, id: TaskId, t: &mut Task, slot: Slot, tried: bool) {
        t.wait = Some(Wait::Folio(slot));
        match t.held {
            Held::Vma(key) if self.config.swapin_policy == SwapinPolicy::Retry => {
                // release_fault_lock, wait for the folio, VM_FAULT_RETRY: the retry takes mmap_lock.
                let _ = self.tasks.vma_lock(key).end_read(id);
                self.k.stats.count(Event::VmaLockRetry, 1);
                t.held = Held::Nothing;
                t.phase = Phase::Lock { vma_first: false, tried };
            }
            Held::Mmap if !tried => {
                let _ = self.tasks.mmap_lock(t.pid).up(id);
                t.held = Held::Nothing;
                t.phase = Phase::Lock { vma_first: false, tried: true };
            }
            _ => t.phase = Phase::Lookup { tried },
        }
    }

    fn fault_map(&mut self, id: TaskId, t: &mut Task) {
        let TaskKind::Fault { pid, addr, access } = t.kind else { return };
        if let Some(pte) = self.procs.get(&pid).map(|p| p.mm.pt.get(addr & !(PAGE_SIZE - 1)))
            && pte.is_swap()
        {
            self.tasks.read_done.remove(&pte.swap_offset());
        }
        if self.procs.contains_key(&pid) {
            let r = match access {
                Access::Read => self.access_read(pid, addr),
                Access::Write => self.access_touch(pid, addr, 1, Access::Write),
            };
            t.result = Some(r.map(|_| ()));
        }
        match t.held {
            Held::Vma(key) => {
                let _ = self.tasks.vma_lock(key).end_read(id);
                self.k.stats.count(Event::VmaLockSuccess, 1);
            }
            Held::Mmap => drop(self.tasks.mmap_lock(pid).up(id)),
            Held::Nothing => {}
        }
        t.held = Held::Nothing;
        t.phase = Phase::Done;
    }

    // --- the writer ---

    fn writer_lock(&mut self, id: TaskId, t: &mut Task) {
        t.phase = Phase::VmaWrite;
        if self.tasks.mmap_lock(t.pid).down(id, Mode::Write) == Ok(Acquire::Queued) {
            t.wait = Some(Wait::MmapLock);
        }
    }

    fn writer_vma_lock(&mut self, id: TaskId, t: &mut Task) {
        if t.vma_held.is_empty() && t.vma_todo.is_empty() {
            t.vma_todo = self.writer_vmas(t);
        }
        let Some(key) = t.vma_todo.first().copied() else {
            t.phase = Phase::Apply;
            return;
        };
        t.vma_todo.remove(0);
        t.vma_held.push(key);
        if t.vma_todo.is_empty() {
            t.phase = Phase::Apply;
        }
        if self.tasks.vma_lock(key).start_write(id) == Ok(Acquire::Queued) {
            t.wait = Some(Wait::VmaLock(key));
        }
    }

    /// The VMAs the writer's range touches, as lock keys.
    fn writer_vmas(&self, t: &Task) -> Vec<VmaKey> {
        let TaskKind::Writer(op) = &t.kind else { return Vec::new() };
        let Some(proc) = self.procs.get(&t.pid) else { return Vec::new() };
        let range = writer_range(op);
        proc.mm
            .vmas
            .values()
            .filter(|v| range.is_none_or(|(s, e)| v.start < e && s < v.end))
            .map(|v| (t.pid, v.start))
            .collect()
    }

    fn writer_apply(&mut self, id: TaskId, t: &mut Task) {
        let TaskKind::Writer(op) = &t.kind else { return };
        if let Some(pfn) = self.tasks.migration_in(t.pid) {
            // The operation would meet migration entries: the model waits for the migration.
            t.wait = Some(Wait::Page(pfn));
            return;
        }
        let op = (**op).clone();
        if matches!(op, Op::Munmap { .. }) {
            return self.munmap_split_then_walk(id, t, &op);
        }
        if is_mlock_op(&op) {
            self.deferred_walk = Some(DeferredWalk::default());
            let r = self.apply_op(&op).map(|_| ());
            let walk = self.deferred_walk.take().unwrap_or_default();
            t.result = Some(r);
            return self.page_walk_start(id, t, walk);
        }
        t.result = Some(self.apply_op(&op).map(|_| ()));
        self.writer_release(id, t);
    }

    fn writer_release(&mut self, id: TaskId, t: &mut Task) {
        for key in t.vma_held.drain(..) {
            self.tasks.vma_lock(key).end_write(id);
        }
        let _ = self.tasks.mmap_lock(t.pid).up(id);
        t.phase = Phase::Done;
    }

    // --- page walks in page-table steps ---

    /// munmap: check and split the edge VMAs now (`vms_gather_munmap_vmas`), zap in steps.
    fn munmap_split_then_walk(&mut self, id: TaskId, t: &mut Task, op: &Op) {
        let Op::Munmap { pid, addr, len } = *op else { return };
        let (start, end) = match self.munmap_split(pid, addr, len) {
            Ok(r) => r,
            Err(e) => {
                t.result = Some(Err(e));
                return self.writer_release(id, t);
            }
        };
        t.result = Some(Ok(()));
        let ranges = self
            .procs
            .get(&pid)
            .map(|p| {
                p.mm.vmas
                    .range(start..end)
                    .map(|(_, v)| WalkRange { start: v.start, end: v.end, kind: WalkKind::Zap })
                    .collect()
            })
            .unwrap_or_default();
        self.page_walk_start(id, t, DeferredWalk { ranges, populate: None });
    }

    /// The VMAs are changed: mlock's ranges get VM_IO, munlock's pages keep their counts as
    /// stale ones until the walk reaches them.
    fn page_walk_start(&mut self, id: TaskId, t: &mut Task, walk: DeferredWalk) {
        self.write_lock_split_vmas(id, t, &walk.ranges);
        let guard = !self.config.quirk(QUIRK_MLOCK_WALK_WITHOUT_VM_IO);
        if let Some(mm) = self.procs.get_mut(&t.pid).map(|p| &mut p.mm) {
            for r in &walk.ranges {
                match r.kind {
                    WalkKind::Mlock if guard => {
                        for s in mm.overlapping(r.start, r.end) {
                            if let Some(v) = mm.vmas.get_mut(&s) {
                                v.flags |= VmFlags::IO;
                            }
                        }
                    }
                    WalkKind::Munlock => self.k.leave_mlocked(mm, r.start, r.end),
                    _ => {}
                }
            }
        }
        let first = walk.ranges.first().map(|r| r.start);
        t.walk = walk;
        match first {
            Some(addr) => t.phase = Phase::PageWalk { range: 0, addr },
            None => self.page_walk_finish(id, t),
        }
    }

    /// The VMAs the operation split off keep the write lock of the VMA they came from
    /// (`__split_vma` under `vma_start_write`): the walk's ranges are write-locked whole, so no
    /// fault gets into a VMA being walked.
    fn write_lock_split_vmas(&mut self, id: TaskId, t: &mut Task, ranges: &[WalkRange]) {
        let Some(mm) = self.procs.get(&t.pid).map(|p| &p.mm) else { return };
        let keys: Vec<VmaKey> =
            ranges.iter().flat_map(|r| mm.overlapping(r.start, r.end)).map(|s| (t.pid, s)).collect();
        for key in keys {
            if t.vma_held.contains(&key) {
                continue;
            }
            t.vma_held.push(key);
            if self.tasks.vma_lock(key).start_write(id) == Ok(Acquire::Queued) {
                t.wait = Some(Wait::VmaLock(key));
            }
        }
    }

    /// One page table of the walk: `[addr, next PMD boundary)` of range `range`.
    fn page_walk(&mut self, id: TaskId, t: &mut Task, range: usize, addr: u64) {
        let Some(r) = t.walk.ranges.get(range).copied() else { return self.page_walk_finish(id, t) };
        let hi = r.end.min((addr | (PMD_SIZE - 1)).saturating_add(1));
        if let Some(mm) = self.procs.get_mut(&t.pid).map(|p| &mut p.mm) {
            match r.kind {
                WalkKind::Mlock => self.k.mlock_pte_chunk(mm, r.start, r.end, addr, hi),
                WalkKind::Munlock => self.k.munlock_stale_chunk(mm, addr, hi),
                WalkKind::Zap => {
                    for s in mm.overlapping(addr, hi) {
                        let Some(v) = mm.vmas.get(&s) else { continue };
                        let (lo, top, locked) = (v.start.max(addr), v.end.min(hi), v.flags.contains(VmFlags::LOCKED));
                        self.k.zap_range(mm, lo, top, None, locked);
                    }
                }
            }
        }
        if hi < r.end {
            t.phase = Phase::PageWalk { range, addr: hi };
        } else if let Some(next) = t.walk.ranges.get(range + 1) {
            t.phase = Phase::PageWalk { range: range + 1, addr: next.start };
        } else {
            self.page_walk_finish(id, t);
        }
    }

    /// The walk is over: VM_IO cleared, the munmapped VMAs removed, the range populated (mlock),
    /// every lock released.
    fn page_walk_finish(&mut self, id: TaskId, t: &mut Task) {
        let pid = t.pid;
        let walk = std::mem::take(&mut t.walk);
        if let Some(mm) = self.procs.get_mut(&pid).map(|p| &mut p.mm) {
            for r in walk.ranges.iter().filter(|r| r.kind == WalkKind::Mlock) {
                for s in mm.overlapping(r.start, r.end) {
                    if let Some(v) = mm.vmas.get_mut(&s) {
                        v.flags -= VmFlags::IO;
                    }
                }
            }
        }
        for r in walk.ranges.iter().filter(|r| r.kind == WalkKind::Zap) {
            self.munmap_remove(pid, r.start, r.end);
        }
        if let (Some(Ok(())), Some((start, end, ignore_errors))) = (t.result, walk.populate) {
            t.result = Some(self.mlock_populate(pid, start, end, ignore_errors));
        }
        self.writer_release(id, t);
    }

    // --- truncation ---

    /// The unmap pass: the new size, then every PTE of the cut unmapped.
    fn truncate_unmap(&mut self, t: &mut Task) {
        let TaskKind::Writer(op) = &t.kind else { return };
        match self.truncation_range(op) {
            Ok(Some(cut)) => {
                self.unmap_mapping_range(cut.file, cut.first, cut.last, cut.even_cows);
                t.phase = Phase::TruncPages { cut, from: cut.first };
            }
            Ok(None) => {
                t.result = Some(Ok(()));
                t.phase = Phase::Done;
            }
            Err(e) => {
                t.result = Some(Err(e));
                t.phase = Phase::Done;
            }
        }
    }

    /// One page of the locked pass (`folio_lock`, which waits for a reclaim holding it).
    fn truncate_locked_page(&mut self, t: &mut Task, cut: Truncation, from: u64) {
        let Some(index) = self.next_cached_index(&cut, from) else {
            self.truncate_finish(&cut);
            t.result = Some(Ok(()));
            t.phase = Phase::Done;
            return;
        };
        let pfn = self.k.inode(cut.file).cache[&index];
        if self.tasks.page_locks.contains_key(&pfn) {
            t.wait = Some(Wait::Page(pfn));
            return;
        }
        let freed = self.truncate_next_page(&cut, index);
        t.phase = Phase::TruncPages { cut, from: freed.map_or(cut.last, |i| i + 1) };
    }

    // --- reclaim of one page ---

    /// `isolate_lru_folios` + `folio_trylock`: a page already locked, or nothing reclaimable
    /// there (no page, the zero page, a THP, an unevictable page), ends the task (EAGAIN).
    fn reclaim_isolate(&mut self, id: TaskId, t: &mut Task) {
        let TaskKind::Reclaim { pid, addr } = t.kind else { return };
        let pte = self.procs.get(&pid).map(|p| p.mm.pt.get(addr & !(PAGE_SIZE - 1)));
        let pfn = pte.filter(|p| p.is_present() && p.pfn() != ZERO_PFN).map(|p| p.pfn());
        let page = pfn.filter(|&pfn| {
            let f = self.k.frames.frame(pfn);
            !f.is_compound() && !f.flags.contains(PageFlags::UNEVICTABLE) && !self.tasks.page_locks.contains_key(&pfn)
        });
        let Some(pfn) = page else {
            t.result = Some(Err(Errno::EAGAIN));
            t.phase = Phase::Done;
            return;
        };
        self.k.frames.frame_mut(pfn).refcount += 1;
        self.tasks.page_locks.insert(pfn, id);
        t.page = Some(pfn);
        t.phase = Phase::ReclaimWalk { after: None };
    }

    /// One VMA of `try_to_unmap`: the next PTE mapping the page, under its pte lock. A VM_LOCKED
    /// one mlocks the page and ends the walk (`mlock_vma_folio`, walk_abort); another is
    /// unmapped (a file page's; an anon page is unmapped after `add_to_swap`, at the end).
    fn reclaim_walk(&mut self, t: &mut Task, after: Option<(Pid, u64)>) {
        let Some(pfn) = t.page else { return };
        let next = self.rmap_walk(pfn).into_iter().find(|m| after.is_none_or(|a| (m.pid, m.addr) > a));
        let Some(m) = next else { return self.reclaim_finish(t, pfn) };
        let at = (m.pid, m.addr);
        if m.locked {
            if self.config.quirk(QUIRK_RMAP_MLOCK_TRYLOCK) {
                t.phase = Phase::ReclaimMlock { at };
                return;
            }
            // mlock_vma_folio: not through a VMA mlock's walk holds VM_IO on; the walk mlocks it.
            if m.mlocks {
                self.mlock_if_not_mlocked(pfn);
            }
            return self.reclaim_release(t, pfn);
        }
        if !self.k.frames.frame(pfn).is_anon() {
            self.unmap_file_page(pfn, &[m]);
        }
        t.phase = Phase::ReclaimWalk { after: Some(at) };
    }

    /// The quirk's second half: `down_read_trylock(mmap_sem)` and, if VM_LOCKED still holds,
    /// `mlock_vma_page` — whether or not the PTE still maps the page.
    fn reclaim_trylock_mlock(&mut self, t: &mut Task, at: (Pid, u64)) {
        let Some(pfn) = t.page else { return };
        let free = self.tasks.mmap_locks.get(&at.0).is_none_or(|l| l.holders().is_empty() && l.waiters().is_empty());
        let locked =
            self.procs.get(&at.0).and_then(|p| p.mm.vma_at(at.1)).is_some_and(|v| v.flags.contains(VmFlags::LOCKED));
        if free && locked {
            self.mlock_if_not_mlocked(pfn);
            return self.reclaim_release(t, pfn);
        }
        t.phase = Phase::ReclaimWalk { after: Some(at) };
    }

    /// `mlock_vma_folio` on a page a VM_LOCKED mapping has already counted: only a page not yet
    /// PG_mlocked is mlocked (its mapping's count is the one it gets).
    fn mlock_if_not_mlocked(&mut self, pfn: Pfn) {
        if !self.k.frames.frame(pfn).flags.contains(PageFlags::MLOCKED) {
            self.k.mlock_folio(pfn);
        }
    }

    /// The walk found no VM_LOCKED mapping: the rest of `shrink_folio_list` (swap out, write
    /// out or drop the page) on the page if it is still where reclaim found it.
    fn reclaim_finish(&mut self, t: &mut Task, pfn: Pfn) {
        let f = *self.k.frames.frame(pfn);
        let live = if f.is_anon() {
            f.mapcount > 0 || self.k.swap.slot_of(pfn).is_some()
        } else {
            self.k.files.get(&f.owner).is_some_and(|i| i.cache.get(&f.index) == Some(&pfn))
        };
        self.reclaim_release(t, pfn);
        if live {
            self.shrink_folio(pfn, Reclaimer::Pageout);
        }
    }

    /// `folio_unlock` + `folio_putback_lru`: the isolation reference goes (the last one of a
    /// page truncated meanwhile by a plain operation).
    fn reclaim_release(&mut self, t: &mut Task, pfn: Pfn) {
        self.tasks.page_locks.remove(&pfn);
        t.page = None;
        t.result = Some(Ok(()));
        t.phase = Phase::Done;
        self.k.put_page(pfn);
    }
    // --- migration of one page ---

    /// `folio_lock` of the page to migrate, after the checks of `__add_folio_for_migration`
    /// (move_pages statuses as errnos: ENOENT, EFAULT, ENODEV; a THP or an mlocked page is
    /// EBUSY here, a page already on the node is done at once).
    fn migrate_lock(&mut self, id: TaskId, t: &mut Task) {
        let TaskKind::Migrate { pid, addr, node } = t.kind else { return };
        let pte = self.procs.get(&pid).map(|p| p.mm.pt.get(addr & !(PAGE_SIZE - 1)));
        let r = match pte {
            _ if node >= self.config.nodes => Err(Errno::ENODEV),
            Some(p) if p.is_present() && p.pfn() == ZERO_PFN => Err(Errno::EFAULT),
            Some(p) if p.is_present() => Ok(p.pfn()),
            _ => Err(Errno::ENOENT),
        };
        let pfn = match r {
            Ok(pfn) => pfn,
            Err(e) => return task_result(t, Err(e)),
        };
        let f = *self.k.frames.frame(pfn);
        if f.nid as u32 == node {
            return task_result(t, Ok(()));
        }
        if f.is_compound() || f.flags.contains(PageFlags::UNEVICTABLE) {
            return task_result(t, Err(Errno::EBUSY));
        }
        if self.tasks.page_locks.contains_key(&pfn) {
            t.wait = Some(Wait::Page(pfn));
            return;
        }
        self.k.frames.frame_mut(pfn).refcount += 1;
        self.tasks.page_locks.insert(pfn, id);
        t.page = Some(pfn);
        t.phase = Phase::MigrateUnmap;
    }

    /// `try_to_migrate`: every PTE mapping the page becomes a migration entry (the mapping
    /// leaves the rmap; RSS stays). `folio_remove_rmap_pte` munlocks the page through each
    /// VM_LOCKED mapping (an mlock since the task locked the page mlocked it); the restored
    /// mappings mlock it again. Departure: Linux munlocks through a VMA an mlock walk has
    /// marked VM_IO too, without mlocking again, and leaves reclaim to correct the count; the
    /// model skips such mappings both ways.
    fn migrate_unmap(&mut self, t: &mut Task) {
        let Some(pfn) = t.page else { return };
        let anon = self.k.frames.frame(pfn).is_anon();
        for m in self.rmap_walk(pfn) {
            let mm = &mut self.procs.get_mut(&m.pid).expect("mapped pid").mm;
            let pte = mm.pt.get(m.addr);
            self.k.set_pte(mm, m.addr, Pte::migration(pfn, pte.writable(), pte.dirty()));
            if pte.dirty() && !anon {
                self.k.mark_dirty(pfn);
            }
            self.k.rmap_remove_and_put(pfn, m.mlocks);
            t.entries.push((m.pid, m.addr));
        }
        t.phase = Phase::MigrateMove;
    }

    /// `move_to_new_folio` + `remove_migration_ptes`: the entries still in place map the page
    /// again (mlocked again through VM_LOCKED mappings), and the page moves to the target node
    /// as the atomic migration moves it (a page truncated meanwhile is just released).
    fn migrate_move(&mut self, t: &mut Task) {
        let (Some(pfn), TaskKind::Migrate { node, .. }) = (t.page, &t.kind) else { return };
        let node = *node;
        for (pid, addr) in std::mem::take(&mut t.entries) {
            let Some(mm) = self.procs.get_mut(&pid).map(|p| &mut p.mm) else { continue };
            let pte = mm.pt.get(addr);
            if !(pte.is_migration() && pte.pfn() == pfn) {
                continue;
            }
            let mlocks = mm.vma_at(addr).is_some_and(|v| v.mlocks_on_map());
            self.k.set_pte(mm, addr, Pte::present(pfn, pte.writable(), pte.dirty()));
            self.k.rmap_add(pfn, false);
            if mlocks {
                // remove_migration_pte → folio_add_anon_rmap_pte → mlock_vma_folio: the unmap
                // munlocked the page; migrate_folio moves the mlock to the new page.
                self.k.mlock_folio(pfn);
            }
        }
        self.tasks.page_locks.remove(&pfn);
        t.page = None;
        self.k.put_page(pfn);
        let r = if self.k.frames.frame(pfn).is_free() { Ok(()) } else { self.migrate_folio(pfn, node) };
        task_result(t, r);
    }

    /// Completes the tasks past the point where they could wait (before a plain operation): the
    /// migrations whose entries are installed, then the writers' page walks.
    pub(crate) fn finish_tasks_that_never_wait(&mut self) {
        self.finish_tasks_in(|p| p == Phase::MigrateMove);
        self.finish_tasks_in(|p| matches!(p, Phase::PageWalk { .. }));
    }

    /// Steps each task whose phase `in_phase` accepts until it leaves such phases.
    fn finish_tasks_in(&mut self, in_phase: impl Fn(Phase) -> bool) {
        let ids: Vec<TaskId> = self.tasks.tasks.iter().filter(|(_, t)| in_phase(t.phase)).map(|(&i, _)| i).collect();
        for id in ids {
            while self.tasks.tasks.get(&id).is_some_and(|t| in_phase(t.phase)) {
                if self.task_step(id).is_err() {
                    break;
                }
            }
        }
    }
}

/// Ends a task with its result.
fn task_result(t: &mut Task, r: Result<(), Errno>) {
    t.result = Some(r);
    t.phase = Phase::Done;
}
