"""Operations and views against a real mmlabd: exact kB figures, errnos, page contents."""

from __future__ import annotations

import mmlab
from mmlab import MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PAGE_SIZE, PROT_NONE, PROT_READ, Errno, Signal, ok

KB = PAGE_SIZE // 1024


def test_anonymous_write_fault_is_4_kb(machine: mmlab.Machine) -> None:
    p = machine.spawn()
    a = ok(p.mmap(16 * PAGE_SIZE))
    assert p.smaps_rollup().rss == 0
    assert p.write(a, 0x41) is None
    rollup = p.smaps_rollup()
    assert (rollup.rss, rollup.pss, rollup.pss_anon, rollup.anonymous, rollup.private_dirty) == (4, 4, 4, 4, 4)
    assert rollup["Pss_Anon"] == 4
    assert "Rss:                   4 kB\n" in rollup.text
    assert "Pss_Anon:              4 kB\n" in rollup.text
    status = p.status()
    assert (status.rss_anon, status.vm_rss, status.vm_size) == (4, 4, 64)
    assert status["RssAnon"] == 4 and status.pid == p.pid
    assert p.read(a) == 0x41
    assert p.read(a + PAGE_SIZE) == 0
    assert machine.meminfo().anon_pages == 4
    assert machine.vmstat()["nr_anon_pages"] == 1


def test_fork_halves_pss(machine: mmlab.Machine) -> None:
    p = machine.spawn()
    a = ok(p.mmap(16 * PAGE_SIZE))
    assert p.touch(a, 10 * PAGE_SIZE, write=True) is None
    p.write(a, 0x41)
    c = ok(p.fork())
    assert isinstance(c, mmlab.Process) and c.pid != p.pid
    e = p.smaps().at(a)
    assert (e.size, e.rss, e.pss, e.shared_dirty, e.private_dirty) == (64, 40, 20, 40, 0)
    assert c.smaps_rollup().pss_anon == 20
    assert not p.pagemap(a)[0].exclusive
    assert c.read(a) == 0x41
    assert c.write(a, 0x42) is None  # copy-on-write: the child's copy only
    assert p.smaps().at(a).pss == 22
    assert p.read(a) == 0x41 and c.read(a) == 0x42
    assert c.exit() is None
    e = p.smaps().at(a)
    assert (e.pss, e.private_dirty, e.shared_dirty) == (40, 40, 0)
    assert p.pagemap(a)[0].exclusive


def test_errnos_are_values(machine: mmlab.Machine) -> None:
    p = machine.spawn()
    a = ok(p.mmap(4 * PAGE_SIZE))
    r = p.munmap(a + 1, PAGE_SIZE)
    assert r is Errno.EINVAL
    assert repr(r) == "Errno(EINVAL)"
    assert str(r) == "EINVAL (Invalid argument)"
    assert r.errno == 22
    assert p.mlock(0x10000, PAGE_SIZE) is Errno.ENOMEM
    assert repr(p.mlock(0x10000, PAGE_SIZE)) == "Errno(ENOMEM)"
    assert p.mmap(0) is Errno.EINVAL
    assert p.mlock2(a, PAGE_SIZE, flags=0x8) is Errno.EINVAL
    assert p.close(42) is Errno.EBADF
    assert p.mmap(PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, addr=a + 1) is Errno.EINVAL
    assert p.munmap(a, 4 * PAGE_SIZE) is None
    assert p.munmap(a, 4 * PAGE_SIZE) is None  # unmapping nothing is not an error
    try:
        ok(p.munmap(a + 1, PAGE_SIZE))
    except mmlab.OpError as e:
        assert e.errno is Errno.EINVAL
    else:
        raise AssertionError("ok() let an errno through")


def test_faulting_accesses_return_signals(machine: mmlab.Machine) -> None:
    p = machine.spawn()
    assert p.read(0x10000) is Signal.SEGV_MAPERR
    g = ok(p.mmap(PAGE_SIZE, PROT_NONE))
    assert p.write(g, 1) is Signal.SEGV_ACCERR
    assert repr(p.read(g)) == "Signal(SEGV_ACCERR)"
    assert p.status().vm_rss == 0  # the process survives


def test_mlock_mprotect_mremap_madvise(machine: mmlab.Machine) -> None:
    p = machine.spawn()
    a = ok(p.mmap(8 * PAGE_SIZE))
    assert p.mlock(a, 2 * PAGE_SIZE) is None
    assert (p.status().vm_lck, p.smaps_rollup().locked, machine.meminfo().mlocked) == (8, 8, 8)
    assert p.munlock(a, 2 * PAGE_SIZE) is None
    assert p.mlockall(mmlab.MCL_CURRENT) is None  # populates every page
    assert (p.status().vm_lck, p.smaps_rollup().rss) == (32, 32)
    assert p.munlockall() is None
    assert machine.meminfo().mlocked == 0
    assert p.mprotect(a, PAGE_SIZE, PROT_READ) is None
    assert len(p.maps()) == 2
    assert p.maps()[0].perms == "r--p"
    b = ok(p.mremap(a + PAGE_SIZE, 7 * PAGE_SIZE, 14 * PAGE_SIZE, mmlab.MREMAP_MAYMOVE))
    assert p.smaps().at(b).size == 56
    assert p.smaps().at(b).rss == 28  # the pages moved with the mapping
    assert p.read(b) == 0 and p.write(b, 5) is None and p.read(b) == 5
    assert p.madvise(b, 4 * PAGE_SIZE, mmlab.MADV_DONTNEED) is None
    assert (p.smaps().at(b).rss, p.smaps_rollup().rss) == (12, 16)
    assert p.read(b) == 0  # DONTNEED on private anonymous memory: zero-fill on the next touch
    assert p.madvise(b, PAGE_SIZE, 999) is Errno.EINVAL


def test_views_of_a_gone_process_raise_esrch(machine: mmlab.Machine) -> None:
    p = machine.spawn()
    assert machine.info().pids == (p.pid,)
    assert p.exit() is None
    assert machine.info().pids == ()
    for view in (p.smaps_rollup, p.status, p.smaps, p.maps):
        try:
            view()
        except mmlab.ViewError as e:
            assert e.errno is Errno.ESRCH
        else:
            raise AssertionError(f"{view.__name__} of an exited process")
    assert p.exit() is Errno.ESRCH
    try:
        machine.meminfo(node=3)
    except mmlab.ViewError as e:
        assert e.errno is Errno.ENODEV


def test_batch_execute_and_invariants(machine: mmlab.Machine) -> None:
    p = machine.spawn()
    Op = mmlab.Op
    a = ok(p.mmap(2 * PAGE_SIZE))
    results = machine.execute(
        [
            Op(write=Op.Write(pid=p.pid, addr=a, value=7)),
            Op(read=Op.Read(pid=p.pid, addr=a)),
            Op(munmap=Op.Munmap(pid=p.pid, addr=a + 1, len=PAGE_SIZE)),
        ],
        check_invariants=True,
    )
    assert results == [None, 7, Errno.EINVAL]
    assert p.peek(a) == 7
    assert machine.info().ops_applied == 5
