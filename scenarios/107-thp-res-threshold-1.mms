# promotion_threshold=1 is plain THP, as the RFC defines it: the write fault maps a PMD-sized
# folio (thp_fault_alloc), no reservation counter moves.
machine thp=madvise promotion_threshold=1
p = spawn
a = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p a 2M hugepage
write p a+1p 0x41
expect vmstat thp_fault_alloc == 1
expect vmstat thp_res_alloc == 0
expect vmstat nr_thp_reserved == 0
expect smaps p a AnonHugePages == 2048 kB
exit p
expect invariants violations == 0
