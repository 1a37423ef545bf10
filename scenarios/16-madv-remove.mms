# MADV_REMOVE frees the backing store of a range of a shared shmem mapping (a hole punch through the
# mapping): Rss and Shmem drop, the range reads back as 0 (allocating a new page). It needs a
# VM_SHARED|VM_MAYWRITE VMA: on a MAP_PRIVATE memfd mapping it fails with EACCES, on private anonymous
# memory with EINVAL. A PROT_READ MAP_SHARED mapping of an O_RDWR memfd is VM_MAYWRITE, so it works
# (and removes the pages from the other mapping too). MAP_SHARED|MAP_ANONYMOUS works as well.
# Linux code: mm/madvise.c madvise_remove (vma_is_shared_maywrite, VM_LOCKED/anon checks) ->
# vfs_fallocate(PUNCH_HOLE|KEEP_SIZE) -> mm/shmem.c shmem_fallocate.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/memfd.c (section "16"): errnos,
# smaps, values; meminfo Shmem machine-relative, derived from source and matching the stat_refresh'd
# deltas (192, 196, 180, +16 then -16).
p = spawn
fd = memfd_create p m16
ftruncate p fd 64p
s = mmap p 0 64p rw shared fd=fd
touch p s 64p write
write p s+40p 0x28
madvise p s+16p 16p remove
expect smaps p s Rss == 192 kB
expect status p RssShmem == 192 kB
expect meminfo Shmem == 192 kB
expect pagemap p s+16p present == 0
read p s+16p => 0
read p s+40p => 0x28
expect meminfo Shmem == 196 kB
m = mmap p 0 16p rw private fd=fd
madvise p m 16p remove => EACCES
sr = mmap p 0 4p r shared fd=fd
madvise p sr 4p remove
expect smaps p s Rss == 180 kB
expect meminfo Shmem == 180 kB
a = mmap p 0 16p rw private,anonymous
madvise p a 16p remove => EINVAL
sa = mmap p 0 16p rw shared,anonymous
touch p sa 4p write
expect meminfo Shmem == 196 kB
madvise p sa 16p remove
expect smaps p sa Rss == 0 kB
expect meminfo Shmem == 180 kB
close p fd
exit p
expect meminfo Shmem == 0 kB
expect invariants violations == 0
