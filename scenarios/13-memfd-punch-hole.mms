# fallocate(PUNCH_HOLE|KEEP_SIZE) on a memfd mapped MAP_SHARED: the punched pages are unmapped from
# every mapping and freed (Rss, Pss_Shmem, RssShmem, Shmem all -64 kB) while the size stays 64 pages.
# Reading a punched page returns 0 and allocates a new, clean page (Private_Clean 4 kB); other pages
# keep their data. Punching beyond EOF succeeds and does nothing.
# Linux code: mm/shmem.c shmem_fallocate (FALLOC_FL_PUNCH_HOLE) -> unmap_mapping_range ->
# shmem_truncate_range; mm/shmem.c shmem_fault on the hole (SGP_CACHE: new folio, not dirty).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/memfd.c (section "13"): smaps,
# Pss_Shmem/RssShmem deltas, pagemap of the hole, values, st_size unchanged, and Shmem deltas after
# stat_refresh (machine-relative here, derived from source: NR_SHMEM per page cache page). Linux
# fault-around on the read of page 16 maps nothing else (pages 17-31 are holes, 0-15 already mapped).
p = spawn
fd = memfd_create p m13
ftruncate p fd 64p
s = mmap p 0 64p rw shared fd=fd
touch p s 64p write
write p s+16p 0x50
write p s+32p 0x60
expect meminfo Shmem == 256 kB
fallocate p fd keep_size,punch_hole 16p 16p
expect smaps p s Size == 256 kB
expect smaps p s Rss == 192 kB
expect smaps p s Pss == 192 kB
expect smaps_rollup p Pss_Shmem == 192 kB
expect status p RssShmem == 192 kB
expect meminfo Shmem == 192 kB
expect pagemap p s+16p present == 0
expect pagemap p s+31p present == 0
expect pagemap p s+32p present == 1
read p s+16p => 0
expect meminfo Shmem == 196 kB
expect smaps p s Rss == 196 kB
expect smaps p s Private_Clean == 4 kB
expect smaps p s Private_Dirty == 192 kB
read p s+32p => 0x60
fallocate p fd keep_size,punch_hole 100p 4p
expect meminfo Shmem == 196 kB
pread p fd 63p => 0
pread p fd 20p => 0
close p fd
exit p
expect meminfo Shmem == 0 kB
expect invariants violations == 0
