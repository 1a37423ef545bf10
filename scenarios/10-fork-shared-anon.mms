# fork of a MAP_SHARED|MAP_ANONYMOUS mapping: the pages are shmem (RssShmem, Pss_Shmem, pagemap
# file=1, kpageflags SWAPBACKED but not ANON). fork does not copy the PTEs of a shared VMA, so the
# child starts with RssShmem 0 and faults the same pages back in; a write by either side is seen by
# the other. A child write to a hole allocates a new shmem page for both.
# Linux code: mm/shmem.c shmem_zero_setup/shmem_fault, mm/memory.c copy_page_range (vma_needs_copy
# is false: no anon_vma), do_shared_fault, fs/proc/task_mmu.c smaps_account (pss_shmem).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/fork.c (section "10").
# The child only writes (a shared read fault would fault-around up to 16 cached neighbours on
# Linux; the model has no fault-around). The parent's read of page 10 maps only page 10 on Linux
# too (its other cached neighbours are already mapped), so Rss 36 holds in both.
# meminfo Shmem is machine-relative, derived from source (mm/shmem.c shmem_add_to_page_cache ->
# NR_SHMEM +1 per allocated page; freed when the last mapping of the object goes away).
p = spawn
r = mmap p 0 18p none private,anonymous
s = mmap p r+1p 16p rw shared,fixed,anonymous => r+1p
touch p s 8p write
write p s 0x41
expect smaps p s Rss == 32 kB
expect smaps p s Pss == 32 kB
expect smaps p s Private_Dirty == 32 kB
expect smaps p s Anonymous == 0 kB
expect smaps_rollup p Pss_Shmem == 32 kB
expect status p RssShmem == 32 kB
expect status p RssAnon == 0 kB
expect pagemap p s file == 1
expect pagemap p s exclusive == 1
expect kpageflags p s ANON == 0
expect kpageflags p s SWAPBACKED == 1
expect meminfo Shmem == 32 kB
c = fork p
expect status c RssShmem == 0 kB
expect smaps c s Rss == 0 kB
expect pagemap c s present == 0
write c s+1p 0x62
read p s+1p => 0x62
expect status c RssShmem == 4 kB
expect smaps c s Pss == 2 kB
expect smaps c s Shared_Dirty == 4 kB
expect smaps_rollup c Pss_Shmem == 2 kB
expect smaps p s Pss == 30 kB
expect smaps p s Shared_Dirty == 4 kB
expect smaps p s Private_Dirty == 28 kB
expect kpagecount p s+1p count == 2
expect pagemap p s+1p exclusive == 0
write c s+10p 0x6a
expect meminfo Shmem == 36 kB
read p s+10p => 0x6a
expect smaps p s Rss == 36 kB
expect smaps p s Pss == 32 kB
expect smaps c s Pss == 4 kB
exit c
expect smaps p s Pss == 36 kB
expect meminfo AnonPages == 0 kB
exit p
expect meminfo Shmem == 0 kB
expect invariants violations == 0
