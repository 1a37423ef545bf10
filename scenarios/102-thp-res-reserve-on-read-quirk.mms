# THP reservations with the quirk `thp_reserve_on_read_fault`: the RFC as posted reserved at every
# anonymous fault on an empty PMD, the zero-page read included (a known issue in its cover
# letter). The block is reserved with nothing mapped (nr_thp_reserved 512, Rss 0); the write
# after takes its page.
machine thp=madvise promotion_threshold=64 quirks=thp_reserve_on_read_fault
p = spawn
a = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p a 2M hugepage
read p a+5p => 0
expect vmstat thp_res_alloc == 1
expect vmstat nr_thp_reserved == 512
expect smaps p a Rss == 0 kB
expect meminfo MemFree == 1046524 kB
expect meminfo MemAvailable == 1048572 kB
write p a+5p 0x55
expect vmstat nr_thp_reserved == 511
expect smaps p a Rss == 4 kB
expect invariants violations == 0
exit p
expect vmstat nr_thp_reserved == 0
expect meminfo MemFree == 1048576 kB
