# fallocate on a memfd: mode 0 preallocates pages (Shmem up, size grows, nothing mapped: Rss 0);
# KEEP_SIZE preallocates beyond EOF without growing the size, so a mapping still gets SIGBUS there.
# Errors: PUNCH_HOLE without KEEP_SIZE -> EOPNOTSUPP; len 0 -> EINVAL; every other mode bit
# (COLLAPSE/ZERO/INSERT/UNSHARE_RANGE, PUNCH_HOLE|ZERO_RANGE, unknown 0x100) -> EOPNOTSUPP on shmem;
# a bad fd -> EBADF.
# Linux code: fs/open.c vfs_fallocate (len <= 0 -> EINVAL, PUNCH_HOLE needs KEEP_SIZE, invalid mode
# combinations -> EOPNOTSUPP), mm/shmem.c shmem_fallocate (only KEEP_SIZE|PUNCH_HOLE supported),
# mm/shmem.c shmem_fault (beyond i_size -> SIGBUS).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/memfd.c (section "15"): every errno,
# st_size/st_blocks, Rss 0 after preallocation, SIGBUS at page 4. meminfo Shmem is machine-relative,
# derived from source (shmem_fallocate adds one page cache page per preallocated page), and matched
# the stat_refresh'd deltas (+16, +32). Rss is not asserted after the read of page 3: Linux
# fault-around maps the 3 other preallocated pages too.
p = spawn
fd = memfd_create p m15
fallocate p fd punch_hole 0 1p => EOPNOTSUPP
fallocate p fd keep_size,punch_hole 0 0 => EINVAL
fallocate p fd 0 0 0 => EINVAL
fallocate p fd 0 0 4p
expect meminfo Shmem == 16 kB
s = mmap p 0 8p rw shared fd=fd
expect smaps p s Rss == 0 kB
expect status p RssShmem == 0 kB
fallocate p fd keep_size 4p 4p
expect meminfo Shmem == 32 kB
read p s+3p => 0
read p s+4p => SIGBUS
write p s+7p 0x41 => SIGBUS
fallocate p fd collapse_range 0 1p => EOPNOTSUPP
fallocate p fd zero_range 0 1p => EOPNOTSUPP
fallocate p fd insert_range 0 1p => EOPNOTSUPP
fallocate p fd unshare_range 0 1p => EOPNOTSUPP
fallocate p fd punch_hole,zero_range 0 1p => EOPNOTSUPP
fallocate p fd 0x100 0 1p => EOPNOTSUPP
fallocate p 99 0 0 1p => EBADF
expect meminfo Shmem == 32 kB
close p fd
munmap p s 8p
expect meminfo Shmem == 0 kB
exit p
expect invariants violations == 0
