# mremap without MREMAP_MAYMOVE: growing into free space right after the VMA happens in place (same
# address, Size grows, the new tail has no pages, VmSize grows, Rss unchanged); growing beyond the
# free space fails with ENOMEM, an exact fit works; shrinking unmaps the tail in place (its pages
# are freed, the tail faults SIGSEGV).
# Linux code: mm/mremap.c do_mremap -> mremap_at/expand_vma_in_place (vma_expand), shrink via
# do_vmi_munmap of [addr + new_len, addr + old_len); vm_stat_account for VmSize.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/mremap.c (section "26"): addresses
# (in place), smaps, VmSize deltas +32 and -16, RssAnon -16, errno, signals, values.
# meminfo AnonPages is machine-relative, derived from source.
p = spawn
r = mmap p 0 34p none private,anonymous
a = mmap p r+1p 8p rw private,fixed,anonymous => r+1p
munmap p r+9p 24p
touch p a 8p write
write p a 0x41
expect maps p count == 3
expect status p VmSize == 40 kB
mremap p a 8p 16p => a
expect smaps p a Size == 64 kB
expect smaps p a Rss == 32 kB
expect status p VmSize == 72 kB
expect maps p count == 3
read p a+12p => 0
expect smaps p a Rss == 32 kB
mremap p a 16p 33p => ENOMEM
mremap p a 16p 32p => a
expect vma p a end == r+33p
expect maps p count == 3
mremap p a 32p 4p => a
expect smaps p a Size == 16 kB
expect smaps p a Rss == 16 kB
expect status p RssAnon == 16 kB
expect status p VmSize == 24 kB
expect meminfo AnonPages == 16 kB
read p a+5p => SIGSEGV(MAPERR)
read p a => 0x41
exit p
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
