# tools/testing/selftests/mm/cow.c "Basic COW after fork()" and "... with mprotect() optimization"
# on base pages: the parent modifies a page shared with its child after fork; the child must still
# read the old content ("No leak from parent into child"). In the mprotect variant the parent first
# does mprotect(PROT_READ) then mprotect(PROT_READ|PROT_WRITE) on the page (the VMA splits into 3 and
# merges back), which must not map the shared page writable without a COW.
# Linux code: mm/memory.c do_wp_page/wp_page_copy, mm/mprotect.c change_pte_range
# (can_change_pte_writable refuses shared anon pages), mm/vma.c vma_modify/vma_merge_existing_range.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/cow.c (section "07"): values,
# maps count +2 then back, both sides end with exclusive pages (kpagecount 1), Pss 8 each.
# meminfo AnonPages is machine-relative, derived from source (2 originals + 2 parent copies).
p = spawn
r = mmap p 0 6p none private,anonymous
a = mmap p r+1p 4p rw private,fixed,anonymous => r+1p
write p a 0x41
write p a+1p 0x42
c = fork p
write p a 0xff
read c a => 0x41
read p a => 0xff
expect maps p count == 3
mprotect p a+1p 1p r
expect maps p count == 5
mprotect p a+1p 1p rw
expect maps p count == 3
write p a+1p 0xff
read c a+1p => 0x42
read p a+1p => 0xff
expect pagemap p a exclusive == 1
expect kpagecount p a count == 1
expect pagemap c a exclusive == 1
expect kpagecount c a count == 1
expect kpagecount c a+1p count == 1
expect smaps p a Rss == 8 kB
expect smaps p a Pss == 8 kB
expect smaps p a Private_Dirty == 8 kB
expect smaps c a Pss == 8 kB
expect meminfo AnonPages == 16 kB
exit c
exit p
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
