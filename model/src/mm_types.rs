//! The address-space types of include/linux/mm_types.h: `struct mm_struct`, `struct
//! vm_area_struct`, the page tables (arch/x86 PTEs, 512 per table), and the task's fd table.

use std::collections::BTreeMap;

use crate::ops::{Fd, PAGE_SHIFT, PAGE_SIZE, Pid};
use crate::page_alloc::Pfn;

/// User address space top on x86_64 with 4-level tables (TASK_SIZE_MAX).
pub const TASK_SIZE: u64 = 0x7fff_ffff_f000;
/// `mmap_min_addr`.
pub const MMAP_MIN_ADDR: u64 = 0x10000;
/// Where top-down allocation starts (`mm->mmap_base` without randomization).
pub const MMAP_BASE: u64 = 0x7f00_0000_0000;
/// `sysctl_max_map_count`.
pub const MAX_MAP_COUNT: usize = 65530;
/// PTEs per page table.
pub const PTRS_PER_PTE: usize = 512;
/// Bytes mapped by one page table (PMD_SIZE).
pub const PMD_SIZE: u64 = PAGE_SIZE * PTRS_PER_PTE as u64;

bitflags::bitflags! {
    /// `vm_flags` with Linux's bit values (include/linux/mm.h, x86_64).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct VmFlags: u64 {
        const READ = 0x1;
        const WRITE = 0x2;
        const EXEC = 0x4;
        const SHARED = 0x8;
        const MAYREAD = 0x10;
        const MAYWRITE = 0x20;
        const MAYEXEC = 0x40;
        const MAYSHARE = 0x80;
        const GROWSDOWN = 0x100;
        const LOCKED = 0x2000;
        const IO = 0x4000;
        const SEQ_READ = 0x8000;
        const RAND_READ = 0x10000;
        const DONTCOPY = 0x20000;
        const DONTEXPAND = 0x40000;
        const LOCKONFAULT = 0x80000;
        const ACCOUNT = 0x100000;
        const NORESERVE = 0x200000;
        const WIPEONFORK = 0x2000000;
        const DONTDUMP = 0x4000000;
        const HUGEPAGE = 0x20000000;
        const NOHUGEPAGE = 0x40000000;
        const MERGEABLE = 0x80000000;
    }
}

impl VmFlags {
    /// `is_cow_mapping`: private and may be written.
    pub fn is_cow(self) -> bool {
        self & (VmFlags::SHARED | VmFlags::MAYWRITE) == VmFlags::MAYWRITE
    }
}

/// A page table entry. Bits 0-1: kind (none, present, swap, migration); 2: writable (present,
/// migration) or exclusive (swap, `pte_swp_exclusive`); 3: dirty; 4: young; 12..: pfn or swap
/// offset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Pte(u64);

impl Pte {
    const KIND_MASK: u64 = 0b11;
    const PRESENT: u64 = 1;
    const SWAP: u64 = 2;
    const MIGRATION: u64 = 3;
    const WRITE: u64 = 1 << 2;
    const DIRTY: u64 = 1 << 3;
    const YOUNG: u64 = 1 << 4;

    pub const NONE: Pte = Pte(0);

    pub fn present(pfn: Pfn, writable: bool, dirty: bool) -> Pte {
        let mut v = Self::PRESENT | Self::YOUNG | (pfn << PAGE_SHIFT);
        if writable {
            v |= Self::WRITE;
        }
        if dirty {
            v |= Self::DIRTY;
        }
        Pte(v)
    }
    /// A swap entry for `offset`, marked exclusive when the page was PG_anon_exclusive.
    pub fn swap(offset: u32, exclusive: bool) -> Pte {
        Pte(Self::SWAP | ((offset as u64) << PAGE_SHIFT)).with(Self::WRITE, exclusive)
    }
    /// A migration entry for the page `pfn` being migrated (`make_{readable,writable}_migration_entry`),
    /// keeping the PTE's write and dirty bits for `remove_migration_pte`.
    pub fn migration(pfn: Pfn, writable: bool, dirty: bool) -> Pte {
        Pte(Self::MIGRATION | (pfn << PAGE_SHIFT)).with(Self::WRITE, writable).with(Self::DIRTY, dirty)
    }
    pub fn is_migration(self) -> bool {
        self.0 & Self::KIND_MASK == Self::MIGRATION
    }
    pub fn is_none(self) -> bool {
        self.0 == 0
    }
    pub fn is_present(self) -> bool {
        self.0 & Self::KIND_MASK == Self::PRESENT
    }
    pub fn is_swap(self) -> bool {
        self.0 & Self::KIND_MASK == Self::SWAP
    }
    pub fn pfn(self) -> Pfn {
        self.0 >> PAGE_SHIFT
    }
    /// The swap offset of a swap entry.
    pub fn swap_offset(self) -> u32 {
        (self.0 >> PAGE_SHIFT) as u32
    }
    pub fn swap_exclusive(self) -> bool {
        self.is_swap() && self.0 & Self::WRITE != 0
    }
    pub fn without_swap_exclusive(self) -> Pte {
        self.with(Self::WRITE, false)
    }
    pub fn writable(self) -> bool {
        self.0 & Self::WRITE != 0
    }
    pub fn dirty(self) -> bool {
        self.0 & Self::DIRTY != 0
    }
    pub fn young(self) -> bool {
        self.0 & Self::YOUNG != 0
    }
    fn with(self, bit: u64, on: bool) -> Pte {
        Pte(if on { self.0 | bit } else { self.0 & !bit })
    }
    pub fn with_write(self, on: bool) -> Pte {
        self.with(Self::WRITE, on)
    }
    pub fn with_dirty(self, on: bool) -> Pte {
        self.with(Self::DIRTY, on)
    }
    pub fn with_young(self, on: bool) -> Pte {
        self.with(Self::YOUNG, on)
    }
}

/// What the PMD entry above a page table maps.
///
/// A PMD-mapped THP is modeled as the page table Linux deposits for it
/// (`pgtable_trans_huge_deposit`) filled with the 512 PTEs the PMD stands for, so that VmPTE,
/// per-page mapcounts and every per-page walk stay exact; `pmd` says that the entries are one
/// huge mapping. A huge zero PMD's entries are the small zero page, as its split leaves them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PmdMap {
    /// A page table (or nothing).
    #[default]
    Table,
    /// A PMD-mapped anonymous THP.
    Anon,
    /// The huge zero page (`is_huge_zero_pmd`).
    HugeZero,
}

/// One page table: 512 PTEs covering a 2 MiB-aligned range.
#[derive(Clone, Debug)]
pub struct PteTable {
    pub ptes: [Pte; PTRS_PER_PTE],
    /// Non-none entries.
    pub used: u16,
    pub pmd: PmdMap,
}

/// The page tables of one mm: PTE tables keyed by `addr >> 21`, allocated on first use
/// (`__pte_alloc`) and freed when their last entry is cleared.
#[derive(Clone, Debug, Default)]
pub struct PageTables {
    tables: BTreeMap<u64, Box<PteTable>>,
}

impl PageTables {
    #[inline]
    fn split(addr: u64) -> (u64, usize) {
        (addr / PMD_SIZE, ((addr / PAGE_SIZE) as usize) % PTRS_PER_PTE)
    }

    #[inline]
    pub fn get(&self, addr: u64) -> Pte {
        let (t, i) = Self::split(addr);
        self.tables.get(&t).map_or(Pte::NONE, |tab| tab.ptes[i])
    }

    /// Stores a PTE; returns the number of page tables allocated (+1) or freed (-1).
    #[inline]
    pub fn set(&mut self, addr: u64, pte: Pte) -> i64 {
        let (t, i) = Self::split(addr);
        if pte.is_none() {
            let Some(tab) = self.tables.get_mut(&t) else { return 0 };
            if !tab.ptes[i].is_none() {
                tab.ptes[i] = Pte::NONE;
                tab.used -= 1;
                if tab.used == 0 {
                    self.tables.remove(&t);
                    return -1;
                }
            }
            return 0;
        }
        let mut delta = 0;
        let tab = self.tables.entry(t).or_insert_with(|| {
            delta = 1;
            Box::new(PteTable { ptes: [Pte::NONE; PTRS_PER_PTE], used: 0, pmd: PmdMap::Table })
        });
        if tab.ptes[i].is_none() {
            tab.used += 1;
        }
        tab.ptes[i] = pte;
        delta
    }

    /// Non-none PTEs in `[start, end)`, in address order.
    pub fn range(&self, start: u64, end: u64) -> Vec<(u64, Pte)> {
        let mut out = Vec::new();
        if start >= end {
            return out;
        }
        for (&t, tab) in self.tables.range(start / PMD_SIZE..=(end - 1) / PMD_SIZE) {
            let base = t * PMD_SIZE;
            for (i, &pte) in tab.ptes.iter().enumerate() {
                let addr = base + i as u64 * PAGE_SIZE;
                if !pte.is_none() && addr >= start && addr < end {
                    out.push((addr, pte));
                }
            }
        }
        out
    }

    /// Allocates the PTE table covering `addr` if there is none (`__pte_alloc`); returns
    /// whether one was allocated.
    pub fn ensure_table(&mut self, addr: u64) -> bool {
        let (t, _) = Self::split(addr);
        let mut allocated = false;
        self.tables.entry(t).or_insert_with(|| {
            allocated = true;
            Box::new(PteTable { ptes: [Pte::NONE; PTRS_PER_PTE], used: 0, pmd: PmdMap::Table })
        });
        allocated
    }

    /// Empty PTE tables overlapping `[start, end)`, by key.
    pub fn empty_tables(&self, start: u64, end: u64) -> Vec<u64> {
        if start >= end {
            return Vec::new();
        }
        let range = start / PMD_SIZE..=(end - 1) / PMD_SIZE;
        self.tables.range(range).filter(|(_, t)| t.used == 0).map(|(&k, _)| k).collect()
    }

    /// Drops an (empty) PTE table.
    pub fn drop_table(&mut self, key: u64) {
        self.tables.remove(&key);
    }

    /// What the PMD covering `addr` maps.
    #[inline]
    pub fn pmd_at(&self, addr: u64) -> PmdMap {
        self.tables.get(&(addr / PMD_SIZE)).map_or(PmdMap::Table, |t| t.pmd)
    }

    /// Marks the (existing, full) table covering `addr` as one huge mapping, or back to a table.
    pub fn set_pmd(&mut self, addr: u64, pmd: PmdMap) {
        if let Some(t) = self.tables.get_mut(&(addr / PMD_SIZE)) {
            t.pmd = pmd;
        }
    }

    /// Start addresses of the huge PMDs overlapping `[start, end)`.
    pub fn huge_pmds(&self, start: u64, end: u64) -> Vec<(u64, PmdMap)> {
        if start >= end {
            return Vec::new();
        }
        let range = start / PMD_SIZE..=(end - 1) / PMD_SIZE;
        self.tables.range(range).filter(|(_, t)| t.pmd != PmdMap::Table).map(|(&k, t)| (k * PMD_SIZE, t.pmd)).collect()
    }

    /// Is there a PTE table covering `addr`?
    pub fn has_table(&self, addr: u64) -> bool {
        self.tables.contains_key(&(addr / PMD_SIZE))
    }

    /// Keys (`addr >> 21`) of the allocated PTE tables.
    pub fn table_keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.tables.keys().copied()
    }

    /// Number of PTE tables.
    pub fn table_count(&self) -> usize {
        self.tables.len()
    }

    /// Host bytes spent on tables.
    pub fn host_bytes(&self) -> usize {
        self.tables.len() * (size_of::<PteTable>() + 48)
    }
}

/// Identity of an anon_vma (mm/rmap.c). Compatible for merging only when equal.
pub type AnonVmaId = u32;
/// Identity of an inode in the machine.
pub type FileId = u32;

/// `struct vm_area_struct`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vma {
    pub start: u64,
    pub end: u64,
    pub flags: VmFlags,
    /// `vm_pgoff`: file page offset of `start`, or `start >> PAGE_SHIFT` at mmap time for anon.
    pub pgoff: u64,
    pub file: Option<FileId>,
    pub anon_vma: Option<AnonVmaId>,
    /// The anon_vma chain has more than the VMA's own anon_vma (it was forked), so it cannot take
    /// a neighbour without an anon_vma (`list_is_singular` in `is_mergeable_anon_vma`).
    pub anon_chain_forked: bool,
}

impl Vma {
    /// Whether `mlock_vma_folio` mlocks a page mapped here: VM_LOCKED without VM_SPECIAL (the
    /// model sets VM_IO only while mlock's page walk is in flight).
    pub fn mlocks_on_map(&self) -> bool {
        self.flags & (VmFlags::LOCKED | VmFlags::IO) == VmFlags::LOCKED
    }

    pub fn pages(&self) -> u64 {
        (self.end - self.start) / PAGE_SIZE
    }
    /// The file page index mapped at `addr`.
    pub fn pgoff_at(&self, addr: u64) -> u64 {
        self.pgoff + (addr - self.start) / PAGE_SIZE
    }
    /// `vma_is_anonymous`: no file and no shmem object behind it.
    pub fn is_anonymous(&self) -> bool {
        self.file.is_none()
    }
    pub fn is_shared(&self) -> bool {
        self.flags.contains(VmFlags::SHARED)
    }
}

/// RSS counter indices (`MM_FILEPAGES`, `MM_ANONPAGES`, `MM_SWAPENTS`, `MM_SHMEMPAGES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RssKind {
    File = 0,
    Anon = 1,
    SwapEnts = 2,
    Shmem = 3,
}

/// `struct mm_struct`.
#[derive(Clone, Debug, Default)]
pub struct Mm {
    pub vmas: BTreeMap<u64, Vma>,
    pub pt: PageTables,
    pub rss: [i64; 4],
    pub total_vm: u64,
    pub locked_vm: u64,
    pub hiwater_rss: u64,
    pub hiwater_vm: u64,
    /// Minor and major faults of the task (`min_flt`, `maj_flt`).
    pub min_flt: u64,
    pub maj_flt: u64,
    /// `def_flags`: VM_LOCKED[|VM_LOCKONFAULT] while mlockall(MCL_FUTURE) is in force.
    pub def_flags: VmFlags,
    /// Pages MREMAP_DONTUNMAP left in `locked_vm` with no VM_LOCKED VMA behind them (a Linux
    /// accounting leak the model reproduces; the invariant checker allows for it).
    pub locked_vm_leaked: u64,
    /// VMAs of a file created (+1) or dropped (-1) by splits and merges, not yet applied to the
    /// inode's `i_mmap` count (`Machine::sync_file_refs`).
    pub file_ref_deltas: Vec<(FileId, i32)>,
    /// Huge PMDs a VMA split went through (`vma_adjust_trans_huge`): their start and what they
    /// mapped, for the kernel to account the split (`Kernel::finish_pmd_splits`).
    pub pmd_splits: Vec<(u64, PmdMap, Pfn)>,
    /// THP reservations of this mm, by 2 MiB-aligned address (`vma->thp_resvs` in the RFC).
    pub thp_res: crate::thp_reserve::Reservations,
}

impl Mm {
    /// `free_pgtables` after `[start, end)` was unmapped: frees the empty PTE tables there that
    /// no remaining VMA shares. Returns how many.
    pub fn free_pgtables(&mut self, start: u64, end: u64) -> u64 {
        let mut freed = 0;
        for key in self.pt.empty_tables(start, end) {
            let (lo, hi) = (key * PMD_SIZE, (key + 1) * PMD_SIZE);
            if self.overlapping(lo, hi).is_empty() {
                self.pt.drop_table(key);
                freed += 1;
            }
        }
        freed
    }

    /// `find_vma_intersection`-style lookup of the VMA containing `addr`.
    #[inline]
    pub fn vma_at(&self, addr: u64) -> Option<&Vma> {
        self.vmas.range(..=addr).next_back().map(|(_, v)| v).filter(|v| addr < v.end)
    }

    pub fn rss_pages(&self) -> u64 {
        (self.rss[RssKind::File as usize] + self.rss[RssKind::Anon as usize] + self.rss[RssKind::Shmem as usize]).max(0)
            as u64
    }

    /// `update_hiwater_rss`.
    pub fn update_hiwater_rss(&mut self) {
        self.hiwater_rss = self.hiwater_rss.max(self.rss_pages());
    }

    /// `update_hiwater_vm`.
    pub fn update_hiwater_vm(&mut self) {
        self.hiwater_vm = self.hiwater_vm.max(self.total_vm);
    }

    /// VMAs overlapping `[start, end)`, by start address.
    pub fn overlapping(&self, start: u64, end: u64) -> Vec<u64> {
        let first = self.vma_at(start).map_or(start, |v| v.start);
        self.vmas.range(first..end).map(|(&s, _)| s).collect()
    }
}

/// An open file description (`struct file`): which inode, and how it was opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenFile {
    pub file: FileId,
    pub readable: bool,
    pub writable: bool,
    /// `f_ra.prev_pos` as a page index: the page the last read of a regular file ended in.
    pub ra_prev_page: Option<u64>,
}

/// A modeled task with its mm and fd table.
#[derive(Clone, Debug)]
pub struct Process {
    pub ppid: Pid,
    /// RLIMIT_MEMLOCK in bytes (soft = hard; u64::MAX is RLIM_INFINITY).
    pub rlimit_memlock: u64,
    /// CAP_IPC_LOCK.
    pub cap_ipc_lock: bool,
    pub mm: Mm,
    pub fds: BTreeMap<Fd, OpenFile>,
}
