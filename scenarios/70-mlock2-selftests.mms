# The cases of tools/testing/selftests/mm/mlock2-tests.c that the model runs, each on a fresh
# 2-page private anonymous mapping (MAP_DROPPABLE is not modeled):
# test_mlock_lock: mlock2(0) sets VM_LOCKED and populates (Rss == Size, Locked 8 kB); munlock clears it.
# test_mlock_onfault: mlock2(MLOCK_ONFAULT) gives lo lf and populates nothing; a write faults one page
# in, mlocked at once (Locked 4 kB); munlock clears both flags.
# test_munlockall0: mlockall(MCL_CURRENT) locks and populates the mapping; munlockall unlocks it.
# test_munlockall1: mlockall(MCL_CURRENT|MCL_ONFAULT) marks it lock-on-fault; munlockall clears that;
# mlockall(MCL_CURRENT|MCL_FUTURE) locks and populates it; munlockall clears it (and MCL_FUTURE).
# test_lock_onfault_of_present: lock-on-fault after touching: the page already present is mlocked by
# the call (mlock_vma_pages_range), the other is not populated; touching it then mlocks it too.
# Every page munlocked goes back to the evictable LRU (munlocked and rescued count each).
# Linux code: mm/mlock.c do_mlock, apply_vma_lock_flags, mlock_fixup, mlock_vma_pages_range,
# mlock_folio, munlock_folio, apply_mlockall_flags, sys_munlockall; mm/gup.c __mm_populate;
# mm/memory.c do_anonymous_page (mlock_new_folio via folio_add_lru_vma).
# Checked on the live kernel (Linux 6.18.44) with the oracle (VmFlags, Rss, Locked, VmLck, pagemap and
# kpageflags MLOCKED/UNEVICTABLE of the mapping after each step; the events are derived from source).
p = spawn
a = mmap p 0 2p rw private,anonymous
mlock2 p a 2p 0
expect smaps p a VmFlags has lo
expect smaps p a VmFlags lacks lf
expect smaps p a Rss == 8 kB
expect smaps p a Locked == 8 kB
expect status p VmLck == 8 kB
munlock p a 2p
expect smaps p a VmFlags lacks lo
expect smaps p a Locked == 0 kB
expect kpageflags p a MLOCKED == 0
expect kpageflags p a UNEVICTABLE == 0
munmap p a 2p
b = mmap p 0 2p rw private,anonymous
mlock2 p b 2p onfault
expect smaps p b Rss == 0 kB
write p b 0x61
expect smaps p b VmFlags has lo
expect smaps p b VmFlags has lf
expect smaps p b Locked == 4 kB
expect kpageflags p b MLOCKED == 1
munlock p b 2p
expect smaps p b VmFlags lacks lo
expect smaps p b VmFlags lacks lf
expect kpageflags p b MLOCKED == 0
munmap p b 2p
c = mmap p 0 2p rw private,anonymous
mlockall p current
expect smaps p c VmFlags has lo
expect smaps p c Rss == 8 kB
expect smaps p c Locked == 8 kB
munlockall p
expect smaps p c VmFlags lacks lo
expect status p VmLck == 0 kB
munmap p c 2p
d = mmap p 0 2p rw private,anonymous
mlockall p current,onfault
write p d 0x62
expect smaps p d VmFlags has lf
expect smaps p d Locked == 4 kB
munlockall p
expect smaps p d VmFlags lacks lf
expect smaps p d VmFlags lacks lo
mlockall p current,future
expect smaps p d VmFlags has lo
expect smaps p d VmFlags lacks lf
expect smaps p d Rss == 8 kB
expect smaps p d Locked == 8 kB
munlockall p
expect smaps p d VmFlags lacks lo
expect smaps p d Locked == 0 kB
munmap p d 2p
e = mmap p 0 2p rw private,anonymous
write p e 0x63
mlock2 p e 2p onfault
expect smaps p e VmFlags has lf
expect smaps p e Rss == 4 kB
expect smaps p e Locked == 4 kB
expect pagemap p e+1p present == 0
expect kpageflags p e MLOCKED == 1
write p e+1p 0x64
expect smaps p e Locked == 8 kB
expect kpageflags p e+1p MLOCKED == 1
expect meminfo Mlocked == 8 kB
munmap p e 2p
expect meminfo Mlocked == 0 kB
expect meminfo Unevictable == 0 kB
expect vmstat unevictable_pgs_mlocked == 10
expect vmstat unevictable_pgs_munlocked == 10
expect vmstat unevictable_pgs_culled == 10
expect vmstat unevictable_pgs_rescued == 10
expect vmstat unevictable_pgs_cleared == 0
exit p
expect invariants violations == 0
