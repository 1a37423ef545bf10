# khugepaged with THP "always": every anonymous VMA with an aligned 2 MiB range is scanned,
# VM_HUGEPAGE or not, VM_NOHUGEPAGE ones are not. It collapses a THP that MADV_DONTNEED split
# and left on the deferred split queue (the old folio is freed whole, not split); it skips a
# range without any young page (MADV_COLD made them old; SCAN_LACK_REFERENCED_PAGE counts
# nothing); a VM_LOCKED range becomes an mlocked THP, the small pages are munlocked
# (mm/khugepaged.c khugepaged_scan_mm_slot, hpage_collapse_scan_pmd, collapse_huge_page). The
# live kernel here runs THP "madvise" and cannot run a khugepaged scan on demand.
machine thp=always
p = spawn
# A THP split by MADV_DONTNEED of 16 of its pages: 496 PTEs map it.
a = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
write p a 0x1
write p a+300p 0x300
madvise p a+10p 16p dontneed
expect vmstat thp_split_pmd == 1
expect vmstat thp_deferred_split_page == 1
expect smaps p a AnonHugePages == 0 kB
expect meminfo AnonPages == 1984 kB
khugepaged => 1
expect vmstat thp_collapse_alloc == 1
expect vmstat thp_split_page == 0
expect smaps p a AnonHugePages == 2048 kB
expect meminfo AnonPages == 2048 kB
expect meminfo MemFree == 1046524 kB
read p a+300p => 0x300
read p a+12p => 0
munmap p a 2M
# VM_NOHUGEPAGE: not scanned.
b = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p b 2M nohugepage
touch p b 16p write
khugepaged => 0
expect smaps p b AnonHugePages == 0 kB
# No young page in the range: nothing collapsed, nothing counted; one access is enough.
madvise p b 2M hugepage
madvise p b 16p cold
khugepaged => 0
expect vmstat thp_collapse_alloc == 1
read p b+3p
khugepaged => 1
expect smaps p b AnonHugePages == 2048 kB
munmap p b 2M
# VM_LOCKED: 512 mlocked small pages become one mlocked THP.
c = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p c 2M nohugepage
mlock p c 2M
expect meminfo Mlocked == 2048 kB
expect vmstat unevictable_pgs_mlocked == 512
madvise p c 2M hugepage
khugepaged => 1
expect smaps p c AnonHugePages == 2048 kB
expect smaps p c Locked == 2048 kB
expect meminfo Mlocked == 2048 kB
expect kpageflags p c MLOCKED == 1
expect vmstat unevictable_pgs_mlocked == 1024
expect vmstat unevictable_pgs_munlocked == 512
exit p
expect meminfo Mlocked == 0 kB
expect meminfo AnonHugePages == 0 kB
expect invariants violations == 0
