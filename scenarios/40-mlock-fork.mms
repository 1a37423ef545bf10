# fork with mlocked pages (kernel-semantics.md S5). 32 anon pages mlocked in p. fork: the child's VMA
# loses VM_LOCKED (VmLck 0, Locked 0, no lo), the pages are shared copy-on-write and stay PG_mlocked
# through p's mapping (the child's pagemap/kpageflags show MLOCKED), and p's Locked is PSS-weighted:
# 64 kB. The child writes 8 pages: it gets new, unlocked pages; p's 8 become exclusive again, so p's
# Locked is 8*4 + 24*4/2 = 80 kB; no mlock events. p writes page 31 (still shared): the copy is a new
# page in a VM_LOCKED VMA (mlock_new_folio: mlocked/culled +1) and the old page, now only in the
# child, is munlocked (munlocked/rescued +1): p Locked 82. The child's mlock() mlocks its 8 own pages
# and its page 31 (which it reuses on the write fault, no copy) and COW-breaks the 23 still shared
# pages while populating with write faults (23 new mlocked pages; the old ones just lose the child's
# mlock count): 24 faults, mlocked +32, Mlocked 64 pages in all, both Locked 128. The child's exit
# munlocks its 32 pages (munlocked/rescued +32); p's munmap the last 32.
# Linux code: kernel/fork.c dup_mmap (vm_flags_clear(VM_LOCKED_MASK)), mm/memory.c copy_present_pte,
# wp_page_copy (folio_add_lru_vma -> mlock_new_folio; folio_remove_rmap_pte -> munlock_vma_folio),
# wp_can_reuse_anon_folio, mm/mlock.c mlock_pte_range/mlock_folio/__munlock_folio (mlock_count),
# mm/gup.c populate_vma_page_range (FOLL_WRITE), fs/proc/task_mmu.c smaps_account (Locked += pss).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/mlock.c (section "40"; the child
# is a forked servant): smaps Locked/Rss/lo of both, VmLck, kpageflags MLOCKED, child minflt +24,
# and the Mlocked/mlocked/munlocked/culled/rescued deltas with the drain protocol (+32; 0; +1/+1/+1/+1;
# +32 mlocked; +32 munlocked; +32 munlocked). AnonPages and pgfault are derived from source.
p = spawn
r = mmap p 0 34p none private,anonymous
a = mmap p r+1p 32p rw private,fixed,anonymous => r+1p
touch p a 32p write
write p a 0x41
mlock p a 32p
expect smaps p a Locked == 128 kB
expect meminfo Mlocked == 128 kB
expect vmstat unevictable_pgs_mlocked == 32
c = fork p
expect status p VmLck == 128 kB
expect smaps p a Locked == 64 kB
expect smaps p a VmFlags has lo
expect status c VmLck == 0 kB
expect smaps c a Locked == 0 kB
expect smaps c a Rss == 128 kB
expect smaps c a VmFlags lacks lo
expect kpageflags c a MLOCKED == 1
expect kpagecount c a count == 2
expect meminfo Mlocked == 128 kB
expect vmstat unevictable_pgs_mlocked == 32
touch c a 8p write
expect smaps p a Locked == 80 kB
expect smaps c a Locked == 0 kB
expect kpageflags c a MLOCKED == 0
expect kpageflags c a UNEVICTABLE == 0
expect kpageflags p a MLOCKED == 1
expect pagemap p a exclusive == 1
expect meminfo Mlocked == 128 kB
expect meminfo AnonPages == 160 kB
expect vmstat unevictable_pgs_mlocked == 32
expect vmstat unevictable_pgs_munlocked == 0
write p a+31p 0x5f
expect smaps p a Locked == 82 kB
expect kpageflags p a+31p MLOCKED == 1
expect kpageflags p a+31p UNEVICTABLE == 1
expect kpageflags c a+31p MLOCKED == 0
expect kpageflags c a+31p UNEVICTABLE == 0
expect kpagecount c a+31p count == 1
expect meminfo Mlocked == 128 kB
expect vmstat unevictable_pgs_mlocked == 33
expect vmstat unevictable_pgs_culled == 33
expect vmstat unevictable_pgs_munlocked == 1
expect vmstat unevictable_pgs_rescued == 1
expect vmstat pgfault == 41
mlock c a 32p
expect vmstat pgfault == 65
expect status c VmLck == 128 kB
expect smaps c a Locked == 128 kB
expect smaps c a VmFlags has lo
expect smaps p a Locked == 128 kB
expect kpageflags c a+10p MLOCKED == 1
expect kpageflags p a+10p MLOCKED == 1
expect kpagecount p a+10p count == 1
expect meminfo Mlocked == 256 kB
expect meminfo AnonPages == 256 kB
expect vmstat unevictable_pgs_mlocked == 65
expect vmstat unevictable_pgs_culled == 65
expect vmstat unevictable_pgs_munlocked == 1
read c a => 0x41
read c a+31p => 0
read p a+31p => 0x5f
exit c
expect smaps p a Locked == 128 kB
expect meminfo Mlocked == 128 kB
expect vmstat unevictable_pgs_munlocked == 33
expect vmstat unevictable_pgs_rescued == 33
munmap p a 32p
expect meminfo Mlocked == 0 kB
expect meminfo AnonPages == 0 kB
expect vmstat unevictable_pgs_munlocked == 65
expect vmstat unevictable_pgs_rescued == 65
expect vmstat unevictable_pgs_cleared == 0
exit p
expect invariants violations == 0
