# A full swap device. With 32 kB of swap (8 pages, one of them the header) MADV_PAGEOUT of 16 anon
# pages swaps 7 of them; add_to_swap fails for the rest, which stay mapped and are activated
# (pgactivate +9). SwapFree is 0, so reclaim no longer scans anon at all (get_scan_count) and
# frees nothing. A swap-in (skipping the swap cache) frees its slot again: SwapFree 4 kB.
# Linux code: mm/swapfile.c folio_alloc_swap (no free slot), mm/vmscan.c shrink_folio_list
# (activate_locked when add_to_swap fails), get_scan_count (SCAN_FILE when no swap space).
# Derived from source (the live kernel's swap cannot be filled without disturbing the machine).
machine swap=32K
p = spawn
a = mmap p 0 16p rw private,anonymous
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
expect meminfo SwapTotal == 28 kB
madvise p a 16p pageout
expect status p VmSwap == 28 kB
expect status p RssAnon == 36 kB
expect meminfo SwapFree == 0 kB
expect vmstat pswpout == 7
expect vmstat pgactivate == 9
expect meminfo Active(anon) == 36 kB
expect pagemap p a+6p swap == 1
expect pagemap p a+7p present == 1
reclaim 0 100 => 0
expect vmstat pgscan_anon == 0
read p a+6p => 0x106
expect meminfo SwapFree == 4 kB
read p a+15p => 0x10f
munmap p a 16p
expect meminfo SwapFree == 28 kB
