# mremap with MREMAP_MAYMOVE when the VMA cannot grow in place (guards on both sides): the VMA moves
# with its page tables, so data, Rss, exclusivity and AnonPages are unchanged and no fault is taken;
# the old range becomes a hole (SIGSEGV). MREMAP_MAYMOVE|MREMAP_FIXED moves it to a chosen address,
# replacing whatever was mapped there (here part of the PROT_NONE reservation).
# Linux code: mm/mremap.c do_mremap -> move_vma -> copy_vma + move_page_tables (move_ptes), then
# unmap of the old range; MREMAP_FIXED: mremap_to (do_munmap of the target first).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/mremap.c (section "27"): moved,
# smaps Size/Rss, values, SIGSEGV(MAPERR) on the old range, RssAnon and maps deltas 0, pagemap excl.
# meminfo AnonPages/vmstat pgfault are machine-relative, derived from source (move_ptes moves PTEs
# without faults or new pages; the SIGSEGV on the old range is raised in arch/x86/mm/fault.c
# bad_area before handle_mm_fault, so it is not counted in pgfault).
p = spawn
r = mmap p 0 18p none private,anonymous
a = mmap p r+1p 8p rw private,fixed,anonymous => r+1p
touch p a 8p write
write p a 0x41
write p a+7p 0x47
expect maps p count == 3
n = mremap p a 8p 16p maymove
expect smaps p n Size == 64 kB
expect smaps p n Rss == 32 kB
read p n => 0x41
read p n+7p => 0x47
read p a => SIGSEGV(MAPERR)
expect status p RssAnon == 32 kB
expect maps p count == 3
expect pagemap p n exclusive == 1
expect kpagecount p n count == 1
expect vmstat pgfault == 8
t = mremap p n 16p 16p maymove,fixed to=r+1p => r+1p
expect vma p t start == r+1p
expect vma p t end == r+17p
expect smaps p t Rss == 32 kB
expect maps p count == 3
read p t => 0x41
read p t+7p => 0x47
read p t+8p => 0
read p n => SIGSEGV(MAPERR)
expect meminfo AnonPages == 32 kB
exit p
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
