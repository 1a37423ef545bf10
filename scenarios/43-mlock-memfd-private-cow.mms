# mlock of a writable MAP_PRIVATE memfd mapping turns every page into an anonymous COW copy. The
# memfd has 16 pages, 8 of them written through a MAP_SHARED mapping (Shmem 32 kB). The private
# mapping m reads those 8 (Rss 32, shmem pages shared with s: kpagecount 2, RssShmem 64). mlock(m)
# first mlocks the 8 mapped shmem pages (mlock_pte_range: mlocked/culled +8), then populates with
# write faults because the VMA is writable and private: every page is copied to a new anon page
# (16 faults), which is mlocked (mlocked/culled +16), and the shmem page it replaces in m is
# munlocked (munlocked/rescued +8); the 8 holes are first allocated in the shmem file (Shmem +32).
# Result: m has Rss 64, Anonymous 64, Locked 64; RssAnon 64, RssShmem back to 32 (only s);
# Mlocked 64 kB (the anon copies); the shmem pages are not mlocked. Later writes through s are not
# seen by m. munlock(m) munlocks the 16 copies.
# Linux code: mm/gup.c populate_vma_page_range (FOLL_WRITE for private writable VMAs), mm/memory.c
# do_cow_fault (shmem_fault allocates the hole, then copies), wp_page_copy (COW of a mapped file
# page: folio_add_lru_vma -> mlock_new_folio; folio_remove_rmap_pte -> munlock_vma_folio),
# mm/mlock.c mlock_pte_range/mlock_folio/__munlock_folio, mm/shmem.c shmem_get_folio_gfp.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/mlock.c (section "43"): smaps of
# both mappings, status RssAnon/RssShmem, kpageflags/kpagecount, minflt +16, values, and with the
# drain protocol: Mlocked +64, nr_mlock +16, mlocked +24, culled +24, munlocked +8, rescued +8,
# Shmem +32, AnonPages +64; munlock: munlocked/rescued +16. Totals from a fresh machine derived
# from those deltas.
p = spawn
fd = memfd_create p m43
ftruncate p fd 16p
rs = mmap p 0 18p none private,anonymous
s = mmap p rs+1p 16p rw shared,fixed fd=fd => rs+1p
touch p s 8p write
write p s 0x41
expect meminfo Shmem == 32 kB
rm = mmap p 0 18p none private,anonymous
m = mmap p rm+1p 16p rw private,fixed fd=fd => rm+1p
touch p m 8p read
expect smaps p m Rss == 32 kB
expect smaps p m Anonymous == 0 kB
expect status p RssShmem == 64 kB
expect status p RssAnon == 0 kB
expect kpagecount p m count == 2
expect kpageflags p m ANON == 0
mlock p m 16p
expect smaps p m Rss == 64 kB
expect smaps p m Anonymous == 64 kB
expect smaps p m Locked == 64 kB
expect smaps p m VmFlags has lo
expect smaps p s Rss == 32 kB
expect smaps p s Locked == 0 kB
expect status p RssAnon == 64 kB
expect status p RssShmem == 32 kB
expect status p VmLck == 64 kB
expect kpageflags p m ANON == 1
expect kpageflags p m MLOCKED == 1
expect kpageflags p m+12p ANON == 1
expect kpageflags p m+12p MLOCKED == 1
expect kpageflags p s MLOCKED == 0
expect kpageflags p s UNEVICTABLE == 0
expect kpagecount p s count == 1
expect pagemap p m file == 0
expect meminfo Mlocked == 64 kB
expect meminfo Shmem == 64 kB
expect meminfo AnonPages == 64 kB
expect vmstat nr_mlock == 16
expect vmstat unevictable_pgs_mlocked == 24
expect vmstat unevictable_pgs_culled == 24
expect vmstat unevictable_pgs_munlocked == 8
expect vmstat unevictable_pgs_rescued == 8
read p m => 0x41
write p s 0x42
read p m => 0x41
read p m+12p => 0
pread p fd 0 => 0x42
munlock p m 16p
expect meminfo Mlocked == 0 kB
expect vmstat unevictable_pgs_munlocked == 24
expect vmstat unevictable_pgs_rescued == 24
expect smaps p m Anonymous == 64 kB
munmap p rm 18p
expect meminfo AnonPages == 0 kB
expect meminfo Shmem == 64 kB
munmap p rs 18p
close p fd
expect meminfo Shmem == 0 kB
exit p
expect vmstat unevictable_pgs_cleared == 0
expect invariants violations == 0
