//! Linux text renderers for the /proc views, and lookup of their numbers by Linux line name.
//!
//! Every renderer prints exactly what Linux 6.18 (x86_64) prints for the same numbers; every
//! format below was checked byte for byte against a live 6.18.44 kernel and against the kernel
//! source (fs/proc/task_mmu.c `show_vma_header_prefix`, `show_map_vma`, `__show_smap`,
//! `show_smap`, `show_smaps_rollup`, `show_smap_vma_flags`, `task_mem`; fs/proc/array.c
//! `proc_pid_status`; fs/proc/meminfo.c `meminfo_proc_show`; drivers/base/node.c
//! `node_read_meminfo`; mm/vmstat.c `vmstat_show`).
//!
//! Each view has one table of lines (Linux label, width, unit, accessor). The renderer prints the
//! table and the `*_field` lookups search the same table, so a line name and its value cannot
//! drift apart. Lookups take the name Linux prints before the colon ("Rss", "Active(anon)",
//! "VmRSS"; a trailing ':' is accepted) and return the number in the unit Linux prints it in: kB
//! for `kB` lines, the plain number otherwise.
//!
//! /proc/PID/pagemap and /proc/kpageflags are binary in Linux; [`render_pagemap`] and
//! [`render_kpage`] print a documented text form of them instead.

use std::fmt::Write as _;

use crate::ops::Prot;
use crate::views::{
    Kpage, KpageFlags, MapsEntry, MemSizeStats, Meminfo, PSS_SHIFT, PagemapEntry, SmapsEntry, SmapsRollup, Status,
    Vmstat,
};

// ---------------------------------------------------------------------------------------------
// VM_* flags (include/linux/mm.h, Linux 6.18, x86_64, the reference kernel's configuration)
// ---------------------------------------------------------------------------------------------

/// `VM_NONE`.
pub const VM_NONE: u64 = 0;
pub const VM_READ: u64 = 0x0000_0001;
pub const VM_WRITE: u64 = 0x0000_0002;
pub const VM_EXEC: u64 = 0x0000_0004;
pub const VM_SHARED: u64 = 0x0000_0008;
/// mprotect() relies on `VM_MAYREAD >> 4 == VM_READ` (and so for write and exec).
pub const VM_MAYREAD: u64 = 0x0000_0010;
pub const VM_MAYWRITE: u64 = 0x0000_0020;
pub const VM_MAYEXEC: u64 = 0x0000_0040;
pub const VM_MAYSHARE: u64 = 0x0000_0080;
pub const VM_GROWSDOWN: u64 = 0x0000_0100;
/// userfaultfd missing-page tracking (CONFIG_MMU).
pub const VM_UFFD_MISSING: u64 = 0x0000_0200;
pub const VM_PFNMAP: u64 = 0x0000_0400;
/// The VMA may hold guard-region markers (MADV_GUARD_INSTALL); sticky across merges. Shown as
/// `gu` by the reference kernel (6.18.44).
pub const VM_MAYBE_GUARD: u64 = 0x0000_0800;
/// userfaultfd write-protect tracking.
pub const VM_UFFD_WP: u64 = 0x0000_1000;
pub const VM_LOCKED: u64 = 0x0000_2000;
pub const VM_IO: u64 = 0x0000_4000;
/// MADV_SEQUENTIAL.
pub const VM_SEQ_READ: u64 = 0x0000_8000;
/// MADV_RANDOM.
pub const VM_RAND_READ: u64 = 0x0001_0000;
/// MADV_DONTFORK.
pub const VM_DONTCOPY: u64 = 0x0002_0000;
pub const VM_DONTEXPAND: u64 = 0x0004_0000;
/// mlock2(MLOCK_ONFAULT) / mlockall(MCL_ONFAULT).
pub const VM_LOCKONFAULT: u64 = 0x0008_0000;
/// Charged to the overcommit accounting (`vm_committed_as`).
pub const VM_ACCOUNT: u64 = 0x0010_0000;
pub const VM_NORESERVE: u64 = 0x0020_0000;
pub const VM_HUGETLB: u64 = 0x0040_0000;
/// MAP_SYNC.
pub const VM_SYNC: u64 = 0x0080_0000;
/// Architecture flag 1; `VM_PAT` on x86.
pub const VM_ARCH_1: u64 = 0x0100_0000;
/// x86 PAT: the whole VMA's memory type is reserved at once.
pub const VM_PAT: u64 = VM_ARCH_1;
/// MADV_WIPEONFORK.
pub const VM_WIPEONFORK: u64 = 0x0200_0000;
/// MADV_DONTDUMP.
pub const VM_DONTDUMP: u64 = 0x0400_0000;
/// `VM_SOFTDIRTY` is 0 on the reference kernel: CONFIG_MEM_SOFT_DIRTY is not set (with it, the
/// flag is 0x0800_0000 and prints `sd`). Setting it is a no-op, as in Linux.
pub const VM_SOFTDIRTY: u64 = 0;
/// The bit `VM_SOFTDIRTY` takes when CONFIG_MEM_SOFT_DIRTY=y (unused on the reference kernel).
pub const VM_SOFTDIRTY_BIT_VALUE: u64 = 0x0800_0000;
pub const VM_MIXEDMAP: u64 = 0x1000_0000;
/// MADV_HUGEPAGE.
pub const VM_HUGEPAGE: u64 = 0x2000_0000;
/// MADV_NOHUGEPAGE.
pub const VM_NOHUGEPAGE: u64 = 0x4000_0000;
/// MADV_MERGEABLE (KSM).
pub const VM_MERGEABLE: u64 = 0x8000_0000;
/// `VM_HIGH_ARCH_0..3`: the x86 protection-key bits (CONFIG_ARCH_PKEY_BITS = 4). Printed as the
/// `ProtectionKey:` smaps line when the CPU has PKU, never as VmFlags mnemonics.
pub const VM_PKEY_BIT0: u64 = 1 << 32;
pub const VM_PKEY_BIT1: u64 = 1 << 33;
pub const VM_PKEY_BIT2: u64 = 1 << 34;
pub const VM_PKEY_BIT3: u64 = 1 << 35;
/// `VM_SHADOW_STACK` is `VM_NONE` on the reference kernel (CONFIG_X86_USER_SHADOW_STACK is not
/// set; with it the flag is `VM_HIGH_ARCH_5` = bit 37 and prints `ss`).
pub const VM_SHADOW_STACK: u64 = 0;
/// MAP_DROPPABLE (bit 40 on 64-bit).
pub const VM_DROPPABLE: u64 = 1 << 40;
/// userfaultfd minor-fault tracking (bit 41, CONFIG_HAVE_ARCH_USERFAULTFD_MINOR).
pub const VM_UFFD_MINOR: u64 = 1 << 41;
/// mseal(2) (bit 42 on 64-bit).
pub const VM_SEALED: u64 = 1 << 42;

/// `show_smap_vma_flags`' table for the reference kernel, indexed by bit number: `"??"` for a
/// bit Linux has no mnemonic for, `""` for a bit that is never printed (protection keys).
const VMFLAG_MNEMONICS: [&str; 64] = {
    let mut t = ["??"; 64];
    t[0] = "rd"; // VM_READ
    t[1] = "wr"; // VM_WRITE
    t[2] = "ex"; // VM_EXEC
    t[3] = "sh"; // VM_SHARED
    t[4] = "mr"; // VM_MAYREAD
    t[5] = "mw"; // VM_MAYWRITE
    t[6] = "me"; // VM_MAYEXEC
    t[7] = "ms"; // VM_MAYSHARE
    t[8] = "gd"; // VM_GROWSDOWN
    t[9] = "um"; // VM_UFFD_MISSING
    t[10] = "pf"; // VM_PFNMAP
    t[11] = "gu"; // VM_MAYBE_GUARD
    t[12] = "uw"; // VM_UFFD_WP
    t[13] = "lo"; // VM_LOCKED
    t[14] = "io"; // VM_IO
    t[15] = "sr"; // VM_SEQ_READ
    t[16] = "rr"; // VM_RAND_READ
    t[17] = "dc"; // VM_DONTCOPY
    t[18] = "de"; // VM_DONTEXPAND
    t[19] = "lf"; // VM_LOCKONFAULT
    t[20] = "ac"; // VM_ACCOUNT
    t[21] = "nr"; // VM_NORESERVE
    t[22] = "ht"; // VM_HUGETLB
    t[23] = "sf"; // VM_SYNC
    t[24] = "ar"; // VM_ARCH_1 (VM_PAT)
    t[25] = "wf"; // VM_WIPEONFORK
    t[26] = "dd"; // VM_DONTDUMP
    // Bit 27 (VM_SOFTDIRTY) keeps "??": CONFIG_MEM_SOFT_DIRTY is off.
    t[28] = "mm"; // VM_MIXEDMAP
    t[29] = "hg"; // VM_HUGEPAGE
    t[30] = "nh"; // VM_NOHUGEPAGE
    t[31] = "mg"; // VM_MERGEABLE
    t[32] = ""; // VM_PKEY_BIT0: shown via ProtectionKey
    t[33] = ""; // VM_PKEY_BIT1
    t[34] = ""; // VM_PKEY_BIT2
    t[35] = ""; // VM_PKEY_BIT3
    // Bit 37 (VM_SHADOW_STACK) keeps "??": CONFIG_X86_USER_SHADOW_STACK is off.
    t[40] = "dp"; // VM_DROPPABLE
    t[41] = "ui"; // VM_UFFD_MINOR
    t[42] = "sl"; // VM_SEALED
    t
};

/// The VmFlags mnemonics of a raw `vm_flags` word, in the order `show_smap_vma_flags` prints
/// them (ascending bit number). A set bit Linux has no mnemonic for yields `"??"`, as in Linux;
/// the protection-key bits yield nothing.
pub fn vmflags_mnemonics(vm_flags: u64) -> Vec<String> {
    (0..64)
        .filter(|&bit| vm_flags & (1u64 << bit) != 0 && !VMFLAG_MNEMONICS[bit].is_empty())
        .map(|bit| VMFLAG_MNEMONICS[bit].to_string())
        .collect()
}

/// The `vm_flags` bit a VmFlags mnemonic stands for ("lo" -> [`VM_LOCKED`]); `None` for "??",
/// "" and unknown mnemonics.
pub fn vmflag_by_mnemonic(mnemonic: &str) -> Option<u64> {
    if mnemonic.is_empty() || mnemonic == "??" {
        return None;
    }
    VMFLAG_MNEMONICS.iter().position(|m| *m == mnemonic).map(|bit| 1u64 << bit)
}

// ---------------------------------------------------------------------------------------------
// Line tables
// ---------------------------------------------------------------------------------------------

/// What follows the number on a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    /// `" kB"`.
    Kb,
    /// Nothing.
    Plain,
}

/// One numeric line: the label exactly as Linux prints it (colon and padding included), the
/// minimum width of the right-aligned number (`seq_put_decimal_ull_width` / `%Nlu`), the unit,
/// and the accessor returning the number as printed.
struct Line<T> {
    label: &'static str,
    width: usize,
    unit: Unit,
    get: fn(&T) -> u64,
}

/// A line with its value computed, ready to print or to match by name.
#[derive(Clone, Copy, Debug)]
struct Row {
    label: &'static str,
    width: usize,
    unit: Unit,
    value: u64,
}

impl<T> Line<T> {
    fn row(&self, t: &T) -> Row {
        Row { label: self.label, width: self.width, unit: self.unit, value: (self.get)(t) }
    }
}

impl Row {
    /// The Linux line name: the label without its colon and padding.
    fn name(&self) -> &'static str {
        let l = self.label.trim_end();
        l.strip_suffix(':').unwrap_or(l)
    }

    fn write(&self, out: &mut String) {
        let _ = write!(out, "{}{:>w$}", self.label, self.value, w = self.width);
        out.push_str(match self.unit {
            Unit::Kb => " kB\n",
            Unit::Plain => "\n",
        });
    }
}

/// A line with a number of minimum width `width`.
const fn line<T>(label: &'static str, width: usize, unit: Unit, get: fn(&T) -> u64) -> Line<T> {
    Line { label, width, unit, get }
}

/// The common `label%8lu kB` line.
const fn kb_line<T>(label: &'static str, get: fn(&T) -> u64) -> Line<T> {
    line(label, 8, Unit::Kb, get)
}

/// Lookup name normalisation: "VmRSS:" and "VmRSS" are the same line.
fn wanted(name: &str) -> &str {
    let n = name.trim();
    n.strip_suffix(':').unwrap_or(n)
}

fn find(rows: impl IntoIterator<Item = Row>, name: &str) -> Option<u64> {
    let name = wanted(name);
    rows.into_iter().find(|r| r.name() == name).map(|r| r.value)
}

const fn kb(bytes: u64) -> u64 {
    bytes >> 10
}

/// A Pss-style fixed-point counter (bytes << PSS_SHIFT) in kB, as `__show_smap` prints it.
const fn pss_kb(fixed: u64) -> u64 {
    (fixed >> PSS_SHIFT) >> 10
}

// ---------------------------------------------------------------------------------------------
// maps
// ---------------------------------------------------------------------------------------------

/// The column the path starts after: `seq_setwidth(m, 25 + sizeof(void *) * 6 - 1)`, then
/// `seq_pad(m, ' ')` pads to it and adds one more space.
pub const MAPS_NAME_PAD: usize = 25 + 8 * 6 - 1;

/// `show_vma_header_prefix`: `%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ` (lowercase hex,
/// minimum widths, trailing space included); `s` in the fourth column is VM_MAYSHARE.
fn write_header_prefix(out: &mut String, e: &MapsEntry) {
    let _ = write!(
        out,
        "{:08x}-{:08x} {}{}{}{} {:08x} {:02x}:{:02x} {} ",
        e.start,
        e.end,
        if e.prot.contains(Prot::READ) { 'r' } else { '-' },
        if e.prot.contains(Prot::WRITE) { 'w' } else { '-' },
        if e.prot.contains(Prot::EXEC) { 'x' } else { '-' },
        if e.shared { 's' } else { 'p' },
        e.offset,
        e.dev_major,
        e.dev_minor,
        e.inode
    );
}

/// `seq_pad(m, ' ')` for a line that began at `line_start`: spaces up to [`MAPS_NAME_PAD`]
/// bytes (none if the line is already that long), then one space.
fn pad_name_column(out: &mut String, line_start: usize) {
    let used = out.len() - line_start;
    for _ in used..MAPS_NAME_PAD {
        out.push(' ');
    }
    out.push(' ');
}

/// `seq_file_path(m, file, "\n")` escapes a newline in a path as `\012`; nothing else.
fn push_escaped_name(out: &mut String, name: &str) {
    for c in name.chars() {
        if c == '\n' {
            out.push_str("\\012");
        } else {
            out.push(c);
        }
    }
}

/// One maps line (`show_map_vma`), newline included. An anonymous line without a name keeps the
/// header's trailing space: `... 00:00 0 \n`.
fn write_maps_line(out: &mut String, e: &MapsEntry) {
    let line_start = out.len();
    write_header_prefix(out, e);
    if !e.name.is_empty() {
        pad_name_column(out, line_start);
        push_escaped_name(out, &e.name);
    }
    out.push('\n');
}

/// /proc/PID/maps.
pub fn render_maps(entries: &[MapsEntry]) -> String {
    let mut out = String::with_capacity(entries.len() * 100);
    for e in entries {
        write_maps_line(&mut out, e);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// smaps, smaps_rollup
// ---------------------------------------------------------------------------------------------

/// A `__show_smap` line, and whether only rollup mode prints it.
struct MssLine {
    line: Line<MemSizeStats>,
    rollup_only: bool,
}

const fn mss(line: Line<MemSizeStats>) -> MssLine {
    MssLine { line, rollup_only: false }
}

const fn mss_rollup(line: Line<MemSizeStats>) -> MssLine {
    MssLine { line, rollup_only: true }
}

/// `__show_smap`'s lines (`SEQ_PUT_DEC(label, bytes)` = `seq_put_decimal_ull_width(m, label,
/// bytes >> 10, 8)`; Pss-style counters are shifted right by [`PSS_SHIFT`] first).
const MSS_LINES: &[MssLine] = &[
    mss(kb_line("Rss:            ", |m| kb(m.resident))),
    mss(kb_line("Pss:            ", |m| pss_kb(m.pss))),
    mss(kb_line("Pss_Dirty:      ", |m| pss_kb(m.pss_dirty))),
    mss_rollup(kb_line("Pss_Anon:       ", |m| pss_kb(m.pss_anon))),
    mss_rollup(kb_line("Pss_File:       ", |m| pss_kb(m.pss_file))),
    mss_rollup(kb_line("Pss_Shmem:      ", |m| pss_kb(m.pss_shmem))),
    mss(kb_line("Shared_Clean:   ", |m| kb(m.shared_clean))),
    mss(kb_line("Shared_Dirty:   ", |m| kb(m.shared_dirty))),
    mss(kb_line("Private_Clean:  ", |m| kb(m.private_clean))),
    mss(kb_line("Private_Dirty:  ", |m| kb(m.private_dirty))),
    mss(kb_line("Referenced:     ", |m| kb(m.referenced))),
    mss(kb_line("Anonymous:      ", |m| kb(m.anonymous))),
    mss(kb_line("KSM:            ", |m| kb(m.ksm))),
    mss(kb_line("LazyFree:       ", |m| kb(m.lazyfree))),
    mss(kb_line("AnonHugePages:  ", |m| kb(m.anonymous_thp))),
    mss(kb_line("ShmemPmdMapped: ", |m| kb(m.shmem_thp))),
    mss(kb_line("FilePmdMapped:  ", |m| kb(m.file_thp))),
    mss(kb_line("Shared_Hugetlb: ", |m| kb(m.shared_hugetlb))),
    // The one 17-byte label; Linux narrows the number to 7 to keep the column.
    mss(line("Private_Hugetlb: ", 7, Unit::Kb, |m| kb(m.private_hugetlb))),
    mss(kb_line("Swap:           ", |m| kb(m.swap))),
    mss(kb_line("SwapPss:        ", |m| pss_kb(m.swap_pss))),
    // Locked is the fixed-point pss_locked, not a byte count.
    mss(kb_line("Locked:         ", |m| pss_kb(m.pss_locked))),
];

/// The hugetlb page size the smaps `KernelPageSize`/`MMUPageSize` lines show for a VMA with
/// `ht` in VmFlags (the default hstate, `Hugepagesize: 2048 kB`). [`SmapsEntry`] has no page
/// size field, so a 1 GiB hugetlb mapping cannot be told apart.
pub const HUGETLB_DEFAULT_PAGE_SIZE: u64 = 2 << 20;

/// `vma_kernel_pagesize` (= `vma_mmu_pagesize` on x86).
fn smaps_page_size(e: &SmapsEntry) -> u64 {
    if e.vm_flags.iter().any(|f| f == "ht") { HUGETLB_DEFAULT_PAGE_SIZE } else { 4096 }
}

/// `show_smap`'s lines before `__show_smap`.
const SMAPS_HEAD: &[Line<SmapsEntry>] = &[
    kb_line("Size:           ", |e| kb(e.size)),
    kb_line("KernelPageSize: ", |e| kb(smaps_page_size(e))),
    kb_line("MMUPageSize:    ", |e| kb(smaps_page_size(e))),
];

/// `show_smap`'s lines after `__show_smap` (no ProtectionKey: the reference CPU has no PKU).
const SMAPS_TAIL: &[Line<SmapsEntry>] = &[line("THPeligible:    ", 8, Unit::Plain, |e| u64::from(e.thp_eligible))];

/// The numeric lines of one smaps entry, in print order.
fn smaps_rows(e: &SmapsEntry) -> impl Iterator<Item = Row> + '_ {
    let head = SMAPS_HEAD.iter().map(move |l| l.row(e));
    let mss = MSS_LINES.iter().filter(|l| !l.rollup_only).map(move |l| l.line.row(&e.mss));
    let tail = SMAPS_TAIL.iter().map(move |l| l.row(e));
    head.chain(mss).chain(tail)
}

/// The numeric lines of smaps_rollup, in print order.
fn smaps_rollup_rows(r: &SmapsRollup) -> impl Iterator<Item = Row> + '_ {
    MSS_LINES.iter().map(move |l| l.line.row(&r.mss))
}

/// /proc/PID/smaps: per entry the maps line, the numeric lines (Size .. THPeligible) and
/// `VmFlags: ` followed by each mnemonic and a space.
pub fn render_smaps(entries: &[SmapsEntry]) -> String {
    let mut out = String::with_capacity(entries.len() * 800);
    for e in entries {
        write_maps_line(&mut out, &e.map);
        for row in smaps_rows(e) {
            row.write(&mut out);
        }
        out.push_str("VmFlags: ");
        for f in &e.vm_flags {
            out.push_str(f);
            out.push(' ');
        }
        out.push('\n');
    }
    out
}

/// /proc/PID/smaps_rollup: `show_vma_header_prefix(start, end, 0, 0, 0, 0)` (so `---p`, offset
/// 0, device 00:00, inode 0), padded, `[rollup]`, then `__show_smap` in rollup mode (with
/// Pss_Anon/Pss_File/Pss_Shmem; no Size, THPeligible or VmFlags).
pub fn render_smaps_rollup(r: &SmapsRollup) -> String {
    let mut out = String::with_capacity(800);
    let header = MapsEntry {
        start: r.start,
        end: r.end,
        prot: Prot::empty(),
        shared: false,
        offset: 0,
        dev_major: 0,
        dev_minor: 0,
        inode: 0,
        name: "[rollup]".to_string(),
    };
    write_maps_line(&mut out, &header);
    for row in smaps_rollup_rows(r) {
        row.write(&mut out);
    }
    out
}

/// A numeric smaps line of one entry by name ("Rss", "Pss", "THPeligible", ...).
pub fn smaps_field(e: &SmapsEntry, name: &str) -> Option<u64> {
    find(smaps_rows(e), name)
}

/// A numeric smaps_rollup line by name ("Rss", "Pss_Anon", "Locked", ...).
pub fn smaps_rollup_field(r: &SmapsRollup, name: &str) -> Option<u64> {
    find(smaps_rollup_rows(r), name)
}

// ---------------------------------------------------------------------------------------------
// status
// ---------------------------------------------------------------------------------------------

/// `Pid:`/`PPid:` of `proc_pid_status` (`seq_put_decimal_ull`: no padding) and `task_mem`'s
/// block (`seq_put_decimal_ull_width(.., 8)` after a tab), then `hugetlb_report_usage`
/// (`HugetlbPages:\t%8lu kB`).
const STATUS_LINES: &[Line<Status>] = &[
    line("Pid:\t", 0, Unit::Plain, |s| u64::from(s.pid)),
    line("PPid:\t", 0, Unit::Plain, |s| u64::from(s.ppid)),
    kb_line("VmPeak:\t", |s| s.vm_peak),
    kb_line("VmSize:\t", |s| s.vm_size),
    kb_line("VmLck:\t", |s| s.vm_lck),
    kb_line("VmPin:\t", |s| s.vm_pin),
    kb_line("VmHWM:\t", |s| s.vm_hwm),
    kb_line("VmRSS:\t", |s| s.vm_rss),
    kb_line("RssAnon:\t", |s| s.rss_anon),
    kb_line("RssFile:\t", |s| s.rss_file),
    kb_line("RssShmem:\t", |s| s.rss_shmem),
    kb_line("VmData:\t", |s| s.vm_data),
    kb_line("VmStk:\t", |s| s.vm_stk),
    kb_line("VmExe:\t", |s| s.vm_exe),
    kb_line("VmLib:\t", |s| s.vm_lib),
    kb_line("VmPTE:\t", |s| s.vm_pte),
    kb_line("VmSwap:\t", |s| s.vm_swap),
    kb_line("HugetlbPages:\t", |s| s.hugetlb_pages),
];

fn status_rows(s: &Status) -> impl Iterator<Item = Row> + '_ {
    STATUS_LINES.iter().map(move |l| l.row(s))
}

/// The `Name:`, `Pid:`, `PPid:` and `VmPeak:` .. `HugetlbPages:` lines of /proc/PID/status (the
/// lines in between, Umask .. Kthread, are not modeled and not printed). The name is escaped as
/// `proc_task_name` does (`\` -> `\\`, newline -> `\n`; nothing else); truncation to
/// TASK_COMM_LEN - 1 = 15 bytes is the caller's business.
pub fn render_status(s: &Status) -> String {
    let mut out = String::with_capacity(600);
    out.push_str("Name:\t");
    for c in s.name.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('\n');
    for row in status_rows(s) {
        row.write(&mut out);
    }
    out
}

/// A numeric status line by name ("Pid", "PPid", "VmRSS", "RssAnon", "HugetlbPages", ...).
pub fn status_field(s: &Status, name: &str) -> Option<u64> {
    find(status_rows(s), name)
}

// ---------------------------------------------------------------------------------------------
// meminfo
// ---------------------------------------------------------------------------------------------

/// The /proc/meminfo lines [`Meminfo`] has, in `meminfo_proc_show` order (`show_val_kb`: the
/// 16-byte label, the number right-aligned in 8, " kB").
const MEMINFO_LINES: &[Line<Meminfo>] = &[
    kb_line("MemTotal:       ", |m| m.mem_total),
    kb_line("MemFree:        ", |m| m.mem_free),
    kb_line("MemAvailable:   ", |m| m.mem_available),
    kb_line("Buffers:        ", |m| m.buffers),
    kb_line("Cached:         ", |m| m.cached),
    kb_line("SwapCached:     ", |m| m.swap_cached),
    kb_line("Active:         ", |m| m.active),
    kb_line("Inactive:       ", |m| m.inactive),
    kb_line("Active(anon):   ", |m| m.active_anon),
    kb_line("Inactive(anon): ", |m| m.inactive_anon),
    kb_line("Active(file):   ", |m| m.active_file),
    kb_line("Inactive(file): ", |m| m.inactive_file),
    kb_line("Unevictable:    ", |m| m.unevictable),
    kb_line("Mlocked:        ", |m| m.mlocked),
    kb_line("SwapTotal:      ", |m| m.swap_total),
    kb_line("SwapFree:       ", |m| m.swap_free),
    kb_line("Dirty:          ", |m| m.dirty),
    kb_line("Writeback:      ", |m| m.writeback),
    kb_line("AnonPages:      ", |m| m.anon_pages),
    kb_line("Mapped:         ", |m| m.mapped),
    kb_line("Shmem:          ", |m| m.shmem),
    kb_line("PageTables:     ", |m| m.page_tables),
    kb_line("AnonHugePages:  ", |m| m.anon_huge_pages),
    kb_line("ShmemHugePages: ", |m| m.shmem_huge_pages),
    kb_line("ShmemPmdMapped: ", |m| m.shmem_pmd_mapped),
    kb_line("FileHugePages:  ", |m| m.file_huge_pages),
    kb_line("FilePmdMapped:  ", |m| m.file_pmd_mapped),
];

/// The node meminfo lines computable from [`Meminfo`], in `node_read_meminfo` order (after the
/// `Node N ` prefix: the same 16-byte labels and `%8lu kB`). Two are derived exactly as the
/// kernel relates them: `MemUsed` = MemTotal - MemFree (`i.totalram - i.freeram`), and
/// `FilePages` = NR_FILE_PAGES = Cached + SwapCached + Buffers (meminfo's Cached is
/// NR_FILE_PAGES minus swap cache minus buffers). Not printed, for want of fields: KernelStack,
/// SecPageTables, NFS_Unstable, Bounce, WritebackTmp, KReclaimable, Slab, SReclaimable,
/// SUnreclaim, HugePages_Total/Free/Surp.
const NODE_MEMINFO_LINES: &[Line<Meminfo>] = &[
    kb_line("MemTotal:       ", |m| m.mem_total),
    kb_line("MemFree:        ", |m| m.mem_free),
    kb_line("MemUsed:        ", |m| m.mem_total.saturating_sub(m.mem_free)),
    kb_line("SwapCached:     ", |m| m.swap_cached),
    kb_line("Active:         ", |m| m.active),
    kb_line("Inactive:       ", |m| m.inactive),
    kb_line("Active(anon):   ", |m| m.active_anon),
    kb_line("Inactive(anon): ", |m| m.inactive_anon),
    kb_line("Active(file):   ", |m| m.active_file),
    kb_line("Inactive(file): ", |m| m.inactive_file),
    kb_line("Unevictable:    ", |m| m.unevictable),
    kb_line("Mlocked:        ", |m| m.mlocked),
    kb_line("Dirty:          ", |m| m.dirty),
    kb_line("Writeback:      ", |m| m.writeback),
    kb_line("FilePages:      ", |m| m.cached + m.swap_cached + m.buffers),
    kb_line("Mapped:         ", |m| m.mapped),
    kb_line("AnonPages:      ", |m| m.anon_pages),
    kb_line("Shmem:          ", |m| m.shmem),
    kb_line("PageTables:     ", |m| m.page_tables),
    kb_line("AnonHugePages:  ", |m| m.anon_huge_pages),
    kb_line("ShmemHugePages: ", |m| m.shmem_huge_pages),
    kb_line("ShmemPmdMapped: ", |m| m.shmem_pmd_mapped),
    kb_line("FileHugePages:  ", |m| m.file_huge_pages),
    kb_line("FilePmdMapped:  ", |m| m.file_pmd_mapped),
];

/// /proc/meminfo, restricted to the lines [`Meminfo`] has, in Linux's order.
pub fn render_meminfo(m: &Meminfo) -> String {
    let mut out = String::with_capacity(MEMINFO_LINES.len() * 28);
    for l in MEMINFO_LINES {
        l.row(m).write(&mut out);
    }
    out
}

/// /sys/devices/system/node/nodeN/meminfo (`Node N MemTotal:       %8lu kB`), restricted to
/// the lines computable from [`Meminfo`] (see `NODE_MEMINFO_LINES`), in Linux's order.
pub fn render_node_meminfo(nid: u32, m: &Meminfo) -> String {
    let mut out = String::with_capacity(NODE_MEMINFO_LINES.len() * 36);
    for l in NODE_MEMINFO_LINES {
        let _ = write!(out, "Node {nid} ");
        l.row(m).write(&mut out);
    }
    out
}

/// A /proc/meminfo line by name ("MemTotal", "Active(anon)", ...), in kB; also the node-only
/// derived lines "MemUsed" and "FilePages".
pub fn meminfo_field(m: &Meminfo, name: &str) -> Option<u64> {
    find(MEMINFO_LINES.iter().map(|l| l.row(m)), name)
        .or_else(|| find(NODE_MEMINFO_LINES.iter().map(|l| l.row(m)), name))
}

// ---------------------------------------------------------------------------------------------
// vmstat
// ---------------------------------------------------------------------------------------------

/// /proc/vmstat: `name value` per item (`vmstat_show`: `seq_puts(name); seq_put_decimal_ul(" ",
/// value); seq_putc('\n')`).
/// The tasks view (mmlab's own, no Linux file): one line per task, then the machine-wide
/// figures, `name value` per line as /proc/vmstat prints.
pub fn render_tasks(tasks: &[crate::task::TaskInfo], s: &crate::task::TaskStats) -> String {
    let mut out = String::new();
    for t in tasks {
        let state = match (t.done, t.waits) {
            (true, _) => "done".to_string(),
            (false, Some(b)) => format!("waits({})", b.name()),
            (false, None) => "runnable".to_string(),
        };
        out +=
            &format!("task {} {} {state} latency {} waited {} errno {}\n", t.id, t.kind, t.latency, t.waited, t.errno);
    }
    for f in crate::task::TaskStats::FIELDS {
        out += &format!("{f} {}\n", s.field(f).unwrap_or(0));
    }
    out
}

pub fn render_vmstat(v: &Vmstat) -> String {
    let mut out = String::with_capacity(v.items.len() * 32);
    for (name, value) in &v.items {
        let _ = writeln!(out, "{name} {value}");
    }
    out
}

// ---------------------------------------------------------------------------------------------
// pagemap, kpageflags (binary in Linux; text here)
// ---------------------------------------------------------------------------------------------

/// Bits of a swap pagemap entry's pfn field that hold the swap type (`MAX_SWAPFILES_SHIFT`).
pub const PAGEMAP_SWAP_TYPE_BITS: u32 = 5;

/// /proc/PID/pagemap as text, one line per page starting at virtual address `start`:
///
/// ```text
/// ADDR present=P swap=S file=F excl=E pfn=0xPFN
/// ADDR present=P swap=S file=F excl=E swp=TYPE:0xOFFSET
/// ```
///
/// `ADDR` is the page's virtual address in lowercase hex, zero-padded to 12 digits (`%012x`);
/// `P`, `S`, `F`, `E` are 0 or 1 for bits 63 (present), 62 (swapped), 61 (file page or shared
/// anonymous) and 56 (exclusively mapped). A swapped entry ends in `swp=` with the swap type
/// (low 5 bits of the pfn field, decimal) and the swap offset (the rest, hex); every other entry
/// ends in `pfn=` with bits 0-54 in hex (`pfn=0x0` when not present). Bit 55 (soft-dirty) and
/// the other flag bits are not shown.
pub fn render_pagemap(start: u64, entries: &[PagemapEntry]) -> String {
    let mut out = String::with_capacity(entries.len() * 64);
    for (i, e) in entries.iter().enumerate() {
        let addr = start.wrapping_add(i as u64 * crate::ops::PAGE_SIZE);
        let _ = write!(
            out,
            "{:012x} present={} swap={} file={} excl={} ",
            addr,
            u8::from(e.present()),
            u8::from(e.swapped()),
            u8::from(e.file_shared()),
            u8::from(e.exclusive()),
        );
        if e.swapped() {
            let ty = e.pfn() & ((1 << PAGEMAP_SWAP_TYPE_BITS) - 1);
            let off = e.pfn() >> PAGEMAP_SWAP_TYPE_BITS;
            let _ = writeln!(out, "swp={ty}:{off:#x}");
        } else {
            let _ = writeln!(out, "pfn={:#x}", e.pfn());
        }
    }
    out
}

/// One pfn of /proc/kpagecount and /proc/kpageflags as text, without a newline:
/// `pfn=0xPFN count=N flags=NAME,NAME,...`, the names being the `KPF_*` names without the prefix
/// (as [`KpageFlags`] spells them) in bit order; a set bit without a name prints as `BITn`;
/// no flags prints `flags=` with nothing after it.
pub fn render_kpage(k: &Kpage) -> String {
    let mut out = format!("pfn={:#x} count={} flags=", k.pfn, k.count);
    let bits = k.flags.bits();
    let mut first = true;
    for bit in 0..64 {
        let f = 1u64 << bit;
        if bits & f == 0 {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        match KpageFlags::from_bits(f).and_then(|fl| fl.iter_names().next()) {
            Some((name, _)) => out.push_str(name),
            None => {
                let _ = write!(out, "BIT{bit}");
            }
        }
    }
    out
}

/// A kpageflags bit by name: "LOCKED", "ZERO_PAGE", ...; the `KPF_` prefix and lowercase are
/// accepted.
pub fn kpageflag_by_name(name: &str) -> Option<KpageFlags> {
    let n = name.trim().to_ascii_uppercase();
    let n = n.strip_prefix("KPF_").unwrap_or(&n);
    KpageFlags::from_name(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_vmflag_table_matches_constants() {
        let named = [
            (VM_READ, "rd"),
            (VM_WRITE, "wr"),
            (VM_EXEC, "ex"),
            (VM_SHARED, "sh"),
            (VM_MAYREAD, "mr"),
            (VM_MAYWRITE, "mw"),
            (VM_MAYEXEC, "me"),
            (VM_MAYSHARE, "ms"),
            (VM_GROWSDOWN, "gd"),
            (VM_UFFD_MISSING, "um"),
            (VM_PFNMAP, "pf"),
            (VM_MAYBE_GUARD, "gu"),
            (VM_UFFD_WP, "uw"),
            (VM_LOCKED, "lo"),
            (VM_IO, "io"),
            (VM_SEQ_READ, "sr"),
            (VM_RAND_READ, "rr"),
            (VM_DONTCOPY, "dc"),
            (VM_DONTEXPAND, "de"),
            (VM_LOCKONFAULT, "lf"),
            (VM_ACCOUNT, "ac"),
            (VM_NORESERVE, "nr"),
            (VM_HUGETLB, "ht"),
            (VM_SYNC, "sf"),
            (VM_PAT, "ar"),
            (VM_WIPEONFORK, "wf"),
            (VM_DONTDUMP, "dd"),
            (VM_MIXEDMAP, "mm"),
            (VM_HUGEPAGE, "hg"),
            (VM_NOHUGEPAGE, "nh"),
            (VM_MERGEABLE, "mg"),
            (VM_DROPPABLE, "dp"),
            (VM_UFFD_MINOR, "ui"),
            (VM_SEALED, "sl"),
        ];
        for (flag, m) in named {
            assert_eq!(vmflags_mnemonics(flag), vec![m.to_string()], "{flag:#x}");
            assert_eq!(vmflag_by_mnemonic(m), Some(flag));
        }
        // Config-off flags are 0, as in the reference kernel; their bits print "??".
        assert_eq!(VM_SOFTDIRTY | VM_SHADOW_STACK, 0);
        assert_eq!(vmflags_mnemonics(VM_SOFTDIRTY_BIT_VALUE), vec!["??".to_string()]);
        assert_eq!(vmflags_mnemonics(1 << 37), vec!["??".to_string()]);
        // Protection keys never show up in VmFlags.
        assert!(vmflags_mnemonics(VM_PKEY_BIT0 | VM_PKEY_BIT1 | VM_PKEY_BIT2 | VM_PKEY_BIT3).is_empty());
        assert_eq!(vmflag_by_mnemonic("??"), None);
        assert_eq!(vmflag_by_mnemonic(""), None);
        assert_eq!(vmflag_by_mnemonic("sd"), None);
    }

    #[test]
    fn proc_row_names_are_the_linux_names() {
        let e = SmapsEntry {
            map: MapsEntry {
                start: 0,
                end: 4096,
                prot: Prot::READ,
                shared: false,
                offset: 0,
                dev_major: 0,
                dev_minor: 0,
                inode: 0,
                name: String::new(),
            },
            size: 4096,
            mss: MemSizeStats::default(),
            thp_eligible: false,
            vm_flags: vec![],
        };
        let names: Vec<&str> = smaps_rows(&e).map(|r| r.name()).collect();
        assert_eq!(
            names,
            [
                "Size",
                "KernelPageSize",
                "MMUPageSize",
                "Rss",
                "Pss",
                "Pss_Dirty",
                "Shared_Clean",
                "Shared_Dirty",
                "Private_Clean",
                "Private_Dirty",
                "Referenced",
                "Anonymous",
                "KSM",
                "LazyFree",
                "AnonHugePages",
                "ShmemPmdMapped",
                "FilePmdMapped",
                "Shared_Hugetlb",
                "Private_Hugetlb",
                "Swap",
                "SwapPss",
                "Locked",
                "THPeligible"
            ]
        );
        // Every kB label is 16 bytes and every number 8 wide, except Private_Hugetlb (17 + 7).
        let widths = MSS_LINES
            .iter()
            .map(|l| (l.line.label, l.line.width))
            .chain(SMAPS_HEAD.iter().chain(SMAPS_TAIL).map(|l| (l.label, l.width)))
            .chain(MEMINFO_LINES.iter().chain(NODE_MEMINFO_LINES).map(|l| (l.label, l.width)));
        for (label, width) in widths {
            assert_eq!(label.len() + width, 24, "{label}");
        }
    }
}
