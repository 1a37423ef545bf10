# THP write faults, the huge zero page and a whole-THP munmap in THP mode "madvise".
# A write fault in a 2 MiB-aligned range of a VM_HUGEPAGE anonymous VMA maps a PMD-sized folio:
# thp_fault_alloc +1, Rss/Anonymous/AnonHugePages 2048 kB, meminfo AnonHugePages 2048 kB, the
# pages are COMPOUND_HEAD/TAIL THP and exclusive. Without MADV_HUGEPAGE the same write maps 4 kB.
# A read fault maps the huge zero page (thp_zero_page_alloc +1 the first time; no Rss; pagemap
# present and "file"; kpageflags ZERO_PAGE THP); on 6.18 a write there allocates a full THP
# (do_huge_zero_wp_pmd) without a PMD split. Unmapping whole THPs splits nothing.
# Linux code: mm/memory.c __handle_mm_fault/create_huge_pmd, mm/huge_memory.c
# do_huge_pmd_anonymous_page, set_huge_zero_folio, do_huge_pmd_wp_page, do_huge_zero_wp_pmd,
# zap_huge_pmd; fs/proc/task_mmu.c smaps_pmd_entry, pagemap_pmd_range; fs/proc/page.c
# stable_page_flags. Checked on the live kernel (Linux 6.18.44, THP madvise) with
# scenarios/probes/thp.c (section "80"). VmPTE counts the page table deposited under each huge
# PMD (pgtable_trans_huge_deposit + mm_inc_nr_ptes), plus one PMD and one PUD table.
machine thp=madvise
p = spawn
n = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
expect smaps p n THPeligible == 0
write p n 0x1
expect smaps p n Rss == 4 kB
expect smaps p n AnonHugePages == 0 kB
expect vmstat thp_fault_alloc == 0
munmap p n 2M
a = mmap p 0x600000000000 4M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p a 4M hugepage
expect smaps p a THPeligible == 1
expect smaps p a VmFlags has hg
write p a+1p 0x41
expect vmstat thp_fault_alloc == 1
expect vmstat pgfault == 2
expect smaps p a Rss == 2048 kB
expect smaps p a Pss == 2048 kB
expect smaps p a Anonymous == 2048 kB
expect smaps p a AnonHugePages == 2048 kB
expect smaps p a Private_Dirty == 2048 kB
expect smaps p a Referenced == 2048 kB
expect smaps_rollup p AnonHugePages == 2048 kB
expect meminfo AnonHugePages == 2048 kB
expect meminfo AnonPages == 2048 kB
expect status p RssAnon == 2048 kB
expect status p VmPTE == 12 kB
expect pagemap p a present == 1
expect pagemap p a exclusive == 1
expect pagemap p a+511p exclusive == 1
expect kpagecount p a count == 1
expect kpagecount p a+511p count == 1
expect kpageflags p a COMPOUND_HEAD == 1
expect kpageflags p a THP == 1
expect kpageflags p a ANON == 1
expect kpageflags p a COMPOUND_TAIL == 0
expect kpageflags p a+1p COMPOUND_TAIL == 1
expect kpageflags p a+511p COMPOUND_TAIL == 1
expect kpageflags p a+511p THP == 1
expect kpageflags p a+511p COMPOUND_HEAD == 0
read p a => 0
read p a+1p => 0x41
read p a+2M => 0
expect vmstat thp_zero_page_alloc == 1
expect vmstat thp_fault_alloc == 1
expect smaps p a Rss == 2048 kB
expect smaps p a AnonHugePages == 2048 kB
expect status p VmPTE == 16 kB
expect pagemap p a+2M present == 1
expect pagemap p a+2M file == 1
expect pagemap p a+2M exclusive == 0
expect kpagecount p a+2M count == 0
expect kpageflags p a+2M ZERO_PAGE == 1
expect kpageflags p a+2M THP == 1
expect kpageflags p a+2M COMPOUND_HEAD == 1
expect kpageflags p a+2M+1p COMPOUND_TAIL == 1
expect kpageflags p a+2M+1p ZERO_PAGE == 1
write p a+2M+3p 0x42
expect vmstat thp_fault_alloc == 2
expect vmstat thp_split_pmd == 0
expect smaps p a Rss == 4096 kB
expect smaps p a AnonHugePages == 4096 kB
expect meminfo AnonHugePages == 4096 kB
read p a+2M => 0
read p a+2M+3p => 0x42
expect pagemap p a+2M+3p file == 0
expect pagemap p a+2M+3p exclusive == 1
expect kpageflags p a+2M+3p THP == 1
munmap p a 4M
expect vmstat thp_split_pmd == 0
expect vmstat thp_deferred_split_page == 0
expect meminfo AnonHugePages == 0 kB
expect meminfo AnonPages == 0 kB
expect vmstat nr_anon_transparent_hugepages == 0
expect invariants violations == 0
exit p
expect meminfo MemFree == 1048576 kB
expect invariants violations == 0
