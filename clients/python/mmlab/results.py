"""Operation results as values: a modeled syscall's errno is a result, never an exception.

A successful operation returns a plain value (a pid, an address, an fd, a page value, a count,
move_pages statuses, or ``None`` for a syscall that returned 0). A failed one returns an
:class:`Errno`; a faulting access returns a :class:`Signal` (the process survives, as if it had a
handler). Neither is an ``int``, so an errno can never be mistaken for an address::

    >>> p.munmap(a + 1, 4096)
    Errno(EINVAL)
    >>> hex(ok(p.mmap(4096)))   # the value, or OpError
    '0x7effffffb000'
"""

from __future__ import annotations

import enum
import os
from typing import TypeVar, Union

from mmlab.v1 import ops_pb2


class Errno(enum.Enum):
    """The errnos the model returns; ``.value`` is Linux's number (``Errno.EINVAL.value == 22``)."""

    EPERM = 1
    ENOENT = 2
    ESRCH = 3
    EBADF = 9
    EAGAIN = 11
    ENOMEM = 12
    EACCES = 13
    EFAULT = 14
    EBUSY = 16
    EEXIST = 17
    ENODEV = 19
    EINVAL = 22
    ENFILE = 23
    EMFILE = 24
    EFBIG = 27
    ENOSPC = 28
    ESPIPE = 29
    ERANGE = 34
    ENAMETOOLONG = 36
    ENOSYS = 38
    EOVERFLOW = 75
    EOPNOTSUPP = 95

    @property
    def errno(self) -> int:
        """Linux's number."""
        return int(self.value)

    @property
    def strerror(self) -> str:
        """The C library's message ("Invalid argument")."""
        return os.strerror(self.value)

    def __repr__(self) -> str:
        return f"Errno({self.name})"

    def __str__(self) -> str:
        return f"{self.name} ({self.strerror})"


class Signal(enum.Enum):
    """The signal a faulting access raised."""

    SEGV_MAPERR = ops_pb2.SIGNAL_SEGV_MAPERR
    """SIGSEGV/SEGV_MAPERR: no VMA covers the address."""
    SEGV_ACCERR = ops_pb2.SIGNAL_SEGV_ACCERR
    """SIGSEGV/SEGV_ACCERR: the VMA's protection forbids the access."""
    BUS = ops_pb2.SIGNAL_BUS
    """SIGBUS/BUS_ADRERR: the page lies beyond the end of the mapped file."""
    KILL = ops_pb2.SIGNAL_KILL
    """SIGKILL from the OOM killer: the faulting process was the victim."""

    def __repr__(self) -> str:
        return f"Signal({self.name})"

    def __str__(self) -> str:
        return {"SEGV_MAPERR": "SIGSEGV (MAPERR)", "SEGV_ACCERR": "SIGSEGV (ACCERR)"}.get(self.name, "SIG" + self.name)


PageStatus = Union[int, Errno]
"""One move_pages status: the page's node, or the errno of that page (``Errno(EFAULT)``)."""

Value = Union[None, int, list[PageStatus], Errno, Signal]
"""Anything one operation can return."""


class OpError(Exception):
    """Raised by :func:`ok` for an errno or a signal."""

    def __init__(self, result: Errno | Signal) -> None:
        super().__init__(repr(result))
        self.result = result

    @property
    def errno(self) -> Errno | None:
        return self.result if isinstance(self.result, Errno) else None


T = TypeVar("T")


def ok(result: T | Errno | Signal) -> T:
    """The value of a successful operation; :class:`OpError` for an errno or a signal.

    Also narrows the type for a checker: ``addr: int = ok(p.mmap(4096))``.
    """
    if isinstance(result, (Errno, Signal)):
        raise OpError(result)
    return result


def _errno(raw: int) -> Errno:
    try:
        return Errno(raw)
    except ValueError:
        raise ValueError(f"the server sent errno {raw}, which this client does not know") from None


def from_pb(r: ops_pb2.OpResult) -> Value:
    """The Python value of one ``OpResult``."""
    if r.WhichOneof("result") == "errno":
        return _errno(r.errno)
    o = r.ok
    kind = o.WhichOneof("kind")
    if kind == "done" or kind is None:
        return None
    if kind == "signal":
        return Signal(o.signal)
    if kind == "statuses":
        return [s if s >= 0 else _errno(-s) for s in o.statuses.status]
    return int(getattr(o, kind))


class ViewError(Exception):
    """A /proc view that Linux would fail to open: ``ESRCH`` for a pid that does not exist,
    ``ENODEV`` for a node that does not exist."""

    def __init__(self, errno: Errno, view: str) -> None:
        super().__init__(f"{view}: {errno}")
        self.errno = errno
        self.view = view
