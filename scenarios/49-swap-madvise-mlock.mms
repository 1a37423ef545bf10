# madvise and mlock on swapped pages. MADV_FREE frees swap entries outright (VmSwap -16 kB) and a
# later read maps the zero page (no major fault). MADV_WILLNEED reads swapped pages into the swap
# cache without mapping them (VmSwap unchanged), so the next read is a minor fault and the page stays
# in the swap cache. mlock populates a swapped range with one major fault per page (the synchronous
# device skips the swap cache for entries nobody else references), and the pages come back mlocked.
# munmap then frees every remaining entry and swap-cache page: SwapFree is back to the total.
# Linux code: mm/madvise.c madvise_free_pte_range (free_swap_and_cache_nr on swap entries),
# madvise_willneed/swapin_walk_pmd_entry (read_swap_cache_async), mm/memory.c do_swap_page
# (should_try_to_free_swap: no for a read), mm/gup.c populate_vma_page_range, mm/swapfile.c
# free_swap_and_cache_nr (__try_to_reclaim_swap of unmapped swap-cache pages).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/swap.c (sections "D" and "E", 64
# MiB zram swap): VmSwap, smaps Swap/Locked, the values read back, majflt of each step (taken here
# as the machine-wide pgmajfault), pagemap and SWAPCACHE bits. pswpin is derived from source.
machine swap=64M
p = spawn
r = mmap p 0 18p none private,anonymous
a = mmap p r+1p 16p rw private,fixed,anonymous => r+1p
write p a 0x100
write p a+1p 0x101
write p a+2p 0x102
write p a+3p 0x103
write p a+4p 0x104
write p a+5p 0x105
write p a+6p 0x106
write p a+7p 0x107
write p a+8p 0x108
write p a+9p 0x109
write p a+10p 0x10a
write p a+11p 0x10b
write p a+12p 0x10c
write p a+13p 0x10d
write p a+14p 0x10e
write p a+15p 0x10f
madvise p a 16p pageout
expect status p VmSwap == 64 kB
madvise p a+4p 4p free
expect status p VmSwap == 48 kB
read p a+4p => 0
expect vmstat pgmajfault == 0
madvise p a+8p 4p willneed
expect status p VmSwap == 48 kB
expect vmstat pswpin == 4
expect pagemap p a+8p swap == 1
read p a+8p => 0x108
expect vmstat pgmajfault == 0
expect pagemap p a+8p present == 1
expect kpageflags p a+8p SWAPCACHE == 1
expect smaps p a Swap == 44 kB
expect meminfo SwapCached == 16 kB
mlock p a+12p 4p
expect vmstat pgmajfault == 4
expect status p VmSwap == 28 kB
expect smaps p a+12p Locked == 16 kB
expect kpageflags p a+12p MLOCKED == 1
read p a+15p => 0x10f
munmap p a 16p
expect status p VmSwap == 0 kB
expect meminfo SwapFree == 65532 kB
expect meminfo SwapCached == 0 kB
