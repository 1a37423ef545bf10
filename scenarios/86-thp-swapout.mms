# Reclaim splits a THP before swapping it out (thp_split_page, with the PMD split first), counting
# thp_swpout_fallback, and then writes 512 small pages (pswpout +512); the refault brings back one
# 4 kB page. The model's swap device follows the live kernel's rotational swap file here, which
# cannot take a PMD-sized folio in one piece (folio_alloc_swap needs SSD clusters). Linux code:
# mm/vmscan.c shrink_folio_list (split_folio_to_list, THP_SWPOUT_FALLBACK), mm/madvise.c
# madvise_cold_or_pageout_pte_range. Values from ../shared/research/kernel-oracle.md §2.7 ("On a
# THP") and the kernel source; the oracle needs swap on the live kernel.
machine swap=64M thp=madvise
p = spawn
a = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p a 2M hugepage
write p a+7p 0x41
expect meminfo AnonHugePages == 2048 kB
madvise p a 2M pageout
expect vmstat thp_swpout_fallback == 1
expect vmstat thp_split_page == 1
expect vmstat thp_split_pmd == 1
expect vmstat pswpout == 512
expect smaps p a Rss == 0 kB
expect smaps p a Swap == 2048 kB
expect smaps p a AnonHugePages == 0 kB
expect meminfo AnonHugePages == 0 kB
expect meminfo AnonPages == 0 kB
expect pagemap p a+7p swap == 1
read p a+7p => 0x41
expect smaps p a Rss == 4 kB
expect smaps p a AnonHugePages == 0 kB
read p a => 0
exit p
expect meminfo SwapFree == 65532 kB          # SwapTotal: the header page is not usable
expect invariants violations == 0
