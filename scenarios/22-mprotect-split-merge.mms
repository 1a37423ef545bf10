# mprotect of part of a VMA splits it (middle: 1 -> 3 VMAs, tail: 1 -> 2) and restoring the old
# protection merges the parts back (-> 1); pages stay mapped (Rss unchanged, also under PROT_NONE).
# A fresh mapping placed right below merges with the faulted VMA. A PROT_NONE change does not merge
# with an adjacent PROT_NONE VMA that was created PROT_NONE: the rw-born VMA keeps VM_ACCOUNT, so the
# flags differ.
# Linux code: mm/mprotect.c do_mprotect_pkey/mprotect_fixup (VM_ACCOUNT kept when dropping write),
# mm/vma.c vma_modify_flags/vma_merge_existing_range/is_mergeable_vma, mm/mmap.c accountable_mapping,
# arch/x86/mm/fault.c access_error (SEGV_ACCERR).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/vma.c (section "22"): maps deltas
# (+2, 0, +1, 0, merge of the fresh mapping: 0, PROT_NONE half: +1, back: 0, guard case: +1), sizes,
# Rss, signals. The probe puts the region in a PROT_NONE reservation, as the last step here does.
p = spawn
a = mmap p 0 16p rw private,anonymous
touch p a 16p write
expect maps p count == 1
mprotect p a+4p 4p r
expect maps p count == 3
expect vma p a+4p start == a+4p
expect vma p a+4p end == a+8p
expect smaps p a+4p Size == 16 kB
expect smaps p a+4p Rss == 16 kB
expect smaps p a Size == 16 kB
read p a+4p => 0
write p a+4p 0x41 => SIGSEGV(ACCERR)
mprotect p a+4p 4p rw
expect maps p count == 1
expect vma p a+4p start == a
expect smaps p a Size == 64 kB
expect smaps p a Rss == 64 kB
mprotect p a+12p 4p r
expect maps p count == 2
mprotect p a+12p 4p rw
expect maps p count == 1
b = mmap p a-16p 16p rw private,fixed,anonymous => a-16p
expect maps p count == 1
expect vma p a start == b
expect smaps p a Size == 128 kB
mprotect p a 16p none
expect maps p count == 2
expect smaps p a Rss == 64 kB
read p a => SIGSEGV(ACCERR)
mprotect p a 16p rw
expect maps p count == 1
g = mmap p b-4p 4p none private,fixed,anonymous => b-4p
expect maps p count == 2
mprotect p b 16p none
expect maps p count == 3
expect vma p b start == b
expect smaps p b Size == 64 kB
expect smaps p g Size == 16 kB
exit p
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
