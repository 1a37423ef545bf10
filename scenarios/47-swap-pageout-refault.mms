# Swap out and back in. MADV_PAGEOUT of 16 written private anon pages with swap present gives each
# page a swap slot (offsets 1..16 in address order; offset 0 is the swap header), turns every PTE
# into a swap entry and frees the pages: Rss 0, Swap and SwapPss 64 kB, VmSwap 64 kB, pswpout +16.
# A read of a swapped page is a major fault that brings the value back; on a synchronous device
# (zram) an entry nobody else references skips the swap cache, so the slot is freed at once and the
# page is exclusive, clean after a read (Private_Clean) and dirty after a write (Private_Dirty).
# SwapTotal is the device size minus the header page.
# Linux code: mm/madvise.c madvise_cold_or_pageout_pte_range, mm/vmscan.c reclaim_pages/
# shrink_folio_list, mm/swap_state.c add_to_swap, mm/rmap.c try_to_unmap_one, mm/page_io.c
# swap_writeout, mm/memory.c do_swap_page (SWP_SYNCHRONOUS_IO and __swap_count == 1: skip swapcache),
# fs/proc/task_mmu.c smaps_pte_entry (Swap, SwapPss), pagemap_pte_range (PM_SWAP, type | offset << 5).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/swap.c (section "A", 64 MiB zram
# swap): SwapTotal, smaps Rss/Swap/SwapPss/Private_Clean/Private_Dirty/Anonymous, VmSwap, RssAnon
# deltas, pagemap swap bits and offsets, the values read back and the per-process majflt (+1 per
# refault, taken here as the machine-wide pgmajfault). pswpout/pswpin are derived from source.
machine swap=64M
expect meminfo SwapTotal == 65532 kB
expect meminfo SwapFree == 65532 kB
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
expect smaps p a Rss == 0 kB
expect smaps p a Swap == 64 kB
expect smaps p a SwapPss == 64 kB
expect smaps p a Anonymous == 0 kB
expect status p VmSwap == 64 kB
expect status p RssAnon == 0 kB
expect smaps_rollup p Swap == 64 kB
expect pagemap p a present == 0
expect pagemap p a swap == 1
expect pagemap p a exclusive == 0
expect pagemap p a swap_offset == 1
expect pagemap p a+15p swap_offset == 16
expect meminfo SwapFree == 65468 kB
expect meminfo AnonPages == 0 kB
expect vmstat pswpout == 16
expect vmstat pgmajfault == 0
# The value comes back with a major fault; the slot is freed at once.
read p a => 0x100
expect vmstat pgmajfault == 1
expect vmstat pswpin == 1
expect pagemap p a present == 1
expect pagemap p a exclusive == 1
expect kpageflags p a SWAPCACHE == 0
expect kpageflags p a ANON == 1
expect meminfo SwapFree == 65472 kB
write p a+1p 0x999
expect vmstat pgmajfault == 2
expect smaps p a Rss == 8 kB
expect smaps p a Swap == 56 kB
expect smaps p a SwapPss == 56 kB
expect smaps p a Private_Clean == 4 kB
expect smaps p a Private_Dirty == 4 kB
expect smaps p a Anonymous == 8 kB
expect status p VmSwap == 56 kB
read p a+1p => 0x999
read p a+15p => 0x10f
expect vmstat pgmajfault == 3
# munmap frees the remaining swap entries and their slots.
munmap p a 16p
expect status p VmSwap == 0 kB
expect meminfo SwapFree == 65532 kB
exit p
expect meminfo SwapFree == 65532 kB
