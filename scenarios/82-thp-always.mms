# THP mode "always": every anonymous private VMA with an aligned 2 MiB range inside it gets PMD
# THPs on write faults without MADV_HUGEPAGE, except where MADV_NOHUGEPAGE says no. Values from
# the kernel source (mm/huge_memory.c __thp_vma_allowable_orders; the live kernel runs "madvise",
# so the oracle skips this script).
machine thp=always
p = spawn
a = mmap p 0x600000000000 4M rw private,anonymous,fixed_noreplace => 0x600000000000
expect smaps p a THPeligible == 1
write p a 0x1
expect vmstat thp_fault_alloc == 1
expect smaps p a AnonHugePages == 2048 kB
madvise p a+2M 2M nohugepage
expect smaps p a+2M THPeligible == 0
write p a+2M 0x2
expect vmstat thp_fault_alloc == 1
expect smaps p a+2M Rss == 4 kB
expect meminfo AnonHugePages == 2048 kB
s = mmap p 0 4M rw shared,anonymous
expect smaps p s THPeligible == 0
exit p
expect meminfo AnonHugePages == 0 kB
expect invariants violations == 0
