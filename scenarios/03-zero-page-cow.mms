# Read-then-write on private anonymous memory: the read maps the zero page, the later write takes a
# second (write-protect) fault that replaces the zero-page PTE with a new exclusive anon page.
# A direct write to an untouched page takes one fault. Pages only read stay on the zero page.
# Linux code: mm/memory.c do_anonymous_page, do_wp_page -> wp_page_copy (is_zero_pfn branch:
# vma_alloc_zeroed_movable_folio, no copy), fs/proc/task_mmu.c smaps_pte_entry.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/anon.c (section "03"):
# minflt 4 for the reads, +2 for the two writes, +1 for the direct write; Rss 8 then 12;
# pagemap/kpagecount/kpageflags of the copied page and of the untouched zero page; values.
# meminfo/vmstat numbers are machine-relative, derived from source (PGFAULT per handle_mm_fault call,
# NR_ANON_MAPPED +1 per new anon page) and agree with the live minflt.
p = spawn
r = mmap p 0 10p none private,anonymous
a = mmap p r+1p 8p rw private,fixed,anonymous => r+1p
touch p a 4p read
expect vmstat pgfault == 4
expect smaps p a Rss == 0 kB
write p a 0x41
write p a+1p 0x42
expect vmstat pgfault == 6
expect smaps p a Rss == 8 kB
expect smaps p a Private_Dirty == 8 kB
expect smaps p a Anonymous == 8 kB
expect pagemap p a present == 1
expect pagemap p a exclusive == 1
expect kpagecount p a count == 1
expect kpageflags p a ANON == 1
expect kpageflags p a ZERO_PAGE == 0
expect kpageflags p a+2p ZERO_PAGE == 1
expect kpagecount p a+2p count == 0
expect pagemap p a+2p exclusive == 0
read p a => 0x41
read p a+1p => 0x42
read p a+2p => 0
write p a+5p 0x43
expect vmstat pgfault == 7
expect smaps p a Rss == 12 kB
expect status p RssAnon == 12 kB
expect meminfo AnonPages == 12 kB
expect pagemap p a+4p present == 0
exit p
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
