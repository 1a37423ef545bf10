//! mremap (mm/mremap.c `do_mremap`, `check_mremap_params`, `mremap_at`, `expand_vma_in_place`,
//! `move_vma`, `copy_vma`, `move_page_tables`).

use crate::errno::Errno;
use crate::machine::Machine;
use crate::mm_types::{TASK_SIZE, VmFlags, Vma};
use crate::mmap::page_align;
use crate::ops::{MremapFlags, OpResult, Outcome, PAGE_SHIFT, PAGE_SIZE, Pid};

impl Machine {
    /// mremap(2).
    pub(crate) fn sys_mremap(
        &mut self,
        pid: Pid,
        addr: u64,
        old_len: u64,
        new_len: u64,
        flags: MremapFlags,
        new_addr: u64,
    ) -> OpResult {
        self.proc(pid)?;
        let known = MremapFlags::MAYMOVE | MremapFlags::FIXED | MremapFlags::DONTUNMAP;
        if !(flags - known).is_empty() {
            return Err(Errno::EINVAL);
        }
        if !addr.is_multiple_of(PAGE_SIZE) {
            return Err(Errno::EINVAL);
        }
        let old_len = page_align(old_len).ok_or(Errno::EINVAL)?;
        let new_len = page_align(new_len).ok_or(Errno::EINVAL)?;
        if new_len == 0 {
            return Err(Errno::EINVAL);
        }
        let fixed = flags.contains(MremapFlags::FIXED);
        let dontunmap = flags.contains(MremapFlags::DONTUNMAP);
        let maymove = flags.contains(MremapFlags::MAYMOVE);
        if fixed || dontunmap {
            if !new_addr.is_multiple_of(PAGE_SIZE) && fixed {
                return Err(Errno::EINVAL);
            }
            if !maymove {
                return Err(Errno::EINVAL);
            }
            if dontunmap && old_len != new_len {
                return Err(Errno::EINVAL);
            }
            if fixed {
                let overlaps = addr < new_addr.saturating_add(new_len) && new_addr < addr.saturating_add(old_len);
                if overlaps {
                    return Err(Errno::EINVAL);
                }
                if new_len > TASK_SIZE || new_addr > TASK_SIZE - new_len {
                    return Err(Errno::EINVAL);
                }
            }
        }
        let mm = &self.proc(pid)?.mm;
        let vma = mm.vma_at(addr).cloned().ok_or(Errno::EFAULT)?;
        if old_len == 0 && !vma.flags.contains(VmFlags::MAYSHARE) {
            return Err(Errno::EINVAL);
        }
        // Resizing in place to the same or a smaller size never looks past the VMA's end.
        let past_vma_end = old_len > vma.end - addr;
        if !fixed && !dontunmap && new_len <= old_len {
            if new_len < old_len {
                // do_vmi_munmap of the tail, with its range checks.
                let end = addr.checked_add(old_len).filter(|e| *e <= TASK_SIZE).ok_or(Errno::EINVAL)?;
                self.do_munmap(pid, addr + new_len, end)?;
            }
            return Ok(Outcome::Addr(addr));
        }
        if past_vma_end {
            return Err(Errno::EFAULT);
        }
        if new_len > old_len && !self.mlock_future_ok(pid, vma.flags, new_len - old_len) {
            return Err(Errno::EAGAIN);
        }
        if old_len == 0 {
            if !maymove {
                return Err(Errno::ENOMEM);
            }
            return self.mremap_duplicate(pid, &vma, addr, new_len, fixed.then_some(new_addr));
        }
        if fixed {
            return self.mremap_to(pid, addr, old_len, new_len, Some(new_addr), dontunmap);
        }
        if dontunmap {
            return self.mremap_to(pid, addr, old_len, new_len, None, true);
        }
        if addr + old_len == vma.end {
            let grow_end = addr.checked_add(new_len).filter(|e| *e <= TASK_SIZE);
            if let Some(e) = grow_end
                && self.proc(pid)?.mm.overlapping(vma.end, e).is_empty()
            {
                self.expand_in_place(pid, &vma, e);
                return Ok(Outcome::Addr(addr));
            }
        }
        if !maymove {
            return Err(Errno::ENOMEM);
        }
        self.mremap_to(pid, addr, old_len, new_len, None, false)
    }

    /// mremap with old_len 0 of a shared mapping: a second mapping of the same object at a new
    /// address; the old one stays.
    fn mremap_duplicate(&mut self, pid: Pid, vma: &Vma, addr: u64, new_len: u64, to: Option<u64>) -> OpResult {
        let dest = match to {
            Some(a) => {
                self.do_munmap(pid, a, a + new_len)?;
                a
            }
            None => self.proc(pid)?.mm.get_unmapped_area(0, new_len, false, false)?,
        };
        let dup = Vma {
            start: dest,
            end: dest + new_len,
            pgoff: vma.pgoff_at(addr),
            anon_vma: None,
            anon_chain_forked: false,
            ..vma.clone()
        };
        if let Some(f) = dup.file {
            self.k.inode_mut(f).map_count += 1;
        }
        let locked = dup.flags.contains(VmFlags::LOCKED);
        let mm = &mut self.procs.get_mut(&pid).expect("pid").mm;
        mm.insert_vma(dup);
        mm.total_vm += new_len >> PAGE_SHIFT;
        if locked {
            mm.locked_vm += new_len >> PAGE_SHIFT;
        }
        mm.update_hiwater_vm();
        self.sync_file_refs(pid);
        if locked {
            self.populate_locked(pid, dest, dest + new_len);
        }
        Ok(Outcome::Addr(dest))
    }

    /// `expand_vma_in_place`: the VMA grows to `new_end` and may merge with its next neighbour.
    fn expand_in_place(&mut self, pid: Pid, vma: &Vma, new_end: u64) {
        let mm = &mut self.procs.get_mut(&pid).expect("pid").mm;
        let grown = (new_end - vma.end) >> PAGE_SHIFT;
        let v = mm.vmas.get_mut(&vma.start).expect("vma");
        let old_end = v.end;
        let locked = v.flags.contains(VmFlags::LOCKED);
        v.end = new_end;
        if locked {
            mm.locked_vm += grown;
        }
        mm.merge_around(vma.start);
        mm.total_vm += grown;
        mm.update_hiwater_vm();
        self.sync_file_refs(pid);
        if locked {
            self.populate_locked(pid, old_end, new_end);
        }
    }

    /// `mremap_to` / `move_vma`: moves `[addr, addr+old_len)` (shrunk or grown to `new_len`) to
    /// `new_addr`, or to a fresh area. Page tables move unchanged.
    fn mremap_to(
        &mut self,
        pid: Pid,
        addr: u64,
        old_len: u64,
        new_len: u64,
        new_addr: Option<u64>,
        dontunmap: bool,
    ) -> OpResult {
        let dest = match new_addr {
            Some(a) => {
                self.do_munmap(pid, a, a + new_len)?;
                a
            }
            None => self.proc(pid)?.mm.get_unmapped_area(0, new_len, false, false)?,
        };
        let (mut old_len, mut new_len) = (old_len, new_len);
        if new_len < old_len {
            self.do_munmap(pid, addr + new_len, addr + old_len)?;
            old_len = new_len;
        }
        let mm = &mut self.procs.get_mut(&pid).expect("pid").mm;
        // Destination tables: one per source table, plus one where the move is not PMD-aligned.
        let src_tables: std::collections::BTreeSet<u64> =
            mm.pt.range(addr, addr + old_len).iter().map(|(a, _)| a / crate::mm_types::PMD_SIZE).collect();
        let moving_tables = 2 * src_tables.len() as u64 + 1;
        if moving_tables > self.k.frames.table_room() {
            return Err(Errno::ENOMEM);
        }
        // With MREMAP_DONTUNMAP nothing is unmapped, so the source VMA is not split.
        if !dontunmap {
            let split = mm.split_range(addr, addr + old_len);
            self.sync_file_refs(pid);
            split?;
        }
        let mm = &mut self.procs.get_mut(&pid).expect("pid").mm;
        let src = mm.vma_at(addr).cloned().expect("source vma");
        // copy_vma: the moved VMA keeps its pgoff and anon_vma; it merges at the destination
        // only where those line up. An anonymous VMA never faulted (no anon_vma) has its pgoff
        // relocated to the new address first, so it merges like a fresh mapping.
        let mut moved = Vma { start: dest, end: dest + old_len, pgoff: src.pgoff_at(addr), ..src.clone() };
        if src.file.is_none() && src.anon_vma.is_none() {
            moved.pgoff = dest >> PAGE_SHIFT;
        }
        // Approximation: move_huge_pmd would move a PMD whose source and target are aligned.
        self.k.split_huge_pmds(mm, addr, addr + old_len);
        for (a, pte) in mm.pt.range(addr, addr + old_len) {
            let delta_out = mm.pt.set(a, crate::mm_types::Pte::NONE);
            let delta_in = mm.pt.set(a - addr + dest, pte);
            let delta = delta_out + delta_in;
            if delta != 0 {
                self.k.frames.account_tables(delta, &mut self.k.stats);
            }
        }
        self.k.move_reservations(mm, addr, old_len, dest);
        if let Some(f) = src.file {
            self.k.inode_mut(f).map_count += 1;
        }
        let mm = &mut self.procs.get_mut(&pid).expect("pid").mm;
        mm.total_vm += old_len >> PAGE_SHIFT;
        if src.flags.contains(VmFlags::LOCKED) {
            mm.locked_vm += old_len >> PAGE_SHIFT;
        }
        mm.insert_vma(moved);
        self.sync_file_refs(pid);
        let mm = &mut self.procs.get_mut(&pid).expect("pid").mm;
        if dontunmap {
            // dontunmap_complete: the lock bits of the whole old VMA go without touching
            // locked_vm (Linux leaks it); its anon_vma links go if all of it moved.
            // The moved VMA may have merged with the source (an unfaulted one moved next to it).
            let old_start = mm.vma_at(addr).expect("source vma").start;
            let old = mm.vmas.get_mut(&old_start).expect("source vma");
            if old.start == addr && old.end == addr + old_len {
                old.anon_vma = None;
                old.anon_chain_forked = false;
            }
            if old.flags.contains(VmFlags::LOCKED) {
                // The whole VMA loses its lock bits, the moved part too when they merged.
                old.flags -= crate::mlock::VM_LOCKED_MASK;
                let (start, end, pages) = (old.start, old.end, old.pages());
                mm.locked_vm_leaked += pages;
                // The pages still mapped there stay PG_mlocked and unevictable.
                self.k.leave_mlocked(mm, start, end);
            }
            mm.update_hiwater_vm();
        } else if mm.vma_at(addr).is_some_and(|v| v.start == addr && v.end == addr + old_len) {
            self.remove_vma(pid, addr);
        } else {
            // The moved VMA merged with the source range: unmap the old part (its PTEs moved).
            self.do_munmap(pid, addr, addr + old_len)?;
        }
        if new_len > old_len {
            let mm = &mut self.procs.get_mut(&pid).expect("pid").mm;
            let v = mm.vma_at(dest).cloned().expect("moved vma");
            new_len -= old_len;
            let v_end = dest + old_len;
            self.expand_in_place(pid, &Vma { end: v_end, ..v }, v_end + new_len);
        }
        Ok(Outcome::Addr(dest))
    }
}
