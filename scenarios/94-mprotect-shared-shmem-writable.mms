# mprotect of a shared shmem (here MAP_SHARED|MAP_ANONYMOUS) mapping keeps its PTEs writable:
# shmem needs no write notification, so vm_page_prot of a writable shared VMA includes write and
# change_protection's pte_modify makes every PTE writable, clean or not. A write after that takes
# no fault, so the page is never marked dirty (PG_dirty stays clear; only the PTE's dirty bit
# is set, which kpageflags does not read). A read-faulted page of a shared shmem VMA is mapped
# writable too, so the same holds without the mprotect.
# Linux code: mm/mmap.c vma_wants_writenotify (no page_mkwrite, no dirty accounting for shmem),
# mm/mprotect.c change_pte_range -> pte_modify, can_change_pte_writable (only for PTEs
# pte_modify left read-only), mm/memory.c set_pte_range.
# Found by the kernel oracle (random script 794 of seed 1); the model made the PTEs writable only
# when dirty, so the write faulted and dirtied the page. Checked on Linux 6.18.44 (mmlab oracle).
p = spawn
m = mmap p 0 11p rwx shared,anonymous,populate
mprotect p m+5p 3p rw
expect maps p count == 3
touch p m+7p 3p write
expect kpageflags p m+7p DIRTY == 0
expect kpageflags p m+8p DIRTY == 0
expect smaps p m+5p Shared_Dirty == 0 kB
expect smaps p m+5p Private_Dirty == 4 kB
expect smaps p m+5p Rss == 12 kB
exit p
expect invariants violations == 0
