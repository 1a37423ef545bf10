# THP reservations, Mel Gorman's review of the RFC (the model's default): a read fault maps the
# 4 kB zero page and reserves nothing (with reservations on, no huge zero page either: the RFC
# never takes the THP fault path above threshold 1). The first write reserves the block (the
# zero-page COW takes its page from it); a read elsewhere in the range changes nothing, a write
# there takes the next page.
machine thp=madvise promotion_threshold=64
p = spawn
a = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p a 2M hugepage
read p a+5p => 0
expect vmstat thp_res_alloc == 0
expect vmstat nr_thp_reserved == 0
expect vmstat thp_zero_page_alloc == 0
expect smaps p a Rss == 0 kB
expect pagemap p a+5p present == 1
expect kpageflags p a+5p ZERO_PAGE == 1
write p a+5p 0x55
expect vmstat thp_res_alloc == 1
expect vmstat nr_thp_reserved == 511
expect smaps p a Rss == 4 kB
expect meminfo MemFree == 1046524 kB
expect meminfo MemAvailable == 1048568 kB
read p a+6p => 0
expect vmstat nr_thp_reserved == 511
write p a+6p 0x66
expect vmstat nr_thp_reserved == 510
expect vmstat thp_res_alloc == 1
expect invariants violations == 0
exit p
expect vmstat nr_thp_reserved == 0
expect meminfo MemFree == 1048576 kB
expect invariants violations == 0
