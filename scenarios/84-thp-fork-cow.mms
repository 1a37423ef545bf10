# fork shares a PMD-mapped THP (copy_huge_pmd): both processes map it with a PMD, Pss halves to
# 1024 kB, AnonHugePages stays 2048 kB in each, pagemap loses the exclusive bit and kpagecount is
# 2. A write by either side splits that side's PMD (thp_split_pmd) and copies one 4 kB page, as
# Linux 6.x does (do_huge_pmd_wp_page falls back to wp_page_copy): that side's Pss is 1026 kB,
# Private_Dirty 4 kB, AnonHugePages 0; the other side keeps its PMD. When the child exits the
# parent's pages are private again, still PTE-mapped. pagemap's exclusive bit of a PMD-mapped page
# is that of the PMD's first page (6.18 pagemap_pmd_range passes `page`, not `page + idx`, to
# __folio_page_mapped_exclusively): page 5 of the parent's PMD is not exclusive after the child's
# COW although only the parent maps it. Linux code: mm/huge_memory.c copy_huge_pmd,
# do_huge_pmd_wp_page, __split_huge_pmd; mm/memory.c wp_page_copy; fs/proc/task_mmu.c
# smaps_account. Checked on the live kernel (Linux 6.18.44) with scenarios/probes/thp.c
# (section "82").
machine thp=madvise
p = spawn
a = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p a 2M hugepage
write p a 0x41
c = fork p
expect smaps p a Rss == 2048 kB
expect smaps p a Pss == 1024 kB
expect smaps p a AnonHugePages == 2048 kB
expect smaps p a Shared_Dirty == 2048 kB
expect smaps c a Pss == 1024 kB
expect smaps c a AnonHugePages == 2048 kB
expect meminfo AnonHugePages == 2048 kB
expect pagemap p a exclusive == 0
expect pagemap c a exclusive == 0
expect kpagecount p a count == 2
expect kpageflags c a THP == 1
expect status c VmPTE == 12 kB
read c a => 0x41
write c a+5p 0x42
expect vmstat thp_split_pmd == 1
expect smaps c a Rss == 2048 kB
expect smaps c a Pss == 1026 kB
expect smaps c a Private_Dirty == 4 kB
expect smaps c a Shared_Dirty == 2044 kB
expect smaps c a AnonHugePages == 0 kB
expect smaps p a Pss == 1026 kB
expect smaps p a Private_Dirty == 4 kB
expect smaps p a AnonHugePages == 2048 kB
expect pagemap c a+5p exclusive == 1
expect pagemap p a+5p exclusive == 0       # pagemap_pmd_range asks the PMD's first page
expect kpageflags c a+5p THP == 0
expect kpageflags c a THP == 1
expect kpagecount c a count == 2
read p a+5p => 0
read c a+5p => 0x42
write p a+6p 0x43
expect vmstat thp_split_pmd == 2
expect smaps p a Pss == 1028 kB
expect smaps p a Private_Dirty == 8 kB
expect smaps p a AnonHugePages == 0 kB
expect smaps c a Pss == 1028 kB
expect meminfo AnonHugePages == 0 kB
read c a+6p => 0
exit c
expect smaps p a Pss == 2048 kB
expect smaps p a Private_Dirty == 2048 kB
expect smaps p a AnonHugePages == 0 kB
expect invariants violations == 0
exit p
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
