//! VMA split and merge (mm/vma.c `__split_vma`, `vma_merge_new_range`,
//! `vma_merge_existing_range`, `vma_modify_flags`, `is_mergeable_vma`, `is_mergeable_anon_vma`,
//! `find_mergeable_anon_vma`).

use crate::errno::Errno;
use crate::mm_types::{AnonVmaId, MAX_MAP_COUNT, Mm, PMD_SIZE, PmdMap, VmFlags, Vma};
use crate::ops::PAGE_SIZE;

/// `vma_had_uncowed_parents`: the VMA's anon_vma chain holds parents' anon_vmas.
fn had_uncowed_parents(v: &Vma) -> bool {
    v.anon_vma.is_some() && v.anon_chain_forked
}

/// `is_mergeable_anon_vma` (6.16+): may `src` (the range being placed) share `tgt`'s anon_vma?
fn anon_mergeable(src: &Vma, tgt: &Vma) -> bool {
    match (src.anon_vma, tgt.anon_vma) {
        (Some(_), None) => !had_uncowed_parents(src),
        (None, Some(_)) => !had_uncowed_parents(tgt),
        (a, b) => a == b,
    }
}

/// Can `left` and `right` (adjacent, left below right) be one VMA?
pub fn can_merge(left: &Vma, right: &Vma, src_is_left: bool) -> bool {
    let (src, tgt) = if src_is_left { (left, right) } else { (right, left) };
    left.end == right.start
        && left.flags == right.flags
        && left.file == right.file
        && left.pgoff + left.pages() == right.pgoff
        && anon_mergeable(src, tgt)
}

/// `anon_vma_compatible`: VMAs that could merge but for their access bits may share an anon_vma.
fn anon_vma_compatible(a: &Vma, b: &Vma) -> bool {
    let access = VmFlags::READ | VmFlags::WRITE | VmFlags::EXEC;
    a.end == b.start
        && a.file == b.file
        && (a.flags ^ b.flags) & !access == VmFlags::empty()
        && b.pgoff == a.pgoff + (b.start - a.start) / PAGE_SIZE
}

impl Mm {
    pub fn prev_of(&self, start: u64) -> Option<&Vma> {
        self.vmas.range(..start).next_back().map(|(_, v)| v)
    }

    pub fn next_of(&self, start: u64) -> Option<&Vma> {
        self.vmas.range(start + 1..).next().map(|(_, v)| v)
    }

    /// `find_mergeable_anon_vma`: an anon_vma a neighbour could lend to the VMA at `start`.
    pub fn find_mergeable_anon_vma(&self, start: u64) -> Option<AnonVmaId> {
        let vma = &self.vmas[&start];
        let reusable = |old: &Vma, a: &Vma, b: &Vma| {
            (anon_vma_compatible(a, b) && !old.anon_chain_forked).then_some(old.anon_vma).flatten()
        };
        let from_next = self.next_of(start).and_then(|n| reusable(n, vma, n));
        from_next.or_else(|| self.prev_of(start).and_then(|p| reusable(p, p, vma)))
    }

    /// Splits the VMA containing `addr` so that a VMA starts at `addr` (`split_vma`).
    pub fn split_at(&mut self, addr: u64) -> Result<(), Errno> {
        let Some(v) = self.vma_at(addr) else { return Ok(()) };
        if v.start == addr {
            return Ok(());
        }
        if self.vmas.len() >= MAX_MAP_COUNT {
            return Err(Errno::ENOMEM);
        }
        let start = v.start;
        let pmd = self.pt.pmd_at(addr);
        if pmd != PmdMap::Table && !addr.is_multiple_of(PMD_SIZE) {
            // vma_adjust_trans_huge: a huge PMD across the new boundary is split.
            let head = self.pt.get(addr & !(PMD_SIZE - 1)).pfn();
            self.pt.set_pmd(addr, PmdMap::Table);
            self.pmd_splits.push((addr & !(PMD_SIZE - 1), pmd, head));
        }
        let v = self.vmas.get_mut(&start).expect("vma");
        let mut upper = v.clone();
        v.end = addr;
        upper.pgoff += (addr - start) / PAGE_SIZE;
        upper.start = addr;
        if let Some(f) = upper.file {
            self.file_ref_deltas.push((f, 1));
        }
        self.vmas.insert(addr, upper);
        Ok(())
    }

    /// Splits so that `[start, end)` is covered by whole VMAs (where mapped).
    pub fn split_range(&mut self, start: u64, end: u64) -> Result<(), Errno> {
        // Two splits of one VMA need two free map slots (split_vma checks each).
        self.split_at(start)?;
        self.split_at(end)
    }

    /// Merges the VMA at `start` with its neighbours where Linux would
    /// (`vma_merge_existing_range` / `vma_merge_new_range`). Returns the merged VMA's start.
    pub fn merge_around(&mut self, start: u64) -> u64 {
        let v = self.vmas[&start].clone();
        let prev = self.prev_of(start).filter(|p| can_merge(p, &v, false)).cloned();
        let mut next = self.next_of(start).filter(|n| can_merge(&v, n, true)).cloned();
        if let (Some(p), Some(n)) = (&prev, &next) {
            let compatible = p.anon_vma.is_none() || n.anon_vma.is_none() || p.anon_vma == n.anon_vma;
            if !compatible {
                next = None;
            }
        }
        let mut merged = v.clone();
        let anon = [&prev, &Some(v.clone()), &next].into_iter().flatten().find_map(|x| x.anon_vma);
        let forked = [&prev, &Some(v.clone()), &next].into_iter().flatten().any(|x| x.anon_chain_forked);
        if let Some(p) = &prev {
            self.vmas.remove(&v.start);
            merged.start = p.start;
            merged.pgoff = p.pgoff;
        }
        if let Some(n) = &next {
            self.vmas.remove(&n.start);
            merged.end = n.end;
        }
        if let Some(f) = v.file {
            let removed = prev.is_some() as i32 + next.is_some() as i32;
            if removed > 0 {
                self.file_ref_deltas.push((f, -removed));
            }
        }
        merged.anon_vma = anon;
        merged.anon_chain_forked = forked && anon.is_some();
        let s = merged.start;
        self.vmas.insert(s, merged);
        s
    }

    /// Gives `[start, end)` the flags `f(old)` (`vma_modify_flags` for every VMA in the range),
    /// splitting at the edges and merging where Linux merges. Unmapped parts are skipped.
    pub fn modify_flags(&mut self, start: u64, end: u64, f: impl Fn(&Vma) -> VmFlags) -> Result<(), Errno> {
        for s in self.overlapping(start, end) {
            let Some(v) = self.vmas.get(&s) else { continue };
            let new = f(v);
            if new == v.flags {
                continue;
            }
            let (lo, hi) = (start.max(v.start), end.min(v.end));
            self.split_range(lo, hi)?;
            self.vmas.get_mut(&lo).expect("split vma").flags = new;
            self.merge_around(lo);
        }
        Ok(())
    }

    /// Inserts a new VMA and merges it with its neighbours (`__mmap_region`).
    pub fn insert_vma(&mut self, vma: Vma) -> u64 {
        let s = vma.start;
        self.vmas.insert(s, vma);
        self.merge_around(s)
    }
}
