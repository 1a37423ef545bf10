# fork shares private anonymous pages copy-on-write: both processes map the same 10 pages, so each
# page has mapcount 2, Pss halves to 20 kB in both, the pages move from Private_Dirty to
# Shared_Dirty, pagemap loses the exclusive bit and kpagecount is 2. When the child exits the
# parent's pages are exclusive again (Pss 40). Untouched pages stay absent in the child too.
# Linux code: kernel/fork.c dup_mmap, mm/memory.c copy_page_range/copy_present_pte (wrprotect,
# folio_try_dup_anon_rmap_pte), fs/proc/task_mmu.c smaps_account (pss = size/mapcount),
# fs/proc/task_mmu.c pagemap_pmd_range (PM_MMAP_EXCLUSIVE when page_mapcount == 1).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/fork.c (section "04"); matches
# ../shared/research/kernel-oracle.md §2.1. meminfo AnonPages and vmstat pgfault are
# machine-relative, derived from source (fork copies PTEs without faults; NR_ANON_MAPPED counts
# each page once, on its first mapping).
p = spawn
r = mmap p 0 18p none private,anonymous
a = mmap p r+1p 16p rw private,fixed,anonymous => r+1p
touch p a 10p write
write p a 0x41
c = fork p
expect maps c count == 3
expect smaps p a Rss == 40 kB
expect smaps p a Pss == 20 kB
expect smaps p a Pss_Dirty == 20 kB
expect smaps p a Shared_Dirty == 40 kB
expect smaps p a Private_Dirty == 0 kB
expect smaps c a Rss == 40 kB
expect smaps c a Pss == 20 kB
expect smaps c a Shared_Dirty == 40 kB
expect smaps c a Anonymous == 40 kB
expect smaps_rollup p Pss_Anon == 20 kB
expect status c RssAnon == 40 kB
expect pagemap p a exclusive == 0
expect pagemap c a exclusive == 0
expect kpagecount p a count == 2
expect kpagecount c a count == 2
expect pagemap c a+12p present == 0
read c a => 0x41
expect vmstat pgfault == 10
expect meminfo AnonPages == 40 kB
exit c
expect smaps p a Pss == 40 kB
expect smaps p a Private_Dirty == 40 kB
expect smaps p a Shared_Dirty == 0 kB
expect pagemap p a exclusive == 1
expect kpagecount p a count == 1
expect meminfo AnonPages == 40 kB
exit p
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
