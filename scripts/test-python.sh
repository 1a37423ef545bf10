#!/usr/bin/env bash
# The Python client's test step (also run by scripts/test.sh): a venv with the pinned
# clients/python/requirements-test.txt, cached under ${MMLAB_CACHE:-${XDG_CACHE_HOME:-~/.cache}/mmlab}/venv
# and rebuilt when that file or the Python version changes; the package installed from
# clients/python (its gRPC stubs generated from proto/ by grpcio-tools during the install);
# mmlabd, the mmlab CLI and the Rust example built by cargo if not up to date; strict mypy; then the
# pytest suite, which spawns that mmlabd on a free loopback port. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
cache="${MMLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmlab}"
venv="$cache/venv"
req=clients/python/requirements-test.txt
key="$({ "$python" --version 2>&1; cat "$req"; } | sha256sum | cut -c1-16)"

if [ "$(cat "$venv/.mmlab-key" 2>/dev/null)" != "$key" ] || ! "$venv/bin/python" -c 'import grpc_tools, pytest' 2>/dev/null; then
    echo "creating the Python test venv in $venv ($("$python" --version 2>&1), $req)"
    rm -rf "$venv"
    mkdir -p "$cache"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
    echo "$key" > "$venv/.mmlab-key"
fi

# The package, stubs included; --no-build-isolation uses the venv's pinned setuptools and
# grpcio-tools instead of fetching them again. The build directory is removed so that no stale
# module from an earlier build is packaged.
rm -rf clients/python/build clients/python/mmlab.egg-info
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --no-build-isolation --force-reinstall ./clients/python
rm -rf clients/python/build clients/python/mmlab.egg-info

# The debug mmlabd, the mmlab CLI (which replays a server journal on the embedded model) and the
# Rust client's example, all run by the suite: after `cargo test --workspace` (scripts/test.sh)
# they are built already.
cargo build --quiet --locked -p mmlab-server -p mmlab-client --bin mmlabd --bin mmlab --example session
bin="${CARGO_TARGET_DIR:-$PWD/target}/debug"
export MMLAB_MMLABD="$bin/mmlabd" MMLAB_CLI="$bin/mmlab" MMLAB_RUST_EXAMPLE="$bin/examples/session"

cd clients/python
# Type hints: strict mypy (pyproject.toml) over the installed package (generated stubs excluded),
# the tests and the examples.
(cd "$venv" && bin/python -m mypy --cache-dir "$cache/mypy" --config-file "$OLDPWD/pyproject.toml" -p mmlab)
"$venv/bin/python" -m mypy --cache-dir "$cache/mypy" tests examples
exec "$venv/bin/python" -m pytest "$@"
