# munmap of the middle of a VMA splits it (+1 VMA) and frees those pages (VmSize, RssAnon,
# AnonPages drop); the hole then gives SIGSEGV. munmap of an unaligned address or with len 0 ->
# EINVAL; munmap of a hole, or of a range that is half hole, succeeds; len 1 is rounded up to a page.
# Linux code: mm/vma.c do_vmi_munmap (offset_in_page(start) / len 0 -> EINVAL, PAGE_ALIGN(len)),
# do_vmi_align_munmap (split at both ends), vms_clear_ptes -> unmap_vmas/zap_pte_range.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/vma.c (section "25"): maps deltas,
# VmSize -16, RssAnon -16 then -24, sizes, errnos, signals. meminfo AnonPages is machine-relative,
# derived from source (NR_ANON_MAPPED -1 per zapped page).
p = spawn
r = mmap p 0 18p none private,anonymous
a = mmap p r+1p 16p rw private,fixed,anonymous => r+1p
touch p a 16p write
write p a+9p 0x49
expect maps p count == 3
expect status p VmSize == 72 kB
munmap p a+4p 4p
expect maps p count == 4
expect status p VmSize == 56 kB
expect status p RssAnon == 48 kB
expect smaps p a Size == 16 kB
expect smaps p a+8p Size == 32 kB
expect vma p a+8p start == a+8p
read p a+4p => SIGSEGV(MAPERR)
munmap p a+1 1p => EINVAL
munmap p a 0 => EINVAL
munmap p a+4p 4p
munmap p a+2p 4p
expect maps p count == 4
expect status p RssAnon == 40 kB
munmap p a+1p 1
expect smaps p a Size == 4 kB
read p a+1p => SIGSEGV(MAPERR)
read p a+9p => 0x49
expect meminfo AnonPages == 36 kB
munmap p r 18p
expect maps p count == 0
expect status p VmSize == 0 kB
expect meminfo AnonPages == 0 kB
exit p
expect invariants violations == 0
