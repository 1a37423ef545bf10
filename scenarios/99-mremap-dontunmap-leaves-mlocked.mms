# MREMAP_DONTUNMAP of part of a locked VMA leaves the pages still mapped in the old VMA mlocked.
# The whole old VMA loses VM_LOCKED (dontunmap_complete clears VM_LOCKED_MASK), but nothing
# munlocks the 7 pages left there: they stay PG_mlocked and unevictable with the mlock_count of
# the lost lock, and Locked is 0 in smaps (the VMA is not VM_LOCKED). MADV_POPULATE_READ only sets
# PG_referenced on them (folio_mark_accessed does not activate an unevictable page). An mlock and
# munlock of one of them counts it up and down again: still mlocked, no events. MADV_PAGEOUT
# isolates one (it maps the page once, in a VMA without VM_LOCKED), reclaim finds it unevictable
# and lru_add puts it back with mlock_count 0 and no cull; the next munlock then clears it
# (munlocked, rescued). Unmapping the old VMA frees the private pages still mlocked:
# unevictable_pgs_cleared +6 (free_pages_prepare). A shared anonymous (shmem) VMA keeps its pages
# in the file after the old VMA goes; they are freed, still mlocked, with the file.
# Linux code: mm/mremap.c dontunmap_complete; mm/mlock.c mlock_folio, __munlock_folio; mm/swap.c
# lru_add (mlock_count = 0); mm/madvise.c madvise_cold_or_pageout_pte_range; mm/vmscan.c
# reclaim_pages, shrink_folio_list (activate_locked); mm/page_alloc.c free_pages_prepare.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/mlock.c (section "99"); from
# random oracle script 915.
p = spawn
a = mmap p 0 8p rw private,anonymous,locked
expect vmstat unevictable_pgs_mlocked == 8
expect meminfo Mlocked == 32 kB
d = mremap p a 1p 1p maymove,dontunmap
expect smaps p a VmFlags lacks lo
expect smaps p a Rss == 28 kB
expect smaps p a Locked == 0 kB
expect smaps p d Locked == 4 kB
expect kpageflags p d MLOCKED == 1
expect kpageflags p a+3p MLOCKED == 1
expect kpageflags p a+3p UNEVICTABLE == 1
expect meminfo Mlocked == 32 kB
expect vmstat unevictable_pgs_munlocked == 0
madvise p a+3p 2p populate_read
expect kpageflags p a+3p REFERENCED == 1
expect kpageflags p a+3p ACTIVE == 0
expect kpageflags p a+3p UNEVICTABLE == 1
mlock p a+3p 1p
munlock p a+3p 1p
expect kpageflags p a+3p MLOCKED == 1
expect vmstat unevictable_pgs_munlocked == 0
madvise p a+5p 1p pageout
expect kpageflags p a+5p MLOCKED == 1
expect kpageflags p a+5p UNEVICTABLE == 1
expect vmstat unevictable_pgs_culled == 8
mlock p a+5p 1p
munlock p a+5p 1p
expect kpageflags p a+5p MLOCKED == 0
expect kpageflags p a+5p UNEVICTABLE == 0
expect vmstat unevictable_pgs_munlocked == 1
expect vmstat unevictable_pgs_rescued == 1
expect meminfo Mlocked == 28 kB
munmap p a 8p
expect vmstat unevictable_pgs_cleared == 6
expect meminfo Mlocked == 4 kB
munmap p d 1p
expect vmstat unevictable_pgs_munlocked == 2
expect meminfo Mlocked == 0 kB
s = mmap p 0 8p rw shared,anonymous,locked
expect meminfo Mlocked == 32 kB
e = mremap p s 1p 1p maymove,dontunmap
expect kpageflags p s+3p MLOCKED == 1
munmap p s 8p
expect meminfo Mlocked == 32 kB
expect vmstat unevictable_pgs_cleared == 6
munmap p e 1p
expect meminfo Mlocked == 0 kB
expect meminfo Shmem == 0 kB
expect vmstat unevictable_pgs_cleared == 13
exit p
