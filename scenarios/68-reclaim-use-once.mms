# Use-once page cache goes first; pages read twice are active and need deactivating. Pages 0 and 1
# are read twice with pread (the second read, not starting in the page the previous one ended in,
# activates them: pgactivate 2), pages 2 and 3 once (PG_referenced, inactive).
# Reclaim 1 (2 pages, no swap: file only). Priority 1: 2 >> 1 = 1 page of each list. Inactive:
# page 2 is freed (PG_referenced only, clean: FOLIOREF_RECLAIM_CLEAN). Active: skipped, as the
# inactive list (2) is not below the active one (2) (inactive_is_low, ratio 1 under 1 GiB).
# Priority 0: page 3 is freed, which meets the target, but the round goes on to the active list,
# now allowed (inactive 1 < active 2): both active pages move to the inactive list (pgrefill 2,
# pgdeactivate 2). Reclaim 2 then frees them (their PG_referenced was cleared on activation).
# Linux code: mm/filemap.c filemap_read (folio_mark_accessed unless the same page as the last
# read), mm/swap.c folio_mark_accessed, mm/vmscan.c prepare_scan_control (may_deactivate from
# inactive_is_low), shrink_lruvec (the round finishes every list before checking the target),
# shrink_list (skipped_deactivate), shrink_active_list, folio_check_references.
# Derived from source: the live kernel cannot reclaim exactly these pages on demand; activation by
# pread is checked live in 66.
p = spawn
f = open p /data/f68 rdwr,creat
ftruncate p f 4p
pread p f 0 => 0
pread p f 1p => 0
pread p f 0 => 0
pread p f 1p => 0
pread p f 2p => 0
pread p f 3p => 0
expect vmstat pgactivate == 2
expect meminfo Active(file) == 8 kB
expect meminfo Inactive(file) == 8 kB
reclaim 0 2 => 2
expect vmstat pgscan_file == 2
expect vmstat pgsteal_file == 2
expect vmstat pgrefill == 2
expect vmstat pgdeactivate == 2
expect meminfo Active(file) == 0 kB
expect meminfo Inactive(file) == 8 kB
reclaim 0 2 => 2
expect vmstat pgscan_file == 4
expect vmstat pgsteal_kswapd == 4
expect meminfo Cached == 0 kB
pread p f 3p => 0
expect vmstat pgactivate == 2
close p f
exit p
expect invariants violations == 0
