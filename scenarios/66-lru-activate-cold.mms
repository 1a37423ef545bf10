# Page-cache aging without reclaim. A read fault maps a page young but does not mark it accessed
# (filemap_fault takes no FGP_ACCESSED); the first pread sets PG_referenced, the second activates the
# inactive page (folio_activate: pgactivate +1) and clears PG_referenced, but only if it does not
# start in the page the previous read of that file ended in (ra->prev_pos): reading page 0 twice
# in a row marks it once; page 1 in between makes the next read of page 0 count. MADV_COLD clears the young
# bit and PG_referenced of pages mapped only here and moves the active page to the inactive list
# (folio_deactivate: pgdeactivate +1); the inactive page stays where it is, uncounted.
# Linux code: mm/filemap.c filemap_fault, filemap_read (folio_mark_accessed unless pos_same_folio), mm/swap.c
# folio_mark_accessed, folio_activate, folio_deactivate, lru_deactivate, mm/madvise.c
# madvise_cold_or_pageout_pte_range (folio_clear_referenced, ptep_test_and_clear_young).
# Checked on the live kernel (Linux 6.18.44) with the oracle (kpageflags ACTIVE/REFERENCED and smaps
# Referenced after each step; the vmstat events are derived from source).
p = spawn
f = open p /data/f66 rdwr,creat
pwrite p f 0 0x61
pwrite p f 1p 0x62
m = mmap p 0 2p r shared fd=f
read p m => 0x61
read p m+1p => 0x62
expect kpageflags p m REFERENCED == 0
expect kpageflags p m ACTIVE == 0
expect smaps p m Referenced == 8 kB
pread p f 0 => 0x61
expect kpageflags p m REFERENCED == 1
expect kpageflags p m ACTIVE == 0
pread p f 0 => 0x61
expect kpageflags p m REFERENCED == 1
expect kpageflags p m ACTIVE == 0
pread p f 1p => 0x62
expect kpageflags p m+1p REFERENCED == 1
pread p f 0 => 0x61
expect kpageflags p m REFERENCED == 0
expect kpageflags p m ACTIVE == 1
expect vmstat pgactivate == 1
madvise p m 2p cold
expect kpageflags p m ACTIVE == 0
expect kpageflags p m REFERENCED == 0
expect kpageflags p m+1p REFERENCED == 0
expect kpageflags p m+1p ACTIVE == 0
expect smaps p m Referenced == 0 kB
expect vmstat pgdeactivate == 1
expect meminfo Active(file) == 0 kB
expect meminfo Inactive(file) == 8 kB
exit p
expect invariants violations == 0
