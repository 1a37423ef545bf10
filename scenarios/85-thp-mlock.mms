# mlock of a whole PMD-mapped THP mlocks the folio without splitting it (unevictable_pgs_mlocked
# +512, Mlocked 2048 kB, Locked 2048 kB, AnonHugePages stays); munlock undoes it. mlock of half a
# THP splits the PMD at the new VMA boundary (thp_split_pmd) and, since 6.7, does not mlock a
# large folio that is not wholly mapped in the range (allow_mlock_munlock): Locked is 1024 kB but
# Mlocked stays 0. A THP faulted into a VM_LOCKED VMA is mlocked whole. Linux code: mm/mlock.c
# mlock_pte_range, allow_mlock_munlock, mlock_folio, munlock_folio; mm/huge_memory.c
# __do_huge_pmd_anonymous_page (folio_add_lru_vma -> mlock_new_folio). Checked on the live kernel
# (Linux 6.18.44) with scenarios/probes/thp.c (section "83").
machine thp=madvise
p = spawn
a = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p a 2M hugepage
write p a 0x1
mlock p a 2M
expect vmstat unevictable_pgs_mlocked == 512
expect vmstat thp_split_pmd == 0
expect meminfo Mlocked == 2048 kB
expect meminfo Unevictable == 2048 kB
expect smaps p a Locked == 2048 kB
expect smaps p a AnonHugePages == 2048 kB
expect kpageflags p a MLOCKED == 1
expect kpageflags p a UNEVICTABLE == 1
expect kpageflags p a+300p MLOCKED == 1
munlock p a 2M
expect vmstat unevictable_pgs_munlocked == 512
expect meminfo Mlocked == 0 kB
expect kpageflags p a MLOCKED == 0
mlock p a 1M
expect vmstat thp_split_pmd == 1
expect vmstat unevictable_pgs_mlocked == 512
expect smaps p a Locked == 1024 kB
expect smaps p a AnonHugePages == 0 kB
expect meminfo Mlocked == 0 kB
expect kpageflags p a MLOCKED == 0
expect kpageflags p a THP == 1
expect invariants violations == 0
munmap p a 2M
expect meminfo Mlocked == 0 kB
b = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p b 2M hugepage
mlock p b 2M
expect vmstat thp_fault_alloc == 2
expect smaps p b Locked == 2048 kB
expect smaps p b AnonHugePages == 2048 kB
expect meminfo Mlocked == 2048 kB
expect kpageflags p b+511p MLOCKED == 1
exit p
expect meminfo Mlocked == 0 kB
expect meminfo Unevictable == 0 kB
expect invariants violations == 0
