# move_pages(2) migrating between two nodes. Pages start on node 0. Moving two anon pages to node 1
# gives status [1,1]: the data, Rss/Pss, pagemap exclusive bit and mapcount are unchanged, the pages
# now count in node 1's AnonPages, pgmigrate_success counts each page. A page already on the target
# node reports that node without migrating. Migrating two mlocked pages of a VM_LOCKED VMA: the old
# page is isolated from the unevictable LRU, so the munlock done by try_to_migrate finds it off the
# LRU -> unevictable_pgs_stranded +1; folio_migrate_flags hands PG_unevictable to the new page, and
# folio_add_lru(dst) (immediate: move_pages disables the LRU caches) finds it evictable because
# PG_mlocked is not copied -> unevictable_pgs_rescued +1; remove_migration_pte maps it into the
# VM_LOCKED VMA -> mlock_folio: mlocked +1 and, now on the LRU, culled +1. Net: Mlocked moves from
# node 0 to node 1, Locked unchanged, the page still MLOCKED. A shmem page migrates too (page cache
# slot replaced: node 1 Shmem). A page shared with a fork child on another node -> -EACCES without
# MPOL_MF_MOVE_ALL ("already on the target node" is checked first); once the child is gone it moves.
# Node 2 does not exist -> ENODEV; zero page -EFAULT, untouched -ENOENT as on one node.
# Linux code: mm/migrate.c do_pages_move, __add_folio_for_migration, migrate_pages_batch,
# migrate_folio_unmap (PAGE_WAS_MLOCKED), migrate_folio_move (folio_add_lru(dst); lru_add_drain();
# remove_migration_ptes), folio_migrate_flags, remove_migration_pte (mlock_vma_folio), mm/rmap.c
# try_to_migrate_one (folio_remove_rmap_pte -> munlock_vma_folio), mm/mlock.c __munlock_folio
# (not on LRU -> stranded), __mlock_folio (culled), mm/swap.c lru_add (was_unevictable and
# evictable -> rescued), folio_add_lru/lru_cache_disabled.
# Derived from mm/migrate.c and friends (the VM has one node). The four per-page mlock events of a
# migration were checked on the live kernel through compaction, which migrates the same way
# (scenarios/probes/mlock.c section "46c": stranded = rescued = mlocked = culled for every migrated
# mlocked page, e.g. 287 each with 174 of the probe's pages moved, and the pages stay MLOCKED).
machine nodes=2
p = spawn
r = mmap p 0 6p none private,anonymous
a = mmap p r+1p 4p rw private,fixed,anonymous => r+1p
touch p a 4p write
write p a 0x41
write p a+1p 0x42
rb = mmap p 0 4p none private,anonymous
b = mmap p rb+1p 2p rw private,fixed,anonymous => rb+1p
mlock p b 2p
write p b 0x62
fd = memfd_create p m46
ftruncate p fd 2p
rs = mmap p 0 4p none private,anonymous
s = mmap p rs+1p 2p rw shared,fixed fd=fd => rs+1p
write p s 0x53
expect meminfo node=0 AnonPages == 24 kB
expect meminfo node=1 AnonPages == 0 kB
expect meminfo node=0 Mlocked == 8 kB
move_pages p a,a+1p,a+2p,a+3p => [0,0,0,0]
move_pages p a,a+1p nodes=1,1 move => [1,1]
expect vmstat pgmigrate_success == 2
expect meminfo node=0 AnonPages == 16 kB
expect meminfo node=1 AnonPages == 8 kB
expect meminfo AnonPages == 24 kB
expect smaps p a Rss == 16 kB
expect smaps p a Pss == 16 kB
expect pagemap p a exclusive == 1
expect kpagecount p a count == 1
expect kpageflags p a ANON == 1
read p a => 0x41
read p a+1p => 0x42
move_pages p a,a+1p,a+2p,a+3p => [1,1,0,0]
move_pages p a nodes=1 move => [1]
expect vmstat pgmigrate_success == 2
expect vmstat unevictable_pgs_mlocked == 2
expect vmstat unevictable_pgs_culled == 2
move_pages p b,b+1p nodes=1,1 move => [1,1]
expect vmstat pgmigrate_success == 4
expect smaps p b Locked == 8 kB
expect smaps p b Rss == 8 kB
expect kpageflags p b MLOCKED == 1
expect kpageflags p b UNEVICTABLE == 1
expect meminfo Mlocked == 8 kB
expect meminfo node=0 Mlocked == 0 kB
expect meminfo node=1 Mlocked == 8 kB
expect meminfo node=1 Unevictable == 8 kB
expect vmstat unevictable_pgs_stranded == 2
expect vmstat unevictable_pgs_mlocked == 4
expect vmstat unevictable_pgs_culled == 4
expect vmstat unevictable_pgs_rescued == 2
expect vmstat unevictable_pgs_munlocked == 0
read p b => 0x62
munlock p b 2p
expect meminfo Mlocked == 0 kB
expect kpageflags p b UNEVICTABLE == 0
expect vmstat unevictable_pgs_munlocked == 2
expect vmstat unevictable_pgs_rescued == 4
move_pages p s nodes=1 move => [1]
expect vmstat pgmigrate_success == 5
expect meminfo node=0 Shmem == 0 kB
expect meminfo node=1 Shmem == 4 kB
expect status p RssShmem == 4 kB
read p s => 0x53
pread p fd 0 => 0x53
c = fork p
move_pages p a+2p nodes=1 move => [-EACCES]
move_pages p a nodes=0 move => [-EACCES]
move_pages p a nodes=1 move => [1]
expect vmstat pgmigrate_success == 5
exit c
move_pages p a+2p,a+3p nodes=1,1 move => [1,1]
expect vmstat pgmigrate_success == 7
expect meminfo node=0 AnonPages == 0 kB
expect meminfo node=1 AnonPages == 24 kB
move_pages p a nodes=2 move => ENODEV
ro = mmap p 0 2p r private,anonymous
read p ro => 0
move_pages p ro,ro+1p,0x10000 nodes=1,1,1 move => [-EFAULT,-ENOENT,-EFAULT]
expect vmstat pgmigrate_success == 7
exit p
expect meminfo node=1 AnonPages == 0 kB
expect meminfo node=1 Shmem == 0 kB
expect vmstat unevictable_pgs_cleared == 0
expect invariants violations == 0
