# Scenario 117 with the `mlock_walk_without_vm_io` quirk: mlock's page walk without the VM_IO
# guard of mlock_vma_pages_range. Run as a script (run_until_idle's order: the reclaim's walk
# passes before mlock changes the VMA) the window is missed and every expectation holds; in
# the schedule `mmlab explore` finds, the reclaim meets the page after the VMA became VM_LOCKED
# and before the walk reached it, and mlocks it; the walk mlocks it again: mlock_count 2 for one
# VM_LOCKED mapping, and after munlock the page stays PG_mlocked and unevictable ("double
# counting, leaving the page unevictable indefinitely", as the comment in mm/mlock.c warns).
# model/tests/tasks.rs checks the printed schedule fails under `mmlab run` and the page left
# mlocked after munlock.
# Linux code: as 117.
machine quirks=mlock_walk_without_vm_io
p = spawn
a = mmap p 0 2p rw private,anonymous
touch p a 2p write
r = task reclaim p a+1p
m = task mlock p a 2p
run_until_idle
expect task m errno == 0
expect smaps p a Locked == 8 kB
expect meminfo Mlocked == 8 kB
expect meminfo Unevictable == 8 kB
expect invariants violations == 0
munlock p a 2p
expect meminfo Mlocked == 0 kB
expect meminfo Unevictable == 0 kB
exit p
expect invariants violations == 0
