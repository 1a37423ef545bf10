# Scenario 113 with the `rmap_mlock_trylock` quirk: try_to_unmap_one before "mm: rmap use pte lock
# not mmap_sem to set PageMlocked" (b87537d9e2fe, Linux 4.4) met c's VM_LOCKED VMA, dropped the pte
# lock, and mlocked the page after a down_read_trylock of mmap_sem, without looking at the PTE
# again. Truncation takes no mmap_sem, so a hole punch whose unmap pass runs in that window zaps
# c's PTE (munlocking the page), and reclaim then sets PG_mlocked on a page no VMA maps; the
# punch's locked pass frees it still mlocked ("BUG: Bad page state" in the kernels of the time).
# Run as a script (run_until_idle's default order) the window is missed and every expectation
# holds; `mmlab explore` finds the schedule that breaks mlock_count and mlocked-iff-locked-mapping
# (model/tests/tasks.rs checks both and that the printed schedule fails under `mmlab run`).
# Linux code: mm/rmap.c try_to_unmap_one at v4.3 (out_mlock), and as in scenario 113.
machine quirks=rmap_mlock_trylock
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
