//! Reclaim (mm/vmscan.c `shrink_node`, `get_scan_count`, `shrink_folio_list`,
//! `reclaim_pages`; mm/rmap.c `try_to_unmap_one`; mm/shmem.c `shmem_writeout`).
//!
//! The `reclaim` operation scans a node's evictable pages list by list: inactive file, active
//! file, then (only while swap has room, as `get_scan_count` gives anon no share otherwise)
//! inactive and active anon, each in pfn order. Referenced bits are not consulted (as
//! `reclaim_pages` does). Clean file pages are dropped, dirty ones written back first (the
//! kswapd path); lazyfree anon pages are discarded; anon pages get a swap slot, every PTE
//! becomes a swap entry, and the page is written and freed at once (synchronous device); dirty
//! shmem pages move to swap, clean ones are dropped. A page that turns out to be mapped in a
//! VM_LOCKED VMA is mlocked and culled instead, as `try_to_unmap_one` does under the PTE lock.

use crate::errno::Errno;
use crate::machine::Machine;
use crate::memory::mm_counter;
use crate::mm_types::{Pte, RssKind};
use crate::ops::{OpResult, Outcome};
use crate::page_alloc::{PageFlags, Pfn};
use crate::rmap::Mapping;
use crate::vmstat::Event;

/// Who is reclaiming: the `reclaim` operation (kswapd-like: dirty file pages are written
/// back) or MADV_PAGEOUT (`reclaim_pages`: dirty file pages are kept and activated).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reclaimer {
    Kswapd,
    Pageout,
}

/// Scan order of a page: inactive file, active file, inactive anon, active anon.
fn scan_rank(flags: PageFlags) -> u8 {
    let anon = flags.contains(PageFlags::SWAPBACKED) as u8;
    let active = flags.contains(PageFlags::ACTIVE) as u8;
    anon * 2 + active
}

impl Machine {
    /// The `reclaim` operation: up to `pages` pages from node `nid`.
    pub(crate) fn reclaim(&mut self, nid: u32, pages: u64) -> OpResult {
        if nid >= self.config.nodes {
            return Err(Errno::EINVAL);
        }
        Ok(Outcome::Count(self.shrink_node(nid, pages)))
    }

    /// `shrink_node`: reclaims up to `pages` pages from node `nid`. Returns the pages freed.
    pub(crate) fn shrink_node(&mut self, nid: u32, pages: u64) -> u64 {
        let scan_anon = self.k.swap.used() < self.k.swap.total();
        let mut candidates: Vec<(u8, Pfn)> = self
            .k
            .frames
            .iter()
            .filter(|(_, f)| {
                !f.is_free()
                    && f.nid as u32 == nid
                    && f.flags.contains(PageFlags::LRU)
                    && !f.flags.contains(PageFlags::UNEVICTABLE)
                    && (scan_anon || !f.flags.contains(PageFlags::SWAPBACKED))
            })
            .map(|(pfn, f)| (scan_rank(f.flags), pfn))
            .collect();
        candidates.sort_unstable();
        let mut reclaimed = 0;
        for (rank, pfn) in candidates {
            if reclaimed >= pages {
                break;
            }
            let file_lru = rank < 2;
            self.k.stats.count(if file_lru { Event::PgScanFile } else { Event::PgScanAnon }, 1);
            if self.shrink_folio(pfn, Reclaimer::Kswapd) {
                reclaimed += 1;
                self.k.stats.count(if file_lru { Event::PgStealFile } else { Event::PgStealAnon }, 1);
            }
        }
        reclaimed
    }

    /// `shrink_folio_list` for one page. Returns whether it was freed.
    pub(crate) fn shrink_folio(&mut self, pfn: Pfn, who: Reclaimer) -> bool {
        if !self.thp_reclaim_prepare(pfn) {
            return false;
        }
        let mappings = self.rmap_walk(pfn);
        if mappings.iter().any(|m| m.locked) {
            // try_to_unmap_one met a VM_LOCKED VMA: mlock the page and keep it.
            for _ in mappings.iter().filter(|m| m.locked) {
                self.k.mlock_folio(pfn);
            }
            return false;
        }
        let f = *self.k.frames.frame(pfn);
        if f.is_anon() && !f.flags.contains(PageFlags::SWAPBACKED) {
            self.shrink_lazyfree(pfn, &mappings)
        } else if f.is_anon() {
            self.swap_out_anon(pfn, &mappings)
        } else if f.is_shmem() {
            self.unmap_file_page(pfn, &mappings);
            self.shmem_writeout(pfn)
        } else {
            self.shrink_file_page(pfn, &mappings, who)
        }
    }

    /// A lazyfree (MADV_FREE) page: discarded unless written since.
    fn shrink_lazyfree(&mut self, pfn: Pfn, mappings: &[Mapping]) -> bool {
        let f = *self.k.frames.frame(pfn);
        let pte_dirty = mappings.iter().any(|m| self.procs[&m.pid].mm.pt.get(m.addr).dirty());
        if pte_dirty || f.flags.contains(PageFlags::DIRTY) {
            // Written since MADV_FREE: it is normal anon memory again.
            self.k.relist(pfn, |f| *f |= PageFlags::SWAPBACKED | PageFlags::ACTIVE);
            return false;
        }
        for m in mappings {
            let mm = &mut self.procs.get_mut(&m.pid).expect("mapped pid").mm;
            self.k.set_pte(mm, m.addr, Pte::NONE);
            mm.rss[RssKind::Anon as usize] -= 1;
            self.k.rmap_remove_and_put(pfn, false);
        }
        self.k.stats.count(Event::PgLazyFreed, 1);
        true
    }

    /// `add_to_swap` + `try_to_unmap` + `pageout` + `__remove_mapping` for an anon page.
    fn swap_out_anon(&mut self, pfn: Pfn, mappings: &[Mapping]) -> bool {
        let slot = match self.k.swap.slot_of(pfn) {
            Some(slot) => slot,
            None => match self.k.add_to_swap(pfn) {
                Some(slot) => {
                    self.k.mark_dirty(pfn);
                    slot
                }
                None => return self.activate(pfn),
            },
        };
        let exclusive = self.k.frames.frame(pfn).flags.contains(PageFlags::ANON_EXCLUSIVE);
        for m in mappings {
            let mm = &mut self.procs.get_mut(&m.pid).expect("mapped pid").mm;
            if mm.pt.get(m.addr).dirty() {
                self.k.mark_dirty(pfn);
            }
            self.k.swap_duplicate(slot);
            self.k.set_pte(mm, m.addr, Pte::swap(slot, exclusive));
            mm.rss[RssKind::Anon as usize] -= 1;
            mm.rss[RssKind::SwapEnts as usize] += 1;
            self.k.rmap_remove_and_put(pfn, false);
        }
        self.k.frames.frame_mut(pfn).flags -= PageFlags::ANON_EXCLUSIVE;
        if self.k.frames.frame(pfn).flags.contains(PageFlags::DIRTY) {
            self.k.swap_writeout(pfn, slot);
        }
        self.k.delete_from_swap_cache(pfn);
        true
    }

    /// `try_to_unmap` of a file or shmem page: every PTE goes; a dirty PTE dirties the page.
    fn unmap_file_page(&mut self, pfn: Pfn, mappings: &[Mapping]) {
        let f = *self.k.frames.frame(pfn);
        for m in mappings {
            let mm = &mut self.procs.get_mut(&m.pid).expect("mapped pid").mm;
            let pte = mm.pt.get(m.addr);
            self.k.set_pte(mm, m.addr, Pte::NONE);
            if pte.dirty() {
                self.k.mark_dirty(pfn);
            }
            mm.rss[mm_counter(&f) as usize] -= 1;
            self.k.rmap_remove_and_put(pfn, false);
        }
    }

    /// A regular file page: clean ones are dropped; dirty ones are written back by kswapd but
    /// kept (activated) by MADV_PAGEOUT, which does not write file pages from direct reclaim.
    fn shrink_file_page(&mut self, pfn: Pfn, mappings: &[Mapping], who: Reclaimer) -> bool {
        self.unmap_file_page(pfn, mappings);
        let f = *self.k.frames.frame(pfn);
        if who == Reclaimer::Pageout && f.flags.contains(PageFlags::DIRTY) {
            return self.activate(pfn);
        }
        // pageout() then the cache removal; the written value reaches the disk.
        self.k.remove_cache_page(f.owner, f.index, false);
        true
    }

    /// `activate_locked`: a page reclaim could not free goes to the active list.
    pub(crate) fn activate(&mut self, pfn: Pfn) -> bool {
        if !self.k.frames.frame(pfn).flags.contains(PageFlags::ACTIVE) {
            self.k.relist(pfn, |f| *f |= PageFlags::ACTIVE);
        }
        self.k.stats.count(Event::PgActivate, 1);
        false
    }
}
