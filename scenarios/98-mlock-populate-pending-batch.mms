# A page that mlock's populate faults in is mlocked through the per-CPU mlock batch, so when GUP
# then touches it (FOLL_TOUCH -> folio_mark_accessed) it is not yet PG_unevictable: a page already
# referenced (here by the shmem pwrite, SGP_WRITE) is queued for activation and loses
# PG_referenced; the batch then culls it to the unevictable list, clearing PG_active. A page that
# was mapped before mlock is mlocked by the page walk, which drains the batch, so the touch finds
# it unevictable and leaves PG_referenced alone; so does a page this same populate allocates
# (it is still in the LRU-add batch, not on an LRU list, and keeps PG_referenced: seen live with
# random scripts 79, 253, 825 and 959).
# Linux code: mm/mlock.c mlock_folio (folio_batch_add), mlock_vma_pages_range (lru_add_drain),
# mm/swap.c folio_mark_accessed, folio_activate, mm/gup.c follow_page_pte (FOLL_TOUCH),
# mm/shmem.c shmem_get_folio_gfp (SGP_WRITE marks accessed).
# Found by the kernel oracle (random scripts 10, 660, 976 of seed 1). Checked on Linux 6.18.44.
p = spawn
fd = memfd_create p m98
ftruncate p fd 8p
m = mmap p 0 8p r shared fd=fd
read p m+5p => 0
pwrite p fd 5p 0x55
pwrite p fd 3p 0xaef1
expect pagemap p m+3p present == 0
expect kpageflags p m+5p REFERENCED == 1
mlockall p current
expect kpageflags p m+3p REFERENCED == 0
expect kpageflags p m+3p UNEVICTABLE == 1
expect kpageflags p m+3p ACTIVE == 0
expect kpageflags p m+5p REFERENCED == 1
expect kpageflags p m+5p UNEVICTABLE == 1
read p m+3p => 0xaef1
munlockall p
close p fd
exit p
expect invariants violations == 0
