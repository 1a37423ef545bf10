//! Machine configuration: the modeled hardware and the sysctl/sysfs knobs the model honours.

use serde::{Deserialize, Serialize};

use crate::errno::Errno;
use crate::ops::PAGE_SIZE;

/// /sys/kernel/mm/transparent_hugepage/enabled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum ThpMode {
    #[default]
    Never,
    Madvise,
    Always,
}

impl ThpMode {
    pub fn name(self) -> &'static str {
        match self {
            ThpMode::Never => "never",
            ThpMode::Madvise => "madvise",
            ThpMode::Always => "always",
        }
    }

    pub fn from_name(s: &str) -> Option<ThpMode> {
        match s {
            "never" => Some(ThpMode::Never),
            "madvise" => Some(ThpMode::Madvise),
            "always" => Some(ThpMode::Always),
            _ => None,
        }
    }
}

/// Quirk: mlock2(MLOCK_ONFAULT) and mlockall(MCL_ONFAULT) set VM_LOCKED|VM_LOCKONFAULT but leave
/// the pages already mapped in the range un-mlocked (no PG_mlocked, no mlock_count, not on the
/// unevictable LRU).
///
/// This is the state of mm/mlock.c inside Hugh Dickins' 2022 munlock rework (Linux 5.18) after
/// "mm/munlock: delete FOLL_MLOCK and FOLL_POPULATE" and before "mm/munlock: mlock_pte_range()
/// when mlocking or munlocking" (34b6792380ce; posted 2022-02-06,
/// <8bc3ee8c-7f1-d812-7f22-4f9f6d436bc@google.com>): `mlock_fixup` only set the new vm_flags,
/// and pages were mlocked where `__mm_populate` faulted them, which skips VM_LOCKONFAULT VMAs.
/// The fix added `mlock_vma_pages_range()`, "required to raise the mlock_counts on pages already
/// there when a range is mlocked". The invariant checker reports it as `mlock_count` and
/// `mlocked-iff-locked-mapping`.
pub const QUIRK_LOCKONFAULT_SKIP_MAPPED: &str = "lockonfault_skip_mapped";

/// Quirk: `zap_pte_range` skips every swap entry whenever zap details are passed, so truncation
/// (`unmap_mapping_range` with `even_cows`) leaves the swapped-out private COW copies of the cut
/// range in the page tables: after the file grows back, a read returns the old private data
/// instead of zero.
///
/// This is zap_pte_range from the first git commit until Peter Xu's "mm: don't skip swap entry
/// even if zap_details specified" (5abfd71d936a, Linux 5.18; series "mm: Rework zap ptes on swap
/// entries", <20220217060746.71256-1-peterx@redhat.com>): `/* If details->check_mapping, we leave
/// swap entries. */ if (unlikely(details)) continue;`. The fix zaps genuine swap entries when
/// `should_zap_cows(details)`. The invariant checker reports it as `pte-beyond-eof`. The
/// same `continue` skipped migration entries: a truncation whose unmap pass meets a migration
/// task's entries leaves them, and the migration restores them past EOF (scenario 116).
pub const QUIRK_ZAP_DETAILS_SKIP_SWAP: &str = "zap_details_skip_swap";

/// Quirk: with THP reservations on (`promotion_threshold` > 1), a read fault that maps the zero
/// page reserves a 512-page block as a write fault does.
///
/// This is the RFC "mm: thp: implement THP reservations for anonymous memory" as posted (Anthony
/// Yznaga, November 2018), which reserved at every anonymous fault on an empty PMD; its cover
/// letter lists zero-page reservations among the known issues, and Mel Gorman's review asked to
/// reserve on the first write instead, which is the model's default.
pub const QUIRK_THP_RESERVE_ON_READ_FAULT: &str = "thp_reserve_on_read_fault";

/// Quirk: reclaim's rmap walk, meeting a page in a VM_LOCKED VMA, drops the pte lock and mlocks
/// the page after a `down_read_trylock` of mmap_lock, without looking at the PTE again: a
/// truncation that unmapped the page in between leaves it PG_mlocked with no VM_LOCKED mapping,
/// and it is freed still mlocked ("BUG: Bad page state" in the kernels of that time).
///
/// This is `try_to_unmap_one` before Hugh Dickins' "mm: rmap use pte lock not mmap_sem to set
/// PageMlocked" (b87537d9e2fe, Linux 4.4): `out_mlock: pte_unmap_unlock(pte, ptl); if
/// (down_read_trylock(&vma->vm_mm->mmap_sem)) { if (vma->vm_flags & VM_LOCKED) {
/// mlock_vma_page(page); ret = SWAP_MLOCK; } up_read(...); }`. The fix mlocks under the pte lock,
/// while the PTE is known to map the page. Only reclaim tasks ([`crate::TaskKind::Reclaim`])
/// have the window; the explorer finds the schedule (scenario 114).
pub const QUIRK_RMAP_MLOCK_TRYLOCK: &str = "rmap_mlock_trylock";

/// Quirk: mlock's page walk runs without the VM_IO guard. `mlock_vma_pages_range` (mm/mlock.c,
/// since the 5.18 munlock rework) sets VM_LOCKED|VM_IO before it walks the page tables and
/// clears VM_IO after: "There is a slight chance that concurrent page migration, or page
/// reclaim finding a page of this now-VM_LOCKED vma, will call mlock_vma_folio() and raise
/// page's mlock_count: double counting, leaving the page unevictable indefinitely.
/// Communicate this danger to mlock_vma_folio() with VM_IO". With the quirk the danger is let
/// in: a reclaim or a migration that meets a page the walk has not reached mlocks it, the walk
/// mlocks it again, and after munlock it is still PG_mlocked. Only mlock writer tasks walk in
/// steps ([`crate::TaskKind::Writer`]); the explorer finds the schedule (scenario 118).
pub const QUIRK_MLOCK_WALK_WITHOUT_VM_IO: &str = "mlock_walk_without_vm_io";

/// Names of the historical kernel behaviours a machine can re-enable (see each `QUIRK_*` constant).
pub const KNOWN_QUIRKS: &[&str] = &[
    QUIRK_LOCKONFAULT_SKIP_MAPPED,
    QUIRK_ZAP_DETAILS_SKIP_SWAP,
    QUIRK_THP_RESERVE_ON_READ_FAULT,
    QUIRK_RMAP_MLOCK_TRYLOCK,
    QUIRK_MLOCK_WALK_WITHOUT_VM_IO,
];

/// The quirks that are defects the invariant checker catches (each has fuzz inputs that fail
/// with it on). The others change only what is measured: a zero-page reservation wastes memory
/// but leaves every invariant intact, so scenarios check its figures instead.
pub const INVARIANT_QUIRKS: &[&str] = &[QUIRK_LOCKONFAULT_SKIP_MAPPED, QUIRK_ZAP_DETAILS_SKIP_SWAP];

pub use crate::readahead::{DEFAULT_READ_AHEAD_KB, MAX_READ_AHEAD_KB};

/// Largest `promotion_threshold` (HPAGE_PMD_NR).
pub const MAX_PROMOTION_THRESHOLD: u32 = 512;

/// Most NUMA nodes a machine may have (MAX_NUMNODES on a default x86_64 config is larger, but
/// 64 keeps node masks in one word).
pub const MAX_NODES: u32 = 64;
/// Largest modeled memory per node: 1 TiB.
pub const MAX_NODE_BYTES: u64 = 1 << 40;
/// Largest modeled swap: 1 TiB.
pub const MAX_SWAP_BYTES: u64 = 1 << 40;

/// Everything that fixes a machine at creation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MachineConfig {
    /// Number of NUMA nodes, 1..=64.
    pub nodes: u32,
    /// Memory per node in bytes (a multiple of the page size).
    pub node_bytes: u64,
    /// Swap space in bytes (0 = no swap).
    pub swap_bytes: u64,
    /// Default RLIMIT_MEMLOCK of spawned processes, in bytes (Linux: 8 MiB).
    pub memlock_bytes: u64,
    /// THP mode; the THP behaviour itself arrives with the THP model.
    pub thp: ThpMode,
    /// Enabled quirks, by name (see [`KNOWN_QUIRKS`]).
    pub quirks: Vec<String>,
    /// /sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_none (0..=511, Linux: 511): the
    /// most none or zero-page PTEs khugepaged fills in when it collapses a range.
    #[serde(default = "default_max_ptes_none")]
    pub max_ptes_none: u32,
    /// khugepaged/max_ptes_swap (0..=511, Linux: 64): the most swap entries khugepaged reads
    /// back for a collapse.
    #[serde(default = "default_max_ptes_swap")]
    pub max_ptes_swap: u32,
    /// khugepaged/max_ptes_shared (0..=511, Linux: 256): the most pages mapped by more than one
    /// process in a range khugepaged collapses.
    #[serde(default = "default_max_ptes_shared")]
    pub max_ptes_shared: u32,
    /// THP reservations (the 2018 RFC, opt-in): `Some(n)` is
    /// /sys/kernel/mm/transparent_hugepage/promotion_threshold = n (1..=512): a fault reserves
    /// an aligned 512-page block and khugepaged promotes it in place once n of its pages are
    /// mapped; 1 behaves as plain THP. `None`: Linux as it is, no reservations.
    #[serde(default)]
    pub promotion_threshold: Option<u32>,
    /// The disk's /sys/class/bdi/*/read_ahead_kb (0..=1048576, Linux: 128): the readahead
    /// window of disk files (see `readahead.rs`); 0 turns readahead off.
    #[serde(default = "default_read_ahead_kb")]
    pub read_ahead_kb: u32,
    /// What a swap-in fault under a VMA lock does when another task's read holds the folio
    /// (see `task.rs`): retry under mmap_lock (Linux before the 2023 discussion) or wait.
    #[serde(default)]
    pub swapin_policy: crate::task::SwapinPolicy,
}

/// The largest value the khugepaged `max_ptes_*` knobs accept (HPAGE_PMD_NR - 1).
pub const MAX_PTES_LIMIT: u32 = 511;

fn default_max_ptes_none() -> u32 {
    511
}
fn default_max_ptes_swap() -> u32 {
    64
}
fn default_max_ptes_shared() -> u32 {
    256
}
fn default_read_ahead_kb() -> u32 {
    crate::readahead::DEFAULT_READ_AHEAD_KB
}

impl Default for MachineConfig {
    fn default() -> Self {
        MachineConfig {
            nodes: 1,
            node_bytes: 1 << 30,
            swap_bytes: 0,
            memlock_bytes: 8 << 20,
            thp: ThpMode::Never,
            quirks: Vec::new(),
            max_ptes_none: default_max_ptes_none(),
            max_ptes_swap: default_max_ptes_swap(),
            max_ptes_shared: default_max_ptes_shared(),
            promotion_threshold: None,
            read_ahead_kb: default_read_ahead_kb(),
            swapin_policy: Default::default(),
        }
    }
}

impl MachineConfig {
    /// Checks every field; the machine refuses a config this rejects.
    pub fn validate(&self) -> Result<(), Errno> {
        let pages_ok = |b: u64| b.is_multiple_of(PAGE_SIZE);
        if self.nodes == 0 || self.nodes > MAX_NODES {
            return Err(Errno::EINVAL);
        }
        if self.node_bytes < PAGE_SIZE * 16 || self.node_bytes > MAX_NODE_BYTES || !pages_ok(self.node_bytes) {
            return Err(Errno::EINVAL);
        }
        if self.swap_bytes > MAX_SWAP_BYTES || !pages_ok(self.swap_bytes) {
            return Err(Errno::EINVAL);
        }
        if [self.max_ptes_none, self.max_ptes_swap, self.max_ptes_shared].iter().any(|&n| n > MAX_PTES_LIMIT) {
            return Err(Errno::EINVAL);
        }
        if self.quirks.iter().any(|q| !KNOWN_QUIRKS.contains(&q.as_str())) {
            return Err(Errno::EINVAL);
        }
        if self.promotion_threshold.is_some_and(|t| t == 0 || t > MAX_PROMOTION_THRESHOLD) {
            return Err(Errno::EINVAL);
        }
        if self.read_ahead_kb > MAX_READ_AHEAD_KB {
            return Err(Errno::EINVAL);
        }
        Ok(())
    }

    /// Page frames per node.
    pub fn node_frames(&self) -> u64 {
        self.node_bytes / PAGE_SIZE
    }

    /// Swap slots.
    pub fn swap_slots(&self) -> u64 {
        self.swap_bytes / PAGE_SIZE
    }

    /// Whether a named quirk is on.
    pub fn quirk(&self, name: &str) -> bool {
        self.quirks.iter().any(|q| q == name)
    }
}
