# THP reservations under memory pressure (the RFC's shrinker): on an 8 MiB node three ranges
# reserve 1,536 pages; the fourth finds no free aligned block (thp_res_alloc_failed, a 4 kB
# page). When faults then run out of memory, every unused reserved page is freed before any
# reclaim or OOM kill (no pgsteal, no oom_kill), and the faults go on.
machine node_mem=8M thp=always promotion_threshold=256
p = spawn
a = mmap p 0x600000000000 8M rw private,anonymous,fixed_noreplace => 0x600000000000
write p a 0x1
write p a+2M 0x2
write p a+4M 0x3
expect vmstat thp_res_alloc == 3
expect vmstat nr_thp_reserved == 1533
expect meminfo MemFree == 2036 kB
expect meminfo MemAvailable == 8168 kB
# The fourth range finds no free 2 MiB block: thp_res_alloc_failed, and a 4 kB page.
write p a+6M 0x4
expect vmstat thp_res_alloc_failed == 1
expect vmstat nr_thp_reserved == 1533
# Memory runs out: the shrinker frees every unused reserved page before any reclaim or OOM.
touch p a+6M+1p 511p write
expect vmstat nr_thp_reserved == 0
expect vmstat pgsteal_direct == 0
expect vmstat oom_kill == 0
expect smaps p a Rss == 2060 kB
expect meminfo MemFree == 6116 kB
read p a+2M => 0x2
expect invariants violations == 0
exit p
expect meminfo MemFree == 8192 kB
expect invariants violations == 0
