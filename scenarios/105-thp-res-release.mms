# THP reservations are released when their range stops being one eligible piece of a VMA:
# MADV_DONTNEED of a handed page (any zap), a VMA split inside the range (mprotect of one page),
# mlock (the model keeps mlocked ranges out of reservations) and MADV_NOHUGEPAGE. A split at a
# 2 MiB boundary leaves the ranges whole. Released pages that were mapped stay as small pages
# with their data.
machine thp=madvise promotion_threshold=2
p = spawn
a = mmap p 0x600000000000 8M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p a 8M hugepage
write p a 0x1
write p a+2M 0x2
write p a+4M 0x3
write p a+6M 0x4
expect vmstat thp_res_alloc == 4
expect vmstat nr_thp_reserved == 2044
# Zapping a handed page (MADV_DONTNEED) releases its reservation.
madvise p a 4K dontneed
expect vmstat nr_thp_reserved == 1533
# A VMA split inside a range (mprotect of one page) releases that range's reservation.
mprotect p a+2M+100p 4K r
expect vmstat nr_thp_reserved == 1022
expect smaps p a+2M Rss == 4 kB
# A split at a 2 MiB boundary leaves the ranges whole: nothing is released.
mprotect p a+6M 2M r
expect vmstat nr_thp_reserved == 1022
# mlock (here without populating) and MADV_NOHUGEPAGE make a range ineligible.
mlock2 p a+4M 2M onfault
expect vmstat nr_thp_reserved == 511
expect meminfo Mlocked == 4 kB
madvise p a+6M 2M nohugepage
expect vmstat nr_thp_reserved == 0
expect vmstat thp_res_alloc == 4
read p a => 0
read p a+2M => 0x2
read p a+4M => 0x3
read p a+6M => 0x4
expect smaps_rollup p Rss == 12 kB
expect invariants violations == 0
exit p
expect meminfo MemFree == 1048576 kB
expect invariants violations == 0
