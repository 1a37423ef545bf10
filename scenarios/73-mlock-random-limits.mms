# The cases of tools/testing/selftests/mm/mlock-random-test.c, with fixed instead of random ranges:
# RLIMIT_MEMLOCK 1 MiB, no CAP_IPC_LOCK (set_cap_limits). test_mlock_within_limit: on a 100 KiB
# chunk (25 pages) mlock and mlock2(MLOCK_ONFAULT) of unaligned ranges inside it succeed; each
# range is widened to whole pages (start rounded down, end up), so mlock(c+0x1234, 0x3000) locks
# pages 1-4 (VmLck 16 kB, populated), mlock2(c+0x8800, 0x2000, ONFAULT) pages 8-10 (VmLck 28 kB, not
# populated), and mlock(c+0x2000, 0x8000) pages 2-9: 5-7 are new and 8-9 lose VM_LOCKONFAULT and
# are populated (VmLck 40 kB, pages 1-10, never more than the chunk plus a page; the chunk is
# now 4 VMAs between its two PROT_NONE guards). munlock of the
# chunk leaves VmLck 0. test_mlock_outof_limit: on a 2 MiB chunk every mlock or mlock2 of at least
# the limit that does not start on a page boundary spans 257 pages and fails with ENOMEM, leaving
# VmLck unchanged.
# Linux code: mm/mlock.c do_mlock (PAGE_ALIGN of len + offset_in_page(start), the
# RLIMIT_MEMLOCK check with count_mm_mlocked_page_nr), apply_vma_lock_flags, mlock_fixup,
# can_do_mlock; mm/gup.c __mm_populate (VM_LOCKONFAULT VMAs are skipped).
# Checked on the live kernel (Linux 6.18.44) with the oracle (errno, VmLck, smaps Rss/Locked and
# VmFlags per step).
p = spawn
setrlimit_memlock p 1M
r = mmap p 0 27p none private,anonymous
c = mmap p r+1p 25p rw private,fixed,anonymous => r+1p
mlock p c+0x1234 0x3000
expect status p VmLck == 16 kB
expect smaps p c+1p Rss == 16 kB
mlock2 p c+0x8800 0x2000 onfault
expect status p VmLck == 28 kB
expect smaps p c+8p VmFlags has lf
expect smaps p c+8p Rss == 0 kB
mlock p c+0x2000 0x8000
expect status p VmLck == 40 kB
expect smaps p c+1p Size == 36 kB
expect smaps p c+1p Rss == 36 kB
expect smaps p c+1p VmFlags lacks lf
expect smaps p c+10p VmFlags has lf
expect smaps p c+10p Rss == 0 kB
expect maps p count == 6
munlock p c 25p
expect status p VmLck == 0 kB
expect maps p count == 3
munmap p r 27p
s = mmap p 0 513p none private,anonymous
d = mmap p s+1p 512p rw private,fixed,anonymous => s+1p
mlock p d+0x800 1M => ENOMEM
mlock2 p d+0x10 0x180000 onfault => ENOMEM
mlock p d+0x1001 0x100000 => ENOMEM
expect status p VmLck == 0 kB
expect smaps p d VmFlags lacks lo
expect smaps p d Rss == 0 kB
exit p
expect invariants violations == 0
