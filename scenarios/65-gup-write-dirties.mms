# GUP with FOLL_WRITE through a PTE that is present and writable but clean dirties the folio
# (follow_page_pte with FOLL_TOUCH): MADV_POPULATE_WRITE on read-faulted shmem pages, and
# mlockall(MCL_CURRENT) on MADV_FREE'd anon pages, turn Private_Clean into Private_Dirty.
# Linux code: mm/gup.c follow_page_pte (FOLL_WRITE && !pte_dirty && !folio_test_dirty ->
# folio_mark_dirty), fs/proc/task_mmu.c smaps_account (dirty = pte_dirty || folio dirty).
# Found by the kernel oracle (random scripts 496, 385) and checked on the live kernel
# (Linux 6.18.44) with it (mmlab oracle).
p = spawn
s = mmap p 0 2p rw shared,anonymous,populate
expect smaps p s Private_Clean == 8 kB
madvise p s+1p 1p populate_write
expect smaps p s Private_Clean == 4 kB
expect smaps p s Private_Dirty == 4 kB
a = mmap p 0 8p rw private,anonymous,populate
madvise p a 2p free
expect smaps p a Private_Clean == 8 kB
mlockall p current,future
expect smaps p a Private_Clean == 0 kB
expect smaps p a Private_Dirty == 32 kB
munlockall p
exit p
expect invariants violations == 0
