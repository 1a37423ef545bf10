"""Fixtures: one real ``mmlabd`` per test session, on a loopback port the kernel picks.

The binary is ``$MMLAB_MMLABD``, else the newer of ``target/release/mmlabd`` and
``target/debug/mmlabd`` in the repository (``cargo build -p mmlab-server`` builds it;
``scripts/test-python.sh`` does and sets ``MMLAB_MMLABD``). The server runs with a
token file of two tenants, so the suite can check tenant isolation.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

import mmlab

REPO = Path(__file__).resolve().parents[3]
TOKENS = {"alice": "token-alice", "bob": "token-bob"}


def mmlabd_path() -> Path:
    env = os.environ.get("MMLAB_MMLABD")
    candidates = [Path(env)] if env else [REPO / "target" / "release" / "mmlabd", REPO / "target" / "debug" / "mmlabd"]
    found = [c for c in candidates if c.is_file() and os.access(c, os.X_OK)]
    if found:
        return max(found, key=lambda c: c.stat().st_mtime)  # the most recently built one
    pytest.exit(
        f"no mmlabd binary at {', '.join(map(str, candidates))}: run `cargo build --release -p mmlab-server` "
        "or set MMLAB_MMLABD",
        returncode=2,
    )


def wait_healthy(addr: str, timeout: float = 15.0) -> None:
    """Waits for ``grpc.health.v1.Health/Check`` to answer SERVING (field 1 = 1 on the wire)."""
    with grpc.insecure_channel(addr) as channel:
        grpc.channel_ready_future(channel).result(timeout=timeout)
        check: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary("/grpc.health.v1.Health/Check")
        assert check(b"", timeout=timeout) == b"\x08\x01", "mmlabd is up but not SERVING"


@dataclass
class Server:
    addr: str
    binary: Path
    process: subprocess.Popen[str]
    log: list[str]


def spawn_mmlabd(binary: Path, *args: str) -> tuple[subprocess.Popen[str], str | None, list[str]]:
    """Starts ``binary --listen 127.0.0.1:0 ARGS`` (the kernel picks a free port) with no MMLAB_*
    variables in its environment; returns the process, the address it printed once it accepts
    calls (None if it exited first) and its output so far."""
    proc = subprocess.Popen(
        [str(binary), "--listen", "127.0.0.1:0", "--log", "warn", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("MMLAB_")},
    )
    assert proc.stdout is not None
    log: list[str] = []
    for line in proc.stdout:  # "mmlabd listening on 127.0.0.1:PORT" once it accepts calls
        log.append(line)
        if line.startswith("mmlabd listening on "):
            return proc, line.split()[-1], log
    proc.wait()
    return proc, None, log


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tokens = tmp_path_factory.mktemp("mmlabd") / "tokens"
    tokens.write_text("".join(f"{token} {tenant}\n" for tenant, token in TOKENS.items()))
    binary = mmlabd_path()
    proc, addr, log = spawn_mmlabd(binary, "--token-file", str(tokens))
    if addr is None:
        pytest.exit(f"mmlabd exited with {proc.returncode} before listening:\n{''.join(log)}", returncode=2)
    drain = threading.Thread(target=lambda: log.extend(proc.stdout or ()), daemon=True)
    drain.start()
    try:
        wait_healthy(addr)
        yield Server(addr, binary, proc, log)
    finally:
        proc.terminate()  # SIGTERM: graceful shutdown, exit 0
        try:
            rc = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
        drain.join(timeout=5)
        assert rc == 0, f"mmlabd exited with {rc}:\n{''.join(log)}"


@pytest.fixture(scope="session")
def client(server: Server) -> Iterator[mmlab.Client]:
    with mmlab.connect(server.addr, token=TOKENS["alice"]) as c:
        yield c


@pytest.fixture
def machine(client: mmlab.Client) -> Iterator[mmlab.Machine]:
    with client.machine() as m:
        yield m
        assert m.check_invariants() == []
