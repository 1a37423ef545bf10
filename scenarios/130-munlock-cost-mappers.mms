# The cost of munlock at exit, old design versus the 2022 mlock_count rework (issue 9). Four
# processes map the same 8-page file MAP_SHARED and each mlocks all of it, then they exit in pid
# order. The reworked munlock (mm/mlock.c munlock_folio since 5.18) does one mlock_count update per
# page per unlocking mapping: mlock_count_updates +8 at every exit, 32 in all (N·pages).
# munlock_rmap_steps is what the pre-5.18 munlock_vma_page would have paid for the same exits:
# TestClearPageMlocked succeeds, then try_to_munlock walks the file's i_mmap (model order: pid,
# then address) and stops at the first VM_LOCKED VMA mapping the page. Exiting p visits p's own VMA
# (VM_LOCKED already cleared by munlock_vma_pages_range) and then the next locker, which re-mlocks
# the page: 2 steps per page, +16 per exit. At the last exit the page is mapped once only, so
# __munlock_isolated_page skips the walk ("that's our mapping"): 0 steps. Total 2·(N-1)·pages = 48.
# Mlocked and Unevictable stay 32 kB until the last locker goes, then return to 0.
# Linux code: mm/mlock.c munlock_folio / __munlock_folio (5.18+); pre-5.18 mm/mlock.c
# munlock_vma_pages_range, munlock_vma_page, __munlock_isolated_page and mm/rmap.c try_to_munlock,
# rmap_walk_file, try_to_unmap_one (TTU_MUNLOCK). The step figures are derived from that source, not
# measured on a live kernel.
p = spawn
f = open p /data/f130 rdwr,creat
pwrite p f 0 0x10
pwrite p f 1p 0x11
pwrite p f 2p 0x12
pwrite p f 3p 0x13
pwrite p f 4p 0x14
pwrite p f 5p 0x15
pwrite p f 6p 0x16
pwrite p f 7p 0x17
a = mmap p 0 8p r shared fd=f
mlock p a 8p
q = spawn
g = open q /data/f130 0
b = mmap q 0 8p r shared fd=g
mlock q b 8p
r = spawn
h = open r /data/f130 0
c = mmap r 0 8p r shared fd=h
mlock r c 8p
s = spawn
i = open s /data/f130 0
d = mmap s 0 8p r shared fd=i
mlock s d 8p
expect kpagecount s d+7p count == 4
expect meminfo Mlocked == 32 kB
expect meminfo Unevictable == 32 kB
expect tasks munlock_rmap_steps == 0
expect tasks mlock_count_updates == 0
exit p
expect tasks munlock_rmap_steps == 16
expect tasks mlock_count_updates == 8
expect meminfo Mlocked == 32 kB
exit q
expect tasks munlock_rmap_steps == 32
expect tasks mlock_count_updates == 16
expect meminfo Mlocked == 32 kB
exit r
expect tasks munlock_rmap_steps == 48
expect tasks mlock_count_updates == 24
expect meminfo Mlocked == 32 kB
expect meminfo Unevictable == 32 kB
exit s
expect tasks munlock_rmap_steps == 48
expect tasks mlock_count_updates == 32
expect meminfo Mlocked == 0 kB
expect meminfo Unevictable == 0 kB
expect meminfo Cached == 32 kB
expect vmstat nr_mlock == 0
expect vmstat unevictable_pgs_munlocked == 8
expect invariants violations == 0
