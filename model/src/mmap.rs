//! mmap and munmap (mm/mmap.c `do_mmap`, `__get_unmapped_area`, `arch_get_unmapped_area_topdown`,
//! mm/huge_memory.c `__thp_get_unmapped_area`, mm/vma.c `__mmap_region`, `do_vmi_munmap`,
//! `vms_complete_munmap_vmas`; mm/gup.c `populate_vma_page_range`; mm/shmem.c `shmem_zero_setup`).

use crate::errno::Errno;
use crate::filemap::FileKind;
use crate::machine::Machine;
use crate::mm_types::{MAX_MAP_COUNT, MMAP_BASE, MMAP_MIN_ADDR, Mm, PMD_SIZE, TASK_SIZE, VmFlags, Vma};
use crate::ops::{Fd, MapFlags, OpResult, Outcome, PAGE_SHIFT, PAGE_SIZE, Pid, Prot};

/// `MAP_TYPE` and its values.
const MAP_TYPE: u32 = 0x0f;
const MAP_SHARED_VALIDATE: u32 = 0x03;
/// Flags MAP_SHARED_VALIDATE accepts (`LEGACY_MAP_MASK` plus MAP_SYNC).
const LEGACY_MAP_MASK: u32 =
    0x01 | 0x02 | 0x10 | 0x20 | 0x100 | 0x800 | 0x1000 | 0x2000 | 0x4000 | 0x8000 | 0x10000 | 0x20000 | 0x40000;
/// Where bottom-up allocation starts (`TASK_UNMAPPED_BASE`).
const TASK_UNMAPPED_BASE: u64 = (TASK_SIZE / 3) & !(PAGE_SIZE - 1);

/// `PAGE_ALIGN`, or None on overflow.
pub fn page_align(len: u64) -> Option<u64> {
    len.checked_add(PAGE_SIZE - 1).map(|l| l & !(PAGE_SIZE - 1))
}

/// `calc_vm_prot_bits`.
pub fn prot_to_vm(prot: Prot) -> VmFlags {
    let mut f = VmFlags::empty();
    if prot.contains(Prot::READ) {
        f |= VmFlags::READ;
    }
    if prot.contains(Prot::WRITE) {
        f |= VmFlags::WRITE;
    }
    if prot.contains(Prot::EXEC) {
        f |= VmFlags::EXEC;
    }
    f
}

impl Mm {
    /// Is `[start, start+len)` free of VMAs?
    fn range_free(&self, start: u64, len: u64) -> bool {
        self.vma_at(start).is_none() && self.vmas.range(start..start + len).next().is_none()
    }

    /// `unmapped_area_topdown`: the highest gap of `len` bytes below `high`.
    fn topdown_gap(&self, len: u64, high: u64) -> Option<u64> {
        let mut hi = high;
        for v in self.vmas.range(..high).rev().map(|(_, v)| v) {
            if v.end <= hi && hi - v.end >= len {
                return Some(hi - len);
            }
            hi = hi.min(v.start);
        }
        (hi >= MMAP_MIN_ADDR && hi - MMAP_MIN_ADDR >= len).then(|| hi - len)
    }

    /// `unmapped_area`: the lowest gap of `len` bytes at or above `low`.
    fn bottomup_gap(&self, len: u64, low: u64) -> Option<u64> {
        let mut lo = low;
        for v in self.vmas.range(..).map(|(_, v)| v).filter(|v| v.end > low) {
            if v.start >= lo && v.start - lo >= len {
                return Some(lo);
            }
            lo = lo.max(v.end);
        }
        (TASK_SIZE >= lo && TASK_SIZE - lo >= len).then_some(lo)
    }

    /// `arch_get_unmapped_area_topdown` without MAP_FIXED.
    fn search_area(&self, hint: u64, len: u64) -> Result<u64, Errno> {
        if len > TASK_SIZE - MMAP_MIN_ADDR {
            return Err(Errno::ENOMEM);
        }
        if hint != 0 {
            let addr = hint.checked_add(PAGE_SIZE - 1).map_or(u64::MAX, |a| a & !(PAGE_SIZE - 1));
            if addr <= TASK_SIZE - len && addr >= MMAP_MIN_ADDR && self.range_free(addr, len) {
                return Ok(addr);
            }
        }
        self.topdown_gap(len, MMAP_BASE).or_else(|| self.bottomup_gap(len, TASK_UNMAPPED_BASE)).ok_or(Errno::ENOMEM)
    }

    /// `__get_unmapped_area`, including the THP alignment of large anonymous mappings.
    pub fn get_unmapped_area(&self, hint: u64, len: u64, fixed: bool, thp_align: bool) -> Result<u64, Errno> {
        if len > TASK_SIZE {
            return Err(Errno::ENOMEM);
        }
        let addr = if fixed {
            hint
        } else if thp_align && hint == 0 && len.is_multiple_of(PMD_SIZE) {
            self.thp_area(len)?
        } else {
            self.search_area(hint, len)?
        };
        if addr > TASK_SIZE - len {
            return Err(Errno::ENOMEM);
        }
        if !addr.is_multiple_of(PAGE_SIZE) {
            return Err(Errno::EINVAL);
        }
        Ok(addr)
    }

    /// `__thp_get_unmapped_area` for an anonymous mapping (file offset 0).
    fn thp_area(&self, len: u64) -> Result<u64, Errno> {
        let Some(padded) = len.checked_add(PMD_SIZE).filter(|p| *p <= TASK_SIZE) else {
            return self.search_area(0, len);
        };
        let Ok(ret) = self.search_area(0, padded) else { return self.search_area(0, len) };
        let off_sub = ret.wrapping_neg() & (PMD_SIZE - 1);
        Ok(if off_sub == 0 { ret + PMD_SIZE } else { ret + off_sub })
    }
}

impl Machine {
    /// mmap(2) (`ksys_mmap_pgoff` → `do_mmap` → `mmap_region`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn sys_mmap(
        &mut self,
        pid: Pid,
        addr: u64,
        len: u64,
        prot: Prot,
        flags: MapFlags,
        fd: Fd,
        offset: u64,
    ) -> OpResult {
        self.proc(pid)?;
        if !offset.is_multiple_of(PAGE_SIZE) {
            return Err(Errno::EINVAL);
        }
        let pgoff = offset >> PAGE_SHIFT;
        let file = if flags.contains(MapFlags::ANONYMOUS) {
            if flags.contains(MapFlags::HUGETLB) {
                // No hugetlb pool is modeled: hugetlb_file_setup cannot reserve pages.
                return Err(Errno::ENOMEM);
            }
            None
        } else {
            Some(self.fd(pid, fd)?)
        };
        let mut flags = flags;
        if flags.contains(MapFlags::FIXED_NOREPLACE) {
            flags |= MapFlags::FIXED;
        }
        if len == 0 {
            return Err(Errno::EINVAL);
        }
        let fixed = flags.contains(MapFlags::FIXED);
        let hint = if !fixed && addr != 0 && addr < MMAP_MIN_ADDR { MMAP_MIN_ADDR } else { addr };
        let len = page_align(len).ok_or(Errno::ENOMEM)?;
        let pages = len >> PAGE_SHIFT;
        if pgoff.checked_add(pages).is_none() {
            return Err(Errno::EOVERFLOW);
        }
        let mm = &self.proc(pid)?.mm;
        if mm.vmas.len() > MAX_MAP_COUNT {
            return Err(Errno::ENOMEM);
        }
        let mut vm_flags = prot_to_vm(prot) | mm.def_flags | VmFlags::MAYREAD | VmFlags::MAYWRITE | VmFlags::MAYEXEC;
        if flags.contains(MapFlags::GROWSDOWN) {
            vm_flags |= VmFlags::GROWSDOWN;
        }
        if flags.contains(MapFlags::LOCKED) {
            vm_flags |= VmFlags::LOCKED;
        }
        let map_type = flags.bits() & MAP_TYPE;
        let thp_align = file.is_none() && map_type != MapFlags::SHARED.bits();
        let start = mm.get_unmapped_area(hint, len, fixed, thp_align)?;
        if flags.contains(MapFlags::FIXED_NOREPLACE) && !mm.overlapping(start, start + len).is_empty() {
            return Err(Errno::EEXIST);
        }
        if flags.contains(MapFlags::LOCKED) && !self.can_do_mlock(pid)? {
            return Err(Errno::EPERM);
        }
        if !self.mlock_future_ok(pid, vm_flags, len) {
            return Err(Errno::EAGAIN);
        }
        let mut vma_file = None;
        let mut vma_pgoff = pgoff;
        match file {
            Some(of) => {
                match map_type {
                    t if t == MapFlags::SHARED.bits() || t == MAP_SHARED_VALIDATE => {
                        if t == MAP_SHARED_VALIDATE && flags.bits() & !LEGACY_MAP_MASK & !MapFlags::SYNC.bits() != 0 {
                            return Err(Errno::EOPNOTSUPP);
                        }
                        if t == MAP_SHARED_VALIDATE && flags.contains(MapFlags::SYNC) {
                            // MAP_SYNC needs a DAX file.
                            return Err(Errno::EOPNOTSUPP);
                        }
                        if prot.contains(Prot::WRITE) && !of.writable {
                            return Err(Errno::EACCES);
                        }
                        vm_flags |= VmFlags::SHARED | VmFlags::MAYSHARE;
                        if !of.writable {
                            vm_flags -= VmFlags::MAYWRITE | VmFlags::SHARED;
                        }
                    }
                    t if t == MapFlags::PRIVATE.bits() => {}
                    _ => return Err(Errno::EINVAL),
                }
                if !of.readable {
                    return Err(Errno::EACCES);
                }
                vma_file = Some(of.file);
            }
            None => match map_type {
                t if t == MapFlags::SHARED.bits() => {
                    if flags.contains(MapFlags::GROWSDOWN) {
                        return Err(Errno::EINVAL);
                    }
                    vma_pgoff = 0;
                    vm_flags |= VmFlags::SHARED | VmFlags::MAYSHARE;
                }
                t if t == MapFlags::PRIVATE.bits() => vma_pgoff = start >> PAGE_SHIFT,
                _ => return Err(Errno::EINVAL),
            },
        }
        if flags.contains(MapFlags::NORESERVE) {
            vm_flags |= VmFlags::NORESERVE;
        }
        self.mmap_region(pid, start, len, vm_flags, vma_file, vma_pgoff)?;
        if vm_flags.contains(VmFlags::LOCKED) {
            self.populate_locked(pid, start, start + len);
        } else if flags.contains(MapFlags::POPULATE) && !flags.contains(MapFlags::NONBLOCK) {
            let _ = self.populate(pid, start, start + len);
        }
        Ok(Outcome::Addr(start))
    }

    /// `__mmap_region`: unmaps what MAP_FIXED replaces, then inserts (and merges) the new VMA.
    fn mmap_region(
        &mut self,
        pid: Pid,
        start: u64,
        len: u64,
        mut vm_flags: VmFlags,
        mut file: Option<u32>,
        pgoff: u64,
    ) -> Result<(), Errno> {
        let end = start + len;
        self.do_munmap(pid, start, end)?;
        if vm_flags & (VmFlags::NORESERVE | VmFlags::SHARED | VmFlags::WRITE) == VmFlags::WRITE {
            vm_flags |= VmFlags::ACCOUNT;
        }
        if file.is_none() && vm_flags.contains(VmFlags::SHARED) {
            file = Some(self.k.new_inode(FileKind::SharedAnon, len));
        }
        if let Some(f) = file {
            self.k.inode_mut(f).map_count += 1;
        }
        let mm = &mut self.procs.get_mut(&pid).ok_or(Errno::ESRCH)?.mm;
        mm.insert_vma(Vma { start, end, flags: vm_flags, pgoff, file, anon_vma: None, anon_chain_forked: false });
        mm.total_vm += len >> PAGE_SHIFT;
        if vm_flags.contains(VmFlags::LOCKED) {
            mm.locked_vm += len >> PAGE_SHIFT;
        }
        mm.update_hiwater_vm();
        self.sync_file_refs(pid);
        Ok(())
    }

    /// `__mm_populate` / `populate_vma_page_range`: faults `[start, end)` in as GUP does — writes
    /// for private writable VMAs, reads otherwise; inaccessible VMAs are skipped. Stops at the
    /// first failing page.
    pub(crate) fn populate(&mut self, pid: Pid, start: u64, end: u64) -> Result<(), Errno> {
        let vmas: Vec<Vma> = {
            let mm = &self.proc(pid)?.mm;
            mm.overlapping(start, end).iter().map(|s| mm.vmas[s].clone()).collect()
        };
        for v in vmas {
            let write = v.flags & (VmFlags::WRITE | VmFlags::SHARED) == VmFlags::WRITE;
            if !v.flags.intersects(VmFlags::READ | VmFlags::WRITE | VmFlags::EXEC) {
                continue;
            }
            let (lo, hi) = (start.max(v.start), end.min(v.end));
            self.gup_range(pid, lo, hi, write)?;
        }
        Ok(())
    }

    /// `__get_user_pages` over `[start, end)` of one VMA: faults pages not yet mapped with the
    /// needed access. Returns EFAULT when a fault raises a signal, ENOMEM when out of memory.
    /// Every caller passes FOLL_TOUCH, so `follow_page_pte` marks each page accessed.
    pub(crate) fn gup_range(&mut self, pid: Pid, start: u64, end: u64, write: bool) -> Result<(), Errno> {
        let mut addr = start;
        while addr < end {
            let proc = self.procs.get_mut(&pid).ok_or(Errno::ESRCH)?;
            let mm = &mut proc.mm;
            let pte = mm.pt.get(addr);
            if !(pte.is_present() && (!write || pte.writable())) {
                let vma = mm.vma_at(addr).ok_or(Errno::EFAULT)?.clone();
                match self.k.handle_fault(mm, &vma, addr, write) {
                    Ok(_) => {}
                    Err(crate::memory::FaultError::Oom) => return Err(Errno::ENOMEM),
                    Err(crate::memory::FaultError::Signal(_)) => return Err(Errno::EFAULT),
                }
            }
            let pte = mm.pt.get(addr);
            let pfn = pte.pfn();
            // follow_huge_pmd only makes a huge PMD young (touch_pmd); it marks nothing accessed.
            let huge = mm.pt.pmd_at(addr) != crate::mm_types::PmdMap::Table;
            if pfn != crate::page_alloc::ZERO_PFN && !huge {
                // follow_page_pte: FOLL_WRITE through a clean PTE dirties the folio.
                if write && !pte.dirty() {
                    self.k.mark_dirty(pfn);
                }
                self.k.mark_accessed(pfn);
            }
            addr += PAGE_SIZE;
        }
        Ok(())
    }

    /// munmap(2).
    pub(crate) fn sys_munmap(&mut self, pid: Pid, addr: u64, len: u64) -> OpResult {
        let (start, end) = self.munmap_split(pid, addr, len)?;
        self.munmap_remove(pid, start, end);
        Ok(Outcome::Done)
    }

    /// munmap(2)'s checks and `vms_gather_munmap_vmas`'s edge splits: the page-aligned range
    /// whose VMAs go.
    pub(crate) fn munmap_split(&mut self, pid: Pid, addr: u64, len: u64) -> Result<(u64, u64), Errno> {
        self.proc(pid)?;
        if !addr.is_multiple_of(PAGE_SIZE) || addr > TASK_SIZE {
            return Err(Errno::EINVAL);
        }
        let len = page_align(len).ok_or(Errno::EINVAL)?;
        if len == 0 || len > TASK_SIZE - addr {
            return Err(Errno::EINVAL);
        }
        self.split_for_munmap(pid, addr, addr + len)?;
        Ok((addr, addr + len))
    }

    /// `do_vmi_munmap` of a page-aligned range: splits the edge VMAs, zaps and removes the rest.
    pub(crate) fn do_munmap(&mut self, pid: Pid, start: u64, end: u64) -> Result<(), Errno> {
        self.split_for_munmap(pid, start, end)?;
        self.munmap_remove(pid, start, end);
        Ok(())
    }

    /// Zaps and removes every VMA inside `[start, end)` (split at its edges already).
    pub(crate) fn munmap_remove(&mut self, pid: Pid, start: u64, end: u64) {
        let Some(p) = self.procs.get(&pid) else { return };
        let doomed: Vec<u64> = p.mm.vmas.range(start..end).map(|(&s, _)| s).collect();
        for s in doomed {
            self.remove_vma(pid, s);
        }
    }

    fn split_for_munmap(&mut self, pid: Pid, start: u64, end: u64) -> Result<(), Errno> {
        let mm = &mut self.procs.get_mut(&pid).ok_or(Errno::ESRCH)?.mm;
        let inner = mm.vma_at(start).is_some_and(|v| v.start < start && end < v.end);
        if inner && mm.vmas.len() >= MAX_MAP_COUNT {
            return Err(Errno::ENOMEM);
        }
        let split = mm.split_range(start, end);
        self.sync_file_refs(pid);
        split
    }

    /// Zaps one whole VMA and drops it (`unmap_region` + `remove_vma`), with the accounting of
    /// `vms_complete_munmap_vmas`.
    pub(crate) fn remove_vma(&mut self, pid: Pid, start: u64) {
        let proc = self.procs.get_mut(&pid).expect("live pid");
        let mm = &mut proc.mm;
        let Some(v) = mm.vmas.get(&start).cloned() else { return };
        self.k.zap_range(mm, v.start, v.end, None, v.flags.contains(VmFlags::LOCKED));
        self.account_munlocks();
        let mm = &mut self.procs.get_mut(&pid).expect("live pid").mm;
        mm.update_hiwater_vm();
        mm.total_vm -= v.pages();
        if v.flags.contains(VmFlags::LOCKED) {
            mm.locked_vm -= v.pages();
        }
        mm.vmas.remove(&start);
        let freed = mm.free_pgtables(v.start, v.end);
        if freed > 0 {
            self.k.frames.account_tables(-(freed as i64), &mut self.k.stats);
        }
        if let Some(f) = v.file {
            self.k.inode_mut(f).map_count -= 1;
            self.k.maybe_free_inode(f);
        }
    }
}
