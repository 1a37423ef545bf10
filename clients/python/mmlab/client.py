"""The client: :class:`Client` (a connection), :class:`Machine` (a hosted machine) and
:class:`Process` (a modeled process in it), over the ``mmlab.v1.MachineService`` stubs.

Operations return values or an :class:`~mmlab.results.Errno` (see :mod:`mmlab.results`);
service failures raise :class:`~mmlab.errors.MmlabError` with the gRPC status code.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import grpc

from mmlab import views
from mmlab.constants import MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE
from mmlab.errors import MmlabError, NotFound, from_rpc_error
from mmlab.results import Errno, PageStatus, Signal, Value, ViewError, _errno, from_pb
from mmlab.v1 import ops_pb2, service_pb2, service_pb2_grpc

Op = ops_pb2.Op
"""One operation message (``Op(mmap=Op.Mmap(...))``), for :meth:`Machine.execute`."""

_MAX_MESSAGE = 256 << 20

THP_MODES = {"never": ops_pb2.THP_MODE_NEVER, "madvise": ops_pb2.THP_MODE_MADVISE, "always": ops_pb2.THP_MODE_ALWAYS}


@dataclass(frozen=True)
class MachineConfig:
    """A machine's configuration, every default filled in by the server."""

    nodes: int
    node_bytes: int
    swap_bytes: int
    memlock_bytes: int
    thp: str
    """"never", "madvise" or "always"."""
    quirks: tuple[str, ...]

    @classmethod
    def from_pb(cls, c: ops_pb2.MachineConfig) -> MachineConfig:
        thp = {v: k for k, v in THP_MODES.items()}[c.thp]
        return cls(c.nodes, c.node_bytes, c.swap_bytes, c.memlock_bytes, thp, tuple(c.quirks))


@dataclass(frozen=True)
class MachineInfo:
    """A machine as the service describes it now."""

    id: str
    config: MachineConfig
    ops_applied: int
    """Operations applied so far (the journal's length)."""
    resident_pages: int
    """Pages in use now (frames and page tables)."""
    pids: tuple[int, ...]
    """Live pids, ascending."""

    @classmethod
    def from_pb(cls, m: service_pb2.Machine) -> MachineInfo:
        return cls(m.id, MachineConfig.from_pb(m.config), m.ops_applied, m.resident_pages, tuple(m.pids))


@dataclass(frozen=True)
class Journal:
    """A machine's journal: every applied operation, its result, and the ``.mms`` script."""

    ops: tuple[ops_pb2.Op, ...]
    results: tuple[Value, ...]
    script: str
    """The journal as a ``.mms`` script (``mmlab run`` replays it)."""


T = TypeVar("T")


class InvariantError(AssertionError):
    """The model's invariant checker found broken invariants (``.violations``)."""

    def __init__(self, violations: list[views.Violation]) -> None:
        super().__init__("invariants broken: " + "; ".join(f"{v.invariant}: {v.detail}" for v in violations))
        self.violations = violations


def _unexpected(kind: str, result: Value) -> MmlabError:
    return MmlabError(grpc.StatusCode.INTERNAL, f"the server answered {kind} with {result!r}")


class Client:
    """A connection to ``mmlabd``; see :func:`connect`. Use it as a context manager, or call
    :meth:`close`."""

    def __init__(self, channel: grpc.Channel, token: str | None = None, timeout: float | None = None) -> None:
        self._channel = channel
        self._stub = service_pb2_grpc.MachineServiceStub(channel)  # type: ignore[no-untyped-call]
        self._metadata: tuple[tuple[str, str], ...] = (("authorization", f"Bearer {token}"),) if token else ()
        self._timeout = timeout

    def _call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self._stub, method)(request, metadata=self._metadata, timeout=self._timeout)
        except grpc.RpcError as e:
            raise from_rpc_error(e) from None

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def machine(
        self,
        *,
        nodes: int | None = None,
        node_bytes: int | None = None,
        swap_bytes: int | None = None,
        memlock_bytes: int | None = None,
        thp: str | None = None,
        quirks: Sequence[str] = (),
    ) -> Machine:
        """Creates a machine; omitted settings take the model's defaults (1 node of 1 GiB, no
        swap, 8 MiB RLIMIT_MEMLOCK, THP never). ``with client.machine() as m:`` deletes it at
        the end of the block."""
        config = ops_pb2.MachineConfig(
            nodes=nodes,
            node_bytes=node_bytes,
            swap_bytes=swap_bytes,
            memlock_bytes=memlock_bytes,
            thp=THP_MODES[thp] if thp is not None else None,
            quirks=list(quirks),
        )
        info = self._call("CreateMachine", service_pb2.CreateMachineRequest(config=config))
        return Machine(self, info.id)

    def get(self, machine_id: str) -> Machine:
        """The machine with that id (NotFound if this tenant has none)."""
        self._call("GetMachine", service_pb2.GetMachineRequest(machine_id=machine_id))
        return Machine(self, machine_id)

    def machines(self) -> list[MachineInfo]:
        """This tenant's machines, ordered by id."""
        r = self._call("ListMachines", service_pb2.ListMachinesRequest())
        return [MachineInfo.from_pb(m) for m in r.machines]

    def import_snapshot(self, snapshot: service_pb2.Snapshot) -> Machine:
        """A new machine rebuilt from a snapshot (see :meth:`Machine.snapshot`)."""
        info = self._call("ImportSnapshot", service_pb2.ImportSnapshotRequest(snapshot=snapshot))
        return Machine(self, info.id)


def connect(
    addr: str = "127.0.0.1:50051",
    token: str | None = None,
    *,
    tls_ca: bytes | str | os.PathLike[str] | None = None,
    tls_domain: str | None = None,
    timeout: float | None = None,
) -> Client:
    """Connects to ``mmlabd`` at ``HOST:PORT``.

    ``token`` is sent as ``authorization: Bearer TOKEN`` on every call. TLS: an ``https://``
    address or ``tls_ca`` (the PEM certificate(s) to trust, as bytes or a file path; required
    for TLS), ``tls_domain`` the name to check the certificate against when it is not the
    address's host. ``http://`` is accepted and dropped. ``timeout`` is every call's deadline in
    seconds (none by default).
    """
    secure = addr.startswith("https://") or tls_ca is not None
    target = addr.removeprefix("https://").removeprefix("http://")
    options: list[tuple[str, Any]] = [
        ("grpc.max_receive_message_length", _MAX_MESSAGE),
        ("grpc.max_send_message_length", _MAX_MESSAGE),
    ]
    if not secure:
        return Client(grpc.insecure_channel(target, options=options), token, timeout)
    if tls_ca is None:
        raise ValueError("an https:// server needs tls_ca, the certificate authority to trust")
    pem = tls_ca if isinstance(tls_ca, bytes) else Path(tls_ca).read_bytes()
    if tls_domain is not None:
        options.append(("grpc.ssl_target_name_override", tls_domain))
    credentials = grpc.ssl_channel_credentials(root_certificates=pem)
    return Client(grpc.secure_channel(target, credentials, options=options), token, timeout)


class Machine:
    """A hosted machine. As a context manager it deletes the machine when the block ends."""

    def __init__(self, client: Client, machine_id: str) -> None:
        self.client = client
        self.id = machine_id

    def __repr__(self) -> str:
        return f"Machine({self.id!r})"

    def __enter__(self) -> Machine:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.delete()
        except MmlabError:
            if exc is None:
                raise

    def delete(self) -> None:
        """Deletes the machine (and its persisted journal); deleting it twice is fine."""
        try:
            self.client._call("DeleteMachine", service_pb2.DeleteMachineRequest(machine_id=self.id))
        except NotFound:
            pass

    # -- operations -----------------------------------------------------------------------

    def execute(self, ops: Iterable[ops_pb2.Op], *, check_invariants: bool = False) -> list[Value]:
        """Applies ``ops`` in order in one call; one result per operation. With
        ``check_invariants``, also runs the invariant checker after the batch (in the same call)
        and raises :class:`InvariantError` if any invariant is broken; the batch stays applied."""
        ops = list(ops)
        req = service_pb2.ExecuteRequest(machine_id=self.id, ops=ops, check_invariants=check_invariants)
        r = self.client._call("Execute", req)
        if len(r.results) != len(ops):
            raise MmlabError(grpc.StatusCode.INTERNAL, f"{len(r.results)} results for {len(ops)} operations")
        if r.violations:
            raise InvariantError([views.Violation(v.invariant, v.detail) for v in r.violations])
        return [from_pb(x) for x in r.results]

    def stream(self, batches: Iterable[Sequence[ops_pb2.Op]]) -> Iterator[list[Value]]:
        """Applies batches over one bidirectional ``Session`` stream, yielding each batch's
        results in order as they arrive (``batches`` may be a generator that reads them)."""

        def requests() -> Iterator[service_pb2.SessionRequest]:
            for tag, ops in enumerate(batches):
                yield service_pb2.SessionRequest(machine_id=self.id, ops=list(ops), tag=tag)

        c = self.client
        try:
            for r in c._stub.Session(requests(), metadata=c._metadata, timeout=c._timeout):
                yield [from_pb(x) for x in r.results]
        except grpc.RpcError as e:
            raise from_rpc_error(e) from None

    def apply(self, op: ops_pb2.Op) -> Value:
        """Applies one operation."""
        return self.execute([op])[0]

    def spawn(self) -> Process:
        """A new process with an empty mm."""
        pid = self.apply(Op(spawn=Op.Spawn()))
        if not isinstance(pid, int):
            raise _unexpected("spawn", pid)
        return Process(self, pid)

    def process(self, pid: int) -> Process:
        """A handle on the process ``pid`` (which need not exist: its views raise ESRCH)."""
        return Process(self, pid)

    def reclaim(self, nid: int, pages: int) -> int | Errno:
        """Reclaims up to ``pages`` pages from node ``nid``'s LRUs, as kswapd would: the count."""
        r = self.apply(Op(reclaim=Op.Reclaim(nid=nid, pages=pages)))
        if isinstance(r, (int, Errno)):
            return r
        raise _unexpected("reclaim", r)

    # -- machine-wide views ---------------------------------------------------------------

    def _read(self, name: str, wrap: Callable[[Any, str], T], **selector: Any) -> T:
        view_cls = type(getattr(service_pb2.ReadViewRequest(), name))
        req = service_pb2.ReadViewRequest(machine_id=self.id, text=True, **{name: view_cls(**selector)})
        r = self.client._call("ReadView", req)
        which = r.WhichOneof("view")
        if which == "errno":
            raise ViewError(_errno(r.errno), f"{name} {selector}")
        return wrap(getattr(r, which), r.text)

    def meminfo(self, node: int | None = None) -> views.Meminfo:
        """/proc/meminfo, or /sys/devices/system/node/nodeN/meminfo with ``node``."""
        if node is None:
            return self._read("meminfo", views.Meminfo.from_pb)
        return self._read("node_meminfo", views.Meminfo.from_pb, nid=node)

    def vmstat(self) -> views.Vmstat:
        """/proc/vmstat."""
        return self._read("vmstat", views.Vmstat.from_pb)

    def kpages(self, pfn: int, count: int = 1) -> list[views.Kpage]:
        """/proc/kpagecount and /proc/kpageflags of ``count`` pfns from ``pfn``."""
        return self._read(
            "kpages", lambda k, _: [views.Kpage(x.pfn, x.count, x.flags) for x in k.pages], pfn=pfn, count=count
        )

    # -- the machine itself ---------------------------------------------------------------

    def info(self) -> MachineInfo:
        """The machine's configuration, operation count, resident pages and live pids."""
        return MachineInfo.from_pb(self.client._call("GetMachine", service_pb2.GetMachineRequest(machine_id=self.id)))

    def check_invariants(self) -> list[views.Violation]:
        """Every invariant the model's checker finds broken; empty when consistent."""
        r = self.client._call("CheckInvariants", service_pb2.CheckInvariantsRequest(machine_id=self.id))
        return [views.Violation(v.invariant, v.detail) for v in r.violations]

    def journal(self) -> Journal:
        """Every applied operation, its result, and the journal as a ``.mms`` script."""
        j = self.client._call("GetJournal", service_pb2.GetJournalRequest(machine_id=self.id))
        return Journal(tuple(j.ops), tuple(from_pb(r) for r in j.results), j.script)

    def digest(self) -> str:
        """SHA-256 of the machine's whole modeled state (equal digests, equal states)."""
        return str(self.client._call("GetDigest", service_pb2.GetDigestRequest(machine_id=self.id)).digest)

    def clone(self) -> Machine:
        """An independent deep copy of this machine (a context manager too)."""
        info = self.client._call("CloneMachine", service_pb2.CloneMachineRequest(machine_id=self.id))
        return Machine(self.client, info.id)

    def snapshot(self) -> service_pb2.Snapshot:
        """The configuration, every applied operation and the state digest."""
        snapshot: service_pb2.Snapshot = self.client._call(
            "ExportSnapshot", service_pb2.ExportSnapshotRequest(machine_id=self.id)
        )
        return snapshot


class Process:
    """A modeled process. Each method is one operation: it returns the syscall's value (an
    address, an fd, a page value, a pid's :class:`Process`, ``None`` for 0), or the
    :class:`Errno` it failed with; accesses return the :class:`Signal` they raised instead."""

    def __init__(self, machine: Machine, pid: int) -> None:
        self.machine = machine
        self.pid = pid

    def __repr__(self) -> str:
        return f"Process({self.pid}, machine={self.machine.id!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Process) and (self.machine.id, self.pid) == (other.machine.id, other.pid)

    def __hash__(self) -> int:
        return hash((self.machine.id, self.pid))

    def _op(self, kind: str, **args: Any) -> Value:
        msg = getattr(Op, "".join(w.capitalize() for w in kind.split("_")))
        return self.machine.apply(Op(**{kind: msg(pid=self.pid, **args)}))

    def _done(self, kind: str, **args: Any) -> None | Errno:
        r = self._op(kind, **args)
        if r is None or isinstance(r, Errno):
            return r
        raise _unexpected(kind, r)

    def _int(self, kind: str, **args: Any) -> int | Errno:
        r = self._op(kind, **args)
        if isinstance(r, (int, Errno)):
            return r
        raise _unexpected(kind, r)

    def _load(self, kind: str, **args: Any) -> int | Signal:
        r = self._op(kind, **args)
        if isinstance(r, (int, Signal)):
            return r
        raise _unexpected(kind, r)

    def _store(self, kind: str, **args: Any) -> None | Signal:
        r = self._op(kind, **args)
        if r is None or isinstance(r, Signal):
            return r
        raise _unexpected(kind, r)

    # -- process lifecycle ----------------------------------------------------------------

    def fork(self) -> Process | Errno:
        """fork(2): the child."""
        r = self._int("fork")
        return Process(self.machine, r) if isinstance(r, int) else r

    def exit(self) -> None | Errno:
        """exit(2): every VMA zapped, every fd closed."""
        return self._done("exit")

    # -- address space --------------------------------------------------------------------

    def mmap(
        self,
        length: int,
        prot: int = PROT_READ | PROT_WRITE,
        flags: int = MAP_PRIVATE | MAP_ANONYMOUS,
        fd: int = -1,
        offset: int = 0,
        *,
        addr: int = 0,
    ) -> int | Errno:
        """mmap(2) (anonymous private read-write by default): the address."""
        return self._int("mmap", addr=addr, len=length, prot=prot, flags=flags, fd=fd, offset=offset)

    def munmap(self, addr: int, length: int) -> None | Errno:
        """munmap(2)."""
        return self._done("munmap", addr=addr, len=length)

    def mprotect(self, addr: int, length: int, prot: int) -> None | Errno:
        """mprotect(2)."""
        return self._done("mprotect", addr=addr, len=length, prot=prot)

    def mremap(self, old_addr: int, old_len: int, new_len: int, flags: int = 0, new_addr: int = 0) -> int | Errno:
        """mremap(2): the new address."""
        return self._int("mremap", old_addr=old_addr, old_len=old_len, new_len=new_len, flags=flags, new_addr=new_addr)

    def madvise(self, addr: int, length: int, advice: int) -> None | Errno:
        """madvise(2) with a MADV_* number."""
        return self._done("madvise", addr=addr, len=length, advice=advice)

    # -- accesses -------------------------------------------------------------------------

    def read(self, addr: int) -> int | Signal:
        """A load from the page at ``addr``: the value it holds (0 for a never-written page)."""
        return self._load("read", addr=addr)

    def write(self, addr: int, value: int) -> None | Signal:
        """A store: the page at ``addr`` holds ``value`` afterwards."""
        return self._store("write", addr=addr, value=value)

    def touch(self, addr: int, length: int, write: bool = False) -> None | Signal:
        """Faults every page of the range in, as loads or (``write``) stores keeping each value."""
        access = ops_pb2.ACCESS_WRITE if write else ops_pb2.ACCESS_READ
        return self._store("touch", addr=addr, len=length, access=access)

    # -- files ----------------------------------------------------------------------------

    def memfd_create(self, name: str, flags: int = 0) -> int | Errno:
        """memfd_create(2): the fd."""
        return self._int("memfd_create", name=name, flags=flags)

    def open(self, path: str, flags: int = 0) -> int | Errno:
        """open(2) of a regular disk-backed file: the fd."""
        return self._int("open", path=path, flags=flags)

    def pwrite(self, fd: int, offset: int, value: int) -> None | Errno:
        """pwrite(2) of one page value at a page-aligned offset."""
        return self._done("pwrite", fd=fd, offset=offset, value=value)

    def pread(self, fd: int, offset: int) -> int | Errno:
        """pread(2) of one page value at a page-aligned offset."""
        return self._int("pread", fd=fd, offset=offset)

    def ftruncate(self, fd: int, length: int) -> None | Errno:
        """ftruncate(2)."""
        return self._done("ftruncate", fd=fd, len=length)

    def fallocate(self, fd: int, mode: int, offset: int, length: int) -> None | Errno:
        """fallocate(2) with FALLOC_FL_* bits (``FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE``)."""
        return self._done("fallocate", fd=fd, mode=mode, offset=offset, len=length)

    def close(self, fd: int) -> None | Errno:
        """close(2)."""
        return self._done("close", fd=fd)

    # -- mlock ----------------------------------------------------------------------------

    def mlock(self, addr: int, length: int) -> None | Errno:
        """mlock(2)."""
        return self._done("mlock", addr=addr, len=length)

    def mlock2(self, addr: int, length: int, flags: int = 0) -> None | Errno:
        """mlock2(2) with MLOCK_* bits."""
        return self._done("mlock2", addr=addr, len=length, flags=flags)

    def munlock(self, addr: int, length: int) -> None | Errno:
        """munlock(2)."""
        return self._done("munlock", addr=addr, len=length)

    def mlockall(self, flags: int) -> None | Errno:
        """mlockall(2) with MCL_* bits."""
        return self._done("mlockall", flags=flags)

    def munlockall(self) -> None | Errno:
        """munlockall(2)."""
        return self._done("munlockall")

    def set_memlock_limit(self, limit: int) -> None:
        """setrlimit(RLIMIT_MEMLOCK) (soft = hard = ``limit`` bytes; RLIM_INFINITY allowed)."""
        self._op("set_memlock_limit", bytes=limit)

    def set_cap_ipc_lock(self, on: bool = True) -> None:
        """Gives the process CAP_IPC_LOCK, or drops it."""
        self._op("set_cap_ipc_lock", on=on)

    # -- NUMA -----------------------------------------------------------------------------

    def move_pages(self, addrs: Sequence[int], nodes: Sequence[int] | None = None, flags: int = 0) -> list[PageStatus] | Errno:
        """move_pages(2): moves the page at each address to its node, or with no ``nodes``
        queries their nodes. One status per page: its node, or that page's ``Errno``."""
        r = self._op("move_pages", addrs=list(addrs), nodes=list(nodes or ()), flags=flags)
        if isinstance(r, (list, Errno)):
            return r
        raise _unexpected("move_pages", r)

    # -- views ----------------------------------------------------------------------------

    def smaps_rollup(self) -> views.SmapsRollup:
        """/proc/PID/smaps_rollup (ViewError ESRCH once the process is gone)."""
        return self.machine._read("smaps_rollup", views.SmapsRollup.from_pb, pid=self.pid)

    def smaps(self) -> views.Smaps:
        """/proc/PID/smaps."""
        return self.machine._read(
            "smaps", lambda s, t: views.Smaps(tuple(views.SmapsEntry.from_pb(e) for e in s.entries), t), pid=self.pid
        )

    def maps(self) -> views.Maps:
        """/proc/PID/maps."""
        return self.machine._read(
            "maps", lambda s, t: views.Maps(tuple(views.MapsEntry.from_pb(e) for e in s.entries), t), pid=self.pid
        )

    def status(self) -> views.Status:
        """/proc/PID/status (memory part and identity lines)."""
        return self.machine._read("status", views.Status.from_pb, pid=self.pid)

    def pagemap(self, addr: int, pages: int = 1) -> views.Pagemap:
        """``pages`` /proc/PID/pagemap entries from ``addr``."""
        return self.machine._read(
            "pagemap",
            lambda p, t: views.Pagemap(p.start, tuple(views.PagemapEntry(e) for e in p.entries), t),
            pid=self.pid,
            addr=addr,
            pages=pages,
        )

    def peek(self, addr: int) -> int:
        """The value of the page at ``addr``, read without faulting (0 where nothing is mapped)."""
        return self.machine._read("peek", lambda v, _: int(v.value), pid=self.pid, addr=addr)


__all__ = ["Client", "InvariantError", "Journal", "Machine", "MachineConfig", "MachineInfo", "Op", "Process", "connect"]
