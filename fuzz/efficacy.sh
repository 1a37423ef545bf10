#!/usr/bin/env bash
# Fuzzer efficacy benchmark (Magma/FuzzBench style).
#
# For each quirk (historical kernel defect the model can re-enable), runs the `ops` fuzzer RUNS
# times from the committed seed corpus (fuzz/corpus/ops, as Magma campaigns start from seeds) with
# that quirk on, each capped at CAP seconds, and reports the
# median time to the first invariant violation (a censored run counts as CAP, and a median that
# is censored prints as ">CAP"). Then runs each target for SECS seconds from its committed seeds
# with no quirk and reports executions per second.
#
# Usage: fuzz/efficacy.sh [QUIRK...]     (default: every quirk in model/src/config.rs)
# Environment: RUNS (5), CAP (120), SECS (20), TARGETS ("ops roundtrip differential").
# Needs cargo-fuzz (installed into ~/.cache/mmlab/cargo-fuzz if missing); runs on stable with
# `-s none` (no sanitizer: the model is safe Rust).
set -euo pipefail
cd "$(dirname "$0")"

RUNS=${RUNS:-5}
CAP=${CAP:-120}
SECS=${SECS:-20}
TARGETS=${TARGETS:-"ops roundtrip differential service"}

# shellcheck source=fuzz/cargo-fuzz.sh
source ./cargo-fuzz.sh
ensure_cargo_fuzz || { echo "efficacy: cargo-fuzz unavailable" >&2; exit 2; }

if [ $# -gt 0 ]; then
    quirks=("$@")
else
    mapfile -t quirks < <(sed -n 's/^pub const QUIRK_[A-Z_]*: &str = "\(.*\)";$/\1/p' ../model/src/config.rs)
fi

cargo fuzz build -s none >/dev/null 2>&1 || cargo fuzz build -s none
bin=target/x86_64-unknown-linux-gnu/release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

echo "| quirk | runs | found | median time to violation (s) | times (s) |"
echo "|---|---|---|---|---|"
for q in "${quirks[@]}"; do
    times=()
    found=0
    for i in $(seq 1 "$RUNS"); do
        dir="$work/$q-$i"
        mkdir -p "$dir/corpus"
        cp corpus/ops/* "$dir/corpus/"
        t0=$(date +%s.%N)
        MMLAB_FUZZ_QUIRKS="$q" "$bin/ops" "$dir/corpus" -seed="$i" -max_total_time="$CAP" \
            -artifact_prefix="$dir/" >"$dir/log" 2>&1 || true
        t1=$(date +%s.%N)
        if ls "$dir"/crash-* >/dev/null 2>&1; then
            found=$((found + 1))
            times+=("$(echo "$t1 - $t0" | bc -l | xargs printf '%.1f')")
        else
            times+=("$CAP")
        fi
    done
    med=$(printf '%s\n' "${times[@]}" | median)
    if [ "$found" -le $((RUNS / 2)) ]; then med=">$CAP"; fi
    echo "| $q | $RUNS | $found | $med | ${times[*]} |"
done

echo
echo "| target | seconds | executions | exec/s |"
echo "|---|---|---|---|"
for t in $TARGETS; do
    dir="$work/speed-$t"
    mkdir -p "$dir"
    cp corpus/"$t"/* "$dir"/ 2>/dev/null || true
    "$bin/$t" "$dir" -max_total_time="$SECS" -print_final_stats=1 -artifact_prefix="$work/" >"$work/$t.log" 2>&1 || true
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$t.log")
    echo "| $t | $SECS | ${execs:-?} | ${rate:-?} |"
done
