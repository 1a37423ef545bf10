"""Machine lifecycle, tenants, journal and service errors against a real mmlabd."""

from __future__ import annotations

import grpc
import pytest

import mmlab
from conftest import REPO, TOKENS, Server, spawn_mmlabd
from mmlab import PAGE_SIZE, ok


def test_context_manager_deletes_the_machine(client: mmlab.Client) -> None:
    with client.machine(nodes=2, node_bytes=64 << 20, swap_bytes=16 << 20, thp="madvise") as m:
        info = m.info()
        assert info.config == mmlab.MachineConfig(2, 64 << 20, 16 << 20, 8 << 20, "madvise", ())
        assert m.id in {x.id for x in client.machines()}
        assert m.meminfo().mem_total == 2 * 64 * 1024
        assert m.meminfo(node=1).mem_total == 64 * 1024
        assert m.meminfo().swap_total == 16 * 1024 - 4  # the first page holds the swap header
    assert m.id not in {x.id for x in client.machines()}
    with pytest.raises(mmlab.NotFound) as e:
        m.info()
    assert e.value.code == grpc.StatusCode.NOT_FOUND
    m.delete()  # twice is fine


def test_context_manager_deletes_on_error(client: mmlab.Client) -> None:
    with pytest.raises(ZeroDivisionError):
        with client.machine() as m:
            m.spawn()
            1 / 0
    with pytest.raises(mmlab.NotFound):
        client.get(m.id)


def test_tenants_are_isolated(server: Server, client: mmlab.Client) -> None:
    with client.machine() as m, mmlab.connect(server.addr, token=TOKENS["bob"]) as bob:
        assert m.id not in {x.id for x in bob.machines()}
        with pytest.raises(mmlab.NotFound):  # another tenant's machine answers like a missing one
            bob.get(m.id)
        with pytest.raises(mmlab.NotFound):
            mmlab.Machine(bob, m.id).spawn()
        mmlab.Machine(bob, m.id).delete()  # NotFound, ignored: and alice's machine lives on
        assert client.get(m.id).info().ops_applied == 0
    with mmlab.connect(server.addr) as anonymous:
        with pytest.raises(mmlab.Unauthenticated) as e:
            anonymous.machines()
        assert e.value.code == grpc.StatusCode.UNAUTHENTICATED
    with mmlab.connect(server.addr, token="wrong") as wrong:
        with pytest.raises(mmlab.Unauthenticated):
            wrong.machine()


def test_bad_requests_are_clear_errors(client: mmlab.Client) -> None:
    with pytest.raises(mmlab.InvalidArgument) as e:
        client.machine(quirks=["no-such-quirk"])
    assert e.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "INVALID_ARGUMENT" in str(e.value)
    with pytest.raises(mmlab.InvalidArgument):
        client.machine(nodes=0)
    with client.machine() as m:
        with pytest.raises(mmlab.InvalidArgument):
            m.apply(mmlab.Op())  # no kind set


def test_journal_is_a_mms_script(client: mmlab.Client) -> None:
    with client.machine() as m:
        p = m.spawn()
        a = ok(p.mmap(2 * PAGE_SIZE))
        p.write(a, 0x41)
        p.munmap(a + 1, PAGE_SIZE)
        j = m.journal()
        assert len(j.ops) == 4
        assert j.results == (p.pid, a, None, mmlab.Errno.EINVAL)
        assert j.script == (
            "machine nodes=1 node_mem=0x40000000 swap=0x0 memlock=0x800000 thp=never\n"
            "spawn\n"
            "mmap 1 0x0 0x2000 rw private,anonymous\n"
            f"write 1 {a:#x} 0x41\n"
            f"munmap 1 {a + 1:#x} 0x1000 => EINVAL\n"
        )


def test_clone_digest_snapshot(client: mmlab.Client) -> None:
    with client.machine() as m:
        p = m.spawn()
        a = ok(p.mmap(PAGE_SIZE))
        p.write(a, 0x41)
        with m.clone() as c:
            assert c.id != m.id and c.digest() == m.digest()
            c.process(p.pid).write(a, 0x42)
            assert c.digest() != m.digest()
            assert p.read(a) == 0x41 and c.process(p.pid).read(a) == 0x42
        snap = m.snapshot()
        assert len(snap.ops) == 4 and snap.digest == m.digest()
        with client.import_snapshot(snap) as r:
            assert r.digest() == m.digest()
            assert r.process(p.pid).peek(a) == 0x41


def test_tls(server: Server) -> None:
    fixtures = REPO / "server" / "tests" / "fixtures"  # a self-signed localhost / 127.0.0.1 cert
    cert, key = fixtures / "test-cert.pem", fixtures / "test-key.pem"
    proc, addr, log = spawn_mmlabd(server.binary, "--tls-cert", str(cert), "--tls-key", str(key))
    assert addr is not None, "".join(log)
    try:
        with mmlab.connect(f"https://{addr}", tls_ca=cert, tls_domain="localhost", timeout=10) as c:
            with c.machine() as m:
                assert m.spawn().pid == 1
        with mmlab.connect(addr, tls_ca=cert.read_bytes(), timeout=10) as c:  # the cert names 127.0.0.1 too
            assert c.machines() == []
        with mmlab.connect(addr, timeout=5) as plain:  # plaintext cannot talk to a TLS server
            with pytest.raises(mmlab.MmlabError):
                plain.machines()
        with pytest.raises(ValueError):
            mmlab.connect(f"https://{addr}")
    finally:
        proc.terminate()
        assert proc.wait(timeout=15) == 0
