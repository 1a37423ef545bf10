"""The seed scenario: migrate shmem pages between two NUMA nodes while punching holes in the
memfd, then check that every shmem counter (Pss_Shmem, RssShmem, Shmem per node) reads 0 kB.

Semantics as in scenarios/13-memfd-punch-hole.mms and 46-move-pages-two-nodes.mms: a shmem page
migrates with its page-cache slot (node 1 Shmem), a punched page is gone (move_pages -> -ENOENT,
reads 0 and faults in a fresh page), and a page already on the target node reports that node.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import mmlab
from conftest import REPO
from mmlab import FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, MAP_SHARED, MPOL_MF_MOVE, PAGE_SIZE, Errno, ok

PUNCH = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
N = 8


def shmem_kb(m: mmlab.Machine) -> tuple[int, int, int]:
    return m.meminfo().shmem, m.meminfo(node=0).shmem, m.meminfo(node=1).shmem


def test_move_shmem_pages_while_punching_holes(client: mmlab.Client) -> None:
    with client.machine(nodes=2) as m:
        seed(m)


def seed(m: mmlab.Machine) -> None:
    p = m.spawn()
    fd = ok(p.memfd_create("seed"))
    assert p.ftruncate(fd, N * PAGE_SIZE) is None
    s = ok(p.mmap(N * PAGE_SIZE, flags=MAP_SHARED, fd=fd))
    page = [s + i * PAGE_SIZE for i in range(N)]
    for i, addr in enumerate(page):
        assert p.write(addr, 0x100 + i) is None
    assert shmem_kb(m) == (32, 32, 0)
    assert p.move_pages(page) == [0] * N  # a status query: all on node 0

    # Pages 0-3 to node 1.
    assert p.move_pages(page[:4], [1] * 4, MPOL_MF_MOVE) == [1, 1, 1, 1]
    assert shmem_kb(m) == (32, 16, 16)
    assert m.vmstat()["pgmigrate_success"] == 4
    assert [p.read(a) for a in page[:4]] == [0x100, 0x101, 0x102, 0x103]  # the data moved too

    # Punch pages 0-1 (on node 1) and 4-5 (on node 0), then move everything to node 1.
    assert p.fallocate(fd, PUNCH, 0, 2 * PAGE_SIZE) is None
    assert p.fallocate(fd, PUNCH, 4 * PAGE_SIZE, 2 * PAGE_SIZE) is None
    assert shmem_kb(m) == (16, 8, 8)
    assert p.smaps_rollup().pss_shmem == 16
    assert [e.present for e in p.pagemap(s, N)] == [False, False, True, True, False, False, True, True]
    statuses = p.move_pages(page, [1] * N, MPOL_MF_MOVE)
    assert statuses == [Errno.ENOENT, Errno.ENOENT, 1, 1, Errno.ENOENT, Errno.ENOENT, 1, 1]
    assert repr(statuses[0]) == "Errno(ENOENT)"
    assert shmem_kb(m) == (16, 0, 16)
    assert m.vmstat()["pgmigrate_success"] == 6
    assert p.read(page[6]) == 0x106 and p.pread(fd, 7 * PAGE_SIZE) == 0x107
    assert p.pread(fd, 0) == 0  # a hole reads zeroes, without faulting a page in

    # Punch the rest while moving what is left back to node 0 in between.
    assert p.fallocate(fd, PUNCH, 2 * PAGE_SIZE, PAGE_SIZE) is None
    assert p.move_pages(page[2:4], [0, 0], MPOL_MF_MOVE) == [Errno.ENOENT, 0]
    assert shmem_kb(m) == (12, 4, 8)
    assert p.fallocate(fd, PUNCH, 0, N * PAGE_SIZE) is None
    assert p.move_pages(page) == [Errno.ENOENT] * N

    rollup, status = p.smaps_rollup(), p.status()
    assert (rollup.pss_shmem, rollup.rss, rollup.pss) == (0, 0, 0)
    assert "Pss_Shmem:             0 kB\n" in rollup.text
    assert status.rss_shmem == 0
    assert "RssShmem:\t       0 kB\n" in status.text
    assert shmem_kb(m) == (0, 0, 0)
    assert p.smaps().at(s).size == N * 4  # KEEP_SIZE: the mapping and the file keep their size

    assert p.exit() is None
    assert shmem_kb(m) == (0, 0, 0)
    assert m.meminfo().anon_pages == 0
    assert "Shmem:                 0 kB\n" in m.meminfo().text
    assert m.check_invariants() == []


def test_seed_journal_replays_on_the_embedded_model(client: mmlab.Client, tmp_path: Path) -> None:
    """The server's journal, as a .mms script, runs clean through `mmlab run` on the embedded
    model (its recorded errnos, every invariant after every step) with the same statuses."""
    cli = Path(os.environ.get("MMLAB_CLI") or REPO / "target" / "debug" / "mmlab")
    if not cli.is_file():
        pytest.skip(f"{cli} is not built (cargo build -p mmlab-client --bin mmlab)")
    with client.machine(nodes=2) as m:
        seed(m)
        script = m.journal().script
    assert script.startswith("machine nodes=2 ")
    assert "move_pages 1 " in script and "fallocate 1 3 keep_size,punch_hole" in script, script
    path = tmp_path / "seed.mms"
    path.write_text(script)
    run = subprocess.run([str(cli), "run", str(path)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    # The embedded model prints the same move_pages statuses the server returned (-2 = -ENOENT).
    moves = [line.rsplit(" => ", 1)[1] for line in run.stdout.splitlines() if "move_pages" in line]
    assert moves == ["[0,0,0,0,0,0,0,0]", "[1,1,1,1]", "[-2,-2,1,1,-2,-2,1,1]", "[-2,0]", "[-2,-2,-2,-2,-2,-2,-2,-2]"]
