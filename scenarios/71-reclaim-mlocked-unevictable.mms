# Reclaim never sees mlocked pages: they sit on the unevictable list. A shared file mapping of 4
# pages is read in full; mlock of its first half splits the VMA and mlocks 2 pages (mlocked/culled
# +2). Reclaim of 4 pages scans the inactive file list only: the 2 unlocked pages, young from their
# faults, are kept once and freed on the next scan (pgscan 4 = 1 at priority 1, 2 at priority 0 in
# pass 1, which frees one; 1 in pass 2), and the call returns 2 after 16 passes that find nothing
# more. munlock rescues the locked pages to the inactive list (munlocked/rescued +2); their PTEs
# are still young, so the next reclaim keeps each once and then frees both (pgscan +4). At exit
# every mlock counter balances and Mlocked/Unevictable are 0.
# Linux code: mm/vmscan.c get_scan_count and isolate_lru_folios (evictable lists only),
# folio_check_references, mm/mlock.c mlock_fixup, mlock_folio, munlock_folio (folio_putback_lru ->
# lru_add: unevictable_pgs_rescued), mm/rmap.c folio_referenced.
# Derived from source: reclaim is skipped by the oracle.
p = spawn
f = open p /data/f71 rdwr,creat
ftruncate p f 4p
m = mmap p 0 4p r shared fd=f
touch p m 4p read
mlock p m 2p
expect maps p count == 2
expect smaps p m Locked == 8 kB
expect meminfo Unevictable == 8 kB
expect meminfo Inactive(file) == 8 kB
reclaim 0 4 => 2
expect vmstat pgscan_kswapd == 4
expect vmstat pgsteal_kswapd == 2
expect kpageflags p m MLOCKED == 1
expect pagemap p m+2p present == 0
expect meminfo Mlocked == 8 kB
expect meminfo Inactive(file) == 0 kB
expect status p RssFile == 8 kB
munlock p m 2p
expect vmstat unevictable_pgs_munlocked == 2
expect vmstat unevictable_pgs_rescued == 2
expect meminfo Unevictable == 0 kB
expect meminfo Inactive(file) == 8 kB
reclaim 0 2 => 2
expect vmstat pgscan_kswapd == 8
expect vmstat pgsteal_kswapd == 4
expect status p RssFile == 0 kB
read p m+1p => 0
exit p
expect meminfo Mlocked == 0 kB
expect meminfo Unevictable == 0 kB
expect vmstat nr_mlock == 0
expect vmstat unevictable_pgs_mlocked == 2
expect vmstat unevictable_pgs_culled == 2
expect vmstat unevictable_pgs_cleared == 0
expect invariants violations == 0
