# THP reservations and reclaim: swapping out a handed page (MADV_PAGEOUT; the RFC's
# try_to_unmap_one rule) releases its range's reservation, and a reclaim pass runs the
# reservation shrinker, which frees every unused reserved page (not counted as reclaimed).
machine swap=64M thp=madvise promotion_threshold=64
p = spawn
a = mmap p 0x600000000000 4M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p a 4M hugepage
write p a 0x1
write p a+1p 0x2
write p a+2M 0x3
expect vmstat nr_thp_reserved == 1021
# Swapping out a handed page releases its range's reservation (try_to_unmap_one).
madvise p a 4K pageout
expect vmstat pswpout == 1
expect vmstat nr_thp_reserved == 511
expect smaps p a Swap == 4 kB
read p a => 0x1
read p a+1p => 0x2
# A reclaim pass runs the reservation shrinker: unused reserved pages go, handed ones stay.
reclaim 0 1 => 1
expect vmstat nr_thp_reserved == 0
read p a+2M => 0x3
expect invariants violations == 0
exit p
expect meminfo MemFree == 1048576 kB
expect invariants violations == 0
