//! fork and exit (kernel/fork.c `dup_mmap`, mm/memory.c `copy_page_range`,
//! `vma_needs_copy`, `copy_present_pte`; kernel/exit.c `do_exit` → mm/mmap.c `exit_mmap`).

use crate::errno::Errno;
use crate::machine::Machine;
use crate::memory::mm_counter;
use crate::mm_types::{Mm, RssKind, VmFlags, Vma};
use crate::ops::{OpResult, Outcome, Pid};
use crate::page_alloc::{PageFlags, ZERO_PFN};

impl Machine {
    /// fork(2).
    pub(crate) fn sys_fork(&mut self, pid: Pid) -> OpResult {
        let parent = self.proc(pid)?;
        let fds = parent.fds.clone();
        let (rlimit_memlock, cap_ipc_lock) = (parent.rlimit_memlock, parent.cap_ipc_lock);
        if self.fork_tables_needed(&parent.mm) > self.k.frames.table_room() {
            return Err(Errno::ENOMEM);
        }
        let child = self.spawn(pid)?;
        let mut mm = Mm::default();
        let vmas: Vec<Vma> = self.proc(pid)?.mm.vmas.values().cloned().collect();
        for v in vmas.into_iter().filter(|v| !v.flags.contains(VmFlags::DONTCOPY)) {
            self.dup_vma(pid, &mut mm, v);
        }
        mm.hiwater_vm = mm.total_vm;
        mm.hiwater_rss = mm.rss_pages();
        for of in fds.values() {
            self.k.inode_mut(of.file).open_count += 1;
        }
        let c = self.procs.get_mut(&child).expect("child");
        c.mm = mm;
        c.fds = fds;
        c.rlimit_memlock = rlimit_memlock;
        c.cap_ipc_lock = cap_ipc_lock;
        Ok(Outcome::Pid(child))
    }

    /// Page-table pages the child's copied page tables will take.
    fn fork_tables_needed(&self, mm: &Mm) -> u64 {
        let copied = |v: &&Vma| v.anon_vma.is_some() && !v.flags.intersects(VmFlags::DONTCOPY | VmFlags::WIPEONFORK);
        let tables: std::collections::BTreeSet<u64> = mm
            .vmas
            .values()
            .filter(copied)
            .flat_map(|v| mm.pt.range(v.start, v.end))
            .map(|(addr, _)| addr / crate::mm_types::PMD_SIZE)
            .collect();
        tables.len() as u64
    }

    /// Copies one VMA into the child, with its page tables when `vma_needs_copy`.
    fn dup_vma(&mut self, parent: Pid, child: &mut Mm, v: Vma) {
        let wipe = v.flags.contains(VmFlags::WIPEONFORK);
        let mut cv = v.clone();
        cv.flags -= VmFlags::LOCKED | VmFlags::LOCKONFAULT;
        // anon_vma_fork: the child gets its own anon_vma chained to the parent's.
        cv.anon_vma = if wipe { None } else { v.anon_vma.map(|a| self.k.new_child_anon_vma(a)) };
        cv.anon_chain_forked = cv.anon_vma.is_some();
        if let Some(f) = v.file {
            self.k.inode_mut(f).map_count += 1;
        }
        child.total_vm += v.pages();
        child.vmas.insert(cv.start, cv);
        if wipe || v.anon_vma.is_none() {
            return;
        }
        let pmm = &mut self.procs.get_mut(&parent).expect("parent").mm;
        for (addr, pte) in pmm.pt.range(v.start, v.end) {
            if pte.is_swap() {
                // copy_nonpresent_pte: both processes now share the entry, so neither is
                // exclusive any more.
                self.k.swap_duplicate(pte.swap_offset());
                let shared = pte.without_swap_exclusive();
                pmm.pt.set(addr, shared);
                self.k.set_pte(child, addr, shared);
                child.rss[RssKind::SwapEnts as usize] += 1;
                continue;
            }
            if !pte.is_present() {
                continue;
            }
            let mut cpte = pte.with_young(false);
            if pte.pfn() != ZERO_PFN {
                let pfn = pte.pfn();
                let f = self.k.frames.frame_mut(pfn);
                f.flags -= PageFlags::ANON_EXCLUSIVE;
                let counter = mm_counter(f);
                self.k.rmap_add(pfn, false);
                child.rss[counter as usize] += 1;
                if v.flags.is_cow() && pte.writable() {
                    pmm.pt.set(addr, pte.with_write(false));
                    cpte = cpte.with_write(false);
                }
            }
            self.k.set_pte(child, addr, cpte);
        }
        self.k.copy_huge_pmds(pmm, child, v.start, v.end);
    }

    /// exit(2): every VMA is zapped and every fd closed; the process is gone.
    pub(crate) fn sys_exit(&mut self, pid: Pid) -> OpResult {
        let proc = self.procs.get_mut(&pid).ok_or(Errno::ESRCH)?;
        self.k.release_all_reservations(&mut proc.mm);
        let starts: Vec<u64> = self.proc(pid)?.mm.vmas.keys().copied().collect();
        for s in starts {
            self.remove_vma(pid, s);
        }
        let fds: Vec<i32> = self.proc(pid)?.fds.keys().copied().collect();
        for fd in fds {
            self.sys_close(pid, fd)?;
        }
        self.procs.remove(&pid).ok_or(Errno::ESRCH)?;
        for p in self.procs.values_mut().filter(|p| p.ppid == pid) {
            p.ppid = 1;
        }
        Ok(Outcome::Done)
    }
}
