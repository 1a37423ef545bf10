#!/usr/bin/env bash
# The one test command: formatting, lints, every unit/integration/property test, and every
# scenario under scenarios/ run through the embedded model.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --workspace --locked

echo "== scenarios"
cargo run -q --locked -p mmlab-client -- run --quiet scenarios/*.mms
