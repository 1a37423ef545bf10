//! File readahead for page faults, reads and MADV_WILLNEED on disk files (mm/readahead.c
//! `page_cache_ra_order`, `do_page_cache_ra`, `page_cache_ra_unbounded`, `force_page_cache_ra`,
//! `page_cache_async_ra`, `get_next_ra_size`; mm/filemap.c `do_sync_mmap_readahead`,
//! `do_async_mmap_readahead` and the `mmap_miss` count of `filemap_map_pages`).
//!
//! A fault that misses the page cache reads a window around the faulting page (`ra_pages`
//! from the machine's `read_ahead_kb`, starting `ra_pages / 2` before it, clamped to EOF) and
//! marks the page `async_size` from the window's end PG_readahead; fault-around does not map a
//! marked page, and the fault that meets it reads the next window (the window's start moves by
//! its size; its size ramps up to `ra_pages`). An executable mapping reads `ra_pages` from the
//! faulting page on, within the VMA, unmarked. MADV_RANDOM turns readahead off, MADV_SEQUENTIAL
//! reads `ra_pages` from the faulting page on. After more than `MMAP_LOTSAMISS` misses that no
//! hit paid back, faults read only their own page.
//!
//! Shmem has no readahead. Two simplifications: the readahead state (`struct file_ra_state`)
//! is kept per inode, not per open file description (the two differ only when one file is
//! opened twice and faulted through both), and every page read ahead is an order-0 page: the
//! kernel's asynchronous windows on a file system with large folios (ext4 since 6.16) use folios
//! of growing order, and the model follows their layout only where it shows in mappings (the
//! window's end on an order boundary, the mark on the whole first folio), not in kpageflags
//! COMPOUND_HEAD/TAIL or kpagecount. read(2) behaves as after
//! POSIX_FADV_RANDOM (`FMODE_RANDOM`: it reads only the pages asked for), except that a read of a
//! marked page still starts the next window, as `filemap_get_pages` does.

use crate::machine::Kernel;
use crate::mm_types::{FileId, VmFlags, Vma};
use crate::page_alloc::{PageFlags, Pfn};

/// `VM_READAHEAD_PAGES` in kB: the default `read_ahead_kb` of a block device.
pub const DEFAULT_READ_AHEAD_KB: u32 = 128;
/// The largest `read_ahead_kb` a machine accepts (1 GiB).
pub const MAX_READ_AHEAD_KB: u32 = 1 << 20;
/// `MMAP_LOTSAMISS`: misses after which mmap read-around stops.
const MMAP_LOTSAMISS: u32 = 100;
/// `force_page_cache_ra` reads in chunks of 2 MiB.
const FORCE_RA_CHUNK: u64 = 512;

/// `struct file_ra_state`: the most recent readahead window and the mmap miss count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FileRaState {
    /// First page of the window.
    pub start: u64,
    /// Pages in the window.
    pub size: u64,
    /// Pages at the window's end whose first is marked PG_readahead.
    pub async_size: u64,
    /// `mmap_miss`: faults that missed the cache, less the pages faults found there.
    pub mmap_miss: u32,
    /// Folio order of the window's pages (0 for read-around; +2 per asynchronous window).
    pub order: u32,
}

/// `MAX_PAGECACHE_ORDER` on x86-64 (PMD_ORDER).
const MAX_PAGECACHE_ORDER: u32 = 9;

fn round_down(x: u64, to: u64) -> u64 {
    x - x % to
}

/// `get_next_ra_size`: the next window after one of `cur` pages.
fn next_ra_size(cur: u64, max: u64) -> u64 {
    if cur < max / 16 {
        4 * cur
    } else if cur <= max / 2 {
        2 * cur
    } else {
        max
    }
}

impl Kernel {
    /// Pages of one readahead window (`bdi->ra_pages`).
    pub fn ra_pages(&self) -> u64 {
        u64::from(self.read_ahead_kb) / 4
    }

    /// `do_sync_mmap_readahead`: a fault (read or write) on `index` of a disk file missed the
    /// page cache. Afterwards the page may be cached (read with its window) or not (left to
    /// the fault's own read).
    pub fn sync_mmap_readahead(&mut self, file: FileId, index: u64, vma: &Vma) {
        let vm_flags = vma.flags;
        let ra_pages = self.ra_pages();
        if vm_flags.contains(VmFlags::RAND_READ) || ra_pages == 0 {
            return;
        }
        if vm_flags.contains(VmFlags::SEQ_READ) {
            // page_cache_sync_ra of the servant's FMODE_RANDOM file: force_page_cache_ra.
            self.force_page_cache_ra(file, index, ra_pages);
            return;
        }
        let ra = &mut self.inode_mut(file).ra;
        if ra.mmap_miss < MMAP_LOTSAMISS * 10 {
            ra.mmap_miss += 1;
        }
        if ra.mmap_miss > MMAP_LOTSAMISS {
            return;
        }
        if vm_flags.contains(VmFlags::EXEC) {
            // Executable mappings are read from the fault on, within the VMA, with no mark
            // (exec_folio_order is 0 on x86).
            ra.start = index.max(vma.pgoff);
            ra.size = (ra.start + ra_pages).min(vma.pgoff + vma.pages()) - ra.start;
            ra.async_size = 0;
            ra.order = 0;
        } else {
            // mmap read-around.
            ra.start = index.saturating_sub(ra_pages / 2);
            ra.size = ra_pages;
            ra.async_size = ra_pages / 4;
            ra.order = 0;
        }
        self.page_cache_ra_order(file);
    }

    /// `do_async_mmap_readahead`: a fault found `pfn` (at `index`) cached but did not map it
    /// by fault-around. A hit pays back one miss; a marked page starts the next window, for
    /// which the fault drops its lock: returns whether it did (the fault is retried).
    pub fn async_mmap_readahead(&mut self, file: FileId, index: u64, pfn: Pfn, vm_flags: VmFlags) -> bool {
        let ra_pages = self.ra_pages();
        if vm_flags.contains(VmFlags::RAND_READ) || ra_pages == 0 {
            return false;
        }
        let ra = &mut self.inode_mut(file).ra;
        ra.mmap_miss = ra.mmap_miss.saturating_sub(1);
        if !self.frames.frame(pfn).flags.contains(PageFlags::READAHEAD) {
            return false;
        }
        self.page_cache_async_ra(file, index, pfn, ra_pages);
        true
    }

    /// The `mmap_miss` payback of `filemap_map_pages`: fault-around mapped `mapped` cached pages
    /// (none of them is PG_workingset: the model has no refault detection).
    pub fn ra_fault_around_hits(&mut self, file: FileId, mapped: u64) {
        let ra = &mut self.inode_mut(file).ra;
        ra.mmap_miss = ra.mmap_miss.saturating_sub(u32::try_from(mapped).unwrap_or(u32::MAX));
    }

    /// `page_cache_async_ra`: the marked page `pfn` at `index` was used; `req_count` is the
    /// size of the request that used it.
    pub fn page_cache_async_ra(&mut self, file: FileId, index: u64, pfn: Pfn, req_count: u64) {
        let max = self.ra_pages();
        if max == 0 {
            return;
        }
        let folio_pages = self.clear_readahead_folio(file, index, pfn);
        let ra = self.inode(file).ra;
        let mut next = ra;
        if index == round_down(ra.start + ra.size - ra.async_size, folio_pages) {
            // The expected mark: a sequential stream; push the window forward and ramp it up.
            next.start = ra.start + ra.size;
            next.size = ra.size.max(next_ra_size(ra.size, max));
        } else {
            // A mark without matching state (interleaved streams, or a page inside the marked
            // folio): the cached run after the mark stands for the old window.
            let Some(start) = self.next_cache_miss(file, index + 1, max) else { return };
            if start - index > max {
                return;
            }
            next.start = start;
            next.size = next_ra_size(start - index + req_count, max);
        }
        // Each asynchronous window asks for folios two orders larger, at most the window's
        // own order, and ends on a boundary of that order.
        next.size = next.size.max(1);
        next.order = (ra.order + 2).min(MAX_PAGECACHE_ORDER).min(next.size.ilog2());
        next.size = round_down(next.start + next.size, 1 << next.order) - next.start;
        next.async_size = next.size;
        self.inode_mut(file).ra = next;
        self.page_cache_ra_order(file);
    }

    /// `folio_clear_readahead` on the marked folio holding `index`; returns its size in pages.
    fn clear_readahead_folio(&mut self, file: FileId, index: u64, pfn: Pfn) -> u64 {
        self.frames.frame_mut(pfn).flags -= PageFlags::READAHEAD;
        let inode = self.inode_mut(file);
        let Some((&first, &pages)) = inode.ra_marks.range(..=index).next_back().filter(|(f, n)| index < **f + **n)
        else {
            return 1;
        };
        inode.ra_marks.remove(&first);
        for i in first..first + pages {
            if let Some(&p) = self.inode(file).cache.get(&i) {
                self.frames.frame_mut(p).flags -= PageFlags::READAHEAD;
            }
        }
        pages
    }

    /// `force_page_cache_ra`: reads `nr` pages from `index`, no mark. The kernel reads at most
    /// the larger of one window and the device's optimal I/O size; the model takes the window.
    pub fn force_page_cache_ra(&mut self, file: FileId, mut index: u64, nr: u64) {
        let mut nr = nr.min(self.ra_pages());
        while nr > 0 {
            let chunk = nr.min(FORCE_RA_CHUNK);
            if !self.do_page_cache_ra(file, index, chunk, 0) {
                return;
            }
            index += chunk;
            nr -= chunk;
        }
    }

    /// `page_cache_ra_order`: reads the window of the file's readahead state in folios of the
    /// state's order (smaller where the start is not aligned to it or EOF is near; the model
    /// keeps their pages order-0 and remembers only the marked folio), marking the folio that
    /// holds the page `async_size` before the window's end. A folio overlapping a cached page
    /// ends the pass and `do_page_cache_ra` reads the rest of the window (order-0, around the
    /// cached pages, with the mark counted from the window clamped to EOF).
    fn page_cache_ra_order(&mut self, file: FileId) {
        let ra = self.inode(file).ra;
        let Some(last) = self.inode(file).size_pages().checked_sub(1) else { return };
        if ra.size == 0 {
            return;
        }
        let limit = last.min(ra.start + ra.size - 1);
        let mark = ra.start + ra.size - ra.async_size;
        let mut index = ra.start;
        while index <= limit {
            let mut order = ra.order.min(index.trailing_zeros());
            while order > 0 && index + (1 << order) - 1 > limit {
                order -= 1;
            }
            let pages = 1u64 << order;
            if (index..index + pages).any(|i| self.inode(file).cache.contains_key(&i)) {
                self.do_page_cache_ra(file, index, ra.size - (index - ra.start), ra.async_size);
                return;
            }
            let marked = index == round_down(mark, pages);
            for i in index..index + pages {
                if !self.add_readahead_page(file, i, marked) {
                    return;
                }
            }
            if marked {
                self.inode_mut(file).ra_marks.insert(index, pages);
            }
            index += pages;
        }
    }

    /// `do_page_cache_ra` + `page_cache_ra_unbounded`: reads the uncached pages of `nr` from
    /// `index` (clamped to EOF), marking the one `lookahead` before the end. False when memory
    /// ran out.
    fn do_page_cache_ra(&mut self, file: FileId, index: u64, nr: u64, lookahead: u64) -> bool {
        let Some(last) = self.inode(file).size_pages().checked_sub(1) else { return true };
        if index > last {
            return true;
        }
        let nr = nr.min(last - index + 1);
        let mark = nr.checked_sub(lookahead).filter(|_| lookahead > 0);
        for i in 0..nr {
            if self.inode(file).cache.contains_key(&(index + i)) {
                continue;
            }
            if !self.add_readahead_page(file, index + i, mark == Some(i)) {
                return false;
            }
        }
        true
    }

    /// `page_cache_next_miss`: the first uncached index in `from..from + max`.
    fn next_cache_miss(&self, file: FileId, from: u64, max: u64) -> Option<u64> {
        let cache = &self.inode(file).cache;
        (from..from.saturating_add(max)).find(|i| !cache.contains_key(i))
    }

    /// One page read ahead into the cache (`ractl_alloc_folio` + `filemap_add_folio`), marked
    /// PG_readahead if `mark`. Readahead allocations do not reclaim (`__GFP_NORETRY` in the
    /// model's terms): false when no frame is free.
    fn add_readahead_page(&mut self, file: FileId, index: u64, mark: bool) -> bool {
        let Some(pfn) = self.add_disk_page(file, index, 0) else { return false };
        if mark {
            self.frames.frame_mut(pfn).flags |= PageFlags::READAHEAD;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_window_ramps_up_to_the_maximum() {
        assert_eq!(next_ra_size(1, 32), 4);
        assert_eq!(next_ra_size(2, 32), 4);
        assert_eq!(next_ra_size(16, 32), 32);
        assert_eq!(next_ra_size(17, 32), 32);
        assert_eq!(next_ra_size(2048, 2048), 2048);
        assert_eq!(next_ra_size(100, 2048), 400);
    }
}
