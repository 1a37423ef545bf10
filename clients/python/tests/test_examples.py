"""The README's example sessions run against the session's server: clients/python/examples/session.py,
and clients/rust/examples/session.rs when its binary is built (``$MMLAB_RUST_EXAMPLE``, else
``target/debug/examples/session``; scripts/test-python.sh builds it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import mmlab
from conftest import REPO, TOKENS, Server, spawn_mmlabd

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


def test_rust_session_example_runs(server: Server) -> None:
    binary = Path(os.environ.get("MMLAB_RUST_EXAMPLE") or REPO / "target" / "debug" / "examples" / "session")
    if not binary.is_file():
        pytest.skip(f"{binary} is not built (cargo build -p mmlab-client --example session)")
    assert len((REPO / "clients" / "rust" / "examples" / "session.rs").read_text().splitlines()) < 20
    # The example sends no token: run it against a server of its own, without a token file.
    proc, addr, log = spawn_mmlabd(server.binary)
    assert addr is not None, "".join(log)
    try:
        out = subprocess.run([str(binary), f"http://{addr}"], capture_output=True, text=True, timeout=60, check=True)
    finally:
        proc.terminate()
        assert proc.wait(timeout=15) == 0
    assert out.stdout.startswith("Err(EINVAL)\n")
    assert "Rss:                   4 kB\n" in out.stdout
    assert "Pss_Anon:              4 kB\n" in out.stdout
