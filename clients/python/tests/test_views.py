"""Views in detail (text, smaps entries, pagemap, kpages, vmstat), reclaim to swap, and the
streaming Session, against a real mmlabd."""

from __future__ import annotations

from collections.abc import Iterator

import mmlab
from mmlab import MAP_SHARED, O_CREAT, O_RDWR, PAGE_SIZE, ok

KPF_ANON = 12  # include/uapi/linux/kernel-page-flags.h


def test_smaps_maps_pagemap_kpages(machine: mmlab.Machine) -> None:
    p = machine.spawn()
    a = ok(p.mmap(4 * PAGE_SIZE))
    fd = ok(p.memfd_create("v"))
    p.ftruncate(fd, 2 * PAGE_SIZE)
    s = ok(p.mmap(2 * PAGE_SIZE, flags=MAP_SHARED, fd=fd))
    p.touch(a, 2 * PAGE_SIZE, write=True)
    p.write(s, 0x53)

    maps = p.maps()
    assert [(e.start, e.end, e.perms, e.name) for e in maps] == [
        (s, s + 2 * PAGE_SIZE, "rw-s", "/memfd:v (deleted)"),
        (a, a + 4 * PAGE_SIZE, "rw-p", ""),
    ]
    assert maps.text.splitlines()[1].startswith(f"{a:x}-{a + 4 * PAGE_SIZE:x} rw-p 00000000 00:00 0")

    smaps = p.smaps()
    anon, shm = smaps.at(a), smaps.at(s)
    assert (anon.size, anon.rss, anon.anonymous, anon["Private_Dirty"]) == (16, 8, 8, 8)
    assert (shm.size, shm.rss, shm.pss_shmem, shm.anonymous) == (8, 4, 4, 0)
    assert "mr" in anon.vm_flags and "sh" in shm.vm_flags
    assert smaps.text.count("\nRss:  ") == 2 and "Pss_Shmem" not in smaps.text  # a rollup-only line

    pm = p.pagemap(a, 4)
    assert pm.start == a and [e.present for e in pm] == [True, True, False, False]
    assert pm[0].exclusive and not pm[0].file_shared and p.pagemap(s)[0].file_shared
    [k] = machine.kpages(pm[0].pfn)
    assert (k.pfn, k.count) == (pm[0].pfn, 1) and k.flags >> KPF_ANON & 1

    assert machine.vmstat()["pgfault"] == 3
    assert "\npgfault 3\n" in machine.vmstat().text
    assert machine.meminfo().text.startswith("MemTotal:        1048576 kB\n")


def test_reclaim_to_swap_and_back(client: mmlab.Client) -> None:
    """scenarios/51-reclaim-with-swap.mms, in Python."""
    with client.machine(swap_bytes=64 << 20) as m:
        p = m.spawn()
        f = ok(p.open("/tmp/r51.dat", O_RDWR | O_CREAT))
        p.ftruncate(f, 4 * PAGE_SIZE)
        fm = ok(p.mmap(4 * PAGE_SIZE, flags=MAP_SHARED, fd=f))
        p.write(fm, 0x70)
        p.write(fm + PAGE_SIZE, 0x71)
        assert p.read(fm + 2 * PAGE_SIZE) == 0 and p.read(fm + 3 * PAGE_SIZE) == 0
        a = ok(p.mmap(4 * PAGE_SIZE))
        for i in range(4):
            p.write(a + i * PAGE_SIZE, 0x60 + i)
        sfd = ok(p.memfd_create("sh"))
        p.ftruncate(sfd, 3 * PAGE_SIZE)
        sm = ok(p.mmap(3 * PAGE_SIZE, flags=MAP_SHARED, fd=sfd))
        p.write(sm, 0x50)
        p.write(sm + PAGE_SIZE, 0x51)
        assert p.read(sm + 2 * PAGE_SIZE) == 0
        st = p.status()
        assert (st.rss_file, st.rss_anon, st.rss_shmem) == (16, 16, 12)

        assert m.reclaim(0, 100) == 11
        v = m.vmstat()
        assert (v["pgsteal_file"], v["pgsteal_anon"], v["pswpout"]) == (4, 7, 6)
        assert (p.status().vm_rss, p.status().vm_swap) == (0, 16)
        assert (p.smaps().at(sm).swap, p.smaps_rollup().swap) == (8, 24)
        assert m.meminfo().swap_free == 65508
        assert [p.read(fm), p.read(fm + PAGE_SIZE), p.read(a + 3 * PAGE_SIZE), p.read(sm + PAGE_SIZE)] == [
            0x70,
            0x71,
            0x63,
            0x51,
        ]
        assert m.vmstat()["pswpin"] == 2


def test_session_stream(machine: mmlab.Machine) -> None:
    p = machine.spawn()
    a = ok(p.mmap(4 * PAGE_SIZE))
    Op = mmlab.Op

    def batches() -> Iterator[list[mmlab.Op]]:
        for i in range(4):
            yield [Op(write=Op.Write(pid=p.pid, addr=a + i * PAGE_SIZE, value=i + 1))]
        yield [Op(read=Op.Read(pid=p.pid, addr=a + i * PAGE_SIZE)) for i in range(4)]

    assert list(machine.stream(batches())) == [[None]] * 4 + [[1, 2, 3, 4]]
    assert p.smaps_rollup().rss == 16
