# pread of a shmem hole copies zeros without allocating a page (so a later read fault's
# fault-around finds nothing to map there), and fallocate over shmem pages that already exist
# marks them dirty as well: a clean page read-faulted into a shared mapping becomes
# Private_Dirty.
# Linux code: mm/shmem.c shmem_file_read_iter (SGP_READ: a hole reads ZERO_PAGE, no folio),
# shmem_fallocate (folio_mark_dirty on every folio of the range), mm/filemap.c filemap_map_pages.
# Found by the kernel oracle (random scripts of seed 1..100) and checked on the live kernel
# (Linux 6.18.44) with it (mmlab oracle).
p = spawn
fd = memfd_create p m64
ftruncate p fd 8p
pread p fd 3p => 0
expect meminfo Shmem == 0 kB
m = mmap p 0 6p r shared fd=fd
read p m+5p => 0
expect smaps p m Rss == 4 kB
expect meminfo Shmem == 4 kB
s = mmap p 0 4p r shared fd=fd
read p s+1p => 0
expect smaps p s Private_Clean == 4 kB
fallocate p fd 0 0 4p
expect smaps p s Private_Clean == 0 kB
expect smaps p s Private_Dirty == 4 kB
exit p
expect invariants violations == 0
