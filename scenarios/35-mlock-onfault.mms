# mlock2(MLOCK_ONFAULT): the VMA gets VM_LOCKED|VM_LOCKONFAULT (VmFlags lo lf) and counts in VmLck
# in full (8 kB for 2 pages) but nothing is populated: Rss 0, Locked 0, no mlock events. A write fault
# then maps a new page that is mlocked at once (mlock_new_folio: Mlocked +4, mlocked/culled +1,
# Locked 4); a read fault maps the zero page, which is never mlocked and not counted in Rss/Locked.
# munlock drops lo and lf. test_lock_onfault_of_present: a page written before mlock2(ONFAULT) is
# mlocked by the mlock2 call itself (Rss 4 < Size 8, Locked 4). mlock() over an ONFAULT VMA clears
# lf and populates the rest with write faults (the zero page included: 3 new pages, mlocked +3);
# mlock2(ONFAULT) over a locked VMA only sets lf again (no events, Rss unchanged).
# Linux code: mm/mlock.c sys_mlock2/do_mlock/mlock_fixup (VM_LOCKED already set: flags rewritten
# only), mm/gup.c populate_vma_page_range (returns at once for VM_LOCKONFAULT), mm/memory.c
# do_anonymous_page (zero page on read), mm/internal.h mlock_vma_folio (never for the zero page),
# tools/testing/selftests/mm/mlock2-tests.c test_mlock_onfault/test_lock_onfault_of_present.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/mlock.c (section "35"): smaps,
# VmLck, kpageflags, minflt +3, and Mlocked/nr_mlock/unevictable_pgs_* deltas with the drain
# protocol (kernel-oracle.md §3). Running totals below are those deltas summed from a fresh
# machine; AnonPages and pgfault are derived from source.
p = spawn
r = mmap p 0 4p none private,anonymous
a = mmap p r+1p 2p rw private,fixed,anonymous => r+1p
mlock2 p a 2p onfault
expect smaps p a VmFlags has lo
expect smaps p a VmFlags has lf
expect smaps p a Rss == 0 kB
expect smaps p a Locked == 0 kB
expect status p VmLck == 8 kB
expect vmstat unevictable_pgs_mlocked == 0
expect meminfo Mlocked == 0 kB
write p a 0x41
expect smaps p a Rss == 4 kB
expect smaps p a Locked == 4 kB
expect kpageflags p a MLOCKED == 1
expect kpageflags p a UNEVICTABLE == 1
expect meminfo Mlocked == 4 kB
expect vmstat unevictable_pgs_mlocked == 1
expect vmstat unevictable_pgs_culled == 1
read p a+1p => 0
expect smaps p a Rss == 4 kB
expect smaps p a Locked == 4 kB
expect kpageflags p a+1p ZERO_PAGE == 1
expect kpageflags p a+1p MLOCKED == 0
expect meminfo Mlocked == 4 kB
munlock p a 2p
expect smaps p a VmFlags lacks lo
expect smaps p a VmFlags lacks lf
expect smaps p a Rss == 4 kB
expect smaps p a Locked == 0 kB
expect status p VmLck == 0 kB
expect meminfo Mlocked == 0 kB
expect vmstat unevictable_pgs_munlocked == 1
expect vmstat unevictable_pgs_rescued == 1
munmap p r 4p
# test_lock_onfault_of_present
r = mmap p 0 4p none private,anonymous
b = mmap p r+1p 2p rw private,fixed,anonymous => r+1p
write p b 0x42
mlock2 p b 2p onfault
expect smaps p b Size == 8 kB
expect smaps p b Rss == 4 kB
expect smaps p b Locked == 4 kB
expect smaps p b VmFlags has lf
expect status p VmLck == 8 kB
expect kpageflags p b MLOCKED == 1
expect meminfo Mlocked == 4 kB
expect vmstat unevictable_pgs_mlocked == 2
expect vmstat unevictable_pgs_culled == 2
munmap p r 4p
expect meminfo Mlocked == 0 kB
expect vmstat unevictable_pgs_munlocked == 2
expect vmstat unevictable_pgs_rescued == 2
expect status p VmLck == 0 kB
# mlock() over an ONFAULT VMA populates it
r = mmap p 0 6p none private,anonymous
c = mmap p r+1p 4p rw private,fixed,anonymous => r+1p
mlock2 p c 4p onfault
write p c 0x43
read p c+1p => 0
expect vmstat unevictable_pgs_mlocked == 3
expect vmstat pgfault == 5
mlock p c 4p
expect vmstat pgfault == 8
expect smaps p c VmFlags has lo
expect smaps p c VmFlags lacks lf
expect smaps p c Rss == 16 kB
expect smaps p c Locked == 16 kB
expect status p VmLck == 16 kB
expect kpageflags p c+1p ZERO_PAGE == 0
expect kpageflags p c+1p MLOCKED == 1
expect meminfo Mlocked == 16 kB
expect vmstat unevictable_pgs_mlocked == 6
expect vmstat unevictable_pgs_culled == 6
mlock2 p c 4p onfault
expect smaps p c VmFlags has lf
expect smaps p c Rss == 16 kB
expect status p VmLck == 16 kB
expect vmstat unevictable_pgs_mlocked == 6
expect meminfo Mlocked == 16 kB
read p c => 0x43
munmap p r 6p
expect meminfo Mlocked == 0 kB
expect meminfo AnonPages == 0 kB
expect vmstat unevictable_pgs_munlocked == 6
expect vmstat unevictable_pgs_rescued == 6
expect vmstat unevictable_pgs_cleared == 0
exit p
expect invariants violations == 0
