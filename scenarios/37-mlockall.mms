# mlockall. MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT rewrites every VMA to VM_LOCKED|VM_LOCKONFAULT
# (PROT_NONE reservations included: VmLck == VmSize) without populating; the one present page is
# mlocked. MCL_FUTURE puts VM_LOCKED|VM_LOCKONFAULT in mm->def_flags, so a new mmap is born `lo lf`
# and counted in VmLck at once (a 5-page reservation +20 kB; placed right below the first
# reservation it merges with that one's equally locked guard page; the MAP_FIXED mapping inside it
# keeps the total), stays unpopulated, mlocks on fault, and splits/merges on munlock like any locked VMA
# (test_mlockall). munlockall clears every VMA and def_flags: a later mmap is not locked.
# mlockall(CURRENT|FUTURE) populates every accessible VMA (write faults; PROT_NONE guards stay empty
# and their populate failure is ignored) and a new 16-page mapping in an 18-page reservation is
# populated and mlocked by mmap itself (VmLck +72, Rss 64, 16 faults). Calling mlockall(CURRENT)
# again drops MCL_FUTURE (flags do not stack): the next mmap is unlocked. MCL_FUTURE is not
# inherited by a fork child (its VMAs and def_flags lose VM_LOCKED; VmLck 0; the shared pages stay
# MLOCKED through the parent's mapping). Invalid flags (0, ONFAULT alone, unknown bits) -> EINVAL.
# Linux code: mm/mlock.c sys_mlockall/apply_mlockall_flags/sys_munlockall, mm/mmap.c do_mmap
# (mm->def_flags, mlock_future_ok) and __mmap_region/vm_mmap_pgoff (mm_populate when VM_LOCKED and
# not VM_LOCKONFAULT), mm/gup.c __mm_populate(ignore_errors), kernel/fork.c dup_mmap/mm_init
# (VM_LOCKED_MASK cleared, def_flags & VM_INIT_DEF_MASK).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/mlock.c (section "37", in a
# forked child; "37m" for the merge of adjacent reservations: maps +3 then +5, 24 kB then 4/12/8 kB
# pieces): VmFlags of the VMAs and guards, VmLck deltas +20/-4/-8/+72/0, Rss/Locked, the
# fork child's view, errnos; mlock events of the write and of the 16-page mmap with the drain
# protocol. The live process also has libc/stack VMAs (its VmLck is VmSize minus the special
# vvar/vdso VMAs); here the process has only the script's VMAs, so the absolute VmLck/VmSize and
# the running Mlocked/event totals are derived from those per-VMA numbers.
p = spawn
r = mmap p 0 6p none private,anonymous
x = mmap p r+1p 4p rw private,fixed,anonymous => r+1p
write p x 0x58
mlockall p current,future,onfault
expect smaps p x VmFlags has lo
expect smaps p x VmFlags has lf
expect smaps p r VmFlags has lo
expect smaps p r VmFlags has lf
expect smaps p x Rss == 4 kB
expect smaps p x Locked == 4 kB
expect status p VmSize == 24 kB
expect status p VmLck == 24 kB
expect kpageflags p x MLOCKED == 1
expect vmstat unevictable_pgs_mlocked == 1
r2 = mmap p r-5p 5p none private,anonymous,fixed_noreplace => r-5p
expect status p VmLck == 44 kB
expect smaps p r2 VmFlags has lf
expect smaps p r2 Size == 24 kB
expect maps p count == 3
n = mmap p r2+1p 3p rw private,fixed,anonymous => r2+1p
expect status p VmLck == 44 kB
expect maps p count == 5
expect smaps p r2 Size == 4 kB
expect smaps p r Size == 8 kB
expect smaps p n VmFlags has lo
expect smaps p n VmFlags has lf
expect smaps p n Rss == 0 kB
expect vmstat unevictable_pgs_mlocked == 1
write p n 0x4e
expect smaps p n Rss == 4 kB
expect smaps p n Locked == 4 kB
expect kpageflags p n MLOCKED == 1
expect vmstat unevictable_pgs_mlocked == 2
expect vmstat unevictable_pgs_culled == 2
munlock p n+1p 1p
expect maps p count == 7
expect status p VmLck == 40 kB
expect smaps p n+1p VmFlags lacks lo
expect smaps p n+2p VmFlags has lo
expect smaps p n+2p VmFlags has lf
munlock p n 3p
expect maps p count == 5
expect status p VmLck == 32 kB
expect smaps p n Size == 12 kB
expect smaps p n Locked == 0 kB
expect kpageflags p n MLOCKED == 0
munlockall p
expect smaps p x VmFlags lacks lo
expect smaps p x VmFlags lacks lf
expect smaps p x Rss == 4 kB
expect status p VmLck == 0 kB
expect meminfo Mlocked == 0 kB
expect vmstat unevictable_pgs_munlocked == 2
u = mmap p 0 2p rw private,anonymous
expect smaps p u VmFlags lacks lo
expect status p VmLck == 0 kB
expect vmstat pgfault == 2
mlockall p current,future
expect vmstat pgfault == 9
expect status p VmSize == 52 kB
expect status p VmLck == 52 kB
expect smaps p x Rss == 16 kB
expect smaps p x Locked == 16 kB
expect smaps p x VmFlags lacks lf
expect smaps p n Rss == 12 kB
expect smaps p n Locked == 12 kB
expect smaps p u Rss == 8 kB
expect smaps p r VmFlags has lo
expect smaps p r Rss == 0 kB
expect meminfo Mlocked == 36 kB
expect vmstat unevictable_pgs_mlocked == 11
read p x => 0x58
read p n => 0x4e
r3 = mmap p 0 18p none private,anonymous
m = mmap p r3+1p 16p rw private,fixed,anonymous => r3+1p
expect vmstat pgfault == 25
expect status p VmLck == 124 kB
expect smaps p m Rss == 64 kB
expect smaps p m Locked == 64 kB
expect smaps p m VmFlags has lo
expect smaps p m VmFlags lacks lf
expect meminfo Mlocked == 100 kB
expect vmstat unevictable_pgs_mlocked == 27
expect vmstat unevictable_pgs_culled == 27
mlockall p current
k = mmap p 0 4p rw private,anonymous
expect smaps p k VmFlags lacks lo
expect smaps p k Rss == 0 kB
expect status p VmLck == 124 kB
expect status p VmSize == 140 kB
expect smaps p m VmFlags has lo
mlockall p current,future
expect status p VmLck == 140 kB
expect smaps p k Rss == 16 kB
expect vmstat unevictable_pgs_mlocked == 31
c = fork p
expect status c VmLck == 0 kB
expect smaps c m VmFlags lacks lo
expect smaps c m Rss == 64 kB
expect smaps c m Locked == 0 kB
expect smaps p m Locked == 32 kB
expect kpageflags c m MLOCKED == 1
q = mmap c 0 2p rw private,anonymous
expect smaps c q VmFlags lacks lo
expect status c VmLck == 0 kB
exit c
mlockall p 0 => EINVAL
mlockall p onfault => EINVAL
mlockall p 0x8 => EINVAL
mlockall p current,0x8 => EINVAL
mlockall p future,onfault
expect status p VmLck == 140 kB
expect smaps p m VmFlags lacks lf
munlockall p
expect status p VmLck == 0 kB
expect smaps p m VmFlags lacks lo
expect smaps p m Rss == 64 kB
expect meminfo Mlocked == 0 kB
expect vmstat unevictable_pgs_munlocked == 31
expect vmstat unevictable_pgs_rescued == 31
expect vmstat unevictable_pgs_cleared == 0
exit p
expect invariants violations == 0
