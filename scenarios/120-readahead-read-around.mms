machine read_ahead_kb=8192
# A read fault on a disk file that misses the page cache reads a window around the faulting page
# (do_sync_mmap_readahead: ra_pages from the disk's read_ahead_kb, starting ra_pages/2 before the
# page) and marks the page async_size = ra_pages/4 from the window's end PG_readahead; the fault
# is retried and fault-around maps the cached pages of its aligned 16-page window. Fault-around
# skips the marked page; the fault on it starts the next window where the last one ends
# (page_cache_async_ra) and maps it alone.
# Linux code: mm/filemap.c filemap_fault, do_sync_mmap_readahead, do_async_mmap_readahead,
# next_uptodate_folio (skips PG_readahead); mm/readahead.c page_cache_ra_order,
# page_cache_async_ra, get_next_ra_size.
# Checked on the live kernel (Linux 6.18.44, ext4 on virtio, read_ahead_kb 8192) with pagemap and
# mincore: after the fault at 3000 pages 1976-4023 are cached and 2992-3007 mapped; 3512 is left
# out of the window of 3505; the fault at 3512 caches up to 6071.
p = spawn
f = open p /data/f120 rdwr,creat
ftruncate p f 20000p
s = mmap p 0x7e0000000000 20000p r shared,fixed fd=f => 0x7e0000000000
read p s+3000p => 0
expect smaps p s Rss == 64 kB
expect meminfo Cached == 8192 kB
expect vmstat nr_file_pages == 2048
expect pagemap p s+2992p present == 1
expect pagemap p s+3007p present == 1
expect pagemap p s+3008p present == 0
read p s+3505p => 0
expect smaps p s Rss == 124 kB
expect pagemap p s+3511p present == 1
expect pagemap p s+3512p present == 0
expect pagemap p s+3513p present == 1
expect meminfo Cached == 8192 kB
read p s+3512p => 0
expect smaps p s Rss == 128 kB
expect meminfo Cached == 16384 kB
expect pagemap p s+3512p present == 1
expect kpageflags p s+3512p RECLAIM == 0
# A miss past the cached run: read-around from 7000 - 1024 = 5976 reads the pages of 5976-8023
# not cached yet (6072-8023).
read p s+7000p => 0
expect meminfo Cached == 24192 kB
expect smaps p s Rss == 192 kB
munmap p s 20000p
close p f
expect meminfo Cached == 24192 kB
