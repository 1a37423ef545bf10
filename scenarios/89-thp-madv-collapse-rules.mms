# What else MADV_COLLAPSE checks, range by range (mm/khugepaged.c hpage_collapse_scan_pmd,
# collapse_huge_page, hugepage_vma_revalidate, madvise_collapse):
# - a VMA that only mapped the zero page has no anon_vma, and without one
#   thp_vma_allowable_order refuses it (outside faults and smaps): EINVAL, nothing allocated;
# - read-only PTEs do not matter since 6.18 (the SCAN_PAGE_RO check is gone): a read-only VMA
#   and pages that fork write-protected and shares with a child are collapsed; the child keeps
#   the old pages;
# - a range mapped by a huge PMD already (a THP or the huge zero page) counts as collapsed;
# - a range without a page table (SCAN_PMD_NONE) ends the call with EINVAL, so later ranges
#   stay as they are;
# - a VM_LOCKED range becomes an mlocked THP; a PTE-mapped THP is copied into a new one.
# Checked on the live kernel (Linux 6.18.44, THP madvise) by `mmlab oracle`; the vmstat values
# with scenarios/probes/thp.c (section "89").
machine thp=madvise
p = spawn
# Zero-page PTEs only.
a = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
touch p a 2M read
madvise p a 2M collapse => EINVAL
expect smaps p a Rss == 0 kB
expect vmstat thp_collapse_alloc == 0
expect meminfo MemFree == 1048572 kB         # one page table
# A read-only VMA over one written page (and 511 zero-page PTEs).
write p a+5p 0x55
mprotect p a 2M r
madvise p a 2M collapse
expect vmstat thp_collapse_alloc == 1
expect smaps p a AnonHugePages == 2048 kB
expect smaps p a Rss == 2048 kB
read p a+5p => 0x55
read p a+6p => 0
mprotect p a 2M rw
expect smaps p a AnonHugePages == 2048 kB
munmap p a 2M
# Pages shared with a child after fork: the parent gets a THP, the child keeps the pages.
b = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
touch p b 16p write
write p b+2p 0x22
c = fork p
madvise p b 2M collapse
expect vmstat thp_collapse_alloc == 2
expect smaps p b AnonHugePages == 2048 kB
expect smaps p b Pss == 2048 kB
expect smaps c b Rss == 64 kB
expect smaps c b Pss == 64 kB
read c b+2p => 0x22
write p b+2p 0x23
read c b+2p => 0x22
exit c
# Already a THP, or the huge zero page: success, nothing allocated.
madvise p b 2M collapse
expect vmstat thp_collapse_alloc == 2
munmap p b 2M
d = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p d 2M hugepage
read p d
madvise p d 2M collapse
expect smaps p d Rss == 0 kB
expect smaps p d AnonHugePages == 0 kB
expect vmstat thp_collapse_alloc == 2
munmap p d 2M
# No page table in the first range: EINVAL, and the second range is not tried.
e = mmap p 0x600000000000 4M rw private,anonymous,fixed_noreplace => 0x600000000000
touch p e+2M 8p write
madvise p e 4M collapse => EINVAL
expect smaps p e AnonHugePages == 0 kB
expect smaps p e Rss == 32 kB
expect vmstat thp_collapse_alloc == 2
# The other way round the first range is collapsed before the second fails.
touch p e 8p write
madvise p e+2M 2M dontneed
madvise p e 4M collapse => EINVAL
expect smaps p e AnonHugePages == 2048 kB
expect smaps p e Rss == 2048 kB
expect vmstat thp_collapse_alloc == 3
munmap p e 4M
# VM_LOCKED: the new THP is mlocked, the small pages are munlocked and freed.
f = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
mlock p f 2M
madvise p f 2M collapse
expect vmstat thp_collapse_alloc == 4
expect smaps p f AnonHugePages == 2048 kB
expect smaps p f Locked == 2048 kB
expect kpageflags p f MLOCKED == 1
expect kpageflags p f+511p MLOCKED == 1
munmap p f 2M
# A PTE-mapped THP: split by an mprotect, merged back, then collapsed into a new THP.
g = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p g 2M hugepage
write p g+9p 0x99
mprotect p g 1p r
mprotect p g 1p rw
expect smaps p g AnonHugePages == 0 kB
expect vmstat thp_split_pmd == 1
madvise p g 2M collapse
expect vmstat thp_collapse_alloc == 5
expect vmstat thp_deferred_split_page == 0
expect smaps p g AnonHugePages == 2048 kB
expect meminfo AnonPages == 2048 kB
read p g+9p => 0x99
exit p
expect meminfo AnonHugePages == 0 kB
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
