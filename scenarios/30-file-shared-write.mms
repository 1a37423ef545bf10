# A regular disk file mapped MAP_SHARED: write faults map page cache pages (RssFile, pagemap file=1,
# not ANON, not SWAPBACKED) and dirty them (Private_Dirty, kpageflags DIRTY); pread sees what was
# written through the mapping and the mapping sees pwrite. fork does not copy the shared file PTEs:
# the child faults its own mapping of the same page, which becomes Shared_Dirty with Pss halved.
# Linux code: mm/memory.c do_shared_fault -> fault_dirty_shared_page (folio_mark_dirty),
# mm/filemap.c filemap_fault, kernel/fork.c dup_mmap/copy_page_range (vma_needs_copy false),
# fs/proc/task_mmu.c smaps_account.
# Checked on the live kernel (Linux 6.18.44, ext4) with scenarios/probes/file.c (section "30"):
# per-VMA smaps of both processes, pagemap, kpageflags, values. Only write faults are used (no
# fault-around). The dirty state is read right after the writes (the model has no writeback; Linux
# would clean the pages after ~30 s). status RssFile is derived (the live delta includes libc text).
p = spawn
f = open p /tmp/f30.dat rdwr,creat
ftruncate p f 16p
s = mmap p 0 16p rw shared fd=f
write p s 0x41
touch p s+1p 3p write
expect smaps p s Rss == 16 kB
expect smaps p s Pss == 16 kB
expect smaps p s Private_Dirty == 16 kB
expect smaps p s Anonymous == 0 kB
expect status p RssFile == 16 kB
expect status p RssAnon == 0 kB
expect status p RssShmem == 0 kB
expect pagemap p s file == 1
expect pagemap p s exclusive == 1
expect kpageflags p s ANON == 0
expect kpageflags p s SWAPBACKED == 0
expect kpageflags p s DIRTY == 1
pread p f 0 => 0x41
pwrite p f 1p 0x42
read p s+1p => 0x42
c = fork p
expect smaps c s Rss == 0 kB
write c s+2p 0x62
expect smaps p s Pss == 14 kB
expect smaps p s Shared_Dirty == 4 kB
expect smaps p s Private_Dirty == 12 kB
expect smaps c s Rss == 4 kB
expect smaps c s Pss == 2 kB
expect kpagecount p s+2p count == 2
read p s+2p => 0x62
pread p f 2p => 0x62
exit c
expect smaps p s Pss == 16 kB
close p f
exit p
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
