# THP reservations and mremap: a move that keeps the 2 MiB phase (here by 4 MiB) carries the
# reservations to the new address (`haddr += delta`), where faults keep taking pages from them
# and khugepaged promotes them; a move that changes the phase (2 MiB + 4 kB) releases them.
machine thp=madvise promotion_threshold=3
p = spawn
a = mmap p 0x600000000000 4M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p a 4M hugepage
write p a 0x1
write p a+2M+7p 0x2
expect vmstat thp_res_alloc == 2
expect vmstat nr_thp_reserved == 1022
# Moved by 4 MiB, the same 2 MiB phase: both reservations follow the mapping.
b = mremap p a 4M 4M maymove,fixed to=0x600000400000 => 0x600000400000
expect vmstat nr_thp_reserved == 1022
write p b+1p 0x3
write p b+2p 0x4
expect vmstat nr_thp_reserved == 1020
khugepaged => 1
expect vmstat res_pages_collapsed == 1
expect smaps p b AnonHugePages == 2048 kB
expect vmstat nr_thp_reserved == 511
read p b => 0x1
read p b+2p => 0x4
# Moved by 2 MiB + 4 kB: the phase changes and the reservation is released.
c = mremap p b+2M 2M 2M maymove,fixed to=0x600001001000 => 0x600001001000
expect vmstat nr_thp_reserved == 0
read p c+7p => 0x2
expect invariants violations == 0
exit p
expect meminfo MemFree == 1048576 kB
expect invariants violations == 0
