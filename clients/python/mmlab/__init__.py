"""mmlab: a Python client for ``mmlabd``, the service hosting modeled Linux memory managers.

    import mmlab
    from mmlab import FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, MAP_SHARED, PAGE_SIZE

    with mmlab.connect("127.0.0.1:50051") as client, client.machine(nodes=2) as m:
        p = m.spawn()
        a = p.mmap(4 * PAGE_SIZE)
        p.write(a, 0x41)
        print(p.smaps_rollup().rss)          # 4 (kB)
        print(p.munmap(a + 1, PAGE_SIZE))    # Errno(EINVAL)

A modeled syscall's failure is a value (:class:`Errno`), never an exception; a failure of the
service raises :class:`MmlabError` (``.code`` is the gRPC status code).
"""

from mmlab import _generate

_generate.ensure_in_tree()

from mmlab.client import Client, Journal, Machine, MachineConfig, MachineInfo, Op, Process, connect  # noqa: E402
from mmlab.constants import *  # noqa: E402,F401,F403
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
