//! Swap space and the swap cache (mm/swapfile.c `folio_alloc_swap`, `swap_duplicate`,
//! `swap_free_nr`, `free_swap_and_cache_nr`, `folio_free_swap`, `vm_swap_full`,
//! `swp_swapcount`; mm/swap_state.c `add_to_swap_cache`, `__delete_from_swap_cache`,
//! `swap_cache_get_folio`; mm/page_io.c `swap_writeout`, `swap_read_folio`).
//!
//! The machine has one swap device of `swap_bytes`, synchronous like zram (SWP_SYNCHRONOUS_IO):
//! a write completes at once, so reclaim frees a page as soon as it is written, and a swap-in
//! of an entry nobody else references skips the swap cache. Slots are handed out lowest first
//! from offset 1 (offset 0 holds the swap header). A slot lives while PTEs or a shmem file
//! reference it (its swap count) or a swap-cache page holds it (SWAP_HAS_CACHE).

use std::collections::{BTreeMap, BTreeSet};

use crate::machine::Kernel;
use crate::page_alloc::{PageFlags, Pfn};
use crate::vmstat::{Event, NodeStat};

/// A swap slot's offset on the device.
pub type Slot = u32;

/// One used slot (`si->swap_map[offset]` plus the stored data).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SwapSlot {
    /// References from swap PTEs and shmem page caches (the swap count).
    pub count: u32,
    /// The swap-cache page holding this slot's data, if any.
    pub cache: Option<Pfn>,
    /// The page's value as written to the device.
    pub value: u64,
}

/// The swap device.
#[derive(Clone, Debug, Default)]
pub struct SwapDevice {
    /// Usable slots (`si->pages`): the device size in pages, less the header page.
    total: u64,
    slots: BTreeMap<Slot, SwapSlot>,
    /// Offsets freed below `next`, reused lowest first.
    free: BTreeSet<Slot>,
    next: Slot,
    /// The slot of each swap-cache page (`folio->swap`).
    cached: BTreeMap<Pfn, Slot>,
    /// `swapin_nr_pages` state: the last offset read without readahead hits, the hits since,
    /// and the last window.
    ra_prev_offset: Slot,
    ra_hits: u32,
    ra_last_pages: u32,
}

/// `1 << page_cluster` with the default `vm.page-cluster` of 3.
const SWAP_RA_MAX_PAGES: u32 = 8;

impl SwapDevice {
    pub fn new(pages: u64) -> SwapDevice {
        SwapDevice { total: pages.saturating_sub(1), next: 1, ..SwapDevice::default() }
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn used(&self) -> u64 {
        self.slots.len() as u64
    }

    /// `vm_swap_full`: more than half the swap space is in use.
    pub fn full(&self) -> bool {
        self.total > 0 && self.used() * 2 > self.total
    }

    pub fn slot(&self, slot: Slot) -> Option<&SwapSlot> {
        self.slots.get(&slot)
    }

    pub fn slots(&self) -> impl Iterator<Item = (Slot, &SwapSlot)> {
        self.slots.iter().map(|(&s, v)| (s, v))
    }

    /// The slot a swap-cache page holds.
    pub fn slot_of(&self, pfn: Pfn) -> Option<Slot> {
        self.cached.get(&pfn).copied()
    }

    /// `swp_swapcount`: swap references to `slot`.
    pub fn count(&self, slot: Slot) -> u32 {
        self.slots.get(&slot).map_or(0, |s| s.count)
    }

    /// `swapin_nr_pages` + `__swapin_nr_pages`: the readahead window for a swap-in at
    /// `offset`, grown by readahead hits and shrunk no faster than by half.
    fn swapin_nr_pages(&mut self, offset: Slot) -> u32 {
        let hits = std::mem::take(&mut self.ra_hits);
        let mut pages = hits + 2;
        if pages == 2 {
            if offset != self.ra_prev_offset + 1 && offset + 1 != self.ra_prev_offset {
                pages = 1;
            }
        } else {
            pages = pages.next_power_of_two().max(4);
        }
        pages = pages.min(SWAP_RA_MAX_PAGES).max(self.ra_last_pages / 2);
        if hits == 0 {
            self.ra_prev_offset = offset;
        }
        self.ra_last_pages = pages;
        pages
    }

    /// `folio_alloc_swap`'s slot allocation: the lowest free offset, or None when full.
    fn alloc(&mut self) -> Option<Slot> {
        if self.used() >= self.total {
            return None;
        }
        let slot = self.free.pop_first().unwrap_or_else(|| {
            self.next += 1;
            self.next - 1
        });
        self.slots.insert(slot, SwapSlot::default());
        Some(slot)
    }

    /// Releases a slot nothing references any more.
    fn release_if_unused(&mut self, slot: Slot) {
        let Some(s) = self.slots.get(&slot) else { return };
        if s.count > 0 || s.cache.is_some() {
            return;
        }
        self.slots.remove(&slot);
        if slot + 1 == self.next {
            self.next -= 1;
            while self.free.last() == Some(&(self.next - 1)) {
                self.free.pop_last();
                self.next -= 1;
            }
        } else {
            self.free.insert(slot);
        }
    }
}

impl Kernel {
    /// `folio_alloc_swap` for a page about to be written out: a new slot holding the page in
    /// the swap cache. None when the device is full (or absent).
    pub fn add_to_swap(&mut self, pfn: Pfn) -> Option<Slot> {
        let slot = self.swap.alloc()?;
        self.add_to_swap_cache(pfn, slot);
        Some(slot)
    }

    /// `add_to_swap_cache`: the page becomes the cached copy of `slot` (one more reference;
    /// NR_FILE_PAGES and NR_SWAPCACHE count it).
    pub fn add_to_swap_cache(&mut self, pfn: Pfn, slot: Slot) {
        self.swap.slots.get_mut(&slot).expect("allocated slot").cache = Some(pfn);
        self.swap.cached.insert(pfn, slot);
        let f = self.frames.frame_mut(pfn);
        f.flags |= PageFlags::SWAPCACHE;
        f.refcount += 1;
        let nid = f.nid as u32;
        self.stats.mod_node(nid, NodeStat::FilePages, 1);
        self.stats.mod_node(nid, NodeStat::SwapCached, 1);
    }

    /// `folio_migrate_mapping` for a swap-cache page: the slot's cache entry moves to `new`,
    /// with its NR_FILE_PAGES and NR_SWAPCACHE counts.
    pub(crate) fn migrate_swap_cache(&mut self, old: Pfn, new: Pfn) {
        let Some(slot) = self.swap.cached.remove(&old) else { return };
        self.swap.cached.insert(new, slot);
        self.swap.slots.get_mut(&slot).expect("cached slot").cache = Some(new);
        let (old_nid, new_nid) = (self.frames.frame(old).nid as u32, self.frames.frame(new).nid as u32);
        for stat in [NodeStat::FilePages, NodeStat::SwapCached] {
            self.stats.mod_node(old_nid, stat, -1);
            self.stats.mod_node(new_nid, stat, 1);
        }
        self.frames.frame_mut(new).flags |= PageFlags::SWAPCACHE;
    }

    /// `__delete_from_swap_cache` + the reference drop: the page leaves the swap cache (and is
    /// freed if nothing else holds it); the slot goes too if no swap entry references it.
    pub fn delete_from_swap_cache(&mut self, pfn: Pfn) {
        let Some(slot) = self.swap.cached.remove(&pfn) else { return };
        self.swap.slots.get_mut(&slot).expect("cached slot").cache = None;
        self.swap.release_if_unused(slot);
        let f = self.frames.frame_mut(pfn);
        f.flags -= PageFlags::SWAPCACHE;
        let nid = f.nid as u32;
        self.stats.mod_node(nid, NodeStat::FilePages, -1);
        self.stats.mod_node(nid, NodeStat::SwapCached, -1);
        self.put_page(pfn);
    }

    /// `swap_writeout` on the synchronous device: the slot gets the page's data, the page is
    /// clean again.
    pub fn swap_writeout(&mut self, pfn: Pfn, slot: Slot) {
        let value = self.frames.frame(pfn).value;
        self.swap.slots.get_mut(&slot).expect("allocated slot").value = value;
        self.frames.frame_mut(pfn).flags -= PageFlags::DIRTY;
        self.stats.count(Event::PswpOut, 1);
    }

    /// `swap_cluster_readahead` around `slot` (the page itself is read by the caller): every
    /// used, uncached slot of the aligned window is read into the swap cache and marked
    /// PG_readahead. Such pages belong to no anon_vma until first mapped (owner 0).
    pub fn swap_cluster_readahead(&mut self, slot: Slot) {
        let mask = self.swap.swapin_nr_pages(slot) - 1;
        if mask == 0 {
            return;
        }
        let first = (slot & !mask).max(1);
        for offset in first..=(slot | mask) {
            let Some(s) = self.swap.slot(offset) else { continue };
            if offset == slot || s.cache.is_some() || s.count == 0 {
                continue;
            }
            let Some(pfn) = self.read_swap_cache_async(offset) else { return };
            self.frames.frame_mut(pfn).flags |= PageFlags::READAHEAD;
            self.stats.count(Event::SwapRa, 1);
        }
    }

    /// `read_swap_cache_async` for a slot not in the swap cache: a new page holding its data,
    /// held only by the swap cache and on the LRU. It belongs to no anon_vma until mapped
    /// (owner 0). None when no frame is free.
    pub fn read_swap_cache_async(&mut self, slot: Slot) -> Option<Pfn> {
        let pfn = self.frames.alloc(0, &mut self.stats)?;
        let value = self.swap_read(slot);
        let f = self.frames.frame_mut(pfn);
        f.value = value;
        f.flags |= PageFlags::ANON | PageFlags::SWAPBACKED;
        // The allocation's reference becomes the swap cache's.
        f.refcount = 0;
        self.add_to_swap_cache(pfn, slot);
        self.lru_add(pfn);
        Some(pfn)
    }

    /// `swap_cache_get_folio`: a page found in the swap cache that readahead brought in counts
    /// as a readahead hit.
    pub fn swap_cache_hit(&mut self, pfn: Pfn) {
        let f = self.frames.frame_mut(pfn);
        if f.flags.contains(PageFlags::READAHEAD) {
            f.flags -= PageFlags::READAHEAD;
            self.swap.ra_hits += 1;
            self.stats.count(Event::SwapRaHit, 1);
        }
    }

    /// `swap_read_folio`: the data of `slot`, counted as a swap-in.
    pub fn swap_read(&mut self, slot: Slot) -> u64 {
        self.stats.count(Event::PswpIn, 1);
        self.swap.slot(slot).map_or(0, |s| s.value)
    }

    /// `swap_duplicate`: one more swap entry references `slot` (fork, try_to_unmap).
    pub fn swap_duplicate(&mut self, slot: Slot) {
        self.swap.slots.get_mut(&slot).expect("allocated slot").count += 1;
    }

    /// A shmem file takes its reference to a fresh slot (`swap_shmem_alloc`), storing `value`.
    pub fn swap_shmem_alloc(&mut self, value: u64) -> Option<Slot> {
        let slot = self.swap.alloc()?;
        let s = self.swap.slots.get_mut(&slot).expect("allocated slot");
        s.count = 1;
        s.value = value;
        self.stats.count(Event::PswpOut, 1);
        Some(slot)
    }

    /// `swap_free_nr`: one swap reference to `slot` goes away.
    pub fn swap_free(&mut self, slot: Slot) {
        if let Some(s) = self.swap.slots.get_mut(&slot) {
            s.count = s.count.saturating_sub(1);
        }
        self.swap.release_if_unused(slot);
    }

    /// `free_swap_and_cache_nr` (zap of a swap entry): drops the reference and, when it was
    /// the last one, reclaims an unmapped swap-cache page (`__try_to_reclaim_swap` with
    /// TTRS_UNMAPPED | TTRS_FULL).
    pub fn free_swap_and_cache(&mut self, slot: Slot) {
        self.swap_free(slot);
        let Some(s) = self.swap.slot(slot).copied() else { return };
        if let Some(pfn) = s.cache
            && s.count == 0
            && (self.frames.frame(pfn).mapcount == 0 || self.swap.full())
        {
            self.delete_from_swap_cache(pfn);
        }
    }

    /// `folio_free_swap` for a mapped page: drops its slot when no swap entry references it any
    /// more; the page then holds the only copy of the data, so it is dirty.
    pub fn folio_free_swap(&mut self, pfn: Pfn) -> bool {
        let Some(slot) = self.swap.slot_of(pfn) else { return false };
        if self.swap.count(slot) > 0 || self.frames.frame(pfn).mapcount == 0 {
            return false;
        }
        self.delete_from_swap_cache(pfn);
        self.mark_dirty(pfn);
        true
    }

    /// `free_swap_cache` after a zap dropped a mapping: an unmapped swap-cache page whose slot
    /// nothing references leaves the swap cache.
    pub fn free_swap_cache(&mut self, pfn: Pfn) {
        let f = self.frames.get(pfn).copied().unwrap_or_default();
        if f.is_free() || !f.flags.contains(PageFlags::SWAPCACHE) || f.mapcount > 0 {
            return;
        }
        if let Some(slot) = self.swap.slot_of(pfn)
            && self.swap.count(slot) == 0
        {
            self.delete_from_swap_cache(pfn);
        }
    }
}
