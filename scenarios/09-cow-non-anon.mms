# tools/testing/selftests/mm/cow.c non-anonymous "Basic COW": writing through a private mapping
# must not change what another mapping of the same page sees: (1) the shared zero page (two private
# anon mappings, one PROT_READ), (2) a 1-page memfd preallocated with fallocate(mode 0), mapped
# MAP_PRIVATE rw and MAP_SHARED r, (3) a 1-page regular file, mapped the same way. The private write
# turns the file/shmem page into an anon copy (RssShmem/RssFile -4, RssAnon +4).
# Linux code: mm/memory.c wp_page_copy (zero page and page cache sources), do_cow_fault is not hit
# (the pages were read first), mm/shmem.c shmem_fallocate/shmem_fault, mm/filemap.c filemap_fault.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/cow.c (section "09"): values,
# SIGSEGV(ACCERR), smaps (note the fallocated shmem page is dirty: Shared_Dirty), RssShmem/RssFile/
# RssAnon deltas. Every file here is 1 page, so Linux fault-around maps nothing extra.
# meminfo Shmem/AnonPages are machine-relative, derived from source (shmem_fallocate allocates 1 page).
p = spawn
mem = mmap p 0 1p rw private,anonymous
smem = mmap p 0 1p r private,anonymous
read p mem => 0
read p smem => 0
write p mem 0xff
read p smem => 0
expect smaps p mem Anonymous == 4 kB
expect smaps p smem Rss == 0 kB
write p smem 0xff => SIGSEGV(ACCERR)
fd = memfd_create p cow
fallocate p fd 0 0 1p
expect meminfo Shmem == 4 kB
m = mmap p 0 1p rw private fd=fd
sm = mmap p 0 1p r shared fd=fd
read p m => 0
read p sm => 0
expect smaps p m Pss == 2 kB
expect smaps p m Shared_Dirty == 4 kB
expect kpagecount p m count == 2
expect status p RssShmem == 8 kB
write p m 0xff
read p sm => 0
read p m => 0xff
expect smaps p m Anonymous == 4 kB
expect smaps p sm Pss == 4 kB
expect status p RssShmem == 4 kB
pread p fd 0 => 0
f = open p /tmp/cow09.dat rdwr,creat
ftruncate p f 1p
fm = mmap p 0 1p rw private fd=f
fs = mmap p 0 1p r shared fd=f
read p fm => 0
read p fs => 0
expect smaps p fm Shared_Clean == 4 kB
expect status p RssFile == 8 kB
write p fm 0xff
read p fs => 0
expect smaps p fm Private_Dirty == 4 kB
expect smaps p fs Private_Clean == 4 kB
expect status p RssFile == 4 kB
expect status p RssAnon == 12 kB
pread p f 0 => 0
close p fd
close p f
exit p
expect meminfo Shmem == 0 kB
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
