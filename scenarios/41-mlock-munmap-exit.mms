# Unmapping locked pages. munmap of 4 pages in the middle of a locked, populated 16-page VMA
# subtracts them from VmLck (48 kB), splits the VMA (maps +1) and munlocks each page as its PTE is
# zapped (munlocked/rescued +4) before it is freed. madvise DONTNEED, FREE, PAGEOUT and COLD refuse
# a VM_LOCKED VMA (EINVAL); WILLNEED is fine; MADV_DONTNEED_LOCKED zaps 2 pages (munlocked +2, Rss and
# Locked -8, VmLck unchanged). A read fault there maps the zero page (not mlocked, not in Rss); a
# write fault maps a new page mlocked at once. munmap of the rest munlocks the remaining 11 pages
# and VmLck goes to 0. exit munlocks every page of the dying process's locked VMAs (munlocked/rescued
# +16); nothing is freed while still mlocked (unevictable_pgs_cleared stays 0).
# Linux code: mm/vma.c do_vmi_align_munmap/vms_complete_munmap_vmas (locked_vm -= VM_LOCKED pages),
# mm/memory.c zap_present_ptes -> folio_remove_rmap_ptes -> munlock_vma_folio, mm/madvise.c
# madvise_dontneed_free_valid_vma (VM_LOCKED forbidden unless MADV_DONTNEED_LOCKED), can_madv_lru_vma
# (pageout/cold), kernel/exit.c exit_mmap, mm/mlock.c __munlock_folio.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/mlock.c (section "41"; the exiting
# process is a forked servant that maps, touches 8 and mlocks 16 pages): VmLck, maps, errnos, smaps,
# kpageflags, and the deltas with the drain protocol (mlocked +16; munlocked +4, +2, +11; mlocked +1
# on the write; child: mlocked +16, exit munlocked/rescued +16). AnonPages is derived from source.
p = spawn
r = mmap p 0 18p none private,anonymous
a = mmap p r+1p 16p rw private,fixed,anonymous => r+1p
mlock p a 16p
expect smaps p a Rss == 64 kB
expect meminfo Mlocked == 64 kB
expect vmstat unevictable_pgs_mlocked == 16
munmap p a+4p 4p
expect status p VmLck == 48 kB
expect maps p count == 4
expect smaps p a Size == 16 kB
expect smaps p a Locked == 16 kB
expect smaps p a+8p Locked == 32 kB
expect meminfo Mlocked == 48 kB
expect meminfo AnonPages == 48 kB
expect vmstat unevictable_pgs_munlocked == 4
expect vmstat unevictable_pgs_rescued == 4
madvise p a 1p dontneed => EINVAL
madvise p a 1p free => EINVAL
madvise p a 1p pageout => EINVAL
madvise p a 1p cold => EINVAL
madvise p a 1p willneed
madvise p a 2p dontneed_locked
expect smaps p a Rss == 8 kB
expect smaps p a Locked == 8 kB
expect pagemap p a present == 0
expect status p VmLck == 48 kB
expect smaps p a VmFlags has lo
expect meminfo Mlocked == 40 kB
expect vmstat unevictable_pgs_munlocked == 6
expect vmstat unevictable_pgs_rescued == 6
read p a => 0
expect kpageflags p a ZERO_PAGE == 1
expect kpageflags p a MLOCKED == 0
expect smaps p a Rss == 8 kB
write p a 0x41
expect smaps p a Rss == 12 kB
expect smaps p a Locked == 12 kB
expect kpageflags p a MLOCKED == 1
expect meminfo Mlocked == 44 kB
expect vmstat unevictable_pgs_mlocked == 17
expect vmstat unevictable_pgs_culled == 17
munmap p a 16p
expect status p VmLck == 0 kB
expect meminfo Mlocked == 0 kB
expect meminfo AnonPages == 0 kB
expect vmstat unevictable_pgs_munlocked == 17
expect vmstat unevictable_pgs_rescued == 17
exit p
c = spawn
rc = mmap c 0 18p none private,anonymous
ca = mmap c rc+1p 16p rw private,fixed,anonymous => rc+1p
touch c ca 8p write
mlock c ca 16p
expect smaps c ca Locked == 64 kB
expect status c VmLck == 64 kB
expect meminfo Mlocked == 64 kB
expect vmstat unevictable_pgs_mlocked == 33
expect vmstat unevictable_pgs_culled == 33
exit c
expect meminfo Mlocked == 0 kB
expect meminfo Unevictable == 0 kB
expect meminfo AnonPages == 0 kB
expect vmstat unevictable_pgs_munlocked == 33
expect vmstat unevictable_pgs_rescued == 33
expect vmstat unevictable_pgs_cleared == 0
expect invariants violations == 0
