# Anonymous write faults: each first write to an untouched private anonymous page allocates a new
# zeroed page that counts in Rss/Pss/Anonymous/Private_Dirty and RssAnon; untouched pages stay
# non-present. The region sits inside a PROT_NONE reservation, as in the probe.
# Linux code: mm/memory.c do_anonymous_page, fs/proc/task_mmu.c smaps_pte_entry/smaps_account,
# fs/proc/array.c task_mem (via fs/proc/task_mmu.c), fs/proc/page.c kpagecount_read/stable_page_flags.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/anon.c (section "01"):
# smaps, status deltas, pagemap, kpagecount, kpageflags, page values and minflt (10 faults).
# meminfo AnonPages and vmstat pgfault/nr_anon_pages are machine-relative (fresh machine = 0),
# derived from source (mm/rmap.c folio_add_new_anon_rmap -> NR_ANON_MAPPED;
# mm/memory.c handle_mm_fault -> PGFAULT) and agree with the live per-process minflt.
p = spawn
r = mmap p 0 18p none private,anonymous
a = mmap p r+1p 16p rw private,fixed,anonymous => r+1p
expect maps p count == 3
expect status p VmSize == 72 kB
expect smaps p a Size == 64 kB
expect smaps p a Rss == 0 kB
touch p a 10p write
expect vmstat pgfault == 10
expect smaps p a Rss == 40 kB
expect smaps p a Pss == 40 kB
expect smaps p a Pss_Dirty == 40 kB
expect smaps p a Private_Dirty == 40 kB
expect smaps p a Shared_Dirty == 0 kB
expect smaps p a Anonymous == 40 kB
expect smaps_rollup p Pss_Anon == 40 kB
expect status p RssAnon == 40 kB
expect status p VmRSS == 40 kB
expect pagemap p a present == 1
expect pagemap p a exclusive == 1
expect pagemap p a file == 0
expect kpagecount p a count == 1
expect kpageflags p a ANON == 1
expect kpageflags p a SWAPBACKED == 1
expect kpageflags p a ZERO_PAGE == 0
expect pagemap p a+10p present == 0
expect meminfo AnonPages == 40 kB
expect vmstat nr_anon_pages == 10
write p a 0x41
read p a => 0x41
read p a+1p => 0
expect smaps p a Rss == 40 kB
expect vmstat pgfault == 10
munmap p r 18p
expect maps p count == 0
expect meminfo AnonPages == 0 kB
exit p
expect invariants violations == 0
