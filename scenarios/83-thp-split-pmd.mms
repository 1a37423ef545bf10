# A PMD-mapped THP is split into PTEs (thp_split_pmd) when a VMA boundary falls inside it
# (mprotect, munmap) or MADV_DONTNEED covers part of it. The folio stays compound (kpageflags
# COMPOUND_HEAD/TAIL THP), AnonHugePages goes to 0 and the split PMD's dirty bit dirties the folio.
# A partial unmap puts the folio on the deferred split queue (thp_deferred_split_page) without
# freeing anything: MemFree does not move. Zapping a whole THP splits nothing, and the next write
# fault maps a new THP. Linux code: mm/vma.c __split_vma -> vma_adjust_trans_huge,
# mm/memory.c zap_pmd_range, mm/huge_memory.c __split_huge_pmd_locked, zap_huge_pmd,
# mm/rmap.c __folio_remove_rmap -> deferred_split_folio. Checked on the live kernel (Linux
# 6.18.44) with scenarios/probes/thp.c (section "81").
machine thp=madvise
p = spawn
a = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p a 2M hugepage
write p a 0x1
mprotect p a+8p 1p r
expect vmstat thp_split_pmd == 1
expect maps p count == 3
expect smaps p a Rss == 32 kB
expect smaps p a+8p Rss == 4 kB
expect smaps p a+9p Rss == 2012 kB
expect smaps p a+9p AnonHugePages == 0 kB
expect meminfo AnonHugePages == 0 kB
expect meminfo AnonPages == 2048 kB
expect kpageflags p a COMPOUND_HEAD == 1
expect kpageflags p a THP == 1
expect kpageflags p a DIRTY == 1
expect kpageflags p a+9p COMPOUND_TAIL == 1
expect kpageflags p a+9p DIRTY == 1
read p a => 0x1
munmap p a 2M
expect vmstat thp_deferred_split_page == 1
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
# MADV_DONTNEED of one page inside a THP. (khugepaged on the live kernel collapses a PTE-mapped
# range of a VM_HUGEPAGE VMA within 10 s; MADV_NOHUGEPAGE right after the split keeps it away.)
b = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p b 2M hugepage
write p b 0x2
expect meminfo MemFree == 1046524 kB         # unchanged by the DONTNEED below
madvise p b+4p 1p dontneed
madvise p b 2M nohugepage                  # keeps khugepaged from collapsing it again on the live kernel
expect vmstat thp_split_pmd == 2
expect vmstat thp_deferred_split_page == 2
expect smaps p b Rss == 2044 kB
expect smaps p b AnonHugePages == 0 kB
expect meminfo AnonHugePages == 0 kB
expect meminfo MemFree == 1046524 kB         # the 4 kB page stays with the folio
expect pagemap p b+4p present == 0
expect kpageflags p b COMPOUND_HEAD == 1
expect kpageflags p b DIRTY == 1
read p b => 0x2
read p b+4p => 0
munmap p b 2M
expect vmstat thp_deferred_split_page == 2
expect invariants violations == 0
# munmap of one page inside a THP.
c = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p c 2M hugepage
write p c+20p 0x3
munmap p c+10p 1p
expect vmstat thp_split_pmd == 3
expect vmstat thp_deferred_split_page == 3
expect smaps p c Rss == 40 kB
expect smaps p c+11p Rss == 2004 kB
expect meminfo AnonPages == 2044 kB
expect kpageflags p c COMPOUND_HEAD == 1
read p c+20p => 0x3
munmap p c 2M
expect invariants violations == 0
# MADV_DONTNEED of a whole THP: no split; the refault maps a new THP.
d = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p d 2M hugepage
write p d 0x4
madvise p d 2M dontneed
expect vmstat thp_split_pmd == 3
expect vmstat thp_deferred_split_page == 3
expect meminfo AnonPages == 0 kB
write p d+1p 0x5
expect vmstat thp_fault_alloc == 5
expect smaps p d AnonHugePages == 2048 kB
read p d => 0
exit p
expect meminfo MemFree == 1048576 kB
expect invariants violations == 0
