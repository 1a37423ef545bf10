# MADV_COLLAPSE collapses each aligned 2 MiB range of the advised range into a new PMD-mapped THP,
# whatever the THP mode and VM_HUGEPAGE say and whatever max_ptes_none says: 512 written pages or
# only 10 (Rss grows from 40 kB to 2048 kB). Contents are copied; unmapped pages read as zero.
# thp_collapse_alloc counts each collapse. MADV_NOHUGEPAGE ranges and ranges without a page
# table give EINVAL. Linux code: mm/khugepaged.c madvise_collapse, hpage_collapse_scan_pmd,
# collapse_huge_page, madvise_collapse_errno. Checked on the live kernel (Linux 6.18.44, THP
# madvise) with scenarios/probes/thp.c (section "84").
machine thp=madvise
p = spawn
a = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
touch p a 2M write
write p a+7p 0x77
write p a+511p 0x5ff
expect smaps p a AnonHugePages == 0 kB
madvise p a 2M collapse
expect vmstat thp_collapse_alloc == 1
expect vmstat thp_fault_alloc == 0
expect smaps p a Rss == 2048 kB
expect smaps p a AnonHugePages == 2048 kB
expect meminfo AnonHugePages == 2048 kB
expect meminfo AnonPages == 2048 kB
expect kpageflags p a COMPOUND_HEAD == 1
read p a+7p => 0x77
read p a+511p => 0x5ff
read p a+1p => 0
munmap p a 2M
b = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
touch p b 10p write
write p b+3p 0x33
expect smaps p b Rss == 40 kB
madvise p b 2M collapse
expect vmstat thp_collapse_alloc == 2
expect smaps p b Rss == 2048 kB
expect smaps p b AnonHugePages == 2048 kB
read p b+3p => 0x33
read p b+100p => 0
munmap p b 2M
c = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p c 2M nohugepage
touch p c 10p write
madvise p c 2M collapse => EINVAL
expect vmstat thp_collapse_alloc == 2
munmap p c 2M
d = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p d 2M collapse => EINVAL
expect smaps p d Rss == 0 kB
exit p
expect meminfo AnonHugePages == 0 kB
expect invariants violations == 0
