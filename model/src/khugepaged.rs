//! Collapsing small pages into a THP (mm/khugepaged.c `madvise_collapse`,
//! `hpage_collapse_scan_pmd`, `collapse_huge_page`, `__collapse_huge_page_swapin`,
//! `__collapse_huge_page_isolate`, `__collapse_huge_page_copy_succeeded`,
//! `madvise_collapse_errno`).
//!
//! khugepaged (`khugepaged_do_scan`, `khugepaged_scan_mm_slot`) scans the THP-eligible VMAs of
//! every mm and collapses the ranges that stay within the machine's `max_ptes_none`,
//! `max_ptes_swap` and `max_ptes_shared` (each limit tripped counts
//! thp_scan_exceed_{none,swap,share}_pte) and that have young pages (at least half of them when
//! swap entries are to be read back).
//!
//! MADV_COLLAPSE ignores the THP mode and khugepaged's `max_ptes_*` limits: every aligned 2 MiB
//! range with a page table in an eligible VMA (one with an anon_vma) is collapsed into a new
//! PMD-mapped THP (swapped pages are read back first; none and zero-page entries become
//! zero-filled pages). Read-only PTEs do not stop a collapse since 6.18 (Dev Jain, "mm:
//! khugepaged: remove the writable check"; SCAN_PAGE_RO is never returned).

use crate::config::ThpMode;
use crate::errno::Errno;
use crate::huge_memory::thp_vma_allowable;
use crate::machine::Machine;
use crate::memory::{FaultError, FaultKind};
use crate::mm_types::{Mm, PMD_SIZE, PmdMap, Pte, RssKind, VmFlags, Vma};
use crate::ops::{PAGE_SIZE, Pid};
use crate::page_alloc::{HPAGE_PMD_NR, PageFlags, Pfn, ZERO_PFN};
use crate::vmstat::Event;

/// `enum scan_result`: the outcome of one range, as far as the model tells them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scan {
    Succeed,
    /// Already a huge PMD (an anon THP or the huge zero page): counts as collapsed.
    PmdMapped,
    /// No page table under the PMD (SCAN_PMD_NONE).
    PmdNone,
    /// The range left the VMA, or the VMA is not eligible any more (SCAN_VMA_CHECK).
    VmaCheck,
    ExceedNone,
    ExceedSwap,
    ExceedShared,
    /// A swap entry was still there when the pages were isolated (SCAN_PTE_NON_PRESENT).
    PteNonPresent,
    /// khugepaged only: no young page, or fewer than half young with swap entries.
    LackReferenced,
    /// A page that is not anonymous (SCAN_PAGE_ANON).
    PageAnon,
    /// A page with references beyond its mappings and the swap cache (SCAN_PAGE_COUNT).
    PageCount,
    /// No huge page (SCAN_ALLOC_HUGE_PAGE_FAIL).
    AllocFail,
    /// Swap-in failed (do_swap_page returned VM_FAULT_ERROR: SCAN_FAIL).
    Fail,
}

impl Scan {
    /// `madvise_collapse`: results after which the next range is still tried.
    fn keeps_going(self) -> bool {
        matches!(self, Scan::PteNonPresent | Scan::LackReferenced | Scan::PageCount)
    }

    /// `madvise_collapse_errno`.
    fn errno(self) -> Errno {
        match self {
            Scan::AllocFail => Errno::ENOMEM,
            Scan::ExceedNone => Errno::EBUSY,
            Scan::PageCount => Errno::EAGAIN,
            _ => Errno::EINVAL,
        }
    }
}

/// khugepaged's sysfs limits (`/sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_*`);
/// MADV_COLLAPSE runs without them (`cc->is_khugepaged == false`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Limits {
    max_ptes_none: u32,
    max_ptes_swap: u32,
    max_ptes_shared: u32,
}

/// `thp_vma_allowable_order(.., TVA_FORCED_COLLAPSE, PMD_ORDER)`: anonymous private, not
/// VM_NOHUGEPAGE, with an aligned 2 MiB range inside, and with an anon_vma (outside a fault
/// and smaps, a VMA that never had an anon page is not eligible: one that only mapped the zero
/// page gives EINVAL before anything is allocated); the sysfs mode does not matter.
///
/// Linux prepares the anon_vma before it maps the huge zero page; the model deliberately does
/// not (see `do_huge_pmd_anonymous_page`), so a VMA mapping the huge zero page counts as having
/// one here. Left over: a VMA whose huge zero PMDs are all gone again (split into zero-page
/// PTEs or zapped) and that never had an anon page is eligible in Linux and not in the model.
fn collapse_allowed(mm: &Mm, v: &Vma) -> bool {
    let haddr = (v.end - PMD_SIZE.min(v.end)) & !(PMD_SIZE - 1);
    let anon_vma = v.anon_vma.is_some() || mm.pt.huge_pmds(v.start, v.end).iter().any(|&(_, p)| p == PmdMap::HugeZero);
    v.file.is_none() && !v.is_shared() && !v.flags.contains(VmFlags::NOHUGEPAGE) && haddr >= v.start && anon_vma
}

impl Machine {
    /// One full khugepaged pass over every process, in pid order (the model's stand-in for the
    /// order the mms registered in: which mm comes first matters only when huge pages run
    /// short). An mm counts as registered when it has a VMA khugepaged may collapse in, which
    /// is when Linux registers it (mmap, MADV_HUGEPAGE, a THP fault, fork). Returns the number
    /// of ranges collapsed (`khugepaged_pages_collapsed`). After a second failed huge page
    /// allocation the pass ends, as `khugepaged_do_scan` ends it.
    pub(crate) fn khugepaged_scan(&mut self) -> u64 {
        // hugepage_pmd_enabled: with THP "never" khugepaged does not run.
        if self.k.thp == ThpMode::Never {
            return 0;
        }
        let limits = Limits {
            max_ptes_none: self.config.max_ptes_none,
            max_ptes_swap: self.config.max_ptes_swap,
            max_ptes_shared: self.config.max_ptes_shared,
        };
        let (mut collapsed, mut alloc_failures) = (0, 0);
        for pid in self.pids() {
            let mut addr = 0;
            // for_each_vma from the scan address; a collapse leaves the VMAs as they are.
            while let Some(vma) =
                self.proc(pid).ok().and_then(|p| p.mm.vmas.range(addr..).next().map(|(_, v)| v.clone()))
            {
                addr = vma.end;
                let mm = &self.proc(pid).expect("pid").mm;
                if !thp_vma_allowable(self.k.thp, &vma) || !collapse_allowed(mm, &vma) {
                    continue;
                }
                let hend = vma.end & !(PMD_SIZE - 1);
                let mut haddr = vma.start.next_multiple_of(PMD_SIZE);
                while haddr < hend {
                    if let Some(promoted) = self.khugepaged_promote(pid, haddr) {
                        collapsed += promoted as u64;
                        haddr += PMD_SIZE;
                        continue;
                    }
                    match self.hpage_collapse_scan_pmd(pid, haddr, Some(limits)) {
                        Scan::Succeed => collapsed += 1,
                        Scan::AllocFail => {
                            alloc_failures += 1;
                            if alloc_failures == 2 {
                                return collapsed;
                            }
                        }
                        _ => {}
                    }
                    haddr += PMD_SIZE;
                }
            }
        }
        collapsed
    }

    /// `madvise_collapse` over `[start, end)` of one VMA.
    pub(crate) fn madvise_collapse(&mut self, pid: Pid, vma: &Vma, start: u64, end: u64) -> Result<(), Errno> {
        if !collapse_allowed(&self.proc(pid)?.mm, vma) {
            return Err(Errno::EINVAL);
        }
        let hstart = start.next_multiple_of(PMD_SIZE);
        let hend = end & !(PMD_SIZE - 1);
        let (mut thps, mut last_fail) = (0, Scan::Fail);
        let mut haddr = hstart;
        while haddr < hend {
            match self.hpage_collapse_scan_pmd(pid, haddr, None) {
                Scan::Succeed | Scan::PmdMapped => thps += 1,
                r => {
                    last_fail = r;
                    if !r.keeps_going() {
                        break;
                    }
                }
            }
            haddr += PMD_SIZE;
        }
        if thps == (hend.saturating_sub(hstart)) / PMD_SIZE { Ok(()) } else { Err(last_fail.errno()) }
    }

    /// `hpage_collapse_scan_pmd`: whether the range at `haddr` may be collapsed (with
    /// khugepaged's `limits`, or none for MADV_COLLAPSE), then `collapse_huge_page`.
    fn hpage_collapse_scan_pmd(&mut self, pid: Pid, haddr: u64, limits: Option<Limits>) -> Scan {
        let Ok(p) = self.proc(pid) else { return Scan::VmaCheck };
        let mm = &p.mm;
        if mm.vma_at(haddr).is_none_or(|v| v.end < haddr + PMD_SIZE) {
            return Scan::VmaCheck;
        }
        // find_pmd_or_thp_or_none
        if mm.pt.pmd_at(haddr) != PmdMap::Table {
            return Scan::PmdMapped;
        }
        if !mm.pt.has_table(haddr) {
            return Scan::PmdNone;
        }
        let (mut none_or_zero, mut unmapped, mut shared, mut referenced) = (0, 0, 0, 0);
        for i in 0..HPAGE_PMD_NR {
            let pte = mm.pt.get(haddr + i * PAGE_SIZE);
            if pte.is_swap() {
                unmapped += 1;
                if limits.is_some_and(|l| unmapped > l.max_ptes_swap) {
                    self.k.stats.count(Event::ThpScanExceedSwapPte, 1);
                    return Scan::ExceedSwap;
                }
                continue;
            }
            if pte.is_none() || pte.pfn() == ZERO_PFN {
                none_or_zero += 1;
                if limits.is_some_and(|l| none_or_zero > l.max_ptes_none) {
                    self.k.stats.count(Event::ThpScanExceedNonePte, 1);
                    return Scan::ExceedNone;
                }
                continue;
            }
            let pfn = pte.pfn();
            let f = self.k.frames.frame(pfn);
            if !f.is_anon() {
                return Scan::PageAnon;
            }
            if self.folio_maybe_mapped_shared(pfn) {
                shared += 1;
                if limits.is_some_and(|l| shared > l.max_ptes_shared) {
                    self.k.stats.count(Event::ThpScanExceedSharePte, 1);
                    return Scan::ExceedShared;
                }
            }
            if !self.refcount_suitable(pfn) {
                return Scan::PageCount;
            }
            if pte.young() || f.flags.contains(PageFlags::REFERENCED) {
                referenced += 1;
            }
        }
        if limits.is_some() && (referenced == 0 || (unmapped > 0 && referenced < HPAGE_PMD_NR / 2)) {
            Scan::LackReferenced
        } else {
            self.collapse_huge_page(pid, haddr, unmapped > 0, limits)
        }
    }

    /// `folio_maybe_mapped_shared`: a small page mapped more than once, or a THP with a page
    /// mapped more than once or more than one PMD mapping.
    fn folio_maybe_mapped_shared(&self, pfn: Pfn) -> bool {
        let frames = &self.k.frames;
        let f = frames.frame(pfn);
        if !f.is_compound() {
            return f.mapcount > 1;
        }
        let head = pfn & !(HPAGE_PMD_NR - 1);
        frames.frame(head).entire_mapcount > 1 || (head..head + HPAGE_PMD_NR).any(|p| frames.frame(p).mapcount > 1)
    }

    /// `is_refcount_suitable`: no reference beyond the mappings and the swap cache.
    fn refcount_suitable(&self, pfn: Pfn) -> bool {
        let f = self.k.frames.frame(pfn);
        f.refcount == f.mapcount + f.flags.contains(PageFlags::SWAPCACHE) as u32
    }

    /// `collapse_huge_page`: allocate the THP (thp_collapse_alloc or thp_collapse_alloc_failed),
    /// read swapped pages back, isolate the small pages, copy them (zero where nothing was
    /// mapped), free them and map the THP by the PMD.
    fn collapse_huge_page(&mut self, pid: Pid, haddr: u64, unmapped: bool, limits: Option<Limits>) -> Scan {
        // alloc_charge_folio: the allocation comes first and is counted whatever follows.
        let Some(head) = self.k.frames.alloc_huge(0, &mut self.k.stats) else {
            self.k.stats.count(Event::ThpCollapseAllocFailed, 1);
            return Scan::AllocFail;
        };
        self.k.stats.count(Event::ThpCollapseAlloc, 1);
        let result = if unmapped { self.collapse_swapin(pid, haddr) } else { Scan::Succeed };
        let result = if result == Scan::Succeed { self.collapse_isolate(pid, haddr, limits) } else { result };
        if result != Scan::Succeed {
            for pfn in head..head + HPAGE_PMD_NR {
                self.k.frames.free(pfn, &mut self.k.stats);
            }
            return result;
        }
        self.collapse_copy(pid, haddr, head);
        Scan::Succeed
    }

    /// `__collapse_huge_page_swapin`: every swap entry in the range is read back
    /// (`do_swap_page` without FAULT_FLAG_WRITE; pgmajfault, but no pgfault).
    fn collapse_swapin(&mut self, pid: Pid, haddr: u64) -> Scan {
        let mm = &mut self.procs.get_mut(&pid).expect("pid").mm;
        for addr in (haddr..haddr + PMD_SIZE).step_by(PAGE_SIZE as usize) {
            let pte = mm.pt.get(addr);
            if !pte.is_swap() {
                continue;
            }
            let vma = mm.vma_at(addr).expect("collapse range in a VMA").clone();
            match self.k.do_swap_page(mm, &vma, addr, pte, false) {
                Ok(FaultKind::Major) => self.k.stats.count(Event::PgMajFault, 1),
                Ok(FaultKind::Minor) => {}
                Err(FaultError::Oom | FaultError::Signal(_)) => return Scan::Fail,
            }
        }
        Scan::Succeed
    }

    /// `__collapse_huge_page_isolate`: the PTEs again, now that swap-in is done.
    fn collapse_isolate(&mut self, pid: Pid, haddr: u64, limits: Option<Limits>) -> Scan {
        let mm = &self.proc(pid).expect("pid").mm;
        let (mut none_or_zero, mut shared, mut referenced) = (0, 0, 0);
        for pte in (0..HPAGE_PMD_NR).map(|i| mm.pt.get(haddr + i * PAGE_SIZE)) {
            if pte.is_none() || (pte.is_present() && pte.pfn() == ZERO_PFN) {
                none_or_zero += 1;
                if limits.is_some_and(|l| none_or_zero > l.max_ptes_none) {
                    self.k.stats.count(Event::ThpScanExceedNonePte, 1);
                    return Scan::ExceedNone;
                }
                continue;
            }
            if !pte.is_present() {
                return Scan::PteNonPresent;
            }
            let pfn = pte.pfn();
            if self.folio_maybe_mapped_shared(pfn) {
                shared += 1;
                if limits.is_some_and(|l| shared > l.max_ptes_shared) {
                    self.k.stats.count(Event::ThpScanExceedSharePte, 1);
                    return Scan::ExceedShared;
                }
            }
            if !self.refcount_suitable(pfn) {
                return Scan::PageCount;
            }
            let f = self.k.frames.frame(pfn);
            if pte.young() || f.flags.contains(PageFlags::REFERENCED) {
                referenced += 1;
            }
        }
        if limits.is_some() && referenced == 0 { Scan::LackReferenced } else { Scan::Succeed }
    }

    /// `__collapse_huge_page_copy` + `__collapse_huge_page_copy_succeeded` + the PMD: the THP
    /// takes the pages' contents, each old page is unmapped and freed with its swap-cache copy
    /// (`free_folio_and_swap_cache`), a THP left partly mapped goes on the deferred split queue.
    fn collapse_copy(&mut self, pid: Pid, haddr: u64, head: Pfn) {
        let mm = &mut self.procs.get_mut(&pid).expect("pid").mm;
        let start = mm.vma_at(haddr).expect("collapse range in a VMA").start;
        let vma = self.k.anon_vma_prepare(mm, start);
        self.k.prepare_anon_thp(head, &vma, haddr);
        let locked = vma.flags.contains(VmFlags::LOCKED);
        let mut old_thps = Vec::new();
        for i in 0..HPAGE_PMD_NR {
            let addr = haddr + i * PAGE_SIZE;
            let pte = mm.pt.get(addr);
            if !pte.is_present() {
                continue;
            }
            self.k.set_pte(mm, addr, Pte::NONE);
            let pfn = pte.pfn();
            if pfn == ZERO_PFN {
                continue;
            }
            let f = *self.k.frames.frame(pfn);
            self.k.frames.frame_mut(head + i).value = f.value;
            mm.rss[RssKind::Anon as usize] -= 1;
            self.k.rmap_remove_and_put(pfn, locked);
            if f.flags.contains(PageFlags::SWAPCACHE) {
                self.k.free_swap_cache(pfn);
            }
            if f.is_compound() {
                old_thps.push(pfn & !(HPAGE_PMD_NR - 1));
            }
        }
        old_thps.dedup();
        self.k.map_anon_thp(mm, haddr, head);
        for old in old_thps {
            self.k.deferred_split_partial(old);
        }
    }
}
