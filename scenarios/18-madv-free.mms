# MADV_FREE on private anonymous pages: without memory pressure nothing is freed (Rss and AnonPages
# stay, data stays readable) but the pages become clean at once (Private_Dirty -> Private_Clean),
# so reclaim could discard them; a new write dirties a page again. MADV_FREE is only for private
# anonymous VMAs: EINVAL on a shared memfd, a private memfd mapping and MAP_SHARED|MAP_ANONYMOUS;
# EINVAL too for an unaligned start or an unknown advice value.
# Linux code: mm/madvise.c madvise_free_single_vma (!vma_is_anonymous -> EINVAL),
# madvise_free_pte_range (clear pte dirty, folio_clear_dirty, folio_mark_lazyfree), madvise_behavior_valid.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/madvise.c (section "18").
# LazyFree and kpageflags SWAPBACKED are not asserted: on Linux they follow the per-CPU lazyfree
# batch (n - n mod 31 until a drain, kernel-oracle.md §2.8). AnonPages is machine-relative, derived
# from source (lazyfree pages stay mapped and counted until reclaim, which never runs here).
p = spawn
r = mmap p 0 18p none private,anonymous
f = mmap p r+1p 16p rw private,fixed,anonymous => r+1p
touch p f 16p write
write p f 0x46
expect smaps p f Private_Dirty == 64 kB
madvise p f 16p free
expect smaps p f Rss == 64 kB
expect smaps p f Anonymous == 64 kB
expect smaps p f Private_Clean == 64 kB
expect smaps p f Private_Dirty == 0 kB
expect pagemap p f present == 1
expect meminfo AnonPages == 64 kB
read p f => 0x46
write p f+1p 0x47
expect smaps p f Private_Dirty == 4 kB
expect smaps p f Private_Clean == 60 kB
fd = memfd_create p m18
ftruncate p fd 4p
s = mmap p 0 4p rw shared fd=fd
madvise p s 4p free => EINVAL
m = mmap p 0 4p rw private fd=fd
madvise p m 4p free => EINVAL
sa = mmap p 0 4p rw shared,anonymous
madvise p sa 4p free => EINVAL
madvise p f+8 1p free => EINVAL
madvise p f 1p 99 => EINVAL
close p fd
exit p
expect meminfo AnonPages == 0 kB
expect meminfo Shmem == 0 kB
expect invariants violations == 0
