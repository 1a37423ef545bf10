# mlock walks its page tables one PMD a step after it set VM_LOCKED, and a reclaim racing it
# never leaves a page counted twice. p writes two anon pages; a reclaim isolates the second and
# walks its rmap while p mlocks both (a writer task: mmap_lock, the VMA's write lock, the VMA
# change, then mlock_pte_range per page table). mlock_vma_pages_range sets VM_LOCKED|VM_IO
# before the walk and clears VM_IO after it: reclaim meeting the page in the VM_LOCKED VMA
# aborts and keeps it (try_to_unmap_one walk_abort) but mlock_vma_folio does not mlock through
# a VM_SPECIAL VMA, so the walk is the only one to count the page (mlock_count 1, not 2), or
# the reclaim finds it mlocked already (EAGAIN). In all 4 schedules `mmlab explore` tries, the
# expectations hold; scenario 118 drops the VM_IO guard and the explorer finds the double count.
# Linux code: mm/mlock.c mlock_vma_pages_range (the VM_IO comment), mlock_pte_range,
# mlock_folio; mm/internal.h mlock_vma_folio ((vm_flags & (VM_LOCKED|VM_SPECIAL)) ==
# VM_LOCKED); mm/rmap.c try_to_unmap_one (VM_LOCKED: mlock_vma_folio, walk_abort).
# Figures: from the model's rules (tasks have no live-kernel counterpart); the smaps and meminfo
# ones match the atomic model's.
machine
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
