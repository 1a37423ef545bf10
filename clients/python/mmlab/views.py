"""Typed /proc views: frozen dataclasses with every size in kB, as Linux prints it.

Field names are Linux's, lower-cased (``Pss_Shmem`` -> ``pss_shmem``, ``RssShmem`` ->
``rss_shmem``, ``AnonHugePages`` -> ``anon_huge_pages``); ``view["Pss_Shmem"]`` also works, by
Linux's own name. Every view keeps the text Linux would print in ``.text``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mmlab.v1 import views_pb2

PSS_SHIFT = 12
"""``PSS_SHIFT`` of fs/proc/task_mmu.c: the protocol keeps Pss values in bytes << 12."""


def _snake(linux_name: str) -> str:
    s = linux_name.replace("(", "_").replace(")", "")
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", s)
    return s.lower().replace("__", "_")


class _ByLinuxName:
    """``view["Pss_Shmem"]``: a field by the name Linux prints."""

    _linux_names: dict[str, str] = {}

    def __getitem__(self, linux_name: str) -> Any:
        name = self._linux_names.get(linux_name) or _snake(linux_name)
        if name not in {f.name for f in dataclasses.fields(self)}:  # type: ignore[arg-type]
            raise KeyError(linux_name)
        return getattr(self, name)


@dataclass(frozen=True)
class Mss(_ByLinuxName):
    """The counters of ``struct mem_size_stats`` (an smaps entry or smaps_rollup), in kB."""

    rss: int
    pss: int
    pss_dirty: int
    pss_anon: int
    pss_file: int
    pss_shmem: int
    shared_clean: int
    shared_dirty: int
    private_clean: int
    private_dirty: int
    referenced: int
    anonymous: int
    ksm: int
    lazy_free: int
    anon_huge_pages: int
    shmem_pmd_mapped: int
    file_pmd_mapped: int
    shared_hugetlb: int
    private_hugetlb: int
    swap: int
    swap_pss: int
    locked: int

    _linux_names = {"KSM": "ksm", "LazyFree": "lazy_free", "SwapPss": "swap_pss", "Pss_Dirty": "pss_dirty"}

    @staticmethod
    def _kb(m: views_pb2.MemSizeStats) -> dict[str, int]:
        def b(v: int) -> int:
            return v >> 10

        def p(v: int) -> int:
            return v >> (PSS_SHIFT + 10)

        return dict(
            rss=b(m.resident), pss=p(m.pss), pss_dirty=p(m.pss_dirty), pss_anon=p(m.pss_anon),
            pss_file=p(m.pss_file), pss_shmem=p(m.pss_shmem), shared_clean=b(m.shared_clean),
            shared_dirty=b(m.shared_dirty), private_clean=b(m.private_clean),
            private_dirty=b(m.private_dirty), referenced=b(m.referenced), anonymous=b(m.anonymous),
            ksm=b(m.ksm), lazy_free=b(m.lazyfree), anon_huge_pages=b(m.anonymous_thp),
            shmem_pmd_mapped=b(m.shmem_thp), file_pmd_mapped=b(m.file_thp),
            shared_hugetlb=b(m.shared_hugetlb), private_hugetlb=b(m.private_hugetlb), swap=b(m.swap),
            swap_pss=p(m.swap_pss), locked=p(m.pss_locked),
        )  # fmt: skip


@dataclass(frozen=True)
class SmapsRollup(Mss):
    """/proc/PID/smaps_rollup, in kB."""

    start: int
    """vm_start of the first VMA (0 with no VMA)."""
    end: int
    """vm_end of the last VMA (0 with no VMA)."""
    text: str = field(default="", repr=False, compare=False)
    """As Linux prints it."""

    @classmethod
    def from_pb(cls, m: views_pb2.SmapsRollup, text: str = "") -> SmapsRollup:
        return cls(start=m.start, end=m.end, text=text, **Mss._kb(m.mss))


@dataclass(frozen=True)
class MapsEntry:
    """One line of /proc/PID/maps (also the header line of each smaps entry)."""

    start: int
    end: int
    prot: int
    """PROT_* bits."""
    shared: bool
    """``s`` (VM_MAYSHARE) rather than ``p`` in the permission column."""
    offset: int
    """File offset in bytes."""
    dev_major: int
    dev_minor: int
    inode: int
    name: str
    """"" for anonymous memory, "/memfd:NAME (deleted)", a path."""

    @property
    def perms(self) -> str:
        """The permission column (``rw-s``)."""
        return "".join(c if self.prot & bit else "-" for c, bit in (("r", 1), ("w", 2), ("x", 4))) + (
            "s" if self.shared else "p"
        )

    @classmethod
    def from_pb(cls, m: views_pb2.MapsEntry) -> MapsEntry:
        return cls(**{f.name: getattr(m, f.name) for f in dataclasses.fields(cls)})


@dataclass(frozen=True)
class Maps:
    """/proc/PID/maps: one entry per VMA, in address order."""

    entries: tuple[MapsEntry, ...]
    text: str = field(default="", repr=False, compare=False)

    def __iter__(self) -> Iterator[MapsEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, i: int) -> MapsEntry:
        return self.entries[i]


@dataclass(frozen=True)
class SmapsEntry(Mss):
    """One entry of /proc/PID/smaps, in kB."""

    map: MapsEntry
    size: int
    """Size: vm_end - vm_start in kB."""
    thp_eligible: bool
    vm_flags: tuple[str, ...]
    """The two-letter VmFlags mnemonics, in the kernel's order."""

    _linux_names = {**Mss._linux_names, "Size": "size", "THPeligible": "thp_eligible", "VmFlags": "vm_flags"}

    @property
    def start(self) -> int:
        return self.map.start

    @property
    def end(self) -> int:
        return self.map.end

    @classmethod
    def from_pb(cls, m: views_pb2.SmapsEntry) -> SmapsEntry:
        return cls(
            map=MapsEntry.from_pb(m.map),
            size=m.size >> 10,
            thp_eligible=m.thp_eligible,
            vm_flags=tuple(m.vm_flags),
            **Mss._kb(m.mss),
        )


@dataclass(frozen=True)
class Smaps:
    """/proc/PID/smaps: one entry per VMA, in address order."""

    entries: tuple[SmapsEntry, ...]
    text: str = field(default="", repr=False, compare=False)

    def __iter__(self) -> Iterator[SmapsEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, i: int) -> SmapsEntry:
        return self.entries[i]

    def at(self, addr: int) -> SmapsEntry:
        """The entry of the VMA containing ``addr`` (KeyError if none)."""
        for e in self.entries:
            if e.start <= addr < e.end:
                return e
        raise KeyError(hex(addr))


@dataclass(frozen=True)
class Status(_ByLinuxName):
    """The memory part of /proc/PID/status (sizes in kB) and its identity lines."""

    name: str
    pid: int
    ppid: int
    vm_peak: int
    vm_size: int
    vm_lck: int
    vm_pin: int
    vm_hwm: int
    vm_rss: int
    rss_anon: int
    rss_file: int
    rss_shmem: int
    vm_data: int
    vm_stk: int
    vm_exe: int
    vm_lib: int
    vm_pte: int
    vm_swap: int
    hugetlb_pages: int
    text: str = field(default="", repr=False, compare=False)

    _linux_names = {"PPid": "ppid", "VmHWM": "vm_hwm", "VmRSS": "vm_rss", "VmPTE": "vm_pte", "Name": "name", "Pid": "pid"}

    @classmethod
    def from_pb(cls, m: views_pb2.ProcStatus, text: str = "") -> Status:
        return cls(text=text, **{f.name: getattr(m, f.name) for f in dataclasses.fields(cls) if f.name != "text"})


@dataclass(frozen=True)
class Meminfo(_ByLinuxName):
    """/proc/meminfo, or /sys/devices/system/node/nodeN/meminfo, in kB."""

    mem_total: int
    mem_free: int
    mem_available: int
    buffers: int
    cached: int
    swap_cached: int
    active: int
    inactive: int
    active_anon: int
    inactive_anon: int
    active_file: int
    inactive_file: int
    unevictable: int
    mlocked: int
    swap_total: int
    swap_free: int
    dirty: int
    writeback: int
    anon_pages: int
    mapped: int
    shmem: int
    page_tables: int
    anon_huge_pages: int
    shmem_huge_pages: int
    shmem_pmd_mapped: int
    file_huge_pages: int
    file_pmd_mapped: int
    text: str = field(default="", repr=False, compare=False)

    _linux_names = {"MemAvailable": "mem_available", "SwapCached": "swap_cached", "PageTables": "page_tables"}

    @classmethod
    def from_pb(cls, m: views_pb2.Meminfo, text: str = "") -> Meminfo:
        return cls(text=text, **{f.name: getattr(m, f.name) for f in dataclasses.fields(cls) if f.name != "text"})


@dataclass(frozen=True)
class Vmstat:
    """/proc/vmstat: every item the model keeps, in the kernel's order."""

    items: dict[str, int]
    text: str = field(default="", repr=False, compare=False)

    def __getitem__(self, name: str) -> int:
        return self.items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.items)

    @classmethod
    def from_pb(cls, m: views_pb2.Vmstat, text: str = "") -> Vmstat:
        return cls(items={i.name: i.value for i in m.items}, text=text)


@dataclass(frozen=True)
class PagemapEntry:
    """One 64-bit /proc/PID/pagemap entry (Documentation/admin-guide/mm/pagemap.rst)."""

    raw: int

    @property
    def present(self) -> bool:
        return bool(self.raw >> 63 & 1)

    @property
    def swapped(self) -> bool:
        return bool(self.raw >> 62 & 1)

    @property
    def file_shared(self) -> bool:
        """A file page or a shared anonymous page."""
        return bool(self.raw >> 61 & 1)

    @property
    def exclusive(self) -> bool:
        return bool(self.raw >> 56 & 1)

    @property
    def pfn(self) -> int:
        """The pfn of a present page (swap type and offset of a swapped one)."""
        return self.raw & ((1 << 55) - 1)

    def __repr__(self) -> str:
        flags = [n for n in ("present", "swapped", "file_shared", "exclusive") if getattr(self, n)]
        return f"PagemapEntry({'|'.join(flags) or '0'}, pfn={self.pfn:#x})"


@dataclass(frozen=True)
class Pagemap:
    """/proc/PID/pagemap for a range of pages."""

    start: int
    """Address of the first entry."""
    entries: tuple[PagemapEntry, ...]
    text: str = field(default="", repr=False, compare=False)
    """One entry per line (pagemap is binary in Linux)."""

    def __iter__(self) -> Iterator[PagemapEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, i: int) -> PagemapEntry:
        return self.entries[i]


@dataclass(frozen=True)
class Kpage:
    """/proc/kpagecount and /proc/kpageflags of one pfn."""

    pfn: int
    count: int
    """kpagecount: the page's map count."""
    flags: int
    """kpageflags bits (include/uapi/linux/kernel-page-flags.h)."""


@dataclass(frozen=True)
class Violation:
    """One invariant the checker found broken."""

    invariant: str
    """Short stable name ("rss-counter", "mapcount", ...)."""
    detail: str
    """What exactly differs."""
