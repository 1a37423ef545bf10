# khugepaged reads swapped pages back for a collapse when the range has no more than
# max_ptes_swap swap entries (Linux default 64; past it thp_scan_exceed_swap_pte counts and the
# range stays), and only when at least half the range (256 pages) is young: swap-in costs I/O
# (mm/khugepaged.c hpage_collapse_scan_pmd: SCAN_EXCEED_SWAP_PTE, SCAN_LACK_REFERENCED_PAGE;
# __collapse_huge_page_swapin). Swap-in runs do_swap_page directly: pgmajfault counts, pgfault
# does not. MADV_COLLAPSE ignores the limit. The live kernel cannot run a khugepaged scan on
# demand (and the oracle sets no swap up): this scenario is model-only.
machine thp=madvise swap=64M
p = spawn
# 64 swap entries: within the default limit.
a = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
touch p a 2M write
write p a+3p 0x33
madvise p a 2M hugepage
madvise p a 64p pageout
expect smaps p a Swap == 256 kB
expect vmstat pswpout == 64
n = khugepaged => 1
expect vmstat thp_collapse_alloc == 1
expect vmstat pswpin == 64
expect vmstat pgmajfault == 64
expect smaps p a Swap == 0 kB
expect smaps p a Rss == 2048 kB
expect smaps p a AnonHugePages == 2048 kB
expect meminfo SwapFree == 65532 kB
read p a+3p => 0x33
munmap p a 2M
# 65 swap entries: one too many; MADV_COLLAPSE takes the range anyway.
b = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
touch p b 2M write
write p b+64p 0x64
madvise p b 2M hugepage
madvise p b 65p pageout
khugepaged => 0
expect vmstat thp_scan_exceed_swap_pte == 1
expect vmstat thp_collapse_alloc == 1
expect smaps p b Swap == 260 kB
expect smaps p b AnonHugePages == 0 kB
madvise p b 2M collapse
expect vmstat thp_scan_exceed_swap_pte == 1
expect vmstat thp_collapse_alloc == 2
expect vmstat pswpin == 129
expect smaps p b Swap == 0 kB
expect smaps p b AnonHugePages == 2048 kB
read p b+64p => 0x64
munmap p b 2M
# Swap entries and too few young pages: MADV_COLD made the other 448 old.
c = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
touch p c 2M write
madvise p c 2M hugepage
madvise p c 16p pageout
madvise p c+16p 496p cold
khugepaged => 0
# 255 young pages (accessed again) are not enough with swap entries in the range ...
touch p c+16p 255p read
khugepaged => 0
expect smaps p c AnonHugePages == 0 kB
expect vmstat thp_collapse_alloc == 2
expect vmstat thp_scan_exceed_swap_pte == 1
# ... 256 young pages, half the range, are.
touch p c+271p 1p read
khugepaged => 1
expect smaps p c AnonHugePages == 2048 kB
expect smaps p c Swap == 0 kB
exit p
expect meminfo SwapFree == 65532 kB
expect meminfo AnonHugePages == 0 kB
expect invariants violations == 0
