# One shared file mlocked by three processes, which then exit one by one. The file's 4 pages are in
# the page cache (pwrite). p, q and r each map it MAP_SHARED and mlock the mapping: the first mlock
# sets PG_mlocked and culls each page (mlocked/culled +4), the others only raise mlock_count (no
# events), so Mlocked stays 16 kB. Locked is PSS-weighted: 16 kB with one mapper, 8 kB each with two,
# 16/3 = 5 kB each with three. Each exit zaps its PTEs and drops one mlock per page (munlock_folio);
# the pages stay mlocked until the last locker goes, then are munlocked and rescued to the evictable
# LRU (munlocked/rescued +4). The file keeps its cache pages, and every mlock counter is back to 0.
# Linux code: mm/mlock.c mlock_fixup, mlock_vma_pages_range, mlock_folio (mlock_count while on the
# unevictable list), munlock_folio / __munlock_folio, mm/memory.c zap_present_folio_ptes (munlock
# of VM_LOCKED mappings via folio_remove_rmap_ptes -> munlock_vma_folio), fs/proc/task_mmu.c
# smaps_account (Locked from the PSS).
# Checked on the live kernel (Linux 6.18.44) with the oracle (smaps Locked/Rss/Pss, VmLck,
# kpageflags MLOCKED/UNEVICTABLE and kpagecount per step); the events are derived from source.
p = spawn
f = open p /data/f72 rdwr,creat
pwrite p f 0 0x70
pwrite p f 1p 0x71
pwrite p f 2p 0x72
pwrite p f 3p 0x73
a = mmap p 0 4p r shared fd=f
mlock p a 4p
expect smaps p a Locked == 16 kB
expect meminfo Mlocked == 16 kB
q = spawn
g = open q /data/f72 0
b = mmap q 0 4p r shared fd=g
mlock q b 4p
expect smaps q b Locked == 8 kB
expect smaps p a Locked == 8 kB
r = spawn
h = open r /data/f72 0
c = mmap r 0 4p r shared fd=h
mlock r c 4p
expect smaps r c Locked == 5 kB
expect kpagecount r c+3p count == 3
expect kpageflags r c+3p MLOCKED == 1
expect meminfo Mlocked == 16 kB
expect vmstat unevictable_pgs_mlocked == 4
expect vmstat unevictable_pgs_culled == 4
exit p
expect smaps q b Locked == 8 kB
expect kpageflags q b MLOCKED == 1
expect meminfo Mlocked == 16 kB
expect vmstat unevictable_pgs_munlocked == 0
exit q
expect smaps r c Locked == 16 kB
expect kpageflags r c UNEVICTABLE == 1
expect meminfo Unevictable == 16 kB
read r c+2p => 0x72
exit r
expect meminfo Mlocked == 0 kB
expect meminfo Unevictable == 0 kB
expect meminfo Cached == 16 kB
expect vmstat nr_mlock == 0
expect vmstat unevictable_pgs_munlocked == 4
expect vmstat unevictable_pgs_rescued == 4
expect vmstat unevictable_pgs_cleared == 0
expect invariants violations == 0
