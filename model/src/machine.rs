//! The machine: NUMA nodes of page frames, files, processes, and the apply loop that dispatches
//! each [`Op`] to the module modeling its kernel path.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::{MachineConfig, ThpMode};
use crate::errno::Errno;
use crate::filemap::Inode;
use crate::mm_types::{AnonVmaId, FileId, Mm, Process};
use crate::ops::{MlockFlags, Op, OpResult, Outcome, Pid};
use crate::page_alloc::{Frames, Pfn};
use crate::swapfile::SwapDevice;
use crate::vmstat::Stats;

/// Highest pid before allocation wraps (`pid_max` default on 64-bit hosts).
pub const PID_MAX: Pid = 4_194_304;

/// Everything below the processes: frames, inodes and counters. Split from [`Machine`] so that
/// kernel paths can borrow one mm and the rest of the machine at the same time.
#[derive(Clone, Debug)]
pub struct Kernel {
    pub frames: Frames,
    pub files: BTreeMap<FileId, Inode>,
    pub paths: BTreeMap<String, FileId>,
    pub stats: Stats,
    pub next_file: FileId,
    /// Parent of each anon_vma (index = id; 0 = none): `anon_vma_fork` chains a child's
    /// anon_vma to its parent's so the rmap walk of a parent's page finds the child's VMAs.
    pub anon_vma_parent: Vec<AnonVmaId>,
    pub swap: SwapDevice,
    /// /sys/kernel/mm/transparent_hugepage/enabled.
    pub thp: ThpMode,
    /// The huge zero folio has been allocated (`huge_zero_folio`; the model never frees it).
    pub huge_zero_allocated: bool,
    /// Heads of the partially unmapped THPs queued for splitting (`deferred_split_folio`).
    pub deferred_split: BTreeSet<Pfn>,
    /// Folios `mlock_folio` culled that still sit in the per-CPU mlock batch (mm/mlock.c
    /// `mlock_fbatch`): not yet PG_unevictable as far as `folio_mark_accessed` can tell. The batch
    /// drains when full, at the end of mlock's page walk (`lru_add_drain`) and, in the model, at
    /// the end of every operation (the oracle drains before it looks).
    pub mlock_batch: Vec<Pfn>,
    /// The part of a page's `mlock_count` that no VM_LOCKED mapping accounts for: mappings whose
    /// VMA lost VM_LOCKED without an munlock (MREMAP_DONTUNMAP's `dontunmap_complete`). Linux
    /// leaves such pages PG_mlocked and unevictable until they are freed (unevictable_pgs_cleared)
    /// or migrated.
    pub stale_mlock: BTreeMap<Pfn, u32>,
    /// Pages freed while PG_mlocked because of a stale mlock: the only rightful
    /// unevictable_pgs_cleared events.
    pub stale_mlock_freed: u64,
    /// THP reservations' `promotion_threshold` (None: reservations off).
    pub promotion_threshold: Option<u32>,
    /// The `thp_reserve_on_read_fault` quirk.
    pub quirk_reserve_on_read: bool,
    /// The disk's `read_ahead_kb`.
    pub read_ahead_kb: u32,
    /// The `munlock_folio` calls of the kernel path in progress, until
    /// [`Machine::account_munlocks`] prices them (the old design's rmap walk needs every mm).
    pub(crate) munlocks: Vec<crate::mlock::Munlock>,
}

impl Kernel {
    /// `anon_vma_prepare`: a fresh anon_vma identity.
    pub fn new_anon_vma(&mut self) -> AnonVmaId {
        self.new_child_anon_vma(0)
    }

    /// `anon_vma_fork`: a fresh anon_vma chained to `parent`.
    pub fn new_child_anon_vma(&mut self, parent: AnonVmaId) -> AnonVmaId {
        if self.anon_vma_parent.is_empty() {
            self.anon_vma_parent.push(0);
        }
        self.anon_vma_parent.push(parent);
        (self.anon_vma_parent.len() - 1) as AnonVmaId
    }

    /// Is `vma_anon` the anon_vma `owner` or one forked from it (is a page of `owner` reachable
    /// through a VMA whose anon_vma is `vma_anon`)?
    pub fn anon_vma_reaches(&self, vma_anon: AnonVmaId, owner: AnonVmaId) -> bool {
        let mut a = vma_anon;
        while a != 0 {
            if a == owner {
                return true;
            }
            a = self.anon_vma_parent.get(a as usize).copied().unwrap_or(0);
        }
        false
    }

    /// The root of an anon_vma's fork chain (`anon_vma->root`): a page that is not exclusive
    /// to one process is filed under it so every process sharing it reaches it.
    pub fn anon_vma_root(&self, mut a: AnonVmaId) -> AnonVmaId {
        while let Some(&p) = self.anon_vma_parent.get(a as usize).filter(|&&p| p != 0) {
            a = p;
        }
        a
    }
}

/// One modeled machine.
#[derive(Clone, Debug)]
pub struct Machine {
    pub(crate) config: MachineConfig,
    pub(crate) procs: BTreeMap<Pid, Process>,
    pub(crate) k: Kernel,
    next_pid: Pid,
    /// Set by every rmap walk of the current operation: it may have changed the page tables of
    /// processes other than the operation's own (see [`Machine::fixup_all_reservations`]).
    pub(crate) rmap_walked: std::cell::Cell<bool>,
    /// Kernel paths in flight and the locks they hold.
    pub(crate) tasks: crate::task::Tasks,
    /// While a writer task's mlock runs: the page walks `mlock_fixup` leaves for its steps.
    pub(crate) deferred_walk: Option<crate::task::DeferredWalk>,
}

impl Machine {
    /// A machine with no processes and no files.
    pub fn new(config: MachineConfig) -> Result<Machine, Errno> {
        config.validate()?;
        let frames = Frames::new(config.nodes, config.node_frames());
        let stats = Stats::new(config.nodes, config.node_frames());
        let k = Kernel {
            frames,
            files: BTreeMap::new(),
            paths: BTreeMap::new(),
            stats,
            next_file: 0,
            anon_vma_parent: Vec::new(),
            swap: SwapDevice::new(config.swap_slots()),
            thp: config.thp,
            huge_zero_allocated: false,
            deferred_split: BTreeSet::new(),
            mlock_batch: Vec::new(),
            stale_mlock: BTreeMap::new(),
            stale_mlock_freed: 0,
            promotion_threshold: config.promotion_threshold,
            quirk_reserve_on_read: config.quirk(crate::config::QUIRK_THP_RESERVE_ON_READ_FAULT),
            read_ahead_kb: config.read_ahead_kb,
            munlocks: Vec::new(),
        };
        Ok(Machine {
            config,
            procs: BTreeMap::new(),
            k,
            next_pid: 1,
            rmap_walked: Default::default(),
            tasks: Default::default(),
            deferred_walk: None,
        })
    }

    pub fn config(&self) -> &MachineConfig {
        &self.config
    }

    /// Live pids, ascending.
    pub fn pids(&self) -> Vec<Pid> {
        self.procs.keys().copied().collect()
    }

    /// Applies one operation.
    pub fn apply(&mut self, op: &Op) -> OpResult {
        self.rmap_walked.set(false);
        if !op.is_task_op() {
            // A plain operation meeting a migration entry waits for it (migration_entry_wait);
            // a page walk holds mmap_lock for write and never waits.
            self.finish_tasks_that_never_wait();
            self.wait_for_mm_locks(op);
        }
        let r = self.apply_op(op);
        if self.k.reservations_on() {
            self.fixup_reservations_after(op);
        }
        self.account_munlocks();
        self.k.mlock_batch.clear();
        self.k.frames.lru_add_batch.clear();
        r
    }

    pub(crate) fn apply_op(&mut self, op: &Op) -> OpResult {
        match *op {
            Op::Spawn => self.spawn(0).map(Outcome::Pid),
            Op::Fork { pid } => self.sys_fork(pid),
            Op::Exit { pid } => self.sys_exit(pid),
            Op::Mmap { pid, addr, len, prot, flags, fd, offset } => {
                self.sys_mmap(pid, addr, len, prot, flags, fd, offset)
            }
            Op::Munmap { pid, addr, len } => self.sys_munmap(pid, addr, len),
            Op::Mprotect { pid, addr, len, prot } => self.sys_mprotect(pid, addr, len, prot),
            Op::Mremap { pid, old_addr, old_len, new_len, flags, new_addr } => {
                self.sys_mremap(pid, old_addr, old_len, new_len, flags, new_addr)
            }
            Op::Madvise { pid, addr, len, advice } => self.sys_madvise(pid, addr, len, advice),
            Op::Read { pid, addr } => self.access_read(pid, addr),
            Op::Write { pid, addr, value } => self.access_write(pid, addr, value),
            Op::Touch { pid, addr, len, access } => self.access_touch(pid, addr, len, access),
            Op::MemfdCreate { pid, ref name, flags } => self.sys_memfd_create(pid, name, flags),
            Op::Open { pid, ref path, flags } => self.sys_open(pid, path, flags),
            Op::Pwrite { pid, fd, offset, value } => self.sys_pwrite(pid, fd, offset, value),
            Op::Pread { pid, fd, offset } => self.sys_pread(pid, fd, offset),
            Op::Ftruncate { pid, fd, len } => self.sys_ftruncate(pid, fd, len),
            Op::Fallocate { pid, fd, mode, offset, len } => self.sys_fallocate(pid, fd, mode, offset, len),
            Op::Close { pid, fd } => self.sys_close(pid, fd),
            Op::Mlock { pid, addr, len } => self.sys_mlock(pid, addr, len, MlockFlags::empty()),
            Op::Mlock2 { pid, addr, len, flags } => self.sys_mlock(pid, addr, len, flags),
            Op::Munlock { pid, addr, len } => self.sys_munlock(pid, addr, len),
            Op::Mlockall { pid, flags } => self.sys_mlockall(pid, flags),
            Op::Munlockall { pid } => self.sys_munlockall(pid),
            Op::SetMemlockLimit { pid, bytes } => self.set_memlock_limit(pid, bytes),
            Op::SetCapIpcLock { pid, on } => self.set_cap_ipc_lock(pid, on),
            Op::MovePages { pid, ref addrs, ref nodes, flags } => self.sys_move_pages(pid, addrs, nodes, flags),
            Op::Reclaim { nid, pages } => self.reclaim(nid, pages),
            Op::Khugepaged => Ok(Outcome::Count(self.khugepaged_scan())),
            Op::TaskStart { ref task } => self.task_start(task),
            Op::TaskStep { task } => self.task_step(task),
            Op::IoComplete { task } => self.task_io_complete(task),
            Op::RunUntilIdle => self.task_run_until_idle(),
        }
    }

    /// Creates a process with an empty mm (`ppid` 0 for spawned processes).
    pub(crate) fn spawn(&mut self, ppid: Pid) -> Result<Pid, Errno> {
        let pid = (0..PID_MAX)
            .map(|i| (self.next_pid - 1 + i) % (PID_MAX - 1) + 1)
            .find(|p| !self.procs.contains_key(p))
            .ok_or(Errno::EAGAIN)?;
        self.next_pid = pid % (PID_MAX - 1) + 1;
        let rlimit_memlock = self.config.memlock_bytes;
        let proc = Process { ppid, rlimit_memlock, cap_ipc_lock: false, mm: Mm::default(), fds: BTreeMap::new() };
        self.procs.insert(pid, proc);
        Ok(pid)
    }

    pub(crate) fn proc_mut(&mut self, pid: Pid) -> Result<&mut Process, Errno> {
        self.procs.get_mut(&pid).ok_or(Errno::ESRCH)
    }

    pub(crate) fn proc(&self, pid: Pid) -> Result<&Process, Errno> {
        self.procs.get(&pid).ok_or(Errno::ESRCH)
    }

    /// The tasks in flight or finished, ascending ids (the `tasks` view).
    pub fn tasks(&self) -> Vec<crate::task::TaskInfo> {
        self.tasks.infos()
    }

    /// Machine-wide task figures.
    pub fn task_stats(&self) -> &crate::task::TaskStats {
        &self.tasks.stats
    }

    /// Host bytes this machine's state occupies (frames, page tables, VMAs), for the benchmarks.
    pub fn host_bytes(&self) -> usize {
        let procs: usize = self
            .procs
            .values()
            .map(|p| p.mm.pt.host_bytes() + p.mm.vmas.len() * (size_of::<crate::mm_types::Vma>() + 32))
            .sum();
        size_of::<Machine>() + self.k.frames.host_bytes() + procs
    }
}
