# GUP with FOLL_TOUCH (mlock's populate, MAP_POPULATE, MADV_POPULATE_READ/WRITE) marks every page
# it follows accessed: folio_mark_accessed sets PG_referenced the first time and, the second time,
# activates an evictable inactive page (pgactivate) and clears PG_referenced again. A plain
# fault does not call it. Unevictable (mlocked) pages are left alone.
# Linux code: mm/gup.c follow_page_pte (FOLL_TOUCH -> folio_mark_accessed), populate_vma_page_range
# and faultin_page_range (FOLL_TOUCH); mm/swap.c folio_mark_accessed, folio_activate.
# Found by the kernel oracle (random scripts) and checked on the live kernel (Linux 6.18.44) with
# it (mmlab oracle): kpageflags REFERENCED and ACTIVE after each step.
p = spawn
r = mmap p 0 6p none private,anonymous
a = mmap p r+1p 4p rw private,fixed,anonymous => r+1p
touch p a 4p write
expect kpageflags p a REFERENCED == 0
madvise p a 2p populate_write
expect kpageflags p a REFERENCED == 1
expect kpageflags p a ACTIVE == 0
expect kpageflags p a+2p REFERENCED == 0
madvise p a 1p populate_read
expect kpageflags p a REFERENCED == 0
expect kpageflags p a ACTIVE == 1
expect vmstat pgactivate == 1
mlock p a+2p 2p
expect kpageflags p a+2p REFERENCED == 1
expect kpageflags p a+2p UNEVICTABLE == 1
mlock p a+2p 2p
expect kpageflags p a+2p REFERENCED == 1
expect kpageflags p a+2p ACTIVE == 0
b = mmap p 0 2p rw private,anonymous,populate
expect kpageflags p b REFERENCED == 1
exit p
expect invariants violations == 0
