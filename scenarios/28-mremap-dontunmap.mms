# MREMAP_DONTUNMAP moves the pages to a new VMA but keeps the old VMA mapped and empty: the old range
# reads 0 (fresh anon memory: zero page, then new pages on write), the new range has the data and
# the Rss; VmSize grows by the old length (two VMAs). new_len != old_len -> EINVAL. On a shared
# anonymous mapping the old range refaults the same shmem pages, so both ranges see each other's
# writes.
# Linux code: mm/mremap.c do_mremap/move_vma (MREMAP_DONTUNMAP: old VMA kept, its anon_vma unlinked
# via unlink_anon_vmas/vm_flags), move_page_tables; check_mremap_params (old_len != new_len -> EINVAL).
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/mremap.c (section "28"; raw
# syscall, glibc 2.36's wrapper breaks this flag): smaps of both VMAs, maps +1, VmSize +32,
# RssAnon +0, pagemap, values, errno. meminfo AnonPages is machine-relative, derived from source.
p = spawn
r = mmap p 0 10p none private,anonymous
a = mmap p r+1p 8p rw private,fixed,anonymous => r+1p
touch p a 8p write
write p a 0x41
expect status p VmSize == 40 kB
n = mremap p a 8p 8p maymove,dontunmap
expect smaps p a Size == 32 kB
expect smaps p a Rss == 0 kB
expect smaps p n Size == 32 kB
expect smaps p n Rss == 32 kB
expect pagemap p a present == 0
expect pagemap p n exclusive == 1
expect maps p count == 4
expect status p VmSize == 72 kB
expect status p RssAnon == 32 kB
read p a => 0
read p n => 0x41
write p a 0x61
read p n => 0x41
expect smaps p a Rss == 4 kB
expect meminfo AnonPages == 36 kB
mremap p n 8p 16p maymove,dontunmap => EINVAL
sa = mmap p 0 4p rw shared,anonymous
touch p sa 4p write
write p sa 0x53
sn = mremap p sa 4p 4p maymove,dontunmap
expect smaps p sa Rss == 0 kB
expect smaps p sn Rss == 16 kB
read p sa => 0x53
read p sn => 0x53
write p sa+1p 0x54
read p sn+1p => 0x54
exit p
expect meminfo AnonPages == 0 kB
expect meminfo Shmem == 0 kB
expect invariants violations == 0
