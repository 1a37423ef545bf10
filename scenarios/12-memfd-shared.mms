# A memfd mapped MAP_SHARED: written pages are shmem page cache pages, counted in Rss/Pss (not
# Anonymous), smaps_rollup Pss_Shmem, status RssShmem, meminfo Shmem; pagemap file=1; VmFlags sh.
# pread/pwrite and the mapping see the same pages. A second shared mapping halves Pss of the common
# pages (Shared_Dirty); Pss_Shmem still sums to 256 kB. The object lives on after close() while
# mapped and is freed by the last munmap.
# Linux code: mm/memfd.c memfd_create, mm/shmem.c shmem_fault/shmem_get_folio_gfp/shmem_file_read_iter,
# mm/memory.c do_shared_fault, fs/proc/task_mmu.c smaps_account (pss_shmem), mm/shmem.c shmem_evict_inode.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/memfd.c (section "12"), including
# meminfo Shmem deltas taken after /proc/sys/vm/stat_refresh on a quiet VM (machine-relative here,
# derived from source: NR_SHMEM +1 per page added to the shmem page cache, -1 when freed).
# The second mapping is read-faulted on all 16 pages, so Linux fault-around maps the same 16.
p = spawn
fd = memfd_create p m12
ftruncate p fd 64p
s = mmap p 0 64p rw shared fd=fd
expect smaps p s Size == 256 kB
expect smaps p s Rss == 0 kB
touch p s 64p write
expect smaps p s Rss == 256 kB
expect smaps p s Pss == 256 kB
expect smaps p s Private_Dirty == 256 kB
expect smaps p s Anonymous == 0 kB
expect smaps p s VmFlags has sh
expect smaps_rollup p Pss_Shmem == 256 kB
expect status p RssShmem == 256 kB
expect status p RssAnon == 0 kB
expect pagemap p s file == 1
expect pagemap p s exclusive == 1
expect kpagecount p s count == 1
expect kpageflags p s ANON == 0
expect kpageflags p s SWAPBACKED == 1
expect kpageflags p s DIRTY == 1
expect meminfo Shmem == 256 kB
write p s 0x41
pread p fd 0 => 0x41
pwrite p fd 1p 0x42
read p s+1p => 0x42
s2 = mmap p 0 16p r shared fd=fd
touch p s2 16p read
expect smaps p s2 Rss == 64 kB
expect smaps p s2 Pss == 32 kB
expect smaps p s2 Shared_Dirty == 64 kB
expect smaps p s Pss == 224 kB
expect smaps p s Shared_Dirty == 64 kB
expect smaps p s Private_Dirty == 192 kB
expect smaps_rollup p Pss_Shmem == 256 kB
expect status p RssShmem == 320 kB
expect kpagecount p s count == 2
close p fd
expect meminfo Shmem == 256 kB
read p s+1p => 0x42
munmap p s 64p
expect meminfo Shmem == 256 kB
munmap p s2 16p
expect meminfo Shmem == 0 kB
exit p
expect invariants violations == 0
