#!/usr/bin/env bash
# The one test command: formatting, lints, every unit/integration/property test, every scenario
# under scenarios/ run through the embedded model, and (on Linux, as root) every scenario and 100
# seeded random scripts run through the kernel oracle against the live kernel.
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

echo "== kernel oracle"
if [ "$(uname -s)" = Linux ] && [ "$(id -u)" = 0 ]; then
  cargo run -q --locked -p mmlab-client -- oracle scenarios/*.mms
  cargo run -q --locked -p mmlab-client -- oracle --random 100 --seed 1 --min-agreement 95 \
    --save "${TMPDIR:-/tmp}/mmlab-oracle-divergences"
else
  echo "skipped: the kernel oracle needs Linux and root (pagemap PFNs, /proc/kpageflags)"
fi
