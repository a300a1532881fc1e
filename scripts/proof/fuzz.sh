#!/usr/bin/env bash
# Fuzzes Facelens for a fixed time per target with cargo-fuzz (libFuzzer) and reports, per
# target, the executions, the time and the crashes. Exits 1 when any target crashed (the
# crashing inputs are kept under the artifacts directory printed at the end).
#
#   scripts/proof/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 60; TARGET defaults to every target of fuzz/Cargo.toml.
# Environment:
#   FUZZ_SANITIZER   address (default) or none; when the address sanitizer does not build,
#                    the script falls back to none and says so.
#   FUZZ_ARTIFACTS   where crashing inputs and logs go (default: a new temporary directory).
#   CARGO_TARGET_DIR as usual; the fuzz crate is not in the main workspace and builds only the
#                    crates its targets need, instrumented (about 1.3 GB).
#
# Works on the stable toolchain: cargo-fuzz passes nightly -Z flags, so RUSTC_BOOTSTRAP=1 is
# set here. Installs cargo-fuzz from crates.io when it is missing. One libFuzzer process at a
# time (libFuzzer's default: no -jobs/-workers), so it takes one core.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SECONDS_PER_TARGET="${1:-60}"
shift || true
if ! [[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]] || [ "$SECONDS_PER_TARGET" -lt 1 ]; then
    echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2
    exit 2
fi

export RUSTC_BOOTSTRAP=1
export CARGO_INCREMENTAL=0
cd "$ROOT"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

if [ "$#" -gt 0 ]; then
    TARGETS=("$@")
else
    mapfile -t TARGETS < <(cargo fuzz list)
fi

ARTIFACTS="${FUZZ_ARTIFACTS:-$(mktemp -d -t facelens-fuzz.XXXXXX)}"
mkdir -p "$ARTIFACTS"
SANITIZER="${FUZZ_SANITIZER:-address}"

echo "== building ${#TARGETS[@]} targets (sanitizer: $SANITIZER)"
if ! cargo fuzz build -O -s "$SANITIZER" 2>"$ARTIFACTS/build.log"; then
    if [ "$SANITIZER" != none ]; then
        echo "   the $SANITIZER sanitizer did not build (see $ARTIFACTS/build.log); using none"
        SANITIZER=none
        cargo fuzz build -O -s none
    else
        cat "$ARTIFACTS/build.log" >&2
        exit 1
    fi
fi

# One row per target: name, seconds, executions, executions per second, corpus units, crashes.
ROWS=()
FAILED=0
for target in "${TARGETS[@]}"; do
    scratch="$ARTIFACTS/$target"
    rm -rf "$scratch"
    mkdir -p "$scratch/corpus" "$scratch/crashes" "$scratch/tmp"
    seeds="$ROOT/fuzz/corpus/$target"
    corpora=("$scratch/corpus")
    [ -d "$seeds" ] && corpora+=("$seeds")
    echo "== $target: ${SECONDS_PER_TARGET}s"
    started=$(date +%s)
    # New inputs go to the scratch corpus (the first directory); the committed seeds are
    # only read. TMPDIR: the targets' temporary stores are removed with the scratch.
    set +e
    TMPDIR="$scratch/tmp" cargo fuzz run -O -s "$SANITIZER" "$target" "${corpora[@]}" -- \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$scratch/crashes/" \
        >"$scratch/log" 2>&1
    status=$?
    set -e
    elapsed=$(($(date +%s) - started))
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$scratch/log" | grep -o '[0-9]*$' | tail -1)
    if [ -z "$execs" ]; then
        # No final stats (a crash): the last status line says how far it got.
        execs=$(grep -o '^#[0-9]*' "$scratch/log" | tr -d '#' | tail -1)
    fi
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$scratch/log" | grep -o '[0-9]*$' | tail -1)
    units=$(find "$scratch/corpus" -type f | wc -l)
    crashes=$(find "$scratch/crashes" -type f | wc -l)
    if [ "$status" -ne 0 ] || [ "$crashes" -gt 0 ]; then
        FAILED=1
        [ "$crashes" -gt 0 ] || crashes="1 (exit $status)"
        echo "   CRASH: see $scratch/log and $scratch/crashes/"
        grep -m1 -A3 -E 'panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer' "$scratch/log" || true
    fi
    rm -rf "$scratch/tmp"
    ROWS+=("| \`$target\` | $elapsed | ${execs:-?} | ${rate:-?} | $units | $crashes |")
done

echo
echo "sanitizer: $SANITIZER; artifacts and logs: $ARTIFACTS"
echo
echo "| target | seconds | executions | executions/s | new corpus units | crashes |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
exit "$FAILED"
