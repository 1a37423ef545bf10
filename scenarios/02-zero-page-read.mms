# Read faults on untouched private anonymous memory map the shared zero page: the PTE is present
# (pagemap present=1, exclusive=0) but the page is not counted anywhere: Rss 0, RssAnon 0,
# kpagecount 0, kpageflags ZERO_PAGE (and RESERVED), never ANON. Reads return 0.
# Linux code: mm/memory.c do_anonymous_page (the !FAULT_FLAG_WRITE branch, my_zero_pfn),
# mm/memory.c vm_normal_page (zero page is special, so smaps skips it), fs/proc/page.c stable_page_flags.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/anon.c (section "02"):
# 16 read faults (minflt 16), Rss 0, pagemap present excl=0, kpagecount 0, ZERO_PAGE=1 RESERVED=1 ANON=0.
# meminfo AnonPages/vmstat pgfault are machine-relative, derived from source (handle_mm_fault counts
# PGFAULT per fault; the zero page is never added to NR_ANON_MAPPED).
p = spawn
r = mmap p 0 18p none private,anonymous
a = mmap p r+1p 16p rw private,fixed,anonymous => r+1p
touch p a 16p read
expect vmstat pgfault == 16
expect smaps p a Rss == 0 kB
expect smaps p a Pss == 0 kB
expect smaps p a Anonymous == 0 kB
expect status p RssAnon == 0 kB
expect status p VmRSS == 0 kB
expect pagemap p a present == 1
expect pagemap p a exclusive == 0
expect pagemap p a file == 0
expect kpagecount p a count == 0
expect kpageflags p a ZERO_PAGE == 1
expect kpageflags p a RESERVED == 1
expect kpageflags p a ANON == 0
expect pagemap p a+15p present == 1
expect kpageflags p a+15p ZERO_PAGE == 1
read p a+5p => 0
expect value p a+5p value == 0
expect vmstat pgfault == 16
expect meminfo AnonPages == 0 kB
exit p
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
