//! Machine-wide counters as mm/vmstat.c keeps them: per-node state items (`mod_node_page_state`,
//! `mod_zone_page_state`) and global events (`count_vm_events`), plus the /proc/meminfo and
//! /proc/vmstat views built from them (fs/proc/meminfo.c `meminfo_proc_show`, `vmstat_start`).
//!
//! The model applies what Linux's per-CPU batches would fold in eventually, at once.

use crate::machine::Machine;
use crate::ops::PAGE_SIZE;
use crate::views::{Meminfo, Vmstat};

macro_rules! items {
    ($(#[$m:meta])* $name:ident { $($var:ident = $text:expr),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(usize)]
        pub enum $name { $($var),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),*];
            pub const COUNT: usize = Self::ALL.len();
            /// The item's name in /proc/vmstat.
            pub fn name(self) -> &'static str {
                match self { $($name::$var => $text),* }
            }
        }
    };
}

items! {
    /// Per-node state items, in /proc/vmstat order (zone items folded into their node).
    NodeStat {
        FreePages = "nr_free_pages",
        Mlock = "nr_mlock",
        InactiveAnon = "nr_inactive_anon",
        ActiveAnon = "nr_active_anon",
        InactiveFile = "nr_inactive_file",
        ActiveFile = "nr_active_file",
        Unevictable = "nr_unevictable",
        AnonMapped = "nr_anon_pages",
        FileMapped = "nr_mapped",
        FilePages = "nr_file_pages",
        Dirty = "nr_dirty",
        Writeback = "nr_writeback",
        Shmem = "nr_shmem",
        AnonThps = "nr_anon_transparent_hugepages",
        ThpReserved = "nr_thp_reserved",
        PageTablePages = "nr_page_table_pages",
        SwapCached = "nr_swapcached",
    }
}

items! {
    /// Global event counters, in /proc/vmstat order.
    Event {
        PswpIn = "pswpin",
        PswpOut = "pswpout",
        PgAlloc = "pgalloc_normal",
        PgFree = "pgfree",
        PgActivate = "pgactivate",
        PgDeactivate = "pgdeactivate",
        PgLazyFree = "pglazyfree",
        PgFault = "pgfault",
        PgMajFault = "pgmajfault",
        PgLazyFreed = "pglazyfreed",
        PgScanAnon = "pgscan_anon",
        PgScanFile = "pgscan_file",
        PgStealAnon = "pgsteal_anon",
        PgStealFile = "pgsteal_file",
        OomKill = "oom_kill",
        PgMigrateSuccess = "pgmigrate_success",
        PgMigrateFail = "pgmigrate_fail",
        UnevictableCulled = "unevictable_pgs_culled",
        UnevictableScanned = "unevictable_pgs_scanned",
        UnevictableRescued = "unevictable_pgs_rescued",
        UnevictableMlocked = "unevictable_pgs_mlocked",
        UnevictableMunlocked = "unevictable_pgs_munlocked",
        UnevictableCleared = "unevictable_pgs_cleared",
        UnevictableStranded = "unevictable_pgs_stranded",
        ThpFaultAlloc = "thp_fault_alloc",
        ThpFaultFallback = "thp_fault_fallback",
        ThpResAlloc = "thp_res_alloc",
        ThpResAllocFailed = "thp_res_alloc_failed",
        ThpCollapseAlloc = "thp_collapse_alloc",
        ThpCollapseAllocFailed = "thp_collapse_alloc_failed",
        // khugepaged/res_pages_collapsed, the RFC's sysfs counter: reservations promoted.
        ResPagesCollapsed = "res_pages_collapsed",
        ThpSplitPage = "thp_split_page",
        ThpDeferredSplitPage = "thp_deferred_split_page",
        ThpSplitPmd = "thp_split_pmd",
        ThpScanExceedNonePte = "thp_scan_exceed_none_pte",
        ThpScanExceedSwapPte = "thp_scan_exceed_swap_pte",
        ThpScanExceedSharePte = "thp_scan_exceed_share_pte",
        ThpZeroPageAlloc = "thp_zero_page_alloc",
        ThpSwpoutFallback = "thp_swpout_fallback",
        SwapRa = "swap_ra",
        SwapRaHit = "swap_ra_hit",
        // CONFIG_PER_VMA_LOCK_STATS: faults handled under a VMA lock, faults that could not take
        // one, faults that had to retry under mmap_lock, and lookups that met a detached VMA
        // (never in the model: its lookup and read lock are one step).
        VmaLockSuccess = "vma_lock_success",
        VmaLockAbort = "vma_lock_abort",
        VmaLockRetry = "vma_lock_retry",
        VmaLockMiss = "vma_lock_miss",
        PgScanKswapd = "pgscan_kswapd",
        PgScanDirect = "pgscan_direct",
        PgStealKswapd = "pgsteal_kswapd",
        PgStealDirect = "pgsteal_direct",
        PgRefill = "pgrefill",
    }
}

/// All counters of one machine.
#[derive(Clone, Debug)]
pub struct Stats {
    node: Vec<[i64; NodeStat::COUNT]>,
    events: [u64; Event::COUNT],
}

impl Stats {
    pub fn new(nodes: u32, node_frames: u64) -> Stats {
        let mut node = vec![[0i64; NodeStat::COUNT]; nodes as usize];
        for n in &mut node {
            n[NodeStat::FreePages as usize] = node_frames as i64;
        }
        Stats { node, events: [0; Event::COUNT] }
    }

    /// `mod_node_page_state`.
    #[inline]
    pub fn mod_node(&mut self, nid: u32, item: NodeStat, delta: i64) {
        self.node[nid as usize][item as usize] += delta;
    }

    /// `count_vm_events`.
    #[inline]
    pub fn count(&mut self, ev: Event, n: u64) {
        self.events[ev as usize] += n;
    }

    pub fn node(&self, nid: u32, item: NodeStat) -> i64 {
        self.node[nid as usize][item as usize]
    }

    pub fn global(&self, item: NodeStat) -> i64 {
        self.node.iter().map(|n| n[item as usize]).sum()
    }

    pub fn event(&self, ev: Event) -> u64 {
        self.events[ev as usize]
    }
}

fn kb(pages: i64) -> u64 {
    pages.max(0) as u64 * (PAGE_SIZE / 1024)
}

impl Machine {
    /// /proc/vmstat.
    pub fn vmstat(&self) -> Vmstat {
        let s = &self.k.stats;
        let mut items: Vec<(String, u64)> =
            NodeStat::ALL.iter().map(|&i| (i.name().to_string(), s.global(i).max(0) as u64)).collect();
        items.extend(Event::ALL.iter().map(|&e| (e.name().to_string(), s.event(e))));
        Vmstat { items }
    }

    /// /proc/meminfo.
    pub fn meminfo(&self) -> Meminfo {
        let get = |i| self.k.stats.global(i);
        let total = self.config.node_frames() as i64 * self.config.nodes as i64;
        let mut m = self.meminfo_from(get, total);
        m.swap_total = kb(self.k.swap.total() as i64);
        m.swap_free = kb((self.k.swap.total() - self.k.swap.used()) as i64);
        m
    }

    /// /sys/devices/system/node/nodeN/meminfo.
    pub fn node_meminfo(&self, nid: u32) -> Result<Meminfo, crate::Errno> {
        if nid >= self.config.nodes {
            return Err(crate::Errno::ENODEV);
        }
        let get = |i| self.k.stats.node(nid, i);
        Ok(self.meminfo_from(get, self.config.node_frames() as i64))
    }

    fn meminfo_from(&self, get: impl Fn(NodeStat) -> i64, total: i64) -> Meminfo {
        use NodeStat::*;
        let file_lru = get(ActiveFile) + get(InactiveFile);
        let free = get(FreePages);
        Meminfo {
            mem_total: kb(total),
            mem_free: kb(free),
            // si_mem_available() with no watermarks or reclaimable slab: free plus the file LRU,
            // plus unused reserved THP pages (the RFC adds nr_thp_reserved: the shrinker frees
            // them before anything is reclaimed).
            mem_available: kb(free + file_lru + get(ThpReserved)),
            buffers: 0,
            cached: kb(get(FilePages) - get(SwapCached)),
            swap_cached: kb(get(SwapCached)),
            active: kb(get(ActiveAnon) + get(ActiveFile)),
            inactive: kb(get(InactiveAnon) + get(InactiveFile)),
            active_anon: kb(get(ActiveAnon)),
            inactive_anon: kb(get(InactiveAnon)),
            active_file: kb(get(ActiveFile)),
            inactive_file: kb(get(InactiveFile)),
            unevictable: kb(get(Unevictable)),
            mlocked: kb(get(Mlock)),
            swap_total: 0,
            swap_free: 0,
            dirty: kb(get(Dirty)),
            writeback: kb(get(Writeback)),
            anon_pages: kb(get(AnonMapped)),
            mapped: kb(get(FileMapped)),
            shmem: kb(get(Shmem)),
            page_tables: kb(get(PageTablePages)),
            anon_huge_pages: kb(get(AnonThps) * 512),
            shmem_huge_pages: 0,
            shmem_pmd_mapped: 0,
            file_huge_pages: 0,
            file_pmd_mapped: 0,
        }
    }
}
