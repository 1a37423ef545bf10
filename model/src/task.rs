//! Kernel paths in flight as interleavable tasks (first slice of issue 9): the swap-in fault
//! (mm/memory.c `do_swap_page`, `lock_vma_under_rcu`; include/linux/mm.h `vma_start_read`,
//! `vma_end_read`; include/linux/mmap_lock.h `mmap_read_lock`; mm/filemap.c
//! `folio_lock_or_retry`; mm/page_io.c `swap_read_folio`; the VM_FAULT_RETRY handling in
//! arch/x86/mm/fault.c `do_user_addr_fault`).
//!
//! Not wired into `Op`/`Machine` yet: this is the lock and I/O protocol alone, over the
//! [`crate::mmap_lock`] primitives. A task is runnable when what it waits on is granted; one
//! step advances one runnable task by one phase and costs one modeled time unit.

use std::collections::BTreeMap;

use crate::errno::Errno;
use crate::lockdep::{self, WaitFor};
use crate::mmap_lock::{Acquire, Mode, RwSem, TaskId, VmaLock};

/// What a swap-in fault does when the swap cache folio is locked by another task's I/O.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SwapinPolicy {
    /// Pre-2023: under a VMA lock, drop it and retry under mmap_lock (`vma_lock_retry`).
    #[default]
    Retry,
    /// Wait for the folio while holding the VMA lock.
    Wait,
}

/// What a task waits on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Blocked {
    MmapLock,
    Folio(u64),
    Io,
}

/// What the lock a fault holds is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Held {
    Nothing,
    Vma,
    Mmap,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Phase {
    Lock,
    Lookup,
    WaitIo,
    Map,
    Done,
}

/// One swap-in fault in flight on one VMA and one swap entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Fault {
    entry: u64,
    phase: Phase,
    held: Held,
    blocked: Option<Blocked>,
    io_pending: bool,
    started: u64,
}

/// Counters (vmstat names).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TaskStats {
    pub vma_lock_success: u64,
    pub vma_lock_abort: u64,
    pub vma_lock_retry: u64,
    pub faults_blocked_behind_writer: u64,
}

/// The tasks in flight on one mm with one VMA.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Tasks {
    pub policy: SwapinPolicy,
    pub mmap_lock: RwSem,
    pub vma_lock: VmaLock,
    /// Swap cache folios by entry, with the task holding the folio lock.
    swap_cache: BTreeMap<u64, Option<TaskId>>,
    faults: BTreeMap<TaskId, Fault>,
    next_id: TaskId,
    pub now: u64,
    pub stats: TaskStats,
    /// Completed faults' latencies in time units, by task.
    pub latency: BTreeMap<TaskId, u64>,
}

impl Tasks {
    /// Starts a swap-in fault on `entry`; returns its id.
    pub fn start_swapin(&mut self, entry: u64) -> TaskId {
        self.next_id += 1;
        let f = Fault {
            entry,
            phase: Phase::Lock,
            held: Held::Nothing,
            blocked: None,
            io_pending: false,
            started: self.now,
        };
        self.faults.insert(self.next_id, f);
        self.next_id
    }

    /// Delivers the I/O completion event.
    pub fn io_complete(&mut self, id: TaskId) -> Result<(), Errno> {
        let f = self.faults.get_mut(&id).ok_or(Errno::ESRCH)?;
        if !f.io_pending {
            return Err(Errno::EINVAL);
        }
        f.io_pending = false;
        Ok(())
    }

    /// Is the task waiting on something not yet granted?
    fn waiting(&self, id: TaskId, f: &Fault) -> bool {
        match f.blocked {
            None => false,
            Some(Blocked::MmapLock) => !self.mmap_lock.held_by(id),
            Some(Blocked::Folio(e)) => matches!(self.swap_cache.get(&e), Some(Some(o)) if *o != id),
            Some(Blocked::Io) => f.io_pending,
        }
    }

    /// One step of task `id`: Ok(None) when it advanced, Ok(Some(b)) when it waits on `b`.
    pub fn step(&mut self, id: TaskId) -> Result<Option<Blocked>, Errno> {
        let mut f = self.faults.get(&id).cloned().ok_or(Errno::ESRCH)?;
        if f.phase == Phase::Done {
            return Err(Errno::EINVAL);
        }
        self.now += 1;
        if self.waiting(id, &f) {
            return Ok(f.blocked);
        }
        f.blocked = None;
        match f.phase {
            Phase::Lock => self.lock(id, &mut f),
            Phase::Lookup => self.lookup(id, &mut f),
            Phase::WaitIo => f.phase = Phase::Map,
            Phase::Map => self.map(id, &mut f),
            Phase::Done => {}
        }
        let blocked = f.blocked;
        self.faults.insert(id, f);
        Ok(blocked)
    }

    fn lock(&mut self, id: TaskId, f: &mut Fault) {
        if self.vma_lock.try_read(id) {
            self.stats.vma_lock_success += 1;
            f.held = Held::Vma;
        } else {
            self.stats.vma_lock_abort += 1;
            self.mmap_read_lock(id, f);
        }
        f.phase = Phase::Lookup;
    }

    fn mmap_read_lock(&mut self, id: TaskId, f: &mut Fault) {
        f.held = Held::Mmap;
        if self.mmap_lock.down(id, Mode::Read) == Ok(Acquire::Queued) {
            self.stats.faults_blocked_behind_writer += 1;
            f.blocked = Some(Blocked::MmapLock);
        }
    }

    fn lookup(&mut self, id: TaskId, f: &mut Fault) {
        match self.swap_cache.get(&f.entry).copied() {
            Some(Some(owner)) if owner != id => {
                if f.held == Held::Vma && self.policy == SwapinPolicy::Retry {
                    let _ = self.vma_lock.end_read(id);
                    self.stats.vma_lock_retry += 1;
                    self.mmap_read_lock(id, f);
                } else {
                    f.blocked = Some(Blocked::Folio(f.entry));
                }
            }
            Some(_) => f.phase = Phase::Map,
            None => {
                self.swap_cache.insert(f.entry, Some(id));
                f.io_pending = true;
                f.blocked = Some(Blocked::Io);
                f.phase = Phase::WaitIo;
            }
        }
    }

    fn map(&mut self, id: TaskId, f: &mut Fault) {
        if self.swap_cache.get(&f.entry) == Some(&Some(id)) {
            self.swap_cache.insert(f.entry, None);
        }
        match f.held {
            Held::Vma => drop(self.vma_lock.end_read(id)),
            Held::Mmap => drop(self.mmap_lock.up(id)),
            Held::Nothing => {}
        }
        f.held = Held::Nothing;
        f.phase = Phase::Done;
        self.latency.insert(id, self.now - f.started);
    }

    /// Steps every runnable task, ascending ids, until none advances.
    pub fn run_until_idle(&mut self) {
        loop {
            let runnable: Vec<TaskId> = self
                .faults
                .iter()
                .filter(|&(&i, f)| f.phase != Phase::Done && !self.waiting(i, f))
                .map(|(&i, _)| i)
                .collect();
            if runnable.is_empty() {
                return;
            }
            for i in runnable {
                let _ = self.step(i);
            }
        }
    }

    /// The wait-for graph of the tasks that wait (`lockdep::WaitFor`).
    pub fn wait_for(&self) -> WaitFor {
        let mut g = WaitFor::new();
        for (&id, f) in self.faults.iter().filter(|&(&i, f)| self.waiting(i, f)) {
            let holders = match f.blocked {
                Some(Blocked::MmapLock) => self.mmap_lock.holders(),
                Some(Blocked::Folio(e)) => self.swap_cache.get(&e).copied().flatten().into_iter().collect(),
                _ => Vec::new(),
            };
            g.insert(id, holders.into_iter().collect());
        }
        g
    }

    /// Invariant violations: a wait-for cycle, a task nothing can wake, a lock held when every
    /// task is done.
    pub fn violations(&self) -> Vec<String> {
        let g = self.wait_for();
        let mut v = Vec::new();
        if let Some(c) = lockdep::find_cycle(&g) {
            v.push(format!("deadlock: tasks {c:?}"));
        }
        let live = self.faults.iter().filter(|(_, f)| f.phase != Phase::Done).map(|(&i, _)| i).collect();
        let io = |t: TaskId| self.faults.get(&t).is_some_and(|f| f.io_pending);
        for t in lockdep::never_woken(&g, &live, io) {
            v.push(format!("task {t} can never be woken"));
        }
        let idle = self.faults.values().all(|f| f.phase == Phase::Done);
        if idle && !(self.vma_lock.holders().is_empty() && self.mmap_lock.holders().is_empty()) {
            v.push("lock held after every task completed".to_string());
        }
        v
    }

    /// Is task `id` finished?
    pub fn done(&self, id: TaskId) -> bool {
        self.faults.get(&id).is_some_and(|f| f.phase == Phase::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swapin_under_vma_lock_completes_after_io() {
        let mut t = Tasks::default();
        let a = t.start_swapin(5);
        assert_eq!(t.step(a), Ok(None));
        assert_eq!(t.step(a), Ok(Some(Blocked::Io)));
        assert_eq!(t.step(a), Ok(Some(Blocked::Io)));
        assert_eq!(t.io_complete(a), Ok(()));
        assert_eq!(t.io_complete(a), Err(Errno::EINVAL));
        t.run_until_idle();
        assert!(t.done(a));
        assert_eq!(t.stats.vma_lock_success, 1);
        assert_eq!(t.latency.get(&a), Some(&5));
        assert_eq!(t.vma_lock.holders(), Vec::<TaskId>::new());
        assert_eq!(t.step(a), Err(Errno::EINVAL));
        assert_eq!(t.step(99), Err(Errno::ESRCH));
    }

    #[test]
    fn second_fault_retries_under_mmap_lock_with_policy_retry() {
        let mut t = Tasks::default();
        let (a, b) = (t.start_swapin(5), t.start_swapin(5));
        t.run_until_idle();
        assert_eq!(t.stats.vma_lock_retry, 1);
        assert_eq!(t.mmap_lock.holders(), vec![b]);
        t.io_complete(a).unwrap();
        t.run_until_idle();
        assert!(t.done(a) && t.done(b));
        assert_eq!(t.mmap_lock.holders(), Vec::<TaskId>::new());
        assert_eq!(t.violations(), Vec::<String>::new());
    }

    #[test]
    fn second_fault_waits_holding_vma_lock_with_policy_wait() {
        let mut t = Tasks { policy: SwapinPolicy::Wait, ..Tasks::default() };
        let (a, b) = (t.start_swapin(5), t.start_swapin(5));
        t.run_until_idle();
        assert_eq!(t.stats.vma_lock_retry, 0);
        assert_eq!(t.vma_lock.holders(), vec![a, b]);
        t.io_complete(a).unwrap();
        t.run_until_idle();
        assert!(t.done(a) && t.done(b));
        assert_eq!(t.stats.vma_lock_success, 2);
    }

    #[test]
    fn fault_blocked_behind_writer() {
        let mut t = Tasks::default();
        assert_eq!(t.mmap_lock.down(100, Mode::Write), Ok(Acquire::Acquired));
        assert_eq!(t.vma_lock.start_write(100), Ok(Acquire::Acquired));
        let a = t.start_swapin(5);
        assert_eq!(t.step(a), Ok(Some(Blocked::MmapLock)));
        assert_eq!(t.stats.vma_lock_abort, 1);
        assert_eq!(t.stats.faults_blocked_behind_writer, 1);
        t.vma_lock.end_write(100);
        assert_eq!(t.violations(), vec!["task 1 can never be woken".to_string()]);
        assert_eq!(t.mmap_lock.up(100), Ok(vec![a]));
        t.run_until_idle();
        t.io_complete(a).unwrap();
        t.run_until_idle();
        assert!(t.done(a));
    }
}
