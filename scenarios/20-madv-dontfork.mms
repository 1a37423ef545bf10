# MADV_DONTFORK sets VM_DONTCOPY (VmFlags dc): fork skips the VMA entirely, so the child has a hole
# there (SIGSEGV, smaller VmSize, no Rss); applied to part of a VMA it splits it (maps +2).
# MADV_DOFORK clears the flag, the parts merge back and the next child gets the data.
# Linux code: mm/madvise.c madvise_vma_behavior (VM_DONTCOPY) -> madvise_update_vma/vma_modify_flags,
# kernel/fork.c dup_mmap (skips VM_DONTCOPY, vm_stat_account of the skipped size),
# arch/x86/mm/fault.c bad_area (SEGV_MAPERR).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/madvise.c (section "20"): maps
# deltas (0, +2, back to 0), VmFlags, child VmSize -80 kB and maps -2 relative to the parent, child
# RssAnon 32 kB below the parent's, SIGSEGV(MAPERR) reads, values, Pss of the shared part.
p = spawn
r = mmap p 0 35p none private,anonymous
d = mmap p r+1p 16p rw private,fixed,anonymous => r+1p
e = mmap p r+18p 16p rw private,fixed,anonymous => r+18p
touch p d 4p write
write p d 0x44
touch p e 16p write
write p e 0x45
write p e+4p 0x49
expect maps p count == 5
madvise p d 16p dontfork
expect maps p count == 5
madvise p e+4p 4p dontfork
expect maps p count == 7
expect smaps p d VmFlags has dc
expect smaps p e VmFlags lacks dc
expect smaps p e+4p VmFlags has dc
expect status p VmSize == 140 kB
expect status p RssAnon == 80 kB
c = fork p
expect maps c count == 5
expect status c VmSize == 60 kB
expect status c RssAnon == 48 kB
read c d => SIGSEGV(MAPERR)
read c e => 0x45
read c e+4p => SIGSEGV(MAPERR)
read c e+8p => 0
expect smaps c e Rss == 16 kB
expect smaps c e Pss == 8 kB
expect smaps p e+4p Pss == 16 kB
exit c
madvise p e+4p 4p dofork
expect maps p count == 5
expect smaps p e+4p VmFlags lacks dc
c2 = fork p
read c2 e+4p => 0x49
expect smaps c2 e Rss == 64 kB
expect smaps c2 e Pss == 32 kB
read c2 d => SIGSEGV(MAPERR)
exit c2
exit p
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
