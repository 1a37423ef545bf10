# A load from a page that is already mapped sets the PTE's accessed bit (the MMU does it, no
# fault is taken), so smaps Referenced counts the page. fork copies the parent's PTEs old
# (copy_present_ptes: pte_mkold), so the child starts with Referenced 0; its first load of a
# COW-shared page makes that page young in the child only, and a store to an already dirty,
# writable page keeps it young and dirty.
# Linux code: arch/x86 hardware A/D bits; mm/memory.c copy_present_ptes (pte_mkold);
# fs/proc/task_mmu.c smaps_account (Referenced: pte_young || folio_test_referenced).
# Found by the kernel oracle (mmlab oracle, scenario 07 and random scripts) and checked on the
# live kernel (Linux 6.18.44) with it: the model left the accessed bit of a present page alone.
p = spawn
r = mmap p 0 6p none private,anonymous
a = mmap p r+1p 4p rw private,fixed,anonymous => r+1p
touch p a 4p write
expect smaps p a Referenced == 16 kB
c = fork p
expect smaps c a Referenced == 0 kB
expect smaps p a Referenced == 16 kB
read c a => 0
expect smaps c a Referenced == 4 kB
read c a+2p => 0
expect smaps c a Referenced == 8 kB
expect smaps c a Rss == 16 kB
expect smaps c a Shared_Dirty == 16 kB
exit c
exit p
expect invariants violations == 0
