# RLIMIT_MEMLOCK without CAP_IPC_LOCK (kernel-semantics.md S4), limit 64 KiB = 16 pages, a 32-page
# VMA. mlock of 16 pages fits (the limit is inclusive); 17 -> ENOMEM; pages 8-23 (8 already locked +
# 8 new = 24 > 16) -> ENOMEM; relocking the same 16, or mlock2(ONFAULT) inside them, is fine (pages
# already VM_LOCKED in the range are not counted twice). mlockall(MCL_CURRENT) compares total_vm
# (the whole address space, 34+ pages) with the limit -> ENOMEM; mlockall(MCL_FUTURE) alone passes,
# after which any new mapping (even PROT_NONE) would push locked_vm past the limit -> EAGAIN.
# munlockall. MAP_LOCKED of 64 pages -> EAGAIN, of 8 pages -> ok (populated, VmLck 32); growing
# that locked VMA to 64 pages -> EAGAIN, to 16 in place -> ok (VmLck 64, the new half populated).
# Limit 0: can_do_mlock() fails, so mlock, mlock2, mlockall (CURRENT or FUTURE) and MAP_LOCKED are
# EPERM even on an already locked range; munlock and munlockall still work. With CAP_IPC_LOCK
# (`cap_ipc_lock on`, as root) the limit is ignored: limit 0 and 64 pages locked, MAP_LOCKED and
# mlockall(CURRENT) all succeed.
# Linux code: mm/mlock.c can_do_mlock, do_mlock (locked = len + locked_vm - count_mm_mlocked_page_nr,
# > limit and !capable(CAP_IPC_LOCK) -> ENOMEM), sys_mlockall (total_vm <= limit), mm/mmap.c
# mlock_future_ok (do_mmap: EAGAIN; MAP_LOCKED and !can_do_mlock -> EPERM), mm/mremap.c
# (VM_LOCKED growth -> mlock_future_ok -> EAGAIN; mm_populate of the new part),
# tools/testing/selftests/mm/mlock-random-test.c.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/mlock.c (section "38": a child
# with CAP_IPC_LOCK dropped and setrlimit(64K); "38b": a child with CAP_IPC_LOCK and limit 0):
# every errno and VmLck value below. (Linux refuses to raise the hard limit again without
# CAP_SYS_RESOURCE; the model's setrlimit_memlock is a setup knob, so the script never raises it.)
p = spawn
setrlimit_memlock p 64K
r = mmap p 0 34p none private,anonymous
a = mmap p r+1p 32p rw private,fixed,anonymous => r+1p
mlock p a 16p
expect status p VmLck == 64 kB
expect smaps p a Rss == 64 kB
mlock p a 17p => ENOMEM
expect status p VmLck == 64 kB
expect smaps p a Rss == 64 kB
mlock p a+8p 16p => ENOMEM
expect status p VmLck == 64 kB
mlock p a 16p
mlock2 p a+8p 8p onfault
expect status p VmLck == 64 kB
expect smaps p a+8p VmFlags has lf
mlockall p current => ENOMEM
expect status p VmLck == 64 kB
mlockall p future
mmap p 0 1p rw private,anonymous => EAGAIN
mmap p 0 1p none private,anonymous => EAGAIN
munlockall p
expect status p VmLck == 0 kB
expect meminfo Mlocked == 0 kB
rl = mmap p 0 66p none private,anonymous
mmap p rl+1p 64p rw private,fixed,anonymous,locked => EAGAIN
l = mmap p rl+1p 8p rw private,fixed,anonymous,locked => rl+1p
expect status p VmLck == 32 kB
expect smaps p l Rss == 32 kB
expect smaps p l Locked == 32 kB
expect smaps p l VmFlags has lo
munmap p rl+9p 57p
mremap p l 8p 64p maymove => EAGAIN
expect status p VmLck == 32 kB
mremap p l 8p 16p => l
expect status p VmLck == 64 kB
expect smaps p l Size == 64 kB
expect smaps p l Rss == 64 kB
expect smaps p l Locked == 64 kB
expect meminfo Mlocked == 64 kB
setrlimit_memlock p 0
mlock p a+20p 1p => EPERM
mlock2 p a+20p 1p onfault => EPERM
mlock p l 1p => EPERM
mlockall p current => EPERM
mlockall p future => EPERM
mmap p 0 1p rw private,anonymous,locked => EPERM
munlock p l 8p
expect status p VmLck == 32 kB
expect smaps p l VmFlags lacks lo
expect smaps p l Locked == 0 kB
munlockall p
expect status p VmLck == 0 kB
expect meminfo Mlocked == 0 kB
exit p
# root: CAP_IPC_LOCK ignores the limit
q = spawn
cap_ipc_lock q on
setrlimit_memlock q 0
rq = mmap q 0 66p none private,anonymous
b = mmap q rq+1p 64p rw private,fixed,anonymous => rq+1p
mlock q b 64p
expect status q VmLck == 256 kB
expect smaps q b Rss == 256 kB
expect smaps q b Locked == 256 kB
m = mmap q 0 4p rw private,anonymous,locked
expect status q VmLck == 272 kB
mlockall q current
munlockall q
expect status q VmLck == 0 kB
expect meminfo Mlocked == 0 kB
exit q
expect vmstat unevictable_pgs_cleared == 0
expect invariants violations == 0
