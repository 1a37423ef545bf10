//! mlock after the 2022 munlock rework (mm/mlock.c `mlock_folio`, `mlock_new_folio`,
//! `munlock_folio`, `__mlock_folio`, `__munlock_folio`, `mlock_fixup`, `mlock_vma_pages_range`,
//! `apply_vma_lock_flags`, `do_mlock`, `mlockall`, `apply_mlockall_flags`, `can_do_mlock`,
//! `mlock_future_ok`, `__mlock_posix_error_return`; mm/gup.c `__mm_populate`).
//!
//! The per-CPU mlock batches are drained at the end of every operation, so `mlock_count` equals
//! the number of VM_LOCKED mappings of each page, as Linux's would with no batch pending, plus
//! the stale mlocks MREMAP_DONTUNMAP leaves behind (`Kernel::stale_mlock`).

use crate::config::QUIRK_LOCKONFAULT_SKIP_MAPPED;
use crate::errno::Errno;
use crate::machine::{Kernel, Machine};
use crate::mm_types::{Mm, PMD_SIZE, PmdMap, TASK_SIZE, VmFlags};
use crate::ops::{MclFlags, MlockFlags, OpResult, Outcome, PAGE_SHIFT, PAGE_SIZE, Pid};
use crate::page_alloc::{HPAGE_PMD_NR, PageFlags, Pfn, ZERO_PFN, thp_head};
use crate::task::{WalkKind, WalkRange};
use crate::vmstat::{Event, NodeStat};

/// `VM_LOCKED_MASK`.
pub const VM_LOCKED_MASK: VmFlags = VmFlags::LOCKED.union(VmFlags::LOCKONFAULT);

/// One `munlock_folio` call, with what the pre-5.18 munlock (`munlock_vma_page`) would have
/// looked at: the page as it was when the call was made (it may be freed before it is priced).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Munlock {
    pub pfn: Pfn,
    /// PG_mlocked was set: the old `TestClearPageMlocked` succeeded and an rmap walk followed.
    pub was_mlocked: bool,
    /// `page_mapcount` as the old design saw it: `munlock_vma_pages_range` ran before the unmap,
    /// so the unlocking mapping still counts. At most 1 skips the walk (`__munlock_isolated_page`:
    /// "if the page was mapped just once, that's our mapping").
    pub mapcount: u32,
    pub anon: bool,
    /// `folio->mapping` and `folio->index`, for the VMAs the walk visits.
    pub owner: u32,
    pub index: u64,
}

/// PAGEVEC_SIZE: a per-CPU folio batch holds 31 folios.
const MLOCK_BATCH_SIZE: usize = 31;

impl Kernel {
    fn set_mlocked(&mut self, pfn: Pfn) {
        let f = self.frames.frame_mut(pfn);
        if !f.flags.contains(PageFlags::MLOCKED) {
            f.flags |= PageFlags::MLOCKED;
            let nid = f.nid as u32;
            self.stats.mod_node(nid, NodeStat::Mlock, 1);
            self.stats.count(Event::UnevictableMlocked, 1);
        }
    }

    /// `mlock_folio` + `__mlock_folio`: a mapped page found in a VM_LOCKED VMA.
    pub fn mlock_folio(&mut self, pfn: Pfn) {
        self.set_mlocked(pfn);
        let f = self.frames.frame_mut(pfn);
        if f.flags.contains(PageFlags::UNEVICTABLE) {
            f.mlock_count += 1;
            return;
        }
        f.mlock_count = 1;
        self.relist(pfn, |fl| {
            fl.remove(PageFlags::ACTIVE);
            fl.insert(PageFlags::UNEVICTABLE);
        });
        self.stats.count(Event::UnevictableCulled, 1);
        // Only a folio already on an LRU list is queued for activation by folio_mark_accessed
        // while it waits in the mlock batch (one still in the LRU-add batch keeps PG_referenced,
        // as the live kernel shows).
        if !self.frames.lru_add_batch.contains(&pfn) {
            self.mlock_batch.push(pfn);
        }
        if self.mlock_batch.len() >= MLOCK_BATCH_SIZE {
            self.mlock_batch.clear();
        }
    }

    /// `mlock_new_folio` + `__mlock_new_folio`: a new anon page faulted into a VM_LOCKED VMA
    /// goes straight to the unevictable list.
    pub fn mlock_new_folio(&mut self, pfn: Pfn) {
        self.set_mlocked(pfn);
        let f = self.frames.frame_mut(pfn);
        f.flags |= PageFlags::UNEVICTABLE;
        f.mlock_count = 1;
        self.stats.count(Event::UnevictableCulled, 1);
        self.lru_add(pfn);
    }

    /// `munlock_folio` + `__munlock_folio`: one VM_LOCKED mapping of the page went away while
    /// its PTE still maps the page (mlock_fixup's page walk, a THP split's fix-up).
    pub fn munlock_folio(&mut self, pfn: Pfn) {
        self.munlock_folio_noting(pfn, false);
    }

    /// `munlock_vma_folio` from `folio_remove_rmap_pte`: the unlocking mapping's PTE is gone
    /// already (zap, COW, collapse).
    pub fn munlock_unmapped_folio(&mut self, pfn: Pfn) {
        self.munlock_folio_noting(pfn, true);
    }

    /// The one place every munlock goes through: notes the call for
    /// [`Machine::account_munlocks`] (`mlock_count_updates`, `munlock_rmap_steps`), then
    /// `__munlock_folio`.
    fn munlock_folio_noting(&mut self, pfn: Pfn, pte_gone: bool) {
        let f = self.frames.frame(pfn);
        self.munlocks.push(Munlock {
            pfn,
            was_mlocked: f.flags.contains(PageFlags::MLOCKED),
            mapcount: f.mapcount + pte_gone as u32,
            anon: f.is_anon(),
            owner: f.owner,
            index: f.index,
        });
        let f = self.frames.frame_mut(pfn);
        if f.flags.contains(PageFlags::UNEVICTABLE) {
            f.mlock_count = f.mlock_count.saturating_sub(1);
            if f.mlock_count > 0 {
                return;
            }
        }
        if f.flags.contains(PageFlags::MLOCKED) {
            f.flags -= PageFlags::MLOCKED;
            let nid = f.nid as u32;
            self.stats.mod_node(nid, NodeStat::Mlock, -1);
            self.stats.count(Event::UnevictableMunlocked, 1);
            self.stale_mlock.remove(&pfn);
        }
        if self.frames.frame(pfn).flags.contains(PageFlags::UNEVICTABLE) {
            self.relist(pfn, |fl| fl.remove(PageFlags::UNEVICTABLE));
            self.stats.count(Event::UnevictableRescued, 1);
        }
    }

    /// Munlocks every page mapped in `[start, end)` (a VMA that lost VM_LOCKED).
    pub fn munlock_range(&mut self, mm: &Mm, start: u64, end: u64) {
        self.mlock_pte_range(mm, start, end, false);
    }

    /// `dontunmap_complete` clears VM_LOCKED on `[start, end)` without an munlock: every page
    /// still mapped there keeps the mlock_count that mapping gave it, now a stale one. A THP's
    /// pages too: its count is best effort, but a free while still PG_mlocked is rightful.
    pub fn leave_mlocked(&mut self, mm: &Mm, start: u64, end: u64) {
        for (_, pte) in mm.pt.range(start, end) {
            if !pte.is_present() || pte.pfn() == ZERO_PFN {
                continue;
            }
            let pfn = pte.pfn();
            let f = self.frames.frame(pfn);
            if !f.flags.contains(PageFlags::MLOCKED) {
                continue;
            }
            *self.stale_mlock.entry(pfn).or_default() += 1;
        }
    }

    /// `lru_add` of an isolated mlocked page put back (MADV_PAGEOUT isolates one only through
    /// a VMA without VM_LOCKED, so only a stale mlock gets here): it goes back to the unevictable
    /// list with `mlock_count` 0, still PG_mlocked, until its next munlock clears it.
    pub fn putback_unevictable(&mut self, pfn: Pfn) {
        self.frames.frame_mut(pfn).mlock_count = 0;
        self.stale_mlock.insert(pfn, 0);
        self.frames.lru_stamp(pfn);
    }

    /// One page table of a stepped mlock walk of `[start, end)`: mlocks the pages mapped in
    /// `[lo, hi)` (the THP rule looks at the whole range, as `allow_mlock_munlock` does).
    pub(crate) fn mlock_pte_chunk(&mut self, mm: &Mm, start: u64, end: u64, lo: u64, hi: u64) {
        for (addr, pte) in mm.pt.range(lo, hi) {
            if pte.is_present() && pte.pfn() != ZERO_PFN && self.allow_mlock(mm, addr, pte.pfn(), start, end) {
                self.mlock_folio(pte.pfn());
            }
        }
        self.mlock_batch.clear();
    }

    /// One page table of a stepped munlock walk: each page mapped in `[lo, hi)` gives back the
    /// stale count [`Kernel::leave_mlocked`] left it when the VMA lost VM_LOCKED, then is
    /// munlocked as the atomic walk would.
    pub(crate) fn munlock_stale_chunk(&mut self, mm: &Mm, lo: u64, hi: u64) {
        for (_, pte) in mm.pt.range(lo, hi) {
            if !pte.is_present() || pte.pfn() == ZERO_PFN {
                continue;
            }
            let pfn = pte.pfn();
            if let Some(n) = self.stale_mlock.get_mut(&pfn) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    self.stale_mlock.remove(&pfn);
                }
            }
        }
        self.mlock_pte_range(mm, lo, hi, false);
    }

    /// `mlock_vma_pages_range`'s page walk: mlocks or munlocks every page mapped in the range.
    fn mlock_pte_range(&mut self, mm: &Mm, start: u64, end: u64, lock: bool) {
        for (addr, pte) in mm.pt.range(start, end) {
            if !pte.is_present() || pte.pfn() == ZERO_PFN {
                continue;
            }
            if lock && !self.allow_mlock(mm, addr, pte.pfn(), start, end) {
                continue;
            }
            if lock {
                self.mlock_folio(pte.pfn());
            } else {
                self.munlock_folio(pte.pfn());
            }
        }
        // mlock_vma_pages_range ends with lru_add_drain().
        self.mlock_batch.clear();
    }
}

impl Kernel {
    /// `allow_mlock_munlock` (6.7+): a page of a THP is mlocked through its PTEs only when the
    /// whole folio is mapped by them inside `[start, end)`; a PMD-mapped THP always is.
    fn allow_mlock(&self, mm: &Mm, addr: u64, pfn: Pfn, start: u64, end: u64) -> bool {
        if !self.frames.frame(pfn).is_compound() || mm.pt.pmd_at(addr) != PmdMap::Table {
            return true;
        }
        let head = thp_head(pfn);
        let haddr = addr - (pfn - head) * PAGE_SIZE;
        haddr >= start
            && haddr + PMD_SIZE <= end
            && (0..HPAGE_PMD_NR).all(|i| {
                let pte = mm.pt.get(haddr + i * PAGE_SIZE);
                pte.is_present() && pte.pfn() == head + i
            })
    }
}

/// `__mlock_posix_error_return`.
fn posix_error(e: Errno) -> Errno {
    match e {
        Errno::EFAULT => Errno::ENOMEM,
        Errno::ENOMEM => Errno::EAGAIN,
        e => e,
    }
}

impl Machine {
    /// `can_do_mlock`.
    pub(crate) fn can_do_mlock(&self, pid: Pid) -> Result<bool, Errno> {
        let p = self.proc(pid)?;
        Ok(p.rlimit_memlock != 0 || p.cap_ipc_lock)
    }

    /// Prices the `munlock_folio` calls noted since the last time, against the mms as they are
    /// now: `mlock_count_updates` +1 each (the reworked design), `munlock_rmap_steps` + the old
    /// design's rmap walk for each page that was PG_mlocked and mapped more than once. Called
    /// right after each kernel path that munlocks (before the unlocking VMA is removed and
    /// before any other mm changes), and at the end of every operation for the rest.
    pub(crate) fn account_munlocks(&mut self) {
        if self.k.munlocks.is_empty() {
            return;
        }
        let mut munlocks = std::mem::take(&mut self.k.munlocks);
        for m in &munlocks {
            self.tasks.stats.mlock_count_updates += 1;
            if m.was_mlocked && m.mapcount > 1 {
                self.tasks.stats.munlock_rmap_steps += self.munlock_walk_steps(m);
            }
        }
        munlocks.clear();
        self.k.munlocks = munlocks;
    }

    /// `mlock_future_ok`: may `bytes` more be locked (new mappings, mremap growth)?
    pub(crate) fn mlock_future_ok(&self, pid: Pid, flags: VmFlags, bytes: u64) -> bool {
        let Ok(p) = self.proc(pid) else { return false };
        if !flags.contains(VmFlags::LOCKED) || p.cap_ipc_lock {
            return true;
        }
        (bytes >> PAGE_SHIFT).saturating_add(p.mm.locked_vm) <= p.rlimit_memlock >> PAGE_SHIFT
    }

    /// `mlock_fixup` of `[start, end)` inside one VMA.
    fn mlock_fixup(&mut self, pid: Pid, start: u64, end: u64, newflags: VmFlags) -> Result<(), Errno> {
        let mm = &mut self.procs.get_mut(&pid).ok_or(Errno::ESRCH)?.mm;
        let old = mm.vma_at(start).ok_or(Errno::ENOMEM)?.flags;
        if newflags == old {
            return Ok(());
        }
        let r = mm.modify_flags(start, end, |_| newflags);
        self.sync_file_refs(pid);
        r?;
        let mm = &mut self.procs.get_mut(&pid).expect("pid").mm;
        let pages = (end - start) >> PAGE_SHIFT;
        let (was, now) = (old.contains(VmFlags::LOCKED), newflags.contains(VmFlags::LOCKED));
        if now && !was {
            mm.locked_vm += pages;
        } else if was && !now {
            mm.locked_vm -= pages;
        }
        let skip = now && newflags.contains(VmFlags::LOCKONFAULT) && self.config.quirk(QUIRK_LOCKONFAULT_SKIP_MAPPED);
        if was != now && !skip {
            if let Some(d) = self.deferred_walk.as_mut() {
                let kind = if now { WalkKind::Mlock } else { WalkKind::Munlock };
                d.ranges.push(WalkRange { start, end, kind });
                return Ok(());
            }
            self.k.mlock_pte_range(mm, start, end, now);
            self.account_munlocks();
        }
        Ok(())
    }

    /// `apply_vma_lock_flags`: every VMA of `[start, start+len)` gets `flags` as its lock bits;
    /// a hole stops the walk with ENOMEM, keeping what was done before it.
    fn apply_vma_lock_flags(&mut self, pid: Pid, start: u64, len: u64, flags: VmFlags) -> Result<(), Errno> {
        let end = start.checked_add(len).ok_or(Errno::EINVAL)?;
        if end == start {
            return Ok(());
        }
        let mut tmp = match self.proc(pid)?.mm.vma_at(start) {
            Some(_) => start,
            None => return Err(Errno::ENOMEM),
        };
        while tmp < end {
            let Some(v) = self.proc(pid)?.mm.vma_at(tmp).cloned() else { return Err(Errno::ENOMEM) };
            let hi = v.end.min(end);
            self.mlock_fixup(pid, tmp, hi, (v.flags - VM_LOCKED_MASK) | flags)?;
            tmp = hi;
        }
        Ok(())
    }

    /// `__mm_populate`: faults in the VM_LOCKED (not on-fault) VMAs of a range as GUP does.
    fn mm_populate(&mut self, pid: Pid, start: u64, end: u64, ignore_errors: bool) -> Result<(), Errno> {
        let vmas: Vec<_> = {
            let mm = &self.proc(pid)?.mm;
            mm.overlapping(start, end).iter().map(|s| mm.vmas[s].clone()).collect()
        };
        for v in vmas {
            if v.flags.contains(VmFlags::LOCKONFAULT) || v.flags.contains(VmFlags::IO) {
                continue;
            }
            let (lo, hi) = (start.max(v.start), end.min(v.end));
            let r = if v.flags.intersects(VmFlags::READ | VmFlags::WRITE | VmFlags::EXEC) {
                let write = v.flags & (VmFlags::WRITE | VmFlags::SHARED) == VmFlags::WRITE;
                self.gup_range(pid, lo, hi, write)
            } else {
                // check_vma_flags: no FOLL_FORCE on an inaccessible VMA.
                Err(Errno::EFAULT)
            };
            if let Err(e) = r
                && !ignore_errors
            {
                return Err(e);
            }
        }
        Ok(())
    }

    /// mlock(2) and mlock2(2) (`do_mlock`).
    pub(crate) fn sys_mlock(&mut self, pid: Pid, addr: u64, len: u64, flags: MlockFlags) -> OpResult {
        self.proc(pid)?;
        if !(flags - MlockFlags::ONFAULT).is_empty() {
            return Err(Errno::EINVAL);
        }
        let mut vm_flags = VmFlags::LOCKED;
        if flags.contains(MlockFlags::ONFAULT) {
            vm_flags |= VmFlags::LOCKONFAULT;
        }
        if !self.can_do_mlock(pid)? {
            return Err(Errno::EPERM);
        }
        let (start, len) = widen(addr, len).ok_or(Errno::ENOMEM)?;
        let p = self.proc(pid)?;
        let limit = p.rlimit_memlock >> PAGE_SHIFT;
        let mut locked = (len >> PAGE_SHIFT) + p.mm.locked_vm;
        if locked > limit && !p.cap_ipc_lock {
            locked -= locked_pages_in(&p.mm, start, len);
        }
        if locked > limit && !p.cap_ipc_lock {
            return Err(Errno::ENOMEM);
        }
        self.apply_vma_lock_flags(pid, start, len, vm_flags)?;
        if let Some(d) = self.deferred_walk.as_mut() {
            d.populate = Some((start, start + len, false));
            return Ok(Outcome::Done);
        }
        self.mlock_populate(pid, start, start + len, false)?;
        Ok(Outcome::Done)
    }

    /// The populate after mlock's VMA changes: mlock's errors are POSIX's, mlockall ignores
    /// them.
    pub(crate) fn mlock_populate(&mut self, pid: Pid, start: u64, end: u64, ignore_errors: bool) -> Result<(), Errno> {
        match self.mm_populate(pid, start, end, ignore_errors) {
            Err(e) if !ignore_errors => Err(posix_error(e)),
            _ => Ok(()),
        }
    }

    /// munlock(2).
    pub(crate) fn sys_munlock(&mut self, pid: Pid, addr: u64, len: u64) -> OpResult {
        self.proc(pid)?;
        let (start, len) = widen(addr, len).ok_or(Errno::ENOMEM)?;
        self.apply_vma_lock_flags(pid, start, len, VmFlags::empty())?;
        Ok(Outcome::Done)
    }

    /// mlockall(2).
    pub(crate) fn sys_mlockall(&mut self, pid: Pid, flags: MclFlags) -> OpResult {
        self.proc(pid)?;
        let all = MclFlags::CURRENT | MclFlags::FUTURE | MclFlags::ONFAULT;
        if flags.is_empty() || !(flags - all).is_empty() || flags == MclFlags::ONFAULT {
            return Err(Errno::EINVAL);
        }
        if !self.can_do_mlock(pid)? {
            return Err(Errno::EPERM);
        }
        let p = self.proc(pid)?;
        let fits = p.mm.total_vm <= p.rlimit_memlock >> PAGE_SHIFT || p.cap_ipc_lock;
        if flags.contains(MclFlags::CURRENT) && !fits {
            return Err(Errno::ENOMEM);
        }
        self.apply_mlockall_flags(pid, flags)?;
        if flags.contains(MclFlags::CURRENT) {
            if let Some(d) = self.deferred_walk.as_mut() {
                d.populate = Some((0, TASK_SIZE, true));
                return Ok(Outcome::Done);
            }
            self.mlock_populate(pid, 0, TASK_SIZE, true)?;
        }
        Ok(Outcome::Done)
    }

    /// munlockall(2).
    pub(crate) fn sys_munlockall(&mut self, pid: Pid) -> OpResult {
        self.proc(pid)?;
        self.apply_mlockall_flags(pid, MclFlags::empty())?;
        Ok(Outcome::Done)
    }

    /// `apply_mlockall_flags`: sets `def_flags` for MCL_FUTURE and rewrites every VMA's lock
    /// bits for MCL_CURRENT (or clears them all for munlockall).
    fn apply_mlockall_flags(&mut self, pid: Pid, flags: MclFlags) -> Result<(), Errno> {
        let onfault = if flags.contains(MclFlags::ONFAULT) { VmFlags::LOCKONFAULT } else { VmFlags::empty() };
        let mm = &mut self.proc_mut(pid)?.mm;
        mm.def_flags -= VM_LOCKED_MASK;
        if flags.contains(MclFlags::FUTURE) {
            mm.def_flags |= VmFlags::LOCKED | onfault;
            if !flags.contains(MclFlags::CURRENT) {
                return Ok(());
            }
        }
        let to_add = if flags.contains(MclFlags::CURRENT) { VmFlags::LOCKED | onfault } else { VmFlags::empty() };
        let mut addr = 0;
        while let Some(v) = self.proc(pid)?.mm.vmas.range(addr..).next().map(|(_, v)| v.clone()) {
            self.mlock_fixup(pid, v.start, v.end, (v.flags - VM_LOCKED_MASK) | to_add)?;
            addr = v.end;
        }
        Ok(())
    }

    /// setrlimit(RLIMIT_MEMLOCK, {bytes, bytes}).
    pub(crate) fn set_memlock_limit(&mut self, pid: Pid, bytes: u64) -> OpResult {
        self.proc_mut(pid)?.rlimit_memlock = bytes;
        Ok(Outcome::Done)
    }

    /// Grants or drops CAP_IPC_LOCK.
    pub(crate) fn set_cap_ipc_lock(&mut self, pid: Pid, on: bool) -> OpResult {
        self.proc_mut(pid)?.cap_ipc_lock = on;
        Ok(Outcome::Done)
    }

    /// Populates a VM_LOCKED range just added to an mm (MAP_LOCKED, MCL_FUTURE, mremap growth,
    /// a locked VMA made writable); failures are ignored as `mm_populate` does.
    pub(crate) fn populate_locked(&mut self, pid: Pid, start: u64, end: u64) {
        let _ = self.mm_populate(pid, start, end, true);
    }
}

/// mlock's range widening: `len = PAGE_ALIGN(len + offset_in_page(start))`, `start &= PAGE_MASK`.
fn widen(addr: u64, len: u64) -> Option<(u64, u64)> {
    let off = addr % PAGE_SIZE;
    let len = len.checked_add(off)?.checked_add(PAGE_SIZE - 1)? & !(PAGE_SIZE - 1);
    let start = addr - off;
    start.checked_add(len)?;
    Some((start, len))
}

/// `count_mm_mlocked_page_nr`: pages of `[start, start+len)` already in VM_LOCKED VMAs.
fn locked_pages_in(mm: &Mm, start: u64, len: u64) -> u64 {
    let end = start.saturating_add(len);
    mm.overlapping(start, end)
        .iter()
        .map(|s| &mm.vmas[s])
        .filter(|v| v.flags.contains(VmFlags::LOCKED))
        .map(|v| (v.end.min(end) - v.start.max(start)) >> PAGE_SHIFT)
        .sum()
}
