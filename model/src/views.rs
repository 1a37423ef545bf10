//! Structured /proc views. The walkers that fill them live in `task_mmu.rs` (per process) and
//! `vmstat.rs` (machine-wide); the Linux text renderers live in `proc.rs`.

use serde::{Deserialize, Serialize};

use crate::ops::{Pid, Prot};

/// `PSS_SHIFT` of fs/proc/task_mmu.c: Pss values are accumulated in bytes << 12.
pub const PSS_SHIFT: u32 = 12;

/// One line of /proc/PID/maps (also the header line of each smaps entry).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapsEntry {
    pub start: u64,
    pub end: u64,
    pub prot: Prot,
    /// `s` (VM_MAYSHARE) or `p` in the permission column.
    pub shared: bool,
    /// File offset in bytes (vm_pgoff << PAGE_SHIFT); 0 for anonymous memory.
    pub offset: u64,
    pub dev_major: u32,
    pub dev_minor: u32,
    pub inode: u64,
    /// Path column: "" for anonymous memory, "/memfd:NAME (deleted)", "/dev/zero (deleted)", a path.
    pub name: String,
}

/// The memory counters of one smaps entry or of smaps_rollup, as `struct mem_size_stats` keeps
/// them: sizes in bytes, Pss values in bytes << [`PSS_SHIFT`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemSizeStats {
    pub resident: u64,
    pub shared_clean: u64,
    pub shared_dirty: u64,
    pub private_clean: u64,
    pub private_dirty: u64,
    pub referenced: u64,
    pub anonymous: u64,
    pub lazyfree: u64,
    pub anonymous_thp: u64,
    pub shmem_thp: u64,
    pub file_thp: u64,
    pub swap: u64,
    pub shared_hugetlb: u64,
    pub private_hugetlb: u64,
    pub ksm: u64,
    pub pss: u64,
    pub pss_anon: u64,
    pub pss_file: u64,
    pub pss_shmem: u64,
    pub pss_dirty: u64,
    pub pss_locked: u64,
    pub swap_pss: u64,
}

impl MemSizeStats {
    /// Adds another set of counters (smaps_rollup accumulates in fixed point, then truncates once).
    pub fn add(&mut self, o: &MemSizeStats) {
        self.resident += o.resident;
        self.shared_clean += o.shared_clean;
        self.shared_dirty += o.shared_dirty;
        self.private_clean += o.private_clean;
        self.private_dirty += o.private_dirty;
        self.referenced += o.referenced;
        self.anonymous += o.anonymous;
        self.lazyfree += o.lazyfree;
        self.anonymous_thp += o.anonymous_thp;
        self.shmem_thp += o.shmem_thp;
        self.file_thp += o.file_thp;
        self.swap += o.swap;
        self.shared_hugetlb += o.shared_hugetlb;
        self.private_hugetlb += o.private_hugetlb;
        self.ksm += o.ksm;
        self.pss += o.pss;
        self.pss_anon += o.pss_anon;
        self.pss_file += o.pss_file;
        self.pss_shmem += o.pss_shmem;
        self.pss_dirty += o.pss_dirty;
        self.pss_locked += o.pss_locked;
        self.swap_pss += o.swap_pss;
    }
}

/// One entry of /proc/PID/smaps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmapsEntry {
    pub map: MapsEntry,
    /// vm_end - vm_start in bytes.
    pub size: u64,
    pub mss: MemSizeStats,
    pub thp_eligible: bool,
    /// The two-letter VmFlags mnemonics, in the kernel's order.
    pub vm_flags: Vec<String>,
}

/// /proc/PID/smaps_rollup.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmapsRollup {
    /// vm_start of the first VMA (0 with no VMA).
    pub start: u64,
    /// vm_end of the last VMA (0 with no VMA).
    pub end: u64,
    pub mss: MemSizeStats,
}

/// The memory part of /proc/PID/status (`task_mem`), in kB, plus the identity lines.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub name: String,
    pub pid: Pid,
    pub ppid: Pid,
    pub vm_peak: u64,
    pub vm_size: u64,
    pub vm_lck: u64,
    pub vm_pin: u64,
    pub vm_hwm: u64,
    pub vm_rss: u64,
    pub rss_anon: u64,
    pub rss_file: u64,
    pub rss_shmem: u64,
    pub vm_data: u64,
    pub vm_stk: u64,
    pub vm_exe: u64,
    pub vm_lib: u64,
    pub vm_pte: u64,
    pub vm_swap: u64,
    pub hugetlb_pages: u64,
}

/// /proc/meminfo (machine-wide) or /sys/devices/system/node/nodeN/meminfo, in kB.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meminfo {
    pub mem_total: u64,
    pub mem_free: u64,
    pub mem_available: u64,
    pub buffers: u64,
    pub cached: u64,
    pub swap_cached: u64,
    pub active: u64,
    pub inactive: u64,
    pub active_anon: u64,
    pub inactive_anon: u64,
    pub active_file: u64,
    pub inactive_file: u64,
    pub unevictable: u64,
    pub mlocked: u64,
    pub swap_total: u64,
    pub swap_free: u64,
    pub dirty: u64,
    pub writeback: u64,
    pub anon_pages: u64,
    pub mapped: u64,
    pub shmem: u64,
    pub page_tables: u64,
    pub anon_huge_pages: u64,
    pub shmem_huge_pages: u64,
    pub shmem_pmd_mapped: u64,
    pub file_huge_pages: u64,
    pub file_pmd_mapped: u64,
}

/// /proc/vmstat: every item the model keeps, in the kernel's order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vmstat {
    pub items: Vec<(String, u64)>,
}

impl Vmstat {
    pub fn get(&self, name: &str) -> Option<u64> {
        self.items.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }
}

/// One 64-bit /proc/PID/pagemap entry (Documentation/admin-guide/mm/pagemap.rst).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PagemapEntry(pub u64);

impl PagemapEntry {
    pub const PRESENT: u64 = 1 << 63;
    pub const SWAP: u64 = 1 << 62;
    pub const FILE_SHARED: u64 = 1 << 61;
    pub const EXCLUSIVE: u64 = 1 << 56;
    pub const SOFT_DIRTY: u64 = 1 << 55;
    pub const PFN_MASK: u64 = (1 << 55) - 1;

    pub fn present(self) -> bool {
        self.0 & Self::PRESENT != 0
    }
    pub fn swapped(self) -> bool {
        self.0 & Self::SWAP != 0
    }
    pub fn file_shared(self) -> bool {
        self.0 & Self::FILE_SHARED != 0
    }
    pub fn exclusive(self) -> bool {
        self.0 & Self::EXCLUSIVE != 0
    }
    /// PFN of a present entry, or `type | offset << 5` of a swap entry.
    pub fn pfn(self) -> u64 {
        self.0 & Self::PFN_MASK
    }
}

bitflags::bitflags! {
    /// /proc/kpageflags bits (include/uapi/linux/kernel-page-flags.h).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub struct KpageFlags: u64 {
        const LOCKED = 1 << 0;
        const ERROR = 1 << 1;
        const REFERENCED = 1 << 2;
        const UPTODATE = 1 << 3;
        const DIRTY = 1 << 4;
        const LRU = 1 << 5;
        const ACTIVE = 1 << 6;
        const SLAB = 1 << 7;
        const WRITEBACK = 1 << 8;
        const RECLAIM = 1 << 9;
        const BUDDY = 1 << 10;
        const MMAP = 1 << 11;
        const ANON = 1 << 12;
        const SWAPCACHE = 1 << 13;
        const SWAPBACKED = 1 << 14;
        const COMPOUND_HEAD = 1 << 15;
        const COMPOUND_TAIL = 1 << 16;
        const HUGE = 1 << 17;
        const UNEVICTABLE = 1 << 18;
        const HWPOISON = 1 << 19;
        const NOPAGE = 1 << 20;
        const KSM = 1 << 21;
        const THP = 1 << 22;
        const OFFLINE = 1 << 23;
        const ZERO_PAGE = 1 << 24;
        const IDLE = 1 << 25;
        const PGTABLE = 1 << 26;
        const RESERVED = 1 << 32;
        const MLOCKED = 1 << 33;
        const MAPPEDTODISK = 1 << 34;
        const PRIVATE = 1 << 35;
        const PRIVATE_2 = 1 << 36;
        const OWNER_PRIVATE = 1 << 37;
        const ARCH = 1 << 38;
        const UNCACHED = 1 << 39;
        const SOFTDIRTY = 1 << 40;
        const ARCH_2 = 1 << 41;
    }
}

/// /proc/kpagecount and /proc/kpageflags for one pfn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kpage {
    pub pfn: u64,
    pub count: u64,
    pub flags: KpageFlags,
}

/// One invariant the checker found broken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// Short stable name of the invariant ("rss-counter", "mapcount", ...).
    pub invariant: String,
    /// What exactly differs.
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.invariant, self.detail)
    }
}
