# Anon pages with young PTEs outlive cold ones. Four written pages are on the inactive anon list,
# tail first 0 1 2 3, their PTEs young; MADV_COLD clears the young bits of pages 2 and 3 (they are
# inactive already, so nothing moves and pgdeactivate stays 0). Reclaim of 2 pages with swap: at
# priorities 2 and 1 get_scan_count gives anon 60/200 of 4 >> priority, which rounds to 0; priority 0
# scans everything (SCAN_EQUAL), 32 at a time but no more than the 2 still wanted: pages 0 and 1
# are young, so they are kept (PG_referenced set, young cleared) and go to the head; the next
# batch takes pages 2 and 3, unreferenced: swapped out. pgscan_anon 4, pgsteal_anon 2, pswpout 2.
# Pages 0 and 1 stay mapped and count as Referenced through PG_referenced. A second reclaim then
# swaps them out (referenced only through PG_referenced: anon pages are not spared for that).
# Linux code: mm/vmscan.c get_scan_count (SCAN_FRACT with swappiness 60, SCAN_EQUAL at priority 0),
# shrink_inactive_list, folio_check_references (young anon page: FOLIOREF_KEEP once),
# shrink_folio_list (add_to_swap, try_to_unmap, pageout), mm/madvise.c
# madvise_cold_or_pageout_pte_range, fs/proc/task_mmu.c smaps_account (young or PG_referenced).
# Derived from source: reclaim is skipped by the oracle (the live kernel cannot reclaim exactly
# these pages on demand); MADV_COLD's effect on Referenced is checked live in 66.
machine swap=64M
p = spawn
a = mmap p 0 4p rw private,anonymous
write p a 0x10
write p a+1p 0x11
write p a+2p 0x12
write p a+3p 0x13
madvise p a+2p 2p cold
expect smaps p a Referenced == 8 kB
expect vmstat pgdeactivate == 0
reclaim 0 2 => 2
expect vmstat pgscan_anon == 4
expect vmstat pgsteal_anon == 2
expect vmstat pswpout == 2
expect pagemap p a present == 1
expect pagemap p a+1p present == 1
expect pagemap p a+2p swap == 1
expect pagemap p a+3p swap == 1
expect smaps p a Referenced == 8 kB
expect smaps p a Swap == 8 kB
expect kpageflags p a REFERENCED == 1
reclaim 0 2 => 2
expect vmstat pgscan_anon == 6
expect status p VmSwap == 16 kB
expect status p RssAnon == 0 kB
read p a+2p => 0x12
read p a => 0x10
munmap p a 4p
expect meminfo SwapFree == 65532 kB
expect invariants violations == 0
