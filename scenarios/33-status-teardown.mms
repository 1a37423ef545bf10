# /proc/PID/status memory lines for a process with one of each kind of mapping: VmSize counts every
# VMA (PROT_NONE reservations included), RssAnon/RssFile/RssShmem count the resident pages by kind
# (MM_ANONPAGES/MM_FILEPAGES/MM_SHMEMPAGES) and VmRSS is their sum; smaps_rollup splits Pss the same
# way. A fork child gets the same VmSize and the anon pages, but no PTEs of the shared file/shmem
# mappings. Teardown: after every process exits (closing its fds) nothing is left: AnonPages 0,
# Shmem 0 (the memfd is freed), no invariant violations.
# Linux code: fs/proc/task_mmu.c task_mem, include/linux/mm.h mm_counter/get_mm_counter,
# kernel/fork.c dup_mmap (vm_stat_account, copy_page_range only with anon_vma), kernel/exit.c,
# mm/shmem.c shmem_evict_inode.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/anon.c (section "33"): status
# deltas VmSize +136, VmRSS +44, RssAnon +24, RssFile +8, RssShmem +12; child minus parent: VmSize 0,
# RssAnon 0, no file/shmem PTEs (child e and g Rss 0). smaps_rollup and meminfo values are derived
# (the model process has only these VMAs; fresh machine starts at 0).
p = spawn
rd = mmap p 0 18p none private,anonymous
d = mmap p rd+1p 16p rw private,fixed,anonymous => rd+1p
fd = memfd_create p s33
ftruncate p fd 8p
re = mmap p 0 10p none private,anonymous
e = mmap p re+1p 8p rw shared,fixed fd=fd => re+1p
ff = open p /tmp/s33.dat rdwr,creat
ftruncate p ff 4p
rg = mmap p 0 6p none private,anonymous
g = mmap p rg+1p 4p rw shared,fixed fd=ff => rg+1p
touch p d 6p write
touch p e 3p write
touch p g 2p write
expect status p VmSize == 136 kB
expect status p VmRSS == 44 kB
expect status p RssAnon == 24 kB
expect status p RssFile == 8 kB
expect status p RssShmem == 12 kB
expect smaps_rollup p Rss == 44 kB
expect smaps_rollup p Pss_Anon == 24 kB
expect smaps_rollup p Pss_File == 8 kB
expect smaps_rollup p Pss_Shmem == 12 kB
expect meminfo AnonPages == 24 kB
expect meminfo Shmem == 12 kB
c = fork p
expect status c VmSize == 136 kB
expect status c RssAnon == 24 kB
expect status c RssFile == 0 kB
expect status c RssShmem == 0 kB
expect smaps c d Pss == 12 kB
expect smaps c e Rss == 0 kB
expect smaps c g Rss == 0 kB
exit p
expect smaps c d Pss == 24 kB
expect meminfo Shmem == 12 kB
exit c
expect meminfo AnonPages == 0 kB
expect meminfo Shmem == 0 kB
expect invariants violations == 0
