//! What one side shows after a step, in a common shape: per script process, its script VMAs
//! (in model coordinates) with their smaps fields and pages, a smaps_rollup over those VMAs, and
//! status fields restricted to them.

use std::collections::BTreeMap;

/// One page of a VMA, as pagemap, kpagecount and kpageflags show it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PageSnap {
    pub present: bool,
    pub swap: bool,
    pub file: bool,
    pub exclusive: bool,
    /// kpagecount of a present page.
    pub count: Option<u64>,
    /// kpageflags of a present page.
    pub flags: Option<u64>,
}

/// One VMA (an smaps entry).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VmaSnap {
    /// Model coordinates.
    pub start: u64,
    pub end: u64,
    /// `rw-p`.
    pub perms: String,
    pub offset: u64,
    /// Path column, in script terms (script file paths, `/memfd:NAME (deleted)`, ...).
    pub name: String,
    /// Every numeric smaps line (kB, or a plain number for THPeligible), by name.
    pub fields: BTreeMap<String, u64>,
    pub vm_flags: Vec<String>,
    /// One entry per page from `start`.
    pub pages: Vec<PageSnap>,
}

/// One script process.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcSnap {
    pub vmas: Vec<VmaSnap>,
    /// smaps_rollup lines over the script VMAs, by name (kB).
    pub rollup: BTreeMap<String, u64>,
    /// status lines restricted to the script VMAs, by name (kB).
    pub status: BTreeMap<String, u64>,
}

/// Every live script process, keyed by its model pid.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub procs: BTreeMap<u32, ProcSnap>,
}

/// smaps_rollup lines the oracle compares: the byte sums are exact over any set of VMAs, and the
/// Pss lines are recomputed page by page from kpagecount (see `observe::page_pss`).
pub const ROLLUP_FIELDS: &[&str] = &[
    "Rss",
    "Pss",
    "Pss_Anon",
    "Pss_File",
    "Pss_Shmem",
    "Shared_Clean",
    "Shared_Dirty",
    "Private_Clean",
    "Private_Dirty",
    "Referenced",
    "Anonymous",
    "LazyFree",
    "AnonHugePages",
    "Swap",
];

/// Per-VMA smaps lines whose sum over VMAs is the smaps_rollup line.
pub const SUMMED_FIELDS: &[&str] = &[
    "Rss",
    "Shared_Clean",
    "Shared_Dirty",
    "Private_Clean",
    "Private_Dirty",
    "Referenced",
    "Anonymous",
    "LazyFree",
    "AnonHugePages",
    "Swap",
];

/// /proc/PID/status lines the oracle compares.
pub const STATUS_FIELDS: &[&str] = &[
    "VmSize",
    "VmLck",
    "VmRSS",
    "RssAnon",
    "RssFile",
    "RssShmem",
    "VmData",
    "VmStk",
    "VmExe+VmLib",
    "VmPTE",
    "VmSwap",
];
