//! The reverse map walk (mm/rmap.c `rmap_walk_anon`, `rmap_walk_file`): every PTE that maps a
//! page, found through the anon_vma chain or the file's i_mmap, as `try_to_unmap` and
//! `try_to_migrate` use it.

use crate::machine::Machine;
use crate::mm_types::{VmFlags, Vma};
use crate::ops::{PAGE_SIZE, Pid};
use crate::page_alloc::Pfn;

/// One mapping of a page: the process, the address and whether its VMA is VM_LOCKED.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    pub pid: Pid,
    pub addr: u64,
    pub locked: bool,
}

impl Machine {
    /// Every PTE mapping `pfn`, in pid then address order.
    pub(crate) fn rmap_walk(&self, pfn: Pfn) -> Vec<Mapping> {
        self.rmap_walked.set(true);
        let f = *self.k.frames.frame(pfn);
        let covers = |v: &Vma| {
            let reaches = if f.is_anon() {
                v.anon_vma.is_some_and(|a| self.k.anon_vma_reaches(a, f.owner))
            } else {
                v.file == Some(f.owner)
            };
            reaches && f.index >= v.pgoff && f.index < v.pgoff + v.pages()
        };
        let mut out = Vec::new();
        for (&pid, p) in &self.procs {
            for v in p.mm.vmas.values().filter(|v| covers(v)) {
                let addr = v.start + (f.index - v.pgoff) * PAGE_SIZE;
                let pte = p.mm.pt.get(addr);
                if pte.is_present() && pte.pfn() == pfn {
                    out.push(Mapping { pid, addr, locked: v.flags.contains(VmFlags::LOCKED) });
                }
            }
        }
        out
    }
}
