"""A complete session: python examples/session.py [HOST:PORT [TOKEN]] (default 127.0.0.1:50051)."""
import sys

import mmlab
from mmlab import FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, MAP_SHARED, MPOL_MF_MOVE, PAGE_SIZE, ok

with mmlab.connect(*sys.argv[1:3]) as client, client.machine(nodes=2) as m:
    p = m.spawn()
    fd = ok(p.memfd_create("demo"))
    p.ftruncate(fd, 4 * PAGE_SIZE)
    s = ok(p.mmap(4 * PAGE_SIZE, flags=MAP_SHARED, fd=fd))
    p.touch(s, 4 * PAGE_SIZE, write=True)
    print("move_pages:", p.move_pages([s, s + PAGE_SIZE], [1, 1], MPOL_MF_MOVE))  # [1, 1]
    p.fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4 * PAGE_SIZE)
    print(f"munmap unaligned: {p.munmap(s + 1, PAGE_SIZE)!r}")  # Errno(EINVAL)
    print(p.smaps_rollup().text, end="")  # Pss_Shmem: 0 kB
    print("Pss_Shmem:", p.smaps_rollup().pss_shmem, "kB; node 1 Shmem:", m.meminfo(node=1).shmem, "kB")
