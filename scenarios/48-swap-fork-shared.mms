# Swap entries shared by fork. Pages swapped out before fork leave swap entries that fork copies:
# each slot's swap count becomes 2, so SwapPss is half of Swap in both processes, and neither entry
# is exclusive any more. The child's read of a shared entry cannot skip the swap cache: it is a major
# fault that leaves the page in the swap cache (kpageflags SWAPCACHE), and the parent's read of the
# same page then finds it there: a minor fault, the page mapped by both (not exclusive). When the
# child exits, the parent's remaining entries are its own again (SwapPss == Swap).
# Linux code: mm/memory.c copy_nonpresent_pte (swap_duplicate, clear pte_swp_exclusive in both),
# do_swap_page (swapin_readahead when __swap_count > 1, swap_cache_get_folio), fs/proc/task_mmu.c
# smaps_pte_entry (SwapPss = PAGE_SIZE / swp_swapcount).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/swap.c (section "B", 64 MiB zram
# swap): smaps Rss/Swap/SwapPss/Private_*, VmSwap, the major/minor split of the two reads (the
# per-process majflt, taken here as the machine-wide pgmajfault), pagemap and SWAPCACHE bits.
# The child's write (a copy) and the final SwapFree/SwapCached are derived from source.
# Swap readahead: the kernel's window depends on global history (swapin_nr_pages); the model starts
# cold (one page), so no expectation here depends on which neighbours were read ahead.
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
read p a => 0x100
write p a+1p 0x999
expect vmstat pgmajfault == 2
c = fork p
expect smaps p a Rss == 8 kB
expect smaps p a Swap == 56 kB
expect smaps p a SwapPss == 28 kB
expect smaps p a Private_Clean == 0 kB
expect smaps p a Private_Dirty == 0 kB
expect status c VmSwap == 56 kB
expect smaps c a SwapPss == 28 kB
read c a+2p => 0x102
expect vmstat pgmajfault == 3
expect pagemap c a+2p present == 1
expect pagemap c a+2p exclusive == 1
expect kpageflags c a+2p SWAPCACHE == 1
read p a+2p => 0x102
expect vmstat pgmajfault == 3
expect pagemap p a+2p exclusive == 0
expect kpageflags p a+2p SWAPCACHE == 1
expect kpagecount p a+2p count == 2
expect smaps p a Rss == 12 kB
expect smaps p a Swap == 52 kB
expect smaps p a SwapPss == 26 kB
# The child's write copies the shared page; the parent keeps the swap-cache page.
write c a+2p 0x222
expect kpageflags c a+2p SWAPCACHE == 0
read p a+2p => 0x102
exit c
expect smaps p a Swap == 52 kB
expect smaps p a SwapPss == 52 kB
expect status p VmSwap == 52 kB
exit p
expect meminfo SwapFree == 65532 kB
expect meminfo SwapCached == 0 kB
