# MADV_FREE of an anonymous page shared after fork. The write dirtied only the PTE (PG_dirty of an
# anon page is set when it is unmapped or added to the swap cache), so the folio is clean: the
# exclusivity check guards only clearing a dirty (or swap-cache) folio, and a clean shared folio
# is made lazyfree anyway (PG_swapbacked cleared, moved to the inactive file list) while the
# caller's PTE loses its young and dirty bits. The parent's PTE stays dirty, so reclaim would
# find the data written and keep it.
# Linux code: mm/madvise.c madvise_free_pte_range (folio_mapcount check inside the
# swapcache-or-dirty branch), folio_mark_lazyfree, mm/swap.c lru_lazyfree.
# Found by the kernel oracle (random script 982 of seed 1): the model skipped every shared page.
# Checked on Linux 6.18.44 (mmlab oracle).
p = spawn
m = mmap p 0 1p rw private,anonymous
write p m 7
c = fork p
madvise c m 1p free
expect kpageflags p m SWAPBACKED == 0
expect kpageflags p m ANON == 1
expect smaps c m Shared_Clean == 4 kB
expect smaps p m Shared_Dirty == 4 kB
expect vmstat pglazyfree == 1
read p m => 7
read c m => 7
exit c
exit p
expect invariants violations == 0
