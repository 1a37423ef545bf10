# move_pages(2) on a one-node machine. Without a node array it is a status query: a present anon
# page (written, mlocked, or named by an unaligned address) or a present shmem page -> its node, 0;
# the zero page -> -EFAULT; a mapped but never-faulted page (anon, a PROT_NONE guard, a shmem hole)
# -> -ENOENT; an address with no VMA -> -EFAULT. Moving every page to node 0 gives the same statuses
# (each present page is already there, nothing migrates: pgmigrate_success 0, the mlocked page keeps
# its mlock state, no stranded events). Any target node that is not online -> ENODEV for the whole
# call, also when only a later entry names it. Unknown flag bits -> EINVAL, query or move. An empty
# list returns an empty status list. MPOL_MF_MOVE on a query and flags 0 on a move are both fine.
# A page shared with a fork child is reported "already on node 0" (0), not -EACCES: that check comes
# first. After munmap the address is -EFAULT.
# Linux code: mm/migrate.c kernel_move_pages (flags check, EPERM/ESRCH), do_pages_move (node_state
# N_MEMORY -> ENODEV), do_pages_stat_array, __add_folio_for_migration (zero page -> -EFAULT, no
# folio -> -ENOENT, already on node -> 0, folio_maybe_mapped_shared -> -EACCES), folio_walk_start.
# Checked on the live kernel (Linux 6.18.44, one node) with scenarios/probes/numa.c (section "45"):
# every status list and errno below, pgmigrate_success +0; matches kernel-oracle.md II.4.
p = spawn
r = mmap p 0 10p none private,anonymous
a = mmap p r+1p 8p rw private,fixed,anonymous => r+1p
write p a 0x41
write p a+1p 0x42
read p a+2p => 0
fd = memfd_create p m45
ftruncate p fd 4p
rs = mmap p 0 6p none private,anonymous
s = mmap p rs+1p 4p rw shared,fixed fd=fd => rs+1p
write p s 0x53
rl = mmap p 0 4p none private,anonymous
l = mmap p rl+1p 2p rw private,fixed,anonymous => rl+1p
mlock p l 2p
move_pages p a,a+1p,a+2p,a+3p,a-1p,0x10000,s,s+1p,l,a+1 => [0,0,-EFAULT,-ENOENT,-ENOENT,-EFAULT,0,-ENOENT,0,0]
move_pages p a,a+1p,a+2p,a+3p,a-1p,0x10000,s,s+1p,l,a+1 nodes=0,0,0,0,0,0,0,0,0,0 move => [0,0,-EFAULT,-ENOENT,-ENOENT,-EFAULT,0,-ENOENT,0,0]
expect vmstat pgmigrate_success == 0
expect vmstat unevictable_pgs_stranded == 0
expect kpageflags p l MLOCKED == 1
expect meminfo Mlocked == 8 kB
move_pages p a nodes=1 move => ENODEV
move_pages p a,a+1p nodes=0,1 move => ENODEV
move_pages p a 0x8 => EINVAL
move_pages p a nodes=0 0x8 => EINVAL
move_pages p [] => []
move_pages p [] move => []
move_pages p a,a+1p move => [0,0]
move_pages p a,a+1p nodes=0,0 => [0,0]
read p a => 0x41
read p a+1p => 0x42
c = fork p
move_pages p a nodes=0 move => [0]
move_pages p a => [0]
exit c
munmap p r 10p
move_pages p a => [-EFAULT]
expect vmstat pgmigrate_success == 0
exit p
expect invariants violations == 0
