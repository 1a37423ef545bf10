# mremap of an anonymous VMA that was never faulted (no anon_vma): Linux relocates its pgoff to
# the new address, so at the destination it merges with a compatible neighbour like a fresh
# mapping would. Moving 9 PROT_NONE pages out of a reservation and growing them to 18: the new
# VMA lands right below the reservation's first page and merges with it. With MREMAP_DONTUNMAP
# the moved pages land right below the (still mapped) source VMA and merge with it: one VMA.
# Linux code: mm/mremap.c move_vma -> copy_vma (unfaulted anon: pgoff = new_addr >> PAGE_SHIFT,
# then vma_merge_new_range), dontunmap_complete.
# Found by the kernel oracle (random scripts 1049, 1006) and checked on the live kernel
# (Linux 6.18.44) with it (mmlab oracle): the model kept the old pgoff and never merged there.
p = spawn
r = mmap p 0 11p none private,anonymous
m = mmap p r+1p 9p none private,fixed,anonymous => r+1p
expect maps p count == 1
n = mremap p m 9p 18p maymove
expect maps p count == 2
expect vma p n start == n
expect vma p n end == r+1p
expect vma p r+10p start == r+10p
exit p
q = spawn
a = mmap q 0 15p rw private,anonymous
b = mremap q a 4p 4p maymove,dontunmap
expect maps q count == 1
expect vma q b start == b
expect vma q b end == a+15p
expect smaps q b Size == 76 kB
exit q
expect invariants violations == 0
