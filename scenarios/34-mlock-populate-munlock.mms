# mlock of a partly touched private anonymous range: 4 pages written, 2 read (zero page), 10
# untouched. mlock sets VM_LOCKED (VmFlags lo, no lf), adds the whole range to locked_vm (VmLck 64)
# and populates it with write faults (the range is writable and private), so the zero-page PTEs are
# replaced by real anon pages: Rss 64, Locked 64 (PSS of resident pages in the VM_LOCKED VMA),
# 12 faults. Every page is PG_mlocked and on the unevictable list: Mlocked/Unevictable 64 kB,
# unevictable_pgs_mlocked +16 (4 present pages through mlock_pte_range, 12 new ones through
# mlock_new_folio) and culled +16. A second mlock of the same range changes nothing (no double
# count). munlock of the middle 4 pages splits the VMA in three (maps +2), VmLck 48, and each page
# is munlocked and rescued to the evictable list; munlock of the rest merges the VMA back. The pages
# stay resident (Rss 64) and lose MLOCKED/UNEVICTABLE. munlock of an unlocked range is a no-op.
# Linux code: mm/mlock.c do_mlock/apply_vma_lock_flags/mlock_fixup/mlock_vma_pages_range/
# mlock_pte_range/mlock_folio/mlock_new_folio/__munlock_folio, mm/gup.c __mm_populate/
# populate_vma_page_range (FOLL_WRITE when VM_WRITE and not VM_SHARED), mm/memory.c do_wp_page on
# the zero page, mm/vma.c vma_modify_flags (split) and merge, fs/proc/task_mmu.c (Locked, lo).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/mlock.c (section "34"), including
# the global counters with the drain protocol of kernel-oracle.md §3 (CPU pinned, move_pages drain,
# stat_refresh): Mlocked +64, Unevictable +64, nr_mlock +16, mlocked/culled +16, munlocked/rescued
# +4 then +12, minflt +12. AnonPages and pgfault are machine-relative, derived from source (16 anon
# pages mapped; 4 write + 2 read faults, then 12 populate faults: pgfault counts GUP faults too).
p = spawn
r = mmap p 0 18p none private,anonymous
a = mmap p r+1p 16p rw private,fixed,anonymous => r+1p
touch p a 4p write
write p a 0x41
touch p a+4p 2p read
expect smaps p a Rss == 16 kB
expect kpageflags p a+4p ZERO_PAGE == 1
expect vmstat pgfault == 6
mlock p a 16p
expect vmstat pgfault == 18
expect status p VmLck == 64 kB
expect smaps p a Rss == 64 kB
expect smaps p a Locked == 64 kB
expect smaps p a VmFlags has lo
expect smaps p a VmFlags lacks lf
expect smaps_rollup p Locked == 64 kB
expect maps p count == 3
expect kpageflags p a MLOCKED == 1
expect kpageflags p a UNEVICTABLE == 1
expect kpageflags p a+4p ZERO_PAGE == 0
expect kpageflags p a+4p ANON == 1
expect kpageflags p a+4p MLOCKED == 1
expect kpageflags p a+15p MLOCKED == 1
expect pagemap p a+4p exclusive == 1
expect meminfo AnonPages == 64 kB
expect meminfo Mlocked == 64 kB
expect meminfo Unevictable == 64 kB
expect vmstat nr_mlock == 16
expect vmstat unevictable_pgs_mlocked == 16
expect vmstat unevictable_pgs_culled == 16
read p a => 0x41
read p a+4p => 0
mlock p a 16p
expect status p VmLck == 64 kB
expect vmstat unevictable_pgs_mlocked == 16
expect vmstat unevictable_pgs_culled == 16
munlock p a+4p 4p
expect maps p count == 5
expect status p VmLck == 48 kB
expect smaps p a Size == 16 kB
expect smaps p a Locked == 16 kB
expect smaps p a+4p Size == 16 kB
expect smaps p a+4p Rss == 16 kB
expect smaps p a+4p Locked == 0 kB
expect smaps p a+4p VmFlags lacks lo
expect smaps p a+8p Locked == 32 kB
expect smaps p a+8p VmFlags has lo
expect kpageflags p a+4p MLOCKED == 0
expect kpageflags p a+4p UNEVICTABLE == 0
expect meminfo Mlocked == 48 kB
expect vmstat unevictable_pgs_munlocked == 4
expect vmstat unevictable_pgs_rescued == 4
munlock p a 16p
expect maps p count == 3
expect status p VmLck == 0 kB
expect smaps p a Size == 64 kB
expect smaps p a Rss == 64 kB
expect smaps p a Locked == 0 kB
expect smaps p a VmFlags lacks lo
expect kpageflags p a MLOCKED == 0
expect kpageflags p a UNEVICTABLE == 0
expect kpageflags p a LRU == 1
expect meminfo Mlocked == 0 kB
expect meminfo Unevictable == 0 kB
expect vmstat unevictable_pgs_munlocked == 16
expect vmstat unevictable_pgs_rescued == 16
munlock p a 16p
expect vmstat unevictable_pgs_munlocked == 16
munmap p a 16p
expect meminfo AnonPages == 0 kB
expect vmstat unevictable_pgs_cleared == 0
exit p
expect invariants violations == 0
