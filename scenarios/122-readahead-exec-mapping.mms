machine read_ahead_kb=8192
# An executable file mapping reads ahead from the faulting page on, not around it, and only within
# the VMA (do_sync_mmap_readahead's VM_EXEC branch, Linux 6.16: exec_folio_order() is 0 on x86,
# async_size 0, so no page is marked): a fault on page 3 of a 6-page file mapped rwx caches and
# maps pages 3-5; the pages before it stay out of the cache until a fault of their own, which
# reads page 1 to the end of its 2-page VMA only. Found by the kernel oracle's random mode
# (random scripts 209, 219, 422, 866, 879 of seed 1 diverged on every page-level view).
# Checked on the live kernel (Linux 6.18.44, ext4) with the oracle (mmlab oracle).
p = spawn
f = open p /data/f122 rdwr,creat
ftruncate p f 6p
x = mmap p 0 12p rwx shared fd=f
read p x+3p => 0
expect smaps p x Rss == 12 kB
expect meminfo Cached == 12 kB
expect pagemap p x+2p present == 0
expect pagemap p x+5p present == 1
munmap p x 12p
y = mmap p 0 2p rx private fd=f
read p y+1p => 0
expect smaps p y Rss == 4 kB
expect meminfo Cached == 16 kB
read p y => 0
expect smaps p y Rss == 8 kB
expect meminfo Cached == 20 kB
