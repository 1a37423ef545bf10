//! Reclaim (mm/vmscan.c `shrink_node`, `shrink_folio_list`, `folio_check_references`;
//! mm/rmap.c `try_to_unmap_one`).
//!
//! Without swap space, only the file LRU is scanned (`get_scan_count` gives anon no share):
//! clean file pages are unmapped and dropped, dirty ones are written back first, and clean
//! lazyfree anon pages (which sit on the file LRU) are discarded. A page that turns out to be
//! mapped in a VM_LOCKED VMA is mlocked and culled instead, as `try_to_unmap_one` does under
//! the PTE lock. The model scans in pfn order and ignores the referenced bits (as
//! `reclaim_pages` does); swap-out of anon and shmem pages is not modeled yet.

use crate::errno::Errno;
use crate::machine::Machine;
use crate::memory::mm_counter;
use crate::mm_types::Pte;
use crate::ops::{OpResult, Outcome};
use crate::page_alloc::{PageFlags, Pfn};
use crate::vmstat::Event;

impl Machine {
    /// Reclaims up to `pages` pages from node `nid`.
    pub(crate) fn reclaim(&mut self, nid: u32, pages: u64) -> OpResult {
        if nid >= self.config.nodes {
            return Err(Errno::EINVAL);
        }
        let candidates: Vec<Pfn> = self
            .k
            .frames
            .iter()
            .filter(|(_, f)| {
                !f.is_free()
                    && f.nid as u32 == nid
                    && f.flags.contains(PageFlags::LRU)
                    && !f.flags.intersects(PageFlags::UNEVICTABLE | PageFlags::SWAPBACKED)
            })
            .map(|(pfn, _)| pfn)
            .collect();
        let mut reclaimed = 0;
        for pfn in candidates {
            if reclaimed >= pages {
                break;
            }
            if self.shrink_folio(pfn) {
                reclaimed += 1;
            }
        }
        Ok(Outcome::Count(reclaimed))
    }

    /// `shrink_folio_list` for one page of the file LRU. Returns whether it was freed.
    fn shrink_folio(&mut self, pfn: Pfn) -> bool {
        let mappings = self.rmap_walk(pfn);
        if mappings.iter().any(|m| m.locked) {
            // try_to_unmap_one met a VM_LOCKED VMA: mlock the page and keep it.
            for _ in mappings.iter().filter(|m| m.locked) {
                self.k.mlock_folio(pfn);
            }
            return false;
        }
        let f = *self.k.frames.frame(pfn);
        let lazyfree = f.is_anon();
        let pte_dirty = mappings.iter().any(|m| self.procs[&m.pid].mm.pt.get(m.addr).dirty());
        if lazyfree && (pte_dirty || f.flags.contains(PageFlags::DIRTY)) {
            // Written since MADV_FREE: it is normal anon memory again.
            self.k.relist(pfn, |f| *f |= PageFlags::SWAPBACKED | PageFlags::ACTIVE);
            return false;
        }
        for m in &mappings {
            let mm = &mut self.procs.get_mut(&m.pid).expect("mapped pid").mm;
            let pte = mm.pt.get(m.addr);
            self.k.set_pte(mm, m.addr, Pte::NONE);
            if pte.dirty() && !lazyfree {
                self.k.mark_dirty(pfn);
            }
            mm.rss[mm_counter(&f) as usize] -= 1;
            self.k.rmap_remove_and_put(pfn, false);
        }
        if lazyfree {
            self.k.stats.count(Event::PgLazyFreed, 1);
            return true;
        }
        // pageout() then the cache removal; the written value reaches the disk.
        self.k.remove_cache_page(f.owner, f.index, false);
        true
    }
}
