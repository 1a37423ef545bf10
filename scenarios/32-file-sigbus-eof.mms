# Accesses beyond the end of a mapped file raise SIGBUS, for shared and private mappings, reads and
# writes; the page that contains EOF (size 2 pages + 100 bytes) is still accessible. Shrinking the
# file unmaps the pages past the new EOF (Rss drops, SIGBUS there); growing it again gives zeroes.
# Linux code: mm/filemap.c filemap_fault (index >= max_idx -> VM_FAULT_SIGBUS), mm/memory.c
# do_cow_fault, mm/truncate.c truncate_pagecache -> unmap_mapping_range.
# Checked on the live kernel (Linux 6.18.44, ext4) with scenarios/probes/file.c (section "32").
# Rss is asserted only after the shrink: before it, Linux fault-around on the read of page 2 also
# maps page 1 (readahead brought it into the page cache). Finding: fault-around even runs on a read
# fault that then fails with SIGBUS (a read of a private mapping at page 4 mapped pages 0-2 live), so
# this script only writes to the private mapping.
p = spawn
f = open p /tmp/f32.dat rdwr,creat
ftruncate p f 8292
s = mmap p 0 8p rw shared fd=f
write p s 0x41
read p s+2p => 0
read p s+3p => SIGBUS
write p s+7p 0x47 => SIGBUS
m = mmap p 0 8p rw private fd=f
write p m+4p 0x44 => SIGBUS
expect smaps p m Rss == 0 kB
ftruncate p f 1p
expect smaps p s Rss == 4 kB
expect smaps p s Pss == 4 kB
expect status p RssFile == 4 kB
read p s+1p => SIGBUS
read p s => 0x41
ftruncate p f 8p
read p s+5p => 0
read p s+1p => 0
close p f
exit p
expect invariants violations == 0
