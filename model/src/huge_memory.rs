//! Transparent huge pages (mm/huge_memory.c `thp_vma_allowable_order`,
//! `do_huge_pmd_anonymous_page`, `set_huge_zero_folio`, `do_huge_pmd_wp_page`,
//! `do_huge_zero_wp_pmd`, `map_anon_folio_pmd`, `copy_huge_pmd`, `zap_huge_pmd`,
//! `__split_huge_pmd`, `deferred_split_folio`, `__folio_split`, `free_folio`).
//!
//! A THP is 512 naturally aligned frames marked HEAD/TAIL; each keeps its own value, per-page
//! mapcount (a PMD mapping counts on every page, as `folio_precise_page_mapcount` reports) and the
//! folio's flags, so per-page paths see exact values. The head's `entire_mapcount` counts PMD
//! mappings. A PMD mapping is the deposited page table with all 512 entries filled and marked
//! [`PmdMap::Anon`] (see `mm_types.rs`). A compound page whose last reference goes stays
//! allocated until the whole folio is unreferenced or split.

use crate::config::ThpMode;
use crate::machine::{Kernel, Machine};
use crate::memory::FaultError;
use crate::mm_types::{Mm, PMD_SIZE, PmdMap, Pte, RssKind, VmFlags, Vma};
use crate::ops::{PAGE_SIZE, Pid};
use crate::page_alloc::{HPAGE_PMD_NR, PageFlags, Pfn, ZERO_PFN, thp_head};
use crate::vmstat::{Event, NodeStat};

/// `thp_vma_allowable_order` for PMD-sized anonymous folios (the sysfs mode, VM_HUGEPAGE,
/// VM_NOHUGEPAGE), with the smaps check that some aligned 2 MiB range fits in the VMA.
pub fn thp_vma_allowable(mode: ThpMode, v: &Vma) -> bool {
    let wanted = match mode {
        ThpMode::Never => false,
        ThpMode::Madvise => v.flags.contains(VmFlags::HUGEPAGE),
        ThpMode::Always => true,
    };
    let haddr = (v.end - PMD_SIZE.min(v.end)) & !(PMD_SIZE - 1);
    v.file.is_none() && !v.is_shared() && wanted && !v.flags.contains(VmFlags::NOHUGEPAGE) && thp_suitable(v, haddr)
}

/// The MMU sets the accessed (and on a store the dirty) bit of a huge PMD as a whole
/// (`touch_pmd`): every entry standing for it gets it.
pub fn touch_huge_pmd(mm: &mut Mm, addr: u64, write: bool) {
    if mm.pt.pmd_at(addr) == PmdMap::Table {
        return;
    }
    let haddr = addr & !(PMD_SIZE - 1);
    for a in (haddr..haddr + PMD_SIZE).step_by(PAGE_SIZE as usize) {
        let pte = mm.pt.get(a).with_young(true);
        mm.pt.set(a, if write { pte.with_dirty(true) } else { pte });
    }
}

/// `thp_vma_suitable_order`: the aligned range at `haddr` lies wholly inside the VMA.
fn thp_suitable(v: &Vma, haddr: u64) -> bool {
    haddr >= v.start && haddr.checked_add(PMD_SIZE).is_some_and(|e| e <= v.end)
}

impl Kernel {
    /// `create_huge_pmd` on an empty PMD: maps a THP (write) or the huge zero page (read).
    /// Returns `Ok(false)` when the fault falls back to small pages.
    pub(crate) fn do_huge_pmd_anonymous_page(
        &mut self,
        mm: &mut Mm,
        vma: &Vma,
        addr: u64,
        write: bool,
    ) -> Result<bool, FaultError> {
        let haddr = addr & !(PMD_SIZE - 1);
        if mm.pt.has_table(addr) || !thp_vma_allowable(self.thp, vma) || !thp_suitable(vma, haddr) {
            return Ok(false);
        }
        // The page table to deposit under the PMD comes first (`pte_alloc_one`); on fallback
        // the PTE fault uses it.
        if self.frames.table_room() == 0 {
            return Err(FaultError::Oom);
        }
        mm.pt.ensure_table(haddr);
        self.frames.account_tables(1, &mut self.stats);
        if !write {
            // Deliberate difference: Linux runs vmf_anon_prepare before mapping the huge zero
            // page, so a VMA read-faulted under THP gets an anon_vma that a 4 kB zero-page read
            // does not give, and after fork can refuse merges it would accept with THP off. The
            // model keeps VMA merging independent of the THP mode (the differential fuzz target
            // holds it to that) and prepares the anon_vma at the first write.
            self.set_huge_zero_pmd(mm, haddr);
            return Ok(true);
        }
        let vma = self.anon_vma_prepare(mm, vma.start);
        let Some(head) = self.fault_alloc_anon_thp(&vma, haddr) else { return Ok(false) };
        self.map_anon_thp(mm, haddr, head);
        self.stats.count(Event::ThpFaultAlloc, 1);
        Ok(true)
    }

    /// `set_huge_zero_folio` (with `mm_get_huge_zero_folio`, which allocates the folio once).
    fn set_huge_zero_pmd(&mut self, mm: &mut Mm, haddr: u64) {
        if !self.huge_zero_allocated {
            self.huge_zero_allocated = true;
            self.stats.count(Event::ThpZeroPageAlloc, 1);
        }
        for i in 0..HPAGE_PMD_NR {
            self.set_pte(mm, haddr + i * PAGE_SIZE, Pte::present(ZERO_PFN, false, false));
        }
        mm.pt.set_pmd(haddr, PmdMap::HugeZero);
    }

    /// `vma_alloc_anon_folio_pmd` for a fault: None (thp_fault_fallback) without 512 contiguous
    /// free frames.
    fn fault_alloc_anon_thp(&mut self, vma: &Vma, haddr: u64) -> Option<Pfn> {
        let head = self.alloc_anon_thp(vma, haddr);
        if head.is_none() {
            self.stats.count(Event::ThpFaultFallback, 1);
        }
        head
    }

    /// A new exclusive anon THP for `haddr`, on the LRU (mlocked in a VM_LOCKED VMA) but not
    /// yet mapped; None without 512 contiguous free frames.
    fn alloc_anon_thp(&mut self, vma: &Vma, haddr: u64) -> Option<Pfn> {
        let head = self.frames.alloc_huge(0, &mut self.stats)?;
        self.prepare_anon_thp(head, vma, haddr);
        Some(head)
    }

    /// `folio_add_new_anon_rmap` + `folio_add_lru_vma` for the order-9 block at `head`: an
    /// exclusive anon THP for `haddr`, on the LRU (mlocked in a VM_LOCKED VMA), not yet mapped.
    pub(crate) fn prepare_anon_thp(&mut self, head: Pfn, vma: &Vma, haddr: u64) {
        let owner = vma.anon_vma.expect("anon_vma prepared");
        for i in 0..HPAGE_PMD_NR {
            let pfn = head + i;
            let f = self.frames.frame_mut(pfn);
            f.index = vma.pgoff_at(haddr) + i;
            f.owner = owner;
            f.flags |= PageFlags::ANON | PageFlags::SWAPBACKED | PageFlags::ANON_EXCLUSIVE;
            f.flags |= if i == 0 { PageFlags::HEAD } else { PageFlags::TAIL };
            f.refcount = 0;
            self.rmap_add(pfn, false);
            if vma.flags.contains(VmFlags::LOCKED) {
                self.mlock_new_folio(pfn);
            } else {
                self.lru_add(pfn);
            }
        }
    }

    /// `map_anon_folio_pmd`: the PMD maps the new THP, dirty, and writable in a VM_WRITE VMA.
    pub(crate) fn map_anon_thp(&mut self, mm: &mut Mm, haddr: u64, head: Pfn) {
        // maybe_pmd_mkwrite: writable only in a VM_WRITE VMA (a collapse may be in another).
        let writable = mm.vma_at(haddr).is_some_and(|v| v.flags.contains(VmFlags::WRITE));
        for i in 0..HPAGE_PMD_NR {
            self.set_pte(mm, haddr + i * PAGE_SIZE, Pte::present(head + i, writable, true));
        }
        self.pmd_mapped(mm, haddr, PmdMap::Anon, head);
        mm.rss[RssKind::Anon as usize] += HPAGE_PMD_NR as i64;
    }

    /// Marks the full table at `haddr` as a PMD mapping of the THP at `head`
    /// (`folio_add_anon_rmap_pmd`: NR_ANON_THPS on the first one).
    fn pmd_mapped(&mut self, mm: &mut Mm, haddr: u64, pmd: PmdMap, head: Pfn) {
        mm.pt.set_pmd(haddr, pmd);
        if pmd != PmdMap::Anon {
            return;
        }
        let f = self.frames.frame_mut(head);
        f.entire_mapcount += 1;
        if f.entire_mapcount == 1 {
            let nid = f.nid as u32;
            self.stats.mod_node(nid, NodeStat::AnonThps, 1);
        }
    }

    /// The PMD at `haddr` stops being one huge mapping; its 512 entries stay as PTEs
    /// (`folio_remove_rmap_pmd` for the entire mapping).
    fn pmd_unmapped(&mut self, mm: &mut Mm, haddr: u64) {
        let pmd = mm.pt.pmd_at(haddr);
        mm.pt.set_pmd(haddr, PmdMap::Table);
        if pmd == PmdMap::Anon {
            let head = mm.pt.get(haddr).pfn();
            self.entire_unmapped(head);
        }
    }

    fn entire_unmapped(&mut self, head: Pfn) {
        let f = self.frames.frame_mut(head);
        f.entire_mapcount -= 1;
        if f.entire_mapcount == 0 {
            let nid = f.nid as u32;
            self.stats.mod_node(nid, NodeStat::AnonThps, -1);
        }
    }

    /// Called before a PTE under a huge PMD changes: a change of page (or an unmap) ends the
    /// huge mapping, as zapping a whole PMD does (`zap_huge_pmd`).
    #[inline]
    pub(crate) fn before_pte_change(&mut self, mm: &mut Mm, addr: u64, new: Pte) {
        if mm.pt.pmd_at(addr) == PmdMap::Table {
            return;
        }
        let old = mm.pt.get(addr);
        if !new.is_present() || new.pfn() != old.pfn() {
            self.pmd_unmapped(mm, addr & !(PMD_SIZE - 1));
        }
    }

    /// `__split_huge_pmd` at `addr`: the huge PMD becomes a table of PTEs (thp_split_pmd); a
    /// dirty PMD dirties the folio.
    pub(crate) fn split_huge_pmd(&mut self, mm: &mut Mm, addr: u64) {
        let haddr = addr & !(PMD_SIZE - 1);
        let pmd = mm.pt.pmd_at(haddr);
        if pmd == PmdMap::Table {
            return;
        }
        let head = mm.pt.get(haddr).pfn();
        mm.pt.set_pmd(haddr, PmdMap::Table);
        self.account_pmd_split(pmd, head);
    }

    fn account_pmd_split(&mut self, pmd: PmdMap, head: Pfn) {
        self.stats.count(Event::ThpSplitPmd, 1);
        if pmd != PmdMap::Anon {
            return;
        }
        for pfn in head..head + HPAGE_PMD_NR {
            self.frames.frame_mut(pfn).flags |= PageFlags::DIRTY;
        }
        self.entire_unmapped(head);
    }

    /// Accounts the PMD splits VMA splits made in `mm` (`vma_adjust_trans_huge`).
    pub(crate) fn finish_pmd_splits(&mut self, mm: &mut Mm) {
        for (_, pmd, head) in std::mem::take(&mut mm.pmd_splits) {
            self.account_pmd_split(pmd, head);
        }
    }

    /// `zap_pmd_range`'s split of the huge PMDs that `[start, end)` covers only in part.
    pub(crate) fn split_huge_pmd_edges(&mut self, mm: &mut Mm, start: u64, end: u64) {
        for (haddr, _) in mm.pt.huge_pmds(start, end) {
            if haddr < start || haddr + PMD_SIZE > end {
                self.split_huge_pmd(mm, haddr);
            }
        }
    }

    /// Splits every huge PMD in `[start, end)` (for paths that move or replace single PTEs).
    pub(crate) fn split_huge_pmds(&mut self, mm: &mut Mm, start: u64, end: u64) {
        for (haddr, _) in mm.pt.huge_pmds(start, end) {
            self.split_huge_pmd(mm, haddr);
        }
    }

    /// `do_huge_pmd_wp_page`: a write to a read-only huge PMD. The huge zero page is replaced by
    /// a new THP (6.18 `do_huge_zero_wp_pmd`); an exclusive THP is reused. Otherwise the PMD is
    /// split and the fault falls back to the PTE (`Ok(false)`).
    pub(crate) fn do_huge_pmd_wp_page(&mut self, mm: &mut Mm, vma: &Vma, addr: u64) -> Result<bool, FaultError> {
        let haddr = addr & !(PMD_SIZE - 1);
        match mm.pt.pmd_at(haddr) {
            PmdMap::Table => Ok(false),
            PmdMap::HugeZero => {
                let vma = self.anon_vma_prepare(mm, vma.start);
                match self.fault_alloc_anon_thp(&vma, haddr) {
                    Some(head) => {
                        mm.pt.set_pmd(haddr, PmdMap::Table);
                        self.map_anon_thp(mm, haddr, head);
                        self.stats.count(Event::ThpFaultAlloc, 1);
                        Ok(true)
                    }
                    None => {
                        self.split_huge_pmd(mm, haddr);
                        Ok(false)
                    }
                }
            }
            PmdMap::Anon => {
                let head = mm.pt.get(haddr).pfn();
                let exclusive = self.frames.frame(head).flags.contains(PageFlags::ANON_EXCLUSIVE);
                if !exclusive && !self.folio_ref_count_one(head) {
                    self.split_huge_pmd(mm, haddr);
                    return Ok(false);
                }
                for i in 0..HPAGE_PMD_NR {
                    let a = haddr + i * PAGE_SIZE;
                    self.frames.frame_mut(head + i).flags |= PageFlags::ANON_EXCLUSIVE;
                    let pte = mm.pt.get(a);
                    mm.pt.set(a, pte.with_write(true).with_dirty(true).with_young(true));
                }
                Ok(true)
            }
        }
    }

    /// `folio_ref_count(folio) == 1` for a THP: one PMD mapping and nothing else.
    fn folio_ref_count_one(&self, head: Pfn) -> bool {
        self.frames.frame(head).entire_mapcount == 1
            && (head..head + HPAGE_PMD_NR).all(|p| {
                let f = self.frames.frame(p);
                f.refcount == 1 && !f.flags.contains(PageFlags::SWAPCACHE)
            })
    }

    /// `copy_huge_pmd`: the child maps the parent's huge PMDs in `[start, end)` the same way
    /// (the entries themselves were copied as PTEs).
    pub(crate) fn copy_huge_pmds(&mut self, parent: &Mm, child: &mut Mm, start: u64, end: u64) {
        for (haddr, pmd) in parent.pt.huge_pmds(start, end) {
            if child.pt.has_table(haddr) {
                let head = parent.pt.get(haddr).pfn();
                self.pmd_mapped(child, haddr, pmd, head);
            }
        }
    }

    /// A compound page lost its last reference: the folio goes once all its pages have.
    pub(crate) fn put_compound_page(&mut self, pfn: Pfn) {
        let head = thp_head(pfn);
        let unreferenced = |p: Pfn| self.frames.frame(p).refcount == 0;
        // Scan from the page after `pfn`: a zap in address order finds a referenced one at once.
        let busy = (pfn + 1..head + HPAGE_PMD_NR).chain(head..pfn).any(|p| !unreferenced(p));
        if !busy {
            self.free_thp(head);
        }
    }

    /// `free_folio` of a THP: every page goes back to the allocator.
    fn free_thp(&mut self, head: Pfn) {
        self.deferred_split.remove(&head);
        for pfn in head..head + HPAGE_PMD_NR {
            self.frames.frame_mut(pfn).flags -= PageFlags::HEAD | PageFlags::TAIL;
            self.free_unreferenced(pfn);
        }
    }

    /// `deferred_split_folio` for the THPs a zap of `[start, end)` left partly mapped: the
    /// ones in the page tables at both ends of the range.
    pub(crate) fn deferred_split_after_zap(&mut self, mm: &Mm, start: u64, end: u64) {
        if start >= end {
            return;
        }
        let mut heads = std::collections::BTreeSet::new();
        for key in [start / PMD_SIZE, (end - 1) / PMD_SIZE] {
            for (_, pte) in mm.pt.range(key * PMD_SIZE, (key + 1) * PMD_SIZE) {
                if pte.is_present() && self.frames.get(pte.pfn()).is_some_and(|f| f.is_compound()) {
                    heads.insert(thp_head(pte.pfn()));
                }
            }
        }
        for head in heads {
            if !self.deferred_split.contains(&head) && self.partially_mapped(head) {
                self.deferred_split.insert(head);
                self.stats.count(Event::ThpDeferredSplitPage, 1);
            }
        }
    }

    /// `deferred_split_folio` for a THP that lost some of its PTE mappings (a collapse took
    /// them), if it is still mapped in part.
    pub(crate) fn deferred_split_partial(&mut self, head: Pfn) {
        let live = self.frames.get(head).is_some_and(|f| f.is_compound());
        if live && !self.deferred_split.contains(&head) && self.partially_mapped(head) {
            self.deferred_split.insert(head);
            self.stats.count(Event::ThpDeferredSplitPage, 1);
        }
    }

    /// Some but not all pages of the THP are mapped.
    fn partially_mapped(&self, head: Pfn) -> bool {
        let mapped = (head..head + HPAGE_PMD_NR).filter(|&p| self.frames.frame(p).mapcount > 0).count() as u64;
        mapped > 0 && mapped < HPAGE_PMD_NR
    }
}

impl Machine {
    /// `split_folio`: the THP holding `pfn` becomes 512 small pages (thp_split_page). Its PMD
    /// mappings are split first; pages nobody references any more are freed.
    pub(crate) fn split_folio(&mut self, pfn: Pfn) {
        let head = thp_head(pfn);
        if !self.k.frames.frame(head).is_compound() {
            return;
        }
        for m in self.rmap_walk(head) {
            let mm = &mut self.procs.get_mut(&m.pid).expect("mapped pid").mm;
            if mm.pt.pmd_at(m.addr) == PmdMap::Anon {
                self.k.split_huge_pmd(mm, m.addr);
            }
        }
        self.k.deferred_split.remove(&head);
        self.k.stats.count(Event::ThpSplitPage, 1);
        for p in head..head + HPAGE_PMD_NR {
            let f = self.k.frames.frame_mut(p);
            f.flags -= PageFlags::HEAD | PageFlags::TAIL;
            let f = *f;
            if f.refcount == 0 {
                self.k.free_unreferenced(p);
                continue;
            }
            // remap_page: a small page mapped again in a VM_LOCKED VMA is mlocked
            // (folio_add_anon_rmap_pte -> mlock_vma_folio). An mlocked one starts from a fresh
            // count (lru_add_split_folio), so each VM_LOCKED mapping counts once again.
            let locked = self.rmap_walk(p).iter().filter(|m| m.locked).count() as u32;
            if !f.flags.contains(PageFlags::MLOCKED) {
                for _ in 0..locked {
                    self.k.mlock_folio(p);
                }
            } else if locked > 0 {
                self.k.frames.frame_mut(p).mlock_count = locked;
            } else {
                self.k.frames.frame_mut(p).mlock_count = 1;
                self.k.munlock_folio(p);
            }
        }
    }

    /// `madvise_free_huge_pmd` and `madvise_cold_or_pageout_pte_range` on a huge PMD that the
    /// range covers only in part: the THP is split so that the advice reaches only those pages.
    pub(crate) fn split_partial_thps(&mut self, pid: Pid, start: u64, end: u64) {
        let Some(p) = self.procs.get(&pid) else { return };
        let heads: Vec<Pfn> =
            p.mm.pt
                .huge_pmds(start, end)
                .into_iter()
                .filter(|&(haddr, pmd)| pmd == PmdMap::Anon && (haddr < start || haddr + PMD_SIZE > end))
                .map(|(haddr, _)| p.mm.pt.get(haddr).pfn())
                .collect();
        for head in heads {
            self.split_folio(head);
        }
    }

    /// What reclaim does with a page of a THP before `shrink_folio` (mm/vmscan.c
    /// `shrink_folio_list`): a page mapped in a VM_LOCKED VMA is culled with its folio, not
    /// split (seed 1, "mm/munlock: shrink_page_list() avoid splitting VM_LOCKED THP"); a
    /// partially mapped THP is split; any other anon THP is split to be swapped out as small
    /// pages (thp_swpout_fallback: the live kernel's rotational swap device takes no THP).
    /// Returns whether reclaim goes on with the page (false for a page already freed).
    pub(crate) fn thp_reclaim_prepare(&mut self, pfn: Pfn) -> bool {
        let Some(f) = self.k.frames.get(pfn).copied() else { return false };
        // A page the split of its THP freed or mlocked is no longer on the list being scanned.
        if f.is_free() || f.flags.contains(PageFlags::UNEVICTABLE) {
            return false;
        }
        if !f.is_compound() {
            return true;
        }
        if self.rmap_walk(pfn).iter().any(|m| m.locked) {
            return true;
        }
        let partial = self.k.deferred_split.contains(&thp_head(pfn));
        self.split_folio(pfn);
        if !partial && f.flags.contains(PageFlags::SWAPBACKED) {
            self.k.stats.count(Event::ThpSwpoutFallback, 1);
        }
        !self.k.frames.frame(pfn).is_free()
    }
}
