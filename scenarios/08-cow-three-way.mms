# COW in the reverse direction, with three sharers: p forks c1 and c2 (mapcount 3, Pss 40/3), then
# c1 writes page 0. c1 gets a copy; p and c2 keep reading the old content. Pss is accumulated per
# page in fixed point ((4096 << 12) / mapcount, truncated) and truncated once more when printed, so
# p shows 13 kB both before and after c1's copy (2 kB + 9 x 1365.33 B = 14335.99 B), c1 shows 15 kB.
# Exits of the other sharers bring the survivors back to 22 kB and then 40 kB.
# Linux code: mm/memory.c wp_page_copy, fs/proc/task_mmu.c smaps_page_accumulate (PSS_SHIFT),
# __show_smap (pss >> PSS_SHIFT, then >> 10).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/cow.c (section "08"): every Pss,
# Shared_Dirty/Private_Dirty, kpagecount (3, then 2 for the original page 0) and value below.
# meminfo AnonPages is machine-relative, derived from source (one copy allocated).
p = spawn
r = mmap p 0 18p none private,anonymous
a = mmap p r+1p 16p rw private,fixed,anonymous => r+1p
touch p a 10p write
write p a 0x41
c1 = fork p
c2 = fork p
expect smaps p a Rss == 40 kB
expect smaps p a Pss == 13 kB
expect smaps p a Shared_Dirty == 40 kB
expect smaps c2 a Pss == 13 kB
expect kpagecount p a count == 3
write c1 a 0xff
expect smaps p a Pss == 13 kB
expect smaps_rollup p Pss == 13 kB
expect smaps c1 a Pss == 15 kB
expect smaps c1 a Private_Dirty == 4 kB
expect smaps c1 a Shared_Dirty == 36 kB
expect smaps c2 a Pss == 13 kB
read p a => 0x41
read c2 a => 0x41
read c1 a => 0xff
expect kpagecount p a count == 2
expect pagemap p a exclusive == 0
expect kpagecount c1 a count == 1
expect pagemap c1 a exclusive == 1
expect meminfo AnonPages == 44 kB
exit c2
expect smaps p a Pss == 22 kB
expect smaps c1 a Pss == 22 kB
exit c1
expect smaps p a Pss == 40 kB
expect smaps p a Private_Dirty == 40 kB
exit p
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
