# After fork the child writes 4 of the 10 shared pages: each write fault copies the page into the
# child (new exclusive page), the parent's original becomes exclusive again (mapcount 1, kept in
# place). Both sides then show Rss 40 and Pss 28 (4 private pages x 4 kB + 6 shared pages x 2 kB),
# Shared_Dirty 24, Private_Dirty 16. Each side reads its own data.
# Linux code: mm/memory.c do_wp_page -> wp_page_copy (folio not exclusive, refcount 2),
# mm/rmap.c folio_remove_rmap_pte on the old page, fs/proc/task_mmu.c smaps_account.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/fork.c (section "05"); the
# Pss 28 of 40 case of ../shared/research/kernel-oracle.md §2.1. meminfo AnonPages/vmstat pgfault
# are machine-relative, derived from source (one new anon page and one fault per COW).
p = spawn
r = mmap p 0 18p none private,anonymous
a = mmap p r+1p 16p rw private,fixed,anonymous => r+1p
touch p a 10p write
write p a 0x41
write p a+1p 0x42
write p a+4p 0x45
c = fork p
write c a 0x61
write c a+1p 0x62
write c a+2p 0x63
write c a+3p 0x64
expect smaps p a Rss == 40 kB
expect smaps p a Pss == 28 kB
expect smaps p a Shared_Dirty == 24 kB
expect smaps p a Private_Dirty == 16 kB
expect smaps c a Rss == 40 kB
expect smaps c a Pss == 28 kB
expect smaps c a Shared_Dirty == 24 kB
expect smaps c a Private_Dirty == 16 kB
expect pagemap p a exclusive == 1
expect kpagecount p a count == 1
expect pagemap c a exclusive == 1
expect kpagecount c a count == 1
expect pagemap c a+4p exclusive == 0
expect kpagecount c a+4p count == 2
read p a => 0x41
read c a => 0x61
read p a+1p => 0x42
read c a+1p => 0x62
read p a+2p => 0
read c a+4p => 0x45
expect vmstat pgfault == 14
expect meminfo AnonPages == 56 kB
exit c
expect smaps p a Pss == 40 kB
expect meminfo AnonPages == 40 kB
exit p
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
