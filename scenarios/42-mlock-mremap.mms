# mremap of a locked region. Growing a locked 16-page VMA that cannot grow in place moves it: the
# moved PTEs keep their pages (still PG_mlocked, no munlock/mlock events), VmLck grows by the new
# part only (64 -> 128 kB) and the new 16 pages are populated and mlocked (16 faults, mlocked +16);
# data is preserved. A MREMAP_FIXED move keeps VmLck and the pages' mlock state. Shrinking to 8
# pages unmaps 24 locked pages (VmLck 32, munlocked/rescued +24). MREMAP_DONTUNMAP moves the pages
# into a new VM_LOCKED VMA (Locked 32, still MLOCKED) and clears VM_LOCKED on the old, now empty
# VMA, yet locked_vm was only increased (VmLck 64): after both VMAs are unmapped VmLck stays 32 kB,
# and munlockall does not fix it — the locked_vm leak of this kernel. The old VMA refaults fresh,
# unlocked pages.
# Linux code: mm/mremap.c do_mremap/mremap_to/move_vma/vrm_set_delta (locked_vm += new pages,
# mm_populate of the grown part), dontunmap_complete (vm_flags_clear(VM_LOCKED_MASK) without
# locked_vm -= ...), move_page_tables; mm/vma.c do_vmi_munmap (locked_vm -= VM_LOCKED pages).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/mlock.c (section "42", raw
# mremap syscall: glibc 2.36's wrapper breaks DONTUNMAP): moved yes, minflt +16, VmLck
# 128/128/32/64/64/32/32, smaps, kpageflags, values, and the deltas with the drain protocol
# (mlocked/culled +16; move nothing; munlocked/rescued +24; dontunmap nothing; +8 at the munmaps);
# matches kernel-oracle.md §2.9. AnonPages and pgfault are derived from source.
p = spawn
r = mmap p 0 18p none private,anonymous
a = mmap p r+1p 16p rw private,fixed,anonymous => r+1p
mlock p a 16p
write p a 0x41
write p a+15p 0x4f
expect vmstat pgfault == 16
expect vmstat unevictable_pgs_mlocked == 16
n = mremap p a 16p 32p maymove
expect vmstat pgfault == 32
expect status p VmLck == 128 kB
expect smaps p n Size == 128 kB
expect smaps p n Rss == 128 kB
expect smaps p n Locked == 128 kB
expect smaps p n VmFlags has lo
expect kpageflags p n MLOCKED == 1
expect kpageflags p n+31p MLOCKED == 1
expect meminfo Mlocked == 128 kB
expect vmstat unevictable_pgs_mlocked == 32
expect vmstat unevictable_pgs_culled == 32
expect vmstat unevictable_pgs_munlocked == 0
read p n => 0x41
read p n+15p => 0x4f
r2 = mmap p 0 34p none private,anonymous
t = mremap p n 32p 32p maymove,fixed to=r2+1p => r2+1p
expect status p VmLck == 128 kB
expect smaps p t Locked == 128 kB
expect kpageflags p t MLOCKED == 1
expect vmstat unevictable_pgs_mlocked == 32
expect vmstat unevictable_pgs_munlocked == 0
read p t => 0x41
mremap p t 32p 8p => t
expect status p VmLck == 32 kB
expect smaps p t Size == 32 kB
expect smaps p t Locked == 32 kB
expect meminfo Mlocked == 32 kB
expect vmstat unevictable_pgs_munlocked == 24
expect vmstat unevictable_pgs_rescued == 24
d = mremap p t 8p 8p maymove,dontunmap
expect smaps p t VmFlags lacks lo
expect smaps p t Rss == 0 kB
expect smaps p t Size == 32 kB
expect smaps p d VmFlags has lo
expect smaps p d Locked == 32 kB
expect status p VmLck == 64 kB
expect kpageflags p d MLOCKED == 1
expect meminfo Mlocked == 32 kB
expect vmstat unevictable_pgs_mlocked == 32
expect vmstat unevictable_pgs_munlocked == 24
read p d => 0x41
read p t => 0
write p t 0x61
expect kpageflags p t MLOCKED == 0
expect smaps p t Rss == 4 kB
expect smaps p t Locked == 0 kB
expect vmstat unevictable_pgs_mlocked == 32
munmap p t 8p
expect status p VmLck == 64 kB
munmap p d 8p
expect status p VmLck == 32 kB
expect meminfo Mlocked == 0 kB
expect vmstat unevictable_pgs_munlocked == 32
expect vmstat unevictable_pgs_rescued == 32
munlockall p
expect status p VmLck == 32 kB
exit p
expect meminfo AnonPages == 0 kB
expect vmstat unevictable_pgs_cleared == 0
expect invariants violations == 0
