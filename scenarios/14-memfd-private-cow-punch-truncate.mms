# A MAP_PRIVATE mapping of a memfd: writes make anon COW copies (also on holes, where the fault first
# allocates the shmem page: Shmem +16 kB). A hole punch unmaps the shared pages but keeps the private
# COW copies and their content (zap with even_cows = false). Truncation to 0 removes the COW copies
# too (even_cows = true); every access beyond EOF then raises SIGBUS. Regrowing gives fresh zero pages
# (a private read of a hole allocates a clean shmem page).
# Linux code: mm/memory.c do_cow_fault, mm/shmem.c shmem_fallocate -> unmap_mapping_range(..., 0),
# mm/truncate.c truncate_pagecache -> unmap_mapping_range(..., 1), mm/memory.c zap_present_ptes /
# should_zap_folio, mm/shmem.c shmem_fault (VM_FAULT_SIGBUS beyond i_size).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/memfd.c (section "14"), matching
# ../shared/research/kernel-oracle.md II.3. meminfo Shmem/AnonPages are machine-relative, derived from
# source (checked against stat_refresh'd deltas on a quiet VM). Only writes fault the private
# mapping before the truncate (no fault-around).
p = spawn
fd = memfd_create p m14
ftruncate p fd 64p
s = mmap p 0 64p rw shared fd=fd
touch p s 64p write
write p s 0x53
fallocate p fd keep_size,punch_hole 16p 16p
m = mmap p 0 64p rw private fd=fd
touch p m 4p write
write p m 0x50
write p m+16p 0x51
touch p m+17p 3p write
expect smaps p m Rss == 32 kB
expect smaps p m Anonymous == 32 kB
expect smaps p m Private_Dirty == 32 kB
expect smaps p s Rss == 192 kB
expect meminfo Shmem == 208 kB
expect pagemap p m+16p file == 0
expect kpageflags p m+16p ANON == 1
expect meminfo AnonPages == 32 kB
fallocate p fd keep_size,punch_hole 0 8p
expect smaps p m Rss == 32 kB
expect smaps p m Anonymous == 32 kB
expect smaps p s Rss == 160 kB
expect meminfo Shmem == 176 kB
read p m => 0x50
read p m+16p => 0x51
expect status p RssAnon == 32 kB
ftruncate p fd 0
expect smaps p m Rss == 0 kB
expect smaps p m Anonymous == 0 kB
expect smaps p s Rss == 0 kB
expect status p RssAnon == 0 kB
expect meminfo Shmem == 0 kB
expect meminfo AnonPages == 0 kB
read p m => SIGBUS
read p s => SIGBUS
write p m 0x51 => SIGBUS
ftruncate p fd 8p
read p m+1p => 0
expect smaps p m Rss == 4 kB
expect smaps p m Private_Clean == 4 kB
expect meminfo Shmem == 4 kB
close p fd
exit p
expect meminfo Shmem == 0 kB
expect invariants violations == 0
