# mprotect errors and the faults protections cause: unaligned start -> EINVAL; an unknown prot bit
# (0x10) -> EINVAL, but PROT_SEM (0x8) is accepted on x86 (here with PROT_READ: page 0 becomes
# read-only, +1 VMA); len 0 -> 0; a range with a hole -> ENOMEM after the VMAs before the hole were
# changed (they even merge); a range inside a hole -> ENOMEM. Writes to PROT_READ and any access to
# PROT_NONE -> SIGSEGV(ACCERR); an unmapped address -> SIGSEGV (MAPERR). On x86 PROT_WRITE alone is
# readable. PROT_NONE keeps the pages (Rss).
# Linux code: mm/mprotect.c do_mprotect_pkey (arch_validate_prot, "vma->vm_start != tmp" -> ENOMEM
# inside the loop), arch/x86/include/asm/mman.h (PROT_SEM allowed), arch/x86/mm/fault.c access_error,
# arch/x86/mm/pgtable.c protection_map (VM_WRITE alone maps as readable PAGE_COPY).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/vma.c (section "23"): every errno,
# the maps deltas (+1 for 0x9, -1 after the failed mprotect across the hole), signals and values.
p = spawn
r = mmap p 0 18p none private,anonymous
a = mmap p r+1p 16p rw private,fixed,anonymous => r+1p
write p a 0x41
expect maps p count == 3
mprotect p a+1 1p r => EINVAL
mprotect p a 1p 0x9
expect maps p count == 4
write p a 0x42 => SIGSEGV(ACCERR)
mprotect p a 1p 0x10 => EINVAL
mprotect p a 0 r
munmap p a+8p 1p
expect maps p count == 5
mprotect p a 16p r => ENOMEM
expect maps p count == 4
expect vma p a end == a+8p
write p a+1p 0x42 => SIGSEGV(ACCERR)
write p a+9p 0x42
mprotect p a+8p 1p r => ENOMEM
read p a+8p => SIGSEGV(MAPERR)
read p a => 0x41
mprotect p a 8p w
read p a => 0x41
write p a+1p 0x43
mprotect p a 8p none
read p a => SIGSEGV(ACCERR)
write p a+1p 0x44 => SIGSEGV(ACCERR)
expect smaps p a Rss == 8 kB
mprotect p a 8p r
read p a+1p => 0x43
exit p
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
