//! Page frames: `struct folio` (order 0 for now) and the per-node allocator
//! (mm/page_alloc.c `__alloc_pages`, `free_unref_folios`; include/linux/mm_types.h `struct folio`).
//!
//! Frames exist only while used: each node keeps a vector that grows to its high-water mark and a
//! LIFO free list of recycled slots, so an idle node of any size costs nothing.

use crate::vmstat::{Event, NodeStat, Stats};

/// Page frame number.
pub type Pfn = u64;

/// The shared zero page (`ZERO_PAGE(0)`): below every node's range.
pub const ZERO_PFN: Pfn = 0x100;
/// The huge zero folio (`huge_zero_folio`): 512 frames below every node's range.
pub const HUGE_ZERO_PFN: Pfn = 0x200;
/// First pfn of node 0; node n starts at `FIRST_PFN + n * node_frames`.
pub const FIRST_PFN: Pfn = 0x1000;
/// Pages in a PMD-sized folio (`HPAGE_PMD_NR`).
pub const HPAGE_PMD_NR: u64 = 512;

/// Is `pfn` one of the huge zero folio's pages?
pub fn is_huge_zero_pfn(pfn: Pfn) -> bool {
    (HUGE_ZERO_PFN..HUGE_ZERO_PFN + HPAGE_PMD_NR).contains(&pfn)
}

/// The head of the PMD-sized folio a compound page belongs to (THPs are naturally aligned).
pub fn thp_head(pfn: Pfn) -> Pfn {
    pfn & !(HPAGE_PMD_NR - 1)
}

bitflags::bitflags! {
    /// The page flags the model keeps (include/linux/page-flags.h), plus "anon" which Linux
    /// encodes in `folio->mapping`.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct PageFlags: u16 {
        const LOCKED = 1 << 0;
        const REFERENCED = 1 << 1;
        const DIRTY = 1 << 2;
        const LRU = 1 << 3;
        const ACTIVE = 1 << 4;
        const ANON = 1 << 5;
        const SWAPBACKED = 1 << 6;
        const SWAPCACHE = 1 << 7;
        const UNEVICTABLE = 1 << 8;
        const MLOCKED = 1 << 9;
        const ANON_EXCLUSIVE = 1 << 10;
        const UPTODATE = 1 << 11;
        /// PG_readahead: read by swap readahead and not yet used.
        const READAHEAD = 1 << 12;
        /// PG_head: the first page of a PMD-sized folio (a THP).
        const HEAD = 1 << 13;
        /// A tail page of a THP (`PageTail`).
        const TAIL = 1 << 14;
        /// An unused page of a THP reservation (the RFC's reserved, not yet mapped pages).
        const RESERVED = 1 << 15;
    }
}

/// One page frame. 40 bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    /// What userspace reads from the page.
    pub value: u64,
    /// `folio->index`: page offset in the file, or the anon linear page index.
    pub index: u64,
    /// `folio->mapping`: the inode id of file pages, the anon_vma id of anon pages.
    pub owner: u32,
    /// Page table mappings of this page (`_mapcount + 1`).
    pub mapcount: u32,
    /// References: one per mapping, one for the page cache, one for the swap cache.
    pub refcount: u32,
    /// `folio->mlock_count` while on the unevictable list.
    pub mlock_count: u32,
    pub flags: PageFlags,
    /// NUMA node the frame belongs to.
    pub nid: u8,
    /// Position on its LRU list: the list is ordered by this stamp, the highest at the head
    /// (added last), the lowest at the tail where reclaim takes pages from.
    pub lru_seq: u32,
    /// On a THP's head: PMD mappings of the folio (`_entire_mapcount + 1`).
    pub entire_mapcount: u32,
}

impl Frame {
    pub fn is_anon(&self) -> bool {
        self.flags.contains(PageFlags::ANON)
    }
    /// A frame with no reference left; the pages of a THP stay allocated with the folio until
    /// it is freed or split as a whole.
    pub fn is_free(&self) -> bool {
        self.refcount == 0 && !self.is_compound()
    }
    /// Part of a THP (`folio_test_large`).
    pub fn is_compound(&self) -> bool {
        self.flags.intersects(PageFlags::HEAD | PageFlags::TAIL)
    }
    /// `mm_counter_file`: shmem pages are swap-backed file pages.
    pub fn is_shmem(&self) -> bool {
        !self.is_anon() && self.flags.contains(PageFlags::SWAPBACKED)
    }
}

#[derive(Clone, Debug)]
struct Node {
    capacity: u64,
    slots: Vec<Frame>,
    free: Vec<u32>,
    /// Page-table pages taken from this node (they are not modeled as frames).
    tables: u64,
    /// Allocated frames in each naturally aligned order-9 block, from the node's first aligned
    /// slot on (what the buddy allocator's free lists tell `alloc_huge` at a glance).
    block_busy: Vec<u16>,
    /// The first slot of the first aligned block.
    first_block_slot: usize,
}

impl Node {
    fn block_of(&self, slot: usize) -> Option<usize> {
        slot.checked_sub(self.first_block_slot).map(|s| s / HPAGE_PMD_NR as usize)
    }

    fn mark_busy(&mut self, slot: usize) {
        if let Some(b) = self.block_of(slot) {
            if self.block_busy.len() <= b {
                self.block_busy.resize(b + 1, 0);
            }
            self.block_busy[b] += 1;
        }
    }

    fn mark_free(&mut self, slot: usize) {
        if let Some(b) = self.block_of(slot) {
            self.block_busy[b] -= 1;
        }
    }

    fn used(&self) -> u64 {
        self.slots.len() as u64 - self.free.len() as u64 + self.tables
    }
}

/// All frames of a machine.
#[derive(Clone, Debug)]
pub struct Frames {
    node_frames: u64,
    nodes: Vec<Node>,
    /// The stamp the next page added at the head of an LRU list gets.
    lru_clock: u32,
    /// Frames allocated during the current operation: still in the per-CPU LRU-add batch, not
    /// yet on an LRU list (cleared with the other per-CPU batches at the end of an operation).
    pub lru_add_batch: Vec<Pfn>,
}

impl Frames {
    pub fn new(nodes: u32, node_frames: u64) -> Frames {
        let nodes = (0..nodes as u64)
            .map(|nid| Node {
                capacity: node_frames,
                slots: Vec::new(),
                free: Vec::new(),
                tables: 0,
                block_busy: Vec::new(),
                first_block_slot: ((HPAGE_PMD_NR - (FIRST_PFN + nid * node_frames) % HPAGE_PMD_NR) % HPAGE_PMD_NR)
                    as usize,
            })
            .collect();
        Frames { node_frames, nodes, lru_clock: 0, lru_add_batch: Vec::new() }
    }

    pub fn node_count(&self) -> u32 {
        self.nodes.len() as u32
    }

    /// The node and slot of a pfn, if it names a frame of this machine.
    fn locate(&self, pfn: Pfn) -> Option<(usize, usize)> {
        let rel = pfn.checked_sub(FIRST_PFN)?;
        let nid = (rel / self.node_frames) as usize;
        let slot = (rel % self.node_frames) as usize;
        (nid < self.nodes.len()).then_some((nid, slot))
    }

    /// The frame at `pfn`, if it was ever allocated.
    pub fn get(&self, pfn: Pfn) -> Option<&Frame> {
        let (nid, slot) = self.locate(pfn)?;
        self.nodes[nid].slots.get(slot)
    }

    #[inline]
    pub fn frame(&self, pfn: Pfn) -> &Frame {
        self.get(pfn).expect("pfn of a live frame")
    }

    #[inline]
    pub fn frame_mut(&mut self, pfn: Pfn) -> &mut Frame {
        let (nid, slot) = self.locate(pfn).expect("pfn of a machine frame");
        &mut self.nodes[nid].slots[slot]
    }

    /// Allocates a zeroed frame, preferring `nid` and falling back to the other nodes in order.
    pub fn alloc(&mut self, nid: u32, stats: &mut Stats) -> Option<Pfn> {
        let n = self.nodes.len() as u32;
        (0..n).map(|i| (nid + i) % n).find_map(|node| self.alloc_on(node, stats))
    }

    /// Allocates a zeroed frame on exactly node `nid` (`alloc_migration_target` with
    /// __GFP_THISNODE).
    pub fn alloc_exact(&mut self, nid: u32, stats: &mut Stats) -> Option<Pfn> {
        if nid >= self.node_count() {
            return None;
        }
        self.alloc_on(nid, stats)
    }

    fn alloc_on(&mut self, nid: u32, stats: &mut Stats) -> Option<Pfn> {
        let node = &mut self.nodes[nid as usize];
        if node.used() >= node.capacity {
            return None;
        }
        let slot = match node.free.pop() {
            Some(slot) => slot as usize,
            None => {
                node.slots.push(Frame::default());
                node.slots.len() - 1
            }
        };
        node.slots[slot] = Frame { refcount: 1, nid: nid as u8, flags: PageFlags::UPTODATE, ..Frame::default() };
        node.mark_busy(slot);
        stats.mod_node(nid, NodeStat::FreePages, -1);
        stats.count(Event::PgAlloc, 1);
        let pfn = FIRST_PFN + nid as u64 * self.node_frames + slot as u64;
        self.lru_add_batch.push(pfn);
        Some(pfn)
    }

    /// Allocates a zeroed, naturally aligned block of [`HPAGE_PMD_NR`] frames (an order-9 page),
    /// preferring `nid` and falling back to the other nodes in order. Returns the first pfn; the
    /// frames are not yet marked compound.
    pub fn alloc_huge(&mut self, nid: u32, stats: &mut Stats) -> Option<Pfn> {
        let n = self.nodes.len() as u32;
        (0..n).map(|i| (nid + i) % n).find_map(|node| self.alloc_huge_on(node, stats))
    }

    fn alloc_huge_on(&mut self, nid: u32, stats: &mut Stats) -> Option<Pfn> {
        let nr = HPAGE_PMD_NR as usize;
        let base = FIRST_PFN + nid as u64 * self.node_frames;
        let node = &mut self.nodes[nid as usize];
        if node.used() + HPAGE_PMD_NR > node.capacity {
            return None;
        }
        let first = node.first_block_slot;
        let blocks = (node.capacity as usize).saturating_sub(first) / nr;
        let b = (0..blocks).find(|&b| node.block_busy.get(b).is_none_or(|&n| n == 0))?;
        let found = first + b * nr;
        node.free.retain(|&s| !(found..found + nr).contains(&(s as usize)));
        while node.slots.len() < found {
            node.free.push(node.slots.len() as u32);
            node.slots.push(Frame::default());
        }
        if node.slots.len() < found + nr {
            node.slots.resize(found + nr, Frame::default());
        }
        for f in &mut node.slots[found..found + nr] {
            *f = Frame { refcount: 1, nid: nid as u8, flags: PageFlags::UPTODATE, ..Frame::default() };
        }
        if node.block_busy.len() <= b {
            node.block_busy.resize(b + 1, 0);
        }
        node.block_busy[b] = HPAGE_PMD_NR as u16;
        stats.mod_node(nid, NodeStat::FreePages, -(HPAGE_PMD_NR as i64));
        stats.count(Event::PgAlloc, HPAGE_PMD_NR);
        Some(base + found as u64)
    }

    /// Recounts every node's allocated frames per order-9 block from its slots and free list;
    /// returns the first block whose kept count differs, as (node, block, kept, recounted).
    pub fn block_count_mismatch(&self) -> Option<(usize, usize, u16, u16)> {
        self.nodes.iter().enumerate().find_map(|(nid, node)| {
            let mut counts = vec![0u16; node.block_busy.len().max(node.slots.len() / HPAGE_PMD_NR as usize + 1)];
            for slot in 0..node.slots.len() {
                if let Some(b) = node.block_of(slot) {
                    counts[b] += 1;
                }
            }
            for &slot in &node.free {
                if let Some(b) = node.block_of(slot as usize) {
                    counts[b] -= 1;
                }
            }
            counts.iter().enumerate().find_map(|(b, &n)| {
                let kept = node.block_busy.get(b).copied().unwrap_or(0);
                (kept != n).then_some((nid, b, kept, n))
            })
        })
    }

    /// Returns a frame whose last reference is gone to its node's free list.
    pub fn free(&mut self, pfn: Pfn, stats: &mut Stats) {
        let (nid, slot) = self.locate(pfn).expect("pfn of a machine frame");
        let node = &mut self.nodes[nid];
        node.slots[slot] = Frame::default();
        node.mark_free(slot);
        node.free.push(slot as u32);
        stats.mod_node(nid as u32, NodeStat::FreePages, 1);
        stats.count(Event::PgFree, 1);
    }

    /// `lruvec_add_folio`: the page goes to the head of its LRU list.
    pub fn lru_stamp(&mut self, pfn: Pfn) {
        if self.lru_clock == u32::MAX {
            self.renumber_lru();
        }
        self.lru_clock += 1;
        let clock = self.lru_clock;
        self.frame_mut(pfn).lru_seq = clock;
    }

    /// Before the stamp clock would wrap: the pages on LRU lists get stamps 1.. in their order.
    fn renumber_lru(&mut self) {
        let mut order: Vec<(u32, Pfn)> =
            self.iter().filter(|(_, f)| f.flags.contains(PageFlags::LRU)).map(|(pfn, f)| (f.lru_seq, pfn)).collect();
        order.sort_unstable();
        for (i, &(_, pfn)) in order.iter().enumerate() {
            self.frame_mut(pfn).lru_seq = i as u32 + 1;
        }
        self.lru_clock = order.len() as u32;
    }

    /// Every allocated frame (free or not) with its pfn, in pfn order.
    pub fn iter(&self) -> impl Iterator<Item = (Pfn, &Frame)> {
        let nf = self.node_frames;
        self.nodes.iter().enumerate().flat_map(move |(nid, node)| {
            node.slots.iter().enumerate().map(move |(slot, f)| (FIRST_PFN + nid as u64 * nf + slot as u64, f))
        })
    }

    /// Pages in use on a node, frames and page tables (recount, for the invariant checker).
    pub fn used_on(&self, nid: u32) -> u64 {
        self.nodes[nid as usize].used()
    }

    /// Free pages left on node 0, where page tables come from.
    pub fn table_room(&self) -> u64 {
        let node = &self.nodes[0];
        node.capacity - node.used()
    }

    /// Accounts page-table pages allocated (+) or freed (-) on node 0 (`pagetable_alloc`).
    pub fn account_tables(&mut self, delta: i64, stats: &mut Stats) {
        let node = &mut self.nodes[0];
        node.tables = node.tables.checked_add_signed(delta).expect("page-table count");
        stats.mod_node(0, NodeStat::PageTablePages, delta);
        stats.mod_node(0, NodeStat::FreePages, -delta);
    }

    /// Host bytes spent on frame slots.
    pub fn host_bytes(&self) -> usize {
        self.nodes.iter().map(|n| n.slots.capacity() * size_of::<Frame>() + n.free.capacity() * 4).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lru_stamps_keep_their_order_when_the_clock_would_wrap() {
        let mut stats = Stats::new(1, 16);
        let mut frames = Frames::new(1, 16);
        let pfns: Vec<Pfn> = (0..3).map(|_| frames.alloc(0, &mut stats).unwrap()).collect();
        for &pfn in &pfns {
            frames.frame_mut(pfn).flags |= PageFlags::LRU;
        }
        frames.lru_clock = u32::MAX - 2;
        // pfns[1] first, then pfns[0]: stamps MAX-1 and MAX; pfns[2] wraps the clock.
        frames.lru_stamp(pfns[1]);
        frames.lru_stamp(pfns[0]);
        frames.lru_stamp(pfns[2]);
        let seq = |f: &Frames, i: usize| f.frame(pfns[i]).lru_seq;
        // Renumbered in order: pfns[2] (never stamped, 0) < pfns[1] < pfns[0], then pfns[2] is
        // stamped anew at the head.
        assert_eq!((seq(&frames, 1), seq(&frames, 0), seq(&frames, 2)), (2, 3, 4));
    }
}
