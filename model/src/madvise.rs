//! madvise (mm/madvise.c `do_madvise`, `madvise_walk_vmas`, `madvise_vma_behavior`,
//! `madvise_update_vma`, `madvise_dontneed_free`, `madvise_free_pte_range`,
//! `madvise_cold_or_pageout_pte_range`, `madvise_remove`, `madvise_populate`,
//! `madvise_willneed`; mm/vmscan.c `reclaim_pages` as far as it applies without swap).

use crate::errno::Errno;
use crate::machine::Machine;
use crate::mm_types::{Pte, RssKind, VmFlags, Vma};
use crate::mmap::page_align;
use crate::ops::{Advice, OpResult, Outcome, PAGE_SHIFT, PAGE_SIZE, Pid};
use crate::page_alloc::{PageFlags, ZERO_PFN};
use crate::swapfile::Slot;
use crate::vmscan::Reclaimer;
use crate::vmstat::Event;

fn behavior_valid(a: Advice) -> bool {
    Advice::NAMED.iter().any(|(n, _)| *n == a)
}

impl Machine {
    /// madvise(2).
    pub(crate) fn sys_madvise(&mut self, pid: Pid, start: u64, len_in: u64, advice: Advice) -> OpResult {
        self.proc(pid)?;
        if !behavior_valid(advice) {
            return Err(Errno::EINVAL);
        }
        if !start.is_multiple_of(PAGE_SIZE) {
            return Err(Errno::EINVAL);
        }
        let len = page_align(len_in).ok_or(Errno::EINVAL)?;
        let end = start.checked_add(len).ok_or(Errno::EINVAL)?;
        if end == start {
            return Ok(Outcome::Done);
        }
        if advice == Advice::POPULATE_READ || advice == Advice::POPULATE_WRITE {
            return self.madvise_populate(pid, start, end, advice == Advice::POPULATE_WRITE);
        }
        self.madvise_walk(pid, start, end, advice)
    }

    /// `madvise_walk_vmas`: applies the advice to each VMA piece; holes give ENOMEM at the end.
    fn madvise_walk(&mut self, pid: Pid, mut start: u64, end: u64, advice: Advice) -> OpResult {
        let mut unmapped = false;
        loop {
            let mm = &self.proc(pid)?.mm;
            let vma = match mm.vma_at(start) {
                Some(v) => v.clone(),
                None => match mm.vmas.range(start..).next() {
                    Some((_, v)) if v.start < end => {
                        unmapped = true;
                        v.clone()
                    }
                    Some(_) => {
                        unmapped = true;
                        break;
                    }
                    None => return Err(Errno::ENOMEM),
                },
            };
            start = start.max(vma.start);
            let tmp = vma.end.min(end);
            self.madvise_vma(pid, &vma, start, tmp, advice)?;
            start = tmp;
            if start >= end {
                break;
            }
        }
        if unmapped { Err(Errno::ENOMEM) } else { Ok(Outcome::Done) }
    }

    fn madvise_vma(&mut self, pid: Pid, vma: &Vma, start: u64, end: u64, advice: Advice) -> Result<(), Errno> {
        let flags = vma.flags;
        let set = |add: VmFlags, clear: VmFlags| (flags - clear) | add;
        let new_flags = match advice {
            Advice::NORMAL => set(VmFlags::empty(), VmFlags::SEQ_READ | VmFlags::RAND_READ),
            Advice::RANDOM => set(VmFlags::RAND_READ, VmFlags::SEQ_READ),
            Advice::SEQUENTIAL => set(VmFlags::SEQ_READ, VmFlags::RAND_READ),
            Advice::DONTFORK => set(VmFlags::DONTCOPY, VmFlags::empty()),
            Advice::DOFORK => {
                if flags.contains(VmFlags::IO) {
                    return Err(Errno::EINVAL);
                }
                set(VmFlags::empty(), VmFlags::DONTCOPY)
            }
            Advice::WIPEONFORK => {
                if vma.file.is_some() || flags.contains(VmFlags::SHARED) {
                    return Err(Errno::EINVAL);
                }
                set(VmFlags::WIPEONFORK, VmFlags::empty())
            }
            Advice::KEEPONFORK => set(VmFlags::empty(), VmFlags::WIPEONFORK),
            Advice::DONTDUMP => set(VmFlags::DONTDUMP, VmFlags::empty()),
            Advice::DODUMP => set(VmFlags::empty(), VmFlags::DONTDUMP),
            Advice::MERGEABLE => {
                if flags.intersects(VmFlags::SHARED | VmFlags::MAYSHARE | VmFlags::IO | VmFlags::DONTEXPAND) {
                    flags
                } else {
                    set(VmFlags::MERGEABLE, VmFlags::empty())
                }
            }
            Advice::UNMERGEABLE => set(VmFlags::empty(), VmFlags::MERGEABLE),
            Advice::HUGEPAGE => set(VmFlags::HUGEPAGE, VmFlags::NOHUGEPAGE),
            Advice::NOHUGEPAGE => set(VmFlags::NOHUGEPAGE, VmFlags::HUGEPAGE),
            _ => return self.madvise_pages(pid, vma, start, end, advice),
        };
        if new_flags != flags {
            let mm = &mut self.proc_mut(pid)?.mm;
            let r = mm.modify_flags(start, end, |_| new_flags);
            self.sync_file_refs(pid);
            r?;
        }
        Ok(())
    }

    /// Advice that acts on pages rather than on vm_flags.
    fn madvise_pages(&mut self, pid: Pid, vma: &Vma, start: u64, end: u64, advice: Advice) -> Result<(), Errno> {
        let locked = vma.flags.contains(VmFlags::LOCKED);
        match advice {
            Advice::DONTNEED | Advice::DONTNEED_LOCKED => {
                if locked && advice == Advice::DONTNEED {
                    return Err(Errno::EINVAL);
                }
                let mm = &mut self.procs.get_mut(&pid).ok_or(Errno::ESRCH)?.mm;
                self.k.zap_range(mm, start, end, None, locked);
                self.account_munlocks();
                Ok(())
            }
            Advice::FREE => {
                if locked || !vma.is_anonymous() {
                    return Err(Errno::EINVAL);
                }
                self.madvise_free(pid, start, end);
                Ok(())
            }
            Advice::REMOVE => {
                if locked {
                    return Err(Errno::EINVAL);
                }
                let Some(file) = vma.file else { return Err(Errno::EINVAL) };
                if !vma.flags.contains(VmFlags::SHARED | VmFlags::MAYWRITE) {
                    return Err(Errno::EACCES);
                }
                let offset = (start - vma.start) + (vma.pgoff << PAGE_SHIFT);
                self.punch_hole(file, offset, end - start);
                Ok(())
            }
            Advice::COLD | Advice::PAGEOUT => {
                if locked {
                    return Err(Errno::EINVAL);
                }
                self.madvise_cold_or_pageout(pid, start, end, advice == Advice::PAGEOUT);
                Ok(())
            }
            Advice::WILLNEED => {
                if vma.anon_vma.is_some() {
                    self.madvise_willneed_swapin(pid, start, end);
                }
                if let Some(file) = vma.file
                    && !self.k.inode(file).is_shmem()
                {
                    // vfs_fadvise(POSIX_FADV_WILLNEED): force_page_cache_readahead, whose
                    // result madvise ignores.
                    let first = vma.pgoff_at(start);
                    self.k.force_page_cache_ra(file, first, (end - start) / PAGE_SIZE);
                }
                Ok(())
            }
            Advice::COLLAPSE => self.madvise_collapse(pid, vma, start, end),
            _ => Err(Errno::EINVAL),
        }
    }

    /// `madvise_free_pte_range`: anon pages lose their young and dirty PTE bits and become lazily
    /// freeable (`folio_mark_lazyfree`), shared ones too unless dirty or in the swap cache;
    /// swapped ones are freed outright.
    fn madvise_free(&mut self, pid: Pid, start: u64, end: u64) {
        self.split_partial_thps(pid, start, end);
        let mm = &mut self.procs.get_mut(&pid).expect("pid").mm;
        for (addr, pte) in mm.pt.range(start, end) {
            if pte.is_swap() {
                self.k.set_pte(mm, addr, Pte::NONE);
                mm.rss[RssKind::SwapEnts as usize] -= 1;
                self.k.free_swap_and_cache(pte.swap_offset());
                continue;
            }
            if !pte.is_present() || pte.pfn() == ZERO_PFN {
                continue;
            }
            let pfn = pte.pfn();
            let f = *self.k.frames.frame(pfn);
            if !f.is_anon() {
                continue;
            }
            if f.flags.intersects(PageFlags::SWAPCACHE | PageFlags::DIRTY) {
                // Only an exclusive folio may lose its dirty flag (others rely on the data); a
                // clean one is made lazyfree even when shared, its PTE here cleaned.
                if f.mapcount != 1 || (f.flags.contains(PageFlags::SWAPCACHE) && !self.k.folio_free_swap(pfn)) {
                    continue;
                }
                self.k.frames.frame_mut(pfn).flags -= PageFlags::DIRTY;
            }
            mm.pt.set(addr, pte.with_dirty(false).with_young(false));
            let f = *self.k.frames.frame(pfn);
            // folio_mark_lazyfree
            if f.flags.contains(PageFlags::SWAPBACKED)
                && !f.flags.intersects(PageFlags::SWAPCACHE | PageFlags::UNEVICTABLE)
            {
                self.k.relist(pfn, |f| {
                    *f -= PageFlags::SWAPBACKED | PageFlags::DIRTY | PageFlags::REFERENCED | PageFlags::ACTIVE
                });
                self.k.stats.count(Event::PgLazyFree, 1);
            }
        }
    }

    /// `madvise_cold_or_pageout_pte_range`: pages mapped only here lose PG_referenced (COLD also
    /// their young bit) and leave the active list; PAGEOUT then reclaims them (`reclaim_pages`).
    fn madvise_cold_or_pageout(&mut self, pid: Pid, start: u64, end: u64, pageout: bool) {
        self.split_partial_thps(pid, start, end);
        let mm = &mut self.procs.get_mut(&pid).expect("pid").mm;
        let mut isolated = Vec::new();
        for (addr, pte) in mm.pt.range(start, end) {
            if !pte.is_present() || pte.pfn() == ZERO_PFN {
                continue;
            }
            let pfn = pte.pfn();
            let f = *self.k.frames.frame(pfn);
            if f.mapcount > 1 {
                continue;
            }
            if !pageout {
                // Only MADV_COLD clears the young bit; PAGEOUT leaves it to try_to_unmap.
                mm.pt.set(addr, pte.with_young(false));
            }
            // folio_deactivate moves (and counts) only active pages.
            let was_active = f.flags.contains(PageFlags::ACTIVE) && !f.flags.contains(PageFlags::UNEVICTABLE);
            self.k.relist(pfn, |f| *f -= PageFlags::ACTIVE | PageFlags::REFERENCED);
            if !pageout {
                if was_active {
                    self.k.stats.count(Event::PgDeactivate, 1);
                }
            } else if !f.flags.contains(PageFlags::UNEVICTABLE) {
                isolated.push(pfn);
            } else if !f.is_compound() {
                // reclaim_pages finds it unevictable and puts it back.
                self.k.putback_unevictable(pfn);
            }
        }
        // A page a reclaim or migration task holds is isolated already (folio_isolate_lru fails).
        for pfn in isolated {
            if self.tasks.page_pins(pfn) == 0 {
                self.shrink_folio(pfn, Reclaimer::Pageout);
            }
        }
    }

    /// `madvise_willneed` on anon memory (`swapin_walk_pmd_entry`): swapped pages are read
    /// into the swap cache, so the faults that follow are minor.
    fn madvise_willneed_swapin(&mut self, pid: Pid, start: u64, end: u64) {
        let mm = &self.procs[&pid].mm;
        let slots: Vec<Slot> =
            mm.pt.range(start, end).into_iter().filter(|(_, p)| p.is_swap()).map(|(_, p)| p.swap_offset()).collect();
        for slot in slots {
            if self.k.swap.slot(slot).is_some_and(|s| s.cache.is_none()) && self.k.read_swap_cache_async(slot).is_none()
            {
                break;
            }
        }
    }

    /// `madvise_populate`: faults every page in as a read or a write (GUP).
    fn madvise_populate(&mut self, pid: Pid, start: u64, end: u64, write: bool) -> OpResult {
        let mut addr = start;
        while addr < end {
            let mm = &self.proc(pid)?.mm;
            let vma = mm.vma_at(addr).cloned().ok_or(Errno::ENOMEM)?;
            let allowed = if write { vma.flags.contains(VmFlags::WRITE) } else { vma.flags.contains(VmFlags::READ) };
            if !allowed {
                return Err(Errno::EINVAL);
            }
            let hi = vma.end.min(end);
            self.gup_range(pid, addr, hi, write)?;
            addr = hi;
        }
        Ok(Outcome::Done)
    }
}
