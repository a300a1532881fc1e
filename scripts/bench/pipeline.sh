#!/usr/bin/env bash
# Whole-pipeline benchmark (decode, detect, classify, annotate, encode the annotated photo and
# its thumbnail) through the release `facelens analyze`, each photo in a fresh process.
#
# 1. Composes test photos of 1, 12 and 24 MP with 1, 5 and 30 faces
#    (services/local/examples/bench_photos.rs) and checks the detector finds every face.
# 2. Per photo: wall time and peak RSS (`/usr/bin/time -f '%e %M'`), REPEAT runs, median time
#    and highest peak. A run on a photo without faces gives the fixed cost of starting the
#    process and loading the models; "pipeline" is the median minus that.
# 3. Throughput: THROUGHPUT_COPIES copies of one photo, first through one `facelens analyze`
#    process (one photo at a time: one core), then split over two processes at once (both
#    cores, as `facelens serve --workers 2` runs them). photos/s = copies / wall time.
#
# SKIP_BUILD=1 uses the binaries already built (when other builds hold the lock).
# Usage: scripts/bench/pipeline.sh            (REPEAT=3 THROUGHPUT_COPIES=20 by default)
#        REPEAT=5 THROUGHPUT_PHOTOS="faces5_1mp faces5_12mp" scripts/bench/pipeline.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

REPEAT=${REPEAT:-3}
COPIES=${THROUGHPUT_COPIES:-20}
THROUGHPUT_PHOTOS=${THROUGHPUT_PHOTOS:-"faces5_1mp faces5_12mp faces5_24mp"}
TIME=/usr/bin/time
if [[ ! -x $TIME ]]; then
    echo "needs GNU time at $TIME (Debian: apt-get install -y time)" >&2
    exit 1
fi

if [[ -z ${SKIP_BUILD:-} ]]; then cargo build --quiet --release -p facelens --bin facelens --example bench_photos; fi
target_dir=${CARGO_TARGET_DIR:-target}
bin=$target_dir/release/facelens

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$target_dir/release/examples/bench_photos" "$work/photos" >"$work/made.txt"
cp shared/vision/tests/fixtures/no-face.jpg "$work/photos/noface_0mp.jpg"

# Runs `facelens analyze` on the arguments; prints "seconds peak_kib" and keeps its table in
# $work/last.txt.
measure() {
    "$TIME" -f '%e %M' -o "$work/time.txt" "$bin" analyze --models-dir models "$@" >"$work/last.txt"
    cat "$work/time.txt"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo "bin: $(du -h "$bin" | cut -f1) release facelens; $REPEAT runs per photo"
echo

# Fixed cost: process start and model load, on a photo with no face.
for _ in $(seq "$REPEAT"); do measure "$work/photos/noface_0mp.jpg"; done >"$work/base.txt"
base_s=$(cut -d' ' -f1 "$work/base.txt" | median)
base_kib=$(cut -d' ' -f2 "$work/base.txt" | sort -n | tail -1)
printf 'fixed cost (320x213 photo, no face): %s s, peak RSS %.1f MiB\n\n' \
    "$base_s" "$(echo "$base_kib / 1024" | bc -l)"

printf '%-16s %-10s %8s %6s %6s %7s %9s %9s %9s %12s\n' \
    photo size "JPEG MB" pasted found masked "wall s" "min s" "pipe s" "peak RSS MiB"
while read -r name width height bytes pasted; do
    file=$work/photos/$name
    for _ in $(seq "$REPEAT"); do measure "$file"; done >"$work/runs.txt"
    read -r found masked < <(awk 'NR == 2 { print $2, $3 }' "$work/last.txt")
    wall=$(cut -d' ' -f1 "$work/runs.txt" | median)
    fastest=$(cut -d' ' -f1 "$work/runs.txt" | sort -n | head -1)
    peak=$(cut -d' ' -f2 "$work/runs.txt" | sort -n | tail -1)
    printf '%-16s %-10s %8.1f %6s %6s %7s %9s %9s %9.2f %12.1f\n' \
        "${name%.jpg}" "${width}x$height" "$(echo "$bytes / 1000000" | bc -l)" \
        "$pasted" "$found" "$masked" "$wall" "$fastest" \
        "$(echo "$wall - $base_s" | bc -l)" "$(echo "$peak / 1024" | bc -l)"
    if [[ $found != "$pasted" ]]; then
        echo "  note: the detector found $found of $pasted pasted faces in $name" >&2
    fi
done <"$work/made.txt"

echo
echo "throughput, $COPIES copies of each photo:"
printf '%-16s %22s %22s\n' photo "1 process (photos/s)" "2 processes (photos/s)"
for stem in $THROUGHPUT_PHOTOS; do
    rm -rf "$work/copies" && mkdir -p "$work/copies"
    for i in $(seq -w "$COPIES"); do
        ln -s "$work/photos/$stem.jpg" "$work/copies/$i.jpg"
    done
    files=("$work/copies"/*.jpg)
    one=$(measure "${files[@]}" | cut -d' ' -f1)
    half=$((COPIES / 2))
    start=$(date +%s.%N)
    "$bin" analyze --models-dir models "${files[@]:0:half}" >/dev/null &
    first=$!
    "$bin" analyze --models-dir models "${files[@]:half}" >/dev/null
    wait "$first"
    two=$(echo "$(date +%s.%N) - $start" | bc -l)
    printf '%-16s %22.2f %22.2f\n' "$stem" \
        "$(echo "$COPIES / $one" | bc -l)" "$(echo "$COPIES / $two" | bc -l)"
done
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
