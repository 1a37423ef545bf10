# A shmem page mapped by two VM_LOCKED mappings stays mlocked until the last of them goes.
# Two MAP_SHARED mappings of one 4-page memfd in one process: mlock(s1) mlocks the 4 pages
# (mlocked/culled +4); mlock(s2) maps them a second time (populate read-faults the shared mapping)
# and only raises each page's mlock_count (no events); Locked is PSS-weighted (8 kB in each).
# munlock(s1) leaves them MLOCKED (count 2 -> 1, no events); munlock(s2) clears PG_mlocked
# (munlocked/rescued +4). Across processes: p locks s1 again, a fork child (whose copy of s1 is
# unlocked and has no PTEs: fork does not copy shared file PTEs) mlocks its s1, p munlocks: the pages
# stay mlocked through the child's mapping. Truncating the file to 0 unmaps them from the child's
# locked VMA (munlock via rmap removal: munlocked/rescued +4, Shmem -16) although the child's VmLck
# stays 16 kB; touching the mapping then is SIGBUS. Same with exit as the first "unlock": a child
# and p both lock a second memfd, the child exits (no events, pages still MLOCKED), p's munmap
# munlocks them; the pages stay in the file (Shmem 16 kB) until the fd is closed.
# Linux code: mm/mlock.c mlock_folio/__mlock_folio (mlock_count++), __munlock_folio (count-- and
# stop while > 0), mm/rmap.c __folio_add_file_rmap -> mlock_vma_folio, __folio_remove_rmap ->
# munlock_vma_folio, mm/truncate.c truncate_inode_pages_range -> unmap_mapping_folio, kernel/fork.c
# dup_mmap (no copy_page_range without anon_vma), mm/shmem.c shmem_fault (SIGBUS beyond i_size).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/mlock.c (sections "44" and
# "44b"): smaps Rss/Locked/lo of every mapping, VmLck, kpageflags MLOCKED, kpagecount, SIGBUS, and
# the deltas with the drain protocol (+4; none; none; munlocked +4; +4; none; none; munlocked +4
# and Shmem -16 at the truncate; 44b: +4, exit nothing, munmap munlocked +4, close Shmem -16).
p = spawn
fd = memfd_create p m44
ftruncate p fd 4p
r1 = mmap p 0 6p none private,anonymous
s1 = mmap p r1+1p 4p rw shared,fixed fd=fd => r1+1p
r2 = mmap p 0 6p none private,anonymous
s2 = mmap p r2+1p 4p rw shared,fixed fd=fd => r2+1p
touch p s1 4p write
write p s1 0x53
mlock p s1 4p
expect smaps p s1 Locked == 16 kB
expect kpageflags p s1 MLOCKED == 1
expect kpageflags p s1 UNEVICTABLE == 1
expect meminfo Mlocked == 16 kB
expect vmstat unevictable_pgs_mlocked == 4
expect vmstat unevictable_pgs_culled == 4
mlock p s2 4p
expect smaps p s2 Rss == 16 kB
expect smaps p s2 Locked == 8 kB
expect smaps p s1 Locked == 8 kB
expect status p VmLck == 32 kB
expect status p RssShmem == 32 kB
expect kpagecount p s2 count == 2
expect meminfo Mlocked == 16 kB
expect vmstat unevictable_pgs_mlocked == 4
expect vmstat unevictable_pgs_culled == 4
read p s2 => 0x53
munlock p s1 4p
expect smaps p s1 Locked == 0 kB
expect smaps p s1 VmFlags lacks lo
expect kpageflags p s1 MLOCKED == 1
expect kpageflags p s1 UNEVICTABLE == 1
expect meminfo Mlocked == 16 kB
expect vmstat unevictable_pgs_munlocked == 0
munlock p s2 4p
expect kpageflags p s1 MLOCKED == 0
expect kpageflags p s1 UNEVICTABLE == 0
expect meminfo Mlocked == 0 kB
expect vmstat unevictable_pgs_munlocked == 4
expect vmstat unevictable_pgs_rescued == 4
munmap p r2 6p
mlock p s1 4p
expect vmstat unevictable_pgs_mlocked == 8
c = fork p
expect smaps c s1 Rss == 0 kB
expect smaps c s1 VmFlags lacks lo
expect status c VmLck == 0 kB
mlock c s1 4p
expect smaps c s1 Rss == 16 kB
expect smaps c s1 Locked == 8 kB
expect smaps p s1 Locked == 8 kB
expect status c VmLck == 16 kB
expect kpageflags c s1 MLOCKED == 1
expect meminfo Mlocked == 16 kB
expect vmstat unevictable_pgs_mlocked == 8
munlock p s1 4p
expect kpageflags c s1 MLOCKED == 1
expect smaps c s1 Locked == 8 kB
expect meminfo Mlocked == 16 kB
expect vmstat unevictable_pgs_munlocked == 4
ftruncate c fd 0
expect smaps c s1 Rss == 0 kB
expect smaps p s1 Rss == 0 kB
expect smaps c s1 VmFlags has lo
expect status c VmLck == 16 kB
expect meminfo Mlocked == 0 kB
expect meminfo Shmem == 0 kB
expect vmstat unevictable_pgs_munlocked == 8
expect vmstat unevictable_pgs_rescued == 8
read c s1 => SIGBUS
exit c
munmap p r1 6p
close p fd
# exit as the first unlock
fd2 = memfd_create p m44b
ftruncate p fd2 4p
r3 = mmap p 0 6p none private,anonymous
t = mmap p r3+1p 4p rw shared,fixed fd=fd2 => r3+1p
touch p t 4p write
c2 = fork p
mlock c2 t 4p
mlock p t 4p
expect meminfo Mlocked == 16 kB
expect vmstat unevictable_pgs_mlocked == 12
exit c2
expect kpageflags p t MLOCKED == 1
expect meminfo Mlocked == 16 kB
expect vmstat unevictable_pgs_munlocked == 8
munmap p r3 6p
expect meminfo Mlocked == 0 kB
expect meminfo Shmem == 16 kB
expect vmstat unevictable_pgs_munlocked == 12
expect vmstat unevictable_pgs_rescued == 12
close p fd2
expect meminfo Shmem == 0 kB
exit p
expect vmstat unevictable_pgs_cleared == 0
expect invariants violations == 0
