# Truncation removes swapped-out private COW copies too. Peter Xu's reproducer from "mm: don't skip
# swap entry even if zap_details specified" (5abfd71d936a, Linux 5.18): a MAP_PRIVATE mapping of a
# two-page memfd, a write to the second page (an anon COW copy; the write fault on the hole also
# allocates the shmem page), MADV_PAGEOUT swaps the copy out, then ftruncate to one page and back to
# two. truncate_pagecache -> unmap_mapping_range(..., even_cows = 1) must zap the swap entry
# (should_zap_cows) and free its slot, so the regrown page reads 0. Before 5.18 any zap with details
# skipped every swap entry: the read returned 1 (the `zap_details_skip_swap` quirk; the invariant
# checker reports the leftover entry as pte-beyond-eof right after the shrinking ftruncate).
# Linux code: mm/truncate.c truncate_pagecache, mm/memory.c unmap_mapping_range, zap_nonpresent_ptes
# / should_zap_cows, mm/swapfile.c free_swap_and_cache, mm/shmem.c shmem_fault.
# Expected values from the patch's reproducer and its stated outcome ("it should be all zero"), the
# counters from source (MM_SWAPENTS -1 and the slot freed by the zap).
machine swap=16M
p = spawn
fd = memfd_create p peterx
ftruncate p fd 2p
b = mmap p 0 2p rw private fd=fd
write p b+1p 1
madvise p b 2p pageout
expect smaps p b Rss == 0 kB
expect smaps p b Swap == 4 kB
expect status p VmSwap == 4 kB
expect meminfo SwapFree == 16376 kB
ftruncate p fd 1p
expect smaps p b Swap == 0 kB
expect status p VmSwap == 0 kB
expect meminfo SwapFree == 16380 kB
ftruncate p fd 2p
read p b+1p => 0
expect smaps p b Rss == 4 kB
expect smaps p b Anonymous == 0 kB
close p fd
exit p
expect meminfo SwapFree == 16380 kB
expect meminfo Shmem == 0 kB
expect invariants violations == 0
