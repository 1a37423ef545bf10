# With Linux's default read_ahead_kb (128: a 32-page window) the readahead windows of a sequential
# stream show in a small file. The first fault reads pages 0-31 (read-around clamped at page 0)
# and marks page 24 (async_size 8); fault-around leaves the marked page out. The fault on it reads
# the next window, 32-63, in order-2 folios and marks the whole first folio, 32-35 (async_size =
# size from then on), so fault-around at 40 leaves out all four; the fault on 32 reads 64-95
# (order 4). A miss at 150 reads around it again (134-165, order 0) and marks 158. A pread of a
# marked page starts the next window as a fault does: 166 + 32 rounded down to the new order 2
# ends it at 195.
# Linux code: mm/filemap.c do_sync_mmap_readahead, do_async_mmap_readahead, filemap_get_pages,
# next_uptodate_folio; mm/readahead.c page_cache_ra_order, page_cache_async_ra, get_next_ra_size.
# Checked on the live kernel (Linux 6.18.44) on an ext4 file system on a loop device with
# read_ahead_kb 128, with pagemap and mincore. The oracle skips this script on a disk whose
# read_ahead_kb is not 128 (this VM's is 8192, where scenarios 120-122 check the same rules); the
# model's pages stay order-0, so kpageflags COMPOUND_HEAD/TAIL would differ there.
machine read_ahead_kb=128
p = spawn
f = open p /data/f123 rdwr,creat
ftruncate p f 200p
s = mmap p 0x7e0000000000 200p r shared,fixed fd=f => 0x7e0000000000
read p s => 0
expect smaps p s Rss == 64 kB
expect meminfo Cached == 128 kB
read p s+20p => 0
expect smaps p s Rss == 124 kB
expect pagemap p s+24p present == 0
expect meminfo Cached == 128 kB
read p s+24p => 0
expect smaps p s Rss == 128 kB
expect meminfo Cached == 256 kB
read p s+40p => 0
expect smaps p s Rss == 176 kB
expect pagemap p s+31p present == 1
expect pagemap p s+32p present == 0
expect pagemap p s+35p present == 0
expect pagemap p s+36p present == 1
expect meminfo Cached == 256 kB
read p s+32p => 0
expect smaps p s Rss == 192 kB
expect meminfo Cached == 384 kB
read p s+150p => 0
expect meminfo Cached == 512 kB
expect smaps p s Rss == 252 kB
expect pagemap p s+158p present == 0
expect pagemap p s+159p present == 1
pread p f 158p => 0
expect meminfo Cached == 632 kB
