"""Builds the package with its gRPC stubs generated from ``proto/mmlab/v1`` by grpcio-tools.

The stubs are never checked in: ``build_py`` writes them into the build directory as the
``mmlab.v1`` subpackage (``mmlab/v1/*_pb2.py``), matching the protos' import paths. The proto
directory is ``../../proto`` from here, or ``$MMLAB_PROTO_DIR`` (see ``mmlab/_generate.py``).
"""

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def _generator():
    # Loaded by path: importing the package itself would need the stubs it is about to build.
    spec = importlib.util.spec_from_file_location("_mmlab_generate", HERE / "mmlab" / "_generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPyWithStubs(build_py):
    def run(self) -> None:
        super().run()
        _generator().generate(Path(self.build_lib))


setup(cmdclass={"build_py": BuildPyWithStubs})
