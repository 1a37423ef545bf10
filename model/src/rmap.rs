//! The reverse map walk (mm/rmap.c `rmap_walk_anon`, `rmap_walk_file`): every PTE that maps a
//! page, found through the anon_vma chain or the file's i_mmap, as `try_to_unmap` and
//! `try_to_migrate` use it; and the walk the pre-5.18 munlock paid for (`try_to_munlock`).

use crate::machine::Machine;
use crate::mlock::Munlock;
use crate::mm_types::{VmFlags, Vma};
use crate::ops::{PAGE_SIZE, Pid};
use crate::page_alloc::Pfn;

/// One mapping of a page: the process, the address, whether its VMA is VM_LOCKED and whether
/// `mlock_vma_folio` mlocks through it (not while mlock's walk holds VM_IO on it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    pub pid: Pid,
    pub addr: u64,
    pub locked: bool,
    pub mlocks: bool,
}

impl Machine {
    /// Every PTE mapping `pfn`, in pid then address order.
    pub(crate) fn rmap_walk(&self, pfn: Pfn) -> Vec<Mapping> {
        self.rmap_walked.set(true);
        let f = *self.k.frames.frame(pfn);
        let covers = |v: &Vma| self.vma_covers(v, f.is_anon(), f.owner, f.index);
        let mut out = Vec::new();
        for (&pid, p) in &self.procs {
            for v in p.mm.vmas.values().filter(|v| covers(v)) {
                let addr = v.start + (f.index - v.pgoff) * PAGE_SIZE;
                let pte = p.mm.pt.get(addr);
                if pte.is_present() && pte.pfn() == pfn {
                    out.push(Mapping {
                        pid,
                        addr,
                        locked: v.flags.contains(VmFlags::LOCKED),
                        mlocks: v.mlocks_on_map(),
                    });
                }
            }
        }
        out
    }

    /// The VMA reaches the page at `index` of `owner` (a file, or an anon_vma when `anon`): it
    /// is in the page's anon_vma chain or the file's i_mmap and its range covers `index`.
    fn vma_covers(&self, v: &Vma, anon: bool, owner: u32, index: u64) -> bool {
        let reaches =
            if anon { v.anon_vma.is_some_and(|a| self.k.anon_vma_reaches(a, owner)) } else { v.file == Some(owner) };
        reaches && index >= v.pgoff && index < v.pgoff + v.pages()
    }

    /// The steps of the pre-5.18 `try_to_munlock` (mm/rmap.c `rmap_walk` with
    /// `try_to_unmap_one(TTU_MUNLOCK)`) for the page of `m`: one step per VMA the walk visits,
    /// that is every VMA whose range covers the page in its anon_vma chain or i_mmap, mapped
    /// there or not and VM_LOCKED or not (the unlocking one included), up to and including the
    /// first VM_LOCKED one whose PTE maps the page (it re-mlocks the page and ends the walk with
    /// SWAP_MLOCK). The unlocking VMA never ends it: `munlock_vma_pages_range` cleared its
    /// VM_LOCKED first, and in the model its PTE is already gone when a zap munlocks.
    ///
    /// The order is the model's rmap order, as in [`Machine::rmap_walk`]: pid, then address,
    /// not the interval-tree order of Linux's i_mmap / anon_vma. Unlike `rmap_walk`, it does not
    /// mark the operation as having walked the rmap (it changes no page table).
    pub(crate) fn munlock_walk_steps(&self, m: &Munlock) -> u64 {
        let mut steps = 0;
        for p in self.procs.values() {
            for v in p.mm.vmas.values().filter(|v| self.vma_covers(v, m.anon, m.owner, m.index)) {
                steps += 1;
                if v.flags.contains(VmFlags::LOCKED) {
                    let pte = p.mm.pt.get(v.start + (m.index - v.pgoff) * PAGE_SIZE);
                    if pte.is_present() && pte.pfn() == m.pfn {
                        return steps;
                    }
                }
            }
        }
        steps
    }
}
