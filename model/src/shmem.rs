//! memfd and shmem files, truncation and hole punching (mm/memfd.c `memfd_create`, mm/shmem.c
//! `shmem_fallocate`, `shmem_setattr`, `shmem_undo_range`; mm/truncate.c `truncate_pagecache`,
//! `truncate_inode_pages_range`; fs/open.c `do_sys_ftruncate`, `vfs_fallocate`).
//!
//! Truncation unmaps with `even_cows` (private COW copies of the cut range go too); a hole punch
//! does not (they survive with their data).

use crate::errno::Errno;
use crate::filemap::{FileKind, MAX_FILE_SIZE};
use crate::machine::Machine;
use crate::mm_types::{FileId, OpenFile};
use crate::ops::{FallocMode, Fd, MemfdFlags, Op, OpResult, Outcome, PAGE_SIZE, Pid};
use crate::page_alloc::{PageFlags, Pfn};

/// The cut of a truncation or hole punch in flight (see [`Machine::truncation_range`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Truncation {
    pub file: FileId,
    pub first: u64,
    pub last: u64,
    pub even_cows: bool,
}

/// `MFD_NAME_MAX_LEN`: NAME_MAX minus the "memfd:" prefix.
const MFD_NAME_MAX_LEN: usize = 255 - 6;

impl Machine {
    /// memfd_create(2).
    pub(crate) fn sys_memfd_create(&mut self, pid: Pid, name: &str, flags: MemfdFlags) -> OpResult {
        self.proc(pid)?;
        let all = MemfdFlags::CLOEXEC
            | MemfdFlags::ALLOW_SEALING
            | MemfdFlags::HUGETLB
            | MemfdFlags::NOEXEC_SEAL
            | MemfdFlags::EXEC;
        if !(flags - all).is_empty() {
            return Err(Errno::EINVAL);
        }
        if flags.contains(MemfdFlags::EXEC | MemfdFlags::NOEXEC_SEAL) {
            return Err(Errno::EINVAL);
        }
        if flags.contains(MemfdFlags::HUGETLB) {
            // No hugetlbfs is modeled.
            return Err(Errno::EINVAL);
        }
        if name.len() > MFD_NAME_MAX_LEN || name.contains('\0') {
            return Err(Errno::EINVAL);
        }
        let file = self.k.new_inode(FileKind::Memfd { name: name.to_string() }, 0);
        match self.install_fd(pid, OpenFile { file, readable: true, writable: true, ra_prev_page: None }) {
            Ok(fd) => Ok(Outcome::Fd(fd)),
            Err(e) => {
                self.k.maybe_free_inode(file);
                Err(e)
            }
        }
    }

    /// ftruncate(2).
    pub(crate) fn sys_ftruncate(&mut self, pid: Pid, fd: Fd, len: u64) -> OpResult {
        if len > MAX_FILE_SIZE {
            return Err(Errno::EINVAL);
        }
        let of = self.fd(pid, fd)?;
        if !of.writable {
            return Err(Errno::EINVAL);
        }
        self.truncate_inode(of.file, len);
        Ok(Outcome::Done)
    }

    /// fallocate(2) on shmem and regular files.
    pub(crate) fn sys_fallocate(&mut self, pid: Pid, fd: Fd, mode: FallocMode, offset: u64, len: u64) -> OpResult {
        let of = self.fd(pid, fd)?;
        if offset > MAX_FILE_SIZE || len == 0 || len > MAX_FILE_SIZE {
            return Err(Errno::EINVAL);
        }
        let supported = FallocMode::KEEP_SIZE
            | FallocMode::PUNCH_HOLE
            | FallocMode::COLLAPSE_RANGE
            | FallocMode::ZERO_RANGE
            | FallocMode::INSERT_RANGE
            | FallocMode::UNSHARE_RANGE;
        if !(mode - supported).is_empty() {
            return Err(Errno::EOPNOTSUPP);
        }
        let punch = mode.contains(FallocMode::PUNCH_HOLE);
        if punch && !mode.contains(FallocMode::KEEP_SIZE) {
            return Err(Errno::EOPNOTSUPP);
        }
        if !of.writable {
            return Err(Errno::EBADF);
        }
        let end = offset.checked_add(len).filter(|e| *e <= MAX_FILE_SIZE).ok_or(Errno::EFBIG)?;
        if !(mode - (FallocMode::KEEP_SIZE | FallocMode::PUNCH_HOLE)).is_empty() {
            // shmem_fallocate supports only these two; the model's regular files follow it.
            return Err(Errno::EOPNOTSUPP);
        }
        if punch {
            self.punch_hole(of.file, offset, len);
            return Ok(Outcome::Done);
        }
        self.preallocate(of.file, offset, end, mode.contains(FallocMode::KEEP_SIZE))?;
        Ok(Outcome::Done)
    }

    /// fallocate mode 0 / KEEP_SIZE: shmem pages are allocated into the page cache (regular
    /// files only reserve blocks); the size grows unless KEEP_SIZE.
    fn preallocate(&mut self, file: FileId, offset: u64, end: u64, keep_size: bool) -> Result<(), Errno> {
        if self.k.inode(file).is_shmem() {
            for index in offset / PAGE_SIZE..end.div_ceil(PAGE_SIZE) {
                let inode = self.k.inode(file);
                let new = !inode.cache.contains_key(&index) && !inode.swap.contains_key(&index);
                let (pfn, _) = self.k.get_cache_page(file, index, 0)?;
                // "mark it dirty so that memory pressure will swap rather than free" the pages
                // (existing ones too); SGP_FALLOC leaves new ones !uptodate until first use.
                self.k.mark_dirty(pfn);
                if new {
                    self.k.frames.frame_mut(pfn).flags -= PageFlags::UPTODATE;
                }
            }
        }
        let inode = self.k.inode_mut(file);
        if !keep_size && end > inode.size {
            inode.size = end;
        }
        Ok(())
    }

    /// `shmem_fallocate(PUNCH_HOLE)`: unmap whole pages without COWs, then drop them from the
    /// page cache (and the disk, for regular files). Partial pages at the edges keep their value.
    pub(crate) fn punch_hole(&mut self, file: FileId, offset: u64, len: u64) {
        let end = offset.saturating_add(len);
        let first = offset.div_ceil(PAGE_SIZE);
        let last = end / PAGE_SIZE;
        if first >= last {
            return;
        }
        self.unmap_mapping_range(file, first, last, false);
        self.remove_cache_range(file, first, last);
    }

    /// `truncate_setsize` + `truncate_pagecache`: shrinking unmaps and frees everything past
    /// the new end, private COW copies included.
    pub(crate) fn truncate_inode(&mut self, file: FileId, size: u64) {
        let old = self.k.inode(file).size;
        self.k.inode_mut(file).size = size;
        if size >= old {
            return;
        }
        let first = size.div_ceil(PAGE_SIZE);
        self.unmap_mapping_range(file, first, u64::MAX, true);
        self.remove_cache_range(file, first, u64::MAX);
    }

    /// What a truncation or hole punch cuts: the page indices `[first, last)` of `file`, and
    /// whether private COW copies go too. Checks the syscall's arguments and sets the new size
    /// (`truncate_setsize`); `None` when nothing is cut (growing, or a punch inside one page).
    pub(crate) fn truncation_range(&mut self, op: &Op) -> Result<Option<Truncation>, Errno> {
        match *op {
            Op::Ftruncate { pid, fd, len } => {
                if len > MAX_FILE_SIZE {
                    return Err(Errno::EINVAL);
                }
                let of = self.fd(pid, fd)?;
                if !of.writable {
                    return Err(Errno::EINVAL);
                }
                let old = self.k.inode(of.file).size;
                self.k.inode_mut(of.file).size = len;
                let first = len.div_ceil(PAGE_SIZE);
                Ok((len < old).then_some(Truncation { file: of.file, first, last: u64::MAX, even_cows: true }))
            }
            Op::Fallocate { pid, fd, mode, offset, len } if mode == FallocMode::PUNCH_HOLE | FallocMode::KEEP_SIZE => {
                let of = self.fd(pid, fd)?;
                if offset > MAX_FILE_SIZE || len == 0 || len > MAX_FILE_SIZE {
                    return Err(Errno::EINVAL);
                }
                if !of.writable {
                    return Err(Errno::EBADF);
                }
                offset.checked_add(len).filter(|e| *e <= MAX_FILE_SIZE).ok_or(Errno::EFBIG)?;
                let (first, last) = (offset.div_ceil(PAGE_SIZE), (offset + len) / PAGE_SIZE);
                Ok((first < last).then_some(Truncation { file: of.file, first, last, even_cows: false }))
            }
            _ => Err(Errno::EINVAL),
        }
    }

    /// The locked pass of `truncate_inode_pages_range` for the first cached page at or after
    /// index `from` in the cut: unmapped again if something mapped it since the unmap pass
    /// (`truncate_cleanup_folio` → `unmap_mapping_folio`), then dropped. Returns its index, or
    /// `None` when no cached page is left in the cut.
    pub(crate) fn truncate_next_page(&mut self, t: &Truncation, from: u64) -> Option<u64> {
        let index = self.next_cached_index(t, from)?;
        let pfn = self.k.inode(t.file).cache[&index];
        if self.k.frames.frame(pfn).mapcount > 0 {
            self.unmap_mapping_range(t.file, index, index + 1, false);
        }
        self.k.remove_cache_page(t.file, index, true);
        Some(index)
    }

    /// The first cached page index at or after `from` inside the cut.
    pub(crate) fn next_cached_index(&self, t: &Truncation, from: u64) -> Option<u64> {
        // The file may be gone (its last opener and mapper exited meanwhile).
        let inode = self.k.files.get(&t.file)?;
        inode.cache.range(from.max(t.first)..t.last.max(from)).next().map(|(&i, _)| i)
    }

    /// The end of the locked pass: the cut's disk blocks and shmem swap entries go.
    pub(crate) fn truncate_finish(&mut self, t: &Truncation) {
        let Some(inode) = self.k.files.get_mut(&t.file) else { return };
        let on_disk: Vec<u64> = inode.disk.range(t.first..t.last).map(|(&i, _)| i).collect();
        for i in on_disk {
            inode.disk.remove(&i);
        }
        self.k.free_shmem_swap(t.file, t.first, t.last);
    }

    /// `truncate_inode_pages_range` over page indices `[first, last)`.
    fn remove_cache_range(&mut self, file: FileId, first: u64, last: u64) {
        let inode = self.k.inode_mut(file);
        let indices: Vec<u64> = inode.cache.range(first..last).map(|(&i, _)| i).collect();
        let on_disk: Vec<u64> = inode.disk.range(first..last).map(|(&i, _)| i).collect();
        for i in on_disk {
            inode.disk.remove(&i);
        }
        // Applied atomically, nothing can map a page again between the unmap pass and this one,
        // so the per-folio re-unmap (`unmap_mapping_folio`) has nothing left to do.
        for index in indices {
            self.k.remove_cache_page(file, index, true);
        }
        self.k.free_shmem_swap(file, first, last);
    }

    /// `shmem_writeout` for an unmapped shmem page: a dirty page moves to a swap slot and its
    /// index keeps the swap entry; a clean one (never written: zero) is just dropped. Without
    /// swap room the page is activated. Returns whether it was freed.
    pub(crate) fn shmem_writeout(&mut self, pfn: Pfn) -> bool {
        let f = *self.k.frames.frame(pfn);
        if !f.flags.contains(PageFlags::DIRTY) {
            self.k.remove_cache_page(f.owner, f.index, true);
            return true;
        }
        let Some(slot) = self.k.swap_shmem_alloc(f.value) else { return self.activate(pfn) };
        self.k.inode_mut(f.owner).swap.insert(f.index, slot);
        self.k.frames.frame_mut(pfn).flags -= PageFlags::DIRTY;
        self.k.remove_cache_page(f.owner, f.index, true);
        true
    }
}
