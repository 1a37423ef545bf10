# The cost of munlock when one process mlocks and the others only map (issue 9), old design versus
# the 2022 mlock_count rework. Part 1: p maps an 8-page file MAP_SHARED and mlocks it; q, r and s
# map the same file without mlock and read every page. When p exits, the reworked munlock_folio
# does one update per page (mlock_count_updates +8) and the pages leave the unevictable list. The
# pre-5.18 try_to_munlock would have walked the whole i_mmap of each page looking for a VM_LOCKED
# mapper and found none: p's own VMA (VM_LOCKED already cleared) plus q, r and s, 4 steps per
# page, N·pages = 32. The later exits munlock nothing (their VMAs were never VM_LOCKED).
# Part 2: VM_LOCKED is not inherited (dup_mmap clears VM_LOCKED_MASK), so when t mlocks 4 anon
# pages and forks 3 children, the children share the pages through the anon_vma chain without
# locking them. t's exit walks t's VMA and the 3 children's for each page: 4·4 = 16 more steps,
# 4 more updates. Mlocked and Unevictable return to 0.
# Linux code: mm/mlock.c munlock_folio / __munlock_folio (5.18+); pre-5.18 mm/mlock.c
# munlock_vma_pages_range, munlock_vma_page, __munlock_isolated_page and mm/rmap.c try_to_munlock,
# rmap_walk_file, rmap_walk_anon, try_to_unmap_one (TTU_MUNLOCK); kernel/fork.c dup_mmap. The step
# figures are derived from that source, not measured on a live kernel.
p = spawn
f = open p /data/f131 rdwr,creat
pwrite p f 0 0x20
pwrite p f 1p 0x21
pwrite p f 2p 0x22
pwrite p f 3p 0x23
pwrite p f 4p 0x24
pwrite p f 5p 0x25
pwrite p f 6p 0x26
pwrite p f 7p 0x27
a = mmap p 0 8p r shared fd=f
mlock p a 8p
q = spawn
g = open q /data/f131 0
b = mmap q 0 8p r shared fd=g
touch q b 8p read
r = spawn
h = open r /data/f131 0
c = mmap r 0 8p r shared fd=h
touch r c 8p read
s = spawn
i = open s /data/f131 0
d = mmap s 0 8p r shared fd=i
touch s d 8p read
expect kpagecount s d+7p count == 4
expect meminfo Mlocked == 32 kB
exit p
expect tasks munlock_rmap_steps == 32
expect tasks mlock_count_updates == 8
expect meminfo Mlocked == 0 kB
expect meminfo Unevictable == 0 kB
exit q
exit r
exit s
expect tasks munlock_rmap_steps == 32
expect tasks mlock_count_updates == 8
t = spawn
e = mmap t 0 4p rw private,anonymous
mlock t e 4p
c1 = fork t
c2 = fork t
c3 = fork t
expect kpagecount c3 e+3p count == 4
expect kpageflags c3 e MLOCKED == 1
expect smaps c3 e Locked == 0 kB
expect meminfo Mlocked == 16 kB
exit t
expect tasks munlock_rmap_steps == 48
expect tasks mlock_count_updates == 12
expect meminfo Mlocked == 0 kB
expect meminfo Unevictable == 0 kB
exit c1
exit c2
exit c3
expect tasks munlock_rmap_steps == 48
expect tasks mlock_count_updates == 12
expect meminfo Mlocked == 0 kB
expect meminfo Unevictable == 0 kB
expect vmstat nr_mlock == 0
expect invariants violations == 0
