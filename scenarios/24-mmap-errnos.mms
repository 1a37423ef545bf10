# mmap argument errors: len 0 -> EINVAL; neither MAP_SHARED nor MAP_PRIVATE -> EINVAL, and
# MAP_SHARED|MAP_PRIVATE (= MAP_SHARED_VALIDATE) is EINVAL for anonymous memory but valid for a file
# (where an unknown flag bit then gives EOPNOTSUPP instead of being ignored); unaligned MAP_FIXED
# -> EINVAL; MAP_FIXED_NOREPLACE over (even part of) a mapping -> EEXIST; bad fd, or a non-anonymous
# mapping with fd -1 -> EBADF; MAP_SHARED+PROT_WRITE on an O_RDONLY fd -> EACCES (and mprotect to
# rw of its PROT_READ shared mapping -> EACCES), any mapping of an O_WRONLY fd -> EACCES; MAP_PRIVATE
# rw on an O_RDONLY fd is fine; an unaligned offset -> EINVAL, even for anonymous memory; lengths
# beyond the address space -> ENOMEM. Unknown flag bits with MAP_PRIVATE and unknown prot bits are
# ignored by mmap (unlike mprotect); mapping a file beyond EOF succeeds, touching it gives SIGBUS.
# Linux code: mm/mmap.c do_mmap (MAP_TYPE switch, file mode checks), arch/x86/kernel/sys_x86_64.c
# sys_mmap (offset & ~PAGE_MASK -> EINVAL), mm/mmap.c __get_unmapped_area/mmap_region,
# mm/vma.c (MAP_FIXED_NOREPLACE -> EEXIST), mm/mprotect.c (VM_MAYWRITE), mm/filemap.c filemap_fault.
# Checked on the live kernel (Linux 6.18.44) with scenarios/probes/vma.c (section "24"): every result.
p = spawn
mmap p 0 0 rw private,anonymous => EINVAL
mmap p 0 1p rw anonymous => EINVAL
mmap p 0 1p rw shared,private,anonymous => EINVAL
v = mmap p 0 1p r private,anonymous,0x200
a = mmap p 0 16p rw private,anonymous
mmap p a+1 1p r private,fixed,anonymous => EINVAL
mmap p a 1p r private,anonymous,fixed_noreplace => EEXIST
mmap p a+15p 2p r private,anonymous,fixed_noreplace => EEXIST
mmap p 0 1p r shared fd=99 => EBADF
mmap p 0 1p r private => EBADF
f = open p /tmp/m24.dat rdwr,creat
ftruncate p f 4p
ro = open p /tmp/m24.dat 0
wo = open p /tmp/m24.dat wronly
mmap p 0 1p rw shared fd=ro => EACCES
pr = mmap p 0 1p rw private fd=ro
write p pr 0x41
sr = mmap p 0 1p r shared fd=ro
mprotect p sr 1p rw => EACCES
mmap p 0 1p r shared fd=wo => EACCES
mmap p 0 1p r shared fd=f off=100 => EINVAL
mmap p 0 1p r shared,private fd=f
mmap p 0 1p r shared,private,0x200 fd=f => EOPNOTSUPP
mmap p 0 1p r private,anonymous off=100 => EINVAL
mmap p 0 1p r private,anonymous off=1p
mmap p 0 0x1000000000000 r private,anonymous,noreserve => ENOMEM
mmap p 0 0xfffffffffffff000 r private,anonymous => ENOMEM
u = mmap p 0 1p 0x11 private,anonymous
read p u => 0
e = mmap p 0 1p r shared fd=f off=8p
read p e => SIGBUS
close p f
close p ro
close p wo
exit p
expect meminfo AnonPages == 0 kB
expect invariants violations == 0
