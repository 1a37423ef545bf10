# Migrating memfd pages between nodes while the file is truncated, then every process exits:
# Pss_Shmem and RssShmem are 0. p maps a 4-page memfd shared and writes every page; its child q
# maps the file privately and writes page 2 (an anon COW copy). Three migrations to node 1 (p's
# pages 0 and 3, q's COW copy) interleave with an ftruncate to one page: each migration locks
# its page, replaces its PTEs by migration entries, then copies the page and restores the
# entries still there; the truncation's unmap pass zaps PTEs and migration entries alike
# (zap_nonpresent_ptes, even_cows), and its locked pass waits for the page a migration holds and
# unmaps again what a migration restored. In all 191 schedules `mmlab explore` tries, the
# expectations hold; scenario 116 turns on the pre-5.18 zap quirk.
# Linux code: mm/migrate.c migrate_folio_unmap, try_to_migrate_one, remove_migration_pte;
# mm/memory.c zap_nonpresent_ptes (is_migration_entry, should_zap_folio); mm/truncate.c
# truncate_pagecache, truncate_inode_pages_range (folio_lock, truncate_cleanup_folio).
# Figures: from the model's rules (tasks have no live-kernel counterpart); the smaps and status
# ones match the atomic model's.
machine nodes=2
p = spawn
fd = memfd_create p mig
ftruncate p fd 4p
a = mmap p 0 4p rw shared fd=fd
touch p a 4p write
q = fork p
b = mmap q 0 4p rw private fd=fd
write q b+2p 0x22
expect smaps_rollup q Anonymous == 4 kB
m1 = task migrate p a 1
m2 = task migrate q b+2p 1
m3 = task migrate p a+3p 1
t = task ftruncate p fd 1p
run_until_idle
expect task m1 errno == 0
expect task t errno == 0
expect status p RssShmem == 4 kB
expect smaps_rollup p Pss_Shmem == 4 kB
expect smaps_rollup q Rss == 0 kB
expect smaps_rollup q Anonymous == 0 kB
expect invariants violations == 0
ftruncate p fd 0
expect smaps_rollup p Pss_Shmem == 0 kB
expect smaps_rollup q Pss_Shmem == 0 kB
expect status p RssShmem == 0 kB
expect status q RssShmem == 0 kB
exit q
exit p
expect meminfo Shmem == 0 kB
expect invariants violations == 0
