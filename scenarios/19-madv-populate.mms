# MADV_POPULATE_READ faults a range in as reads (private anon: zero page, Rss 0); POPULATE_WRITE as
# writes (Rss full, each zero-page PTE takes a COW fault); a second POPULATE_WRITE faults nothing.
# POPULATE_WRITE on a PROT_READ mapping and either advice on PROT_NONE -> EINVAL; a range with a hole
# -> ENOMEM after populating the mapped part. On shmem both allocate page cache pages
# (POPULATE_READ: clean, POPULATE_WRITE: dirty).
# Linux code: mm/madvise.c madvise_populate -> mm/gup.c faultin_page_range (FOLL_WRITE for WRITE),
# check_vma_flags (-EFAULT mapped to EINVAL for bad permissions), mm/memory.c handle_mm_fault.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/madvise.c (section "19"): errnos,
# smaps, pagemap, and the process's minflt (64, 64, 0, 4), which is what vmstat pgfault adds here
# (machine-relative, derived from source: GUP faults go through handle_mm_fault -> PGFAULT).
p = spawn
r = mmap p 0 66p none private,anonymous
b = mmap p r+1p 64p rw private,fixed,anonymous => r+1p
madvise p b 64p populate_read
expect vmstat pgfault == 64
expect smaps p b Rss == 0 kB
expect pagemap p b+63p present == 1
expect kpageflags p b ZERO_PAGE == 1
madvise p b 64p populate_write
expect vmstat pgfault == 128
expect smaps p b Rss == 256 kB
expect smaps p b Private_Dirty == 256 kB
expect meminfo AnonPages == 256 kB
madvise p b 64p populate_write
expect vmstat pgfault == 128
ro = mmap p 0 16p r private,anonymous
madvise p ro 16p populate_write => EINVAL
madvise p ro 16p populate_read
expect smaps p ro Rss == 0 kB
pn = mmap p 0 4p none private,anonymous
madvise p pn 4p populate_read => EINVAL
madvise p pn 4p populate_write => EINVAL
h = mmap p 0 8p rw private,anonymous
munmap p h+4p 4p
madvise p h 8p populate_write => ENOMEM
expect smaps p h Rss == 16 kB
fd = memfd_create p m19
ftruncate p fd 16p
s = mmap p 0 16p rw shared fd=fd
madvise p s 8p populate_read
expect smaps p s Rss == 32 kB
expect smaps p s Private_Clean == 32 kB
expect meminfo Shmem == 32 kB
madvise p s+8p 8p populate_write
expect smaps p s Rss == 64 kB
expect smaps p s Private_Dirty == 32 kB
expect meminfo Shmem == 64 kB
close p fd
exit p
expect meminfo AnonPages == 0 kB
expect meminfo Shmem == 0 kB
expect invariants violations == 0
