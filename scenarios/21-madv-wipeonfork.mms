# MADV_WIPEONFORK (VmFlags wf): the child gets the VMA (same Size, flag inherited) but no pages: it
# reads zeroes (zero page, Rss 0) and its writes get fresh pages; the parent keeps its data and its
# full Pss (nothing is shared). Only private anonymous VMAs qualify: EINVAL on MAP_SHARED|MAP_ANONYMOUS
# and on a private memfd mapping. MADV_KEEPONFORK clears it: the next child shares the pages again.
# Linux code: mm/madvise.c madvise_vma_behavior (MADV_WIPEONFORK: vma->vm_file || VM_SHARED ->
# EINVAL), kernel/fork.c dup_mmap (VM_WIPEONFORK: no copy_page_range, no anon_vma),
# mm/memory.c do_anonymous_page in the child.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/madvise.c (section "21").
# meminfo AnonPages is machine-relative, derived from source (the child's write allocates one page).
p = spawn
r = mmap p 0 18p none private,anonymous
w = mmap p r+1p 16p rw private,fixed,anonymous => r+1p
touch p w 8p write
write p w 0x41
madvise p w 16p wipeonfork
expect smaps p w VmFlags has wf
c = fork p
expect smaps c w Size == 64 kB
expect smaps c w Rss == 0 kB
expect smaps c w VmFlags has wf
expect status c RssAnon == 0 kB
read c w => 0
expect smaps c w Rss == 0 kB
read p w => 0x41
expect smaps p w Pss == 32 kB
write c w 0x61
expect smaps c w Rss == 4 kB
expect meminfo AnonPages == 36 kB
read p w => 0x41
exit c
expect meminfo AnonPages == 32 kB
sa = mmap p 0 4p rw shared,anonymous
madvise p sa 4p wipeonfork => EINVAL
fd = memfd_create p m21
ftruncate p fd 4p
m = mmap p 0 4p rw private fd=fd
madvise p m 4p wipeonfork => EINVAL
madvise p w 16p keeponfork
expect smaps p w VmFlags lacks wf
c2 = fork p
read c2 w => 0x41
expect smaps c2 w Rss == 32 kB
expect smaps c2 w Pss == 16 kB
exit c2
close p fd
exit p
expect meminfo AnonPages == 0 kB
expect meminfo Shmem == 0 kB
expect invariants violations == 0
