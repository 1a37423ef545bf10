# Page-cache syscalls and unmapping mark pages accessed the kernel's way: pread marks the page it
# reads (shmem and ext4), pwrite marks a shmem page (shmem_get_folio with SGP_WRITE) but not an
# ext4 one, and zapping a young PTE of a file or shmem page (munmap, exit) marks the page, which
# activates a page already referenced. A fallocated shmem page is not uptodate until first used,
# so fault-around does not map it: a read fault maps only the faulting page.
# Linux code: mm/filemap.c filemap_read, mm/shmem.c shmem_file_read_iter, shmem_get_folio_gfp
# (SGP_WRITE, SGP_FALLOC leaves !uptodate), mm/memory.c zap_present_folio_ptes (young and
# vma_has_recency -> folio_mark_accessed), filemap_map_pages (skips !uptodate folios).
# Found by the kernel oracle (scenarios 09, 12, 15, 30, 44) and checked on the live kernel
# (Linux 6.18.44) with it (mmlab oracle).
p = spawn
fd = memfd_create p m62
ftruncate p fd 4p
pwrite p fd 0 0x11
s = mmap p 0 4p rw shared fd=fd
read p s => 0x11
expect kpageflags p s REFERENCED == 1
expect kpageflags p s ACTIVE == 0
pwrite p fd 0 0x12
expect kpageflags p s REFERENCED == 0
expect kpageflags p s ACTIVE == 1
pread p fd 0 => 0x12
expect kpageflags p s REFERENCED == 1
expect kpageflags p s ACTIVE == 1
f = open p /data/f62 rdwr,creat
pwrite p f 0 0x21
m = mmap p 0 1p r shared fd=f
read p m => 0x21
expect kpageflags p m REFERENCED == 0
pread p f 0 => 0x21
expect kpageflags p m REFERENCED == 1
t = mmap p 0 1p rw shared fd=f
write p t 0x22
munmap p t 1p
expect kpageflags p m REFERENCED == 0
expect kpageflags p m ACTIVE == 1
g = memfd_create p g62
fallocate p g 0 0 4p
u = mmap p 0 4p r shared fd=g
read p u+1p => 0
expect smaps p u Rss == 4 kB
expect kpageflags p u+1p UPTODATE == 1
exit p
expect invariants violations == 0
