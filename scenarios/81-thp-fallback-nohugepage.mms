# When a THP fault finds no 512 contiguous, aligned free frames it falls back to a 4 kB page and
# counts thp_fault_fallback (mm/huge_memory.c vma_alloc_anon_folio_pmd). Here the node has 512
# frames and the page table to deposit under the PMD takes one of them. MADV_NOHUGEPAGE
# (VM_NOHUGEPAGE) keeps a range from THPs in madvise mode, and MADV_HUGEPAGE on a VMA without an
# aligned 2 MiB range inside it gives THPeligible 0 (thp_vma_suitable_order). Values from the
# kernel source (the live kernel's nodes are far larger); THPeligible and the NOHUGEPAGE fault
# checked with scenarios/probes/thp.c.
machine node_mem=2M thp=madvise
p = spawn
a = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p a 2M hugepage
expect smaps p a THPeligible == 1
write p a+3p 0x5
expect vmstat thp_fault_fallback == 1
expect vmstat thp_fault_alloc == 0
expect smaps p a Rss == 4 kB
expect smaps p a AnonHugePages == 0 kB
read p a+3p => 0x5
madvise p a 2M nohugepage
expect smaps p a THPeligible == 0
expect smaps p a VmFlags has nh
write p a+4p 0x6
expect vmstat thp_fault_fallback == 1
expect smaps p a Rss == 8 kB
b = mmap p 0x600000400000 1M rw private,anonymous,fixed_noreplace => 0x600000400000
madvise p b 1M hugepage
expect smaps p b THPeligible == 0
exit p
expect invariants violations == 0
