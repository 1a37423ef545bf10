# shmem pages swap too. MADV_PAGEOUT of 8 written memfd pages moves them to swap: the PTEs are
# simply cleared (pagemap shows nothing: a shmem swap entry lives in the file's page cache, not in
# a PTE), RssShmem and meminfo Shmem drop to 0, and smaps Swap counts them (32 kB) while SwapPss and
# VmSwap do not. A fault brings a page back with a major fault; pread swaps a page in without one.
# A private mapping of the same file accounts the file's swapped pages it has no PTE for. A hole
# punch frees swap entries like pages. Which cached pages a read fault maps by fault-around depends
# on the addresses (the 16-page window is aligned to the address, not the VMA); the oracle has the
# kernel place each mapping where the model did, so both sides map the same ones.
# Linux code: mm/shmem.c shmem_writeout (swap entry replaces the folio in the page cache),
# shmem_swapin_folio (skip swapcache on a synchronous device), shmem_swap_usage /
# shmem_partial_swap_usage, fs/proc/task_mmu.c smap_gather_stats (shmem swap, no SwapPss),
# smaps_pte_hole_lookup, mm/shmem.c shmem_undo_range -> shmem_free_swap.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/swap.c (section "C", 64 MiB zram
# swap): smaps Rss/Swap/SwapPss/Private_Dirty of both mappings, RssShmem, VmSwap, pagemap, the values
# and the majflt of the read (taken here as the machine-wide pgmajfault).
machine swap=64M
p = spawn
fd = memfd_create p sw
ftruncate p fd 8p
r = mmap p 0 10p none private,anonymous
m = mmap p r+1p 8p rw shared,fixed fd=fd => r+1p
write p m 0x200
write p m+1p 0x201
write p m+2p 0x202
write p m+3p 0x203
write p m+4p 0x204
write p m+5p 0x205
write p m+6p 0x206
write p m+7p 0x207
expect meminfo Shmem == 32 kB
madvise p m 8p pageout
expect smaps p m Rss == 0 kB
expect smaps p m Swap == 32 kB
expect smaps p m SwapPss == 0 kB
expect status p RssShmem == 0 kB
expect status p VmSwap == 0 kB
expect pagemap p m present == 0
expect pagemap p m swap == 0
expect meminfo Shmem == 0 kB
expect meminfo SwapFree == 65500 kB
expect vmstat pswpout == 8
read p m => 0x200
expect vmstat pgmajfault == 1
pread p fd 1p => 0x201
expect vmstat pgmajfault == 1
expect smaps p m Rss == 4 kB
expect smaps p m Swap == 24 kB
expect smaps p m Private_Dirty == 4 kB
expect meminfo Shmem == 8 kB
q = mmap p 0 8p rw private fd=fd
expect smaps p q Swap == 24 kB
expect smaps p q Rss == 0 kB
fallocate p fd keep_size,punch_hole 2p 2p
expect smaps p m Swap == 16 kB
expect smaps p q Swap == 16 kB
read p m+7p => 0x207
read p q+6p => 0x206
expect smaps p q Swap == 8 kB
munmap p m 8p
munmap p q 8p
close p fd
expect meminfo SwapFree == 65532 kB
expect meminfo Shmem == 0 kB
