# mlock over [A][hole][B]: apply_vma_lock_flags walks the VMAs from the start and fails at the
# hole, so A becomes VM_LOCKED (VmLck 16, its one present page mlocked) but is not populated (the
# error comes before __mm_populate), B is untouched, and the call returns ENOMEM. munlock over the
# same range unlocks A and also returns ENOMEM. A range starting in the hole is ENOMEM with no change.
# A PROT_NONE VMA: mlock sets VM_LOCKED and counts it in VmLck, populating fails, so mlock returns
# ENOMEM but the VMA stays locked (a PROT_NONE guard page likewise). mprotect(RW) of that locked VMA
# populates it with write faults (4 new pages, mlocked); mprotect(PROT_NONE) of half of it splits the
# VMA but leaves the pages resident, mlocked and counted in Locked (a read there is SIGSEGV). A
# read-only private VMA is populated by mlock with read faults: 4 zero-page PTEs, which are never
# mlocked and not resident (Rss 0, Locked 0); mprotect(RW) then write-faults them into real, mlocked
# anon pages.
# Linux code: mm/mlock.c apply_vma_lock_flags (!vma or vma->vm_start != nstart -> ENOMEM),
# do_mlock (error before __mm_populate), mm/gup.c __mm_populate/populate_vma_page_range
# (PROT_NONE -> -ENOMEM via check_vma_flags, FOLL_FORCE read faults on read-only VMAs),
# mm/mprotect.c mprotect_fixup (VM_LOCKED, newly writable -> populate_vma_page_range),
# mm/memory.c do_anonymous_page (zero page), do_wp_page.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/mlock.c (section "39"): errnos,
# smaps Rss/Locked/lo, VmLck, maps, kpageflags, minflt +4/+4/+4, SIGSEGV(ACCERR), and
# Mlocked/mlocked/culled/munlocked/rescued deltas with the drain protocol (kernel-oracle.md §3).
# AnonPages and pgfault are derived from source.
p = spawn
r = mmap p 0 12p none private,anonymous
A = mmap p r+1p 4p rw private,fixed,anonymous => r+1p
munmap p r+5p 2p
B = mmap p r+7p 4p rw private,fixed,anonymous => r+7p
write p A 0x41
write p B 0x42
expect maps p count == 4
mlock p A 10p => ENOMEM
expect smaps p A VmFlags has lo
expect smaps p A Rss == 4 kB
expect smaps p A Locked == 4 kB
expect smaps p B VmFlags lacks lo
expect smaps p B Locked == 0 kB
expect status p VmLck == 16 kB
expect maps p count == 4
expect kpageflags p A MLOCKED == 1
expect kpageflags p B MLOCKED == 0
expect meminfo Mlocked == 4 kB
expect vmstat unevictable_pgs_mlocked == 1
munlock p A 10p => ENOMEM
expect smaps p A VmFlags lacks lo
expect status p VmLck == 0 kB
expect meminfo Mlocked == 0 kB
expect vmstat unevictable_pgs_munlocked == 1
expect vmstat unevictable_pgs_rescued == 1
mlock p r+5p 6p => ENOMEM
expect smaps p B VmFlags lacks lo
expect status p VmLck == 0 kB
mlock p r+5p 2p => ENOMEM
mlock p r+11p 1p => ENOMEM
expect smaps p r+11p VmFlags has lo
expect status p VmLck == 4 kB
munlock p r+11p 1p
expect status p VmLck == 0 kB
munmap p r 12p
# PROT_NONE between read-only guards
rr = mmap p 0 6p r private,anonymous
c = mmap p rr+1p 4p none private,fixed,anonymous => rr+1p
expect maps p count == 3
mlock p c 4p => ENOMEM
expect smaps p c VmFlags has lo
expect smaps p c Rss == 0 kB
expect status p VmLck == 16 kB
expect vmstat pgfault == 2
mprotect p c 4p rw
expect vmstat pgfault == 6
expect smaps p c Rss == 16 kB
expect smaps p c Locked == 16 kB
expect kpageflags p c+3p MLOCKED == 1
expect meminfo Mlocked == 16 kB
expect vmstat unevictable_pgs_mlocked == 5
expect vmstat unevictable_pgs_culled == 5
mprotect p c+2p 2p none
expect maps p count == 4
expect smaps p c Size == 8 kB
expect smaps p c Locked == 8 kB
expect smaps p c+2p Size == 8 kB
expect smaps p c+2p Rss == 8 kB
expect smaps p c+2p Locked == 8 kB
expect smaps p c+2p VmFlags has lo
expect kpageflags p c+3p MLOCKED == 1
expect status p VmLck == 16 kB
expect meminfo Mlocked == 16 kB
read p c+2p => SIGSEGV(ACCERR)
munmap p rr 6p
expect meminfo Mlocked == 0 kB
expect vmstat unevictable_pgs_munlocked == 5
expect status p VmLck == 0 kB
# read-only: mlock maps zero pages
rd = mmap p 0 6p none private,anonymous
d = mmap p rd+1p 4p r private,fixed,anonymous => rd+1p
mlock p d 4p
expect vmstat pgfault == 10
expect smaps p d Rss == 0 kB
expect smaps p d Locked == 0 kB
expect status p VmLck == 16 kB
expect pagemap p d present == 1
expect kpageflags p d ZERO_PAGE == 1
expect kpageflags p d MLOCKED == 0
expect vmstat unevictable_pgs_mlocked == 5
mprotect p d 4p rw
expect vmstat pgfault == 14
expect smaps p d Rss == 16 kB
expect smaps p d Locked == 16 kB
expect kpageflags p d ZERO_PAGE == 0
expect kpageflags p d MLOCKED == 1
expect meminfo Mlocked == 16 kB
expect vmstat unevictable_pgs_mlocked == 9
read p d => 0
munmap p rd 6p
expect meminfo Mlocked == 0 kB
expect meminfo AnonPages == 0 kB
expect vmstat unevictable_pgs_munlocked == 9
expect vmstat unevictable_pgs_rescued == 9
expect vmstat unevictable_pgs_cleared == 0
exit p
expect invariants violations == 0
