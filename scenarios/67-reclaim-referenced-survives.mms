# A mapped page touched between two reclaims survives the first and not the second. Page 0 of the
# file is mapped and read (young PTE), pages 1 and 2 are read once with pread (PG_referenced, not
# mapped); the inactive file list is, tail first, 0 1 2.
# Reclaim 1 (2 pages, no swap: file lists only). Priority 1 scans 3 >> 1 = 1 page: page 0 is young,
# so folio_check_references keeps it (PG_referenced set, young bit cleared) and it goes to the
# head. Priority 0 takes pages 1 and 2: referenced only through PG_referenced and clean, they are
# freed (FOLIOREF_RECLAIM_CLEAN). pgscan 3, pgsteal 2.
# The page is read again (young again). Reclaim 2 (1 page). Pass 1: priority 0 scans it: young and
# PG_referenced, so it is activated (pgactivate +1) and nothing is freed. Pass 2: the inactive list
# is empty and below the active one (inactive_is_low), so shrink_active_list moves the page back to
# the inactive head (pgrefill +1, pgdeactivate +1; PG_referenced stays, its young bit was cleared).
# Pass 3: referenced only through PG_referenced and clean: freed. pgscan 5, pgsteal 3 in all.
# Linux code: mm/vmscan.c get_scan_count (SCAN_FILE without swap; size >> priority),
# shrink_lruvec, shrink_list, shrink_inactive_list, shrink_active_list, folio_check_references,
# inactive_is_low, shrink_folio_list (activate_locked, keep_locked); mm/rmap.c folio_referenced;
# mm/memcontrol.c memory_reclaim (passes retried while nothing is freed).
# Derived from source: the live kernel cannot reclaim exactly these pages on demand (reclaim is
# skipped by the oracle); the flag and counter steps without reclaim are checked live in 66.
p = spawn
f = open p /data/f67 rdwr,creat
ftruncate p f 3p
m = mmap p 0 1p r shared fd=f
read p m => 0
pread p f 1p => 0
pread p f 2p => 0
expect meminfo Inactive(file) == 12 kB
reclaim 0 2 => 2
expect status p RssFile == 4 kB
expect kpageflags p m REFERENCED == 1
expect smaps p m Referenced == 4 kB
expect vmstat pgscan_kswapd == 3
expect vmstat pgscan_file == 3
expect vmstat pgsteal_kswapd == 2
expect vmstat pgactivate == 0
expect meminfo Cached == 4 kB
read p m => 0
reclaim 0 1 => 1
expect status p RssFile == 0 kB
expect vmstat pgactivate == 1
expect vmstat pgrefill == 1
expect vmstat pgdeactivate == 1
expect vmstat pgscan_kswapd == 5
expect vmstat pgsteal_kswapd == 3
expect vmstat pgsteal_file == 3
expect vmstat pgscan_direct == 0
expect meminfo Cached == 0 kB
expect meminfo Active(file) == 0 kB
read p m => 0
expect vmstat pgmajfault == 2
exit p
expect invariants violations == 0
