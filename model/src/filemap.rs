//! Inodes and the page cache (mm/filemap.c `filemap_add_folio`, `filemap_remove_folio`,
//! `__filemap_get_folio`; fs/open.c for open/close; fs/read_write.c for pread/pwrite).
//!
//! Regular files are disk-backed: a page read into the cache takes its value from the disk
//! image, and a dirty page keeps its value in the cache until it is written back.

use std::collections::BTreeMap;

use crate::errno::Errno;
use crate::machine::{Kernel, Machine};
use crate::mm_types::{FileId, OpenFile};
use crate::ops::{Fd, OpenFlags, Outcome, PAGE_SIZE, Pid};
use crate::page_alloc::{PageFlags, Pfn};
use crate::readahead::FileRaState;
use crate::swapfile::Slot;
use crate::vmstat::NodeStat;

/// RLIMIT_NOFILE default soft limit.
pub const NOFILE: i32 = 1024;
/// MAX_LFS_FILESIZE on 64-bit.
pub const MAX_FILE_SIZE: u64 = i64::MAX as u64;

/// What kind of object an inode is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A memfd (`/memfd:NAME`).
    Memfd { name: String },
    /// The shmem object behind a MAP_SHARED|MAP_ANONYMOUS mapping (`/dev/zero`).
    SharedAnon,
    /// A regular file on a disk.
    Regular { path: String },
}

/// One inode with its page cache.
#[derive(Clone, Debug)]
pub struct Inode {
    pub kind: FileKind,
    pub ino: u64,
    pub size: u64,
    /// Resident pages by page index.
    pub cache: BTreeMap<u64, Pfn>,
    /// Regular files: page values on disk (absent = zero).
    pub disk: BTreeMap<u64, u64>,
    /// shmem: swapped-out pages by index (the swap entries shmem keeps in its page cache).
    pub swap: BTreeMap<u64, Slot>,
    /// Open file descriptions referencing the inode (across all fd tables).
    pub open_count: u32,
    /// VMAs mapping the inode (`i_mmap`).
    pub map_count: u32,
    /// The regular file was unlinked: it goes away once unreferenced.
    pub unlinked: bool,
    /// Regular files: the readahead state (see [`crate::readahead`]).
    pub ra: FileRaState,
    /// Regular files: the folios readahead marked PG_readahead, as first index -> pages (the
    /// model's cache pages are order-0; the mark belongs to the kernel's whole folio).
    pub ra_marks: BTreeMap<u64, u64>,
}

impl Inode {
    pub fn is_shmem(&self) -> bool {
        !matches!(self.kind, FileKind::Regular { .. })
    }

    /// Pages covering `size` (`DIV_ROUND_UP(i_size, PAGE_SIZE)`).
    pub fn size_pages(&self) -> u64 {
        self.size.div_ceil(PAGE_SIZE)
    }

    /// The name /proc/PID/maps prints for a mapping of this inode.
    pub fn maps_name(&self) -> String {
        match &self.kind {
            FileKind::Memfd { name } => format!("/memfd:{name} (deleted)"),
            FileKind::SharedAnon => "/dev/zero (deleted)".to_string(),
            FileKind::Regular { path } if self.unlinked => format!("{path} (deleted)"),
            FileKind::Regular { path } => path.clone(),
        }
    }
}

impl Kernel {
    pub fn new_inode(&mut self, kind: FileKind, size: u64) -> FileId {
        let id = self.next_file;
        self.next_file += 1;
        let ino = id as u64 + 1;
        let inode = Inode {
            kind,
            ino,
            size,
            cache: BTreeMap::new(),
            disk: BTreeMap::new(),
            swap: BTreeMap::new(),
            open_count: 0,
            map_count: 0,
            unlinked: false,
            ra: FileRaState::default(),
            ra_marks: BTreeMap::new(),
        };
        self.files.insert(id, inode);
        id
    }

    pub fn inode(&self, id: FileId) -> &Inode {
        &self.files[&id]
    }

    pub fn inode_mut(&mut self, id: FileId) -> &mut Inode {
        self.files.get_mut(&id).expect("live inode")
    }

    /// Finds the cache page at `index`, reading it in (regular file), swapping it in (shmem
    /// swap entry) or allocating it (shmem hole). Returns the pfn and whether the read needed
    /// I/O (a major fault).
    pub fn get_cache_page(&mut self, file: FileId, index: u64, nid: u32) -> Result<(Pfn, bool), Errno> {
        if let Some(&pfn) = self.inode(file).cache.get(&index) {
            // shmem_get_folio: a preallocated (fallocate) folio is cleared and marked uptodate
            // on first use.
            self.frames.frame_mut(pfn).flags |= PageFlags::UPTODATE;
            return Ok((pfn, false));
        }
        if !self.inode(file).is_shmem() {
            return self.add_disk_page(file, index, nid).map(|pfn| (pfn, true)).ok_or(Errno::ENOMEM);
        }
        let pfn = self.frames.alloc(nid, &mut self.stats).ok_or(Errno::ENOMEM)?;
        let swapped = self.inode_mut(file).swap.remove(&index);
        let mut value = 0;
        if let Some(slot) = swapped {
            // shmem_swapin_folio on the synchronous device: read, drop the slot, and the page
            // (the only copy now) is dirty.
            value = self.swap_read(slot);
            // A copy that swap readahead put in the swap cache goes with the slot.
            self.free_swap_and_cache(slot);
            self.frames.frame_mut(pfn).flags |= PageFlags::DIRTY;
        }
        self.insert_cache_page(file, index, pfn, value);
        Ok((pfn, swapped.is_some()))
    }

    /// A disk file's page at `index` read into the cache from the disk image (not yet cached).
    /// None when no frame is free.
    pub fn add_disk_page(&mut self, file: FileId, index: u64, nid: u32) -> Option<Pfn> {
        let pfn = self.frames.alloc(nid, &mut self.stats)?;
        let value = self.inode(file).disk.get(&index).copied().unwrap_or(0);
        self.insert_cache_page(file, index, pfn, value);
        Some(pfn)
    }

    /// `filemap_add_folio` + `folio_add_lru` of a new page holding `value`.
    fn insert_cache_page(&mut self, file: FileId, index: u64, pfn: Pfn, value: u64) {
        let inode = self.files.get_mut(&file).expect("live inode");
        let shmem = inode.is_shmem();
        inode.cache.insert(index, pfn);
        let f = self.frames.frame_mut(pfn);
        f.value = value;
        f.index = index;
        f.owner = file;
        f.flags |= PageFlags::LRU;
        let nid = f.nid as u32;
        self.stats.mod_node(nid, NodeStat::FilePages, 1);
        if shmem {
            f.flags |= PageFlags::SWAPBACKED;
            self.stats.mod_node(nid, NodeStat::Shmem, 1);
            self.stats.mod_node(nid, NodeStat::InactiveAnon, 1);
        } else {
            self.stats.mod_node(nid, NodeStat::InactiveFile, 1);
        }
        self.frames.lru_stamp(pfn);
    }

    /// `folio_mark_dirty` for a page-cache page.
    pub fn mark_dirty(&mut self, pfn: Pfn) {
        let f = self.frames.frame_mut(pfn);
        if f.flags.contains(PageFlags::DIRTY) {
            return;
        }
        f.flags |= PageFlags::DIRTY;
        if !f.is_anon() && !f.is_shmem() {
            let nid = f.nid as u32;
            self.stats.mod_node(nid, NodeStat::Dirty, 1);
        }
    }

    /// Removes one page from the page cache (`filemap_remove_folio`) and drops the cache's
    /// reference. The page must no longer be mapped. A dirty regular-file page is written back
    /// first unless `discard` (truncation and hole punch throw the data away).
    pub fn remove_cache_page(&mut self, file: FileId, index: u64, discard: bool) {
        let Some(pfn) = self.inode_mut(file).cache.remove(&index) else { return };
        let f = *self.frames.frame(pfn);
        if f.flags.contains(PageFlags::READAHEAD) {
            // The marked folio goes with its page.
            self.inode_mut(file).ra_marks.retain(|&first, &mut pages| !(first..first + pages).contains(&index));
        }
        debug_assert_eq!(f.mapcount, 0);
        let nid = f.nid as u32;
        let shmem = f.is_shmem();
        if f.flags.contains(PageFlags::DIRTY) && !shmem {
            self.stats.mod_node(nid, NodeStat::Dirty, -1);
            if !discard {
                self.inode_mut(file).disk.insert(index, f.value);
            }
        }
        self.stats.mod_node(nid, NodeStat::FilePages, -1);
        if shmem {
            self.stats.mod_node(nid, NodeStat::Shmem, -1);
        }
        self.lru_del(pfn);
        self.put_page(pfn);
    }

    /// `shmem_free_swap` over page indices `[first, last)`: the file's swap entries there go,
    /// with any swap-cache copy readahead made of them (`free_swap_and_cache_nr`).
    pub fn free_shmem_swap(&mut self, file: FileId, first: u64, last: u64) {
        let inode = self.inode_mut(file);
        let indices: Vec<u64> = inode.swap.range(first..last).map(|(&i, _)| i).collect();
        for index in indices {
            let slot = self.inode_mut(file).swap.remove(&index).expect("swapped index");
            self.free_swap_and_cache(slot);
        }
    }

    /// Drops one reference; frees the frame with the last one.
    pub fn put_page(&mut self, pfn: Pfn) {
        let f = self.frames.frame_mut(pfn);
        f.refcount -= 1;
        if f.refcount == 0 {
            if f.is_compound() {
                self.put_compound_page(pfn);
            } else {
                self.free_unreferenced(pfn);
            }
        }
    }

    /// Frees a frame with no reference left.
    pub(crate) fn free_unreferenced(&mut self, pfn: Pfn) {
        let f = self.frames.frame_mut(pfn);
        {
            if f.flags.contains(PageFlags::MLOCKED) {
                // Freed while still mlocked (free_pages_prepare clears PG_mlocked): rightful only
                // for a stale mlock; otherwise "BUG: Bad page state" before 2022.
                let nid = f.nid as u32;
                f.flags -= PageFlags::MLOCKED;
                f.mlock_count = 0;
                self.stats.mod_node(nid, NodeStat::Mlock, -1);
                self.stats.count(crate::vmstat::Event::UnevictableCleared, 1);
                if self.stale_mlock.remove(&pfn).is_some() {
                    self.stale_mlock_freed += 1;
                }
            }
            self.lru_del(pfn);
            self.frames.free(pfn, &mut self.stats);
        }
    }

    /// Changes a page's flags, moving it to the LRU list they call for (`lruvec_del_folio` +
    /// `lruvec_add_folio`).
    pub fn relist(&mut self, pfn: Pfn, change: impl FnOnce(&mut PageFlags)) {
        let f = self.frames.frame_mut(pfn);
        let nid = f.nid as u32;
        let before = lru_item(f.flags);
        change(&mut f.flags);
        let after = lru_item(f.flags);
        if f.flags.contains(PageFlags::LRU) && before != after {
            self.stats.mod_node(nid, before, -1);
            self.stats.mod_node(nid, after, 1);
            self.frames.lru_stamp(pfn);
        }
    }

    /// `folio_mark_accessed` (no MGLRU): a first access sets PG_referenced; a second one activates
    /// an evictable inactive page (`folio_activate`, pgactivate) and clears PG_referenced.
    pub fn mark_accessed(&mut self, pfn: Pfn) {
        if self.frames.frame(pfn).is_compound() {
            // The flags are the folio's: every page of a THP takes the change.
            let head = crate::page_alloc::thp_head(pfn);
            for p in head..head + crate::page_alloc::HPAGE_PMD_NR {
                self.mark_page_accessed(p);
            }
        } else {
            self.mark_page_accessed(pfn);
        }
    }

    fn mark_page_accessed(&mut self, pfn: Pfn) {
        let flags = self.frames.frame(pfn).flags;
        if !flags.contains(PageFlags::REFERENCED) {
            self.frames.frame_mut(pfn).flags |= PageFlags::REFERENCED;
        } else if flags.contains(PageFlags::UNEVICTABLE) && self.mlock_batch.contains(&pfn) {
            // Still in the mlock batch, so still evictable to folio_mark_accessed: it queues the
            // folio for activation (drained before the mlock batch, which then culls it and
            // clears PG_active) and clears PG_referenced.
            self.stats.count(crate::vmstat::Event::PgActivate, 1);
            self.frames.frame_mut(pfn).flags -= PageFlags::REFERENCED;
        } else if !flags.intersects(PageFlags::UNEVICTABLE | PageFlags::ACTIVE) {
            if flags.contains(PageFlags::LRU) {
                self.stats.count(crate::vmstat::Event::PgActivate, 1);
            }
            self.relist(pfn, |f| *f = (*f | PageFlags::ACTIVE) - PageFlags::REFERENCED);
        }
    }

    /// Takes a page off its LRU list, adjusting the LRU counters.
    pub fn lru_del(&mut self, pfn: Pfn) {
        let f = self.frames.frame_mut(pfn);
        if !f.flags.contains(PageFlags::LRU) {
            return;
        }
        let item = lru_item(f.flags);
        f.flags -= PageFlags::LRU | PageFlags::ACTIVE;
        let nid = f.nid as u32;
        self.stats.mod_node(nid, item, -1);
    }

    /// Puts a page on the inactive LRU list of its type (`folio_add_lru`).
    pub fn lru_add(&mut self, pfn: Pfn) {
        let f = self.frames.frame_mut(pfn);
        if f.flags.contains(PageFlags::LRU) {
            return;
        }
        f.flags |= PageFlags::LRU;
        let item = lru_item(f.flags);
        let nid = f.nid as u32;
        self.stats.mod_node(nid, item, 1);
        self.frames.lru_stamp(pfn);
    }

    /// Frees an inode nobody references any more: its whole cache goes.
    pub fn maybe_free_inode(&mut self, file: FileId) {
        let inode = self.inode(file);
        let keep_on_disk = matches!(inode.kind, FileKind::Regular { .. }) && !inode.unlinked;
        if inode.open_count > 0 || inode.map_count > 0 || keep_on_disk {
            return;
        }
        let indices: Vec<u64> = inode.cache.keys().copied().collect();
        for index in indices {
            self.remove_cache_page(file, index, true);
        }
        self.free_shmem_swap(file, 0, u64::MAX);
        self.files.remove(&file);
    }
}

/// The LRU counter a page with these flags sits on.
pub fn lru_item(flags: PageFlags) -> NodeStat {
    let active = flags.contains(PageFlags::ACTIVE);
    if flags.contains(PageFlags::UNEVICTABLE) {
        NodeStat::Unevictable
    } else if flags.contains(PageFlags::SWAPBACKED) {
        if active { NodeStat::ActiveAnon } else { NodeStat::InactiveAnon }
    } else if active {
        NodeStat::ActiveFile
    } else {
        NodeStat::InactiveFile
    }
}

impl Machine {
    /// Installs an open file description at the lowest free fd (`get_unused_fd_flags`).
    pub(crate) fn install_fd(&mut self, pid: Pid, of: OpenFile) -> Result<Fd, Errno> {
        let proc = self.procs.get_mut(&pid).ok_or(Errno::ESRCH)?;
        let fd = (3..NOFILE).find(|fd| !proc.fds.contains_key(fd)).ok_or(Errno::EMFILE)?;
        proc.fds.insert(fd, of);
        self.k.inode_mut(of.file).open_count += 1;
        Ok(fd)
    }

    /// Applies the `i_mmap` count changes of VMA splits and merges in `pid`'s mm.
    pub(crate) fn sync_file_refs(&mut self, pid: Pid) {
        let Some(p) = self.procs.get_mut(&pid) else { return };
        self.k.finish_pmd_splits(&mut p.mm);
        for (file, delta) in std::mem::take(&mut p.mm.file_ref_deltas) {
            let inode = self.k.inode_mut(file);
            inode.map_count = inode.map_count.checked_add_signed(delta).expect("i_mmap count");
            self.k.maybe_free_inode(file);
        }
    }

    pub(crate) fn fd(&self, pid: Pid, fd: Fd) -> Result<OpenFile, Errno> {
        let proc = self.procs.get(&pid).ok_or(Errno::ESRCH)?;
        proc.fds.get(&fd).copied().ok_or(Errno::EBADF)
    }

    /// open(2) of a regular file.
    pub(crate) fn sys_open(&mut self, pid: Pid, path: &str, flags: OpenFlags) -> Result<Outcome, Errno> {
        if !self.procs.contains_key(&pid) {
            return Err(Errno::ESRCH);
        }
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        if path.len() >= 4096 {
            return Err(Errno::ENAMETOOLONG);
        }
        let acc = flags & (OpenFlags::WRONLY | OpenFlags::RDWR);
        if acc == OpenFlags::WRONLY | OpenFlags::RDWR {
            return Err(Errno::EINVAL);
        }
        let (readable, writable) = (!acc.contains(OpenFlags::WRONLY), !acc.is_empty());
        let file = match self.k.paths.get(path) {
            Some(&id) => id,
            None if flags.contains(OpenFlags::CREAT) => {
                let id = self.k.new_inode(FileKind::Regular { path: path.to_string() }, 0);
                self.k.paths.insert(path.to_string(), id);
                id
            }
            None => return Err(Errno::ENOENT),
        };
        let fd = self.install_fd(pid, OpenFile { file, readable, writable, ra_prev_page: None })?;
        if flags.contains(OpenFlags::TRUNC) && writable {
            self.truncate_inode(file, 0);
        }
        Ok(Outcome::Fd(fd))
    }

    /// close(2).
    pub(crate) fn sys_close(&mut self, pid: Pid, fd: Fd) -> Result<Outcome, Errno> {
        let proc = self.procs.get_mut(&pid).ok_or(Errno::ESRCH)?;
        let of = proc.fds.remove(&fd).ok_or(Errno::EBADF)?;
        self.k.inode_mut(of.file).open_count -= 1;
        self.k.maybe_free_inode(of.file);
        Ok(Outcome::Done)
    }

    /// pwrite(2) of one page value at a page-aligned offset.
    pub(crate) fn sys_pwrite(&mut self, pid: Pid, fd: Fd, offset: u64, value: u64) -> Result<Outcome, Errno> {
        let of = self.fd(pid, fd)?;
        if !of.writable {
            return Err(Errno::EBADF);
        }
        if offset > MAX_FILE_SIZE - PAGE_SIZE {
            return Err(Errno::EFBIG);
        }
        if !offset.is_multiple_of(PAGE_SIZE) {
            return Err(Errno::EINVAL);
        }
        let nid = 0;
        let (pfn, _) = self.k.get_cache_page(of.file, offset / PAGE_SIZE, nid)?;
        self.k.frames.frame_mut(pfn).value = value;
        self.k.mark_dirty(pfn);
        if self.k.inode(of.file).is_shmem() {
            // shmem_get_folio(SGP_WRITE) marks the folio accessed; ext4's write path does not.
            self.k.mark_accessed(pfn);
        }
        let inode = self.k.inode_mut(of.file);
        inode.size = inode.size.max(offset + PAGE_SIZE);
        Ok(Outcome::Done)
    }

    /// pread(2) of one page value; at or past EOF it reads nothing and returns 0.
    pub(crate) fn sys_pread(&mut self, pid: Pid, fd: Fd, offset: u64) -> Result<Outcome, Errno> {
        let of = self.fd(pid, fd)?;
        if !of.readable {
            return Err(Errno::EBADF);
        }
        if offset > MAX_FILE_SIZE {
            return Err(Errno::EINVAL);
        }
        if !offset.is_multiple_of(PAGE_SIZE) {
            return Err(Errno::EINVAL);
        }
        let inode = self.k.inode(of.file);
        if offset >= inode.size {
            return Ok(Outcome::Value(0));
        }
        let index = offset / PAGE_SIZE;
        if inode.is_shmem() && !inode.cache.contains_key(&index) && !inode.swap.contains_key(&index) {
            // shmem_file_read_iter (SGP_READ) copies zeros from a hole without allocating.
            return Ok(Outcome::Value(0));
        }
        let shmem = inode.is_shmem();
        let (pfn, _) = self.k.get_cache_page(of.file, index, 0)?;
        if !shmem && self.k.frames.frame(pfn).flags.contains(PageFlags::READAHEAD) {
            // filemap_get_pages: a read of a marked page starts the next window.
            self.k.page_cache_async_ra(of.file, index, pfn, 1);
        }
        // shmem_file_read_iter marks a page it reads from its start accessed; filemap_read does
        // unless the read starts in the page the previous read of this file ended in.
        if shmem || of.ra_prev_page != Some(index) {
            self.k.mark_accessed(pfn);
        }
        if !shmem && let Some(of) = self.procs.get_mut(&pid).and_then(|p| p.fds.get_mut(&fd)) {
            of.ra_prev_page = Some(index);
        }
        Ok(Outcome::Value(self.k.frames.frame(pfn).value))
    }
}
