# Reclaim with swap space. Every page was just faulted in, so its PTE is young: the first scan of
# each keeps it (PG_referenced set, young bit cleared) and a later one frees it. Clean file pages
# are dropped; a dirty one that still had PG_referenced is kept once more (FOLIOREF_RECLAIM_CLEAN)
# and written back on the scan after; anon pages get swap slots and their PTEs become swap entries;
# dirty shmem pages move to swap while a clean (never written) one is simply dropped.
# The scan counts follow the priority loop. Pass 1: priority 2 and 1 scan 1 and 2 file pages only
# (cache_trim_mode: enough inactive file, no active file), all kept; priority 0 scans all 7 anon
# pages (kept) and all 4 file pages: the one scanned twice, clean (fm+2p), is freed, the two dirty
# ones are kept (RECLAIM_CLEAN). Pass 2: priority 1 scans and frees fm+3p; priority 0 frees the 7
# anon and shmem pages and writes back and frees the 2 dirty file pages. pgscan_file 1+2+4+1+2 = 10,
# pgscan_anon 7+7 = 14, all counted as kswapd's; pgsteal 4 file + 7 anon; pswpout counts the 6
# pages written to swap. Every value comes back: file pages from disk and swapped pages from swap,
# each with a major fault.
# Linux code: mm/vmscan.c get_scan_count (anon only with swap space; SCAN_FILE in cache_trim_mode,
# SCAN_EQUAL at priority 0), shrink_lruvec, shrink_inactive_list (pgscan_kswapd, pgscan_anon/file,
# pgsteal_*), folio_check_references, shrink_folio_list (add_to_swap, try_to_unmap, pageout,
# __remove_mapping), mm/rmap.c folio_referenced, mm/shmem.c shmem_writeout, mm/memory.c
# do_swap_page, mm/filemap.c filemap_fault; mm/memcontrol.c memory_reclaim (passes retried).
# Derived from source: the live kernel cannot be made to reclaim exactly these pages on demand (its
# global reclaim order depends on every other process); the per-page outcomes of pageout, swap-in
# and shmem swap used here are the ones checked live in scenarios 47-50.
machine swap=64M
p = spawn
f = open p /tmp/r51.dat rdwr,creat
ftruncate p f 4p
fm = mmap p 0 4p rw shared fd=f
write p fm 0x70
write p fm+1p 0x71
read p fm+2p => 0
read p fm+3p => 0
a = mmap p 0 4p rw private,anonymous
write p a 0x60
write p a+1p 0x61
write p a+2p 0x62
write p a+3p 0x63
s = memfd_create p sh
ftruncate p s 3p
sm = mmap p 0 3p rw shared fd=s
write p sm 0x50
write p sm+1p 0x51
read p sm+2p => 0
expect status p RssFile == 16 kB
expect status p RssAnon == 16 kB
expect status p RssShmem == 12 kB
reclaim 0 100 => 11
expect vmstat pgscan_file == 10
expect vmstat pgsteal_file == 4
expect vmstat pgscan_anon == 14
expect vmstat pgsteal_anon == 7
expect vmstat pgscan_kswapd == 24
expect vmstat pgsteal_kswapd == 11
expect vmstat pgscan_direct == 0
expect vmstat pgactivate == 0
expect vmstat pswpout == 6
expect status p VmRSS == 0 kB
expect status p VmSwap == 16 kB
expect smaps p sm Swap == 8 kB
expect smaps_rollup p Swap == 24 kB
expect meminfo SwapFree == 65508 kB
expect meminfo Cached == 0 kB
expect meminfo Shmem == 0 kB
expect meminfo AnonPages == 0 kB
read p fm => 0x70
read p fm+1p => 0x71
read p a+3p => 0x63
read p sm+1p => 0x51
read p sm+2p => 0
expect vmstat pswpin == 2
# Nothing is left to reclaim once everything is unmapped and freed.
munmap p a 4p
munmap p sm 3p
close p s
expect meminfo SwapFree == 65532 kB
