# MADV_DONTNEED zaps a range: private anonymous pages are freed (Rss/AnonPages drop) and read back
# as 0 through the zero page; shmem pages are only unmapped (they stay in the file: Shmem unchanged)
# and read back with their old value. Unaligned start -> EINVAL; len 0 -> 0; a range ending in a hole
# -> ENOMEM after zapping the mapped part.
# Linux code: mm/madvise.c madvise_dontneed_single_vma -> zap_page_range_single, madvise_walk_vmas
# (unmapped_error = -ENOMEM), mm/memory.c zap_pte_range, do_anonymous_page (zero page on re-read).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/madvise.c (section "17"): smaps,
# pagemap, values, errnos, st_blocks of the memfd unchanged. meminfo AnonPages/Shmem are
# machine-relative, derived from source. Rss of the shmem mapping is not asserted after the re-read:
# Linux fault-around maps the 7 other cached pages too (Rss 64 live), the model maps one.
p = spawn
r = mmap p 0 18p none private,anonymous
a = mmap p r+1p 16p rw private,fixed,anonymous => r+1p
touch p a 16p write
write p a 0x41
write p a+8p 0x48
expect meminfo AnonPages == 64 kB
madvise p a 8p dontneed
expect smaps p a Rss == 32 kB
expect smaps p a Private_Dirty == 32 kB
expect status p RssAnon == 32 kB
expect meminfo AnonPages == 32 kB
expect pagemap p a present == 0
read p a => 0
expect smaps p a Rss == 32 kB
expect kpageflags p a ZERO_PAGE == 1
read p a+8p => 0x48
madvise p a+1 1p dontneed => EINVAL
madvise p a 0 dontneed
munmap p a+15p 1p
madvise p a+8p 8p dontneed => ENOMEM
expect smaps p a Rss == 0 kB
expect meminfo AnonPages == 0 kB
read p a+8p => 0
fd = memfd_create p m17
ftruncate p fd 16p
s = mmap p 0 16p rw shared fd=fd
touch p s 16p write
write p s 0x53
madvise p s 8p dontneed
expect smaps p s Rss == 32 kB
expect status p RssShmem == 32 kB
expect meminfo Shmem == 64 kB
expect pagemap p s present == 0
read p s => 0x53
expect meminfo Shmem == 64 kB
close p fd
exit p
expect meminfo Shmem == 0 kB
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
