# A regular file mapped MAP_PRIVATE: read faults map the page cache pages (RssFile); a write copies
# the page into an anon page (RssFile -> RssAnon, smaps Anonymous, pagemap file=0 and ANON) and the
# file keeps its content. Pages not yet copied still follow the file (a later pwrite shows through);
# copied pages do not. A first write without a read copies directly (no file page mapped).
# Linux code: mm/memory.c do_read_fault, do_wp_page -> wp_page_copy (file folio source),
# do_cow_fault, mm/filemap.c filemap_fault/filemap_map_pages.
# Checked on the live kernel (Linux 6.18.44, ext4) with scenarios/probes/file.c (section "31"):
# smaps, values, pagemap, RssAnon/RssFile deltas (+8/-8). All 8 pages are read-faulted, so Linux
# fault-around ends with the same 8 pages mapped. Clean/dirty split is not asserted (pwrite-dirtied
# page cache pages count as dirty until writeback). meminfo AnonPages is derived from source.
p = spawn
f = open p /tmp/f31.dat rdwr,creat
ftruncate p f 8p
pwrite p f 0 0x41
pwrite p f 1p 0x42
m = mmap p 0 8p rw private fd=f
touch p m 8p read
expect smaps p m Rss == 32 kB
expect smaps p m Anonymous == 0 kB
expect status p RssFile == 32 kB
read p m => 0x41
write p m 0x61
expect smaps p m Rss == 32 kB
expect smaps p m Anonymous == 4 kB
expect status p RssFile == 28 kB
expect status p RssAnon == 4 kB
pread p f 0 => 0x41
expect pagemap p m file == 0
expect pagemap p m exclusive == 1
expect kpageflags p m ANON == 1
expect pagemap p m+1p file == 1
write p m+5p 0x65
expect status p RssAnon == 8 kB
expect status p RssFile == 24 kB
pwrite p f 1p 0x52
read p m+1p => 0x52
pwrite p f 0 0x71
read p m => 0x61
m2 = mmap p 0 8p rw private fd=f
write p m2+3p 0x33
expect smaps p m2 Rss == 4 kB
expect smaps p m2 Anonymous == 4 kB
pread p f 3p => 0
expect meminfo AnonPages == 12 kB
close p f
exit p
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
