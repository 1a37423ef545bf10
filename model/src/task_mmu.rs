//! The per-process /proc views, computed by walking page tables as fs/proc/task_mmu.c does
//! (`show_map_vma`, `smaps_pte_entry`, `smaps_account`, `smaps_page_accumulate`,
//! `show_smaps_rollup`, `task_mem`, `pagemap_pte_range`), and /proc/kpagecount and
//! /proc/kpageflags (fs/proc/page.c `stable_page_flags`).

use std::collections::BTreeSet;

use crate::errno::Errno;
use crate::filemap::FileKind;
use crate::huge_memory::thp_vma_allowable;
use crate::machine::Machine;
use crate::mm_types::{Mm, PMD_SIZE, PmdMap, RssKind, VmFlags, Vma};
use crate::ops::{PAGE_SIZE, Pid, Prot};
use crate::page_alloc::{Frame, HPAGE_PMD_NR, HUGE_ZERO_PFN, PageFlags, ZERO_PFN, is_huge_zero_pfn};
use crate::views::*;

fn kb(pages: u64) -> u64 {
    pages * (PAGE_SIZE / 1024)
}

/// `smaps_page_accumulate`.
fn accumulate(mss: &mut MemSizeStats, f: &Frame, size: u64, pss: u64, dirty: bool, locked: bool, private: bool) {
    mss.pss += pss;
    if f.is_anon() {
        mss.pss_anon += pss;
    } else if f.flags.contains(PageFlags::SWAPBACKED) {
        mss.pss_shmem += pss;
    } else {
        mss.pss_file += pss;
    }
    if locked {
        mss.pss_locked += pss;
    }
    if dirty || f.flags.contains(PageFlags::DIRTY) {
        mss.pss_dirty += pss;
        if private {
            mss.private_dirty += size;
        } else {
            mss.shared_dirty += size;
        }
    } else if private {
        mss.private_clean += size;
    } else {
        mss.shared_clean += size;
    }
}

/// `smaps_account` for one present small page.
fn account(mss: &mut MemSizeStats, f: &Frame, young: bool, dirty: bool, locked: bool) {
    let size = PAGE_SIZE;
    if f.is_anon() {
        mss.anonymous += size;
        if !f.flags.contains(PageFlags::SWAPBACKED) && !dirty && !f.flags.contains(PageFlags::DIRTY) {
            mss.lazyfree += size;
        }
    }
    mss.resident += size;
    if young || f.flags.contains(PageFlags::REFERENCED) {
        mss.referenced += size;
    }
    let full = size << PSS_SHIFT;
    if f.refcount == 1 {
        accumulate(mss, f, size, full, dirty, locked, true);
        return;
    }
    let pss = if f.mapcount >= 2 { full / f.mapcount as u64 } else { full };
    accumulate(mss, f, size, pss, dirty, locked, f.mapcount < 2);
}

impl Machine {
    fn mm(&self, pid: Pid) -> Result<&Mm, Errno> {
        Ok(&self.proc(pid)?.mm)
    }

    /// The smaps counters of one VMA (`smap_gather_stats`).
    fn gather(&self, mm: &Mm, v: &Vma) -> MemSizeStats {
        let mut mss = MemSizeStats::default();
        let locked = v.flags.contains(VmFlags::LOCKED);
        let shmem_swap = self.shmem_swap_pages(mm, v);
        mss.swap += shmem_swap * PAGE_SIZE;
        for (_, pmd) in mm.pt.huge_pmds(v.start, v.end) {
            // smaps_pmd_entry: a PMD-mapped anon THP counts whole in AnonHugePages.
            if pmd == PmdMap::Anon {
                mss.anonymous_thp += PMD_SIZE;
            }
        }
        for (_, pte) in mm.pt.range(v.start, v.end) {
            if pte.is_swap() {
                // smaps_pte_entry: a swap entry's SwapPss is shared by its swap count.
                mss.swap += PAGE_SIZE;
                let count = self.k.swap.count(pte.swap_offset()).max(1) as u64;
                mss.swap_pss += (PAGE_SIZE << PSS_SHIFT) / count;
                continue;
            }
            if pte.is_migration() {
                // smaps_pte_entry: a migration entry counts as the page it stands for.
                if let Some(f) = self.k.frames.get(pte.pfn()).filter(|f| !f.is_free()) {
                    account(&mut mss, f, false, false, locked);
                }
                continue;
            }
            if !pte.is_present() || pte.pfn() == ZERO_PFN {
                continue;
            }
            let f = self.k.frames.frame(pte.pfn());
            account(&mut mss, f, pte.young(), pte.dirty(), locked);
        }
        mss
    }

    /// Swapped-out shmem pages a shmem VMA accounts in smaps `Swap` (`shmem_swap_usage`, or,
    /// for private writable mappings whose COWs may hide them, `smaps_pte_hole_lookup` for the
    /// indices this VMA has no PTE for). SwapPss does not count them.
    fn shmem_swap_pages(&self, mm: &Mm, v: &Vma) -> u64 {
        let Some(file) = v.file else { return 0 };
        let inode = self.k.inode(file);
        let swapped = inode.swap.range(v.pgoff..v.pgoff + v.pages());
        if v.is_shared() || !v.flags.contains(VmFlags::WRITE) {
            return swapped.count() as u64;
        }
        swapped.filter(|&(&index, _)| mm.pt.get(v.start + (index - v.pgoff) * PAGE_SIZE).is_none()).count() as u64
    }

    fn maps_entry(&self, v: &Vma) -> MapsEntry {
        let mut prot = Prot::empty();
        for (vf, p) in [(VmFlags::READ, Prot::READ), (VmFlags::WRITE, Prot::WRITE), (VmFlags::EXEC, Prot::EXEC)] {
            if v.flags.contains(vf) {
                prot |= p;
            }
        }
        let (dev_major, dev_minor, inode, name, offset) = match v.file {
            None => (0, 0, 0, String::new(), 0),
            Some(id) => {
                let ino = self.k.inode(id);
                let (maj, min) = match ino.kind {
                    FileKind::Regular { .. } => (0xfe, 0x01),
                    _ => (0, 1),
                };
                (maj, min, ino.ino, ino.maps_name(), v.pgoff * PAGE_SIZE)
            }
        };
        MapsEntry {
            start: v.start,
            end: v.end,
            prot,
            shared: v.flags.contains(VmFlags::MAYSHARE),
            offset,
            dev_major,
            dev_minor,
            inode,
            name,
        }
    }

    /// /proc/PID/maps.
    pub fn maps(&self, pid: Pid) -> Result<Vec<MapsEntry>, Errno> {
        Ok(self.mm(pid)?.vmas.values().map(|v| self.maps_entry(v)).collect())
    }

    /// /proc/PID/smaps.
    pub fn smaps(&self, pid: Pid) -> Result<Vec<SmapsEntry>, Errno> {
        let mm = self.mm(pid)?;
        Ok(mm
            .vmas
            .values()
            .map(|v| SmapsEntry {
                map: self.maps_entry(v),
                size: v.end - v.start,
                mss: self.gather(mm, v),
                thp_eligible: thp_vma_allowable(self.config.thp, v),
                vm_flags: crate::proc::vmflags_mnemonics(v.flags.bits()),
            })
            .collect())
    }

    /// /proc/PID/smaps_rollup: every VMA accumulated in fixed point.
    pub fn smaps_rollup(&self, pid: Pid) -> Result<SmapsRollup, Errno> {
        let mm = self.mm(pid)?;
        let mut r = SmapsRollup::default();
        for v in mm.vmas.values() {
            r.mss.add(&self.gather(mm, v));
        }
        r.start = mm.vmas.values().next().map_or(0, |v| v.start);
        r.end = mm.vmas.values().next_back().map_or(0, |v| v.end);
        Ok(r)
    }

    /// /proc/PID/status (the `task_mem` part).
    pub fn status(&self, pid: Pid) -> Result<Status, Errno> {
        let p = self.proc(pid)?;
        let mm = &p.mm;
        let rss = |k: RssKind| mm.rss[k as usize].max(0) as u64;
        let (mut data, mut stack, mut exec) = (0, 0, 0);
        for v in mm.vmas.values() {
            let f = v.flags;
            if f & (VmFlags::WRITE | VmFlags::EXEC | VmFlags::GROWSDOWN) == VmFlags::EXEC {
                exec += v.pages();
            } else if f.contains(VmFlags::GROWSDOWN) {
                stack += v.pages();
            } else if f & (VmFlags::WRITE | VmFlags::SHARED) == VmFlags::WRITE {
                data += v.pages();
            }
        }
        let tables = self.page_table_pages(mm);
        let rss_total = mm.rss_pages();
        Ok(Status {
            name: "mmlab".to_string(),
            pid,
            ppid: p.ppid,
            vm_peak: kb(mm.hiwater_vm.max(mm.total_vm)),
            vm_size: kb(mm.total_vm),
            vm_lck: kb(mm.locked_vm),
            vm_pin: 0,
            vm_hwm: kb(mm.hiwater_rss.max(rss_total)),
            vm_rss: kb(rss_total),
            rss_anon: kb(rss(RssKind::Anon)),
            rss_file: kb(rss(RssKind::File)),
            rss_shmem: kb(rss(RssKind::Shmem)),
            vm_data: kb(data),
            vm_stk: kb(stack),
            vm_exe: 0,
            vm_lib: kb(exec),
            vm_pte: kb(tables),
            vm_swap: kb(rss(RssKind::SwapEnts)),
            hugetlb_pages: 0,
        })
    }

    /// Page-table pages of an mm (`mm_pgtables_bytes`): PTE tables, plus the PMD and PUD tables
    /// above them.
    pub(crate) fn page_table_pages(&self, mm: &Mm) -> u64 {
        let ptes: Vec<u64> = mm.pt.table_keys().collect();
        let pmds: BTreeSet<u64> = ptes.iter().map(|t| t >> 9).collect();
        let puds: BTreeSet<u64> = pmds.iter().map(|t| t >> 9).collect();
        (ptes.len() + pmds.len() + puds.len()) as u64
    }

    /// /proc/PID/pagemap entries for `pages` pages from `addr` (rounded down to a page).
    pub fn pagemap(&self, pid: Pid, addr: u64, pages: u64) -> Result<Vec<PagemapEntry>, Errno> {
        let mm = self.mm(pid)?;
        if pages > 1 << 20 {
            return Err(Errno::EINVAL);
        }
        let start = addr & !(PAGE_SIZE - 1);
        let mut out = Vec::with_capacity(pages as usize);
        for i in 0..pages {
            let Some(a) = start.checked_add(i * PAGE_SIZE) else { break };
            let pte = mm.pt.get(a);
            let mut e = 0;
            if pte.is_present() && mm.pt.pmd_at(a) == PmdMap::HugeZero {
                // pagemap_pmd_range: the huge zero folio is present and not anon.
                let pfn = HUGE_ZERO_PFN + (a / PAGE_SIZE) % HPAGE_PMD_NR;
                e |= PagemapEntry::PRESENT | PagemapEntry::FILE_SHARED | pfn;
            } else if pte.is_present() {
                e |= PagemapEntry::PRESENT | pte.pfn();
                if pte.pfn() != ZERO_PFN {
                    let f = self.k.frames.frame(pte.pfn());
                    if !f.is_anon() {
                        e |= PagemapEntry::FILE_SHARED;
                    }
                    // pagemap_pmd_range asks the PMD's first page for the whole PMD
                    // (`__folio_page_mapped_exclusively(folio, page)`).
                    let asked = if mm.pt.pmd_at(a) == PmdMap::Anon {
                        self.k.frames.frame(crate::page_alloc::thp_head(pte.pfn()))
                    } else {
                        f
                    };
                    if asked.mapcount == 1 {
                        e |= PagemapEntry::EXCLUSIVE;
                    }
                }
            } else if pte.is_swap() {
                e |= PagemapEntry::SWAP | (pte.swap_offset() as u64) << crate::proc::PAGEMAP_SWAP_TYPE_BITS;
            }
            out.push(PagemapEntry(e));
        }
        Ok(out)
    }

    /// /proc/kpagecount and /proc/kpageflags for one pfn.
    pub fn kpage(&self, pfn: u64) -> Kpage {
        if pfn == ZERO_PFN {
            return Kpage { pfn, count: 0, flags: KpageFlags::ZERO_PAGE | KpageFlags::RESERVED };
        }
        if is_huge_zero_pfn(pfn) && self.k.huge_zero_allocated {
            let part = if pfn == HUGE_ZERO_PFN { KpageFlags::COMPOUND_HEAD } else { KpageFlags::COMPOUND_TAIL };
            return Kpage { pfn, count: 0, flags: KpageFlags::ZERO_PAGE | KpageFlags::THP | part };
        }
        let Some(f) = self.k.frames.get(pfn) else {
            let in_range = pfn >= crate::page_alloc::FIRST_PFN
                && pfn < crate::page_alloc::FIRST_PFN + self.config.node_frames() * self.config.nodes as u64;
            let flags = if in_range { KpageFlags::BUDDY } else { KpageFlags::NOPAGE };
            return Kpage { pfn, count: 0, flags };
        };
        if f.is_free() {
            return Kpage { pfn, count: 0, flags: KpageFlags::BUDDY };
        }
        let mut k = KpageFlags::empty();
        let pf = f.flags;
        let map = [
            (PageFlags::LOCKED, KpageFlags::LOCKED),
            (PageFlags::REFERENCED, KpageFlags::REFERENCED),
            (PageFlags::UPTODATE, KpageFlags::UPTODATE),
            (PageFlags::DIRTY, KpageFlags::DIRTY),
            (PageFlags::LRU, KpageFlags::LRU),
            (PageFlags::ACTIVE, KpageFlags::ACTIVE),
            (PageFlags::ANON, KpageFlags::ANON),
            (PageFlags::SWAPCACHE, KpageFlags::SWAPCACHE | KpageFlags::OWNER_PRIVATE),
            (PageFlags::SWAPBACKED, KpageFlags::SWAPBACKED),
            (PageFlags::UNEVICTABLE, KpageFlags::UNEVICTABLE),
            (PageFlags::MLOCKED, KpageFlags::MLOCKED),
            (PageFlags::ANON_EXCLUSIVE, KpageFlags::MAPPEDTODISK),
            // PG_readahead is PG_reclaim's bit.
            (PageFlags::READAHEAD, KpageFlags::RECLAIM),
        ];
        for (p, kf) in map {
            if pf.contains(p) {
                k |= kf;
            }
        }
        if f.mapcount > 0 {
            k |= KpageFlags::MMAP;
        }
        if f.is_compound() {
            // stable_page_flags: a large anon folio is a THP.
            k |= KpageFlags::THP;
            k |= if pf.contains(PageFlags::HEAD) { KpageFlags::COMPOUND_HEAD } else { KpageFlags::COMPOUND_TAIL };
        }
        Kpage { pfn, count: f.mapcount as u64, flags: k }
    }
}
