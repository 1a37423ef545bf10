machine read_ahead_kb=8192
# What changes mmap readahead: MADV_RANDOM turns it off (the fault reads its own page only);
# MADV_SEQUENTIAL reads ra_pages from the faulting page on (here to EOF) and nothing before it,
# so fault-around finds only the pages from the fault on; a write fault reads ahead as a read
# fault does but maps only its page (no fault-around), shared or private (the private copy is
# anon); MADV_WILLNEED reads at most one window (force_page_cache_ra) and maps nothing; a pread
# of a marked page starts the next window as a fault on it does; a file smaller than the window
# is read whole, and fault-around maps all of it.
# Linux code: mm/filemap.c do_sync_mmap_readahead (VM_RAND_READ, VM_SEQ_READ), filemap_get_pages
# (filemap_readahead on PG_readahead), mm/madvise.c madvise_willneed -> vfs_fadvise,
# mm/readahead.c force_page_cache_ra, page_cache_async_ra; mm/memory.c do_read_fault,
# do_shared_fault, do_cow_fault.
# Checked on the live kernel (Linux 6.18.44, ext4, read_ahead_kb 8192) with pagemap and mincore.
p = spawn
r = open p /data/f121r rdwr,creat
ftruncate p r 5000p
a = mmap p 0x7e0000000000 5000p r shared,fixed fd=r => 0x7e0000000000
madvise p a 5000p random
read p a+3000p => 0
expect smaps p a Rss == 4 kB
expect meminfo Cached == 4 kB
expect smaps p a VmFlags has rr
munmap p a 5000p
q = open p /data/f121q rdwr,creat
ftruncate p q 5000p
b = mmap p 0x7e0000000000 5000p r shared,fixed fd=q => 0x7e0000000000
madvise p b 5000p sequential
read p b+3000p => 0
expect smaps p b Rss == 32 kB
expect pagemap p b+2999p present == 0
expect pagemap p b+3000p present == 1
expect meminfo Cached == 8004 kB
munmap p b 5000p
w = open p /data/f121w rdwr,creat
ftruncate p w 40p
c = mmap p 0x7e0000000000 40p rw shared,fixed fd=w => 0x7e0000000000
write p c+20p 0x77
expect smaps p c Rss == 4 kB
expect smaps p c Private_Dirty == 4 kB
expect meminfo Cached == 8164 kB
d = mmap p 0x7e0000200000 40p rw private,fixed fd=w => 0x7e0000200000
write p d+30p 0x78
expect smaps p d Rss == 4 kB
expect smaps p d Anonymous == 4 kB
expect meminfo Cached == 8164 kB
read p d+5p => 0
expect smaps p d Rss == 68 kB
munmap p c 40p
munmap p d 40p
n = open p /data/f121n rdwr,creat
ftruncate p n 5000p
e = mmap p 0x7e0000000000 5000p r shared,fixed fd=n => 0x7e0000000000
madvise p e 5000p willneed
expect smaps p e Rss == 0 kB
expect meminfo Cached == 16356 kB
read p e+100p => 0
expect smaps p e Rss == 64 kB
expect meminfo Cached == 16356 kB
munmap p e 5000p
m = open p /data/f121m rdwr,creat
ftruncate p m 5000p
g = mmap p 0x7e0000000000 5000p r shared,fixed fd=m => 0x7e0000000000
read p g+3000p => 0
expect meminfo Cached == 24548 kB
pread p m 3512p => 0
expect meminfo Cached == 28452 kB
munmap p g 5000p
t = open p /data/f121t rdwr,creat
ftruncate p t 7p
h = mmap p 0x7e0000000000 7p r shared,fixed fd=t => 0x7e0000000000
read p h+3p => 0
expect smaps p h Rss == 28 kB
expect meminfo Cached == 28480 kB
