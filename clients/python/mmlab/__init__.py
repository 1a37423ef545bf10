"""mmlab: a Python client for ``mmlabd``, the service hosting modeled Linux memory managers.

    import mmlab
    from mmlab import FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, MAP_SHARED, PAGE_SIZE

    with mmlab.connect("127.0.0.1:50051") as client, client.machine(nodes=2) as m:
        p = m.spawn()
        a = p.mmap(4 * PAGE_SIZE)
        p.write(a, 0x41)
        print(p.smaps_rollup().rss)          # 4 (kB)
        print(repr(p.munmap(a + 1, PAGE_SIZE)))  # Errno(EINVAL)

A modeled syscall's failure is a value (:class:`Errno`), never an exception; a failure of the
service raises :class:`MmlabError` (``.code`` is the gRPC status code).
"""

from mmlab import _generate

_generate.ensure_in_tree()

from mmlab.client import (  # noqa: E402
    Client,
    InvariantError,
    Journal,
    Machine,
    MachineConfig,
    MachineInfo,
    Op,
    Process,
    connect,
)
from mmlab.constants import *  # noqa: E402,F401,F403  (listed in __all__)
from mmlab.errors import (  # noqa: E402
    DeadlineExceeded,
    FailedPrecondition,
    InvalidArgument,
    MmlabError,
    NotFound,
    OutOfRange,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
)
from mmlab.results import Errno, OpError, PageStatus, Signal, Value, ViewError, ok  # noqa: E402
from mmlab.views import (  # noqa: E402
    Kpage,
    Maps,
    MapsEntry,
    Meminfo,
    Mss,
    Pagemap,
    PagemapEntry,
    Smaps,
    SmapsEntry,
    SmapsRollup,
    Status,
    Vmstat,
    Violation,
)

__version__ = "0.1.0"

__all__ = [
    "Client", "InvariantError", "Journal", "Machine", "MachineConfig", "MachineInfo", "Op", "Process",
    "connect",
    "DeadlineExceeded", "FailedPrecondition", "InvalidArgument", "MmlabError", "NotFound",
    "OutOfRange", "ResourceExhausted", "Unauthenticated", "Unavailable", "Errno", "OpError",
    "PageStatus", "Signal", "Value", "ViewError", "ok", "Kpage", "Maps", "MapsEntry", "Meminfo",
    "Mss", "Pagemap", "PagemapEntry", "Smaps", "SmapsEntry", "SmapsRollup", "Status", "Vmstat",
    "Violation", "PAGE_SIZE", "PROT_NONE", "PROT_READ", "PROT_WRITE", "PROT_EXEC", "MAP_SHARED",
    "MAP_PRIVATE", "MAP_FIXED", "MAP_ANONYMOUS", "MAP_LOCKED", "MAP_NORESERVE", "MAP_POPULATE",
    "MAP_FIXED_NOREPLACE", "MREMAP_MAYMOVE", "MREMAP_FIXED", "MREMAP_DONTUNMAP", "MADV_NORMAL",
    "MADV_RANDOM", "MADV_SEQUENTIAL", "MADV_WILLNEED", "MADV_DONTNEED", "MADV_FREE", "MADV_REMOVE",
    "MADV_DONTFORK", "MADV_DOFORK", "MADV_MERGEABLE", "MADV_UNMERGEABLE", "MADV_HUGEPAGE",
    "MADV_NOHUGEPAGE", "MADV_DONTDUMP", "MADV_DODUMP", "MADV_WIPEONFORK", "MADV_KEEPONFORK",
    "MADV_COLD", "MADV_PAGEOUT", "MADV_POPULATE_READ", "MADV_POPULATE_WRITE",
    "MADV_DONTNEED_LOCKED", "MADV_COLLAPSE", "MLOCK_ONFAULT", "MCL_CURRENT", "MCL_FUTURE",
    "MCL_ONFAULT", "MFD_CLOEXEC", "MFD_ALLOW_SEALING", "MFD_HUGETLB", "MFD_NOEXEC_SEAL", "MFD_EXEC",
    "O_RDONLY", "O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "FALLOC_FL_KEEP_SIZE",
    "FALLOC_FL_PUNCH_HOLE", "FALLOC_FL_COLLAPSE_RANGE", "FALLOC_FL_ZERO_RANGE",
    "FALLOC_FL_INSERT_RANGE", "FALLOC_FL_UNSHARE_RANGE", "MPOL_MF_MOVE", "MPOL_MF_MOVE_ALL",
    "RLIM_INFINITY",
]
