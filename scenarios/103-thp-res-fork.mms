# THP reservations across fork (Mel's review: keep them with the parent). The child gets none:
# its COW of a shared page and its fault on an empty PTE take ordinary pages. The parent keeps
# taking pages from its reservation; a write that reuses a page it owns alone again keeps the
# reservation, while its COW of a page still shared moves that address out of the block and
# releases the reservation (the RFC's wp_page_copy rule): the unused pages are freed, the
# mapped ones live on as small pages.
machine thp=madvise promotion_threshold=4
p = spawn
a = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p a 2M hugepage
write p a 0x10
write p a+1p 0x11
expect vmstat nr_thp_reserved == 510
c = fork p
# The child gets no reservation: its COW of a shared page and its fault on an empty PTE take
# ordinary pages.
write c a 0x20
write c a+2p 0x22
expect vmstat nr_thp_reserved == 510
expect vmstat thp_res_alloc == 1
expect smaps c a Rss == 12 kB
# The parent's faults on empty PTEs still take pages from its reservation.
write p a+3p 0x13
expect vmstat nr_thp_reserved == 509
# a is the parent's alone again after the child's COW: the write reuses it in place.
write p a 0x30
expect vmstat nr_thp_reserved == 509
# a+1p is still shared: the parent's COW moves it out of the reservation, which is released.
write p a+1p 0x31
expect vmstat nr_thp_reserved == 0
expect smaps p a Rss == 12 kB
# Without a reservation both ranges are collapsed the ordinary way (a new THP, copied).
khugepaged => 2
expect vmstat thp_collapse_alloc == 2
expect vmstat res_pages_collapsed == 0
read p a => 0x30
read p a+1p => 0x31
read p a+3p => 0x13
read c a => 0x20
read c a+1p => 0x11
read c a+2p => 0x22
expect invariants violations == 0
exit c
exit p
expect meminfo MemFree == 1048576 kB
expect invariants violations == 0
