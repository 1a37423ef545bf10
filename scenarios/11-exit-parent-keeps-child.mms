# The parent exits while its child still shares its anonymous pages: the exit zaps only the
# parent's mappings, so the shared pages survive with mapcount 1 and the child's Pss goes back to
# the full 40 kB (Private_Dirty 40). The parent's own copy of page 0 is freed. A later child write to
# a formerly shared page reuses it in place (no new page; live: same PFN).
# Linux code: kernel/exit.c do_exit -> exit_mm -> mmput -> exit_mmap -> unmap_vmas (zap_pte_range,
# folio_remove_rmap_pte), mm/memory.c wp_can_reuse_anon_folio.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/fork.c (section "11": a servant
# plays p, its forked servant plays c, then p exits). meminfo AnonPages is machine-relative,
# derived from source (NR_ANON_MAPPED drops only when a page's last mapping goes).
p = spawn
r = mmap p 0 18p none private,anonymous
a = mmap p r+1p 16p rw private,fixed,anonymous => r+1p
touch p a 10p write
write p a 0x41
write p a+9p 0x49
c = fork p
write c a 0x61
expect smaps p a Pss == 22 kB
expect smaps c a Pss == 22 kB
expect smaps c a Shared_Dirty == 36 kB
expect smaps c a Private_Dirty == 4 kB
expect meminfo AnonPages == 44 kB
exit p
expect smaps c a Rss == 40 kB
expect smaps c a Pss == 40 kB
expect smaps c a Private_Dirty == 40 kB
expect smaps c a Shared_Dirty == 0 kB
expect pagemap c a+9p exclusive == 1
expect kpagecount c a+9p count == 1
expect meminfo AnonPages == 40 kB
read c a => 0x61
read c a+9p => 0x49
write c a+9p 0x79
expect meminfo AnonPages == 40 kB
expect smaps c a Pss == 40 kB
exit c
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
