"""Generates the gRPC stubs (``mmlab/v1/*_pb2*.py``) from ``proto/mmlab/v1`` with grpcio-tools.

Used by ``setup.py`` at build time, and by ``import mmlab`` when run from a source checkout in
which the stubs have not been generated yet. The stubs are never checked in. The proto directory
is ``$MMLAB_PROTO_DIR``, else ``proto/`` at the root of the repository this file lives in.
"""

from __future__ import annotations

import os
from pathlib import Path

_HERE = Path(__file__).resolve().parent


def proto_dir() -> Path:
    """Where ``mmlab/v1/*.proto`` are."""
    env = os.environ.get("MMLAB_PROTO_DIR")
    return Path(env).resolve() if env else _HERE.parent.parent.parent / "proto"


def generate(out: Path, root: Path | None = None) -> list[Path]:
    """Writes ``out/mmlab/v1/{ops,views,service}_pb2{,_grpc}.py`` (and ``.pyi``) and returns them.

    ``-I root`` with the protos named ``mmlab/v1/X.proto`` makes the generated imports read
    ``from mmlab.v1 import ops_pb2``: a proper subpackage of ``mmlab``, no sys.path changes.
    """
    from grpc_tools import protoc  # type: ignore[import-untyped]  # a build requirement, not a runtime one

    root = (root or proto_dir()).resolve()
    protos = sorted(p.relative_to(root).as_posix() for p in (root / "mmlab" / "v1").glob("*.proto"))
    if not protos:
        raise RuntimeError(f"no .proto files under {root}/mmlab/v1 (set MMLAB_PROTO_DIR)")
    out.mkdir(parents=True, exist_ok=True)
    well_known = Path(protoc.__file__).resolve().parent / "_proto"
    args = [
        "grpc_tools.protoc",
        f"-I{root}",
        f"-I{well_known}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        f"--grpc_python_out={out}",
        *protos,
    ]
    if protoc.main(args) != 0:
        raise RuntimeError(f"grpc_tools.protoc failed on {protos} under {root}")
    pkg = out / "mmlab" / "v1"
    (pkg / "__init__.py").write_text('"""Stubs generated from proto/mmlab/v1 by grpcio-tools (not checked in)."""\n')
    return sorted(pkg.glob("*_pb2*.py"))


def ensure_in_tree() -> None:
    """Generates the stubs next to this file when they are missing (a source checkout)."""
    if (_HERE / "v1" / "service_pb2_grpc.py").exists():
        return
    if not (proto_dir() / "mmlab" / "v1").is_dir():
        raise ImportError(
            "mmlab's gRPC stubs are missing and no proto/ directory was found: "
            "install the package (pip install clients/python) or set MMLAB_PROTO_DIR"
        )
    generate(_HERE.parent)


if __name__ == "__main__":
    for path in generate(_HERE.parent):
        print(path)
