# khugepaged collapses a range only while no more than max_ptes_shared of its pages are mapped
# by more than one process (Linux default 256; past it thp_scan_exceed_share_pte counts): after
# fork every page is shared, and each write in the child makes one page exclusive again in
# both (mm/khugepaged.c hpage_collapse_scan_pmd: folio_maybe_mapped_shared,
# SCAN_EXCEED_SHARED_PTE). Read-only (write-protected) PTEs do not stop a collapse since 6.18.
# The parent is scanned first (pid order); its collapse leaves the child's pages exclusive.
# MADV_COLLAPSE ignores the limit. The live kernel cannot run a khugepaged scan on demand.
machine thp=madvise
p = spawn
a = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
touch p a 2M write
write p a+7p 0x77
madvise p a 2M hugepage
c = fork p
expect smaps p a Pss == 1024 kB
# 512 shared pages in each process.
khugepaged => 0
expect vmstat thp_scan_exceed_share_pte == 2
# 255 COWs in the child: 257 pages still shared, one too many.
touch c a+1p 255p write
khugepaged => 0
expect vmstat thp_scan_exceed_share_pte == 4
expect vmstat thp_collapse_alloc == 0
# One more: 256 shared, within the limit, in both processes.
touch c a+256p 1p write
khugepaged => 2
expect vmstat thp_scan_exceed_share_pte == 4
expect vmstat thp_collapse_alloc == 2
expect smaps p a AnonHugePages == 2048 kB
expect smaps c a AnonHugePages == 2048 kB
expect smaps p a Pss == 2048 kB
expect smaps c a Pss == 2048 kB
expect meminfo AnonHugePages == 4096 kB
expect meminfo AnonPages == 4096 kB
read p a+7p => 0x77
read c a+7p => 0x77
exit c
munmap p a 2M
# MADV_COLLAPSE takes a range whose pages are all shared.
b = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
touch p b 2M write
d = fork p
madvise p b 2M collapse
expect vmstat thp_scan_exceed_share_pte == 4
expect vmstat thp_collapse_alloc == 3
expect smaps p b AnonHugePages == 2048 kB
expect smaps d b Rss == 2048 kB
expect smaps d b Pss == 2048 kB
expect smaps d b AnonHugePages == 0 kB
exit d
exit p
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
