//! move_pages and page migration (mm/migrate.c `kernel_move_pages`, `do_pages_move`,
//! `do_pages_stat_array`, `__add_folio_for_migration`, `migrate_pages`, `try_to_migrate`,
//! `folio_migrate_flags`, `remove_migration_ptes`).
//!
//! Migration is applied atomically here: the migration entries that exist between unmap and
//! remap are not visible to other operations. A migrated mlocked page counts stranded (munlock
//! of the isolated old page), rescued (the new page put back evictable), then mlocked and
//! culled (mlocked again by `remove_migration_ptes`), as compaction shows on Linux 6.18.

use crate::errno::Errno;
use crate::machine::Machine;
use crate::ops::{MpolFlags, OpResult, Outcome, PAGE_SIZE, Pid};
use crate::page_alloc::{PageFlags, Pfn, ZERO_PFN};
use crate::vmstat::{Event, NodeStat};

/// Most pages one move_pages call may name (the model's bound on the user arrays).
pub const MOVE_PAGES_MAX: usize = 1 << 16;

/// What `__add_folio_for_migration` finds at an address.
enum Lookup {
    Status(i32),
    Page(Pfn),
}

impl Machine {
    /// move_pages(2): with `nodes` empty, a status query (`do_pages_stat`).
    pub(crate) fn sys_move_pages(&mut self, pid: Pid, addrs: &[u64], nodes: &[u32], flags: MpolFlags) -> OpResult {
        self.proc(pid)?;
        if !(flags - (MpolFlags::MOVE | MpolFlags::MOVE_ALL)).is_empty() {
            return Err(Errno::EINVAL);
        }
        if addrs.len() > MOVE_PAGES_MAX || (!nodes.is_empty() && nodes.len() != addrs.len()) {
            return Err(Errno::EFAULT);
        }
        if nodes.is_empty() {
            return Ok(Outcome::Statuses(addrs.iter().map(|&a| self.page_status(pid, a)).collect()));
        }
        if nodes.iter().any(|&n| n >= self.config.nodes) {
            return Err(Errno::ENODEV);
        }
        let move_all = flags.contains(MpolFlags::MOVE_ALL);
        let statuses = addrs.iter().zip(nodes).map(|(&a, &n)| self.move_one(pid, a, n, move_all)).collect();
        Ok(Outcome::Statuses(statuses))
    }

    /// The page mapped at `addr`, or the status Linux reports for it.
    fn lookup(&self, pid: Pid, addr: u64) -> Lookup {
        let Ok(p) = self.proc(pid) else { return Lookup::Status(-Errno::ESRCH.number()) };
        if p.mm.vma_at(addr).is_none() {
            return Lookup::Status(-Errno::EFAULT.number());
        }
        let pte = p.mm.pt.get(addr & !(PAGE_SIZE - 1));
        if !pte.is_present() {
            return Lookup::Status(-Errno::ENOENT.number());
        }
        if pte.pfn() == ZERO_PFN {
            return Lookup::Status(-Errno::EFAULT.number());
        }
        Lookup::Page(pte.pfn())
    }

    fn page_status(&self, pid: Pid, addr: u64) -> i32 {
        match self.lookup(pid, addr) {
            Lookup::Status(s) => s,
            Lookup::Page(pfn) => self.k.frames.frame(pfn).nid as i32,
        }
    }

    /// One page of `do_pages_move`: checks in the order of `__add_folio_for_migration`.
    fn move_one(&mut self, pid: Pid, addr: u64, node: u32, move_all: bool) -> i32 {
        let pfn = match self.lookup(pid, addr) {
            Lookup::Status(s) => return s,
            Lookup::Page(pfn) => pfn,
        };
        let f = *self.k.frames.frame(pfn);
        if f.nid as u32 == node {
            return node as i32;
        }
        if f.is_compound() {
            // Approximation: Linux migrates a THP whole when the target node has room for one.
            self.split_folio(pfn);
        }
        let f = *self.k.frames.frame(pfn);
        if f.mapcount > 1 && !move_all {
            return -Errno::EACCES.number();
        }
        match self.migrate_folio(pfn, node) {
            Ok(()) => node as i32,
            Err(e) => -e.number(),
        }
    }

    /// Migrates one page to `node`: a new frame takes its contents, flags, page-cache slot and
    /// every mapping; mlocked pages are munlocked while isolated (stranded) and mlocked again
    /// when their VM_LOCKED mappings are restored.
    pub(crate) fn migrate_folio(&mut self, old: Pfn, node: u32) -> Result<(), Errno> {
        let Some(new) = self.k.frames.alloc_exact(node, &mut self.k.stats) else {
            self.k.stats.count(Event::PgMigrateFail, 1);
            return Err(Errno::ENOMEM);
        };
        let mappings = self.rmap_walk(old);
        let f = *self.k.frames.frame(old);
        let (old_nid, new_nid) = (f.nid as u32, node);
        // isolate + try_to_migrate: off the LRU; the first VM_LOCKED unmap clears PG_mlocked.
        // Without one (a stale mlock) the old page is freed still PG_mlocked.
        self.k.lru_del(old);
        let locked = mappings.iter().filter(|m| m.locked).count() as u32;
        let mlocking = mappings.iter().filter(|m| m.mlocks).count() as u32;
        if f.flags.contains(PageFlags::MLOCKED) {
            self.k.stats.mod_node(old_nid, NodeStat::Mlock, -1);
            if locked > 0 {
                self.k.stats.count(Event::UnevictableStranded, 1);
            } else {
                self.k.stats.count(Event::UnevictableCleared, 1);
                self.k.stale_mlock_freed += 1;
            }
        }
        self.k.stale_mlock.remove(&old);
        // folio_migrate_mapping + folio_migrate_flags.
        let keep = PageFlags::ANON
            | PageFlags::SWAPBACKED
            | PageFlags::DIRTY
            | PageFlags::REFERENCED
            | PageFlags::ACTIVE
            | PageFlags::ANON_EXCLUSIVE
            | PageFlags::UPTODATE
            | PageFlags::READAHEAD;
        {
            let n = self.k.frames.frame_mut(new);
            n.value = f.value;
            n.index = f.index;
            n.owner = f.owner;
            n.mapcount = f.mapcount;
            n.refcount = f.refcount;
            n.flags = f.flags & keep;
        }
        for (stat, on) in [
            (NodeStat::AnonMapped, f.is_anon() && f.mapcount > 0),
            (NodeStat::FileMapped, !f.is_anon() && f.mapcount > 0),
            (NodeStat::FilePages, !f.is_anon()),
            (NodeStat::Shmem, f.is_shmem()),
            (NodeStat::Dirty, !f.is_anon() && !f.is_shmem() && f.flags.contains(PageFlags::DIRTY)),
        ] {
            if on {
                self.k.stats.mod_node(old_nid, stat, -1);
                self.k.stats.mod_node(new_nid, stat, 1);
            }
        }
        if f.flags.contains(PageFlags::SWAPCACHE) {
            self.k.migrate_swap_cache(old, new);
        }
        if !f.is_anon()
            && let Some(slot) = self.k.inode_mut(f.owner).cache.get_mut(&f.index)
        {
            *slot = new;
        }
        // remove_migration_ptes: each PTE now maps the new page.
        for m in &mappings {
            let mm = &mut self.procs.get_mut(&m.pid).expect("mapped pid").mm;
            let pte = mm.pt.get(m.addr);
            mm.pt.set(m.addr, crate::mm_types::Pte::present(new, pte.writable(), pte.dirty()).with_young(pte.young()));
        }
        // folio_migrate_flags copies PG_unevictable but not PG_mlocked, so folio_add_lru finds an
        // evictable page that was unevictable: rescued. remove_migration_ptes mlocks it again.
        if f.flags.contains(PageFlags::UNEVICTABLE) {
            self.k.stats.count(Event::UnevictableRescued, 1);
        }
        if mlocking > 0 {
            // mlock_vma_folio on the isolated new page, then putback culls it: lru_add clears
            // PG_active of an unevictable folio (an mlock walk that met the migration entry
            // left the page active).
            self.k.frames.frame_mut(new).flags.remove(PageFlags::ACTIVE);
            self.k.mlock_new_folio(new);
            self.k.frames.frame_mut(new).mlock_count = mlocking;
        } else {
            self.k.lru_add(new);
        }
        // The old page loses every reference and goes back to its node.
        let o = self.k.frames.frame_mut(old);
        o.flags = PageFlags::empty();
        o.mapcount = 0;
        o.mlock_count = 0;
        o.refcount = 0;
        self.k.frames.free(old, &mut self.k.stats);
        self.k.stats.count(Event::PgMigrateSuccess, 1);
        Ok(())
    }
}
