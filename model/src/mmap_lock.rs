//! The mm's locks as a sleeping task sees them: mmap_lock as a fair reader/writer semaphore and
//! the per-VMA locks (kernel/locking/rwsem.c `down_read`, `down_write`, `down_read_trylock`,
//! `up_read`, `up_write`, `rwsem_down_read_slowpath`, `rwsem_mark_wake`;
//! include/linux/mmap_lock.h `mmap_read_lock`, `mmap_write_lock`, `mmap_read_trylock`;
//! include/linux/mm.h `vma_start_read`, `vma_start_write`, `vma_end_read`; mm/memory.c
//! `lock_vma_under_rcu`).
//!
//! Fairness follows the rwsem: once a writer is queued, a new reader queues behind it instead of
//! joining the readers that hold the lock, and a reader's trylock fails. On release the head of
//! the queue decides: a writer is woken alone; a reader at the head wakes every queued reader
//! (`rwsem_mark_wake` grants read locks to all readers on the wait list, writers stay queued).
//!
//! A per-VMA lock is read-trylocked by a fault (`vma_start_read`, which fails while the VMA is
//! write-locked) and write-locked by an mmap_lock writer (`vma_start_write`), which waits for the
//! VMA's readers to leave; every VMA write lock is dropped when mmap_lock's writer releases it
//! (`vma_end_write_all` in `mmap_write_unlock`).
//!
//! Nothing here sleeps: a lock that cannot be granted reports [`Acquire::Queued`] and the caller
//! (the task in flight) records what it waits on. State is plain ordered data, so it clones,
//! compares and hashes deterministically.

use std::collections::{BTreeSet, VecDeque};

/// A task in flight, as the locks know it.
pub type TaskId = u32;

/// How a task wants the lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    Read,
    Write,
}

/// What a lock request did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Acquire {
    /// The task holds the lock now.
    Acquired,
    /// The task waits in the queue until a release wakes it.
    Queued,
}

/// A lock request or release the lock's state does not allow (the model's lockdep splat).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LockError {
    /// The task already holds or waits for this lock (a recursive rwsem acquisition).
    Recursive,
    /// The task releases a lock it does not hold.
    NotHeld,
}

/// A fair reader/writer semaphore (`struct rw_semaphore`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RwSem {
    readers: BTreeSet<TaskId>,
    writer: Option<TaskId>,
    queue: VecDeque<(TaskId, Mode)>,
}

impl RwSem {
    /// The tasks holding the lock, ascending.
    pub fn holders(&self) -> Vec<TaskId> {
        self.writer.into_iter().chain(self.readers.iter().copied()).collect()
    }

    /// The waiting tasks, in queue order.
    pub fn waiters(&self) -> Vec<(TaskId, Mode)> {
        self.queue.iter().copied().collect()
    }

    /// Does `task` hold the lock (in either mode)?
    pub fn held_by(&self, task: TaskId) -> bool {
        self.writer == Some(task) || self.readers.contains(&task)
    }

    /// Is a writer holding the lock or queued for it?
    pub fn write_pending(&self) -> bool {
        self.writer.is_some() || self.queue.iter().any(|&(_, m)| m == Mode::Write)
    }

    fn involved(&self, task: TaskId) -> bool {
        self.held_by(task) || self.queue.iter().any(|&(t, _)| t == task)
    }

    /// Could `mode` be granted right now without queueing?
    fn grantable(&self, mode: Mode) -> bool {
        match mode {
            // A queued waiter (writer or reader behind one) keeps new readers out: fairness.
            Mode::Read => self.writer.is_none() && self.queue.is_empty(),
            Mode::Write => self.writer.is_none() && self.readers.is_empty() && self.queue.is_empty(),
        }
    }

    fn grant(&mut self, task: TaskId, mode: Mode) {
        match mode {
            Mode::Read => {
                self.readers.insert(task);
            }
            Mode::Write => self.writer = Some(task),
        }
    }

    /// `down_read` / `down_write`: takes the lock or queues behind the current waiters.
    pub fn down(&mut self, task: TaskId, mode: Mode) -> Result<Acquire, LockError> {
        if self.involved(task) {
            return Err(LockError::Recursive);
        }
        if self.grantable(mode) {
            self.grant(task, mode);
            return Ok(Acquire::Acquired);
        }
        self.queue.push_back((task, mode));
        Ok(Acquire::Queued)
    }

    /// `down_read_trylock` / `down_write_trylock`: takes the lock only if `down` would not queue.
    pub fn trylock(&mut self, task: TaskId, mode: Mode) -> bool {
        if self.involved(task) || !self.grantable(mode) {
            return false;
        }
        self.grant(task, mode);
        true
    }

    /// `up_read` / `up_write`: releases `task`'s hold and returns the tasks the release woke,
    /// each now holding the lock (`rwsem_mark_wake`).
    pub fn up(&mut self, task: TaskId) -> Result<Vec<TaskId>, LockError> {
        if self.writer == Some(task) {
            self.writer = None;
        } else if !self.readers.remove(&task) {
            return Err(LockError::NotHeld);
        }
        Ok(self.wake())
    }

    /// Removes a waiter that gives up (a killed task leaving `down_*_killable`), waking whoever
    /// its departure lets in.
    pub fn cancel(&mut self, task: TaskId) -> Vec<TaskId> {
        self.queue.retain(|&(t, _)| t != task);
        self.wake()
    }

    fn wake(&mut self) -> Vec<TaskId> {
        let mut woken = Vec::new();
        match self.queue.front().copied() {
            Some((t, Mode::Write)) if self.writer.is_none() && self.readers.is_empty() => {
                self.queue.pop_front();
                self.writer = Some(t);
                woken.push(t);
            }
            Some((_, Mode::Read)) if self.writer.is_none() => {
                // Every queued reader is granted; the writers keep their places.
                let mut rest = VecDeque::new();
                for (t, mode) in self.queue.drain(..) {
                    if mode == Mode::Read {
                        self.readers.insert(t);
                        woken.push(t);
                    } else {
                        rest.push_back((t, mode));
                    }
                }
                self.queue = rest;
            }
            _ => {}
        }
        woken
    }
}

/// One VMA's lock (`vma->vm_lock` with `vm_lock_seq`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct VmaLock {
    readers: BTreeSet<TaskId>,
    /// The mmap_lock writer that write-locked the VMA (`vm_lock_seq == mm_lock_seq`).
    writer: Option<TaskId>,
}

impl VmaLock {
    /// `vma_start_read` (inside `lock_vma_under_rcu`): fails while the VMA is write-locked; the
    /// fault then counts `vma_lock_abort` and falls back to mmap_lock.
    pub fn try_read(&mut self, task: TaskId) -> bool {
        if self.writer.is_some() || self.readers.contains(&task) {
            return false;
        }
        self.readers.insert(task);
        true
    }

    /// `vma_end_read`.
    pub fn end_read(&mut self, task: TaskId) -> Result<(), LockError> {
        if self.readers.remove(&task) { Ok(()) } else { Err(LockError::NotHeld) }
    }

    /// `vma_start_write` by `task`, which must hold mmap_lock for write: marks the VMA
    /// write-locked (new readers fail at once) and reports `Queued` while readers remain inside.
    pub fn start_write(&mut self, task: TaskId) -> Result<Acquire, LockError> {
        match self.writer {
            Some(w) if w != task => return Err(LockError::Recursive),
            _ => self.writer = Some(task),
        }
        Ok(if self.readers.is_empty() { Acquire::Acquired } else { Acquire::Queued })
    }

    /// `vma_end_write_all`, from `mmap_write_unlock`.
    pub fn end_write(&mut self, task: TaskId) {
        if self.writer == Some(task) {
            self.writer = None;
        }
    }

    /// Nobody holds the lock, reads it or has it write-locked.
    pub fn idle(&self) -> bool {
        self.readers.is_empty() && self.writer.is_none()
    }

    /// The tasks inside the VMA lock (the readers, and a writer once they are gone).
    pub fn holders(&self) -> Vec<TaskId> {
        let writer = self.writer.filter(|_| self.readers.is_empty());
        writer.into_iter().chain(self.readers.iter().copied()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_share_writer_excludes() {
        let mut s = RwSem::default();
        assert_eq!(s.down(1, Mode::Read), Ok(Acquire::Acquired));
        assert_eq!(s.down(2, Mode::Read), Ok(Acquire::Acquired));
        assert_eq!(s.down(3, Mode::Write), Ok(Acquire::Queued));
        assert_eq!(s.holders(), vec![1, 2]);
        assert_eq!(s.up(1), Ok(vec![]));
        assert_eq!(s.up(2), Ok(vec![3]));
        assert_eq!(s.holders(), vec![3]);
    }

    #[test]
    fn queued_writer_blocks_new_reader() {
        let mut s = RwSem::default();
        assert_eq!(s.down(1, Mode::Read), Ok(Acquire::Acquired));
        assert_eq!(s.down(2, Mode::Write), Ok(Acquire::Queued));
        // Fairness: the lock is only read-held, yet a new reader queues behind the writer.
        assert_eq!(s.down(3, Mode::Read), Ok(Acquire::Queued));
        assert!(!s.trylock(4, Mode::Read));
        assert_eq!(s.waiters(), vec![(2, Mode::Write), (3, Mode::Read)]);
        assert_eq!(s.up(1), Ok(vec![2]));
        assert_eq!(s.up(2), Ok(vec![3]));
        assert_eq!(s.holders(), vec![3]);
    }

    #[test]
    fn reader_at_head_wakes_every_queued_reader() {
        let mut s = RwSem::default();
        assert_eq!(s.down(1, Mode::Write), Ok(Acquire::Acquired));
        assert_eq!(s.down(2, Mode::Read), Ok(Acquire::Queued));
        assert_eq!(s.down(3, Mode::Write), Ok(Acquire::Queued));
        assert_eq!(s.down(4, Mode::Read), Ok(Acquire::Queued));
        assert_eq!(s.up(1), Ok(vec![2, 4]));
        assert_eq!(s.holders(), vec![2, 4]);
        assert_eq!(s.waiters(), vec![(3, Mode::Write)]);
        assert_eq!(s.up(4), Ok(vec![]));
        assert_eq!(s.up(2), Ok(vec![3]));
    }

    #[test]
    fn misuse_is_an_error_not_a_panic() {
        let mut s = RwSem::default();
        assert_eq!(s.up(7), Err(LockError::NotHeld));
        assert_eq!(s.down(7, Mode::Read), Ok(Acquire::Acquired));
        assert_eq!(s.down(7, Mode::Write), Err(LockError::Recursive));
        assert!(!s.trylock(7, Mode::Read));
    }

    #[test]
    fn cancelled_writer_lets_readers_in() {
        let mut s = RwSem::default();
        assert_eq!(s.down(1, Mode::Read), Ok(Acquire::Acquired));
        assert_eq!(s.down(2, Mode::Write), Ok(Acquire::Queued));
        assert_eq!(s.down(3, Mode::Read), Ok(Acquire::Queued));
        assert_eq!(s.cancel(2), vec![3]);
        assert_eq!(s.holders(), vec![1, 3]);
    }

    #[test]
    fn vma_write_lock_aborts_new_readers_and_waits_for_old() {
        let mut v = VmaLock::default();
        assert!(v.try_read(1));
        assert_eq!(v.start_write(9), Ok(Acquire::Queued));
        assert!(!v.try_read(2));
        assert_eq!(v.holders(), vec![1]);
        assert_eq!(v.end_read(1), Ok(()));
        assert_eq!(v.holders(), vec![9]);
        v.end_write(9);
        assert!(v.try_read(2));
        assert_eq!(v.end_read(5), Err(LockError::NotHeld));
    }
}
