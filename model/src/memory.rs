//! Page faults and zapping (mm/memory.c `handle_mm_fault`, `do_anonymous_page`, `do_read_fault`,
//! `do_cow_fault`, `do_shared_fault`, `do_wp_page`, `wp_page_copy`, `wp_page_reuse`,
//! `zap_pte_range`, `zap_present_ptes`, `unmap_mapping_range`, `should_zap_folio`;
//! arch/x86/mm/fault.c `access_error`), and the modeled loads and stores that trigger them.

use crate::config::QUIRK_ZAP_DETAILS_SKIP_SWAP;
use crate::errno::Errno;
use crate::huge_memory::touch_huge_pmd;
use crate::machine::{Kernel, Machine};
use crate::mm_types::{FileId, Mm, PTRS_PER_PTE, Pte, RssKind, VmFlags, Vma};
use crate::ops::{Access, OpResult, Outcome, PAGE_SIZE, Pid, Signal};
use crate::page_alloc::{Frame, PageFlags, Pfn, ZERO_PFN};
use crate::swapfile::Slot;
use crate::vmstat::{Event, NodeStat};

/// Direct reclaim rounds before the OOM killer (`MAX_RECLAIM_RETRIES`).
const MAX_RECLAIM_RETRIES: u32 = 16;

/// Why a fault did not map a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultError {
    Signal(Signal),
    /// VM_FAULT_OOM: no frame could be allocated.
    Oom,
}

impl From<Errno> for FaultError {
    fn from(_: Errno) -> Self {
        FaultError::Oom
    }
}

/// What the fault did, for accounting (`mm_account_fault`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    Minor,
    Major,
}

/// `mm_counter`: the RSS counter a mapped page is charged to.
pub fn mm_counter(f: &Frame) -> RssKind {
    if f.is_anon() {
        RssKind::Anon
    } else if f.is_shmem() {
        RssKind::Shmem
    } else {
        RssKind::File
    }
}

/// Restricts a zap to one file's pages (`struct zap_details`).
#[derive(Clone, Copy, Debug)]
pub struct ZapDetails {
    /// Zap private COW copies (anon pages) too: truncation yes, hole punch no.
    pub even_cows: bool,
    /// The `zap_details_skip_swap` quirk: leave every swap entry, COW or not.
    pub skip_swap: bool,
}

impl ZapDetails {
    /// `should_zap_cows` for a genuine swap entry (always a private anon page).
    fn zaps_swap_entry(details: Option<ZapDetails>) -> bool {
        details.is_none_or(|d| d.even_cows && !d.skip_swap)
    }
}

/// `access_error`: may this access touch the VMA at all?
fn access_allowed(vma: &Vma, write: bool) -> bool {
    if write {
        vma.flags.contains(VmFlags::WRITE)
    } else {
        vma.flags.intersects(VmFlags::READ | VmFlags::WRITE | VmFlags::EXEC)
    }
}

impl Kernel {
    /// Stores a PTE, accounting page-table pages.
    #[inline]
    pub fn set_pte(&mut self, mm: &mut Mm, addr: u64, pte: Pte) {
        self.before_pte_change(mm, addr, pte);
        let delta = mm.pt.set(addr, pte);
        if delta != 0 {
            self.frames.account_tables(delta, &mut self.stats);
        }
    }

    /// Adds one page-table mapping of a page (`folio_add_{anon,file}_rmap_pte`), mlocking it when
    /// the VMA is VM_LOCKED (`mlock_vma_folio`).
    #[inline]
    pub fn rmap_add(&mut self, pfn: Pfn, locked: bool) {
        let f = self.frames.frame_mut(pfn);
        f.mapcount += 1;
        f.refcount += 1;
        if f.mapcount == 1 {
            let (nid, anon) = (f.nid as u32, f.is_anon());
            self.stats.mod_node(nid, if anon { NodeStat::AnonMapped } else { NodeStat::FileMapped }, 1);
        }
        if locked {
            self.mlock_folio(pfn);
        }
    }

    /// Removes one page-table mapping (`folio_remove_rmap_pte`, which munlocks for a VM_LOCKED
    /// VMA: `munlock_vma_folio`) and drops its reference.
    #[inline]
    pub fn rmap_remove_and_put(&mut self, pfn: Pfn, locked: bool) {
        let f = self.frames.frame_mut(pfn);
        f.mapcount -= 1;
        if f.mapcount == 0 {
            let (nid, anon) = (f.nid as u32, f.is_anon());
            self.stats.mod_node(nid, if anon { NodeStat::AnonMapped } else { NodeStat::FileMapped }, -1);
        }
        if locked {
            self.munlock_unmapped_folio(pfn);
        }
        self.put_page(pfn);
    }

    /// Allocates a new exclusive anon page with `value` (`folio_prealloc` +
    /// `folio_add_new_anon_rmap` + `folio_add_lru_vma`).
    fn new_anon_page(&mut self, vma: &Vma, addr: u64, value: u64) -> Result<Pfn, FaultError> {
        let pfn = self.frames.alloc(0, &mut self.stats).ok_or(FaultError::Oom)?;
        self.init_anon_page(pfn, vma, addr, value);
        Ok(pfn)
    }

    /// A new zero-filled anon page for a fault at `addr` of `mm`: from the range's THP
    /// reservation when it has one (`khugepaged_get_reserved_page`), else from the allocator.
    fn new_zeroed_anon_page(&mut self, mm: &mut Mm, vma: &Vma, addr: u64) -> Result<Pfn, FaultError> {
        match self.take_reserved(mm, addr) {
            Some(pfn) => {
                self.init_anon_page(pfn, vma, addr, 0);
                Ok(pfn)
            }
            None => self.new_anon_page(vma, addr, 0),
        }
    }

    /// `folio_add_new_anon_rmap` + `folio_add_lru_vma` for a freshly allocated frame.
    fn init_anon_page(&mut self, pfn: Pfn, vma: &Vma, addr: u64, value: u64) {
        let f = self.frames.frame_mut(pfn);
        f.value = value;
        f.index = vma.pgoff_at(addr);
        f.owner = vma.anon_vma.expect("anon_vma prepared");
        f.flags |= PageFlags::ANON | PageFlags::SWAPBACKED | PageFlags::ANON_EXCLUSIVE;
        f.refcount = 0;
        self.rmap_add(pfn, false);
        // folio_add_lru_vma
        if vma.flags.contains(VmFlags::LOCKED) {
            self.mlock_new_folio(pfn);
        } else {
            self.lru_add(pfn);
        }
    }

    /// Maps a new anon page at `addr`, replacing whatever was there (the caller has unmapped it).
    fn map_new_anon(&mut self, mm: &mut Mm, vma: &Vma, addr: u64, value: u64) -> Result<(), FaultError> {
        let pfn = self.new_anon_page(vma, addr, value)?;
        self.install_anon(mm, addr, pfn);
        Ok(())
    }

    /// Points the PTE at `addr` to a new exclusive anon page, writable and dirty.
    fn install_anon(&mut self, mm: &mut Mm, addr: u64, pfn: Pfn) {
        self.set_pte(mm, addr, Pte::present(pfn, true, true));
        mm.rss[RssKind::Anon as usize] += 1;
    }

    /// `anon_vma_prepare`: gives the VMA at `start` an anon_vma, borrowing a neighbour's when
    /// they could share one. Returns the updated VMA.
    pub(crate) fn anon_vma_prepare(&mut self, mm: &mut Mm, start: u64) -> Vma {
        let v = &mm.vmas[&start];
        if v.anon_vma.is_some() {
            return v.clone();
        }
        let id = mm.find_mergeable_anon_vma(start).unwrap_or_else(|| self.new_anon_vma());
        let v = mm.vmas.get_mut(&start).expect("vma");
        v.anon_vma = Some(id);
        v.clone()
    }

    /// `handle_mm_fault` for one page. The VMA exists and allows the access.
    pub fn handle_fault(&mut self, mm: &mut Mm, vma: &Vma, addr: u64, write: bool) -> Result<FaultKind, FaultError> {
        let kind = if self.reservations_on() {
            // With reservations the RFC never allocates a THP at fault time: the range is
            // reserved instead and promoted by khugepaged.
            if vma.file.is_none() && !vma.is_shared() {
                self.maybe_reserve(mm, vma, addr, write);
            }
            self.handle_pte_fault(mm, vma, addr, write)?
        } else if self.do_huge_pmd_anonymous_page(mm, vma, addr, write)? {
            FaultKind::Minor
        } else {
            self.handle_pte_fault(mm, vma, addr, write)?
        };
        self.stats.count(Event::PgFault, 1);
        if kind == FaultKind::Major {
            self.stats.count(Event::PgMajFault, 1);
            mm.maj_flt += 1;
        } else {
            mm.min_flt += 1;
        }
        Ok(kind)
    }

    /// `handle_pte_fault`, with the page table allocated first.
    fn handle_pte_fault(&mut self, mm: &mut Mm, vma: &Vma, addr: u64, write: bool) -> Result<FaultKind, FaultError> {
        // __pte_alloc: the page table comes first, from node 0.
        if !mm.pt.has_table(addr) {
            if self.frames.table_room() == 0 {
                return Err(FaultError::Oom);
            }
            mm.pt.ensure_table(addr);
            self.frames.account_tables(1, &mut self.stats);
        }
        let pte = mm.pt.get(addr);
        let kind = if pte.is_none() {
            self.do_pte_missing(mm, vma, addr, write)?
        } else if pte.is_swap() {
            self.do_swap_page(mm, vma, addr, pte, write)?
        } else if pte.is_present() && write && !pte.writable() {
            if !self.do_huge_pmd_wp_page(mm, vma, addr)? {
                let pte = mm.pt.get(addr);
                self.do_wp_page(mm, vma, addr, pte)?;
            }
            FaultKind::Minor
        } else {
            // A spurious fault: the entry is fine, only the accessed/dirty bits change.
            let pte = pte.with_young(true);
            self.set_pte(mm, addr, if write { pte.with_dirty(true) } else { pte });
            FaultKind::Minor
        };
        Ok(kind)
    }

    fn do_pte_missing(&mut self, mm: &mut Mm, vma: &Vma, addr: u64, write: bool) -> Result<FaultKind, FaultError> {
        let Some(file) = vma.file else {
            return self.do_anonymous_page(mm, vma, addr, write).map(|_| FaultKind::Minor);
        };
        let index = vma.pgoff_at(addr);
        if !write && self.do_fault_around(mm, vma, addr, file) {
            return Ok(FaultKind::Minor);
        }
        if write && !vma.is_shared() {
            // do_cow_fault prepares the anon_vma before it asks the file for the page, so even a
            // fault that ends in SIGBUS leaves the VMA with one (and its later pieces share it).
            self.anon_vma_prepare(mm, vma.start);
        }
        if index >= self.inode(file).size_pages() {
            return Err(FaultError::Signal(Signal::Bus));
        }
        let mut missed = false;
        if !self.inode(file).is_shmem() {
            match self.filemap_readahead(mm, vma, addr, file, write) {
                Readahead::Mapped(kind) => return Ok(kind),
                Readahead::Missed => missed = true,
                Readahead::Hit => {}
            }
        }
        let (page, major) = self.get_cache_page(file, index, 0)?;
        let kind = if major || missed { FaultKind::Major } else { FaultKind::Minor };
        if write && !vma.is_shared() {
            // do_cow_fault: the private copy is anon; the cache page is not mapped.
            let value = self.frames.frame(page).value;
            let vma = self.anon_vma_prepare(mm, vma.start);
            self.map_new_anon(mm, &vma, addr, value)?;
            return Ok(kind);
        }
        let writable =
            vma.is_shared() && (write || (vma.flags.contains(VmFlags::WRITE) && self.inode(file).is_shmem()));
        self.rmap_add(page, vma.flags.contains(VmFlags::LOCKED));
        self.set_pte(mm, addr, Pte::present(page, writable, write));
        if write {
            self.mark_dirty(page);
        }
        let counter = mm_counter(self.frames.frame(page));
        mm.rss[counter as usize] += 1;
        Ok(kind)
    }

    /// The readahead half of `filemap_fault` on a disk file: a cached page the fault did not
    /// map is a hit (`do_async_mmap_readahead`); a miss reads ahead (`do_sync_mmap_readahead`).
    /// Both drop the lock for their I/O and the fault is retried (VM_FAULT_RETRY); a read
    /// fault's retry maps what fault-around now finds.
    fn filemap_readahead(&mut self, mm: &mut Mm, vma: &Vma, addr: u64, file: FileId, write: bool) -> Readahead {
        let index = vma.pgoff_at(addr);
        if let Some(&pfn) = self.inode(file).cache.get(&index) {
            if !self.async_mmap_readahead(file, index, pfn, vma.flags) {
                return Readahead::Hit;
            }
            // The retry is not FAULT_FLAG_TRIED (the first attempt was not major), so it meets
            // the page, unmarked now, as a hit again.
            self.async_mmap_readahead(file, index, pfn, vma.flags);
            if !write && self.do_fault_around(mm, vma, addr, file) {
                return Readahead::Mapped(FaultKind::Minor);
            }
            return Readahead::Hit;
        }
        self.sync_mmap_readahead(file, index, vma);
        let retried = !write && self.inode(file).cache.contains_key(&index);
        if retried && self.do_fault_around(mm, vma, addr, file) {
            return Readahead::Mapped(FaultKind::Major);
        }
        Readahead::Missed
    }

    /// `do_fault_around` + `filemap_map_pages`: a read fault maps the page-cache pages already
    /// resident in the aligned 16-page window around `addr` (clamped to the VMA, the page table
    /// and EOF), read-only unless the VMA is writable shared shmem. Returns whether the faulting
    /// page itself got mapped.
    fn do_fault_around(&mut self, mm: &mut Mm, vma: &Vma, addr: u64, file: FileId) -> bool {
        const FAULT_AROUND_PAGES: u64 = 16;
        let pte_off = (addr / PAGE_SIZE) % PTRS_PER_PTE as u64;
        let vma_off = (addr - vma.start) / PAGE_SIZE;
        let from = (pte_off / FAULT_AROUND_PAGES * FAULT_AROUND_PAGES).max(pte_off - pte_off.min(vma_off));
        let to = (from + FAULT_AROUND_PAGES).min(PTRS_PER_PTE as u64).min(pte_off + vma.pages() - vma_off);
        let size_pages = self.inode(file).size_pages();
        let table_base = addr - pte_off * PAGE_SIZE;
        // set_pte_range with vm_page_prot: writable only where no write notification is needed
        // (a writable shared shmem VMA), as for the faulting page itself.
        let writable = vma.is_shared() && vma.flags.contains(VmFlags::WRITE) && self.inode(file).is_shmem();
        let (mut mapped_fault_page, mut mapped) = (false, 0);
        for off in from..to {
            let a = table_base + off * PAGE_SIZE;
            let index = vma.pgoff_at(a);
            if index >= size_pages || !mm.pt.get(a).is_none() {
                continue;
            }
            let Some(&pfn) = self.inode(file).cache.get(&index) else { continue };
            // filemap_map_pages skips folios that are not uptodate (fallocated shmem) and those
            // marked for readahead (the fault on them starts the next window).
            let flags = self.frames.frame(pfn).flags;
            if !flags.contains(PageFlags::UPTODATE) || flags.contains(PageFlags::READAHEAD) {
                continue;
            }
            self.rmap_add(pfn, vma.flags.contains(VmFlags::LOCKED));
            self.set_pte(mm, a, Pte::present(pfn, writable, false));
            let counter = mm_counter(self.frames.frame(pfn));
            mm.rss[counter as usize] += 1;
            mapped_fault_page |= a == addr;
            mapped += 1;
        }
        if !self.inode(file).is_shmem() {
            self.ra_fault_around_hits(file, mapped);
        }
        mapped_fault_page
    }

    fn do_anonymous_page(&mut self, mm: &mut Mm, vma: &Vma, addr: u64, write: bool) -> Result<(), FaultError> {
        if !write {
            self.set_pte(mm, addr, Pte::present(ZERO_PFN, false, false));
            return Ok(());
        }
        let vma = self.anon_vma_prepare(mm, vma.start);
        let pfn = self.new_zeroed_anon_page(mm, &vma, addr)?;
        self.install_anon(mm, addr, pfn);
        Ok(())
    }

    /// `do_wp_page`: a write to a present read-only entry of a writable VMA.
    fn do_wp_page(&mut self, mm: &mut Mm, vma: &Vma, addr: u64, pte: Pte) -> Result<(), FaultError> {
        let pfn = pte.pfn();
        if pfn == ZERO_PFN {
            let vma = self.anon_vma_prepare(mm, vma.start);
            let new = self.new_zeroed_anon_page(mm, &vma, addr)?;
            self.install_anon(mm, addr, new);
            return Ok(());
        }
        if vma.is_shared() {
            // wp_page_shared: write notification, then the page is dirty.
            self.set_pte(mm, addr, pte.with_write(true).with_dirty(true).with_young(true));
            self.mark_dirty(pfn);
            return Ok(());
        }
        if self.frames.frame(pfn).flags.contains(PageFlags::SWAPCACHE) && self.frames.frame(pfn).mapcount == 1 {
            // wp_can_reuse_anon_folio: a swap-cache copy nobody else references is dropped.
            self.folio_free_swap(pfn);
        }
        let f = *self.frames.frame(pfn);
        if f.is_anon() && (f.flags.contains(PageFlags::ANON_EXCLUSIVE) || f.refcount == 1) {
            // wp_can_reuse_anon_folio: nobody else holds the page, so it is ours again.
            self.frames.frame_mut(pfn).flags |= PageFlags::ANON_EXCLUSIVE;
            self.set_pte(mm, addr, pte.with_write(true).with_dirty(true).with_young(true));
            return Ok(());
        }
        // wp_page_copy: the copy is made before the old page is unmapped, so an OOM leaves the
        // original in place.
        let vma = self.anon_vma_prepare(mm, vma.start);
        let new = self.new_anon_page(&vma, addr, f.value)?;
        mm.rss[mm_counter(&f) as usize] -= 1;
        self.rmap_remove_and_put(pfn, vma.flags.contains(VmFlags::LOCKED));
        self.install_anon(mm, addr, new);
        Ok(())
    }

    /// `do_swap_page`: brings the page of a swap entry back. An entry nobody else references is
    /// read straight into a new page (the synchronous device skips the swap cache); a shared
    /// one goes through the swap cache, where a page already there makes the fault minor.
    pub(crate) fn do_swap_page(
        &mut self,
        mm: &mut Mm,
        vma: &Vma,
        addr: u64,
        pte: Pte,
        write: bool,
    ) -> Result<FaultKind, FaultError> {
        let slot = pte.swap_offset();
        let locked = vma.flags.contains(VmFlags::LOCKED);
        let vma = self.anon_vma_prepare(mm, vma.start);
        let cached = self.swap.slot(slot).and_then(|s| s.cache);
        let (pfn, kind, skipped_cache) = match cached {
            Some(pfn) => {
                self.swap_cache_hit(pfn);
                (pfn, FaultKind::Minor, false)
            }
            None => {
                let skip = self.swap.count(slot) == 1;
                let pfn = if skip {
                    self.swapin_uncached(&vma, addr, slot)?
                } else {
                    let pfn = self.read_swap_cache_async(slot).ok_or(FaultError::Oom)?;
                    self.swap_cluster_readahead(slot);
                    pfn
                };
                (pfn, FaultKind::Major, skip)
            }
        };
        self.claim_swapcache_page(pfn, &vma, addr);
        let sole_user = self.frames.frame(pfn).mapcount == 0;
        self.swap_free(slot);
        if skipped_cache {
            // folio_add_new_anon_rmap + folio_add_lru_vma
            self.rmap_add(pfn, false);
            if locked {
                self.mlock_new_folio(pfn);
            } else {
                self.lru_add(pfn);
            }
        } else {
            self.rmap_add(pfn, locked);
            // should_try_to_free_swap
            if self.swap.full() || locked || (write && sole_user) {
                self.folio_free_swap(pfn);
            }
        }
        let in_cache = self.frames.frame(pfn).flags.contains(PageFlags::SWAPCACHE);
        let exclusive = pte.swap_exclusive() || skipped_cache || (sole_user && !in_cache);
        let writable = exclusive && vma.flags.contains(VmFlags::WRITE);
        if exclusive {
            self.frames.frame_mut(pfn).flags |= PageFlags::ANON_EXCLUSIVE;
        }
        self.set_pte(mm, addr, Pte::present(pfn, writable, write && writable));
        mm.rss[RssKind::Anon as usize] += 1;
        mm.rss[RssKind::SwapEnts as usize] -= 1;
        if write && !writable {
            self.do_wp_page(mm, &vma, addr, mm.pt.get(addr))?;
        }
        Ok(kind)
    }

    /// `folio_add_new_anon_rmap` for a swap-cache page read ahead of use (or by WILLNEED): it
    /// joins the anon_vma root of the first VMA that maps it.
    fn claim_swapcache_page(&mut self, pfn: Pfn, vma: &Vma, addr: u64) {
        if self.frames.frame(pfn).owner != 0 {
            return;
        }
        let root = self.anon_vma_root(vma.anon_vma.expect("anon_vma prepared"));
        let f = self.frames.frame_mut(pfn);
        f.owner = root;
        f.index = vma.pgoff_at(addr);
    }

    /// Reads `slot` into a new anon page of `vma` at `addr`, bypassing the swap cache
    /// (`alloc_swap_folio` + `swap_read_folio` on the SWP_SYNCHRONOUS_IO path).
    fn swapin_uncached(&mut self, vma: &Vma, addr: u64, slot: Slot) -> Result<Pfn, FaultError> {
        let pfn = self.frames.alloc(0, &mut self.stats).ok_or(FaultError::Oom)?;
        let value = self.swap_read(slot);
        let f = self.frames.frame_mut(pfn);
        f.value = value;
        f.index = vma.pgoff_at(addr);
        f.owner = vma.anon_vma.expect("anon_vma prepared");
        f.flags |= PageFlags::ANON | PageFlags::SWAPBACKED;
        // The allocation's reference is handed to the first mapping (rmap_add takes its own).
        f.refcount = 0;
        Ok(pfn)
    }

    /// `zap_pte_range` over `[start, end)` of one VMA. With `details`, only this VMA's file pages
    /// (and, with `even_cows`, its private anon copies) are zapped (`should_zap_folio`).
    pub fn zap_range(&mut self, mm: &mut Mm, start: u64, end: u64, details: Option<ZapDetails>, locked: bool) {
        mm.update_hiwater_rss();
        self.split_huge_pmd_edges(mm, start, end);
        for (addr, pte) in mm.pt.range(start, end) {
            if pte.is_present() {
                let pfn = pte.pfn();
                if pfn == ZERO_PFN {
                    if details.is_none() {
                        self.set_pte(mm, addr, Pte::NONE);
                    }
                    continue;
                }
                let f = *self.frames.frame(pfn);
                if details.is_some_and(|d| f.is_anon() && !d.even_cows) {
                    continue;
                }
                self.set_pte(mm, addr, Pte::NONE);
                if pte.dirty() && !f.is_anon() {
                    self.mark_dirty(pfn);
                }
                // zap_present_ptes: a young PTE of a file (or shmem) page marks it accessed,
                // unless the VMA has no recency (MADV_SEQUENTIAL / MADV_RANDOM).
                let recency =
                    mm.vma_at(addr).is_none_or(|v| !v.flags.intersects(VmFlags::SEQ_READ | VmFlags::RAND_READ));
                if pte.young() && !f.is_anon() && recency {
                    self.mark_accessed(pfn);
                }
                mm.rss[mm_counter(&f) as usize] -= 1;
                self.rmap_remove_and_put(pfn, locked);
                if f.flags.contains(PageFlags::SWAPCACHE) {
                    self.free_swap_cache(pfn);
                }
            } else if pte.is_migration() {
                // zap_nonpresent_ptes: a migration entry counts in RSS like the page it stands
                // for; the migration finds it gone when it restores the mappings.
                let f = *self.frames.frame(pte.pfn());
                if details.is_some_and(|d| d.skip_swap || (f.is_anon() && !d.even_cows)) {
                    continue;
                }
                self.set_pte(mm, addr, Pte::NONE);
                mm.rss[mm_counter(&f) as usize] -= 1;
            } else if pte.is_swap() {
                if !ZapDetails::zaps_swap_entry(details) {
                    continue;
                }
                self.set_pte(mm, addr, Pte::NONE);
                mm.rss[RssKind::SwapEnts as usize] -= 1;
                self.free_swap_and_cache(pte.swap_offset());
            }
        }
        self.deferred_split_after_zap(mm, start, end);
    }
}

impl Machine {
    /// `unmap_mapping_range`: zaps every mapping of file pages `[first, last)` in every mm.
    pub(crate) fn unmap_mapping_range(&mut self, file: FileId, first: u64, last: u64, even_cows: bool) {
        let details = ZapDetails { even_cows, skip_swap: self.config.quirk(QUIRK_ZAP_DETAILS_SKIP_SWAP) };
        let pids: Vec<Pid> = self.procs.keys().copied().collect();
        for pid in pids {
            let ranges: Vec<(u64, u64, bool)> = self.procs[&pid]
                .mm
                .vmas
                .values()
                .filter(|v| v.file == Some(file))
                .filter_map(|v| {
                    let lo = first.max(v.pgoff);
                    let hi = last.min(v.pgoff + v.pages());
                    let locked = v.flags.contains(VmFlags::LOCKED);
                    (lo < hi)
                        .then(|| (v.start + (lo - v.pgoff) * PAGE_SIZE, v.start + (hi - v.pgoff) * PAGE_SIZE, locked))
                })
                .collect();
            for (s, e, locked) in ranges {
                let mm = &mut self.procs.get_mut(&pid).expect("pid").mm;
                self.k.zap_range(mm, s, e, Some(details), locked);
                self.account_munlocks();
            }
        }
    }

    /// Makes the page at `addr` accessible as asked, faulting if needed. Returns its pfn.
    fn access_page(&mut self, pid: Pid, addr: u64, write: bool) -> Result<Pfn, FaultError> {
        let proc = self.procs.get_mut(&pid).ok_or(FaultError::Signal(Signal::SegvMaperr))?;
        let mm = &mut proc.mm;
        let page = addr & !(PAGE_SIZE - 1);
        let vma = mm.vma_at(page).ok_or(FaultError::Signal(Signal::SegvMaperr))?;
        if !access_allowed(vma, write) {
            return Err(FaultError::Signal(Signal::SegvAccerr));
        }
        let pte = mm.pt.get(page);
        if pte.is_present() && (!write || pte.writable()) {
            // The MMU sets the accessed bit on every load and store, and the dirty bit on a store.
            let now = if write { pte.with_dirty(true).with_young(true) } else { pte.with_young(true) };
            if now != pte {
                self.k.set_pte(mm, page, now);
                touch_huge_pmd(mm, page, write);
            }
            return Ok(pte.pfn());
        }
        let vma = vma.clone();
        self.k.handle_fault(mm, &vma, page, write)?;
        Ok(mm.pt.get(page).pfn())
    }

    /// One access, with the page allocator's slow path behind it: when a fault finds no free
    /// frame, direct reclaim runs and the fault is retried; when reclaim frees nothing, the OOM
    /// killer kills a process and the fault is retried (`__alloc_pages_slowpath`,
    /// `pagefault_out_of_memory`). A killed faulting process sees SIGKILL.
    fn access_result(&mut self, pid: Pid, addr: u64, write: bool) -> Result<Result<Pfn, Signal>, Errno> {
        if !self.procs.contains_key(&pid) {
            return Err(Errno::ESRCH);
        }
        // MAX_RECLAIM_RETRIES: an atomic fault holds no page locks, so what reclaim frees may be
        // what the retried fault allocates again; the bound turns that livelock into an OOM kill.
        let mut reclaim_rounds = 0;
        loop {
            match self.access_page(pid, addr, write) {
                Ok(pfn) => return Ok(Ok(pfn)),
                Err(FaultError::Signal(s)) => return Ok(Err(s)),
                Err(FaultError::Oom) => {
                    // The reservation shrinker gives back unused reserved pages before reclaim.
                    if self.shrink_reservations() > 0 {
                        continue;
                    }
                    if reclaim_rounds < MAX_RECLAIM_RETRIES && self.direct_reclaim() > 0 {
                        reclaim_rounds += 1;
                        continue;
                    }
                    match self.out_of_memory() {
                        Some(victim) if victim == pid => return Ok(Err(Signal::Kill)),
                        Some(_) => continue,
                        None => return Err(Errno::ENOMEM),
                    }
                }
            }
        }
    }

    /// A load from the page at `addr`.
    pub(crate) fn access_read(&mut self, pid: Pid, addr: u64) -> OpResult {
        Ok(match self.access_result(pid, addr, false)? {
            Ok(ZERO_PFN) => Outcome::Value(0),
            Ok(pfn) => Outcome::Value(self.k.frames.frame(pfn).value),
            Err(sig) => Outcome::Signal(sig),
        })
    }

    /// A store of `value` into the page at `addr`.
    pub(crate) fn access_write(&mut self, pid: Pid, addr: u64, value: u64) -> OpResult {
        Ok(match self.access_result(pid, addr, true)? {
            Ok(pfn) => {
                self.k.frames.frame_mut(pfn).value = value;
                Outcome::Done
            }
            Err(sig) => Outcome::Signal(sig),
        })
    }

    /// Loads or stores every page of `[addr, addr+len)`; stops at the first signal.
    pub(crate) fn access_touch(&mut self, pid: Pid, addr: u64, len: u64, access: Access) -> OpResult {
        if !self.procs.contains_key(&pid) {
            return Err(Errno::ESRCH);
        }
        let start = addr & !(PAGE_SIZE - 1);
        let end = addr.checked_add(len).ok_or(Errno::EINVAL)?;
        let mut page = start;
        while page < end {
            if let Err(sig) = self.access_result(pid, page, access == Access::Write)? {
                return Ok(Outcome::Signal(sig));
            }
            match page.checked_add(PAGE_SIZE) {
                Some(p) => page = p,
                None => break,
            }
        }
        Ok(Outcome::Done)
    }

    /// The value at `addr` as userspace would read it, without faulting (0 when nothing is
    /// mapped there).
    pub fn peek(&self, pid: Pid, addr: u64) -> Result<u64, Errno> {
        let proc = self.proc(pid)?;
        let pte = proc.mm.pt.get(addr & !(PAGE_SIZE - 1));
        if pte.is_present() && pte.pfn() != ZERO_PFN {
            return Ok(self.k.frames.frame(pte.pfn()).value);
        }
        if pte.is_swap() {
            let slot = self.k.swap.slot(pte.swap_offset()).copied().unwrap_or_default();
            return Ok(slot.cache.map_or(slot.value, |pfn| self.k.frames.frame(pfn).value));
        }
        if let Some(v) = proc.mm.vma_at(addr)
            && let Some(file) = v.file
            && pte.is_none()
        {
            let inode = self.k.inode(file);
            let index = v.pgoff_at(addr & !(PAGE_SIZE - 1));
            if let Some(&pfn) = inode.cache.get(&index) {
                return Ok(self.k.frames.frame(pfn).value);
            }
            if let Some(&slot) = inode.swap.get(&index) {
                return Ok(self.k.swap.slot(slot).map_or(0, |s| s.value));
            }
            return Ok(inode.disk.get(&index).copied().unwrap_or(0));
        }
        Ok(0)
    }
}

/// What the readahead half of a disk-file fault did.
enum Readahead {
    /// The retried fault mapped the page (the fault is complete).
    Mapped(FaultKind),
    /// The page was cached already.
    Hit,
    /// The page was not cached: the fault is major.
    Missed,
}
