# THP reservations (the 2018 RFC "mm: thp: implement THP reservations for anonymous memory",
# opt-in with `promotion_threshold`; never merged, so the oracle skips this script). The first
# write fault in an eligible 2 MiB range reserves an aligned 512-page block (thp_res_alloc +1,
# MemFree -2 MiB at once) and maps only the faulting page; the 511 unused pages count in
# nr_thp_reserved and in MemAvailable. Later faults in the range take their own page from the
# block. khugepaged promotes the range in place once `promotion_threshold` pages are mapped
# (res_pages_collapsed +1, no thp_collapse_alloc: no new huge page, no copy); below the
# threshold it leaves it. RFC functions: khugepaged_reserve, khugepaged_get_reserved_page,
# khugepaged_promote.
machine thp=madvise promotion_threshold=256
p = spawn
a = mmap p 0x600000000000 4M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p a 4M hugepage
write p a 0x1
expect vmstat thp_res_alloc == 1
expect vmstat thp_fault_alloc == 0
expect vmstat nr_thp_reserved == 511
expect smaps p a Rss == 4 kB
expect smaps p a AnonHugePages == 0 kB
expect meminfo MemFree == 1046524 kB
expect meminfo MemAvailable == 1048568 kB
touch p a+1p 254p write
expect vmstat nr_thp_reserved == 257
khugepaged => 0
write p a+255p 0xff
expect vmstat nr_thp_reserved == 256
expect smaps p a Rss == 1024 kB
khugepaged => 1
expect vmstat res_pages_collapsed == 1
expect vmstat thp_collapse_alloc == 0
expect vmstat nr_thp_reserved == 0
expect smaps p a Rss == 2048 kB
expect smaps p a AnonHugePages == 2048 kB
expect meminfo MemFree == 1046524 kB
expect kpageflags p a COMPOUND_HEAD == 1
read p a => 0x1
read p a+255p => 0xff
read p a+300p => 0
expect invariants violations == 0
exit p
expect meminfo MemFree == 1048576 kB
expect vmstat nr_thp_reserved == 0
expect invariants violations == 0
