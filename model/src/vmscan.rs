//! Reclaim and LRU aging (mm/vmscan.c `do_try_to_free_pages`, `prepare_scan_control`,
//! `get_scan_count`, `shrink_lruvec`, `shrink_list`, `shrink_active_list`,
//! `shrink_inactive_list`, `isolate_lru_folios`, `move_folios_to_lru`, `shrink_folio_list`,
//! `folio_check_references`, `inactive_is_low`, `reclaim_pages`; mm/rmap.c `folio_referenced`,
//! `try_to_unmap_one`; mm/shmem.c `shmem_writeout`), without MGLRU (off on the live kernel).
//!
//! Each node has four evictable lists, ordered: a page is added at the head (`Frame::lru_seq`)
//! and reclaim isolates from the tail. Reclaim runs priorities 12 down to 0 until it has freed
//! what was asked; at each, `get_scan_count` gives every list `size >> priority` pages to scan
//! (anon none without free swap; file only while the inactive file list is big enough and
//! needs no deactivation, `cache_trim_mode`; otherwise anon:file 60:140 with swappiness 60
//! and no reclaim cost history; all of every list at priority 0), scanned 32 at a time in the
//! order inactive anon, active anon, inactive file, active file. An active list is only
//! scanned when its inactive list is low (`inactive_is_low`; a retry forces it when nothing
//! could be freed). `shrink_active_list` moves pages to the inactive head, clearing their
//! young bits (a referenced page of a VM_EXEC file mapping stays active) but keeping
//! PG_referenced, as Linux does. `shrink_folio_list` consults `folio_check_references`: a page
//! with young PTEs is kept once (PG_referenced set) and activated when referenced again (or
//! mapped young more than once, or an executable file page); a file page referenced only
//! through PG_referenced is reclaimed if clean. A page found mapped in a VM_LOCKED VMA is
//! mlocked and culled to the unevictable list.
//!
//! Freeing: clean file pages are dropped, dirty ones written back by the `reclaim` operation
//! (kswapd's behaviour once a node's LRU tail is all dirty, PGDAT_DIRTY; the flusher is not
//! modeled) and activated by direct reclaim and MADV_PAGEOUT, which never write file pages;
//! lazyfree anon pages are discarded; anon pages get a swap slot, every PTE becomes a swap
//! entry, and the page is written and freed at once (synchronous device); dirty shmem pages
//! move to swap, clean ones are dropped.
//!
//! Counters: the `reclaim` operation stands for kswapd (`pgscan_kswapd`, `pgsteal_kswapd`), the
//! allocator's fallback for direct reclaim (`pgscan_direct`, `pgsteal_direct`); both count
//! `pgscan_anon/file` and `pgsteal_anon/file` per inactive list, `pgrefill` for active pages
//! scanned, `pgdeactivate` for pages moved to an inactive list and `pgactivate` for pages
//! activated. MADV_PAGEOUT (`reclaim_pages`) ignores references and counts no scan or steal.
//! Approximations: the reclaim target is exact (a batch never frees more than was asked, where
//! Linux may overshoot by up to 31 pages), and a list loop stops as soon as the target is met
//! (Linux scales the other lists down and finishes them).

use std::collections::BTreeMap;

use crate::errno::Errno;
use crate::machine::Machine;
use crate::memory::mm_counter;
use crate::mm_types::{Pte, RssKind, VmFlags};
use crate::ops::{OpResult, Outcome};
use crate::page_alloc::{PageFlags, Pfn};
use crate::rmap::Mapping;
use crate::vmstat::{Event, NodeStat};

/// `DEF_PRIORITY`: the first pass scans `size >> 12` of each list.
const DEF_PRIORITY: u32 = 12;
/// `SWAP_CLUSTER_MAX`: pages isolated at once.
const SWAP_CLUSTER_MAX: u64 = 32;
/// `MAX_RECLAIM_RETRIES`: passes in a row that free nothing before `memory.reclaim` gives up.
const MAX_RECLAIM_RETRIES: u32 = 16;
/// `vm_swappiness` default: the anon share of `get_scan_count`'s 200.
const SWAPPINESS: u64 = 60;

/// Who is reclaiming.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reclaimer {
    /// The `reclaim` operation (kswapd): writes dirty file pages back.
    Kswapd,
    /// The allocator's `try_to_free_pages`: dirty file pages are activated, not written.
    Direct,
    /// MADV_PAGEOUT (`reclaim_pages`): references ignored, dirty file pages activated.
    Pageout,
}

/// The evictable LRU lists, in `for_each_evictable_lru` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lru {
    InactiveAnon,
    ActiveAnon,
    InactiveFile,
    ActiveFile,
}

impl Lru {
    const EVICTABLE: [Lru; 4] = [Lru::InactiveAnon, Lru::ActiveAnon, Lru::InactiveFile, Lru::ActiveFile];

    /// The evictable list a page on the LRU sits on (None: unevictable).
    fn of(flags: PageFlags) -> Option<Lru> {
        if flags.contains(PageFlags::UNEVICTABLE) {
            return None;
        }
        let active = flags.contains(PageFlags::ACTIVE);
        Some(match (flags.contains(PageFlags::SWAPBACKED), active) {
            (true, false) => Lru::InactiveAnon,
            (true, true) => Lru::ActiveAnon,
            (false, false) => Lru::InactiveFile,
            (false, true) => Lru::ActiveFile,
        })
    }

    fn is_file(self) -> bool {
        matches!(self, Lru::InactiveFile | Lru::ActiveFile)
    }

    fn is_active(self) -> bool {
        matches!(self, Lru::ActiveAnon | Lru::ActiveFile)
    }

    fn stat(self) -> NodeStat {
        match self {
            Lru::InactiveAnon => NodeStat::InactiveAnon,
            Lru::ActiveAnon => NodeStat::ActiveAnon,
            Lru::InactiveFile => NodeStat::InactiveFile,
            Lru::ActiveFile => NodeStat::ActiveFile,
        }
    }
}

/// One node's evictable lists as reclaim walks them: pfns by LRU stamp, the tail first.
struct LruLists {
    lists: [BTreeMap<u32, Pfn>; 4],
}

impl LruLists {
    /// `isolate_lru_folios`: up to `n` pages from the tail of `lru`, the oldest first.
    fn isolate(&mut self, lru: Lru, n: u64) -> Vec<Pfn> {
        let list = &mut self.lists[lru as usize];
        (0..n).map_while(|_| list.pop_first().map(|(_, pfn)| pfn)).collect()
    }
}

/// `enum folio_references`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FolioRef {
    Reclaim,
    ReclaimClean,
    Keep,
    Activate,
}

/// What `folio_referenced` found: VMAs mapping the page young (their young bits now clear),
/// whether one of them is VM_EXEC, and whether the walk met a VM_LOCKED VMA.
#[derive(Clone, Copy, Debug, Default)]
struct Referenced {
    young: u32,
    exec: bool,
    locked: bool,
}

/// `struct scan_control`, the part the model needs.
struct ScanControl {
    who: Reclaimer,
    nid: u32,
    nr_to_reclaim: u64,
    nr_reclaimed: u64,
    priority: u32,
    may_deactivate_anon: bool,
    may_deactivate_file: bool,
    force_deactivate: bool,
    skipped_deactivate: bool,
}

impl ScanControl {
    fn remaining(&self) -> u64 {
        self.nr_to_reclaim.saturating_sub(self.nr_reclaimed)
    }

    fn may_deactivate(&self, lru: Lru) -> bool {
        if lru.is_file() { self.may_deactivate_file } else { self.may_deactivate_anon }
    }
}

/// `int_sqrt`.
fn int_sqrt(x: u64) -> u64 {
    let mut r = (x as f64).sqrt() as u64;
    while r * r > x {
        r -= 1;
    }
    while (r + 1) * (r + 1) <= x {
        r += 1;
    }
    r
}

impl Machine {
    /// The `reclaim` operation: kswapd reclaiming up to `pages` pages from node `nid`, pass
    /// after pass as `memory.reclaim` retries `try_to_free_mem_cgroup_pages`: until the target
    /// is met or `MAX_RECLAIM_RETRIES` passes in a row freed nothing. Each pass ages what it
    /// scans, so pages that were only referenced once go in a later pass.
    pub(crate) fn reclaim(&mut self, nid: u32, pages: u64) -> OpResult {
        if nid >= self.config.nodes {
            return Err(Errno::EINVAL);
        }
        // shrink_slab runs with every reclaim pass: the reservation shrinker frees every unused
        // reserved page (not counted as reclaimed: it is not an LRU page).
        self.shrink_reservations();
        let (mut reclaimed, mut retries) = (0, MAX_RECLAIM_RETRIES);
        while reclaimed < pages && retries > 0 {
            let freed = self.reclaim_node(nid, pages - reclaimed, Reclaimer::Kswapd);
            if freed == 0 {
                retries -= 1;
            }
            reclaimed += freed;
        }
        Ok(Outcome::Count(reclaimed))
    }

    /// Direct reclaim of up to `pages` pages from node `nid` (`try_to_free_pages` restricted to
    /// one node). Returns the pages freed.
    pub(crate) fn shrink_node(&mut self, nid: u32, pages: u64) -> u64 {
        self.reclaim_node(nid, pages, Reclaimer::Direct)
    }

    /// `do_try_to_free_pages`' priority loop over `shrink_node`, with the `force_deactivate`
    /// retry when nothing was freed because active lists were skipped.
    fn reclaim_node(&mut self, nid: u32, pages: u64, who: Reclaimer) -> u64 {
        let mut sc = ScanControl {
            who,
            nid,
            nr_to_reclaim: pages,
            nr_reclaimed: 0,
            priority: DEF_PRIORITY,
            may_deactivate_anon: false,
            may_deactivate_file: false,
            force_deactivate: false,
            skipped_deactivate: false,
        };
        if pages == 0 {
            return 0;
        }
        let mut lists = self.lru_lists(nid);
        loop {
            for priority in (0..=DEF_PRIORITY).rev() {
                sc.priority = priority;
                self.prepare_scan_control(&mut sc);
                self.shrink_lruvec(&mut sc, &mut lists);
                if sc.remaining() == 0 {
                    return sc.nr_reclaimed;
                }
            }
            if sc.nr_reclaimed > 0 || !sc.skipped_deactivate || sc.force_deactivate {
                return sc.nr_reclaimed;
            }
            sc.force_deactivate = true;
            sc.skipped_deactivate = false;
        }
    }

    /// Node `nid`'s evictable lists, ordered by LRU stamp.
    fn lru_lists(&self, nid: u32) -> LruLists {
        let mut lists = LruLists { lists: Default::default() };
        for (pfn, f) in self.k.frames.iter() {
            if f.is_free() || f.nid as u32 != nid || !f.flags.contains(PageFlags::LRU) {
                continue;
            }
            if let Some(lru) = Lru::of(f.flags) {
                lists.lists[lru as usize].insert(f.lru_seq, pfn);
            }
        }
        lists
    }

    /// `move_folios_to_lru` for one page reclaim kept: back on whichever evictable list its
    /// flags now name (the page was already stamped at that list's head).
    fn putback(&self, lists: &mut LruLists, pfn: Pfn) {
        let Some(f) = self.k.frames.get(pfn).filter(|f| !f.is_free() && f.flags.contains(PageFlags::LRU)) else {
            return;
        };
        if let Some(lru) = Lru::of(f.flags) {
            lists.lists[lru as usize].insert(f.lru_seq, pfn);
        }
    }

    fn lru_size(&self, nid: u32, lru: Lru) -> u64 {
        self.k.stats.node(nid, lru.stat()).max(0) as u64
    }

    /// `can_reclaim_anon_pages` without memcg or demotion: free swap space.
    fn can_reclaim_anon_pages(&self) -> bool {
        self.k.swap.used() < self.k.swap.total()
    }

    /// `inactive_is_low`: the inactive list is below `1 / inactive_ratio` of the active one,
    /// the ratio growing with the square root of the list pair's size in GiB.
    fn inactive_is_low(&self, nid: u32, inactive: Lru, active: Lru) -> bool {
        let (inactive, active) = (self.lru_size(nid, inactive), self.lru_size(nid, active));
        let gb = (inactive + active) >> (30 - crate::ops::PAGE_SHIFT);
        let ratio = if gb > 0 { int_sqrt(10 * gb) } else { 1 };
        inactive * ratio < active
    }

    /// `prepare_scan_control`: may each active list be deactivated (no refault history)?
    fn prepare_scan_control(&self, sc: &mut ScanControl) {
        if sc.force_deactivate {
            sc.may_deactivate_anon = true;
            sc.may_deactivate_file = true;
        } else {
            sc.may_deactivate_anon = self.inactive_is_low(sc.nid, Lru::InactiveAnon, Lru::ActiveAnon);
            sc.may_deactivate_file = self.inactive_is_low(sc.nid, Lru::InactiveFile, Lru::ActiveFile);
        }
    }

    /// `get_scan_count`: pages to scan on each list at this priority.
    fn get_scan_count(&self, sc: &ScanControl) -> [u64; 4] {
        #[derive(PartialEq)]
        enum Balance {
            Equal,
            Fract,
            File,
        }
        let inactive_file = self.lru_size(sc.nid, Lru::InactiveFile);
        let balance = if !self.can_reclaim_anon_pages() {
            Balance::File
        } else if sc.priority == 0 {
            Balance::Equal
        } else if inactive_file >> sc.priority > 0 && !sc.may_deactivate_file {
            // cache_trim_mode: plenty of inactive file pages that are not thrashing.
            Balance::File
        } else {
            Balance::Fract
        };
        Lru::EVICTABLE.map(|lru| {
            let scan = self.lru_size(sc.nid, lru) >> sc.priority;
            match balance {
                Balance::Equal => scan,
                Balance::File if lru.is_file() => scan,
                Balance::File => 0,
                Balance::Fract if lru.is_file() => scan * (200 - SWAPPINESS) / 200,
                Balance::Fract => scan * SWAPPINESS / 200,
            }
        })
    }

    /// `shrink_lruvec`: scans the lists 32 pages at a time until their counts are used up or the
    /// target is met, then ages active anon pages if the inactive anon list is low.
    fn shrink_lruvec(&mut self, sc: &mut ScanControl, lists: &mut LruLists) {
        let mut nr = self.get_scan_count(sc);
        let (ia, af, inf) = (Lru::InactiveAnon as usize, Lru::ActiveFile as usize, Lru::InactiveFile as usize);
        while nr[ia] > 0 || nr[af] > 0 || nr[inf] > 0 {
            for lru in Lru::EVICTABLE {
                let n = nr[lru as usize].min(SWAP_CLUSTER_MAX);
                if n == 0 {
                    continue;
                }
                nr[lru as usize] -= n;
                self.shrink_list(sc, lists, lru, n);
            }
            if sc.remaining() == 0 {
                return;
            }
        }
        if self.can_reclaim_anon_pages() && self.inactive_is_low(sc.nid, Lru::InactiveAnon, Lru::ActiveAnon) {
            self.shrink_active_list(sc, lists, Lru::ActiveAnon, SWAP_CLUSTER_MAX);
        }
    }

    /// `shrink_list`.
    fn shrink_list(&mut self, sc: &mut ScanControl, lists: &mut LruLists, lru: Lru, n: u64) {
        if !lru.is_active() {
            self.shrink_inactive_list(sc, lists, lru, n);
        } else if sc.may_deactivate(lru) {
            self.shrink_active_list(sc, lists, lru, n);
        } else {
            sc.skipped_deactivate = true;
        }
    }

    /// `shrink_inactive_list`: isolates up to `n` pages from the tail (no more than the target
    /// still needs), tries to free each, and puts the rest back.
    fn shrink_inactive_list(&mut self, sc: &mut ScanControl, lists: &mut LruLists, lru: Lru, n: u64) {
        let batch = lists.isolate(lru, n.min(sc.remaining()));
        if batch.is_empty() {
            return;
        }
        let scanned = batch.len() as u64;
        let (scan, steal) = match sc.who {
            Reclaimer::Direct => (Event::PgScanDirect, Event::PgStealDirect),
            _ => (Event::PgScanKswapd, Event::PgStealKswapd),
        };
        self.k.stats.count(scan, scanned);
        self.k.stats.count(if lru.is_file() { Event::PgScanFile } else { Event::PgScanAnon }, scanned);
        let mut reclaimed = 0;
        for pfn in batch {
            // A page a reclaim or migration task holds is isolated in Linux: no other reclaim
            // gets it (folio_isolate_lru fails). The model leaves it on its list.
            if self.tasks.page_pins(pfn) == 0 && self.shrink_folio(pfn, sc.who) {
                reclaimed += 1;
            } else {
                self.putback(lists, pfn);
            }
        }
        sc.nr_reclaimed += reclaimed;
        self.k.stats.count(steal, reclaimed);
        self.k.stats.count(if lru.is_file() { Event::PgStealFile } else { Event::PgStealAnon }, reclaimed);
    }

    /// `shrink_active_list`: up to `n` pages from the tail of an active list lose their young
    /// bits and go to the head of the inactive list (pgdeactivate); a referenced page of an
    /// executable file mapping goes round the active list once more.
    fn shrink_active_list(&mut self, _sc: &mut ScanControl, lists: &mut LruLists, lru: Lru, n: u64) {
        let batch = lists.isolate(lru, n);
        self.k.stats.count(Event::PgRefill, batch.len() as u64);
        let mut deactivated = 0;
        for pfn in batch {
            // The split of a THP earlier in this pass (the inactive list's) freed or culled the
            // page: it is no longer on the list being scanned.
            let f = self.k.frames.frame(pfn);
            if f.is_free() || f.flags.contains(PageFlags::UNEVICTABLE) {
                continue;
            }
            let mappings = self.rmap_walk(pfn);
            let refs = self.folio_referenced(pfn, &mappings);
            if refs.locked {
                // Mlocked by the walk: culled to the unevictable list.
                continue;
            }
            if refs.young > 0 && refs.exec && lru.is_file() {
                self.k.frames.lru_stamp(pfn);
            } else {
                self.k.relist(pfn, |f| *f -= PageFlags::ACTIVE);
                deactivated += 1;
            }
            self.putback(lists, pfn);
        }
        self.k.stats.count(Event::PgDeactivate, deactivated);
    }

    /// `folio_referenced`: walks the page's mappings, clearing young bits; a VM_LOCKED VMA stops
    /// the walk and mlocks the page (the model mlocks it once per VM_LOCKED mapping, so that
    /// `mlock_count` keeps counting them). VMAs with MADV_SEQUENTIAL or MADV_RANDOM are skipped
    /// (`vma_has_recency`).
    fn folio_referenced(&mut self, pfn: Pfn, mappings: &[Mapping]) -> Referenced {
        let mut refs = Referenced::default();
        // mlock_vma_folio skips a VMA mlock's walk holds VM_IO on (the walk mlocks the page).
        for _ in mappings.iter().filter(|m| m.mlocks) {
            self.k.mlock_folio(pfn);
        }
        for m in mappings {
            if m.locked {
                refs.locked = true;
                return refs;
            }
            let mm = &mut self.procs.get_mut(&m.pid).expect("mapped pid").mm;
            let Some(flags) = mm.vma_at(m.addr).map(|v| v.flags) else { continue };
            if flags.intersects(VmFlags::SEQ_READ | VmFlags::RAND_READ) {
                continue;
            }
            let pte = mm.pt.get(m.addr);
            if pte.young() {
                mm.pt.set(m.addr, pte.with_young(false));
                refs.young += 1;
                refs.exec |= flags.contains(VmFlags::EXEC);
            }
        }
        refs
    }

    /// `folio_check_references`.
    fn folio_check_references(&mut self, pfn: Pfn, mappings: &[Mapping]) -> FolioRef {
        let refs = self.folio_referenced(pfn, mappings);
        if refs.locked {
            return FolioRef::Activate;
        }
        let f = self.k.frames.frame_mut(pfn);
        let file_lru = !f.flags.contains(PageFlags::SWAPBACKED);
        let referenced_folio = f.flags.contains(PageFlags::REFERENCED);
        f.flags -= PageFlags::REFERENCED;
        if refs.young > 0 {
            f.flags |= PageFlags::REFERENCED;
            if referenced_folio || refs.young > 1 || (refs.exec && file_lru) {
                return FolioRef::Activate;
            }
            return FolioRef::Keep;
        }
        if referenced_folio && file_lru { FolioRef::ReclaimClean } else { FolioRef::Reclaim }
    }

    /// `shrink_folio_list` for one isolated inactive page. Returns whether it was freed; a page
    /// kept is at the head of its (possibly new) list.
    pub(crate) fn shrink_folio(&mut self, pfn: Pfn, who: Reclaimer) -> bool {
        if !self.thp_reclaim_prepare(pfn) {
            return false;
        }
        let mappings = self.rmap_walk(pfn);
        let references =
            if who == Reclaimer::Pageout { FolioRef::Reclaim } else { self.folio_check_references(pfn, &mappings) };
        match references {
            FolioRef::Activate => return self.activate(pfn),
            FolioRef::Keep => return self.keep(pfn),
            FolioRef::Reclaim | FolioRef::ReclaimClean => {}
        }
        if mappings.iter().any(|m| m.locked) {
            // try_to_unmap_one met a VM_LOCKED VMA: mlock the page and keep it.
            for _ in mappings.iter().filter(|m| m.mlocks) {
                self.k.mlock_folio(pfn);
            }
            return self.activate(pfn);
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
            self.shrink_file_page(pfn, &mappings, who, references)
        }
    }

    /// A lazyfree (MADV_FREE) page: discarded unless written since.
    fn shrink_lazyfree(&mut self, pfn: Pfn, mappings: &[Mapping]) -> bool {
        let f = *self.k.frames.frame(pfn);
        let pte_dirty = mappings.iter().any(|m| self.procs[&m.pid].mm.pt.get(m.addr).dirty());
        if pte_dirty || f.flags.contains(PageFlags::DIRTY) {
            // Written since MADV_FREE: try_to_unmap_one makes it normal anon memory again and
            // fails, so the page is activated.
            self.k.relist(pfn, |f| *f |= PageFlags::SWAPBACKED);
            return self.activate(pfn);
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
    pub(crate) fn unmap_file_page(&mut self, pfn: Pfn, mappings: &[Mapping]) {
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

    /// A regular file page: clean ones are dropped. A dirty one is written back by the
    /// `reclaim` operation unless PG_referenced marked it (FOLIOREF_RECLAIM_CLEAN keeps it),
    /// and activated by direct reclaim and MADV_PAGEOUT, which do not write file pages.
    fn shrink_file_page(&mut self, pfn: Pfn, mappings: &[Mapping], who: Reclaimer, references: FolioRef) -> bool {
        self.unmap_file_page(pfn, mappings);
        if self.k.frames.frame(pfn).flags.contains(PageFlags::DIRTY) {
            if who != Reclaimer::Kswapd {
                return self.activate(pfn);
            }
            if references == FolioRef::ReclaimClean {
                return self.keep(pfn);
            }
        }
        // pageout() then the cache removal; the written value reaches the disk.
        let f = *self.k.frames.frame(pfn);
        self.k.remove_cache_page(f.owner, f.index, false);
        true
    }

    /// `keep_locked`: the page goes back to the head of its list.
    fn keep(&mut self, pfn: Pfn) -> bool {
        self.k.frames.lru_stamp(pfn);
        false
    }

    /// `activate_locked`: a page reclaim could not free goes to the active list (pgactivate),
    /// unless it is mlocked (then it is on the unevictable list already). A swap-cache copy is
    /// dropped when swap is more than half full or the page is mlocked.
    pub(crate) fn activate(&mut self, pfn: Pfn) -> bool {
        let flags = self.k.frames.frame(pfn).flags;
        if flags.contains(PageFlags::SWAPCACHE) && (self.k.swap.full() || flags.contains(PageFlags::MLOCKED)) {
            self.k.folio_free_swap(pfn);
        }
        if flags.contains(PageFlags::MLOCKED) {
            return false;
        }
        if flags.contains(PageFlags::ACTIVE) {
            self.k.frames.lru_stamp(pfn);
        } else {
            self.k.relist(pfn, |f| *f |= PageFlags::ACTIVE);
        }
        self.k.stats.count(Event::PgActivate, 1);
        false
    }
}
