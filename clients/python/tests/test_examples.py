"""examples/session.py runs as the README shows it, against the session's server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import mmlab
from conftest import TOKENS, Server

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_session_example_runs(server: Server, client: mmlab.Client) -> None:
    before = client.machines()
    script = EXAMPLES / "session.py"
    assert len(script.read_text().splitlines()) < 20
    out = subprocess.run(
        [sys.executable, str(script), server.addr, TOKENS["alice"]],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "move_pages: [1, 1]\n" in out
    assert "munmap unaligned: Errno(EINVAL)\n" in out
    assert "Pss_Shmem:             0 kB\n" in out
    assert out.endswith("Pss_Shmem: 0 kB; node 1 Shmem: 0 kB\n")
    assert client.machines() == before  # the example's machine was deleted on the way out
