# Truncation racing reclaim on a VM_LOCKED VMA never frees a PG_mlocked page. Two pages of a
# memfd are mapped shared by p and by its child c; reclaim isolates both (two tasks, each holding
# its page locked and referenced) before c mlocks the whole file, then a hole punch over them
# and reclaim's rmap walks interleave. Each walk unmaps p's PTE, then meets c's VM_LOCKED VMA:
# under the pte lock it mlocks the page (here already mlocked) and aborts, or finds the PTE
# already zapped by the punch's unmap pass and finishes with no mapping left. The punch's locked
# pass waits for each page's lock (waits(folio)). In every schedule `mmlab explore` tries, the
# expectations below hold: nothing is left mlocked or unevictable but c's two other pages, and no
# page is freed PG_mlocked (unevictable_pgs_cleared stays 0; before 2022 such a free was "BUG:
# Bad page state"). Scenario 114 turns on the pre-4.4 trylock and finds the schedule that breaks.
# Linux code: mm/vmscan.c shrink_folio_list (folio_trylock), mm/rmap.c try_to_unmap_one (VM_LOCKED:
# mlock_vma_folio under the pte lock, walk_abort), mm/shmem.c shmem_fallocate PUNCH_HOLE
# (unmap_mapping_range, then shmem_truncate_range: folio_lock, truncate_inode_folio), mm/mlock.c
# munlock_folio (the zap of a VM_LOCKED PTE).
# Figures: from the model's rules (tasks have no live-kernel counterpart: the kernel cannot be
# paused between these steps); the smaps/meminfo ones match the atomic model's.
machine
p = spawn
fd = memfd_create p race
ftruncate p fd 4p
a = mmap p 0 4p rw shared fd=fd
write p a 0x11
write p a+1p 0x22
c = fork p
r1 = task reclaim p a
r2 = task reclaim p a+1p
step r1 => ran
step r2 => ran
mlock c a 4p
# Pages 0 and 1 are shared by p and c (Pss 2 kB each in c), pages 2 and 3 only c's.
expect smaps c a Locked == 12 kB
expect meminfo Mlocked == 16 kB
h = task fallocate p fd keep_size,punch_hole 0 2p
run_until_idle
expect task r1 done == 1
expect task r2 done == 1
expect task h done == 1
expect task h errno == 0
expect tasks completed == 3
expect smaps c a Rss == 8 kB
expect smaps c a Locked == 8 kB
expect smaps p a Rss == 0 kB
expect meminfo Mlocked == 8 kB
expect meminfo Unevictable == 8 kB
expect meminfo Shmem == 8 kB
expect vmstat unevictable_pgs_cleared == 0
expect invariants violations == 0
read c a => 0
exit c
exit p
expect meminfo Mlocked == 0 kB
expect meminfo Unevictable == 0 kB
expect meminfo Shmem == 0 kB
expect invariants violations == 0
