# Fault-around maps the neighbouring cached pages of a writable shared shmem VMA writable, as
# it maps the faulting page: shmem needs no write notification, so vm_page_prot is writable and
# set_pte_range uses it. A later store to such a page takes no fault, so the page is never
# marked dirty: only the child's PTE dirty bit is set, which the parent's smaps does not see.
# Here the child of a MAP_LOCKED (populated) shared mapping reads one page, fault-around maps
# the other eleven, and its write to one of them leaves the parent's view all clean.
# Linux code: mm/filemap.c filemap_map_pages -> set_pte_range, mm/mmap.c vma_wants_writenotify.
# Found by the kernel oracle (random script 932 of seed 1): the model mapped fault-around pages
# read-only, so the write faulted and dirtied the page. Checked on Linux 6.18.44.
p = spawn
m = mmap p 0 12p rwx shared,anonymous,locked
c = fork p
read c m+10p
expect smaps c m Rss == 48 kB
write c m+2p 0xf34a
expect kpageflags p m+2p DIRTY == 0
expect smaps p m Shared_Clean == 48 kB
expect smaps p m Shared_Dirty == 0 kB
expect smaps c m Shared_Dirty == 4 kB
read p m+2p => 0xf34a
exit c
exit p
expect invariants violations == 0
