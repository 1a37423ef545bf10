# munlock of a 4 MB shmem range walks its two page tables one a step after clearing VM_LOCKED,
# racing a hole punch of four pages in the second: whatever the order, nothing stays mlocked.
# munlock clears VM_LOCKED first (mlock_vma_pages_range), so until the walk reaches a page
# table its pages are PG_mlocked with no VM_LOCKED mapping (the model counts them as a stale
# mlock). When the punch's unmap pass runs in that window, the zap does not munlock them
# (munlock_vma_folio looks at VM_LOCKED), the walk later finds their PTEs gone, and the locked
# pass frees them still PG_mlocked: unevictable_pgs_cleared +4, the rightful use of that counter
# (model/tests/tasks.rs steps that schedule). In the 3 schedules `mmlab explore` tries (the
# others reach states seen before), the expectations hold.
# Linux code: mm/mlock.c mlock_fixup, mlock_vma_pages_range, mlock_pte_range; mm/internal.h
# munlock_vma_folio; mm/shmem.c shmem_fallocate PUNCH_HOLE; mm/swap.c __page_cache_release
# (PG_mlocked cleared at free, UNEVICTABLE_PGCLEARED).
# Figures: from the model's rules (tasks have no live-kernel counterpart); the smaps and meminfo
# ones match the atomic model's.
machine
p = spawn
fd = memfd_create p big
ftruncate p fd 1024p
a = mmap p 0 1024p rw shared fd=fd
mlock p a 1024p
expect meminfo Mlocked == 4096 kB
u = task munlock p a 1024p
h = task fallocate p fd keep_size,punch_hole 1000p 4p
run_until_idle
expect task u errno == 0
expect task h errno == 0
expect smaps p a Rss == 4080 kB
expect smaps p a Locked == 0 kB
expect meminfo Mlocked == 0 kB
expect meminfo Unevictable == 0 kB
expect meminfo Shmem == 4080 kB
expect invariants violations == 0
exit p
expect invariants violations == 0
