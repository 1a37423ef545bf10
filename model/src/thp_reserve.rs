//! THP reservations with a promotion threshold: the 2018 RFC "mm: thp: implement THP
//! reservations for anonymous memory" (Anthony Yznaga, never merged) as an opt-in machine
//! setting, with Mel Gorman's review applied by default. The RFC's functions it stands for:
//! `khugepaged_reserve` (a fault reserves a 512-page block), `khugepaged_get_reserved_page`
//! (later faults in the range take their page from it), `khugepaged_promote` (khugepaged converts
//! the range in place into a PMD-mapped THP once `promotion_threshold` pages are mapped),
//! `khugepaged_release_reservation` and `thp_resvs_fixup` (release on zap, COW, swap-out,
//! migration, VMA split, unaligned mremap and exit), and the reservation shrinker
//! (`thp_resvs_shrink_scan`: unused reserved pages go first under memory pressure).
//!
//! A reservation is kept in the owner's mm, keyed by the 2 MiB-aligned address, so a forked
//! child never inherits one and its COW faults take ordinary pages. Its unused pages are
//! allocated frames marked [`PageFlags::RESERVED`] with refcount 1, value 0, on no LRU and never
//! mapped; they are counted in `nr_thp_reserved` and, because the shrinker frees them before
//! any reclaim, in MemAvailable. A page handed out becomes an ordinary anon page. The model
//! checks after every operation that each reservation still describes its range (every handed
//! page mapped at its own address in one eligible VMA, nothing foreign in the range) and
//! releases it otherwise, which covers every release rule of the RFC at once.

use std::collections::BTreeMap;

use crate::huge_memory::thp_vma_allowable;
use crate::machine::{Kernel, Machine};
use crate::mm_types::{Mm, PMD_SIZE, PmdMap, Pte, RssKind, VmFlags, Vma};
use crate::ops::PAGE_SIZE;
use crate::page_alloc::{Frame, HPAGE_PMD_NR, PageFlags, Pfn, ZERO_PFN};
use crate::vmstat::{Event, NodeStat};

/// One reserved 2 MiB block (`struct thp_reservation`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reservation {
    /// First pfn of the naturally aligned 512-frame block.
    pub base: Pfn,
    /// Which of the 512 pages were handed out (bit i = the page for `haddr + i * 4 kB`).
    handed: [u64; 8],
}

impl Reservation {
    fn new(base: Pfn) -> Reservation {
        Reservation { base, handed: [0; 8] }
    }

    /// Was page `i` handed out?
    pub fn is_handed(&self, i: u64) -> bool {
        self.handed[(i / 64) as usize] & (1 << (i % 64)) != 0
    }

    fn hand(&mut self, i: u64) {
        self.handed[(i / 64) as usize] |= 1 << (i % 64);
    }

    /// The slots handed out, ascending.
    pub fn handed_slots(&self) -> impl Iterator<Item = u64> + '_ {
        self.handed
            .iter()
            .enumerate()
            .flat_map(|(w, &bits)| (0..64).filter(move |b| bits & (1 << b) != 0).map(move |b| w as u64 * 64 + b))
    }

    /// Pages handed out (`HPAGE_PMD_NR - nr_unused`).
    pub fn nr_handed(&self) -> u64 {
        self.handed.iter().map(|w| w.count_ones() as u64).sum()
    }

    /// Pages still unused (`nr_unused`).
    pub fn nr_unused(&self) -> u64 {
        HPAGE_PMD_NR - self.nr_handed()
    }
}

/// The reservations of one mm, by 2 MiB-aligned address.
pub type Reservations = BTreeMap<u64, Reservation>;

/// The slot of `addr` in its 2 MiB range.
fn slot_of(addr: u64) -> u64 {
    (addr & (PMD_SIZE - 1)) / PAGE_SIZE
}

/// May a reservation cover the range at `haddr` of `v`? An anonymous private THP-eligible VMA
/// holding the whole range, not VM_LOCKED (the model keeps mlocked ranges out of reservations:
/// an mlocked page's count would have to move into the promoted THP, which the RFC never
/// specified).
fn vma_can_reserve(k: &Kernel, v: &Vma, haddr: u64) -> bool {
    thp_vma_allowable(k.thp, v)
        && haddr >= v.start
        && haddr.checked_add(PMD_SIZE).is_some_and(|e| e <= v.end)
        && !v.flags.contains(VmFlags::LOCKED)
}

impl Kernel {
    /// Reservations are in force: `promotion_threshold` set above 1 (1 is plain THP behaviour,
    /// as the RFC defines it).
    pub fn reservations_on(&self) -> bool {
        self.promotion_threshold.is_some_and(|t| t > 1)
    }

    /// The fault hook (`khugepaged_reserve` from `do_anonymous_page`): a write fault — or any
    /// fault with the `thp_reserve_on_read_fault` quirk, the RFC's original behaviour — in an
    /// eligible range that holds no anon page and no reservation reserves a block. Counts
    /// thp_res_alloc, or thp_res_alloc_failed without 512 contiguous free frames; either way the
    /// fault goes on with 4 kB pages.
    pub(crate) fn maybe_reserve(&mut self, mm: &mut Mm, vma: &Vma, addr: u64, write: bool) {
        let haddr = addr & !(PMD_SIZE - 1);
        if !(write || self.quirk_reserve_on_read)
            || mm.thp_res.contains_key(&haddr)
            || !vma_can_reserve(self, vma, haddr)
            || !range_empty(mm, haddr)
        {
            return;
        }
        let Some(base) = self.frames.alloc_huge(0, &mut self.stats) else {
            self.stats.count(Event::ThpResAllocFailed, 1);
            return;
        };
        for pfn in base..base + HPAGE_PMD_NR {
            self.frames.frame_mut(pfn).flags |= PageFlags::RESERVED;
        }
        let nid = self.frames.frame(base).nid as u32;
        self.stats.mod_node(nid, NodeStat::ThpReserved, HPAGE_PMD_NR as i64);
        self.stats.count(Event::ThpResAlloc, 1);
        mm.thp_res.insert(haddr, Reservation::new(base));
    }

    /// `khugepaged_get_reserved_page`: the page for `addr` from its range's reservation, if
    /// there is one and that page is unused. The page keeps its reference (the new mapping's).
    pub(crate) fn take_reserved(&mut self, mm: &mut Mm, addr: u64) -> Option<Pfn> {
        let haddr = addr & !(PMD_SIZE - 1);
        let vma = mm.vma_at(addr)?;
        if !vma_can_reserve(self, vma, haddr) {
            return None;
        }
        let r = mm.thp_res.get_mut(&haddr)?;
        let i = slot_of(addr);
        if r.is_handed(i) {
            return None;
        }
        r.hand(i);
        let pfn = r.base + i;
        let f = self.frames.frame_mut(pfn);
        f.flags -= PageFlags::RESERVED;
        let nid = f.nid as u32;
        self.stats.mod_node(nid, NodeStat::ThpReserved, -1);
        self.frames.lru_add_batch.push(pfn);
        Some(pfn)
    }

    /// `khugepaged_release_reservation`: frees the unused pages; handed ones live on as small
    /// pages. Returns the pages freed.
    pub(crate) fn release_reservation(&mut self, r: Reservation) -> u64 {
        let mut freed = 0;
        for i in (0..HPAGE_PMD_NR).filter(|&i| !r.is_handed(i)) {
            let pfn = r.base + i;
            let nid = self.frames.frame(pfn).nid as u32;
            self.stats.mod_node(nid, NodeStat::ThpReserved, -1);
            self.frames.free(pfn, &mut self.stats);
            freed += 1;
        }
        freed
    }

    /// Releases every reservation of `mm` (exit, the shrinker). Returns the pages freed.
    pub(crate) fn release_all_reservations(&mut self, mm: &mut Mm) -> u64 {
        std::mem::take(&mut mm.thp_res).into_values().map(|r| self.release_reservation(r)).sum()
    }

    /// `thp_resvs_fixup` after an operation: every reservation that no longer describes its
    /// range is released. Each handed page must still be mapped at its own address, nothing
    /// else may be mapped or swapped in the range, and one eligible VMA must hold the range.
    /// This is where the RFC's release rules land: any zap (munmap, MADV_DONTNEED, a partial
    /// zap too), COW of a handed page after fork, swap-out or migration of one, a VMA split
    /// inside the range, MADV_NOHUGEPAGE, mlock, and a PMD that is no longer a page table.
    pub(crate) fn fixup_reservations(&mut self, mm: &mut Mm) {
        if mm.thp_res.is_empty() {
            return;
        }
        let stale: Vec<u64> =
            mm.thp_res.iter().filter(|&(&h, r)| !self.reservation_holds(mm, h, r)).map(|(&h, _)| h).collect();
        for h in stale {
            let r = mm.thp_res.remove(&h).expect("reservation");
            self.release_reservation(r);
        }
    }

    /// The part of [`Self::reservation_still_valid`] an operation can break: the VMA, the PMD
    /// and the handed pages. Nothing but a handed page gets mapped in a live reservation's range
    /// (faults there take their page from it, and a range with a foreign page is never
    /// reserved), which the invariant checker verifies with the full check.
    fn reservation_holds(&self, mm: &Mm, haddr: u64, r: &Reservation) -> bool {
        let Some(v) = mm.vma_at(haddr) else { return false };
        vma_can_reserve(self, v, haddr)
            && mm.pt.pmd_at(haddr) == PmdMap::Table
            && r.handed_slots().all(|i| {
                let pte = mm.pt.get(haddr + i * PAGE_SIZE);
                pte.is_present() && pte.pfn() == r.base + i
            })
    }

    /// The full check the invariant checker runs: [`Self::reservation_holds`], and every other
    /// PTE of the range none or the zero page.
    pub(crate) fn reservation_still_valid(&self, mm: &Mm, haddr: u64, r: &Reservation) -> bool {
        let Some(v) = mm.vma_at(haddr) else { return false };
        if !vma_can_reserve(self, v, haddr) || mm.pt.pmd_at(haddr) != PmdMap::Table {
            return false;
        }
        (0..HPAGE_PMD_NR).all(|i| {
            let pte = mm.pt.get(haddr + i * PAGE_SIZE);
            if r.is_handed(i) {
                pte.is_present() && pte.pfn() == r.base + i
            } else {
                pte.is_none() || (pte.is_present() && pte.pfn() == ZERO_PFN)
            }
        })
    }

    /// mremap moved `[old, old + len)` by `delta`: reservations whose range moved whole with the
    /// same 2 MiB phase follow it (`haddr += delta`); the others are released.
    pub(crate) fn move_reservations(&mut self, mm: &mut Mm, old: u64, len: u64, new: u64) {
        let moved: Vec<u64> =
            mm.thp_res.range(old.saturating_sub(PMD_SIZE - 1)..old.saturating_add(len)).map(|(&h, _)| h).collect();
        for h in moved {
            let r = mm.thp_res.remove(&h).expect("reservation");
            let whole = h >= old && h + PMD_SIZE <= old + len;
            if whole && (new.wrapping_sub(old)).is_multiple_of(PMD_SIZE) {
                if let Some(gone) = mm.thp_res.insert(h.wrapping_add(new.wrapping_sub(old)), r) {
                    // A reservation of the range the move unmapped, not yet fixed up.
                    self.release_reservation(gone);
                }
            } else {
                self.release_reservation(r);
            }
        }
    }

    /// Whether khugepaged may promote the reservation at `haddr`: at least `promotion_threshold`
    /// pages handed out, each mapped once at its own address, exclusive, with no reference
    /// beyond its mapping and not mlocked (`khugepaged_promote`'s checks; otherwise
    /// SCAN_PAGE_COUNT and the range waits).
    fn promotable(&self, mm: &Mm, haddr: u64, r: &Reservation, threshold: u64) -> bool {
        r.nr_handed() >= threshold
            && self.reservation_still_valid(mm, haddr, r)
            && (0..HPAGE_PMD_NR).filter(|&i| r.is_handed(i)).all(|i| {
                let f = self.frames.frame(r.base + i);
                f.mapcount == 1 && f.refcount == 1 && !f.flags.intersects(PageFlags::SWAPCACHE | PageFlags::MLOCKED)
            })
    }

    /// `khugepaged_promote`: the block becomes a PMD-mapped THP in place. Handed pages keep
    /// their contents and leave their PTE, rmap and LRU; unused pages are zero-filled; the
    /// 512 frames become one compound folio mapped by the PMD.
    fn promote_in_place(&mut self, mm: &mut Mm, haddr: u64, r: Reservation) {
        let base = r.base;
        let vma = self.anon_vma_prepare(mm, mm.vma_at(haddr).expect("reserved range in a VMA").start);
        for i in 0..HPAGE_PMD_NR {
            let addr = haddr + i * PAGE_SIZE;
            let pfn = base + i;
            if r.is_handed(i) {
                // Keep the frame alive across the rmap removal (the reservation's reference).
                self.frames.frame_mut(pfn).refcount += 1;
                self.set_pte(mm, addr, Pte::NONE);
                mm.rss[RssKind::Anon as usize] -= 1;
                self.rmap_remove_and_put(pfn, false);
                self.lru_del(pfn);
            } else {
                if mm.pt.get(addr).is_present() {
                    self.set_pte(mm, addr, Pte::NONE);
                }
                let nid = self.frames.frame(pfn).nid as u32;
                self.stats.mod_node(nid, NodeStat::ThpReserved, -1);
            }
            let f = self.frames.frame_mut(pfn);
            let value = if r.is_handed(i) { f.value } else { 0 };
            *f = Frame { refcount: 1, nid: f.nid, flags: PageFlags::UPTODATE, value, ..Frame::default() };
        }
        self.prepare_anon_thp(base, &vma, haddr);
        self.map_anon_thp(mm, haddr, base);
    }
}

/// Every PTE of the range at `haddr` is none or the zero page (nothing for a reservation to
/// collide with).
fn range_empty(mm: &Mm, haddr: u64) -> bool {
    !mm.pt.has_table(haddr)
        || (0..HPAGE_PMD_NR).all(|i| {
            let pte = mm.pt.get(haddr + i * PAGE_SIZE);
            pte.is_none() || (pte.is_present() && pte.pfn() == ZERO_PFN)
        })
}

impl Machine {
    /// The reservation shrinker under memory pressure: every reservation of every process is
    /// released, in pid order. Returns the pages freed.
    pub(crate) fn shrink_reservations(&mut self) -> u64 {
        let k = &mut self.k;
        self.procs.values_mut().map(|p| k.release_all_reservations(&mut p.mm)).sum()
    }

    /// After each operation: drop the reservations that no longer describe their range. An
    /// operation of one process that walked no rmap changed no other process's page tables
    /// (an OOM kill's exit releases the victim's own), so only its own are checked.
    pub(crate) fn fixup_reservations_after(&mut self, op: &crate::ops::Op) {
        match op.pid() {
            Some(pid) if !self.rmap_walked.get() => {
                if let Some(p) = self.procs.get_mut(&pid) {
                    self.k.fixup_reservations(&mut p.mm);
                }
            }
            _ => self.fixup_all_reservations(),
        }
    }

    fn fixup_all_reservations(&mut self) {
        let k = &mut self.k;
        for p in self.procs.values_mut() {
            k.fixup_reservations(&mut p.mm);
        }
    }

    /// khugepaged's part: the reservation at `haddr` of `pid` is promoted when it reached the
    /// threshold. Returns None when the range has no reservation (an ordinary collapse may be
    /// tried), Some(promoted) otherwise.
    pub(crate) fn khugepaged_promote(&mut self, pid: crate::ops::Pid, haddr: u64) -> Option<bool> {
        let threshold = self.k.promotion_threshold.unwrap_or(1) as u64;
        let mm = &mut self.procs.get_mut(&pid)?.mm;
        let r = mm.thp_res.get(&haddr)?;
        if !self.k.promotable(mm, haddr, r, threshold) {
            return Some(false);
        }
        let r = mm.thp_res.remove(&haddr).expect("reservation");
        self.k.promote_in_place(mm, haddr, r);
        self.k.stats.count(Event::ResPagesCollapsed, 1);
        Some(true)
    }
}
