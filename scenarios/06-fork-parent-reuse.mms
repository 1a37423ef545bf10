# Continues 05: after the child copied pages 0-3, the parent writes page 0 and page 4. Page 0 is
# mapped only by the parent now, so the write fault reuses it in place (no new page: AnonPages
# unchanged, live: same PFN); page 4 is still shared, so the parent gets a copy and the child's
# page 4 becomes exclusive. Pss 30 on both sides; child exit gives the parent Pss 40 back.
# Linux code: mm/memory.c do_wp_page -> wp_can_reuse_anon_folio/wp_page_reuse vs wp_page_copy,
# fs/proc/task_mmu.c smaps_account.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/fork.c (section "06"): page 0
# kept its PFN, page 4 got a new one; Pss 30, Shared_Dirty 20, Private_Dirty 20 on both sides;
# child page 4 exclusive with kpagecount 1. meminfo AnonPages/vmstat pgfault are machine-relative,
# derived from source (a reuse fault allocates nothing; a copy allocates one page).
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
expect meminfo AnonPages == 56 kB
expect smaps p a Pss == 28 kB
write p a 0x71
expect meminfo AnonPages == 56 kB
expect kpagecount p a count == 1
write p a+4p 0x75
expect meminfo AnonPages == 60 kB
expect vmstat pgfault == 16
expect smaps p a Pss == 30 kB
expect smaps p a Shared_Dirty == 20 kB
expect smaps p a Private_Dirty == 20 kB
expect smaps c a Pss == 30 kB
expect smaps c a Shared_Dirty == 20 kB
expect smaps c a Private_Dirty == 20 kB
expect pagemap c a+4p exclusive == 1
expect kpagecount c a+4p count == 1
read c a+4p => 0x45
read p a+4p => 0x75
read c a => 0x61
read p a => 0x71
exit c
expect smaps p a Pss == 40 kB
expect smaps p a Private_Dirty == 40 kB
expect meminfo AnonPages == 40 kB
exit p
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
