# khugepaged (one full scan: the `khugepaged` operation, which returns the number of ranges it
# collapsed) collapses an aligned 2 MiB range of a THP-eligible VMA (VM_HUGEPAGE in madvise
# mode) when no more than max_ptes_none of its PTEs are none or map the zero page; past the
# limit it counts thp_scan_exceed_none_pte and leaves the range (mm/khugepaged.c
# khugepaged_scan_mm_slot, hpage_collapse_scan_pmd). MADV_COLLAPSE ignores the limit. This
# machine sets max_ptes_none to 496 (Linux default 511). The live kernel cannot run a khugepaged
# scan on demand: the oracle stops at the first `khugepaged` step.
machine thp=madvise max_ptes_none=496
p = spawn
# 16 written pages: 496 none PTEs, just within the limit.
a = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
touch p a 16p write
write p a+3p 0x33
# Not VM_HUGEPAGE yet: khugepaged leaves the VMA alone in madvise mode.
khugepaged => 0
expect vmstat thp_scan_exceed_none_pte == 0
madvise p a 2M hugepage
n = khugepaged => 1
expect vmstat thp_collapse_alloc == 1
expect vmstat thp_scan_exceed_none_pte == 0
expect smaps p a Rss == 2048 kB
expect smaps p a AnonHugePages == 2048 kB
expect meminfo AnonHugePages == 2048 kB
expect kpageflags p a COMPOUND_HEAD == 1
read p a+3p => 0x33
read p a+100p => 0
# A range that is a THP already is not collapsed again.
khugepaged => 0
expect vmstat thp_collapse_alloc == 1
munmap p a 2M
# 15 written pages and one zero-page read: 497 none or zero PTEs, one too many, in every pass.
b = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
touch p b 15p write
read p b+15p
madvise p b 2M hugepage
khugepaged => 0
expect vmstat thp_scan_exceed_none_pte == 1
khugepaged => 0
expect vmstat thp_scan_exceed_none_pte == 2
expect vmstat thp_collapse_alloc == 1
expect smaps p b Rss == 60 kB
expect smaps p b AnonHugePages == 0 kB
# One more written page brings it within the limit.
write p b+20p 0x20
khugepaged => 1
expect smaps p b AnonHugePages == 2048 kB
read p b+20p => 0x20
munmap p b 2M
# MADV_COLLAPSE ignores max_ptes_none.
c = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
touch p c 1p write
madvise p c 2M collapse
expect vmstat thp_scan_exceed_none_pte == 2
expect vmstat thp_collapse_alloc == 3
expect smaps p c AnonHugePages == 2048 kB
munmap p c 2M
# An aligned range must fit in the VMA: a 2 MiB VMA that starts 1 page in has none.
d = mmap p 0x600000001000 2M rw private,anonymous,fixed_noreplace => 0x600000001000
madvise p d 2M hugepage
touch p d 2M write
khugepaged => 0
expect smaps p d AnonHugePages == 0 kB
exit p
expect meminfo AnonHugePages == 0 kB
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
