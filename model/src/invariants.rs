//! The invariant checker: recounts everything from page tables, frames and page caches and
//! compares it with the counters kept incrementally (mm/debug.c `dump_mm`, the "Bad rss-counter
//! state" check of kernel/fork.c `check_mm`, mm/page_alloc.c `bad_page`, `validate_mm`).

use std::collections::{BTreeMap, BTreeSet};

use crate::filemap::{FileKind, lru_item};
use crate::machine::Machine;
use crate::memory::mm_counter;
use crate::mm_types::{Mm, PMD_SIZE, PmdMap, RssKind, VmFlags};
use crate::ops::{PAGE_SIZE, Pid};
use crate::page_alloc::{Frame, HPAGE_PMD_NR, PageFlags, Pfn, ZERO_PFN, thp_head};
use crate::swapfile::Slot;
use crate::views::Violation;
use crate::vmstat::NodeStat;

struct Report(Vec<Violation>);

impl Report {
    fn check(&mut self, ok: bool, invariant: &str, detail: impl FnOnce() -> String) {
        if !ok {
            self.0.push(Violation { invariant: invariant.to_string(), detail: detail() });
        }
    }
}

impl Machine {
    /// Every invariant violation in the machine's current state (empty when all hold).
    pub fn check_invariants(&self) -> Vec<Violation> {
        let mut r = Report(Vec::new());
        let mut mapcounts: BTreeMap<Pfn, (u32, u32)> = BTreeMap::new();
        let mut swap_refs: BTreeMap<Slot, u32> = BTreeMap::new();
        let mut pt_pages = 0i64;
        let mut pmd_maps: BTreeMap<Pfn, u32> = BTreeMap::new();
        for (&pid, p) in &self.procs {
            self.check_vmas(&mut r, pid, &p.mm);
            self.check_ptes(&mut r, pid, &p.mm, &mut mapcounts, &mut swap_refs);
            self.check_huge_pmds(&mut r, pid, &p.mm, &mut pmd_maps);
            pt_pages += p.mm.pt.table_count() as i64;
        }
        let reserved = self.check_reservations(&mut r);
        self.check_frames(&mut r, &mapcounts, &reserved);
        self.check_thps(&mut r, &pmd_maps);
        self.check_swap(&mut r, swap_refs);
        self.check_files(&mut r);
        self.check_node_stats(&mut r, pt_pages);
        self.check_teardown(&mut r);
        let (cleared, stale) = (self.k.stats.event(crate::vmstat::Event::UnevictableCleared), self.k.stale_mlock_freed);
        r.check(cleared == stale, "unevictable_pgs_cleared", || {
            format!(
                "{} pages freed while mlocked without a stale mlock (\"BUG: Bad page state\" before 2022)",
                cleared - stale
            )
        });
        for v in self.tasks.violations() {
            r.check(false, "lockdep", || v);
        }
        r.0
    }

    fn check_vmas(&self, r: &mut Report, pid: Pid, mm: &Mm) {
        let mut prev: Option<&crate::mm_types::Vma> = None;
        let (mut total, mut locked) = (0, 0);
        for (&key, v) in &mm.vmas {
            let at = || format!("pid {pid} vma {:#x}-{:#x}", v.start, v.end);
            r.check(key == v.start && v.start < v.end, "vma-bounds", at);
            r.check(v.start % PAGE_SIZE == 0 && v.end % PAGE_SIZE == 0, "vma-aligned", at);
            r.check(
                !v.flags.contains(VmFlags::LOCKONFAULT) || v.flags.contains(VmFlags::LOCKED),
                "lockonfault-without-locked",
                at,
            );
            r.check(!v.flags.contains(VmFlags::HUGEPAGE | VmFlags::NOHUGEPAGE), "hugepage-and-nohugepage", at);
            r.check(v.file.is_none_or(|f| self.k.files.contains_key(&f)), "vma-file", at);
            r.check(!(v.is_shared() && v.anon_vma.is_some()), "shared-vma-anon_vma", at);
            // Mergeable neighbours are not a violation: Linux leaves them in places (the source
            // of an MREMAP_DONTUNMAP stays split from its remainder); where VMAs merge is checked
            // against live `maps` counts by the scenarios instead.
            if let Some(p) = prev {
                r.check(p.end <= v.start, "vma-overlap", at);
            }
            total += v.pages();
            if v.flags.contains(VmFlags::LOCKED) {
                locked += v.pages();
            }
            prev = Some(v);
        }
        r.check(mm.total_vm == total, "total_vm", || format!("pid {pid}: total_vm {} != {total}", mm.total_vm));
        let want = locked + mm.locked_vm_leaked;
        r.check(mm.locked_vm == want, "locked_vm", || format!("pid {pid}: locked_vm {} != {want}", mm.locked_vm));
    }

    /// Recounts RSS from the page tables; `mapcounts` collects (mappings, VM_LOCKED mappings)
    /// per frame.
    fn check_ptes(
        &self,
        r: &mut Report,
        pid: Pid,
        mm: &Mm,
        mapcounts: &mut BTreeMap<Pfn, (u32, u32)>,
        swap_refs: &mut BTreeMap<Slot, u32>,
    ) {
        let mut rss = [0i64; 4];
        for (addr, pte) in mm.pt.range(0, u64::MAX) {
            let at = || format!("pid {pid} addr {addr:#x}");
            let Some(v) = mm.vma_at(addr) else {
                r.check(false, "pte-outside-vma", at);
                continue;
            };
            // Truncation zaps every mapping past the new end, COWs included, and a fault there
            // is SIGBUS: nothing a file VMA maps lies beyond EOF.
            if let Some(inode) = v.file.and_then(|f| self.k.files.get(&f)) {
                r.check(v.pgoff_at(addr) < inode.size_pages(), "pte-beyond-eof", || {
                    format!("{}: page {} of a file of {} pages", at(), v.pgoff_at(addr), inode.size_pages())
                });
            }
            if pte.is_swap() {
                rss[RssKind::SwapEnts as usize] += 1;
                *swap_refs.entry(pte.swap_offset()).or_default() += 1;
                r.check(v.anon_vma.is_some() && !v.is_shared(), "swap-entry-outside-anon", at);
                let count = self.k.swap.count(pte.swap_offset());
                r.check(!pte.swap_exclusive() || count == 1, "exclusive-swap-entry-shared", || {
                    format!("{}: exclusive swap entry {} with swap count {count}", at(), pte.swap_offset())
                });
                continue;
            }
            if pte.is_migration() {
                // Counted in RSS like the page, out of its mapcount, while a migration holds it.
                r.check(self.tasks.migrating(pte.pfn()), "migration-entry-orphan", || {
                    format!("{}: migration entry for pfn {:#x} with no migration in flight", at(), pte.pfn())
                });
                if let Some(f) = self.k.frames.get(pte.pfn()).filter(|f| !f.is_free()) {
                    rss[mm_counter(f) as usize] += 1;
                }
                continue;
            }
            if pte.pfn() == ZERO_PFN {
                r.check(!pte.writable(), "zero-page-writable", at);
                r.check(v.file.is_none() && !v.is_shared(), "zero-page-in-file-vma", at);
                continue;
            }
            let Some(f) = self.k.frames.get(pte.pfn()).filter(|f| !f.is_free()) else {
                r.check(false, "pte-to-free-frame", || format!("{} pfn {:#x}", at(), pte.pfn()));
                continue;
            };
            let counts = mapcounts.entry(pte.pfn()).or_default();
            counts.0 += 1;
            counts.1 += self.tasks.mlock_walk_reached(pid, addr).unwrap_or(v.mlocks_on_map()) as u32;
            rss[mm_counter(f) as usize] += 1;
            r.check(!pte.writable() || v.flags.contains(VmFlags::WRITE), "writable-pte-in-readonly-vma", at);
            if f.is_anon() {
                r.check(!v.is_shared(), "anon-page-in-shared-vma", at);
                let reachable = v.anon_vma.is_some_and(|a| self.k.anon_vma_reaches(a, f.owner));
                r.check(reachable && f.index == v.pgoff_at(addr), "anon-rmap", || {
                    format!("{}: page of anon_vma {} index {} not reachable through the VMA", at(), f.owner, f.index)
                });
            } else {
                let expected = v.file.map(|file| (file, v.pgoff_at(addr)));
                r.check(expected == Some((f.owner, f.index)), "pte-outside-object", || {
                    format!("{}: maps file {} page {} but the VMA maps {expected:?}", at(), f.owner, f.index)
                });
            }
        }
        r.check(rss == mm.rss, "rss-counter", || format!("pid {pid}: counters {:?} != recount {rss:?}", mm.rss));
    }

    /// Every huge PMD lies inside one anonymous private VMA and maps 512 consecutive pages of
    /// one THP from its head (or the zero page, for the huge zero PMD); `pmd_maps` counts the
    /// PMD mappings of each THP.
    fn check_huge_pmds(&self, r: &mut Report, pid: Pid, mm: &Mm, pmd_maps: &mut BTreeMap<Pfn, u32>) {
        for (haddr, pmd) in mm.pt.huge_pmds(0, u64::MAX) {
            let at = || format!("pid {pid} huge pmd {haddr:#x}");
            let inside = mm.vma_at(haddr).is_some_and(|v| {
                v.end >= haddr + PMD_SIZE
                    && v.file.is_none()
                    && !v.is_shared()
                    && (v.anon_vma.is_some() || pmd == PmdMap::HugeZero)
            });
            r.check(inside, "huge-pmd-vma", at);
            let ptes = mm.pt.range(haddr, haddr + PMD_SIZE);
            let head = ptes.first().map_or(0, |(_, p)| p.pfn());
            let full = ptes.len() as u64 == HPAGE_PMD_NR
                && ptes.iter().enumerate().all(|(i, (_, p))| {
                    p.is_present() && p.pfn() == if pmd == PmdMap::HugeZero { ZERO_PFN } else { head + i as u64 }
                });
            r.check(full, "huge-pmd-entries", at);
            if pmd == PmdMap::Anon {
                let is_head = self.k.frames.get(head).is_some_and(|f| f.flags.contains(PageFlags::HEAD));
                r.check(is_head, "huge-pmd-head", || format!("{} pfn {head:#x}", at()));
                *pmd_maps.entry(head).or_default() += 1;
            }
        }
    }

    /// Compound bookkeeping: a head starts 512 aligned frames of one node, anon_vma and index
    /// run; its `entire_mapcount` is its PMD mappings; a THP on the deferred split queue is
    /// partially mapped.
    fn check_thps(&self, r: &mut Report, pmd_maps: &BTreeMap<Pfn, u32>) {
        for (pfn, f) in self.k.frames.iter() {
            if f.flags.contains(PageFlags::TAIL) {
                let head = self.k.frames.get(thp_head(pfn)).copied().unwrap_or_default();
                let ok = head.flags.contains(PageFlags::HEAD)
                    && head.nid == f.nid
                    && head.owner == f.owner
                    && head.index + (pfn - thp_head(pfn)) == f.index;
                r.check(ok, "thp-tail", || format!("pfn {pfn:#x}"));
            }
            if !f.flags.contains(PageFlags::HEAD) {
                r.check(f.entire_mapcount == 0, "entire-mapcount-small", || format!("pfn {pfn:#x}"));
                continue;
            }
            let want = pmd_maps.get(&pfn).copied().unwrap_or(0);
            r.check(pfn == thp_head(pfn), "thp-head-aligned", || format!("pfn {pfn:#x}"));
            r.check(f.entire_mapcount == want, "entire-mapcount", || {
                format!("pfn {pfn:#x}: entire_mapcount {} != {want} PMD mappings", f.entire_mapcount)
            });
            let tails = (pfn + 1..pfn + HPAGE_PMD_NR)
                .all(|p| self.k.frames.get(p).is_some_and(|t| t.flags.contains(PageFlags::TAIL)));
            r.check(tails, "thp-tails", || format!("pfn {pfn:#x}"));
            let referenced = (pfn..pfn + HPAGE_PMD_NR).any(|p| self.k.frames.get(p).is_some_and(|t| t.refcount > 0));
            r.check(referenced, "thp-unreferenced", || format!("pfn {pfn:#x}"));
        }
        for &head in &self.k.deferred_split {
            let mapped = (head..head + HPAGE_PMD_NR)
                .filter(|&p| self.k.frames.get(p).is_some_and(|t| t.mapcount > 0 && t.is_compound()))
                .count() as u64;
            r.check(mapped < HPAGE_PMD_NR, "deferred-split-fully-mapped", || format!("pfn {head:#x}"));
        }
    }

    /// THP reservations: each record still describes its range (the fixup after every
    /// operation releases those that do not), its unused pages are RESERVED frames owned by no
    /// other record, and its handed pages are not. Returns the unused reserved pages.
    fn check_reservations(&self, r: &mut Report) -> BTreeSet<Pfn> {
        let mut unused = BTreeSet::new();
        let mut bases = BTreeSet::new();
        for (&pid, p) in &self.procs {
            for (&haddr, res) in &p.mm.thp_res {
                let at = || format!("pid {pid} reservation {haddr:#x} base {:#x}", res.base);
                r.check(self.k.reservations_on(), "reservation-while-off", at);
                r.check(haddr % PMD_SIZE == 0 && res.base % HPAGE_PMD_NR == 0, "reservation-aligned", at);
                r.check(bases.insert(res.base), "reservation-shared", at);
                r.check(self.k.reservation_still_valid(&p.mm, haddr, res), "reservation-stale", at);
                for i in 0..HPAGE_PMD_NR {
                    let f = self.k.frames.get(res.base + i).copied().unwrap_or_default();
                    if res.is_handed(i) {
                        r.check(!f.flags.contains(PageFlags::RESERVED), "reserved-page-handed", || {
                            format!("{} page {i}", at())
                        });
                    } else {
                        let ok = f.flags == PageFlags::UPTODATE | PageFlags::RESERVED
                            && f.refcount == 1
                            && f.mapcount == 0
                            && f.value == 0;
                        r.check(ok, "reserved-page-state", || format!("{} page {i}: {f:?}", at()));
                        r.check(unused.insert(res.base + i), "reserved-page-twice", || format!("{} page {i}", at()));
                    }
                }
            }
        }
        unused
    }

    fn check_frames(&self, r: &mut Report, mapcounts: &BTreeMap<Pfn, (u32, u32)>, reserved: &BTreeSet<Pfn>) {
        for &pfn in self.k.stale_mlock.keys() {
            let ok = self.k.frames.get(pfn).is_some_and(|f| !f.is_free() && f.flags.contains(PageFlags::MLOCKED));
            r.check(ok, "stale-mlock-page", || format!("pfn {pfn:#x}: stale mlock on a page not mlocked"));
        }
        let mismatch = self.k.frames.block_count_mismatch();
        r.check(mismatch.is_none(), "block-count", || {
            let (nid, b, kept, n) = mismatch.unwrap_or_default();
            format!("node {nid} order-9 block {b}: {kept} allocated frames kept, {n} recounted")
        });
        let mut cached: BTreeMap<Pfn, u32> = BTreeMap::new();
        for inode in self.k.files.values() {
            for &pfn in inode.cache.values() {
                *cached.entry(pfn).or_default() += 1;
            }
        }
        // Page tables never reach free frames into `mapcounts` (check_ptes reports them as
        // pte-to-free-frame), so only the page caches are looked up here: once per cache entry
        // rather than once per free frame, which keeps the check cheap on a machine that has
        // freed most of its memory.
        for &pfn in cached.keys() {
            let free = self.k.frames.get(pfn).is_none_or(|f| f.is_free());
            r.check(!free, "free-frame-in-use", || format!("pfn {pfn:#x}"));
        }
        // Frames, mapcounts and cache counts are all in pfn order: walk them together.
        let (mut maps_it, mut cache_it) = (mapcounts.iter().peekable(), cached.iter().peekable());
        // LRU order: each page has its own place (stamp) on its node's lists.
        let mut lru_places: BTreeMap<(u8, u32), Pfn> = BTreeMap::new();
        for (pfn, f) in self.k.frames.iter() {
            let at = || format!("pfn {pfn:#x}");
            if f.is_free() {
                r.check(*f == Frame::default(), "free-frame-state", at);
                continue;
            }
            if f.flags.contains(PageFlags::RESERVED) {
                // Never mapped, never on an LRU: its one reference is the reservation's.
                r.check(reserved.contains(&pfn), "reserved-page-leak", at);
                r.check(at_pfn(&mut maps_it, pfn).is_none(), "reserved-page-mapped", at);
                continue;
            }
            let (maps, locked_maps) = at_pfn(&mut maps_it, pfn).unwrap_or((0, 0));
            let mlocked = f.flags.contains(PageFlags::MLOCKED);
            // A THP's mlock_count is best effort in Linux: a THP mapped by PTEs in a VM_LOCKED
            // VMA without all of it there is not mlocked (allow_mlock_munlock) but its munlock
            // is allowed, so the count can fall short of the VM_LOCKED mappings until reclaim
            // culls the folio again. Only PG_mlocked against the count is checked for THPs.
            if f.is_compound() {
                r.check(mlocked == (f.mlock_count > 0), "mlocked-iff-mlock_count", at);
            } else {
                // A stale mlock (MREMAP_DONTUNMAP) holds its share of the count, or keeps
                // PG_mlocked with none left once a putback zeroed it.
                let stale = self.k.stale_mlock.get(&pfn).copied();
                let want = locked_maps + stale.unwrap_or(0);
                r.check(f.mlock_count == want, "mlock_count", || {
                    format!(
                        "{}: mlock_count {} != {locked_maps} VM_LOCKED mappings + {stale:?} stale",
                        at(),
                        f.mlock_count
                    )
                });
                r.check(mlocked == (locked_maps > 0 || stale.is_some()), "mlocked-iff-locked-mapping", || {
                    format!("{}: PG_mlocked {mlocked} with {locked_maps} VM_LOCKED mappings, stale {stale:?}", at())
                });
            }
            r.check(mlocked == f.flags.contains(PageFlags::UNEVICTABLE), "mlocked-iff-unevictable", at);
            r.check(!(mlocked && f.flags.contains(PageFlags::ACTIVE)), "mlocked-and-active", at);
            let in_cache = at_pfn(&mut cache_it, pfn).unwrap_or(0);
            let in_swap_cache = self.k.swap.slot_of(pfn).is_some() as u32;
            r.check(f.mapcount == maps, "mapcount", || format!("{}: mapcount {} != {maps} PTEs", at(), f.mapcount));
            r.check(in_cache <= 1, "frame-in-two-caches", at);
            // A reclaim task in flight holds the page isolated: one more reference, and a plain
            // truncation may have taken it out of the cache meanwhile.
            let pins = self.tasks.page_pins(pfn);
            r.check(f.refcount == maps + in_cache + in_swap_cache + pins, "refcount", || {
                format!(
                    "{}: refcount {} != {maps} mappings + {in_cache} cache + {in_swap_cache} swap cache + {pins} reclaim",
                    at(),
                    f.refcount
                )
            });
            r.check(f.flags.contains(PageFlags::SWAPCACHE) == (in_swap_cache == 1), "swapcache-flag", at);
            r.check(in_swap_cache == 0 || (f.is_anon() && in_cache == 0), "swapcache-page-kind", at);
            r.check(f.is_anon() != (in_cache == 1) || pins > 0, "anon-xor-cache", at);
            if pins > 0 && !f.is_anon() && in_cache == 0 {
                // Truncated by a plain operation while a reclaim held it: off every list, only
                // the reclaim's reference left.
                r.check(maps == 0 && !f.flags.contains(PageFlags::LRU), "orphan-page", at);
                continue;
            }
            r.check(f.flags.contains(PageFlags::LRU), "frame-off-lru", at);
            if let Some(other) = lru_places.insert((f.nid, f.lru_seq), pfn) {
                r.check(false, "lru-place-shared", || format!("{} and pfn {other:#x}: stamp {}", at(), f.lru_seq));
            }
        }
    }

    fn check_files(&self, r: &mut Report) {
        let mut opens: BTreeMap<u32, u32> = BTreeMap::new();
        let mut maps: BTreeMap<u32, u32> = BTreeMap::new();
        for p in self.procs.values() {
            for of in p.fds.values() {
                *opens.entry(of.file).or_default() += 1;
            }
            for v in p.mm.vmas.values() {
                if let Some(f) = v.file {
                    *maps.entry(f).or_default() += 1;
                }
            }
        }
        for (&id, inode) in &self.k.files {
            let at = || format!("inode {id}");
            let (o, m) = (opens.get(&id).copied().unwrap_or(0), maps.get(&id).copied().unwrap_or(0));
            r.check(inode.open_count == o, "inode-open-count", || format!("{}: {} != {o}", at(), inode.open_count));
            r.check(inode.map_count == m, "inode-map-count", || format!("{}: {} != {m}", at(), inode.map_count));
            let persistent = matches!(inode.kind, FileKind::Regular { .. }) && !inode.unlinked;
            r.check(persistent || o + m > 0, "inode-leak", at);
            for (&index, &pfn) in &inode.cache {
                let f = self.k.frames.get(pfn).copied().unwrap_or_default();
                r.check(f.owner == id && f.index == index && !f.is_anon() && !f.is_free(), "cache-entry", || {
                    format!("{}: index {index} -> pfn {pfn:#x}", at())
                });
                r.check(f.is_shmem() == inode.is_shmem(), "cache-page-kind", at);
            }
        }
    }

    fn check_node_stats(&self, r: &mut Report, pt_pages: i64) {
        let nodes = self.config.nodes;
        let mut want = vec![[0i64; NodeStat::COUNT]; nodes as usize];
        for (pfn, f) in self.k.frames.iter().filter(|(_, f)| !f.is_free()) {
            let n = &mut want[f.nid as usize];
            if self.tasks.page_pins(pfn) > 0
                && !f.is_anon()
                && self.k.files.get(&f.owner).is_none_or(|i| i.cache.get(&f.index) != Some(&pfn))
            {
                // A page truncated while a reclaim held it is counted nowhere but NR_MLOCK.
                if f.flags.contains(PageFlags::MLOCKED) {
                    n[NodeStat::Mlock as usize] += 1;
                }
                continue;
            }
            let mut add = |i: NodeStat| n[i as usize] += 1;
            if f.flags.contains(PageFlags::RESERVED) {
                add(NodeStat::ThpReserved);
                continue;
            }
            if f.mapcount > 0 {
                add(if f.is_anon() { NodeStat::AnonMapped } else { NodeStat::FileMapped });
            }
            if f.flags.contains(PageFlags::SWAPCACHE) {
                add(NodeStat::FilePages);
                add(NodeStat::SwapCached);
            }
            if !f.is_anon() {
                add(NodeStat::FilePages);
                if f.is_shmem() {
                    add(NodeStat::Shmem);
                } else if f.flags.contains(PageFlags::DIRTY) {
                    add(NodeStat::Dirty);
                }
            }
            if f.flags.contains(PageFlags::LRU) {
                add(lru_item(f.flags));
            }
            if f.flags.contains(PageFlags::MLOCKED) {
                add(NodeStat::Mlock);
            }
            if f.flags.contains(PageFlags::HEAD) && f.entire_mapcount > 0 {
                add(NodeStat::AnonThps);
            }
        }
        for nid in 0..nodes {
            let n = &mut want[nid as usize];
            n[NodeStat::FreePages as usize] = self.config.node_frames() as i64 - self.k.frames.used_on(nid) as i64;
            if nid == 0 {
                n[NodeStat::PageTablePages as usize] = pt_pages;
            }
            for &item in NodeStat::ALL {
                let (have, want) = (self.k.stats.node(nid, item), n[item as usize]);
                r.check(have == want, "node-stat", || format!("node {nid} {}: {have} != recount {want}", item.name()));
            }
        }
    }

    /// Swap slot accounting: every slot's count is its swap PTEs plus its shmem references, a
    /// slot exists only while referenced or cached, and its cache page points back to it.
    fn check_swap(&self, r: &mut Report, mut refs: BTreeMap<Slot, u32>) {
        for inode in self.k.files.values() {
            r.check(inode.is_shmem() || inode.swap.is_empty(), "swap-in-regular-file", || format!("ino {}", inode.ino));
            for (&index, &slot) in &inode.swap {
                *refs.entry(slot).or_default() += 1;
                r.check(!inode.cache.contains_key(&index), "shmem-index-cached-and-swapped", || {
                    format!("ino {} index {index}", inode.ino)
                });
            }
        }
        for (slot, s) in self.k.swap.slots() {
            let want = refs.remove(&slot).unwrap_or(0);
            r.check(s.count == want, "swap-count", || format!("slot {slot}: count {} != {want} references", s.count));
            r.check(s.count > 0 || s.cache.is_some(), "swap-slot-leak", || format!("slot {slot} unreferenced"));
            if let Some(pfn) = s.cache {
                r.check(self.k.swap.slot_of(pfn) == Some(slot), "swap-cache-link", || {
                    format!("slot {slot} pfn {pfn:#x}")
                });
            }
        }
        r.check(refs.is_empty(), "swap-entry-to-free-slot", || format!("slots {:?}", refs.keys().collect::<Vec<_>>()));
        let (used, total) = (self.k.swap.used(), self.k.swap.total());
        r.check(used <= total, "swap-overcommit", || format!("{used} slots used of {total}"));
    }

    /// With no process and no file left, everything must be back to zero and every frame free.
    fn check_teardown(&self, r: &mut Report) {
        // A reclaim still in flight holds its page until its last step.
        if !self.procs.is_empty() || !self.k.files.is_empty() || self.tasks.busy() {
            return;
        }
        let used = self.k.swap.used();
        r.check(used == 0, "teardown-swap-leak", || format!("{used} swap slots still in use"));
        for (pfn, f) in self.k.frames.iter() {
            r.check(f.is_free(), "teardown-frame-leak", || format!("pfn {pfn:#x} still in use: {f:?}"));
        }
    }

    /// Exits every process and truncates and forgets every file, as a fuzz teardown does.
    pub fn teardown(&mut self) {
        for pid in self.pids() {
            let _ = self.apply(&crate::ops::Op::Exit { pid });
        }
        let ids: Vec<u32> = self.k.files.keys().copied().collect();
        for id in ids {
            self.truncate_inode(id, 0);
            if let Some(inode) = self.k.files.get_mut(&id) {
                inode.unlinked = true;
            }
            self.k.maybe_free_inode(id);
        }
        self.k.paths.clear();
    }
}

/// The value at `pfn` of a pfn-ordered map iterator, skipping the entries before it.
fn at_pfn<'a, V: Copy + 'a>(
    it: &mut std::iter::Peekable<impl Iterator<Item = (&'a Pfn, &'a V)>>,
    pfn: Pfn,
) -> Option<V> {
    while it.next_if(|(p, _)| **p < pfn).is_some() {}
    it.next_if(|(p, _)| **p == pfn).map(|(_, v)| *v)
}
