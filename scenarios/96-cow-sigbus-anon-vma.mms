# A write fault in a private file mapping beyond EOF is SIGBUS, but do_cow_fault has already
# prepared the VMA's anon_vma by then. So when mlock later splits the VMA and the pieces fault
# COW pages in (mlock itself fails with ENOMEM when its populate reaches EOF, but the range stays
# VM_LOCKED), they all share that one anon_vma, and munlockall merges them back into a
# single VMA. Had the anon_vma been made after the split, each piece would have its own (the
# pieces differ in VM_LOCKED, so anon_vma_compatible refuses to reuse a neighbour's) and they
# could never merge.
# Linux code: mm/memory.c do_cow_fault (vmf_anon_prepare before __do_fault), mm/vma.c
# anon_vma_compatible, is_mergeable_anon_vma.
# Found by the kernel oracle (random script 987 of seed 1). Checked on Linux 6.18.44.
p = spawn
fd = open p /data/f96 rdwr,creat
ftruncate p fd 5p
m = mmap p 0 16p rw private fd=fd
touch p m+9p 2p write => SIGBUS
mlock p m+1p 8p => ENOMEM
expect maps p count == 3
touch p m+0p 9p write => SIGBUS
expect smaps p m Anonymous == 4 kB
expect smaps p m+1p Anonymous == 16 kB
munlockall p
expect maps p count == 1
expect vma p m end == m+16p
close p fd
exit p
expect invariants violations == 0
