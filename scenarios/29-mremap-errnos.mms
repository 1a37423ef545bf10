# mremap errors: MREMAP_FIXED or MREMAP_DONTUNMAP without MREMAP_MAYMOVE -> EINVAL; an unmapped old
# range -> EFAULT (also for same-size and shrinking calls); growing without room and without MAYMOVE
# -> ENOMEM; unaligned old address, new_len 0, old_len 0 on a private mapping, an unknown flag bit,
# an overlapping or unaligned FIXED target -> EINVAL; an old range that runs past the VMA end ->
# EFAULT when it must grow. Quirk: with old_len == new_len (no FIXED/DONTUNMAP) mremap returns the
# address at once once a VMA is found at it, even when old_len runs past that VMA's end.
# Linux code: mm/mremap.c do_mremap, check_mremap_params, remap_is_valid/check_prep_vma,
# vrm_overlaps, mremap_at (old_len == new_len shortcut).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/mremap.c (section "29"): every
# result below, and the VMA unchanged afterwards (Size 32 kB, Rss 32 kB).
p = spawn
r = mmap p 0 10p none private,anonymous
a = mmap p r+1p 8p rw private,fixed,anonymous => r+1p
touch p a 8p write
h = mmap p 0 16p none private,anonymous
munmap p h 16p
mremap p a 8p 8p fixed to=h => EINVAL
mremap p a 8p 8p dontunmap => EINVAL
mremap p h 1p 2p maymove => EFAULT
mremap p a 8p 16p => ENOMEM
mremap p a+1 1p 1p maymove => EINVAL
mremap p a 8p 0 maymove => EINVAL
mremap p a 0 8p maymove => EINVAL
mremap p a 8p 8p maymove,0x8 => EINVAL
mremap p a 9p 12p maymove => EFAULT
mremap p a 8p 8p maymove,fixed to=a+4p => EINVAL
mremap p a 8p 8p maymove,fixed to=h+1 => EINVAL
mremap p a 9p 9p maymove => a
mremap p a 8p 8p => a
mremap p h 2p 2p maymove => EFAULT
mremap p h 2p 2p => EFAULT
mremap p h 4p 2p => EFAULT
expect smaps p a Size == 32 kB
expect smaps p a Rss == 32 kB
expect maps p count == 3
exit p
expect invariants violations == 0
