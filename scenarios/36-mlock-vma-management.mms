# mlock splits and merges VMAs like mprotect does. test_vma_management: a 3-page VMA locked with
# mlock2(ONFAULT) is one VMA (lo lf); munlock of the middle page leaves three (lo lf | none | lo lf,
# maps +2, VmLck 8); munlock of all three merges them back into one. mlock of the middle 8 of 32
# resident pages splits off a VM_LOCKED VMA of 32 kB (Locked 32 there, 0 in the others) and mlocks
# those 8 pages; munlock merges again. Range rounding: mlock(b+100, 4096) locks pages 0 and 1
# (start rounded down, length rounded up); len 0 succeeds and does nothing. mlock2 with an unknown
# flag is EINVAL. mlock2(ONFAULT) over part of a locked VMA splits it (lo | lo lf | lo) without
# changing VmLck. munlock of an unaligned address is fine (rounded); mlock/munlock of an unmapped
# range is ENOMEM.
# Linux code: mm/mlock.c do_mlock (PAGE_ALIGN(len + offset_in_page(start)), start &= PAGE_MASK),
# sys_mlock2 (flags & ~MLOCK_ONFAULT -> EINVAL), apply_vma_lock_flags (no VMA at start -> ENOMEM),
# mlock_fixup -> vma_modify_flags (mm/vma.c split/merge), tools/testing/selftests/mm/mlock2-tests.c
# test_vma_management.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/mlock.c (section "36"): maps
# deltas +2/0/+2/0/+3/0, smaps Size/Locked/VmFlags of each piece, VmLck, errnos, and the
# mlocked/munlocked/culled/rescued deltas with the drain protocol (8, then 19 more).
p = spawn
r = mmap p 0 5p none private,anonymous
a = mmap p r+1p 3p rw private,fixed,anonymous => r+1p
mlock2 p a 3p onfault
expect maps p count == 3
expect smaps p a Size == 12 kB
expect smaps p a VmFlags has lf
expect status p VmLck == 12 kB
munlock p a+1p 1p
expect maps p count == 5
expect status p VmLck == 8 kB
expect smaps p a Size == 4 kB
expect smaps p a VmFlags has lo
expect smaps p a VmFlags has lf
expect smaps p a+1p Size == 4 kB
expect smaps p a+1p VmFlags lacks lo
expect smaps p a+1p VmFlags lacks lf
expect smaps p a+2p Size == 4 kB
expect smaps p a+2p VmFlags has lo
expect smaps p a+2p VmFlags has lf
expect vma p a+2p start == a+2p
munlock p a 3p
expect maps p count == 3
expect smaps p a Size == 12 kB
expect smaps p a VmFlags lacks lo
expect status p VmLck == 0 kB
munmap p r 5p
r = mmap p 0 34p none private,anonymous
b = mmap p r+1p 32p rw private,fixed,anonymous => r+1p
touch p b 32p write
mlock p b+8p 8p
expect maps p count == 5
expect status p VmLck == 32 kB
expect smaps p b Size == 32 kB
expect smaps p b Locked == 0 kB
expect smaps p b VmFlags lacks lo
expect smaps p b+8p Size == 32 kB
expect smaps p b+8p Locked == 32 kB
expect smaps p b+8p VmFlags has lo
expect smaps p b+16p Size == 64 kB
expect smaps p b+16p Locked == 0 kB
expect vma p b+8p start == b+8p
expect vma p b+8p end == b+16p
expect kpageflags p b+7p MLOCKED == 0
expect kpageflags p b+8p MLOCKED == 1
expect kpageflags p b+15p MLOCKED == 1
expect kpageflags p b+16p MLOCKED == 0
expect vmstat unevictable_pgs_mlocked == 8
expect meminfo Mlocked == 32 kB
munlock p b+8p 8p
expect maps p count == 3
expect smaps p b Size == 128 kB
expect vmstat unevictable_pgs_munlocked == 8
expect meminfo Mlocked == 0 kB
mlock p b+100 4096
expect status p VmLck == 8 kB
expect smaps p b Size == 8 kB
expect smaps p b Locked == 8 kB
expect kpageflags p b+1p MLOCKED == 1
expect kpageflags p b+2p MLOCKED == 0
munlock p b 2p
mlock p b 0
expect status p VmLck == 0 kB
expect smaps p b Size == 128 kB
mlock2 p b 4096 0x2 => EINVAL
mlock2 p b 4096 0
expect status p VmLck == 4 kB
expect smaps p b VmFlags has lo
expect smaps p b VmFlags lacks lf
munlock p b 1p
mlock p b 16p
mlock2 p b+4p 4p onfault
expect maps p count == 6
expect status p VmLck == 64 kB
expect smaps p b Size == 16 kB
expect smaps p b VmFlags lacks lf
expect smaps p b+4p Size == 16 kB
expect smaps p b+4p Locked == 16 kB
expect smaps p b+4p VmFlags has lo
expect smaps p b+4p VmFlags has lf
expect smaps p b+8p Size == 32 kB
expect smaps p b+8p VmFlags lacks lf
expect smaps p b+16p Locked == 0 kB
expect meminfo Mlocked == 64 kB
munlock p b 32p
expect maps p count == 3
expect status p VmLck == 0 kB
expect meminfo Mlocked == 0 kB
expect vmstat unevictable_pgs_mlocked == 27
expect vmstat unevictable_pgs_munlocked == 27
expect vmstat unevictable_pgs_culled == 27
expect vmstat unevictable_pgs_rescued == 27
munlock p b+1 4096
mlock p 0x10000 4096 => ENOMEM
munlock p 0x10000 4096 => ENOMEM
exit p
expect vmstat unevictable_pgs_cleared == 0
expect invariants violations == 0
